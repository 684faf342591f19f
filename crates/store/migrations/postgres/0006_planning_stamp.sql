-- The public pages list sessions with their dates, places and seats. Every change to a session is
-- journaled, so the latest journal entry about sessions tells another node that its cached pages
-- are stale; this index answers that question without scanning the journal.
CREATE INDEX audit_events_entity_latest ON audit_events (entity, id);
