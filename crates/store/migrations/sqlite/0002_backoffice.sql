-- Back-office: client organisations, accounts and their sessions, personal links, login
-- throttling, API tokens, the organisation's settings, sheet drafts, and the mail outbox.
-- Keep in step with migrations/postgres/0002_backoffice.sql.

CREATE TABLE clients (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL
);

CREATE TABLE users (
    id INTEGER PRIMARY KEY,
    -- Lower-cased: one account per address.
    email TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('admin', 'gestionnaire', 'formateur', 'client', 'stagiaire')),
    client_id INTEGER REFERENCES clients (id),
    -- PHC string (argon2id); NULL until the person sets a password (trainees never do).
    password_hash TEXT,
    active BOOLEAN NOT NULL DEFAULT TRUE,
    created_at TEXT NOT NULL,
    -- Sessions opened before a password change are refused.
    credentials_changed_at TEXT NOT NULL,
    CHECK ((role = 'client') = (client_id IS NOT NULL))
);

CREATE TABLE user_sessions (
    token_hash TEXT PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users (id),
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL
);
CREATE INDEX user_sessions_expiry ON user_sessions (expires_at);
CREATE INDEX user_sessions_user ON user_sessions (user_id);

CREATE TABLE personal_links (
    token_hash TEXT PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users (id),
    purpose TEXT NOT NULL CHECK (purpose IN ('set_password', 'reset_password', 'trainee_access')),
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    used_at TEXT,
    revoked_at TEXT
);
CREATE INDEX personal_links_user ON personal_links (user_id);

CREATE TABLE login_failures (
    id INTEGER PRIMARY KEY,
    email TEXT NOT NULL,
    address TEXT NOT NULL,
    at TEXT NOT NULL
);
CREATE INDEX login_failures_email ON login_failures (email, at);
CREATE INDEX login_failures_address ON login_failures (address, at);

CREATE TABLE api_tokens (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    -- Space-separated scopes (`programs:write`).
    scopes TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL,
    last_used_at TEXT,
    revoked_at TEXT
);

-- The training organisation itself: one row.
CREATE TABLE organisation (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    body TEXT NOT NULL,
    logo BLOB,
    logo_type TEXT,
    modified_at TEXT NOT NULL
);

-- The editor's pending sheet (JSON), saved but not yet published.
ALTER TABLE programs ADD COLUMN draft TEXT;
ALTER TABLE programs ADD COLUMN draft_modified_at TEXT;

CREATE TABLE outbox (
    id INTEGER PRIMARY KEY,
    recipient TEXT NOT NULL,
    subject TEXT NOT NULL,
    text_body TEXT NOT NULL,
    html_body TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('pending', 'sending', 'sent', 'dead')),
    attempts INTEGER NOT NULL DEFAULT 0,
    -- When a pending message is due; for a message being sent, when its claim lapses.
    next_attempt_at TEXT NOT NULL,
    last_error TEXT,
    created_at TEXT NOT NULL,
    sent_at TEXT
);
CREATE INDEX outbox_due ON outbox (status, next_attempt_at);
