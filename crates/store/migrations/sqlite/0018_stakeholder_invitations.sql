-- The messages asking a session's client and trainers for their appreciation (Qualiopi 30): the
-- invitation when the session's last half-day starts (seq 1), then reminders 3 and 7 days later
-- while it is not sent (seq 2 and 3); once each whatever the number of nodes. A row stands for
-- every contact written to at that step (client accounts of the organisation, or the trainer).
-- Keep in step with migrations/postgres/0018_stakeholder_invitations.sql.

CREATE TABLE stakeholder_invitations (
    id INTEGER PRIMARY KEY,
    session_id INTEGER NOT NULL REFERENCES sessions (id),
    kind TEXT NOT NULL CHECK (kind IN ('client', 'trainer')),
    -- The client's id (kind client) or the trainer's (kind trainer).
    respondent_id INTEGER NOT NULL,
    seq INTEGER NOT NULL,
    recipients INTEGER NOT NULL,
    sent_at TEXT NOT NULL,
    UNIQUE (session_id, kind, respondent_id, seq)
);
