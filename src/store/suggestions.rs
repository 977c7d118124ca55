//! The statements behind suggestions (`domain::suggestions`): candidates
//! found through shared or neighbouring topics, shared organisations and
//! colleagues (two hops through initiatives), scored with the domain's
//! weights, ranked and paged in one statement per page. The same text runs
//! for staff and, on the public's connections, against the `aimd_public`
//! views, so the public's candidates and signals come from public records
//! only: links are joined to the record views they point at.

use diesel::QueryableByName;
use diesel::sql_types::{Array, BigInt, Bool, Float8, Nullable, Text, Uuid as SqlUuid};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use crate::domain::page::Cursor;
use crate::domain::suggestions::{
    FULL_ACTIVITY, FULL_COLLEAGUES, FULL_ORGANISATIONS, FULL_TOPICS, NATIONAL_LANGUAGES,
    RELATED_TOPIC, Signals, TopicReach, Weights,
};
use crate::error::{ApiError, ApiResult};
use crate::sql::{Bind, Placeholder, Sql};

/// Colleagues are sought through each expert's latest this many
/// initiatives, and through an organisation its latest this many
/// affiliated experts or initiatives: a very active expert's or
/// organisation's hundreds would make one request read tens of thousands
/// of links. The cut is made after the records that cannot be suggested
/// (deleted, not public to the public, finished) are left out, so that
/// they take no place in it.
pub const HOPS: i64 = 50;

/// Initiatives to join found through colleagues: the ones with most
/// colleagues, at most this many (the colleague signal counts for these
/// only). An expert with busy colleagues reaches a thousand initiatives
/// this way, most of them through a single colleague.
const COLLEAGUE_REACH: i64 = 200;

/// Initiatives to join are sought through each colleague's latest this
/// many live initiatives: the second hop fans out over every colleague.
const COLLEAGUE_HOPS: i64 = 20;

/// A candidate as a page of suggestions reads it.
#[derive(Debug, QueryableByName)]
pub struct Candidate {
    #[diesel(sql_type = SqlUuid)]
    pub id: Uuid,
    /// An expert's name; an initiative's English title.
    #[diesel(sql_type = Nullable<Text>)]
    pub name: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    pub name_nl: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    pub acronym: Option<String>,
    /// An expert's country; an initiative's scope.
    #[diesel(sql_type = Nullable<Text>)]
    pub place: Option<String>,
    #[diesel(sql_type = Bool)]
    pub public_profile: bool,
    #[diesel(sql_type = Array<Text>)]
    shared_topics: Vec<String>,
    #[diesel(sql_type = Array<Text>)]
    related_topics: Vec<String>,
    #[diesel(sql_type = Array<Text>)]
    organisations: Vec<String>,
    #[diesel(sql_type = BigInt)]
    colleagues: i64,
    #[diesel(sql_type = BigInt)]
    shared_initiatives: i64,
    #[diesel(sql_type = Nullable<Text>)]
    country_fit: Option<String>,
    #[diesel(sql_type = Array<Text>)]
    language_fit: Vec<String>,
    #[diesel(sql_type = Nullable<BigInt>)]
    compatriots: Option<i64>,
    #[diesel(sql_type = BigInt)]
    activity: i64,
    /// Rounded to 4 decimals, as the cursor keeps it.
    #[diesel(sql_type = Float8)]
    pub score: f64,
    #[diesel(sql_type = BigInt)]
    pub total: i64,
}

impl Candidate {
    pub fn signals(&self) -> Signals {
        Signals {
            shared_topics: self.shared_topics.clone(),
            related_topics: self.related_topics.clone(),
            organisations: self.organisations.clone(),
            colleagues: self.colleagues,
            shared_initiatives: self.shared_initiatives,
            country_fit: self.country_fit.clone(),
            language_fit: self.language_fit.clone(),
            compatriots: self.compatriots,
            activity: self.activity,
        }
    }
}

/// What the other side brings: its topics, countries and languages, and
/// the weights to score with.
pub struct Target<'a> {
    pub id: Uuid,
    pub topics: &'a TopicReach,
    pub countries: &'a [String],
    pub languages: &'a [String],
    pub weights: Weights,
    /// The candidates found by topic (`sync::index::candidates`): only
    /// these are matched by topic; those linked through organisations or
    /// colleagues are always considered.
    pub pool: &'a [Pooled],
}

