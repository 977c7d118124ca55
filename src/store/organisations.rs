//! All SQL for organisations.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use crate::auth::Audience;
use crate::domain::enums::OrganisationType;
use crate::domain::enums::PublicationStatus;
use crate::domain::matches::{
    LIKELY_DUPLICATE, MAX_CANDIDATES, MatchReason, PossibleDuplicate, SIMILAR_NAME, score,
};
use crate::domain::organisations::{
    Organisation, OrganisationCandidate, OrganisationDraft, OrganisationFilter, OrganisationProbe,
};
use crate::domain::sources;
use crate::domain::summaries::LocalizedText;
use crate::domain::topics::Vocabulary;
use crate::domain::values::{Country, Localized, Name, RorId, ShortText, Slug, WebUrl};
use crate::error::ApiResult;
use crate::schema::organisations;
use crate::sql::{ByIds, sql};
use crate::store::records::StoredKind;
use crate::store::records::{self, Kind, ReviewRow};
use crate::store::summaries;
use diesel::sql_types::{Array, Json, Jsonb};
use diesel::sql_types::{BigInt, Bool, Float4, Nullable, Text};
use diesel::{QueryableByName, sql_query};
use serde_json::Value;

#[derive(Queryable, QueryableByName, Selectable)]
#[diesel(table_name = organisations, check_for_backend(diesel::pg::Pg))]
struct OrganisationRow {
    id: Uuid,
    name: String,
    acronym: Option<String>,
    organisation_type: OrganisationType,
    country: Option<String>,
    website: Option<String>,
    ror_id: Option<String>,
    description_en: Option<String>,
    description_nl: Option<String>,
    sources: Value,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
    version: i64,
    publication_status: PublicationStatus,
}

#[derive(Insertable, AsChangeset)]
#[diesel(table_name = organisations, treat_none_as_null = true)]
struct OrganisationColumns<'a> {
    name: &'a str,
    acronym: Option<&'a str>,
    organisation_type: &'a str,
    country: Option<&'a str>,
    website: Option<&'a str>,
    ror_id: Option<&'a str>,
    description_en: Option<&'a str>,
    description_nl: Option<&'a str>,
    sources: Value,
}

impl<'a> OrganisationColumns<'a> {
    fn of(d: &'a OrganisationDraft) -> ApiResult<Self> {
        let description = d.description.as_ref();
        Ok(Self {
            name: d.name.as_str(),
            acronym: d.acronym.as_ref().map(ShortText::as_str),
            organisation_type: d.organisation_type.as_str(),
            country: d.country.as_ref().map(Country::as_str),
            website: d.website.as_ref().map(WebUrl::as_str),
            ror_id: d.ror_id.as_ref().map(RorId::as_str),
            description_en: description.and_then(Localized::en_str),
            description_nl: description.and_then(Localized::nl_str),
            sources: sources::to_db(&d.sources)?,
        })
    }
}

/// How organisations are stored and read (the [`StoredKind`] of organisations).
pub struct Organisations;

impl StoredKind for Organisations {
    const KIND: Kind = Kind::Organisation;

    type Draft = OrganisationDraft;

    fn parse_draft(body: &Value, vocabulary: &Vocabulary) -> ApiResult<OrganisationDraft> {
        OrganisationDraft::from_json(body, vocabulary)
    }

    async fn insert(
        conn: &mut AsyncPgConnection,
        id: Uuid,
        draft: &OrganisationDraft,
    ) -> ApiResult<Uuid> {
        let now = Utc::now();
        diesel::insert_into(organisations::table)
            .values((
                organisations::id.eq(id),
                OrganisationColumns::of(draft)?,
                organisations::created_at.eq(now),
                organisations::updated_at.eq(now),
                organisations::content_changed_at.eq(now),
            ))
            .execute(conn)
            .await?;
        records::replace_topics(conn, Kind::Organisation, id, &draft.topics).await?;
        Ok(id)
    }

    /// The organisation as a client would write it; the base a merge patch applies to.
    async fn load_draft(conn: &mut AsyncPgConnection, id: Uuid) -> ApiResult<OrganisationDraft> {
        let row: OrganisationRow = organisations::table
            .find(id)
            .select(OrganisationRow::as_select())
            .first(conn)
            .await?;
        let topics = records::topics_of(conn, Kind::Organisation, &[id])
            .await?
            .remove(&id)
            .unwrap_or_default();
        Ok(OrganisationDraft {
            name: Name::from_db(row.name),
            acronym: row.acronym.map(ShortText::from_db),
            organisation_type: row.organisation_type,
            country: row.country.map(Country::from_db),
            website: row.website.map(WebUrl::from_db),
            ror_id: row.ror_id.map(RorId::from_db),
            description: Some(Localized::from_db(row.description_en, row.description_nl))
                .filter(|d| !d.is_empty()),
            topics: topics.into_iter().map(Slug::from_db).collect(),
            sources: sources::from_db(row.sources)?,
        })
    }

