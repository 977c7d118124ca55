-- What the public may read, as the database enforces it.
--
-- The service reads for the public (and for readers) over connections whose
-- role is `aimd_public_reader` and whose search_path puts the schema
-- `aimd_public` first. That schema holds one view per table the public's
-- reads touch, under the table's own name, so a statement reads the same
-- for every audience. The role may read those views and nothing else: a
-- public read that names a table without a view fails with "permission
-- denied" instead of returning what the staff see.
--
-- The views hold live, public rows only (published, and for experts with
-- consent), an expert's links and topics only while the expert is public,
-- the public version
-- and time of change under the names `version` and `updated_at`, no
-- contact data, and no pending revisions.

DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'aimd_public_reader') THEN
        -- Roles belong to the server, not the database: several registries
        -- on one server share this one, each granting it its own views.
        CREATE ROLE aimd_public_reader NOLOGIN;
    END IF;
    IF NOT pg_has_role(current_user, 'aimd_public_reader', 'MEMBER') THEN
        EXECUTE format('GRANT aimd_public_reader TO %I', current_user);
    END IF;
END $$;

-- Whether the expert of a link or topic row is public (live, published,
-- consenting), kept on the row so that the public views can narrow these
-- rows without looking the expert up once per row: that lookup, beside
-- the statement's own join of the expert, cost 10-35 % of a record's read.
ALTER TABLE initiative_experts ADD COLUMN expert_public boolean NOT NULL DEFAULT false;
ALTER TABLE affiliations ADD COLUMN expert_public boolean NOT NULL DEFAULT false;
ALTER TABLE expert_topics ADD COLUMN expert_public boolean NOT NULL DEFAULT false;
UPDATE initiative_experts l SET expert_public = true FROM experts e
 WHERE e.id = l.expert_id AND e.deleted_at IS NULL AND e.is_public;
UPDATE affiliations l SET expert_public = true FROM experts e
 WHERE e.id = l.expert_id AND e.deleted_at IS NULL AND e.is_public;
UPDATE expert_topics l SET expert_public = true FROM experts e
 WHERE e.id = l.expert_id AND e.deleted_at IS NULL AND e.is_public;

-- A row added, or moved to another expert, takes that expert's state.
CREATE FUNCTION aimd_expert_public_of_row() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.expert_public := EXISTS (SELECT 1 FROM experts e
                                  WHERE e.id = NEW.expert_id AND e.deleted_at IS NULL AND e.is_public);
    RETURN NEW;
END $$;
CREATE TRIGGER initiative_experts_expert_public BEFORE INSERT OR UPDATE OF expert_id
    ON initiative_experts FOR EACH ROW EXECUTE FUNCTION aimd_expert_public_of_row();
CREATE TRIGGER affiliations_expert_public BEFORE INSERT OR UPDATE OF expert_id
    ON affiliations FOR EACH ROW EXECUTE FUNCTION aimd_expert_public_of_row();
CREATE TRIGGER expert_topics_expert_public BEFORE INSERT OR UPDATE OF expert_id
    ON expert_topics FOR EACH ROW EXECUTE FUNCTION aimd_expert_public_of_row();

-- An expert who becomes public or stops being so carries their rows along.
CREATE FUNCTION aimd_expert_public_changed() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    public constant boolean := NEW.deleted_at IS NULL AND coalesce(NEW.is_public, false);
BEGIN
    UPDATE initiative_experts SET expert_public = public
     WHERE expert_id = NEW.id AND expert_public IS DISTINCT FROM public;
    UPDATE affiliations SET expert_public = public
     WHERE expert_id = NEW.id AND expert_public IS DISTINCT FROM public;
    UPDATE expert_topics SET expert_public = public
     WHERE expert_id = NEW.id AND expert_public IS DISTINCT FROM public;
    RETURN NULL;
END $$;
CREATE TRIGGER experts_public_rows AFTER UPDATE ON experts FOR EACH ROW
    WHEN (OLD.is_public IS DISTINCT FROM NEW.is_public OR OLD.deleted_at IS DISTINCT FROM NEW.deleted_at)
    EXECUTE FUNCTION aimd_expert_public_changed();

CREATE SCHEMA aimd_public;
GRANT USAGE ON SCHEMA aimd_public TO aimd_public_reader;

-- (Re)creates the views from the tables' current columns. A migration that
-- adds or drops a column of one of these tables calls it again;
-- tests/api/public_schema.rs fails when a view and its table disagree.
CREATE FUNCTION aimd_build_public_views() RETURNS void LANGUAGE plpgsql AS $$
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

-- Why a record cannot be read: merged (into which), deleted, or neither
-- (never created, or not public). The public learns this much of records
-- it cannot read, as it always has: a merged record redirects, a deleted
-- one is gone.
CREATE FUNCTION aimd_record_absence(kind text, record uuid)
RETURNS TABLE (deleted boolean, merged_into uuid)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
    IF kind NOT IN ('initiatives', 'organisations', 'experts') THEN
        RAISE EXCEPTION 'not a kind of record: %', kind;
    END IF;
    RETURN QUERY EXECUTE format(
        'SELECT deleted_at IS NOT NULL, merged_into FROM public.%I WHERE id = $1', kind)
        USING record;
END $$;
REVOKE ALL ON FUNCTION aimd_record_absence(text, uuid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION aimd_record_absence(text, uuid) TO aimd_public_reader;
