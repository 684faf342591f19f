-- Questionnaires written in the builder, one per program and kind; a kind without one uses the
-- built-in model. A response keeps the questionnaire it answered, so a later edit changes only
-- the answers to come.
-- The client's and the trainer's appreciation of a session (Qualiopi 30: every stakeholder):
-- one response per session, kind and respondent (the client organisation, or the trainer),
-- kept as a draft until sent.
-- Keep in step with migrations/sqlite/0016_questionnaires.sql.

CREATE TABLE questionnaires (
    program_id BIGINT NOT NULL REFERENCES programs (id),
    kind TEXT NOT NULL CHECK (kind IN ('positioning', 'ongoing', 'hot', 'cold', 'client', 'trainer')),
    body TEXT NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    updated_by TEXT NOT NULL,
    PRIMARY KEY (program_id, kind)
);

CREATE TABLE stakeholder_responses (
    id BIGSERIAL PRIMARY KEY,
    session_id BIGINT NOT NULL REFERENCES sessions (id),
    kind TEXT NOT NULL CHECK (kind IN ('client', 'trainer')),
    -- The client's id (kind client) or the trainer's (kind trainer).
    respondent_id BIGINT NOT NULL,
    -- Who wrote it: the signed-in person's e-mail.
    answered_by TEXT NOT NULL,
    questionnaire TEXT NOT NULL,
    answers TEXT NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    submitted_at TIMESTAMPTZ,
    UNIQUE (session_id, kind, respondent_id)
);
