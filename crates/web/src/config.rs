use std::net::SocketAddr;
use std::time::Duration;

/// What the web layer needs to know about its deployment.
#[derive(Debug, Clone)]
pub struct WebConfig {
    /// Where to listen; port 0 picks a free port (tests).
    pub addr: SocketAddr,
    /// The public address users reach (`https://formation.example.org`), trusted for
    /// cross-origin checks behind a reverse proxy.
    pub public_url: Option<String>,
    /// The training organisation's name, shown on every page.
    pub organisation_name: String,
    /// How often to look for catalogue changes made elsewhere (`forma import`, another node).
    pub refresh_interval: Duration,
    /// Whether a mail worker delivers the outbox (an SMTP server is configured).
    pub mail_enabled: bool,
}

impl WebConfig {
    /// Cookies are marked Secure when users reach the site over TLS (behind a reverse proxy).
    pub fn secure_cookies(&self) -> bool {
        self.public_url.as_deref().is_some_and(|u| u.starts_with("https://"))
    }

    /// The absolute address of `path`, for links sent by e-mail or printed by the CLI.
    pub fn absolute_url(&self, path: &str) -> String {
        let base = self.public_url.clone().unwrap_or_else(|| format!("http://{}", self.addr));
        format!("{}{path}", base.trim_end_matches('/'))
    }
}

impl Default for WebConfig {
    fn default() -> Self {
        WebConfig {
            addr: SocketAddr::from(([127, 0, 0, 1], 8080)),
            public_url: None,
            organisation_name: "EGOC".to_owned(),
            refresh_interval: Duration::from_secs(5),
            mail_enabled: false,
        }
    }
}
