-- Catalogue: program sheets (the listing columns in `programs`, each version stored whole in
-- `program_versions`), categories, minimal sessions, and the append-only audit log. Keep in step with migrations/postgres/0001_catalogue.sql.

CREATE TABLE categories (
    id INTEGER PRIMARY KEY,
    slug TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL UNIQUE
);

CREATE TABLE programs (
    id INTEGER PRIMARY KEY,
    slug TEXT NOT NULL UNIQUE,
    title TEXT NOT NULL,
    sort_key TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('INTRA', 'INTER')),
    category_id INTEGER REFERENCES categories (id),
    status TEXT NOT NULL CHECK (status IN ('draft', 'published')),
    updated_on TEXT,
    current_version INTEGER NOT NULL,
    duration_days INTEGER,
    total_hours INTEGER,
    audience TEXT,
    created_at TEXT NOT NULL,
    modified_at TEXT NOT NULL
);
CREATE INDEX programs_listing ON programs (status, sort_key);
-- Covering index for the category counts and the filtered listing counts.
CREATE INDEX programs_filter ON programs (status, category_id, kind);

CREATE TABLE program_versions (
    program_id INTEGER NOT NULL REFERENCES programs (id),
    number INTEGER NOT NULL,
    body TEXT NOT NULL,
    -- The sheet as plain text, for search excerpts without decoding the body.
    search_text TEXT NOT NULL,
    created_at TEXT NOT NULL,
    created_by TEXT NOT NULL,
    PRIMARY KEY (program_id, number)
);

CREATE TABLE sessions (
    id INTEGER PRIMARY KEY,
    program_id INTEGER NOT NULL REFERENCES programs (id),
    kind TEXT NOT NULL CHECK (kind IN ('INTRA', 'INTER')),
    capacity INTEGER CHECK (capacity IS NULL OR capacity > 0),
    created_at TEXT NOT NULL
);
CREATE INDEX sessions_program ON sessions (program_id);

CREATE TABLE session_days (
    id INTEGER PRIMARY KEY,
    session_id INTEGER NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
    day_date TEXT NOT NULL,
    start_time TEXT NOT NULL,
    end_time TEXT NOT NULL,
    place TEXT NOT NULL,
    UNIQUE (session_id, day_date),
    CHECK (end_time > start_time)
);
CREATE INDEX session_days_date ON session_days (day_date);

CREATE TABLE audit_events (
    id INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    actor TEXT NOT NULL,
    entity TEXT NOT NULL,
    entity_id TEXT NOT NULL,
    action TEXT NOT NULL,
    before TEXT,
    after TEXT
);
CREATE INDEX audit_events_entity ON audit_events (entity, entity_id);

-- The audit log is append-only: no route or command may rewrite history.
CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events
BEGIN SELECT RAISE(ABORT, 'audit_events is append-only'); END;
CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events
BEGIN SELECT RAISE(ABORT, 'audit_events is append-only'); END;