    async fn update(
        conn: &mut AsyncPgConnection,
        id: Uuid,
        draft: &OrganisationDraft,
    ) -> ApiResult<()> {
        let now = Utc::now();
        diesel::update(organisations::table.find(id))
            .set((
                OrganisationColumns::of(draft)?,
                organisations::version.eq(organisations::version + 1),
                organisations::updated_at.eq(now),
                organisations::content_changed_at.eq(now),
            ))
            .execute(conn)
            .await?;
        records::replace_topics(conn, Kind::Organisation, id, &draft.topics).await
    }

    const CSV_COLUMNS: &'static [&'static str] = &[
        "id",
        "name",
        "acronym",
        "type",
        "country",
        "website",
        "rorId",
        "description.en",
        "description.nl",
        "topics",
        "initiatives",
        "experts",
        "sources",
        "publicationStatus",
        "lastReviewedAt",
        "createdAt",
        "updatedAt",
        "version",
    ];
    const EXTERNAL_KEY_COLUMNS: &'static [&'static str] = &["ror_id", "website"];
    type Record = Organisation;
    type Filter = OrganisationFilter;

    fn id(record: &Organisation) -> Uuid {
        record.id
    }

    fn sources(draft: &OrganisationDraft) -> &[sources::Source] {
        &draft.sources
    }

    async fn likely_duplicates(
        conn: &mut AsyncPgConnection,
        draft: &OrganisationDraft,
    ) -> ApiResult<Vec<PossibleDuplicate>> {
        // By its name, and by its acronym (which the finder compares with
        // the others' acronyms): the better of the two for each candidate.
        let names = std::iter::once(draft.name.clone()).chain(
            draft
                .acronym
                .as_ref()
                .and_then(|a| Name::parse(a.as_str()).ok()),
        );
        let mut found: Vec<PossibleDuplicate> = Vec::new();
        for name in names {
            let probe = OrganisationProbe {
                name: Some(name),
                country: draft.country.clone(),
                domain: draft.website.as_ref().map(WebUrl::domain),
                ror_id: draft.ror_id.clone(),
            };
            for c in candidates(conn, &probe).await? {
                if c.score < LIKELY_DUPLICATE
                    || found.iter().any(|f| f.id == c.id && f.score >= c.score)
                {
                    continue;
                }
                found.retain(|f| f.id != c.id);
                found.push(PossibleDuplicate {
                    id: c.id,
                    name: c.name,
                    score: c.score,
                    reasons: c.reasons,
                });
            }
        }
        found.sort_by(|a, b| b.score.total_cmp(&a.score).then(a.id.cmp(&b.id)));
        Ok(found)
    }

    fn external_keys(draft: &OrganisationDraft) -> Vec<String> {
        let ror = draft.ror_id.as_ref().map(|r| r.as_str().to_owned());
        let website = draft.website.as_ref().map(|w| w.as_str().to_owned());
        ror.into_iter().chain(website).collect()
    }

    fn version(record: &Organisation) -> i64 {
        record.version
    }

    async fn check_filter(
        conn: &mut AsyncPgConnection,
        filter: &OrganisationFilter,
    ) -> ApiResult<()> {
        records::check_filter_ids(conn, Kind::Initiative, "initiative", &filter.initiative).await
    }

    async fn load(
        conn: &mut AsyncPgConnection,
        vocabulary: &Vocabulary,
        ids: &[Uuid],
        audience: Audience,
    ) -> ApiResult<Vec<Organisation>> {
        let query = ByIds::new(
            sql!(
                "SELECT ",
                COLUMNS,
                ", ARRAY(SELECT t.topic_slug FROM organisation_topics t WHERE t.organisation_id = r.id) AS topics, ",
                summaries::sql::INITIATIVES_OF_ORGANISATION,
                " AS initiatives, ",
                summaries::sql::EXPERTS_OF_ORGANISATION,
                " AS experts, ",
                records::pending_revision_sql(audience),
                " AS pending_revision, ",
                records::reviewer_sql(audience),
                " AS reviewed_by FROM organisations r WHERE r.id = ANY("
            ),
            ids,
            ") AND r.deleted_at IS NULL",
        );
        let rows: Vec<Loaded> = query.load(conn).await?;
        rows.into_iter()
            .map(|row| row.into_record(vocabulary))
            .collect()
    }
}

/// The row's columns, as `load` selects them.
const COLUMNS: &str = "r.id, r.name, r.acronym, r.organisation_type, r.country, r.website, r.ror_id, r.description_en, r.description_nl, r.sources, r.last_reviewed_at, r.created_at, r.updated_at AS updated_at, r.version AS version, r.publication_status";

