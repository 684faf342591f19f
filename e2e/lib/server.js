// Helpers of the Forma browser suite: the real server, the browser, and
// the accessibility check (axe-core).
import { spawn, execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, mkdirSync, existsSync, openSync, closeSync, readFileSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join, dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import { chromium } from 'playwright-core';

const require = createRequire(import.meta.url);
const HERE = dirname(fileURLToPath(import.meta.url));
export const E2E_DIR = resolve(HERE, '..');
export const RESULTS_DIR = join(E2E_DIR, 'test-results');
const AXE_PATH = require.resolve('axe-core/axe.min.js');

export const FORMA_BIN = resolve(E2E_DIR, process.env.FORMA_BIN || '../target/debug/forma');
export const CHROMIUM_BIN = process.env.CHROMIUM_BIN || '/usr/bin/chromium';
const START_TIMEOUT_MS = Number(process.env.FORMA_START_TIMEOUT_MS) || 60_000;
const READY_RE = /^Forma écoute sur (http:\/\/127\.0\.0\.1:\d+)\s*$/;
// With --demo, on a fresh database, the server prints the back-office login
// after the ready line: « Démonstration — gestion : URL », « Identifiant : … »,
// « Mot de passe : … ».
const LOGIN_URL_RE = /^Démonstration\s*[—–-]\s*gestion\s*:\s*(\S+)\s*$/;
const LOGIN_EMAIL_RE = /^Identifiant\s*:\s*(\S+)\s*$/;
const LOGIN_PASSWORD_RE = /^Mot de passe\s*:\s*(\S+)\s*$/;
const LOGIN_TIMEOUT_MS = Number(process.env.FORMA_LOGIN_TIMEOUT_MS) || 5_000;

// sh -c GUARD forma ARGS…: runs forma (stdin /dev/null), forwards SIGTERM to
// it, waits for it, removes the temp dir and exits with forma's status. A
// watcher ends forma as soon as the guard's stdin closes, i.e. when this Node
// process is gone, however it died.
const GUARD = `
exec 3<&0
"$0" "$@" </dev/null &
pid=$!
( trap '' TERM; read -r _ <&3; kill -TERM "$pid"; sleep 10; kill -KILL "$pid" ) >/dev/null 2>&1 &
guard=$!
exec 3<&-
trap 'kill -TERM "$pid" 2>/dev/null' TERM INT HUP
wait "$pid"; st=$?
while kill -0 "$pid" 2>/dev/null; do wait "$pid"; st=$?; done
kill -KILL "$guard" 2>/dev/null
case "$FORMA_E2E_TMP" in */forma-e2e-*) rm -rf -- "$FORMA_E2E_TMP" ;; esac
exit "$st"
`;

const liveServers = new Set();
function killLiveServers() { for (const kill of liveServers) kill(); liveServers.clear(); }
process.once('exit', killLiveServers);
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.once(sig, () => { killLiveServers(); process.exit(128 + (sig === 'SIGINT' ? 2 : sig === 'SIGTERM' ? 15 : 1)); });
}

/**
 * Starts `$FORMA_BIN serve --demo` on a fresh SQLite database in a temp dir,
 * on a port chosen by the OS. With `{ demo: false, setup: [[…args], …] }` the base
 * holds only what those `forma` commands put there (their stdouts: `server.prepared`). Resolves to { url, stop(), stderr(), login } once the
 * server has printed « Forma écoute sur http://127.0.0.1:PORT ».
 *
 * `login` is the demo back-office account printed after that line
 * ({ email, password, url } from « Identifiant : … », « Mot de passe : … » and
 * « Démonstration — gestion : URL »), or null when the server printed none
 * within FORMA_LOGIN_TIMEOUT_MS (5 s) of the ready line.
 *
 * With `{ smtp: true }` (or `{ smtp: { mailFrom } }`) a real SMTP server is started first
 * (see startSmtp) and forma is given `--smtp-url` (and `--mail-from`), so its mail worker
 * delivers the outbox there: `server.smtp` is { url, port, maildir, stop() }, read the
 * messages with mailsTo(server, address). stop() stops both. Without it `server.smtp` is
 * null and forma runs without SMTP (its messages stay in the outbox).
 */