/// A candidate found by topic, with how active the index says it is (an
/// expert's initiatives, as the audience sees them), which saves counting
/// it again here.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Pooled {
    pub id: Uuid,
    pub activity: i64,
}

/// The national languages of countries, as two arrays (country, language)
/// a statement unnests together.
fn language_map(sql: &mut Sql) -> (Placeholder, Placeholder) {
    let (countries, languages): (Vec<String>, Vec<String>) = NATIONAL_LANGUAGES
        .iter()
        .map(|(c, l)| ((*c).to_owned(), (*l).to_owned()))
        .unzip();
    (
        sql.bind(Bind::Texts(countries)),
        sql.bind(Bind::Texts(languages)),
    )
}

/// The binds every scoring statement shares.
struct Common {
    id: Placeholder,
    own: Placeholder,
    related: Placeholder,
    countries: Placeholder,
    languages: Placeholder,
    pool: Placeholder,
    pool_activity: Placeholder,
    hops: Placeholder,
    colleague_reach: Placeholder,
    colleague_hops: Placeholder,
}

fn common(sql: &mut Sql, target: &Target<'_>) -> Common {
    Common {
        id: sql.bind(Bind::Uuid(target.id)),
        own: sql.bind(Bind::Texts(target.topics.own.clone())),
        related: sql.bind(Bind::Texts(target.topics.related.clone())),
        countries: sql.bind(Bind::Texts(target.countries.to_vec())),
        languages: sql.bind(Bind::Texts(target.languages.to_vec())),
        pool: sql.bind(Bind::Uuids(target.pool.iter().map(|p| p.id).collect())),
        pool_activity: sql.bind(Bind::Ints(target.pool.iter().map(|p| p.activity).collect())),
        hops: sql.bind(Bind::Int(HOPS)),
        colleague_reach: sql.bind(Bind::Int(COLLEAGUE_REACH)),
        colleague_hops: sql.bind(Bind::Int(COLLEAGUE_HOPS)),
    }
}

/// `score` as the weighted sum of the signals' columns, each scaled to 0..1.
fn push_score(sql: &mut Sql, c: &Common, weights: &Weights) {
    let w = |sql: &mut Sql, v: f64| sql.bind(Bind::Float(v));
    let topic = w(sql, weights.topic);
    let related = w(sql, RELATED_TOPIC);
    let full_topics = w(sql, FULL_TOPICS);
    let organisation = w(sql, weights.organisation);
    let full_organisations = w(sql, FULL_ORGANISATIONS);
    let colleagues = w(sql, weights.colleagues);
    let full_colleagues = w(sql, FULL_COLLEAGUES);
    let country = w(sql, weights.country);
    let language = w(sql, weights.language);
    let absence = w(sql, weights.absence);
    let activity = w(sql, weights.activity);
    let full_activity = w(sql, FULL_ACTIVITY);
    sql.push("round((")
        .push(&topic)
        .push(" * least(1, (cardinality(s.shared_topics) + ")
        .push(&related)
        .push(" * cardinality(s.related_topics)) / least(")
        .push(&full_topics)
        .push(", greatest(1, cardinality(")
        .push(&c.own)
        .push("::text[])))) + ")
        .push(&organisation)
        .push(" * least(1, s.organisation_count / ")
        .push(&full_organisations)
        .push(") + ")
        .push(&colleagues)
        .push(" * least(1, s.colleagues / ")
        .push(&full_colleagues)
        .push(") + ")
        .push(&country)
        .push(" * (s.country_fit IS NOT NULL)::int + ")
        .push(&language)
        .push(" * (cardinality(s.language_fit) > 0)::int + ")
        .push(&absence)
        .push(" * CASE s.compatriots WHEN 0 THEN 1 WHEN 1 THEN 0.5 WHEN 2 THEN 0.5 ELSE 0 END + ")
        .push(&activity)
        .push(" * least(1, ln(1 + s.activity) / ln(1 + ")
        .push(&full_activity)
        .push("))")
        .push(")::numeric, 4) AS score");
}

