-- API keys: only a SHA-256 hash of each token is kept. Tokens carry 256
-- random bits, so a fast hash is enough: there is nothing to brute-force.
CREATE TABLE api_keys (
    id           uuid PRIMARY KEY,
    name         text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    role         text NOT NULL CHECK (role IN ('reader', 'curator', 'editor', 'admin')),
    token_prefix text NOT NULL,
    token_hash   bytea NOT NULL UNIQUE,
    created_at   timestamptz NOT NULL,
    expires_at   timestamptz,
    revoked_at   timestamptz,
    last_used_at timestamptz
);

-- Every change of a record, written in the transaction that makes it.
CREATE TABLE history (
    seq            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    kind           text NOT NULL CHECK (kind IN ('organisation', 'expert', 'initiative')),
    record_id      uuid NOT NULL,
    action         text NOT NULL,
    actor_key_id   uuid REFERENCES api_keys (id),
    actor_name     text,
    at             timestamptz NOT NULL,
    request_id     text,
    message        text,
    changes        jsonb NOT NULL DEFAULT '{}'
);

-- A record's history, newest first.
CREATE INDEX history_record_idx ON history (record_id, seq DESC);

-- The publication workflow: draft → in-review → published → archived
-- (→ published again). `editors` are the keys that changed the record since
-- it was last approved: none of them may approve it (four-eyes).
ALTER TABLE organisations
    ADD COLUMN publication_status text NOT NULL DEFAULT 'draft'
        CHECK (publication_status IN ('draft', 'in-review', 'published', 'archived')),
    ADD COLUMN editors uuid[] NOT NULL DEFAULT '{}';
ALTER TABLE experts
    ADD COLUMN publication_status text NOT NULL DEFAULT 'draft'
        CHECK (publication_status IN ('draft', 'in-review', 'published', 'archived')),
    ADD COLUMN editors uuid[] NOT NULL DEFAULT '{}';
ALTER TABLE initiatives
    ADD COLUMN publication_status text NOT NULL DEFAULT 'draft'
        CHECK (publication_status IN ('draft', 'in-review', 'published', 'archived')),
    ADD COLUMN editors uuid[] NOT NULL DEFAULT '{}';

-- Experts are shown to the public only with their consent to a public
-- profile (GDPR); their contact data only to curators.
ALTER TABLE experts
    ADD COLUMN consent_public_profile boolean NOT NULL DEFAULT false,
    ADD COLUMN consent_given_at date,
    ADD COLUMN consent_note text,
    ADD COLUMN erased_at timestamptz;

-- What the public and readers may see, as one column every read tests.
ALTER TABLE organisations ADD COLUMN is_public boolean
    GENERATED ALWAYS AS (publication_status = 'published') STORED;
ALTER TABLE initiatives ADD COLUMN is_public boolean
    GENERATED ALWAYS AS (publication_status = 'published') STORED;
ALTER TABLE experts ADD COLUMN is_public boolean
    GENERATED ALWAYS AS (publication_status = 'published' AND consent_public_profile) STORED;

-- The public's lists filter on it too: keep the counting scans index-only.
DROP INDEX initiatives_facts_idx;
CREATE INDEX initiatives_facts_idx ON initiatives (id)
    INCLUDE (scope, status, initiative_type, countries, regulations, topic_closure, start_date, end_date,
             updated_at, is_public)
    WHERE deleted_at IS NULL;
DROP INDEX experts_facts_idx;
CREATE INDEX experts_facts_idx ON experts (id) INCLUDE (country, languages, topic_closure, is_public)
    WHERE deleted_at IS NULL;
DROP INDEX organisations_facts_idx;
CREATE INDEX organisations_facts_idx ON organisations (id)
    INCLUDE (organisation_type, country, topic_closure, is_public)
    WHERE deleted_at IS NULL;

-- An edit of a published record waits here, as the record would be written,
-- until an editor approves it (it then goes live) or rejects it.
CREATE TABLE pending_revisions (
    record_id  uuid PRIMARY KEY,
    kind       text NOT NULL CHECK (kind IN ('organisation', 'expert', 'initiative')),
    draft      jsonb NOT NULL,
    updated_at timestamptz NOT NULL
);

-- A duplicate merged into another record: a tombstone that redirects.
ALTER TABLE organisations ADD COLUMN merged_into uuid REFERENCES organisations (id);
ALTER TABLE experts ADD COLUMN merged_into uuid REFERENCES experts (id);
ALTER TABLE initiatives ADD COLUMN merged_into uuid REFERENCES initiatives (id);

-- How a relation reads from the other initiative's side (as in the code).
CREATE FUNCTION aimd_inverse_relation(relation text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN CASE relation
        WHEN 'part-of' THEN 'has-part' WHEN 'has-part' THEN 'part-of'
        WHEN 'succeeds' THEN 'succeeded-by' WHEN 'succeeded-by' THEN 'succeeds'
        ELSE relation END;

-- Creations made with an Idempotency-Key, and what they answered, so that a
-- retry within 24 hours gets the same answer instead of a second record.
CREATE TABLE idempotency_keys (
    key_id       uuid NOT NULL REFERENCES api_keys (id),
    idempotency  text NOT NULL,
    route        text NOT NULL,
    request_hash bytea NOT NULL,
    location     text,
    version      bigint,
    body         text,
    created_at   timestamptz NOT NULL,
    PRIMARY KEY (key_id, idempotency)
);
CREATE INDEX idempotency_keys_age_idx ON idempotency_keys (created_at);

-- Counting what the public may see (a list's total without filters) reads
-- these small indexes instead of the tables.
CREATE INDEX initiatives_public_idx ON initiatives (id) WHERE deleted_at IS NULL AND is_public;
CREATE INDEX experts_public_idx ON experts (id) WHERE deleted_at IS NULL AND is_public;
CREATE INDEX organisations_public_idx ON organisations (id) WHERE deleted_at IS NULL AND is_public;