export async function startServer({ demo = true, setup = [], smtp = false } = {}) {
  if (!existsSync(FORMA_BIN)) {
    throw new Error(`Forma binary not found: ${FORMA_BIN} (set FORMA_BIN)`);
  }
  const mail = smtp ? await startSmtp() : null;
  try {
    const server = await startForma({ demo, setup, mail, mailFrom: smtp && smtp.mailFrom });
    if (!mail) return { ...server, smtp: null };
    return {
      ...server,
      smtp: mail,
      async stop() {
        try { await server.stop(); } finally { await mail.stop(); }
      },
    };
  } catch (e) {
    await mail?.stop();
    throw e;
  }
}

async function startForma({ demo, setup, mail, mailFrom }) {
  const dir = mkdtempSync(join(tmpdir(), 'forma-e2e-'));
  const db = `sqlite://${join(dir, 'forma.db')}`;
  // Commands run on the fresh base before it is served (`forma import …`, `forma user add …`),
  // as an administrator would on a new installation; their outputs are returned.
  const prepared = setup.map((command) => execFileSync(FORMA_BIN, [...command, '--db', db], {
    cwd: dir, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'],
  }));
  const args = ['serve', ...(demo ? ['--demo'] : []), '--db', db, '--addr', '127.0.0.1:0',
    ...(mail ? ['--smtp-url', mail.url] : []), ...(mailFrom ? ['--mail-from', mailFrom] : [])];
  // The server runs under a tiny sh guard, leader of its own process group:
  // stop() signals the whole group, and should this process die abruptly
  // (even by SIGKILL) the guard sees its stdin close and ends the server.
  const child = spawn('/bin/sh', ['-c', GUARD, FORMA_BIN, ...args], {
    cwd: dir,
    detached: true,
    stdio: ['pipe', 'pipe', 'pipe'],
    env: { ...withoutMailEnv(process.env), NO_COLOR: '1', FORMA_E2E_TMP: dir },
  });
  const signalGroup = (sig) => {
    try { process.kill(-child.pid, sig); } catch { /* already gone */ }
  };

  let stdout = '';
  let stderr = '';
  let exited = null;
  const login = { url: null, email: null, password: null };
  let onLoginLine = () => {};
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (d) => { stderr += d; });
  child.stdout.setEncoding('utf8');

  const exitPromise = new Promise((res) => {
    child.on('exit', (code, signal) => { exited = { code, signal }; res(exited); });
  });

  const cleanup = () => {
    try { child.stdin.destroy(); } catch { /* ignore */ }
    try { rmSync(dir, { recursive: true, force: true }); } catch { /* ignore */ }
  };

  const url = await new Promise((res, rej) => {
    let done = false;
    const finish = (err, value) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      if (err) rej(err); else res(value);
    };
    let buf = '';
    let ready = false;
    child.stdout.on('data', (d) => {
      stdout += d;
      buf += d;
      let nl;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl).replace(/\r$/, '');
        buf = buf.slice(nl + 1);
        if (!ready) {
          const m = READY_RE.exec(line);
          if (m) { ready = true; finish(null, m[1]); }
          continue;
        }
        let m;
        if ((m = LOGIN_URL_RE.exec(line))) login.url = m[1];
        else if ((m = LOGIN_EMAIL_RE.exec(line))) login.email = m[1];
        else if ((m = LOGIN_PASSWORD_RE.exec(line))) login.password = m[1];
        else continue;
        onLoginLine();
      }
      // Once the login is known, nothing more to parse.
      if (ready && login.email && login.password) buf = '';
    });
    child.on('error', (e) => finish(new Error(`cannot start ${FORMA_BIN}: ${e.message}`)));
    exitPromise.then(({ code, signal }) => finish(new Error(
      `Forma exited before listening (code ${code}, signal ${signal}).\n` +
      `command: ${FORMA_BIN} ${args.join(' ')}\n` +
      `--- stdout ---\n${stdout}\n--- stderr ---\n${stderr}`)));
    const timer = setTimeout(() => finish(new Error(
      `Forma did not print « Forma écoute sur http://127.0.0.1:PORT » within ` +
      `${START_TIMEOUT_MS / 1000} s.\ncommand: ${FORMA_BIN} ${args.join(' ')}\n` +
      `--- stdout ---\n${stdout}\n--- stderr ---\n${stderr}`)), START_TIMEOUT_MS);
  }).catch(async (e) => {
    signalGroup('SIGKILL');
    if (!exited) await exitPromise;
    cleanup();
    throw e;
  });

  // Keep draining stdout so the server never blocks on a full pipe.
  child.stdout.resume();

  // The demo login, printed right after the ready line (if at all).
  const haveLogin = () => Boolean(login.email && login.password);
  if (demo && !haveLogin()) {
    await new Promise((res) => {
      const t = setTimeout(res, LOGIN_TIMEOUT_MS);
      onLoginLine = () => { if (haveLogin()) { clearTimeout(t); res(); } };
      exitPromise.then(() => { clearTimeout(t); res(); });
    });
    onLoginLine = () => {};
  }
  // Never leave the server behind, even if the test process ends abruptly.
  const killOnExit = () => { signalGroup('SIGKILL'); cleanup(); };
  liveServers.add(killOnExit);

  let stopped = false;
  async function stop() {
    if (stopped) return;
    stopped = true;
    liveServers.delete(killOnExit);
    // SIGTERM to the guard, which forwards it to forma and waits for it.
    if (!exited) child.kill('SIGTERM');
    const t = setTimeout(() => signalGroup('SIGKILL'), 5_000);
    if (!exited) await exitPromise;
    clearTimeout(t);
    signalGroup('SIGKILL'); // whatever may be left in the group
    cleanup();
  }

  return {
    url, dir, stop, stderr: () => stderr, stdout: () => stdout, prepared,
    login: haveLogin() ? { ...login } : null,
  };
}

