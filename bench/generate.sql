-- Synthetic registry for benchmarks: realistic shapes, not real data.
-- Usage (on a migrated, empty database):
--   psql "$DATABASE_URL" -v initiatives=100000 -v experts=30000 -v organisations=20000 -f bench/generate.sql
-- Titles and summaries are composed from English and Dutch word lists;
-- topics, countries and links follow skewed (power-law-like) distributions,
-- so a few topics, countries and organisations are far more common than others.
\set ON_ERROR_STOP on
\if :{?initiatives} \else \set initiatives 100000 \endif
\if :{?experts} \else \set experts 30000 \endif
\if :{?organisations} \else \set organisations 20000 \endif

SELECT setseed(0.42);

-- A time-ordered UUID v7 for a creation time, as the service makes them.
CREATE FUNCTION pg_temp.uuid7(at timestamptz) RETURNS uuid LANGUAGE sql VOLATILE AS $$
    SELECT (lpad(to_hex((extract(epoch FROM at) * 1000)::bigint), 12, '0') || '7'
        || substr(md5(random()::text), 1, 3) || to_hex(8 + floor(random() * 4)::int)
        || substr(md5(random()::text), 1, 15))::uuid
$$;
-- A random element, skewed towards the front of the array when power > 1.
CREATE FUNCTION pg_temp.pick(items text[], power float8 DEFAULT 1) RETURNS text LANGUAGE sql VOLATILE AS $$
    SELECT items[1 + floor(power(random(), power) * cardinality(items))::int]
$$;

CREATE TEMP TABLE vocab AS SELECT
    ARRAY['Federated','Trustworthy','Explainable','Fair','Robust','Secure','Clinical','Continuous','Open','Responsible',
          'Adaptive','Interoperable','Privacy-preserving','Validated','Human-centred','Transparent'] AS adjective_en,
    ARRAY['learning','validation','benchmark','registry','framework','guidance','standard','network','platform',
          'assessment','testbed','monitoring','certification','toolkit','consortium','pilot'] AS noun_en,
    ARRAY['medical imaging','radiology','pathology','cardiology','oncology','intensive care','primary care',
          'mental health','diabetes care','ophthalmology','dermatology','emergency medicine','genomics','in-vitro diagnostics'] AS field_en,
    ARRAY['Gefedereerd','Betrouwbaar','Uitlegbaar','Eerlijk','Robuust','Veilig','Klinisch','Continu','Open','Verantwoord',
          'Adaptief','Interoperabel','Privacyvriendelijk','Gevalideerd','Mensgericht','Transparant'] AS adjective_nl,
    ARRAY['leren','validatie','benchmark','register','kader','richtlijn','norm','netwerk','platform','beoordeling',
          'proeftuin','monitoring','certificering','gereedschapskist','consortium','pilot'] AS noun_nl,
    ARRAY['medische beeldvorming','radiologie','pathologie','cardiologie','oncologie','intensive care','huisartsenzorg',
          'geestelijke gezondheidszorg','diabeteszorg','oogheelkunde','dermatologie','spoedeisende hulp','genomica','in-vitrodiagnostiek'] AS field_nl,
    ARRAY['NL','DE','BE','FR','GB','US','SE','DK','ES','IT','FI','AT','CH','IE','NO','PL','PT','CA','AU','JP'] AS countries,
    ARRAY['Jansen','de Vries','van den Berg','Bakker','Visser','Smit','Meijer','de Boer','Mulder','Peters','Müller',
          'Schmidt','Dubois','García','Rossi','Nilsson','Smith','Jones','Kowalski','Novak'] AS family_names,
    ARRAY['Anna','Jan','Sophie','Pieter','Emma','Daan','Lotte','Sem','Julia','Lucas','Eva','Noah','Marie','Thomas',
          'Laura','Ben','Clara','Mateo','Ingrid','Olga'] AS given_names,
    ARRAY['Institute','Foundation','University','Medical Centre','Hospital','Agency','Society','Association','Lab','Council'] AS org_kinds,
    ARRAY['standards-body','regulator','notified-body','government','eu-institution','international-organisation',
          'manufacturer','healthcare-provider','university','research-institute','industry-association',
          'professional-society','patient-organisation','funder','consultancy','other'] AS org_types,
    ARRAY['legislation','regulatory-guidance','standard','standards-committee','research-project','expert-network',
          'policy-programme','funding-programme','testing-facility','tool-or-framework','event','other'] AS initiative_types,
    ARRAY['active','active','active','completed','planned','discontinued'] AS statuses,
    ARRAY['mdr','ivdr','ai-act','gdpr','ehds','other'] AS regulations,
    (SELECT array_agg(slug ORDER BY position) FROM topics) AS topics;

