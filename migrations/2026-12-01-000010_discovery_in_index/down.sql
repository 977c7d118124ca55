-- Brings back the SQL discovery path's columns, dictionary and indexes.
DROP VIEW aimd_public.initiatives;
DROP VIEW aimd_public.organisations;
DROP VIEW aimd_public.experts;

ALTER TABLE initiatives
    ADD COLUMN search_vector tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector('aimd_en', coalesce(title_en, '')), 'A') ||
        setweight(to_tsvector('aimd_nl', coalesce(title_nl, '')), 'A') ||
        setweight(to_tsvector('aimd_simple', coalesce(acronym, '')), 'A') ||
        setweight(to_tsvector('aimd_en', coalesce(summary_en, '')), 'B') ||
        setweight(to_tsvector('aimd_nl', coalesce(summary_nl, '')), 'B')
    ) STORED,
    ADD COLUMN search_name text GENERATED ALWAYS AS (
        aimd_fold(coalesce(title_en, '') || ' ' || coalesce(title_nl, '') || ' ' || coalesce(acronym, ''))
    ) STORED;
ALTER TABLE organisations
    ADD COLUMN search_vector tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector('aimd_simple', name || ' ' || coalesce(acronym, '')), 'A') ||
        setweight(to_tsvector('aimd_en', coalesce(description_en, '')), 'C') ||
        setweight(to_tsvector('aimd_nl', coalesce(description_nl, '')), 'C')
    ) STORED;
ALTER TABLE experts
    ADD COLUMN search_vector tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector('aimd_simple', given_name || ' ' || family_name), 'A') ||
        setweight(to_tsvector('aimd_en', coalesce(bio_en, '')), 'C') ||
        setweight(to_tsvector('aimd_nl', coalesce(bio_nl, '')), 'C')
    ) STORED;
CREATE INDEX initiatives_search_idx ON initiatives USING gin (search_vector) WHERE deleted_at IS NULL;
CREATE INDEX organisations_search_idx ON organisations USING gin (search_vector) WHERE deleted_at IS NULL;
CREATE INDEX experts_search_idx ON experts USING gin (search_vector) WHERE deleted_at IS NULL;

CREATE TABLE search_words (word text PRIMARY KEY);
CREATE INDEX search_words_trgm_idx ON search_words USING gin (word gin_trgm_ops);

CREATE FUNCTION aimd_note_words() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO search_words (word)
    SELECT DISTINCT w FROM regexp_split_to_table(NEW.search_name, '[^[:alnum:]]+') AS w
    WHERE length(w) >= 3
    ON CONFLICT DO NOTHING;
    RETURN NULL;
END
$$;
CREATE TRIGGER initiatives_note_words AFTER INSERT OR UPDATE OF title_en, title_nl, acronym ON initiatives
    FOR EACH ROW EXECUTE FUNCTION aimd_note_words();
CREATE TRIGGER organisations_note_words AFTER INSERT OR UPDATE OF name, acronym ON organisations
    FOR EACH ROW EXECUTE FUNCTION aimd_note_words();
CREATE TRIGGER experts_note_words AFTER INSERT OR UPDATE OF given_name, family_name ON experts
    FOR EACH ROW EXECUTE FUNCTION aimd_note_words();

INSERT INTO search_words (word)
SELECT DISTINCT w FROM (
    SELECT search_name FROM initiatives UNION ALL SELECT search_name FROM organisations
    UNION ALL SELECT search_name FROM experts) n,
    regexp_split_to_table(n.search_name, '[^[:alnum:]]+') AS w
WHERE length(w) >= 3 ON CONFLICT DO NOTHING;

CREATE INDEX experts_country_idx ON experts USING btree (country, id) WHERE (deleted_at IS NULL);
CREATE INDEX experts_facts_idx ON experts USING btree (id) INCLUDE (country, languages, topic_closure, is_public) WHERE (deleted_at IS NULL);
CREATE INDEX experts_languages_idx ON experts USING gin (languages) WHERE (deleted_at IS NULL);
CREATE INDEX experts_name_sort_idx ON experts USING btree (sort_name, id) WHERE (deleted_at IS NULL);
CREATE INDEX experts_public_updated_sort_idx ON experts USING btree (public_updated_at DESC, id) WHERE ((deleted_at IS NULL) AND is_public);
CREATE INDEX experts_topics_idx ON experts USING gin (topic_closure) WHERE (deleted_at IS NULL);
CREATE INDEX experts_updated_sort_idx ON experts USING btree (updated_at DESC, id) WHERE (deleted_at IS NULL);
CREATE INDEX initiatives_active_idx ON initiatives USING btree (start_date, end_date) WHERE (deleted_at IS NULL);
CREATE INDEX initiatives_countries_idx ON initiatives USING gin (countries) WHERE (deleted_at IS NULL);
CREATE INDEX initiatives_facts_idx ON initiatives USING btree (id) INCLUDE (scope, status, initiative_type, countries, regulations, topic_closure, start_date, end_date, updated_at, is_public) WHERE (deleted_at IS NULL);
CREATE INDEX initiatives_public_updated_sort_idx ON initiatives USING btree (public_updated_at DESC, id) WHERE ((deleted_at IS NULL) AND is_public);
CREATE INDEX initiatives_regulations_idx ON initiatives USING gin (regulations) WHERE (deleted_at IS NULL);
CREATE INDEX initiatives_scope_idx ON initiatives USING btree (scope, id) WHERE (deleted_at IS NULL);
CREATE INDEX initiatives_start_desc_sort_idx ON initiatives USING btree (COALESCE(start_date, '-infinity'::date) DESC, id) WHERE (deleted_at IS NULL);
CREATE INDEX initiatives_start_sort_idx ON initiatives USING btree (COALESCE(start_date, 'infinity'::date), id) WHERE (deleted_at IS NULL);
CREATE INDEX initiatives_status_idx ON initiatives USING btree (status, id) WHERE (deleted_at IS NULL);
CREATE INDEX initiatives_title_sort_idx ON initiatives USING btree (sort_title, id) WHERE (deleted_at IS NULL);
CREATE INDEX initiatives_topics_idx ON initiatives USING gin (topic_closure) WHERE (deleted_at IS NULL);
CREATE INDEX initiatives_type_idx ON initiatives USING btree (initiative_type, id) WHERE (deleted_at IS NULL);
CREATE INDEX initiatives_updated_sort_idx ON initiatives USING btree (updated_at DESC, id) WHERE (deleted_at IS NULL);
CREATE INDEX organisations_country_idx ON organisations USING btree (country, id) WHERE (deleted_at IS NULL);
CREATE INDEX organisations_facts_idx ON organisations USING btree (id) INCLUDE (organisation_type, country, topic_closure, is_public) WHERE (deleted_at IS NULL);
CREATE INDEX organisations_name_sort_idx ON organisations USING btree (sort_name, id) WHERE (deleted_at IS NULL);
CREATE INDEX organisations_public_updated_sort_idx ON organisations USING btree (public_updated_at DESC, id) WHERE ((deleted_at IS NULL) AND is_public);
CREATE INDEX organisations_topics_idx ON organisations USING gin (topic_closure) WHERE (deleted_at IS NULL);
CREATE INDEX organisations_type_idx ON organisations USING btree (organisation_type, id) WHERE (deleted_at IS NULL);
CREATE INDEX organisations_updated_sort_idx ON organisations USING btree (updated_at DESC, id) WHERE (deleted_at IS NULL);

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
        -- The dictionary typos are corrected against: words only, as before.
        ('search_words', 'true'),
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