/// Ranks `scored` (a subquery of signals per candidate) and cuts the page
/// after `cursor`.
fn push_page(
    sql: &mut Sql,
    c: &Common,
    weights: &Weights,
    cursor: Option<&Cursor>,
    limit: i64,
) -> ApiResult<()> {
    sql.push("), ranked AS (SELECT s.*, ");
    push_score(sql, c, weights);
    sql.push(
        " FROM scored s) SELECT r.id, r.name, r.name_nl, r.acronym, r.place, r.public_profile, \
              r.shared_topics, r.related_topics, r.organisations, r.colleagues, \
              r.shared_initiatives, r.country_fit, r.language_fit, r.compatriots, r.activity, \
              r.score::float8 AS score, \
              (SELECT count(*) FROM ranked) AS total FROM ranked r",
    );
    if let Some(cursor) = cursor {
        let key = cursor
            .key
            .as_deref()
            .ok_or_else(|| ApiError::internal("a suggestion cursor without a score"))?;
        let score = sql.bind(Bind::Text(key.to_owned()));
        let id = sql.bind(Bind::Uuid(cursor.id));
        sql.push(" WHERE (r.score < ")
            .push(&score)
            .push("::numeric OR (r.score = ")
            .push(&score)
            .push("::numeric AND r.id > ")
            .push(&id)
            .push("))");
    }
    sql.push(" ORDER BY r.score DESC, r.id LIMIT ");
    sql.push_bind(Bind::Int(limit));
    Ok(())
}

/// Experts not linked to the initiative `target.id`, best first.
pub async fn experts_for_initiative(
    conn: &mut AsyncPgConnection,
    target: &Target<'_>,
    cursor: Option<&Cursor>,
    limit: i64,
) -> ApiResult<Vec<Candidate>> {
    let mut sql = Sql::new(
        "WITH topic_match AS (SELECT et.expert_id, \
        coalesce(array_agg(et.topic_slug ORDER BY et.topic_slug) FILTER (WHERE et.topic_slug = ANY(",
    );
    let c = common(&mut sql, target);
    sql.push(&c.own)
        .push(")), '{}') AS shared, coalesce(array_agg(et.topic_slug ORDER BY et.topic_slug) \
               FILTER (WHERE NOT et.topic_slug = ANY(")
        .push(&c.own)
        .push(")), '{}') AS related FROM expert_topics et WHERE et.expert_id = ANY(")
        .push(&c.pool)
        .push(") AND (et.topic_slug = ANY(")
        .push(&c.own)
        .push(") OR et.topic_slug = ANY(")
        .push(&c.related)
        .push(")) GROUP BY et.expert_id), \
        org_match AS (SELECT a.expert_id, array_agg(o.name ORDER BY o.name, o.id) AS organisations, count(*) AS n \
          FROM initiative_organisations io \
          JOIN organisations o ON o.id = io.organisation_id AND o.deleted_at IS NULL \
          CROSS JOIN LATERAL (SELECT f.expert_id FROM affiliations f \
            JOIN experts fe ON fe.id = f.expert_id AND fe.deleted_at IS NULL \
            WHERE f.organisation_id = o.id ORDER BY f.created_at DESC LIMIT ")
        .push(&c.hops)
        .push(") a WHERE io.initiative_id = ")
        .push(&c.id)
        .push(" GROUP BY a.expert_id), \
        co AS (SELECT other.expert_id, count(DISTINCT mine.expert_id) AS colleagues, \
            count(DISTINCT shared.initiative_id) AS initiatives \
          FROM initiative_experts mine \
          JOIN experts me ON me.id = mine.expert_id AND me.deleted_at IS NULL \
          CROSS JOIN LATERAL (SELECT s.initiative_id FROM initiative_experts s \
            JOIN initiatives si ON si.id = s.initiative_id AND si.deleted_at IS NULL \
            WHERE s.expert_id = mine.expert_id AND s.initiative_id <> ")
        .push(&c.id)
        .push(" ORDER BY s.created_at DESC LIMIT ")
        .push(&c.hops)
        .push(") shared \
          JOIN initiative_experts other ON other.initiative_id = shared.initiative_id \
            AND other.expert_id <> mine.expert_id \
          WHERE mine.initiative_id = ")
        .push(&c.id)
        .push(" GROUP BY other.expert_id), \
        candidates AS (SELECT expert_id FROM topic_match UNION SELECT expert_id FROM org_match \
          UNION SELECT expert_id FROM co), \
        pool AS (SELECT p.id, p.activity FROM unnest(")
        .push(&c.pool)
        .push("::uuid[], ")
        .push(&c.pool_activity)
        .push("::bigint[]) p(id, activity)), \
        counted AS (SELECT a.expert_id, count(*) AS activity FROM initiative_experts a \
          WHERE a.expert_id = ANY(ARRAY(SELECT expert_id FROM candidates EXCEPT SELECT id FROM pool)) \
            AND NOT EXISTS (SELECT 1 FROM initiatives ai WHERE ai.id = a.initiative_id \
              AND ai.deleted_at IS NOT NULL) \
          GROUP BY a.expert_id), \
        scored AS (SELECT e.id, e.given_name || ' ' || e.family_name AS name, NULL::text AS name_nl, \
            NULL::text AS acronym, e.country AS place, coalesce(e.is_public, false) AS public_profile, \
            coalesce(t.shared, '{}') AS shared_topics, coalesce(t.related, '{}') AS related_topics, \
            coalesce(m.organisations, '{}') AS organisations, coalesce(m.n, 0) AS organisation_count, \
            coalesce(k.colleagues, 0) AS colleagues, coalesce(k.initiatives, 0) AS shared_initiatives, \
            CASE WHEN e.country = ANY(")
        .push(&c.countries)
        .push(") THEN e.country END AS country_fit, \
            ARRAY(SELECT l FROM unnest(e.languages) l WHERE l = ANY(")
        .push(&c.languages)
        .push(") ORDER BY l) AS language_fit, NULL::bigint AS compatriots, \
            coalesce(pl.activity, cd.activity, 0) AS activity \
          FROM candidates n JOIN experts e ON e.id = n.expert_id \
          LEFT JOIN pool pl ON pl.id = e.id LEFT JOIN counted cd ON cd.expert_id = e.id \
          LEFT JOIN topic_match t ON t.expert_id = e.id \
          LEFT JOIN org_match m ON m.expert_id = e.id \
          LEFT JOIN co k ON k.expert_id = e.id \
          WHERE e.deleted_at IS NULL AND NOT EXISTS (SELECT 1 FROM initiative_experts x \
            WHERE x.initiative_id = ")
        .push(&c.id)
        .push(" AND x.expert_id = e.id)");
    push_page(&mut sql, &c, &target.weights, cursor, limit)?;
    Ok(sql.into_query().load(conn).await?)
}