/** The environment without FORMA_SMTP_URL / FORMA_MAIL_FROM: a test mails only where it says. */
function withoutMailEnv(env) {
  const { FORMA_SMTP_URL: _url, FORMA_MAIL_FROM: _from, ...rest } = env;
  return rest;
}

/** A TCP port nothing listens on: bound by the OS, then released. */
async function freePort() {
  return new Promise((res, rej) => {
    const srv = createServer();
    srv.once('error', rej);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => res(port));
    });
  });
}

/**
 * The greeting of what listens on `port` (its first line), or null when nothing answers
 * within 1 s: aiosmtpd says « 220 HOST Python SMTP 1.4.6 ».
 */
function greeting(port) {
  return new Promise((res) => {
    let data = '';
    const socket = connect({ host: '127.0.0.1', port });
    const done = (value) => { clearTimeout(timer); socket.destroy(); res(value); };
    const timer = setTimeout(() => done(null), 1_000);
    socket.setEncoding('utf8');
    socket.on('data', (d) => {
      data += d;
      const nl = data.indexOf('\n');
      if (nl >= 0) done(data.slice(0, nl).trim());
    });
    socket.once('error', () => done(null));
    socket.once('close', () => done(null));
  });
}

const SMTP_INSTALL = 'python3 -m pip install aiosmtpd==1.4.6';
const SMTP_START_TIMEOUT_MS = 15_000;

/**
 * A real SMTP server, as crates/mail/src/testing.rs runs one: Python's aiosmtpd
 * (`python3 -m aiosmtpd -n -l 127.0.0.1:PORT -c aiosmtpd.handlers.Mailbox MAILDIR`) on a free
 * port, storing every message in a maildir of its own temp dir. It runs under the same guard
 * as forma: stop() ends it and removes the dir, and it ends on its own if this process dies.
 * Resolves to { url: 'smtp://127.0.0.1:PORT', port, maildir, stop(), stderr() } once it accepts
 * connections. startServer({ smtp: true }) starts one for its forma.
 */
export async function startSmtp() {
  const probe = await run('python3', ['-c', 'import aiosmtpd']).catch((e) => e);
  if (probe instanceof Error) {
    throw new Error(`aiosmtpd is missing (the mail journeys deliver to a real SMTP server); install it with \`${SMTP_INSTALL}\`\n${probe.message}`);
  }
  let lastError;
  // The port is free when chosen, but may be taken before aiosmtpd binds it: try again.
  for (let attempt = 0; attempt < 3; attempt += 1) {
    try {
      return await startSmtpOnce(await freePort());
    } catch (e) {
      lastError = e;
    }
  }
  throw lastError;
}