-- Organisations: names like "Robust Radiology Institute 123".
-- Records are published, as most of a live registry is; some initiatives are
-- drafts, and a fifth of the experts have not consented to a public profile.
INSERT INTO organisations (id, name, acronym, organisation_type, country, website, description_en, description_nl, created_at, updated_at,
                           publication_status)
SELECT pg_temp.uuid7(t.at), t.name, upper(left(replace(t.name, ' ', ''), 4)) || (n % 97),
       pg_temp.pick(v.org_types, 2), pg_temp.pick(v.countries, 2.5),
       'https://www.org' || n || '.example.org/',
       'An organisation working on ' || pg_temp.pick(v.field_en) || ' and ' || lower(pg_temp.pick(v.noun_en)) || '.',
       CASE WHEN random() < 0.6 THEN 'Een organisatie die werkt aan ' || pg_temp.pick(v.field_nl) || '.' END,
       t.at, t.at, 'published'
FROM vocab v, generate_series(1, :organisations) AS n,
     LATERAL (SELECT now() - interval '3 years' * random() AS at,
                     pg_temp.pick(v.adjective_en) || ' ' || initcap(pg_temp.pick(v.field_en)) || ' ' || pg_temp.pick(v.org_kinds) || ' ' || n AS name
              WHERE n > 0) t;

-- Experts (fictional names; only some have an ORCID-like id or e-mail).
INSERT INTO experts (id, given_name, family_name, country, languages, bio_en, bio_nl, email, created_at, updated_at,
                     publication_status, consent_public_profile)
SELECT pg_temp.uuid7(t.at), pg_temp.pick(v.given_names), pg_temp.pick(v.family_names, 1.5), pg_temp.pick(v.countries, 2.5),
       CASE WHEN random() < 0.5 THEN ARRAY['nl','en'] ELSE ARRAY['en'] END,
       'Fictional expert in ' || pg_temp.pick(v.field_en) || ', working on ' || lower(pg_temp.pick(v.adjective_en)) || ' ' || pg_temp.pick(v.noun_en) || '.',
       CASE WHEN random() < 0.4 THEN 'Fictieve expert in ' || pg_temp.pick(v.field_nl) || '.' END,
       CASE WHEN random() < 0.3 THEN 'expert' || n || '@example.org' END,
       t.at, t.at, 'published', random() < 0.8
FROM vocab v, generate_series(1, :experts) AS n,
     LATERAL (SELECT now() - interval '3 years' * random() AS at WHERE n > 0) t;

-- Initiatives: a third national (mostly NL), the rest European or international.
INSERT INTO initiatives (id, title_en, title_nl, acronym, summary_en, summary_nl, scope, countries, initiative_type, status,
                         start_date, end_date, website, regulations, created_at, updated_at, publication_status)
