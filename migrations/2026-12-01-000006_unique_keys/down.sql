DROP INDEX initiatives_website_unique;
DROP INDEX experts_email_unique;
DROP INDEX experts_orcid_unique;
DROP INDEX organisations_website_unique;
DROP INDEX organisations_ror_id_unique;
CREATE INDEX organisations_ror_idx ON organisations (ror_id) WHERE deleted_at IS NULL;
CREATE INDEX experts_orcid_idx ON experts (orcid) WHERE deleted_at IS NULL;
CREATE INDEX experts_email_idx ON experts (lower(email)) WHERE deleted_at IS NULL;
