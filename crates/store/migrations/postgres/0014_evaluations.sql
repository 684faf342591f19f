-- Evaluations answered by trainees from their personal link (positioning, during, hot, cold):
-- one response per registration and kind, kept as a draft until sent, with the questionnaire as
-- it was answered (a later change of the template does not change what the answers mean).
-- Keep in step with migrations/sqlite/0014_evaluations.sql.

CREATE TABLE evaluation_responses (
    id BIGSERIAL PRIMARY KEY,
    registration_id BIGINT NOT NULL REFERENCES registrations (id),
    session_id BIGINT NOT NULL REFERENCES sessions (id),
    kind TEXT NOT NULL CHECK (kind IN ('positioning', 'ongoing', 'hot', 'cold')),
    questionnaire TEXT NOT NULL,
    answers TEXT NOT NULL,
    -- The overall satisfaction level (1 to 4) of a sent hot evaluation: the published rate.
    overall BIGINT CHECK (overall BETWEEN 1 AND 4),
    updated_at TIMESTAMPTZ NOT NULL,
    submitted_at TIMESTAMPTZ,
    UNIQUE (registration_id, kind)
);
CREATE INDEX evaluation_responses_session ON evaluation_responses (session_id, kind);
