-- Webhooks: subscriptions, and an outbox of deliveries filled in the same
-- transaction as the change it announces.

-- What a change looks like to an audience: the staff see every event; the
-- public see a record becoming public as `created`, ceasing to be public as
-- `deleted` (or `merged`), and nothing of changes they cannot see (NULL).
-- The change feed and the webhooks both read events through this.
CREATE FUNCTION aimd_visible_event(event text, public_before boolean, public_after boolean,
                                   staff_only boolean, staff boolean) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE WHEN staff THEN event
                WHEN staff_only OR NOT (public_before OR public_after) THEN NULL
                WHEN NOT public_before THEN 'created'
                WHEN NOT public_after THEN CASE WHEN event = 'merged' THEN 'merged' ELSE 'deleted' END
                ELSE 'updated' END
$$;

-- A time-ordered (version 7) UUID, as the service makes them, for rows the
-- database creates itself.
CREATE FUNCTION aimd_uuid_v7() RETURNS uuid LANGUAGE sql VOLATILE AS $$
    SELECT encode(set_bit(set_bit(overlay(uuid_send(gen_random_uuid())
               PLACING substring(int8send((extract(epoch FROM clock_timestamp()) * 1000)::bigint) FROM 3)
               FROM 1 FOR 6), 52, 1), 53, 1), 'hex')::uuid
$$;

CREATE TABLE webhook_subscriptions (
    id                   uuid PRIMARY KEY,
    url                  text NOT NULL,
    description          text,
    -- Which events, of which kinds of record; empty kinds: every kind.
    events               text[] NOT NULL CHECK (cardinality(events) > 0),
    kinds                text[] NOT NULL DEFAULT '{}',
    -- Only records with one of these topics (or a narrower one); empty: any.
    topics               text[] NOT NULL DEFAULT '{}',
    -- Only initiatives of one of these scopes; empty: any record.
    scopes               text[] NOT NULL DEFAULT '{}',
    audience             text NOT NULL CHECK (audience IN ('public', 'staff')),
    -- The signing key. It must be readable to sign with, so it cannot be
    -- stored as a hash the way API keys are; it is never shown again.
    secret               text NOT NULL,
    -- After a rotation the old secret signs too, until it expires, so that
    -- receivers can switch over without refusing deliveries.
    previous_secret      text,
    previous_secret_expires_at timestamptz,
    enabled              boolean NOT NULL DEFAULT true,
    disabled_at          timestamptz,
    disabled_reason      text,
    consecutive_failures integer NOT NULL DEFAULT 0,
    failing_since        timestamptz,
    version              bigint NOT NULL DEFAULT 1,
    created_at           timestamptz NOT NULL,
    updated_at           timestamptz NOT NULL
);

CREATE TABLE webhook_deliveries (
    -- Also the `webhook-id` a receiver deduplicates on: the same for every
    -- attempt and replay of one delivery.
    id              uuid PRIMARY KEY,
    subscription_id uuid NOT NULL REFERENCES webhook_subscriptions ON DELETE CASCADE,
    position        bigint NOT NULL,
    event_type      text NOT NULL,
    -- The exact bytes that are signed and sent.
    payload         text NOT NULL,
    state           text NOT NULL CHECK (state IN ('pending', 'delivered', 'failed')),
    attempts        integer NOT NULL DEFAULT 0,
    -- When a pending delivery is due; a worker that takes one moves this
    -- forward by its lease, so no other worker takes it meanwhile.
    next_attempt_at timestamptz,
    last_attempt_at timestamptz,
    last_status     integer,
    last_error      text,
    delivered_at    timestamptz,
    created_at      timestamptz NOT NULL
);
CREATE INDEX webhook_deliveries_due_idx ON webhook_deliveries (next_attempt_at) WHERE state = 'pending';
CREATE INDEX webhook_deliveries_subscription_idx ON webhook_deliveries (subscription_id, id);
CREATE INDEX webhook_deliveries_state_idx ON webhook_deliveries (subscription_id, state, id);
-- For pruning finished deliveries after the retention period.
CREATE INDEX webhook_deliveries_finished_idx ON webhook_deliveries (created_at) WHERE state <> 'pending';

-- Queues one delivery per matching subscription for a new change. It runs
-- when the writing transaction commits (a deferred trigger), so that topics
-- and scope are read as the transaction leaves them, and it commits or
-- rolls back with the change itself.
CREATE FUNCTION aimd_enqueue_webhooks() RETURNS trigger LANGUAGE plpgsql AS $$
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

CREATE CONSTRAINT TRIGGER changes_webhooks AFTER INSERT ON changes
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION aimd_enqueue_webhooks();
