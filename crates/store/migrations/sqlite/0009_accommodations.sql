-- Accommodation requests (« demandes d'aménagement », situations de handicap). The need, in the
-- person's words, may reveal health details: it lives here, apart from registrations and
-- trainees, is read only by the back-office staff, and is never exported with registration lists.
-- What the trainer and the venue are told is a separate text (communicated_note), written
-- without health details. Keep in step with migrations/postgres/0009_accommodations.sql.
CREATE TABLE accommodation_requests (
    id INTEGER PRIMARY KEY,
    registration_id INTEGER NOT NULL UNIQUE REFERENCES registrations (id),
    need TEXT NOT NULL,
    -- Only forward: received → analysed → decided → communicated.
    status TEXT NOT NULL CHECK (status IN ('received', 'analysed', 'decided', 'communicated')),
    decision TEXT NOT NULL DEFAULT '',
    communicated_note TEXT NOT NULL DEFAULT '',
    -- When it was received.
    created_at TEXT NOT NULL,
    analysed_at TEXT,
    decided_at TEXT,
    communicated_at TEXT,
    CHECK (status = 'received' OR analysed_at IS NOT NULL),
    CHECK (status NOT IN ('decided', 'communicated') OR (decided_at IS NOT NULL AND decision <> '')),
    CHECK (status <> 'communicated' OR (communicated_at IS NOT NULL AND communicated_note <> ''))
);
CREATE INDEX accommodation_requests_status ON accommodation_requests (status, created_at);
