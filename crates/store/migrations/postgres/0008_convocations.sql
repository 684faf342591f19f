-- Convocations: each sending to a trainee (first sending or resending) is kept, with the message
-- it queued, as proof for Qualiopi indicator 9. Keep in step with
-- migrations/sqlite/0008_convocations.sql.
CREATE TABLE convocations (
    id BIGSERIAL PRIMARY KEY,
    registration_id BIGINT NOT NULL REFERENCES registrations (id),
    recipient TEXT NOT NULL,
    outbox_id BIGINT NOT NULL REFERENCES outbox (id),
    sent_at TIMESTAMPTZ NOT NULL,
    sent_by TEXT NOT NULL
);
CREATE INDEX convocations_registration ON convocations (registration_id, sent_at);
