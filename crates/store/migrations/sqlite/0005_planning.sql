-- Planning: training requests with their promised answer date, sessions built from a published
-- program version (modules, days, half-days, venue and room, trainers, audience and head-count
-- per day), conventions (agreements) and their avenants (amendments), secret calendar feeds.
-- Keep in step with migrations/postgres/0005_planning.sql.

-- INTRA: the one client the session is for (INTER sessions have none).
ALTER TABLE sessions ADD COLUMN client_id INTEGER REFERENCES clients (id);
-- The published program version the session was planned from (NULL for sessions planned
-- before versions were recorded).
ALTER TABLE sessions ADD COLUMN program_version INTEGER;
ALTER TABLE sessions ADD COLUMN status TEXT NOT NULL DEFAULT 'planned' CHECK (status IN ('planned', 'cancelled'));

CREATE TABLE session_modules (
    id INTEGER PRIMARY KEY,
    session_id INTEGER NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
    position INTEGER NOT NULL CHECK (position > 0),
    title TEXT NOT NULL,
    UNIQUE (session_id, position)
);

-- start_time/end_time stay the day's envelope (first start, last end) for lists; the half-days
-- are what attendance is signed against. A day without half-day columns is read from its
-- envelope (rows planned before half-days existed).
ALTER TABLE session_days ADD COLUMN module_id INTEGER REFERENCES session_modules (id) ON DELETE SET NULL;
ALTER TABLE session_days ADD COLUMN title TEXT NOT NULL DEFAULT '';
ALTER TABLE session_days ADD COLUMN morning_start TEXT;
ALTER TABLE session_days ADD COLUMN morning_end TEXT;
ALTER TABLE session_days ADD COLUMN afternoon_start TEXT;
ALTER TABLE session_days ADD COLUMN afternoon_end TEXT;
ALTER TABLE session_days ADD COLUMN venue_id INTEGER REFERENCES venues (id);
ALTER TABLE session_days ADD COLUMN room_id INTEGER REFERENCES rooms (id);
-- Job roles the day is for (« agents d'accueil et techniciens conseil »).
ALTER TABLE session_days ADD COLUMN audience TEXT NOT NULL DEFAULT '';
ALTER TABLE session_days ADD COLUMN headcount_min INTEGER;
ALTER TABLE session_days ADD COLUMN headcount_max INTEGER;
CREATE INDEX session_days_room ON session_days (room_id, day_date);

CREATE TABLE session_day_trainers (
    day_id INTEGER NOT NULL REFERENCES session_days (id) ON DELETE CASCADE,
    trainer_id INTEGER NOT NULL REFERENCES trainers (id),
    PRIMARY KEY (day_id, trainer_id)
);
CREATE INDEX session_day_trainers_trainer ON session_day_trainers (trainer_id);

CREATE TABLE requests (
    id INTEGER PRIMARY KEY,
    client_id INTEGER NOT NULL REFERENCES clients (id),
    program_id INTEGER NOT NULL REFERENCES programs (id),
    kind TEXT NOT NULL CHECK (kind IN ('INTRA', 'INTER')),
    -- INTER: seats asked for.
    seats INTEGER CHECK (seats IS NULL OR seats > 0),
    received_on TEXT NOT NULL,
    -- Received date + the sheet's access delay for this kind, fixed when the request is recorded.
    due_on TEXT NOT NULL,
    contact TEXT NOT NULL DEFAULT '',
    message TEXT NOT NULL DEFAULT '',
    answered_on TEXT,
    answer_channel TEXT CHECK (answer_channel IN ('email', 'phone', 'letter', 'meeting')),
    answer TEXT NOT NULL DEFAULT '',
    outcome TEXT CHECK (outcome IN ('accepted', 'declined', 'proposal')),
    session_id INTEGER REFERENCES sessions (id),
    created_at TEXT NOT NULL,
    CHECK (due_on >= received_on),
    CHECK ((answered_on IS NULL) = (answer_channel IS NULL))
);
CREATE INDEX requests_open ON requests (due_on) WHERE answered_on IS NULL;

CREATE TABLE agreements (
    id INTEGER PRIMARY KEY,
    -- « N° 26/19 »: sequence 26 in 2019.
    year INTEGER NOT NULL,
    sequence INTEGER NOT NULL CHECK (sequence > 0),
    session_id INTEGER NOT NULL REFERENCES sessions (id),
    client_id INTEGER NOT NULL REFERENCES clients (id),
    status TEXT NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'sent', 'signed', 'cancelled')),
    price_basis TEXT NOT NULL CHECK (price_basis IN ('per_group_day', 'per_trainee', 'flat')),
    unit_cents INTEGER NOT NULL CHECK (unit_cents >= 0),
    quantity INTEGER NOT NULL CHECK (quantity > 0),
    -- NULL: exempt from VAT (article 261-4-4° a du CGI); else the rate in basis points (2000 = 20 %).
    vat_rate_bp INTEGER CHECK (vat_rate_bp IS NULL OR vat_rate_bp BETWEEN 0 AND 10000),
    payment_terms TEXT NOT NULL,
    trainees TEXT NOT NULL DEFAULT '',
    -- The program version annexed: follows the latest published version until signature, then frozen.
    program_version INTEGER NOT NULL,
    issued_on TEXT NOT NULL,
    sent_on TEXT,
    signed_on TEXT,
    created_at TEXT NOT NULL,
    UNIQUE (year, sequence),
    UNIQUE (session_id, client_id),
    CHECK ((status = 'signed') = (signed_on IS NOT NULL))
);

CREATE TABLE amendments (
    id INTEGER PRIMARY KEY,
    agreement_id INTEGER NOT NULL REFERENCES agreements (id),
    number INTEGER NOT NULL CHECK (number > 0),
    kind TEXT NOT NULL CHECK (kind IN ('add_days', 'move_dates', 'change_price')),
    -- The typed change (domain::amendment::AmendmentChange), with what it replaces.
    change TEXT NOT NULL,
    reason TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'sent', 'signed', 'cancelled')),
    issued_on TEXT NOT NULL,
    sent_on TEXT,
    signed_on TEXT,
    created_at TEXT NOT NULL,
    UNIQUE (agreement_id, number),
    CHECK ((status = 'signed') = (signed_on IS NOT NULL))
);

-- Secret iCalendar feed addresses (the token is stored hashed; shown once when created).
CREATE TABLE calendar_feeds (
    id INTEGER PRIMARY KEY,
    scope TEXT NOT NULL CHECK (scope IN ('trainer', 'session', 'venue')),
    target_id INTEGER NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    revoked_at TEXT
);
CREATE INDEX calendar_feeds_target ON calendar_feeds (scope, target_id);
