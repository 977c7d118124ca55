DROP TABLE idempotency_keys;
DROP FUNCTION aimd_inverse_relation(text);
ALTER TABLE organisations DROP COLUMN merged_into;
ALTER TABLE experts DROP COLUMN merged_into;
ALTER TABLE initiatives DROP COLUMN merged_into;
DROP TABLE pending_revisions;
DROP INDEX initiatives_facts_idx;
CREATE INDEX initiatives_facts_idx ON initiatives (id)
    INCLUDE (scope, status, initiative_type, countries, regulations, topic_closure, start_date, end_date, updated_at)
    WHERE deleted_at IS NULL;
DROP INDEX experts_facts_idx;
CREATE INDEX experts_facts_idx ON experts (id) INCLUDE (country, languages, topic_closure) WHERE deleted_at IS NULL;
DROP INDEX organisations_facts_idx;
CREATE INDEX organisations_facts_idx ON organisations (id) INCLUDE (organisation_type, country, topic_closure)
    WHERE deleted_at IS NULL;
ALTER TABLE organisations DROP COLUMN is_public, DROP COLUMN publication_status, DROP COLUMN editors;
ALTER TABLE experts DROP COLUMN is_public, DROP COLUMN consent_public_profile, DROP COLUMN consent_given_at,
    DROP COLUMN consent_note, DROP COLUMN erased_at, DROP COLUMN publication_status, DROP COLUMN editors;
ALTER TABLE initiatives DROP COLUMN is_public, DROP COLUMN publication_status, DROP COLUMN editors;
DROP TABLE history;
DROP TABLE api_keys;
