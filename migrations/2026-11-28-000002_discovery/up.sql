-- Discovery: full-text search in English and Dutch (accent-insensitive,
-- weighted), typo-tolerant name matching, sort keys, and an index for every
-- filter and sort the API offers. Search columns are generated, so they are
-- current in the same transaction as the write that changes their source.

CREATE EXTENSION IF NOT EXISTS unaccent;
CREATE EXTENSION IF NOT EXISTS pg_trgm;

-- Text search configurations that fold accents before stemming.
CREATE TEXT SEARCH CONFIGURATION aimd_en (COPY = english);
ALTER TEXT SEARCH CONFIGURATION aimd_en
    ALTER MAPPING FOR hword, hword_part, word WITH unaccent, english_stem;
CREATE TEXT SEARCH CONFIGURATION aimd_nl (COPY = dutch);
ALTER TEXT SEARCH CONFIGURATION aimd_nl
    ALTER MAPPING FOR hword, hword_part, word WITH unaccent, dutch_stem;
-- Names and acronyms: folded, not stemmed.
CREATE TEXT SEARCH CONFIGURATION aimd_simple (COPY = simple);
ALTER TEXT SEARCH CONFIGURATION aimd_simple
    ALTER MAPPING FOR hword, hword_part, word WITH unaccent, simple;

-- Lower-case, accent-free text, for trigram matching and sort keys.
-- unaccent() is only STABLE (its dictionary could change); naming the
-- dictionary explicitly makes this wrapper safe to declare IMMUTABLE.
CREATE FUNCTION aimd_fold(value text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
    RETURN lower(public.unaccent('public.unaccent'::regdictionary, value));

-- A record's topics with all their ancestors, so that a topic filter or
-- count matches narrower topics without walking the hierarchy per query.
-- Kept current by the service whenever a record's topics change.
CREATE FUNCTION aimd_topic_closure(slugs text[]) RETURNS text[]
    LANGUAGE sql STABLE PARALLEL SAFE
    RETURN (
        WITH RECURSIVE up(slug, parent_slug) AS (
            SELECT slug, parent_slug FROM topics WHERE slug = ANY(slugs)
            UNION
            SELECT t.slug, t.parent_slug FROM topics t JOIN up ON t.slug = up.parent_slug
        )
        SELECT coalesce(array_agg(DISTINCT slug ORDER BY slug), '{}') FROM up
    );

ALTER TABLE initiatives ADD COLUMN topic_closure text[] NOT NULL DEFAULT '{}';
ALTER TABLE experts ADD COLUMN topic_closure text[] NOT NULL DEFAULT '{}';
ALTER TABLE organisations ADD COLUMN topic_closure text[] NOT NULL DEFAULT '{}';
UPDATE initiatives r SET topic_closure = aimd_topic_closure(
    ARRAY(SELECT topic_slug FROM initiative_topics WHERE initiative_id = r.id));
UPDATE experts r SET topic_closure = aimd_topic_closure(
    ARRAY(SELECT topic_slug FROM expert_topics WHERE expert_id = r.id));
UPDATE organisations r SET topic_closure = aimd_topic_closure(
    ARRAY(SELECT topic_slug FROM organisation_topics WHERE organisation_id = r.id));

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
    ) STORED,
    ADD COLUMN sort_title text GENERATED ALWAYS AS (aimd_fold(coalesce(title_en, title_nl))) STORED;

ALTER TABLE organisations
    ADD COLUMN search_vector tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector('aimd_simple', name || ' ' || coalesce(acronym, '')), 'A') ||
        setweight(to_tsvector('aimd_en', coalesce(description_en, '')), 'C') ||
        setweight(to_tsvector('aimd_nl', coalesce(description_nl, '')), 'C')
    ) STORED,
    ADD COLUMN search_name text GENERATED ALWAYS AS (
        aimd_fold(name || ' ' || coalesce(acronym, ''))
    ) STORED,
    ADD COLUMN sort_name text GENERATED ALWAYS AS (aimd_fold(name)) STORED;

ALTER TABLE experts
    ADD COLUMN search_vector tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector('aimd_simple', given_name || ' ' || family_name), 'A') ||
        setweight(to_tsvector('aimd_en', coalesce(bio_en, '')), 'C') ||
        setweight(to_tsvector('aimd_nl', coalesce(bio_nl, '')), 'C')
    ) STORED,
    ADD COLUMN search_name text GENERATED ALWAYS AS (aimd_fold(given_name || ' ' || family_name)) STORED,
    -- Sorted as Dutch lists sort names: "de Vries" under V.
    ADD COLUMN sort_name text GENERATED ALWAYS AS (aimd_fold(
        regexp_replace(family_name, '^((van|von|de|der|den|het|ten|ter|te|du|la|le|di|da|dos|das|del|d'')\s+)+', '', 'i')
        || ' ' || family_name || ' ' || given_name
    )) STORED;

