-- The keys that identify a record (imports match on them, the duplicate
-- finder ranks by them) become unique among live records. Concurrent
-- imports of the same lines could otherwise create one record each.
--
-- Existing duplicates are reported, one group a line, instead of letting
-- CREATE UNIQUE INDEX fail on the first with a bare constraint error.
DO $$
DECLARE
    report text;
BEGIN
    SELECT string_agg(format('  %s %s = %s: %s', kind, key, value, ids), E'\n' ORDER BY kind, key, value)
      INTO report
      FROM (
        SELECT 'organisations' AS kind, 'rorId' AS key, ror_id AS value, string_agg(id::text, ', ' ORDER BY id) AS ids
          FROM organisations WHERE deleted_at IS NULL AND ror_id IS NOT NULL GROUP BY ror_id HAVING count(*) > 1
        UNION ALL
        SELECT 'organisations', 'website', website, string_agg(id::text, ', ' ORDER BY id)
          FROM organisations WHERE deleted_at IS NULL AND website IS NOT NULL GROUP BY website HAVING count(*) > 1
        UNION ALL
        SELECT 'experts', 'orcid', orcid, string_agg(id::text, ', ' ORDER BY id)
          FROM experts WHERE deleted_at IS NULL AND orcid IS NOT NULL GROUP BY orcid HAVING count(*) > 1
        UNION ALL
        SELECT 'experts', 'email', lower(email), string_agg(id::text, ', ' ORDER BY id)
          FROM experts WHERE deleted_at IS NULL AND email IS NOT NULL GROUP BY lower(email) HAVING count(*) > 1
        UNION ALL
        SELECT 'initiatives', 'website', website, string_agg(id::text, ', ' ORDER BY id)
          FROM initiatives WHERE deleted_at IS NULL AND website IS NOT NULL GROUP BY website HAVING count(*) > 1
      ) duplicates;
    IF report IS NOT NULL THEN
        RAISE EXCEPTION E'live records share a key that must identify one record:\n%\nmerge each group into one (POST /v1/{kind}/{id}/merge) or clear the key, then migrate again', report;
    END IF;
END
$$;

DROP INDEX organisations_ror_idx;
DROP INDEX experts_orcid_idx;
DROP INDEX experts_email_idx;
CREATE UNIQUE INDEX organisations_ror_id_unique ON organisations (ror_id) WHERE deleted_at IS NULL;
CREATE UNIQUE INDEX organisations_website_unique ON organisations (website) WHERE deleted_at IS NULL;
CREATE UNIQUE INDEX experts_orcid_unique ON experts (orcid) WHERE deleted_at IS NULL;
CREATE UNIQUE INDEX experts_email_unique ON experts (lower(email)) WHERE deleted_at IS NULL;
CREATE UNIQUE INDEX initiatives_website_unique ON initiatives (website) WHERE deleted_at IS NULL;
