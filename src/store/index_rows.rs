//! What the search index holds of each record, read in one narrow statement
//! per kind: texts, filter values, linked ids and visibility, without the
//! JSON summaries a record's `GET` embeds. Read from the base tables: the
//! rows say whether the public may see them.

use chrono::{DateTime, NaiveDate, Utc};
use diesel::QueryableByName;
use diesel::sql_types::{Array, BigInt, Bool, Date, Nullable, Text, Timestamptz, Uuid as SqlUuid};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use crate::error::ApiResult;
use crate::store::records::Kind;

/// One record as the index sees it; columns a kind lacks are empty.
#[derive(Debug, Clone, QueryableByName)]
pub struct IndexRow {
    #[diesel(sql_type = SqlUuid)]
    pub id: Uuid,
    /// Title or name (in one language or both) and acronym.
    #[diesel(sql_type = Nullable<Text>)]
    pub name_en: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    pub name_nl: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    pub acronym: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    pub summary_en: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    pub summary_nl: Option<String>,
    /// A description or a biography.
    #[diesel(sql_type = Nullable<Text>)]
    pub body_en: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    pub body_nl: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    pub scope: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    pub status: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    pub record_type: Option<String>,
    #[diesel(sql_type = Array<Text>)]
    pub countries: Vec<String>,
    #[diesel(sql_type = Array<Text>)]
    pub regulations: Vec<String>,
    #[diesel(sql_type = Array<Text>)]
    pub languages: Vec<String>,
    /// The record's topics with their broader topics.
    #[diesel(sql_type = Array<Text>)]
    pub topics: Vec<String>,
    /// The record's own topics, as it names them.
    #[diesel(sql_type = Array<Text>)]
    pub own_topics: Vec<String>,
    #[diesel(sql_type = Array<SqlUuid>)]
    pub linked: Vec<Uuid>,
    /// For experts: the scopes and topics of their live initiatives, as
    /// `s:<scope>`, `t:<topic>` and `st:<scope>/<topic>` (so that a scope and
    /// a topic can be asked of one and the same initiative); for staff, and
    /// of the public initiatives only, for the public.
    #[diesel(sql_type = Array<Text>)]
    pub context: Vec<String>,
    #[diesel(sql_type = Array<Text>)]
    pub public_context: Vec<String>,
    /// For initiatives: the countries of the organisations and experts
    /// taking part, and how many of them there are; for experts, how many
    /// initiatives they take part in. For staff, and of the public records
    /// only, for the public.
    #[diesel(sql_type = Array<Text>)]
    pub participant_countries: Vec<String>,
    #[diesel(sql_type = Array<Text>)]
    pub public_participant_countries: Vec<String>,
    #[diesel(sql_type = BigInt)]
    pub participants: i64,
    #[diesel(sql_type = BigInt)]
    pub public_participants: i64,
    /// The folded name or title lists sort by.
    #[diesel(sql_type = Text)]
    pub sort_key: String,
    #[diesel(sql_type = Nullable<Date>)]
    pub start_date: Option<NaiveDate>,
    #[diesel(sql_type = Nullable<Date>)]
    pub end_date: Option<NaiveDate>,
    #[diesel(sql_type = Bool)]
    pub public: bool,
    #[diesel(sql_type = Timestamptz)]
    pub updated_at: DateTime<Utc>,
    /// When what the public sees last changed (meaningful when `public`).
    #[diesel(sql_type = Timestamptz)]
    pub public_updated_at: DateTime<Utc>,
}

const ORGANISATIONS: &str = "SELECT r.id, r.name AS name_en, r.name AS name_nl, r.acronym, \
    NULL::text AS summary_en, NULL::text AS summary_nl, \
    r.description_en AS body_en, r.description_nl AS body_nl, \
    NULL::text AS scope, NULL::text AS status, r.organisation_type AS record_type, \
    array_remove(ARRAY[r.country], NULL) AS countries, '{}'::text[] AS regulations, \
    '{}'::text[] AS languages, r.topic_closure AS topics, \
    ARRAY(SELECT t.topic_slug FROM organisation_topics t WHERE t.organisation_id = r.id) AS own_topics, \
    ARRAY(SELECT l.initiative_id FROM initiative_organisations l WHERE l.organisation_id = r.id) \
      || ARRAY(SELECT l.expert_id FROM affiliations l WHERE l.organisation_id = r.id) AS linked, \
    '{}'::text[] AS context, '{}'::text[] AS public_context, \
    '{}'::text[] AS participant_countries, '{}'::text[] AS public_participant_countries, \
    0::bigint AS participants, 0::bigint AS public_participants, \
    r.sort_name AS sort_key, NULL::date AS start_date, NULL::date AS end_date, \
    coalesce(r.is_public, false) AS public, r.updated_at, \
    coalesce(r.public_updated_at, r.updated_at) AS public_updated_at \
    FROM organisations r WHERE r.deleted_at IS NULL";

