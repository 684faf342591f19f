-- Registrations: trainees (employer, job role, BPF trainee type), their registration to a session
-- for all its days or chosen ones, and the waiting list. Keep in step with
-- migrations/postgres/0007_registrations.sql.

CREATE TABLE trainees (
    id INTEGER PRIMARY KEY,
    first_name TEXT NOT NULL,
    last_name TEXT NOT NULL,
    -- Lower-cased; '' when unknown. One trainee per address: a second registration finds them.
    email TEXT NOT NULL DEFAULT '',
    client_id INTEGER REFERENCES clients (id),
    employer TEXT NOT NULL DEFAULT '',
    job_role TEXT NOT NULL DEFAULT '',
    bpf_type TEXT NOT NULL CHECK (bpf_type IN ('private_employee', 'apprentice', 'job_seeker', 'individual', 'other')),
    created_at TEXT NOT NULL
);
CREATE UNIQUE INDEX trainees_email ON trainees (email) WHERE email <> '';

CREATE TABLE registrations (
    id INTEGER PRIMARY KEY,
    session_id INTEGER NOT NULL REFERENCES sessions (id),
    trainee_id INTEGER NOT NULL REFERENCES trainees (id),
    status TEXT NOT NULL CHECK (status IN ('pending', 'confirmed', 'waitlisted', 'offered', 'cancelled', 'expired')),
    -- TRUE: every day of the session, days added later included; FALSE: the rows of registration_days.
    all_days BOOLEAN NOT NULL,
    -- Order on the waiting list (arrival order unless changed with a reason); kept once offered.
    waitlist_position INTEGER,
    offer_expires_at TEXT,
    -- A form's one-time key: submitting the same form twice registers once.
    idempotency_key TEXT UNIQUE,
    -- back-office, client or public
    origin TEXT NOT NULL CHECK (origin IN ('back_office', 'client', 'public')),
    created_at TEXT NOT NULL,
    created_by TEXT NOT NULL,
    cancelled_at TEXT,
    cancel_reason TEXT NOT NULL DEFAULT '',
    -- The trainee's personal link for this registration (SHA-256 of a 128-bit token).
    link_hash TEXT UNIQUE,
    link_expires_at TEXT,
    CHECK ((status IN ('waitlisted', 'offered')) <= (waitlist_position IS NOT NULL)),
    CHECK ((status = 'offered') = (offer_expires_at IS NOT NULL))
);
-- A person is registered once per session (a cancelled registration does not count).
CREATE UNIQUE INDEX registrations_once ON registrations (session_id, trainee_id) WHERE status NOT IN ('cancelled', 'expired');
CREATE INDEX registrations_session ON registrations (session_id, status);
CREATE INDEX registrations_offers ON registrations (offer_expires_at) WHERE status = 'offered';

CREATE TABLE registration_days (
    registration_id INTEGER NOT NULL REFERENCES registrations (id) ON DELETE CASCADE,
    day_id INTEGER NOT NULL REFERENCES session_days (id) ON DELETE CASCADE,
    PRIMARY KEY (registration_id, day_id)
);
CREATE INDEX registration_days_day ON registration_days (day_id);

-- The decision taken on a session below (or at) its minimum head-count: the date it was
-- confirmed to run (NULL: not confirmed yet; a cancellation is the session's status).
ALTER TABLE sessions ADD COLUMN confirmed_on TEXT;
