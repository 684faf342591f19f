-- Attendance (émargement): every signature, status, closing and correction is an event appended
-- to a hash chain per session (never updated nor deleted); half-days carry their closing and
-- the chain head at that moment. Keep in step with migrations/sqlite/0012_attendance.sql.

CREATE TABLE attendance_half_days (
    id BIGSERIAL PRIMARY KEY,
    day_id BIGINT NOT NULL REFERENCES session_days (id) ON DELETE CASCADE,
    half_day TEXT NOT NULL CHECK (half_day IN ('morning', 'afternoon')),
    closed_at TIMESTAMPTZ,
    closed_by TEXT,
    -- The hash of the closing event: printed on the attendance sheet.
    chain_head TEXT,
    -- A scanned paper sheet, when the half-day was signed on paper.
    paper_scan BYTEA,
    paper_scan_type TEXT,
    UNIQUE (day_id, half_day)
);

CREATE TABLE attendance_events (
    id BIGSERIAL PRIMARY KEY,
    session_id BIGINT NOT NULL REFERENCES sessions (id),
    -- Position in the session's chain, from 1.
    seq BIGINT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('sign', 'mark', 'close', 'correct', 'upload')),
    day_id BIGINT NOT NULL REFERENCES session_days (id),
    day_date DATE NOT NULL,
    half_day TEXT NOT NULL CHECK (half_day IN ('morning', 'afternoon')),
    registration_id BIGINT REFERENCES registrations (id),
    trainer_id BIGINT REFERENCES trainers (id),
    status TEXT,
    arrival TIME,
    departure TIME,
    justification TEXT,
    -- The drawn signature as vector JSON; the chain covers its SHA-256.
    signature TEXT,
    signature_sha256 TEXT,
    method TEXT,
    ip TEXT,
    user_agent TEXT,
    actor TEXT,
    reason TEXT,
    recorded_at TIMESTAMPTZ NOT NULL,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL,
    UNIQUE (session_id, seq)
);
-- One signature per trainee and half-day.
CREATE UNIQUE INDEX attendance_one_signature ON attendance_events (registration_id, day_id, half_day) WHERE kind = 'sign';
CREATE INDEX attendance_events_day ON attendance_events (day_id, half_day);

-- Dropout prevention (Qualiopi 12): a missed half-day raises an alert, followed up in a log.
CREATE TABLE attendance_alerts (
    id BIGSERIAL PRIMARY KEY,
    registration_id BIGINT NOT NULL REFERENCES registrations (id),
    day_id BIGINT NOT NULL REFERENCES session_days (id),
    half_day TEXT NOT NULL CHECK (half_day IN ('morning', 'afternoon')),
    created_at TIMESTAMPTZ NOT NULL,
    resolved_at TIMESTAMPTZ,
    UNIQUE (registration_id, day_id, half_day)
);
CREATE TABLE attendance_followups (
    id BIGSERIAL PRIMARY KEY,
    alert_id BIGINT NOT NULL REFERENCES attendance_alerts (id),
    note TEXT NOT NULL,
    actor TEXT NOT NULL,
    at TIMESTAMPTZ NOT NULL
);

-- Secrets shared by every node (the key of the rotating presence codes), made on first use.
CREATE TABLE app_secrets (
    name TEXT PRIMARY KEY,
    value BYTEA NOT NULL
);
