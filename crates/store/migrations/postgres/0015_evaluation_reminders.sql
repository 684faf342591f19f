-- Reminders to trainees who have not answered an evaluation (Qualiopi 30: « with reminders »):
-- the first and second of each registration and kind, once each whatever the number of nodes,
-- each with the link it carried (a 128-bit token kept as its hash, valid while the
-- questionnaire is open). Keep in step with migrations/sqlite/0015_evaluation_reminders.sql.

CREATE TABLE evaluation_reminders (
    id BIGSERIAL PRIMARY KEY,
    registration_id BIGINT NOT NULL REFERENCES registrations (id),
    kind TEXT NOT NULL CHECK (kind IN ('positioning', 'ongoing', 'hot', 'cold')),
    seq BIGINT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    expires_at TIMESTAMPTZ NOT NULL,
    sent_at TIMESTAMPTZ NOT NULL,
    UNIQUE (registration_id, kind, seq)
);