SELECT pg_temp.uuid7(t.at),
       t.adj || ' ' || t.noun || ' for ' || t.field,
       CASE WHEN random() < 0.5 THEN pg_temp.pick(v.adjective_nl) || ' ' || pg_temp.pick(v.noun_nl) || ' voor ' || pg_temp.pick(v.field_nl) END,
       CASE WHEN random() < 0.3 THEN upper(left(t.adj, 2) || left(t.noun, 2)) || (n % 1000) END,
       'A ' || lower(t.adj) || ' ' || t.noun || ' in ' || t.field || ' addressing ' || lower(pg_temp.pick(v.adjective_en)) || ' ' ||
           pg_temp.pick(v.noun_en) || ' under the ' || upper(pg_temp.pick(v.regulations, 1.5)) || '.',
       CASE WHEN random() < 0.4 THEN 'Een ' || lower(pg_temp.pick(v.adjective_nl)) || ' ' || pg_temp.pick(v.noun_nl) || ' in de ' || pg_temp.pick(v.field_nl) || '.' END,
       t.scope,
       CASE WHEN t.scope = 'national' THEN ARRAY[pg_temp.pick(v.countries, 3)]
            WHEN random() < 0.3 THEN ARRAY[pg_temp.pick(v.countries, 2), pg_temp.pick(v.countries, 2)]
            ELSE '{}' END,
       pg_temp.pick(v.initiative_types, 1.5), t.status,
       t.start, CASE WHEN t.status IN ('completed', 'discontinued') THEN t.start + (365 + floor(random() * 1500))::int END,
       CASE WHEN random() < 0.7 THEN 'https://initiative' || n || '.example.org/' END,
       CASE WHEN random() < 0.85 THEN ARRAY(SELECT DISTINCT pg_temp.pick(v.regulations, 1.5) FROM generate_series(1, 1 + floor(random() * 2)::int) WHERE n > 0) ELSE '{}' END,
       t.at, t.at, CASE WHEN random() < 0.95 THEN 'published' ELSE 'draft' END
FROM vocab v, generate_series(1, :initiatives) AS n,
     LATERAL (SELECT now() - interval '3 years' * random() AS at,
                     pg_temp.pick(v.adjective_en) AS adj, pg_temp.pick(v.noun_en) AS noun, pg_temp.pick(v.field_en) AS field,
                     (ARRAY['national','european','international'])[1 + floor(random() * 3)::int] AS scope,
                     pg_temp.pick(v.statuses) AS status,
                     CASE WHEN random() < 0.9 THEN date '2015-01-01' + floor(random() * 4000)::int END AS start
              WHERE n > 0) t;

-- Numbered ids for picking linked records by (skewed) position.
CREATE TEMP TABLE org_n AS SELECT row_number() OVER (ORDER BY id) AS n, id FROM organisations;
CREATE TEMP TABLE expert_n AS SELECT row_number() OVER (ORDER BY id) AS n, id FROM experts;
CREATE TEMP TABLE initiative_n AS SELECT row_number() OVER (ORDER BY id) AS n, id FROM initiatives;
CREATE INDEX ON org_n (n); CREATE INDEX ON expert_n (n); CREATE INDEX ON initiative_n (n);
ANALYZE org_n; ANALYZE expert_n; ANALYZE initiative_n;

-- Topics: 1 to 3 per record, the first topics of the vocabulary most often.
-- (Each LATERAL refers to its outer row so that random() is drawn per row.)
INSERT INTO initiative_topics (initiative_id, topic_slug)
SELECT i.id, pg_temp.pick(v.topics, 1.8)
FROM vocab v, initiatives i CROSS JOIN LATERAL generate_series(1, 1 + floor(random() * 3 + 0 * length(i.id::text))::int) g
ON CONFLICT DO NOTHING;
INSERT INTO expert_topics (expert_id, topic_slug)
SELECT e.id, pg_temp.pick(v.topics, 1.8)
FROM vocab v, experts e CROSS JOIN LATERAL generate_series(1, 1 + floor(random() * 3 + 0 * length(e.id::text))::int) g
ON CONFLICT DO NOTHING;
INSERT INTO organisation_topics (organisation_id, topic_slug)
SELECT o.id, pg_temp.pick(v.topics, 1.8)
FROM vocab v, organisations o CROSS JOIN LATERAL generate_series(1, 1 + floor(random() * 2 + 0 * length(o.id::text))::int) g
ON CONFLICT DO NOTHING;

