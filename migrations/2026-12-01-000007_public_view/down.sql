DROP INDEX initiatives_public_updated_sort_idx;
DROP INDEX experts_public_updated_sort_idx;
DROP INDEX organisations_public_updated_sort_idx;
DROP TRIGGER initiatives_public_view ON initiatives;
DROP TRIGGER experts_public_view ON experts;
DROP TRIGGER organisations_public_view ON organisations;
DROP FUNCTION aimd_public_view_at_commit();
CREATE OR REPLACE FUNCTION aimd_enqueue_webhooks() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    record_topics text[];
    record_scope text;
    at_text text := to_char(NEW.at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"');
BEGIN
    IF NOT EXISTS (SELECT 1 FROM webhook_subscriptions WHERE enabled) THEN
        RETURN NULL;
    END IF;
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
                                                  NEW.staff_only, s.audience = 'staff') AS event) e
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

DROP FUNCTION aimd_settle_public_view(text, uuid);
DROP FUNCTION aimd_refresh_public_view(text, uuid);
ALTER TABLE changes DROP COLUMN tx;
ALTER TABLE initiatives DROP COLUMN public_version, DROP COLUMN public_updated_at,
    DROP COLUMN public_fingerprint, DROP COLUMN public_changed_tx;
ALTER TABLE experts DROP COLUMN public_version, DROP COLUMN public_updated_at,
    DROP COLUMN public_fingerprint, DROP COLUMN public_changed_tx;
ALTER TABLE organisations DROP COLUMN public_version, DROP COLUMN public_updated_at,
    DROP COLUMN public_fingerprint, DROP COLUMN public_changed_tx;
DROP FUNCTION aimd_public_view(text, uuid);