const EXPERTS: &str = "SELECT r.id, r.given_name || ' ' || r.family_name AS name_en, \
    r.given_name || ' ' || r.family_name AS name_nl, NULL::text AS acronym, \
    NULL::text AS summary_en, NULL::text AS summary_nl, r.bio_en AS body_en, r.bio_nl AS body_nl, \
    NULL::text AS scope, NULL::text AS status, NULL::text AS record_type, \
    array_remove(ARRAY[r.country], NULL) AS countries, '{}'::text[] AS regulations, \
    r.languages, r.topic_closure AS topics, \
    ARRAY(SELECT t.topic_slug FROM expert_topics t WHERE t.expert_id = r.id) AS own_topics, \
    ARRAY(SELECT l.initiative_id FROM initiative_experts l WHERE l.expert_id = r.id) \
      || ARRAY(SELECT l.organisation_id FROM affiliations l WHERE l.expert_id = r.id) AS linked, \
    ARRAY(SELECT DISTINCT c.value FROM initiative_experts l JOIN initiatives i ON i.id = l.initiative_id \
      CROSS JOIN LATERAL aimd_initiative_context(i.scope, i.topic_closure) c(value) \
      WHERE l.expert_id = r.id AND i.deleted_at IS NULL) AS context, \
    ARRAY(SELECT DISTINCT c.value FROM initiative_experts l JOIN initiatives i ON i.id = l.initiative_id \
      CROSS JOIN LATERAL aimd_initiative_context(i.scope, i.topic_closure) c(value) \
      WHERE l.expert_id = r.id AND i.deleted_at IS NULL AND i.is_public) AS public_context, \
    '{}'::text[] AS participant_countries, '{}'::text[] AS public_participant_countries, \
    (SELECT count(*) FROM initiative_experts l JOIN initiatives i ON i.id = l.initiative_id \
      WHERE l.expert_id = r.id AND i.deleted_at IS NULL) AS participants, \
    (SELECT count(*) FROM initiative_experts l JOIN initiatives i ON i.id = l.initiative_id \
      WHERE l.expert_id = r.id AND i.deleted_at IS NULL AND i.is_public) AS public_participants, \
    r.sort_name AS sort_key, NULL::date AS start_date, NULL::date AS end_date, \
    coalesce(r.is_public, false) AS public, r.updated_at, \
    coalesce(r.public_updated_at, r.updated_at) AS public_updated_at \
    FROM experts r WHERE r.deleted_at IS NULL";

const INITIATIVES: &str = "SELECT r.id, r.title_en AS name_en, r.title_nl AS name_nl, r.acronym, \
    r.summary_en, r.summary_nl, NULL::text AS body_en, NULL::text AS body_nl, \
    r.scope, r.status, r.initiative_type AS record_type, r.countries, r.regulations, \
    '{}'::text[] AS languages, r.topic_closure AS topics, \
    ARRAY(SELECT t.topic_slug FROM initiative_topics t WHERE t.initiative_id = r.id) AS own_topics, \
    ARRAY(SELECT l.organisation_id FROM initiative_organisations l WHERE l.initiative_id = r.id) \
      || ARRAY(SELECT l.expert_id FROM initiative_experts l WHERE l.initiative_id = r.id) \
      || ARRAY(SELECT l.object_id FROM initiative_relations l WHERE l.subject_id = r.id) \
      || ARRAY(SELECT l.subject_id FROM initiative_relations l WHERE l.object_id = r.id) AS linked, \
    '{}'::text[] AS context, '{}'::text[] AS public_context, \
    coalesce(p.countries, '{}') AS participant_countries, \
    coalesce(p.public_countries, '{}') AS public_participant_countries, \
    p.participants, p.public_participants, \
    r.sort_title AS sort_key, r.start_date, r.end_date, \
    coalesce(r.is_public, false) AS public, r.updated_at, \
    coalesce(r.public_updated_at, r.updated_at) AS public_updated_at \
    FROM initiatives r CROSS JOIN LATERAL ( \
      SELECT array_agg(DISTINCT t.country ORDER BY t.country) FILTER (WHERE t.country IS NOT NULL) AS countries, \
        array_agg(DISTINCT t.country ORDER BY t.country) \
          FILTER (WHERE t.country IS NOT NULL AND t.public) AS public_countries, \
        count(t.public) AS participants, count(t.public) FILTER (WHERE t.public) AS public_participants \
      FROM (SELECT o.country, coalesce(o.is_public, false) AS public FROM initiative_organisations l \
              JOIN organisations o ON o.id = l.organisation_id AND o.deleted_at IS NULL \
             WHERE l.initiative_id = r.id \
            UNION ALL \
            SELECT e.country, coalesce(e.is_public, false) FROM initiative_experts l \
              JOIN experts e ON e.id = l.expert_id AND e.deleted_at IS NULL \
             WHERE l.initiative_id = r.id) t) p \
    WHERE r.deleted_at IS NULL";

fn statement(kind: Kind) -> &'static str {
    match kind {
        Kind::Organisation => ORGANISATIONS,
        Kind::Expert => EXPERTS,
        Kind::Initiative => INITIATIVES,
    }
}

/// Up to `limit` live records of `kind` after `after`, in id order.
pub async fn after(
    conn: &mut AsyncPgConnection,
    kind: Kind,
    after: Uuid,
    limit: i64,
) -> ApiResult<Vec<IndexRow>> {
    let page = crate::sql::sql!(statement(kind), " AND r.id > $1 ORDER BY r.id LIMIT $2");
    Ok(page
        .query()
        .bind::<SqlUuid, _>(after)
        .bind::<BigInt, _>(limit)
        .load(conn)
        .await?)
}

/// The live records of `kind` among `ids`; deleted, merged or erased ones
/// are left out.
pub async fn among(
    conn: &mut AsyncPgConnection,
    kind: Kind,
    ids: &[Uuid],
) -> ApiResult<Vec<IndexRow>> {
    let chosen = crate::sql::sql!(statement(kind), " AND r.id = ANY($1)");
    Ok(chosen
        .query()
        .bind::<Array<SqlUuid>, _>(ids)
        .load(conn)
        .await?)
}
