-- What the public sees of a record changes only when its view changes.
-- Curators' edits that wait for review, links to drafts or to experts who
-- did not consent, and fields the public never sees (an expert's e-mail)
-- give a record a new `version` but not a new `public_version`, and their
-- change-feed events are for staff only.
--
-- The public view is summed up in a fingerprint: the public fields, the
-- topics, and the links to records the public can see. It is recomputed
-- when the writing transaction commits, when every table it touched is in
-- its final state.

CREATE FUNCTION aimd_public_view(kind text, record uuid) RETURNS text
LANGUAGE sql STABLE AS $$
    SELECT CASE kind
    WHEN 'organisation' THEN (
        SELECT md5(jsonb_build_array(
            r.name, r.acronym, r.organisation_type, r.country, r.website, r.ror_id,
            r.description_en, r.description_nl,
            r.is_public AND r.deleted_at IS NULL, r.merged_into,
            (SELECT coalesce(jsonb_agg(t.topic_slug ORDER BY t.topic_slug), '[]')
               FROM organisation_topics t WHERE t.organisation_id = r.id),
            (SELECT coalesce(jsonb_agg(jsonb_build_array(l.initiative_id, l.role) ORDER BY l.initiative_id), '[]')
               FROM initiative_organisations l
               JOIN initiatives i ON i.id = l.initiative_id AND i.deleted_at IS NULL AND i.is_public
              WHERE l.organisation_id = r.id),
            (SELECT coalesce(jsonb_agg(jsonb_build_array(a.expert_id, a.role, a.since, a.until) ORDER BY a.expert_id), '[]')
               FROM affiliations a
               JOIN experts e ON e.id = a.expert_id AND e.deleted_at IS NULL AND e.is_public
              WHERE a.organisation_id = r.id)
        )::text)
        FROM organisations r WHERE r.id = record)
    WHEN 'expert' THEN (
        SELECT md5(jsonb_build_array(
            r.given_name, r.family_name, r.honorific, r.orcid, r.country, r.languages,
            r.bio_en, r.bio_nl,
            r.is_public AND r.deleted_at IS NULL, r.merged_into,
            (SELECT coalesce(jsonb_agg(t.topic_slug ORDER BY t.topic_slug), '[]')
               FROM expert_topics t WHERE t.expert_id = r.id),
            (SELECT coalesce(jsonb_agg(jsonb_build_array(a.organisation_id, a.role, a.since, a.until) ORDER BY a.organisation_id), '[]')
               FROM affiliations a
               JOIN organisations o ON o.id = a.organisation_id AND o.deleted_at IS NULL AND o.is_public
              WHERE a.expert_id = r.id),
            (SELECT coalesce(jsonb_agg(jsonb_build_array(l.initiative_id, l.role) ORDER BY l.initiative_id), '[]')
               FROM initiative_experts l
               JOIN initiatives i ON i.id = l.initiative_id AND i.deleted_at IS NULL AND i.is_public
              WHERE l.expert_id = r.id)
        )::text)
        FROM experts r WHERE r.id = record)
    WHEN 'initiative' THEN (
        SELECT md5(jsonb_build_array(
            r.title_en, r.title_nl, r.acronym, r.summary_en, r.summary_nl, r.scope, r.countries,
            r.initiative_type, r.status, r.start_date, r.end_date, r.website, r.regulations,
            r.is_public AND r.deleted_at IS NULL, r.merged_into,
            (SELECT coalesce(jsonb_agg(t.topic_slug ORDER BY t.topic_slug), '[]')
               FROM initiative_topics t WHERE t.initiative_id = r.id),
            (SELECT coalesce(jsonb_agg(jsonb_build_array(l.organisation_id, l.role) ORDER BY l.organisation_id), '[]')
               FROM initiative_organisations l
               JOIN organisations o ON o.id = l.organisation_id AND o.deleted_at IS NULL AND o.is_public
              WHERE l.initiative_id = r.id),
            (SELECT coalesce(jsonb_agg(jsonb_build_array(l.expert_id, l.role) ORDER BY l.expert_id), '[]')
               FROM initiative_experts l
               JOIN experts e ON e.id = l.expert_id AND e.deleted_at IS NULL AND e.is_public
              WHERE l.initiative_id = r.id),
            (SELECT coalesce(jsonb_agg(jsonb_build_array(l.subject_id, l.object_id, l.relation) ORDER BY l.subject_id, l.object_id), '[]')
               FROM initiative_relations l
               JOIN initiatives o ON o.id = CASE WHEN l.subject_id = r.id THEN l.object_id ELSE l.subject_id END
                AND o.deleted_at IS NULL AND o.is_public
              WHERE l.subject_id = r.id OR l.object_id = r.id)
        )::text)
        FROM initiatives r WHERE r.id = record)
    END
$$;

ALTER TABLE organisations ADD COLUMN public_version bigint NOT NULL DEFAULT 0,
    ADD COLUMN public_updated_at timestamptz, ADD COLUMN public_fingerprint text,
    ADD COLUMN public_changed_tx bigint;
ALTER TABLE experts ADD COLUMN public_version bigint NOT NULL DEFAULT 0,
    ADD COLUMN public_updated_at timestamptz, ADD COLUMN public_fingerprint text,
    ADD COLUMN public_changed_tx bigint;
ALTER TABLE initiatives ADD COLUMN public_version bigint NOT NULL DEFAULT 0,
    ADD COLUMN public_updated_at timestamptz, ADD COLUMN public_fingerprint text,
    ADD COLUMN public_changed_tx bigint;
-- Existing records keep the version the public knows them by.
UPDATE organisations SET public_version = version, public_updated_at = updated_at,
    public_fingerprint = aimd_public_view('organisation', id);
UPDATE experts SET public_version = version, public_updated_at = updated_at,
    public_fingerprint = aimd_public_view('expert', id);
UPDATE initiatives SET public_version = version, public_updated_at = updated_at,
    public_fingerprint = aimd_public_view('initiative', id);

-- The transaction that wrote an event, to find them again at its commit.
ALTER TABLE changes ADD COLUMN tx bigint;
ALTER TABLE changes ALTER COLUMN tx SET DEFAULT txid_current();

-- Recomputes a record's fingerprint; when it differs, the public version
-- moves on. Returns whether it did. Touches no `version`, so no trigger
-- fires again.
CREATE FUNCTION aimd_refresh_public_view(kind text, record uuid) RETURNS boolean
LANGUAGE plpgsql AS $$
DECLARE
    changed integer;
BEGIN
    EXECUTE format(
        'UPDATE %I SET public_version = public_version + 1, public_updated_at = greatest(updated_at, now()), '
        'public_fingerprint = $1, public_changed_tx = txid_current() '
        'WHERE id = $2 AND public_fingerprint IS DISTINCT FROM $1', kind || 's')
    USING aimd_public_view(kind, record), record;
    GET DIAGNOSTICS changed = ROW_COUNT;
    RETURN changed > 0;
END
$$;

-- Settles a record's public view once the transaction's writes are done:
-- when it changed, so may have those of the records it links to (it
-- appeared, disappeared or changed its links); when it did not, the
-- transaction's events for it are for staff only. Safe to call more than
-- once: it runs for each new version of a record, and the webhook trigger
-- calls it too, since deferred triggers of different tables give no
-- guaranteed order.
CREATE FUNCTION aimd_settle_public_view(kind text, record uuid) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    linked record;
BEGIN
    -- Once per record and transaction: every firing happens at commit, when
    -- the record is final, so the first one settles it. The table of those
    -- settled empties itself at each commit.
    IF to_regclass('pg_temp.aimd_settled') IS NULL THEN
        CREATE TEMP TABLE aimd_settled (kind text, id uuid, PRIMARY KEY (kind, id))
            ON COMMIT DELETE ROWS;
    END IF;
    INSERT INTO aimd_settled VALUES (kind, record) ON CONFLICT DO NOTHING;
    IF NOT FOUND THEN
        RETURN;
    END IF;
    IF aimd_refresh_public_view(kind, record) THEN
        FOR linked IN
            SELECT 'initiative' AS k, initiative_id AS id FROM initiative_organisations
             WHERE kind = 'organisation' AND organisation_id = record
            UNION ALL SELECT 'expert', expert_id FROM affiliations
             WHERE kind = 'organisation' AND organisation_id = record
            UNION ALL SELECT 'organisation', organisation_id FROM affiliations
             WHERE kind = 'expert' AND expert_id = record
            UNION ALL SELECT 'initiative', initiative_id FROM initiative_experts
             WHERE kind = 'expert' AND expert_id = record
            UNION ALL SELECT 'organisation', organisation_id FROM initiative_organisations
             WHERE kind = 'initiative' AND initiative_id = record
            UNION ALL SELECT 'expert', expert_id FROM initiative_experts
             WHERE kind = 'initiative' AND initiative_id = record
            UNION ALL SELECT 'initiative', CASE WHEN subject_id = record THEN object_id ELSE subject_id END
              FROM initiative_relations WHERE kind = 'initiative' AND (subject_id = record OR object_id = record)
        LOOP
            PERFORM aimd_refresh_public_view(linked.k, linked.id);
        END LOOP;
    ELSE
        EXECUTE format(
            'UPDATE changes SET staff_only = true WHERE record_id = $1 AND tx = txid_current() '
            'AND NOT staff_only '
            'AND NOT EXISTS (SELECT 1 FROM %I WHERE id = $1 AND public_changed_tx = txid_current())',
            kind || 's')
        USING record;
    END IF;
END
$$;

CREATE FUNCTION aimd_public_view_at_commit() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM aimd_settle_public_view(TG_ARGV[0], NEW.id);
    RETURN NULL;
END
$$;

CREATE CONSTRAINT TRIGGER organisations_public_view AFTER INSERT OR UPDATE OF version ON organisations
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION aimd_public_view_at_commit('organisation');
CREATE CONSTRAINT TRIGGER experts_public_view AFTER INSERT OR UPDATE OF version ON experts
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION aimd_public_view_at_commit('expert');
CREATE CONSTRAINT TRIGGER initiatives_public_view AFTER INSERT OR UPDATE OF version ON initiatives
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION aimd_public_view_at_commit('initiative');

-- Webhooks: a delivery for the public only when the public saw the change.
CREATE OR REPLACE FUNCTION aimd_enqueue_webhooks() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    record_topics text[];
    record_scope text;
    at_text text := to_char(NEW.at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"');
    hidden boolean;
BEGIN
    IF NOT EXISTS (SELECT 1 FROM webhook_subscriptions WHERE enabled) THEN
        RETURN NULL;
    END IF;
    -- Whether the public saw this change is known once the record's public
    -- view is settled; this trigger may run before the record's own.
    PERFORM aimd_settle_public_view(NEW.kind, NEW.record_id);
    SELECT c.staff_only INTO hidden FROM changes c WHERE c.position = NEW.position;
    CASE NEW.kind
        WHEN 'initiative' THEN
            SELECT topic_closure, scope INTO record_topics, record_scope FROM initiatives WHERE id = NEW.record_id;
        WHEN 'expert' THEN
            SELECT topic_closure INTO record_topics FROM experts WHERE id = NEW.record_id;
        ELSE
            SELECT topic_closure INTO record_topics FROM organisations WHERE id = NEW.record_id;
    END CASE;
    INSERT INTO webhook_deliveries (id, subscription_id, position, event_type, payload, state,
                                    next_attempt_at, created_at)
    SELECT aimd_uuid_v7(), s.id, NEW.position, NEW.kind || '.' || e.event,
           jsonb_build_object(
               'type', NEW.kind || '.' || e.event,
               'timestamp', at_text,
               'data', jsonb_strip_nulls(jsonb_build_object(
                   'position', NEW.position, 'at', at_text, 'event', e.event, 'kind', NEW.kind,
                   'id', NEW.record_id, 'successorId', NEW.successor_id)))::text,
           'pending', now(), now()
    FROM webhook_subscriptions s
    CROSS JOIN LATERAL (SELECT aimd_visible_event(NEW.event, NEW.public_before, NEW.public_after,
                                                  hidden, s.audience = 'staff') AS event) e
    WHERE s.enabled
      AND e.event = ANY (s.events)
      AND (cardinality(s.kinds) = 0 OR NEW.kind = ANY (s.kinds))
      AND (cardinality(s.topics) = 0 OR s.topics && record_topics)
      AND (cardinality(s.scopes) = 0 OR record_scope = ANY (s.scopes));
    IF FOUND THEN
        -- Wakes the workers when the transaction commits (one notification
        -- per transaction: PostgreSQL folds identical ones).
        PERFORM pg_notify('aimd_webhook_deliveries', '');
    END IF;
    RETURN NULL;
END
$$;

-- The public's sort by last change, and its filter on it.
CREATE INDEX organisations_public_updated_sort_idx ON organisations (public_updated_at DESC, id)
    WHERE deleted_at IS NULL AND is_public;
CREATE INDEX experts_public_updated_sort_idx ON experts (public_updated_at DESC, id)
    WHERE deleted_at IS NULL AND is_public;
CREATE INDEX initiatives_public_updated_sort_idx ON initiatives (public_updated_at DESC, id)
    WHERE deleted_at IS NULL AND is_public;
