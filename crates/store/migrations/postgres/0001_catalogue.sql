-- Catalogue: program sheets (the listing columns in `programs`, each version stored whole in
-- `program_versions`), categories, minimal sessions, and the append-only audit log. Keep in step with migrations/sqlite/0001_catalogue.sql.

CREATE TABLE categories (
    id BIGSERIAL PRIMARY KEY,
    slug TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL UNIQUE
);

CREATE TABLE programs (
    id BIGSERIAL PRIMARY KEY,
    slug TEXT NOT NULL UNIQUE,
    title TEXT NOT NULL,
    sort_key TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('INTRA', 'INTER')),
    category_id BIGINT REFERENCES categories (id),
    status TEXT NOT NULL CHECK (status IN ('draft', 'published')),
    updated_on DATE,
    current_version BIGINT NOT NULL,
    duration_days BIGINT,
    total_hours BIGINT,
    audience TEXT,
    created_at TIMESTAMPTZ NOT NULL,
    modified_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX programs_listing ON programs (status, sort_key);
-- Covering index for the category counts and the filtered listing counts.
CREATE INDEX programs_filter ON programs (status, category_id, kind);

CREATE TABLE program_versions (
    program_id BIGINT NOT NULL REFERENCES programs (id),
    number BIGINT NOT NULL,
    body JSONB NOT NULL,
    -- The sheet as plain text, for search excerpts without decoding the body.
    search_text TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    created_by TEXT NOT NULL,
    PRIMARY KEY (program_id, number)
);

CREATE TABLE sessions (
    id BIGSERIAL PRIMARY KEY,
    program_id BIGINT NOT NULL REFERENCES programs (id),
    kind TEXT NOT NULL CHECK (kind IN ('INTRA', 'INTER')),
    capacity BIGINT CHECK (capacity IS NULL OR capacity > 0),
    created_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX sessions_program ON sessions (program_id);

CREATE TABLE session_days (
    id BIGSERIAL PRIMARY KEY,
    session_id BIGINT NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
    day_date DATE NOT NULL,
    start_time TIME NOT NULL,
    end_time TIME NOT NULL,
    place TEXT NOT NULL,
    UNIQUE (session_id, day_date),
    CHECK (end_time > start_time)
);
CREATE INDEX session_days_date ON session_days (day_date);

CREATE TABLE audit_events (
    id BIGSERIAL PRIMARY KEY,
    at TIMESTAMPTZ NOT NULL,
    actor TEXT NOT NULL,
    entity TEXT NOT NULL,
    entity_id TEXT NOT NULL,
    action TEXT NOT NULL,
    before JSONB,
    after JSONB
);
CREATE INDEX audit_events_entity ON audit_events (entity, entity_id);

-- The audit log is append-only: no route or command may rewrite history.
CREATE FUNCTION audit_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_events is append-only';
END;
$$;
CREATE TRIGGER audit_events_no_change BEFORE UPDATE OR DELETE ON audit_events
FOR EACH ROW EXECUTE FUNCTION audit_events_append_only();
