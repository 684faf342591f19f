-- Convocations: each sending to a trainee (first sending or resending) is kept, with the message
-- it queued, as proof for Qualiopi indicator 9. Keep in step with
-- migrations/postgres/0008_convocations.sql.
CREATE TABLE convocations (
    id INTEGER PRIMARY KEY,
    registration_id INTEGER NOT NULL REFERENCES registrations (id),
    recipient TEXT NOT NULL,
    outbox_id INTEGER NOT NULL REFERENCES outbox (id),
    sent_at TEXT NOT NULL,
    sent_by TEXT NOT NULL
);
CREATE INDEX convocations_registration ON convocations (registration_id, sent_at);