async function startSmtpOnce(port) {
  const dir = mkdtempSync(join(tmpdir(), 'forma-e2e-smtp-'));
  const maildir = join(dir, 'maildir');
  const args = ['-m', 'aiosmtpd', '-n', '-l', `127.0.0.1:${port}`, '-c', 'aiosmtpd.handlers.Mailbox', maildir];
  // stderr goes to a file of the temp dir, not to a pipe: python dies *from* SIGTERM, and sh
  // reports it on stderr; were that a pipe to a test process already gone, SIGPIPE would end
  // the guard before it removes the dir.
  const log = join(dir, 'aiosmtpd.log');
  const logFd = openSync(log, 'w');
  let child;
  try {
    child = spawn('/bin/sh', ['-c', GUARD, 'python3', ...args], {
      cwd: dir,
      detached: true,
      stdio: ['pipe', 'ignore', logFd],
      env: { ...process.env, FORMA_E2E_TMP: dir, PYTHONUNBUFFERED: '1' },
    });
  } finally {
    closeSync(logFd);
  }
  const stderr = () => { try { return readFileSync(log, 'utf8'); } catch { return ''; } };
  let exited = null;
  const exitPromise = new Promise((res) => {
    child.on('exit', (code, signal) => { exited = { code, signal }; res(exited); });
  });
  const signalGroup = (sig) => {
    try { process.kill(-child.pid, sig); } catch { /* already gone */ }
  };
  const cleanup = () => {
    try { child.stdin.destroy(); } catch { /* ignore */ }
    try { rmSync(dir, { recursive: true, force: true }); } catch { /* ignore */ }
  };
  const killOnExit = () => { signalGroup('SIGKILL'); cleanup(); };
  liveServers.add(killOnExit);

  let stopped = false;
  async function stop() {
    if (stopped) return;
    stopped = true;
    liveServers.delete(killOnExit);
    if (!exited) child.kill('SIGTERM');
    const t = setTimeout(() => signalGroup('SIGKILL'), 5_000);
    if (!exited) await exitPromise;
    clearTimeout(t);
    signalGroup('SIGKILL');
    cleanup();
  }

  const deadline = Date.now() + SMTP_START_TIMEOUT_MS;
  for (;;) {
    if (exited) {
      const err = stderr();
      await stop();
      throw new Error(`aiosmtpd exited (code ${exited.code}, signal ${exited.signal}) before listening on ${port}:\n${err}\nIs it installed? \`${SMTP_INSTALL}\``);
    }
    // Our aiosmtpd, not whatever else may have taken the port since it was chosen.
    const hello = await greeting(port);
    if (hello && /^220 .*Python SMTP/.test(hello) && !exited) break;
    if (hello) {
      await stop();
      throw new Error(`port ${port} answers « ${hello} », not aiosmtpd:\n${stderr()}`);
    }
    if (Date.now() > deadline) {
      const err = stderr();
      await stop();
      throw new Error(`aiosmtpd did not listen on port ${port} within ${SMTP_START_TIMEOUT_MS / 1000} s:\n${err}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return { url: `smtp://127.0.0.1:${port}`, port, maildir, dir, stop, stderr };
}

function run(file, args) {
  return new Promise((res, rej) => {
    execFile(file, args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (err) { err.message += `\n${stderr}`; rej(err); } else res(stdout);
    });
  });
}

// Reads every message of the maildir with Python's own `email` parser (as READ_MAILDIR in
// crates/mail/src/testing.rs), so that checks do not trust anything the sender wrote; JSON out.
const READ_MAILDIR = `
import email, email.policy, json, mailbox, sys
box = mailbox.Maildir(sys.argv[1], factory=None, create=False)
out = []
for key in sorted(box.keys()):
    msg = email.message_from_bytes(box.get_bytes(key), policy=email.policy.default)
    plain, html = msg.get_body(("plain",)), msg.get_body(("html",))
    out.append({
        "to": str(msg["To"] or ""), "rcpt": str(msg["X-RcptTo"] or ""), "from": str(msg["From"] or ""),
        "subject": str(msg["Subject"] or ""), "contentType": msg.get_content_type(),
        "plain": plain.get_content() if plain is not None else "",
        "html": html.get_content() if html is not None else "",
    })
json.dump(out, sys.stdout)
`;

/** Every message the SMTP server of `server` (or the server returned by startSmtp) has received. */
export async function readMaildir(server) {
  const smtp = server.smtp === undefined ? server : server.smtp;
  if (!smtp?.maildir) throw new Error('no SMTP server: start it with startServer({ smtp: true })');
  if (!existsSync(join(smtp.maildir, 'new'))) return [];
  return JSON.parse(await run('python3', ['-c', READ_MAILDIR, smtp.maildir]));
}

/**
 * Waits until the SMTP server of `server` has received at least one message for `address`
 * (its To header or SMTP recipient, case-insensitive), whose subject contains `subject` (a
 * string) or matches it (a RegExp) when given. Polls the maildir every 100 ms for up to
 * `timeoutMs` (10 s), then throws listing what was received. Resolves to the matching
 * messages, oldest first: [{ to, from, subject, contentType, plain, html }, …].
 */
export async function mailsTo(server, address, { subject, timeoutMs = 10_000 } = {}) {
  const wanted = address.toLowerCase();
  const subjectMatches = (s) => subject === undefined
    || (subject instanceof RegExp ? subject.test(s) : s.includes(subject));
  const deadline = Date.now() + timeoutMs;
  let all = [];
  for (;;) {
    all = await readMaildir(server);
    const found = all
      .filter((m) => `${m.to} ${m.rcpt}`.toLowerCase().includes(wanted) && subjectMatches(m.subject))
      .map(({ rcpt: _rcpt, ...m }) => m);
    if (found.length > 0) return found;
    if (Date.now() > deadline) {
      const seen = all.map((m) => `  - to ${m.to}: « ${m.subject} »`).join('\n') || '  (none)';
      throw new Error(`no message to ${address}${subject === undefined ? '' : ` with subject ${subject}`} ` +
        `within ${timeoutMs / 1000} s; received:\n${seen}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

export const CHROMIUM_ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];

/** Launches Debian's Chromium through playwright-core (never a downloaded browser). */
export async function launchBrowser() {
  return chromium.launch({
    executablePath: CHROMIUM_BIN,
    headless: true,
    args: CHROMIUM_ARGS,
  });
}

/** Desktop and phone contexts. bypassCSP lets axe-core be injected despite `script-src 'self'`. */
export const DESKTOP = { viewport: { width: 1280, height: 800 } };
export const PHONE = {
  viewport: { width: 390, height: 844 },
  deviceScaleFactor: 3,
  isMobile: true,
  hasTouch: true,
  userAgent:
    'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 ' +
    '(KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1',
};

export async function newContext(browser, baseURL, options = {}) {
  return browser.newContext({ baseURL, bypassCSP: true, locale: 'fr-FR', ...options });
}

export const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];

/** Formats axe violations, one line per offending node. */
export function formatViolations(violations) {
  const lines = [];
  for (const v of violations) {
    lines.push(`- [${v.impact ?? 'n/a'}] ${v.id}: ${v.help} (${v.helpUrl})`);
    for (const n of v.nodes) {
      const target = n.target.map((t) => (Array.isArray(t) ? t.join(' >> ') : t)).join(' | ');
      lines.push(`    target: ${target}`);
      if (n.failureSummary) {
        lines.push(`      ${n.failureSummary.replace(/\n\s*/g, ' / ')}`);
      }
    }
  }
  return lines.join('\n');
}

/**
 * Saves a full-page screenshot to test-results/<name>.png, injects axe-core
 * and runs the WCAG 2.0/2.1 A+AA rules; throws listing every violation.
 * Returns the axe results.
 */
export async function checkA11y(page, name) {
  mkdirSync(RESULTS_DIR, { recursive: true });
  const safe = name.replace(/[^A-Za-z0-9._-]+/g, '-');
  await page.screenshot({ path: join(RESULTS_DIR, `${safe}.png`), fullPage: true });
  const hasAxe = await page.evaluate(() => typeof window.axe !== 'undefined');
  if (!hasAxe) await page.addScriptTag({ path: AXE_PATH });
  const results = await page.evaluate(async (values) => {
    // eslint-disable-next-line no-undef
    const r = await axe.run(document, { runOnly: { type: 'tag', values } });
    return {
      violations: r.violations.map((v) => ({
        id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
        nodes: v.nodes.map((n) => ({ target: n.target, failureSummary: n.failureSummary })),
      })),
      passes: r.passes.length,
      incomplete: r.incomplete.length,
    };
  }, AXE_TAGS);
  if (results.violations.length > 0) {
    const count = results.violations.reduce((s, v) => s + v.nodes.length, 0);
    throw new Error(
      `axe: ${results.violations.length} rule(s) violated (${count} node(s)) on « ${name} » ` +
      `(${page.url()}):\n${formatViolations(results.violations)}`);
  }
  return results;
}

/** For text comparisons: lower-case, typographic apostrophes as ', every run of spaces (incl. no-break) as one. */
export function norm(s) {
  return String(s ?? '')
    .replace(/[\u2018\u2019\u02BC\u2032`´]/g, "'")
    .replace(/[\u00A0\u202F\s]+/g, ' ')
    .trim()
    .toLocaleLowerCase('fr');
}