-- What the service keeps on every write: topics with their ancestors.
UPDATE initiatives r SET topic_closure = c.closure
FROM (SELECT initiative_id, aimd_topic_closure(array_agg(topic_slug)) AS closure FROM initiative_topics GROUP BY 1) c
WHERE c.initiative_id = r.id;
UPDATE experts r SET topic_closure = c.closure
FROM (SELECT expert_id, aimd_topic_closure(array_agg(topic_slug)) AS closure FROM expert_topics GROUP BY 1) c
WHERE c.expert_id = r.id;
UPDATE organisations r SET topic_closure = c.closure
FROM (SELECT organisation_id, aimd_topic_closure(array_agg(topic_slug)) AS closure FROM organisation_topics GROUP BY 1) c
WHERE c.organisation_id = r.id;

-- Links follow topics, as real ones do: most of an initiative's experts
-- and organisations work on one of its topics (the suggestion evaluation,
-- bench/suggest_eval.rs, relies on it), the rest are drawn from everyone.
-- Within a topic, and overall, a few are far more active than the others.
CREATE TEMP TABLE expert_by_topic AS
    SELECT t.topic_slug, row_number() OVER (PARTITION BY t.topic_slug ORDER BY e.n) AS k, e.id
    FROM expert_topics t JOIN expert_n e ON e.id = t.expert_id;
CREATE TEMP TABLE org_by_topic AS
    SELECT t.topic_slug, row_number() OVER (PARTITION BY t.topic_slug ORDER BY o.n) AS k, o.id
    FROM organisation_topics t JOIN org_n o ON o.id = t.organisation_id;
CREATE INDEX ON expert_by_topic (topic_slug, k); CREATE INDEX ON org_by_topic (topic_slug, k);
CREATE TEMP TABLE expert_topic_size AS SELECT topic_slug, count(*) AS size FROM expert_by_topic GROUP BY 1;
CREATE TEMP TABLE org_topic_size AS SELECT topic_slug, count(*) AS size FROM org_by_topic GROUP BY 1;
ANALYZE expert_by_topic; ANALYZE org_by_topic;

INSERT INTO initiative_organisations (initiative_id, organisation_id, role, created_at)
SELECT p.initiative, coalesce(bt.id, o.id), p.role, now()
FROM (SELECT i.id AS initiative, random() < 0.7 AS by_topic, random() AS r,
             (SELECT it.topic_slug FROM initiative_topics it WHERE it.initiative_id = i.id AND g > 0
              ORDER BY random() LIMIT 1) AS topic,
             1 + floor(power(random(), 3) * :organisations)::int AS pick,
             (ARRAY['lead','member','member','member','funder','secretariat','observer'])[1 + floor(random() * 7)::int] AS role
      FROM initiatives i CROSS JOIN LATERAL generate_series(1, floor(random() * 5 + 0 * length(i.id::text))::int) g) p
LEFT JOIN org_topic_size ts ON p.by_topic AND ts.topic_slug = p.topic
LEFT JOIN org_by_topic bt ON bt.topic_slug = ts.topic_slug AND bt.k = 1 + floor(power(p.r, 2) * ts.size)::int
JOIN org_n o ON o.n = p.pick
ON CONFLICT DO NOTHING;
INSERT INTO initiative_experts (initiative_id, expert_id, role, created_at)
SELECT p.initiative, coalesce(bt.id, e.id), p.role, now()
FROM (SELECT i.id AS initiative, random() < 0.8 AS by_topic, random() AS r,
             (SELECT it.topic_slug FROM initiative_topics it WHERE it.initiative_id = i.id AND g > 0
              ORDER BY random() LIMIT 1) AS topic,
             1 + floor(power(random(), 2) * :experts)::int AS pick,
             (ARRAY['chair','convenor','member','member','member','contact','rapporteur'])[1 + floor(random() * 7)::int] AS role
      FROM initiatives i CROSS JOIN LATERAL generate_series(1, floor(random() * 4 + 0 * length(i.id::text))::int) g) p
