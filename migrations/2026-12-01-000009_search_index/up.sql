-- The in-process search index (issue 13) follows the change feed. Every
-- transaction that adds events wakes the instances' followers when it
-- commits (PostgreSQL folds identical notifications of one transaction into
-- one); a follower also polls, so a lost notification only delays it.
CREATE FUNCTION aimd_notify_changes() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('aimd_changes', '');
    RETURN NULL;
END
$$;
CREATE TRIGGER changes_notify AFTER INSERT ON changes
    FOR EACH STATEMENT EXECUTE FUNCTION aimd_notify_changes();

-- What an expert's initiative contributes to the expert's document: its
-- scope, its topics (with their broader ones) and each scope/topic pair, so
-- that "experts in international initiatives on clinical validation" asks
-- both of one and the same initiative.
CREATE FUNCTION aimd_initiative_context(scope text, topics text[]) RETURNS SETOF text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$
        SELECT 's:' || scope
        UNION ALL SELECT 't:' || t FROM unnest(topics) t
        UNION ALL SELECT 'st:' || scope || '/' || t FROM unnest(topics) t
    $$;
