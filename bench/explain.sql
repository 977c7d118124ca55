-- The statements behind each benchmark scenario, as the service sends them
-- (values inlined), for EXPLAIN ANALYZE. Run: psql "$DATABASE_URL" -f bench/explain.sql
\set ON_ERROR_STOP on
SET jit = off;
SET pg_trgm.word_similarity_threshold = 0.5;
\echo '== get by id (and every page of records): the rows with topics and links, one statement'
EXPLAIN (ANALYZE, COSTS OFF) SELECT r.id, r.title_en, r.title_nl, r.acronym, r.summary_en, r.summary_nl, r.scope, r.countries, r.initiative_type, r.status, r.start_date, r.end_date, r.website, r.regulations, r.created_at, r.updated_at, r.version,
  ARRAY(SELECT t.topic_slug FROM initiative_topics t WHERE t.initiative_id = r.id) AS topics,
  (SELECT coalesce(json_agg(json_build_object('id', o.id, 'name', o.name, 'acronym', o.acronym, 'role', l.role) ORDER BY o.name, o.id), '[]') FROM initiative_organisations l JOIN organisations o ON o.id = l.organisation_id WHERE l.initiative_id = r.id AND o.deleted_at IS NULL) AS organisations,
  (SELECT coalesce(json_agg(json_build_object('id', e.id, 'name', e.given_name || ' ' || e.family_name, 'role', l.role) ORDER BY e.family_name, e.given_name, e.id), '[]') FROM initiative_experts l JOIN experts e ON e.id = l.expert_id WHERE l.initiative_id = r.id AND e.deleted_at IS NULL) AS experts,
  (SELECT coalesce(json_agg(x ORDER BY x.id), '[]') FROM (SELECT i.id, json_build_object('en', i.title_en, 'nl', i.title_nl) AS title, i.acronym, l.relation, false AS inverted FROM initiative_relations l JOIN initiatives i ON i.id = l.object_id WHERE l.subject_id = r.id AND i.deleted_at IS NULL UNION ALL SELECT i.id, json_build_object('en', i.title_en, 'nl', i.title_nl), i.acronym, l.relation, true FROM initiative_relations l JOIN initiatives i ON i.id = l.subject_id WHERE l.object_id = r.id AND i.deleted_at IS NULL) x) AS related
FROM initiatives r WHERE r.id = ANY(ARRAY['01938b1e-7f00-7aaa-8000-000000000001'::uuid]) AND r.deleted_at IS NULL;
\echo '== filtered list: the page of ids, then the total'
EXPLAIN (ANALYZE, COSTS OFF) SELECT r.id, NULL::text AS sort_key FROM initiatives r WHERE r.deleted_at IS NULL AND (r.scope = ANY('{european}')) AND (r.topic_closure && '{algorithmic-bias}'::text[]) AND (r.status = ANY('{active}')) ORDER BY r.id ASC LIMIT 26;
EXPLAIN (ANALYZE, COSTS OFF) SELECT count(*) AS total FROM initiatives r WHERE r.deleted_at IS NULL AND (r.scope = ANY('{european}')) AND (r.topic_closure && '{algorithmic-bias}'::text[]) AND (r.status = ANY('{active}'));
\echo '== full-text search (words as typed find plenty, so no typo matching): page by relevance'
EXPLAIN (ANALYZE, COSTS OFF) SELECT r.id, (ts_rank(r.search_vector, q))::float8 AS score FROM initiatives r, (SELECT '''feder'':* | ''federated'':* | ''federated'':*'::tsquery AS q) s WHERE r.deleted_at IS NULL AND r.search_vector @@ s.q ORDER BY 2 DESC, r.id LIMIT 26;
\echo '== a typo: the dictionary lookup that corrects it (then the search runs as above)'
EXPLAIN (ANALYZE, COSTS OFF) SELECT q.word AS typed, ARRAY(SELECT w.word FROM search_words w WHERE w.word % aimd_fold(q.word) ORDER BY similarity(w.word, aimd_fold(q.word)) DESC, w.word LIMIT 3) AS fixes FROM unnest('{cardiolgy}'::text[]) AS q(word);
\echo '== facets: all six in one scan'
EXPLAIN (ANALYZE, COSTS OFF) WITH base AS MATERIALIZED (SELECT r.scope AS c0, r.topic_closure AS c1, r.countries AS c2, r.initiative_type AS c3, r.status AS c4, r.regulations AS c5, (r.scope = ANY('{european}')) AS f0, (r.regulations && '{ai-act}'::text[]) AS f1 FROM initiatives r WHERE r.deleted_at IS NULL AND (NOT (r.scope = ANY('{european}')))::int + (NOT (r.regulations && '{ai-act}'::text[]))::int <= 1)
SELECT 'scope', c0, count(*) FROM base WHERE f1 GROUP BY 2
UNION ALL SELECT 'topic', v, count(*) FROM base CROSS JOIN LATERAL unnest(c1) v WHERE f0 AND f1 GROUP BY 2
UNION ALL SELECT 'country', v, count(*) FROM base CROSS JOIN LATERAL unnest(c2) v WHERE f0 AND f1 GROUP BY 2
UNION ALL SELECT 'type', c3, count(*) FROM base WHERE f0 AND f1 GROUP BY 2
UNION ALL SELECT 'status', c4, count(*) FROM base WHERE f0 AND f1 GROUP BY 2
UNION ALL SELECT 'regulation', v, count(*) FROM base CROSS JOIN LATERAL unnest(c5) v WHERE f0 GROUP BY 2;
\echo '== overview, unfiltered: one statement'
EXPLAIN (ANALYZE, COSTS OFF) WITH base AS MATERIALIZED (SELECT r.scope, r.countries, r.topic_closure FROM initiatives r WHERE r.deleted_at IS NULL)
SELECT 'matrix', t.topic, base.scope, count(*) FROM base CROSS JOIN LATERAL unnest(base.topic_closure) AS t(topic) GROUP BY 2, 3
UNION ALL SELECT 'scope', base.scope, '', count(*) FROM base GROUP BY 2
UNION ALL SELECT 'country', c.country, '', count(*) FROM base CROSS JOIN LATERAL unnest(base.countries) AS c(country) GROUP BY 2
UNION ALL SELECT 'expert-topic', t.topic, '', count(*) FROM experts e CROSS JOIN LATERAL unnest(e.topic_closure) AS t(topic) WHERE e.deleted_at IS NULL GROUP BY 2
UNION ALL SELECT 'expert-total', '', '', count(*) FROM experts e WHERE e.deleted_at IS NULL
UNION ALL SELECT 'organisation-type', o.organisation_type, '', count(*) FROM organisations o WHERE o.deleted_at IS NULL GROUP BY 2;
\echo '== change of page: keyset in creation order'
EXPLAIN (ANALYZE, COSTS OFF) SELECT r.id, NULL::text AS sort_key FROM initiatives r WHERE r.deleted_at IS NULL AND r.id > '01938b1e-7f00-7aaa-8000-000000000001' ORDER BY r.id ASC LIMIT 26;