/// A record with its topics and links, in one row.
#[derive(QueryableByName)]
struct Loaded {
    #[diesel(embed)]
    columns: OrganisationRow,
    #[diesel(sql_type = Array<Text>)]
    topics: Vec<String>,
    #[diesel(sql_type = Json)]
    initiatives: serde_json::Value,
    #[diesel(sql_type = Json)]
    experts: serde_json::Value,
    #[diesel(sql_type = Nullable<Jsonb>)]
    pending_revision: Option<serde_json::Value>,
    #[diesel(embed)]
    review: ReviewRow,
}

impl Loaded {
    fn into_record(self, vocabulary: &Vocabulary) -> ApiResult<Organisation> {
        let row = self.columns;
        let review = self.review.into_review()?;
        Ok(Organisation {
            topics: vocabulary.references(self.topics),
            initiatives: summaries::decode(self.initiatives)?,
            experts: summaries::decode(self.experts)?,
            id: row.id,
            name: row.name,
            acronym: row.acronym,
            organisation_type: row.organisation_type,
            country: row.country,
            website: row.website,
            ror_id: row.ror_id,
            description: LocalizedText::optional(row.description_en, row.description_nl),
            sources: sources::from_db(row.sources)?,
            last_reviewed_at: review.last_reviewed_at,
            reviewed_by: review.reviewed_by,
            created_at: row.created_at,
            updated_at: row.updated_at,
            version: row.version,
            pending_revision: self.pending_revision,
            publication_status: row.publication_status,
        })
    }
}

#[derive(QueryableByName)]
struct CandidateRow {
    #[diesel(sql_type = diesel::sql_types::Uuid)]
    id: Uuid,
    #[diesel(sql_type = Text)]
    name: String,
    #[diesel(sql_type = Nullable<Text>)]
    acronym: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    country: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    website: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    ror_id: Option<String>,
    #[diesel(sql_type = Bool)]
    same_ror: bool,
    #[diesel(sql_type = Bool)]
    same_domain: bool,
    #[diesel(sql_type = Bool)]
    acronym_match: bool,
    #[diesel(sql_type = Bool)]
    same_country: bool,
    #[diesel(sql_type = Float4)]
    name_similarity: f32,
}

/// Organisations that may be the one described: same ROR id, same website
/// domain, the name given as their acronym, or a similar name (trigrams).
pub async fn candidates(
    conn: &mut AsyncPgConnection,
    probe: &OrganisationProbe,
) -> ApiResult<Vec<OrganisationCandidate>> {
    // Only curators find matches: they see records in every state.
    let rows: Vec<CandidateRow> = sql_query(
        "SELECT r.id, r.name, r.acronym, r.country, r.website, r.ror_id, \
         coalesce(r.ror_id = $2, false) AS same_ror, \
         coalesce(r.website_domain = $3, false) AS same_domain, \
         coalesce(lower(r.acronym) = lower($1), false) AS acronym_match, \
         coalesce(r.country = $4, false) AS same_country, \
         coalesce(greatest(word_similarity(aimd_fold($1), r.search_name), \
         word_similarity(r.search_name, aimd_fold($1))), 0)::float4 AS name_similarity \
         FROM organisations r WHERE r.deleted_at IS NULL AND (r.ror_id = $2 OR r.website_domain = $3 \
         OR lower(r.acronym) = lower($1) OR aimd_fold($1) <% r.search_name OR aimd_fold($1) %> r.search_name) \
         ORDER BY name_similarity DESC, r.id LIMIT $5",
    )
    .bind::<Nullable<Text>, _>(probe.name.as_ref().map(|n| n.as_str()))
    .bind::<Nullable<Text>, _>(probe.ror_id.as_ref().map(|r| r.as_str()))
    .bind::<Nullable<Text>, _>(probe.domain.as_deref())
    .bind::<Nullable<Text>, _>(probe.country.as_ref().map(|c| c.as_str()))
    .bind::<BigInt, _>(MAX_CANDIDATES as i64 * 5)
    .load(conn)
    .await?;
    let mut candidates: Vec<OrganisationCandidate> = rows
        .into_iter()
        .map(|row| {
            let similarity = f64::from(row.name_similarity);
            let reasons: Vec<MatchReason> = [
                (row.same_ror, MatchReason::SameRorId),
                (row.same_domain, MatchReason::SameWebsiteDomain),
                (row.acronym_match, MatchReason::Acronym),
                (similarity >= SIMILAR_NAME, MatchReason::SimilarName),
                (row.same_country, MatchReason::SameCountry),
            ]
            .into_iter()
            .filter_map(|(applies, reason)| applies.then_some(reason))
            .collect();
            OrganisationCandidate {
                score: score(&reasons, similarity),
                reasons,
                id: row.id,
                name: row.name,
                acronym: row.acronym,
                country: row.country,
                website: row.website,
                ror_id: row.ror_id,
            }
        })
        .filter(|c| c.reasons.iter().any(|r| *r != MatchReason::SameCountry))
        .collect();
    candidates.sort_by(|a, b| b.score.total_cmp(&a.score).then_with(|| a.id.cmp(&b.id)));
    candidates.truncate(MAX_CANDIDATES);
    Ok(candidates)
}