/// Active and planned initiatives the expert `target.id` is not linked to,
/// best first. `country` is the expert's: European and international
/// initiatives with few or no participants from it rank higher.
pub async fn initiatives_for_expert(
    conn: &mut AsyncPgConnection,
    target: &Target<'_>,
    country: Option<&str>,
    cursor: Option<&Cursor>,
    limit: i64,
) -> ApiResult<Vec<Candidate>> {
    let mut sql = Sql::new(
        "WITH topic_match AS (SELECT it.initiative_id, \
        coalesce(array_agg(it.topic_slug ORDER BY it.topic_slug) FILTER (WHERE it.topic_slug = ANY(",
    );
    let c = common(&mut sql, target);
    let home = sql.bind(Bind::Text(country.unwrap_or_default().to_owned()));
    let (map_countries, map_languages) = language_map(&mut sql);
    sql.push(&c.own)
        .push(")), '{}') AS shared, coalesce(array_agg(it.topic_slug ORDER BY it.topic_slug) \
               FILTER (WHERE NOT it.topic_slug = ANY(")
        .push(&c.own)
        .push(")), '{}') AS related FROM initiative_topics it WHERE it.initiative_id = ANY(")
        .push(&c.pool)
        .push(") AND (it.topic_slug = ANY(")
        .push(&c.own)
        .push(") OR it.topic_slug = ANY(")
        .push(&c.related)
        .push(")) GROUP BY it.initiative_id), \
        org_match AS (SELECT io.initiative_id, array_agg(o.name ORDER BY o.name, o.id) AS organisations, count(*) AS n \
          FROM affiliations a \
          JOIN organisations o ON o.id = a.organisation_id AND o.deleted_at IS NULL \
          CROSS JOIN LATERAL (SELECT f.initiative_id FROM initiative_organisations f \
            JOIN initiatives fi ON fi.id = f.initiative_id AND fi.deleted_at IS NULL \
              AND fi.status IN ('active', 'planned') \
            WHERE f.organisation_id = o.id ORDER BY f.created_at DESC LIMIT ")
        .push(&c.hops)
        .push(") io WHERE a.expert_id = ")
        .push(&c.id)
        .push(" GROUP BY io.initiative_id), \
        co AS (SELECT other.initiative_id, count(DISTINCT colleague.expert_id) AS colleagues, \
            count(DISTINCT mine.initiative_id) AS initiatives \
          FROM (SELECT m.initiative_id, m.expert_id FROM initiative_experts m \
            JOIN initiatives mi ON mi.id = m.initiative_id AND mi.deleted_at IS NULL \
            WHERE m.expert_id = ")
        .push(&c.id)
        .push(" ORDER BY m.created_at DESC LIMIT ")
        .push(&c.hops)
        .push(") mine \
          JOIN initiative_experts colleague ON colleague.initiative_id = mine.initiative_id \
            AND colleague.expert_id <> mine.expert_id \
          JOIN experts ce ON ce.id = colleague.expert_id AND ce.deleted_at IS NULL \
          CROSS JOIN LATERAL (SELECT o.initiative_id FROM initiative_experts o \
            JOIN initiatives oi ON oi.id = o.initiative_id AND oi.deleted_at IS NULL \
              AND oi.status IN ('active', 'planned') \
            WHERE o.expert_id = colleague.expert_id AND o.initiative_id <> mine.initiative_id \
            ORDER BY o.created_at DESC LIMIT ")
        .push(&c.colleague_hops)
        .push(") other \
          GROUP BY other.initiative_id ORDER BY colleagues DESC, other.initiative_id LIMIT ")
        .push(&c.colleague_reach)
        .push("), \
        candidates AS (SELECT initiative_id FROM topic_match UNION SELECT initiative_id FROM org_match \
          UNION SELECT initiative_id FROM co), \
        compatriots AS (SELECT p.initiative_id, count(*) AS n FROM ( \
            SELECT io.initiative_id FROM initiative_organisations io JOIN organisations o \
              ON o.id = io.organisation_id AND o.deleted_at IS NULL AND o.country = ")
        .push(&home)
        .push(" WHERE io.initiative_id = ANY(ARRAY(SELECT initiative_id FROM candidates)) \
            UNION ALL SELECT ie.initiative_id FROM initiative_experts ie JOIN experts x \
              ON x.id = ie.expert_id AND x.deleted_at IS NULL AND x.country = ")
        .push(&home)
        .push(" WHERE ie.initiative_id = ANY(ARRAY(SELECT initiative_id FROM candidates))) p \
          GROUP BY p.initiative_id), \
        scored AS (SELECT i.id, i.title_en AS name, i.title_nl AS name_nl, \
            i.acronym, i.scope AS place, coalesce(i.is_public, false) AS public_profile, \
            coalesce(t.shared, '{}') AS shared_topics, coalesce(t.related, '{}') AS related_topics, \
            coalesce(m.organisations, '{}') AS organisations, coalesce(m.n, 0) AS organisation_count, \
            coalesce(k.colleagues, 0) AS colleagues, coalesce(k.initiatives, 0) AS shared_initiatives, \
            CASE WHEN ")
        .push(&home)
        .push(" = ANY(i.countries) THEN ")
        .push(&home)
        .push(" END AS country_fit, ARRAY(SELECT l FROM unnest(")
        .push(&c.languages)
        .push("::text[]) l WHERE l = ANY(coalesce(CASE WHEN i.scope = 'national' THEN \
              ARRAY(SELECT m.language FROM unnest(")
        .push(&map_countries)
        .push("::text[], ")
        .push(&map_languages)
        .push("::text[]) m(country, language) WHERE m.country = ANY(i.countries)) END, '{}') \
              || CASE WHEN i.scope <> 'national' OR NOT i.countries && ")
        .push(&map_countries)
        .push("::text[] THEN ARRAY['en'] ELSE '{}' END) ORDER BY l) AS language_fit, \
            CASE WHEN i.scope <> 'national' AND ")
        .push(&home)
        .push(" <> '' THEN coalesce(cp.n, 0) END AS compatriots, 0::bigint AS activity \
          FROM candidates n JOIN initiatives i ON i.id = n.initiative_id \
          LEFT JOIN compatriots cp ON cp.initiative_id = i.id \
          LEFT JOIN topic_match t ON t.initiative_id = i.id \
          LEFT JOIN org_match m ON m.initiative_id = i.id \
          LEFT JOIN co k ON k.initiative_id = i.id \
          WHERE i.deleted_at IS NULL AND i.status IN ('active', 'planned') \
            AND NOT EXISTS (SELECT 1 FROM initiative_experts x WHERE x.initiative_id = i.id \
              AND x.expert_id = ")
        .push(&c.id)
        .push(")");
    push_page(&mut sql, &c, &target.weights, cursor, limit)?;
    Ok(sql.into_query().load(conn).await?)
}
