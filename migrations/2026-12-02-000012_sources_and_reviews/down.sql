CREATE OR REPLACE FUNCTION aimd_public_view(kind text, record uuid) RETURNS text
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



DROP INDEX initiatives_deleted_idx;
DROP VIEW aimd_public.initiatives;
DROP VIEW aimd_public.organisations;
DROP VIEW aimd_public.experts;
ALTER TABLE initiatives DROP COLUMN sources, DROP COLUMN content_changed_at, DROP COLUMN last_reviewed_at;
ALTER TABLE organisations DROP COLUMN sources, DROP COLUMN content_changed_at, DROP COLUMN last_reviewed_at;
ALTER TABLE experts DROP COLUMN sources, DROP COLUMN content_changed_at, DROP COLUMN last_reviewed_at;
SELECT aimd_build_public_views();
