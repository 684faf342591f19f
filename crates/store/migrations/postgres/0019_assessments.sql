-- The assessment of what each trainee learnt, set by the trainer at the end: per objective
-- acquired, being acquired or not acquired, and a remark (JSON `assessment::Assessment`). The
-- attestation de fin de formation prints it. A trainee left unassessed has no row.
-- Keep in step with migrations/sqlite/0019_assessments.sql.

CREATE TABLE assessments (
    registration_id BIGINT PRIMARY KEY REFERENCES registrations (id),
    session_id BIGINT NOT NULL REFERENCES sessions (id),
    body TEXT NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    updated_by TEXT NOT NULL
);

CREATE INDEX assessments_session ON assessments (session_id);
