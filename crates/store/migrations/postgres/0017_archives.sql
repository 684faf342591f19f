-- A session's certificates as one ZIP, prepared in the background so that the page can show its
-- progress: any node serves the progress and the file, whichever node lays the PDFs out. An
-- archive is kept a day, then deleted when the next one is asked for.
-- Keep in step with migrations/sqlite/0017_archives.sql.

CREATE TABLE archives (
    id BIGSERIAL PRIMARY KEY,
    session_id BIGINT NOT NULL REFERENCES sessions (id),
    requested_by TEXT NOT NULL,
    total BIGINT NOT NULL,
    done BIGINT NOT NULL DEFAULT 0,
    status TEXT NOT NULL CHECK (status IN ('running', 'ready', 'failed')),
    error TEXT,
    file BYTEA,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX archives_created ON archives (created_at);
