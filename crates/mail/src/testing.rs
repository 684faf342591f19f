//! A real SMTP server for tests: Python's aiosmtpd writing a maildir, read back with Python's own
//! `email` parser so that checks do not trust lettre to understand what it wrote. Used by this
//! crate's tests and by the application's integration tests.

use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub const INSTALL: &str = "python3 -m pip install aiosmtpd==1.4.6";

/// A handler that stores messages like aiosmtpd's `Mailbox` but refuses the mailbox `inconnu`,
/// as a real server refuses an unknown user.
const HANDLER: &str = r#"
from aiosmtpd.handlers import Mailbox

class Picky(Mailbox):
    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.startswith("inconnu@"):
            return "550 5.1.1 No such user here"
        envelope.rcpt_tos.append(address)
        return "250 OK"
"#;

/// Prints each received message as fields separated by US (0x1f), messages separated by RS (0x1e).
const READ_MAILDIR: &str = r#"
import email, email.policy, mailbox, sys
box = mailbox.Maildir(sys.argv[1], factory=None, create=False)
out = []
for key in box.keys():
    msg = email.message_from_bytes(box.get_bytes(key), policy=email.policy.default)
    plain, html = msg.get_body(("plain",)), msg.get_body(("html",))
    out.append("\x1f".join([
        str(msg["To"]), str(msg["From"]), str(msg["Subject"]), msg.get_content_type(),
        plain.get_content_charset(), plain.get_content(), html.get_content_charset(), html.get_content(),
    ]))
sys.stdout.write("\x1e".join(out))
"#;

#[derive(Debug)]
pub struct Received {
    pub to: String,
    pub from: String,
    pub subject: String,
    pub content_type: String,
    pub plain_charset: String,
    pub plain: String,
    pub html_charset: String,
    pub html: String,
}

/// aiosmtpd running as a child process, killed when dropped.
pub struct SmtpServer {
    child: Child,
    port: u16,
    dir: tempfile::TempDir,
}

impl SmtpServer {
    pub fn start() -> SmtpServer {
        let probe = Command::new("python3").args(["-c", "import aiosmtpd"]).output();
        match probe {
            Ok(out) if out.status.success() => {}
            Ok(out) => panic!(
                "aiosmtpd is missing (the mail tests deliver to a real SMTP server); install it with `{INSTALL}`\n{}",
                String::from_utf8_lossy(&out.stderr)
            ),
            Err(e) => panic!("python3 is missing ({e}); the mail tests need it and aiosmtpd: `{INSTALL}`"),
        }
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("forma_test_smtp.py"), HANDLER).unwrap();
        let port = free_port();
        let child = Command::new("python3")
            .args(["-m", "aiosmtpd", "-n", "-l", &format!("127.0.0.1:{port}"), "-c", "forma_test_smtp.Picky"])
            .arg(dir.path().join("maildir"))
            .env("PYTHONPATH", dir.path())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("python3 -m aiosmtpd: {e}; install it with `{INSTALL}`"));
        let mut server = SmtpServer { child, port, dir };
        let deadline = Instant::now() + Duration::from_secs(15);
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            if let Some(status) = server.child.try_wait().unwrap() {
                let mut stderr = String::new();
                std::io::Read::read_to_string(server.child.stderr.as_mut().unwrap(), &mut stderr).unwrap();
                panic!("aiosmtpd exited ({status}) before listening:\n{stderr}\nIs it installed? `{INSTALL}`");
            }
            assert!(Instant::now() < deadline, "aiosmtpd did not listen on port {port} within 15 s");
            std::thread::sleep(Duration::from_millis(50));
        }
        server
    }

    pub fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}", self.port)
    }

    pub fn maildir(&self) -> PathBuf {
        self.dir.path().join("maildir")
    }

    /// The received messages, sorted by recipient.
    pub fn received(&self) -> Vec<Received> {
        read_maildir(&self.maildir())
    }
}

impl Drop for SmtpServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn read_maildir(maildir: &Path) -> Vec<Received> {
    if !maildir.join("new").exists() {
        return Vec::new();
    }
    let out = Command::new("python3").args(["-c", READ_MAILDIR]).arg(maildir).output().unwrap();
    assert!(out.status.success(), "reading the maildir: {}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8(out.stdout).unwrap();
    let mut messages: Vec<Received> = text
        .split('\x1e')
        .filter(|m| !m.is_empty())
        .map(|m| {
            let f: Vec<&str> = m.split('\x1f').collect();
            assert_eq!(f.len(), 8, "{m}");
            Received {
                to: f[0].into(),
                from: f[1].into(),
                subject: f[2].into(),
                content_type: f[3].into(),
                plain_charset: f[4].into(),
                plain: f[5].into(),
                html_charset: f[6].into(),
                html: f[7].into(),
            }
        })
        .collect();
    messages.sort_by(|a, b| a.to.cmp(&b.to));
    messages
}

/// A port nothing listens on: bound by us, then released.
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

