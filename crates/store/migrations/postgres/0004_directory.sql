-- The directory planning draws on: clients with their sites and contacts, venues and rooms,
-- training providers and trainers with their documents and declared unavailabilities.
-- Keep in step with migrations/sqlite/0004_directory.sql.

ALTER TABLE clients ADD COLUMN address TEXT NOT NULL DEFAULT '';
ALTER TABLE clients ADD COLUMN siret TEXT;
-- Who signs for the client: « Mme Dupont, directrice ».
ALTER TABLE clients ADD COLUMN representative TEXT;
ALTER TABLE clients ADD COLUMN email TEXT;
ALTER TABLE clients ADD COLUMN phone TEXT;

CREATE TABLE client_sites (
    id BIGSERIAL PRIMARY KEY,
    client_id BIGINT NOT NULL REFERENCES clients (id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    address TEXT NOT NULL DEFAULT '',
    UNIQUE (client_id, name)
);

CREATE TABLE client_contacts (
    id BIGSERIAL PRIMARY KEY,
    client_id BIGINT NOT NULL REFERENCES clients (id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    job_title TEXT NOT NULL DEFAULT '',
    email TEXT,
    phone TEXT,
    created_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX client_contacts_client ON client_contacts (client_id);

CREATE TABLE venues (
    id BIGSERIAL PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    address TEXT NOT NULL DEFAULT '',
    city TEXT NOT NULL,
    -- A venue on a client's premises (a CAF site) rather than the organisation's own.
    client_site_id BIGINT REFERENCES client_sites (id) ON DELETE SET NULL,
    -- Access for people with disabilities, parking, transport: shown on convocations.
    accessibility TEXT NOT NULL DEFAULT '',
    created_at TIMESTAMPTZ NOT NULL
);

CREATE TABLE rooms (
    id BIGSERIAL PRIMARY KEY,
    venue_id BIGINT NOT NULL REFERENCES venues (id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    capacity BIGINT NOT NULL CHECK (capacity > 0),
    accessible BOOLEAN NOT NULL DEFAULT TRUE,
    UNIQUE (venue_id, name)
);

-- A provider supplies external trainers (subcontracting: BPF and Qualiopi indicator 27).
CREATE TABLE providers (
    id BIGSERIAL PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    siret TEXT,
    address TEXT NOT NULL DEFAULT '',
    email TEXT,
    phone TEXT,
    created_at TIMESTAMPTZ NOT NULL
);

CREATE TABLE trainers (
    id BIGSERIAL PRIMARY KEY,
    name TEXT NOT NULL,
    email TEXT,
    phone TEXT,
    -- NULL: an internal trainer of the organisation.
    provider_id BIGINT REFERENCES providers (id),
    -- The trainer's account (role formateur), when they have one.
    user_id BIGINT UNIQUE REFERENCES users (id),
    qualifications TEXT NOT NULL DEFAULT '',
    active BOOLEAN NOT NULL DEFAULT TRUE,
    created_at TIMESTAMPTZ NOT NULL
);

CREATE TABLE trainer_documents (
    id BIGSERIAL PRIMARY KEY,
    trainer_id BIGINT NOT NULL REFERENCES trainers (id) ON DELETE CASCADE,
    kind TEXT NOT NULL CHECK (kind IN ('cv', 'qualification', 'other')),
    title TEXT NOT NULL,
    filename TEXT NOT NULL,
    content_type TEXT NOT NULL,
    content BYTEA NOT NULL,
    size BIGINT NOT NULL,
    valid_until DATE,
    uploaded_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX trainer_documents_trainer ON trainer_documents (trainer_id);

CREATE TABLE trainer_unavailabilities (
    id BIGSERIAL PRIMARY KEY,
    trainer_id BIGINT NOT NULL REFERENCES trainers (id) ON DELETE CASCADE,
    first_day DATE NOT NULL,
    last_day DATE NOT NULL,
    reason TEXT NOT NULL DEFAULT '',
    CHECK (last_day >= first_day)
);
CREATE INDEX trainer_unavailabilities_trainer ON trainer_unavailabilities (trainer_id, first_day);
