-- The change feed: one event per change of a record, numbered in commit
-- order. Every writing transaction takes its positions from the one counter
-- row and holds its lock until it commits, so a transaction that numbers its
-- events later also commits later: a reader that saw position N never finds
-- a smaller one appearing afterwards.
CREATE TABLE change_counter (
    only_row boolean PRIMARY KEY DEFAULT true CHECK (only_row),
    position bigint NOT NULL
);
INSERT INTO change_counter (position) VALUES (0);

CREATE TABLE changes (
    position      bigint PRIMARY KEY,
    at            timestamptz NOT NULL,
    kind          text NOT NULL CHECK (kind IN ('organisation', 'expert', 'initiative')),
    record_id     uuid NOT NULL,
    event         text NOT NULL CHECK (event IN ('created', 'updated', 'deleted', 'merged')),
    successor_id  uuid,
    -- What the public saw before and after: the feed for the public turns a
    -- record becoming public into `created` and ceasing to be into `deleted`.
    public_before boolean NOT NULL,
    public_after  boolean NOT NULL,
    -- A change only curators can see (an edit waiting for review).
    staff_only    boolean NOT NULL
);
CREATE INDEX changes_kind_idx ON changes (kind, position);

CREATE FUNCTION aimd_record_change() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    next_position bigint;
    kind text := TG_ARGV[0];
    event text;
    was_public boolean := false;
BEGIN
    UPDATE change_counter SET position = position + 1 RETURNING position INTO next_position;
    IF TG_OP = 'INSERT' THEN
        event := 'created';
    ELSE
        was_public := OLD.is_public AND OLD.deleted_at IS NULL;
        event := CASE WHEN NEW.merged_into IS NOT NULL THEN 'merged'
                      WHEN NEW.deleted_at IS NOT NULL THEN 'deleted'
                      ELSE 'updated' END;
    END IF;
    INSERT INTO changes (position, at, kind, record_id, event, successor_id, public_before, public_after, staff_only)
    VALUES (next_position, now(), kind, NEW.id, event, NEW.merged_into, was_public,
            NEW.is_public AND NEW.deleted_at IS NULL,
            coalesce(current_setting('aimd.staff_only_change', true), '') = 'on');
    RETURN NULL;
END
$$;

-- Every change of a record gives it a new version; that is the event.
CREATE TRIGGER organisations_created AFTER INSERT ON organisations
    FOR EACH ROW EXECUTE FUNCTION aimd_record_change('organisation');
CREATE TRIGGER organisations_changed AFTER UPDATE OF version ON organisations
    FOR EACH ROW WHEN (OLD.version IS DISTINCT FROM NEW.version) EXECUTE FUNCTION aimd_record_change('organisation');
CREATE TRIGGER experts_created AFTER INSERT ON experts
    FOR EACH ROW EXECUTE FUNCTION aimd_record_change('expert');
CREATE TRIGGER experts_changed AFTER UPDATE OF version ON experts
    FOR EACH ROW WHEN (OLD.version IS DISTINCT FROM NEW.version) EXECUTE FUNCTION aimd_record_change('expert');
CREATE TRIGGER initiatives_created AFTER INSERT ON initiatives
    FOR EACH ROW EXECUTE FUNCTION aimd_record_change('initiative');
CREATE TRIGGER initiatives_changed AFTER UPDATE OF version ON initiatives
    FOR EACH ROW WHEN (OLD.version IS DISTINCT FROM NEW.version) EXECUTE FUNCTION aimd_record_change('initiative');
