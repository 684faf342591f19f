-- Reminders to trainees who have not answered an evaluation (Qualiopi 30: « with reminders »):
-- the first and second of each registration and kind, once each whatever the number of nodes,
-- each with the link it carried (a 128-bit token kept as its hash, valid while the
-- questionnaire is open). Keep in step with migrations/postgres/0015_evaluation_reminders.sql.

CREATE TABLE evaluation_reminders (
    id INTEGER PRIMARY KEY,
    registration_id INTEGER NOT NULL REFERENCES registrations (id),
    kind TEXT NOT NULL CHECK (kind IN ('positioning', 'ongoing', 'hot', 'cold')),
    seq INTEGER NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    expires_at TEXT NOT NULL,
    sent_at TEXT NOT NULL,
    UNIQUE (registration_id, kind, seq)
);
