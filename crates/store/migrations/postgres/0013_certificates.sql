-- Certificates (certificat de réalisation, attestations): each issued certificate keeps the
-- canonical content it states and its Ed25519 signature; the PDF is laid out again from that
-- content. Revoking or replacing one never deletes it, so its code still answers on
-- /verifier/{code}. Keep in step with migrations/sqlite/0013_certificates.sql.

CREATE TABLE certificates (
    id BIGSERIAL PRIMARY KEY,
    code TEXT NOT NULL UNIQUE,
    registration_id BIGINT NOT NULL REFERENCES registrations (id),
    session_id BIGINT NOT NULL REFERENCES sessions (id),
    kind TEXT NOT NULL CHECK (kind IN ('completion', 'attestation', 'attendance')),
    content TEXT NOT NULL,
    signature TEXT NOT NULL,
    issued_at TIMESTAMPTZ NOT NULL,
    issued_by TEXT NOT NULL,
    revoked_at TIMESTAMPTZ,
    revoked_by TEXT,
    revoked_reason TEXT,
    -- A replacement is recorded before its successor exists (the in-force index allows one
    -- certificate at a time), then points to it.
    replaced_at TIMESTAMPTZ,
    replaced_by BIGINT REFERENCES certificates (id),
    replaced_reason TEXT,
    CHECK ((revoked_at IS NULL) = (revoked_reason IS NULL)),
    CHECK ((replaced_at IS NULL) = (replaced_reason IS NULL))
);
-- One certificate in force per trainee and kind; the history stays beside it.
CREATE UNIQUE INDEX certificates_in_force ON certificates (registration_id, kind) WHERE revoked_at IS NULL AND replaced_at IS NULL;
CREATE INDEX certificates_session ON certificates (session_id);