LEFT JOIN expert_topic_size ts ON p.by_topic AND ts.topic_slug = p.topic
LEFT JOIN expert_by_topic bt ON bt.topic_slug = ts.topic_slug AND bt.k = 1 + floor(power(p.r, 2) * ts.size)::int
JOIN expert_n e ON e.n = p.pick
ON CONFLICT DO NOTHING;
-- Affiliations: most with an organisation on one of the expert's topics.
INSERT INTO affiliations (expert_id, organisation_id, role, since, created_at)
SELECT p.expert, coalesce(bt.id, o.id), 'Advisor', date '2010-01-01' + floor(random() * 5000)::int, now()
FROM (SELECT e.id AS expert, random() < 0.6 AS by_topic, random() AS r,
             (SELECT et.topic_slug FROM expert_topics et WHERE et.expert_id = e.id AND g > 0
              ORDER BY random() LIMIT 1) AS topic,
             1 + floor(power(random(), 2) * :organisations)::int AS pick
      FROM experts e CROSS JOIN LATERAL generate_series(1, 1 + floor(random() * 2 + 0 * length(e.id::text))::int) g) p
LEFT JOIN org_topic_size ts ON p.by_topic AND ts.topic_slug = p.topic
LEFT JOIN org_by_topic bt ON bt.topic_slug = ts.topic_slug AND bt.k = 1 + floor(power(p.r, 2) * ts.size)::int
JOIN org_n o ON o.n = p.pick
ON CONFLICT DO NOTHING;
-- Links also follow people's ties, as real ones do: experts join where
-- their organisation takes part, and colleagues bring each other along.
-- Without these the organisation and colleague signals of the suggestions
-- (bench/suggest_eval.rs) would have nothing to find.
INSERT INTO initiative_experts (initiative_id, expert_id, role, created_at)
SELECT io.initiative_id, a.expert_id, 'member', now()
FROM initiative_organisations io
CROSS JOIN LATERAL (SELECT f.expert_id FROM affiliations f WHERE f.organisation_id = io.organisation_id
                    ORDER BY random() LIMIT 1) a
WHERE random() < 0.3
ON CONFLICT DO NOTHING;
INSERT INTO initiative_experts (initiative_id, expert_id, role, created_at)
SELECT l.initiative_id, c.expert_id, 'member', now()
FROM (SELECT initiative_id, expert_id FROM initiative_experts WHERE random() < 0.2) l
CROSS JOIN LATERAL (SELECT m.initiative_id FROM initiative_experts m
                    WHERE m.expert_id = l.expert_id AND m.initiative_id <> l.initiative_id
                    ORDER BY random() LIMIT 1) j
CROSS JOIN LATERAL (SELECT o.expert_id FROM initiative_experts o
                    WHERE o.initiative_id = j.initiative_id AND o.expert_id <> l.expert_id
                    ORDER BY random() LIMIT 1) c
ON CONFLICT DO NOTHING;
INSERT INTO initiative_relations (subject_id, object_id, relation, created_at)
SELECT least(a.id, b.id), greatest(a.id, b.id),
       (ARRAY['part-of','has-part','succeeds','succeeded-by','related-to'])[1 + floor(random() * 5)::int], now()
FROM (SELECT 1 + floor(random() * :initiatives)::int AS x, 1 + floor(random() * :initiatives)::int AS y
      FROM generate_series(1, :initiatives / 5)) p
JOIN initiative_n a ON a.n = p.x
JOIN initiative_n b ON b.n = p.y
WHERE a.id <> b.id
ON CONFLICT DO NOTHING;

-- As autovacuum would in time: statistics and the visibility map that
-- index-only scans rely on.
VACUUM ANALYZE;
SELECT (SELECT count(*) FROM initiatives) AS initiatives, (SELECT count(*) FROM experts) AS experts,
       (SELECT count(*) FROM organisations) AS organisations,
       (SELECT count(*) FROM initiative_organisations) + (SELECT count(*) FROM initiative_experts)
       + (SELECT count(*) FROM affiliations) + (SELECT count(*) FROM initiative_relations) AS links;