-- Search.
CREATE INDEX initiatives_search_idx ON initiatives USING gin (search_vector) WHERE deleted_at IS NULL;
CREATE INDEX organisations_search_idx ON organisations USING gin (search_vector) WHERE deleted_at IS NULL;
CREATE INDEX organisations_name_trgm_idx ON organisations USING gin (search_name gin_trgm_ops) WHERE deleted_at IS NULL;
CREATE INDEX experts_search_idx ON experts USING gin (search_vector) WHERE deleted_at IS NULL;
CREATE INDEX experts_name_trgm_idx ON experts USING gin (search_name gin_trgm_ops) WHERE deleted_at IS NULL;

-- Typo tolerance: every word of every name, title and acronym, so that a
-- mistyped query word can be corrected against a small dictionary (trigram
-- similarity) and the search then runs on the full-text index, instead of
-- comparing the query with every record's name. Words are only added: a
-- word no record uses any more finds nothing, which is harmless.
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

-- Sorts (keyset: sort key, then id).
CREATE INDEX initiatives_title_sort_idx ON initiatives (sort_title, id) WHERE deleted_at IS NULL;
CREATE INDEX initiatives_updated_sort_idx ON initiatives (updated_at DESC, id) WHERE deleted_at IS NULL;
CREATE INDEX initiatives_start_sort_idx ON initiatives ((coalesce(start_date, 'infinity'::date)), id) WHERE deleted_at IS NULL;
CREATE INDEX initiatives_start_desc_sort_idx ON initiatives ((coalesce(start_date, '-infinity'::date)) DESC, id) WHERE deleted_at IS NULL;
CREATE INDEX organisations_name_sort_idx ON organisations (sort_name, id) WHERE deleted_at IS NULL;
CREATE INDEX organisations_updated_sort_idx ON organisations (updated_at DESC, id) WHERE deleted_at IS NULL;
CREATE INDEX experts_name_sort_idx ON experts (sort_name, id) WHERE deleted_at IS NULL;
CREATE INDEX experts_updated_sort_idx ON experts (updated_at DESC, id) WHERE deleted_at IS NULL;

-- The duplicate finder: identifiers and website domains.
ALTER TABLE organisations
    ADD COLUMN website_domain text GENERATED ALWAYS AS (
        lower(substring(website FROM '^[a-zA-Z]+://(?:www\.)?([^/:?#]+)'))
    ) STORED;
CREATE INDEX organisations_ror_idx ON organisations (ror_id) WHERE deleted_at IS NULL;
CREATE INDEX organisations_domain_idx ON organisations (website_domain) WHERE deleted_at IS NULL;
CREATE INDEX experts_orcid_idx ON experts (orcid) WHERE deleted_at IS NULL;
CREATE INDEX experts_email_idx ON experts (lower(email)) WHERE deleted_at IS NULL;

-- Filters, counts and facets read these covering indexes instead of the
-- wide rows (index-only scans), and walk them in id order for pages.
CREATE INDEX initiatives_facts_idx ON initiatives (id)
    INCLUDE (scope, status, initiative_type, countries, regulations, topic_closure, start_date, end_date, updated_at)
    WHERE deleted_at IS NULL;
CREATE INDEX experts_facts_idx ON experts (id) INCLUDE (country, languages, topic_closure) WHERE deleted_at IS NULL;
CREATE INDEX organisations_facts_idx ON organisations (id) INCLUDE (organisation_type, country, topic_closure)
    WHERE deleted_at IS NULL;
CREATE INDEX initiatives_topics_idx ON initiatives USING gin (topic_closure) WHERE deleted_at IS NULL;
CREATE INDEX experts_topics_idx ON experts USING gin (topic_closure) WHERE deleted_at IS NULL;
CREATE INDEX organisations_topics_idx ON organisations USING gin (topic_closure) WHERE deleted_at IS NULL;

-- Filters added with discovery.
CREATE INDEX initiatives_active_idx ON initiatives (start_date, end_date) WHERE deleted_at IS NULL;
CREATE INDEX experts_languages_idx ON experts USING gin (languages) WHERE deleted_at IS NULL;
CREATE INDEX expert_topics_expert_idx ON expert_topics (expert_id);
