-- Discovery moved to the in-process search index (issue 13): what only
-- the SQL discovery path read goes, so that every write maintains less.
--
-- Gone: the full-text columns and their GIN indexes, initiatives' folded
-- name (it only fed the typo dictionary), the typo dictionary itself with
-- its triggers, and the B-tree and GIN indexes that served the lists'
-- filters, sorts and counts. Kept: the sort keys (the index reads them),
-- the topic closures (the index and the webhook filters read them), the
-- folded names of organisations and experts with their trigram indexes
-- (the duplicate finders use them), and every unique index.

-- The public views name every column of their tables; they are made again
-- below, without the dropped ones.
DROP VIEW aimd_public.initiatives;
DROP VIEW aimd_public.organisations;
DROP VIEW aimd_public.experts;
DROP VIEW aimd_public.search_words;

DROP TRIGGER initiatives_note_words ON initiatives;
DROP TRIGGER organisations_note_words ON organisations;
DROP TRIGGER experts_note_words ON experts;
DROP FUNCTION aimd_note_words();
DROP TABLE search_words;

ALTER TABLE initiatives DROP COLUMN search_vector, DROP COLUMN search_name;
ALTER TABLE organisations DROP COLUMN search_vector;
ALTER TABLE experts DROP COLUMN search_vector;

DROP INDEX initiatives_active_idx, initiatives_countries_idx, initiatives_facts_idx,
    initiatives_public_updated_sort_idx, initiatives_regulations_idx, initiatives_scope_idx,
    initiatives_start_desc_sort_idx, initiatives_start_sort_idx, initiatives_status_idx,
    initiatives_title_sort_idx, initiatives_topics_idx, initiatives_type_idx,
    initiatives_updated_sort_idx;
DROP INDEX organisations_country_idx, organisations_facts_idx, organisations_name_sort_idx,
    organisations_public_updated_sort_idx, organisations_topics_idx, organisations_type_idx,
    organisations_updated_sort_idx;
DROP INDEX experts_country_idx, experts_facts_idx, experts_languages_idx, experts_name_sort_idx,
    experts_public_updated_sort_idx, experts_topics_idx, experts_updated_sort_idx;

CREATE OR REPLACE FUNCTION aimd_build_public_views() RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    view record;
    columns text;
BEGIN
    FOR view IN SELECT * FROM (VALUES
        ('initiatives', 'r.deleted_at IS NULL AND r.is_public'),
        ('organisations', 'r.deleted_at IS NULL AND r.is_public'),
        ('experts', 'r.deleted_at IS NULL AND r.is_public'),
        -- Links and topics hold ids, roles and slugs. Those that say something
        -- about an expert are narrowed here (an affiliation is personal
        -- data), by the flag kept above; the rest are narrowed by the record
        -- views every statement joins them with. Narrowing both ends of
        -- every link here would add half again to the buffers a record's
        -- read touches (46 -> 70 on the benchmark dataset), for rows that
        -- carry no content.
        ('initiative_topics', 'true'),
        ('organisation_topics', 'true'),
        ('expert_topics', 'r.expert_public'),
        ('initiative_organisations', 'true'),
        ('initiative_relations', 'true'),
        ('initiative_experts', 'r.expert_public'),
        ('affiliations', 'r.expert_public'),
        ('topics', 'true'),
        -- Exports tell at which feed position they were taken.
        ('change_counter', 'true'),
        -- Pending revisions are for staff: the public's view is empty.
        ('pending_revisions', 'false')
    ) AS v(name, condition)
    LOOP
        SELECT string_agg(
            CASE
                WHEN view.name IN ('initiatives', 'organisations', 'experts')
                     AND a.attname IN ('version', 'updated_at')
                    THEN format('r.%I AS %I', 'public_' || a.attname, a.attname)
                WHEN view.name = 'experts'
                     AND a.attname IN ('email', 'consent_given_at', 'consent_note')
                    THEN format('NULL::%s AS %I', format_type(a.atttypid, a.atttypmod), a.attname)
                ELSE format('r.%I', a.attname)
            END, ', ' ORDER BY a.attnum)
          INTO columns
          FROM pg_attribute a
         WHERE a.attrelid = format('public.%I', view.name)::regclass
           AND a.attnum > 0 AND NOT a.attisdropped;
        EXECUTE format('DROP VIEW IF EXISTS aimd_public.%I', view.name);
        EXECUTE format('CREATE VIEW aimd_public.%I AS SELECT %s FROM public.%I r WHERE %s',
                       view.name, columns, view.name, view.condition);
        EXECUTE format('GRANT SELECT ON aimd_public.%I TO aimd_public_reader', view.name);
    END LOOP;

    -- The change feed as the public sees it: each event as
    -- aimd_visible_event turns it for the public, and only those it keeps.
    -- The before/after flags are restated so that turning an event again
    -- leaves it as it is.
    DROP VIEW IF EXISTS aimd_public.changes;
    CREATE VIEW aimd_public.changes AS
        SELECT c.position, c.at, c.kind, c.record_id, e.event, c.successor_id,
               e.event <> 'created' AS public_before,
               e.event NOT IN ('deleted', 'merged') AS public_after,
               false AS staff_only, c.tx
          FROM public.changes c,
               LATERAL (SELECT aimd_visible_event(c.event, c.public_before, c.public_after,
                                                  c.staff_only, false) AS event) e
         WHERE e.event IS NOT NULL;
    GRANT SELECT ON aimd_public.changes TO aimd_public_reader;
END $$;

SELECT aimd_build_public_views();
