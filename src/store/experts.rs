//! All SQL for experts.

use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use crate::auth::Audience;
use crate::domain::enums::PublicationStatus;
use crate::domain::experts::{
    Consent, Expert, ExpertCandidate, ExpertDraft, ExpertFilter, ExpertProbe,
};
use crate::domain::matches::{
    LIKELY_DUPLICATE, MAX_CANDIDATES, MatchReason, PossibleDuplicate, SIMILAR_NAME, score,
};
use crate::domain::sources;
use crate::domain::summaries::{LocalizedText, expert_name};
use crate::domain::topics::Vocabulary;
use crate::domain::values::{
    Country, Date, Email, Language, Localized, Name, Orcid, ShortText, Slug, Text as Bounded,
};
use crate::error::ApiResult;
use crate::schema::experts;
use crate::sql::{ByIds, sql};
use crate::store::records::StoredKind;
use crate::store::records::{self, Kind, ReviewRow};
use crate::store::summaries;
use diesel::sql_types::{Array, Json, Jsonb};
use diesel::sql_types::{BigInt, Bool, Float4, Nullable, Text};
use diesel::{QueryableByName, sql_query};
use serde_json::Value;

#[derive(Queryable, QueryableByName, Selectable)]
#[diesel(table_name = experts, check_for_backend(diesel::pg::Pg))]
struct ExpertRow {
    id: Uuid,
    given_name: String,
    family_name: String,
    honorific: Option<String>,
    orcid: Option<String>,
    email: Option<String>,
    country: Option<String>,
    languages: Vec<String>,
    bio_en: Option<String>,
    bio_nl: Option<String>,
    consent_public_profile: bool,
    consent_given_at: Option<NaiveDate>,
    consent_note: Option<String>,
    sources: Value,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
    version: i64,
    publication_status: PublicationStatus,
}

#[derive(Insertable, AsChangeset)]
#[diesel(table_name = experts, treat_none_as_null = true)]
struct ExpertColumns<'a> {
    given_name: &'a str,
    family_name: &'a str,
    honorific: Option<&'a str>,
    orcid: Option<&'a str>,
    email: Option<&'a str>,
    country: Option<&'a str>,
    languages: Vec<&'a str>,
    bio_en: Option<&'a str>,
    bio_nl: Option<&'a str>,
    consent_public_profile: bool,
    consent_given_at: Option<NaiveDate>,
    consent_note: Option<&'a str>,
    sources: Value,
}

impl<'a> ExpertColumns<'a> {
    fn of(d: &'a ExpertDraft) -> ApiResult<Self> {
        let bio = d.bio.as_ref();
        Ok(Self {
            given_name: d.given_name.as_str(),
            family_name: d.family_name.as_str(),
            honorific: d.honorific.as_ref().map(ShortText::as_str),
            orcid: d.orcid.as_ref().map(Orcid::as_str),
            email: d.email.as_ref().map(Email::as_str),
            country: d.country.as_ref().map(Country::as_str),
            languages: d.languages.iter().map(Language::as_str).collect(),
            bio_en: bio.and_then(Localized::en_str),
            bio_nl: bio.and_then(Localized::nl_str),
            consent_public_profile: d.consent.as_ref().is_some_and(|c| c.public_profile),
            consent_given_at: d.consent.as_ref().and_then(|c| c.given_at).map(|d| d.0),
            consent_note: d
                .consent
                .as_ref()
                .and_then(|c| c.note.as_ref())
                .map(|n| n.as_str()),
            sources: sources::to_db(&d.sources)?,
        })
    }
}

/// How experts are stored and read (the [`StoredKind`] of experts).
pub struct Experts;

impl StoredKind for Experts {
    const KIND: Kind = Kind::Expert;

    type Draft = ExpertDraft;

    fn parse_draft(body: &Value, vocabulary: &Vocabulary) -> ApiResult<ExpertDraft> {
        ExpertDraft::from_json(body, vocabulary)
    }

    async fn insert(
        conn: &mut AsyncPgConnection,
        id: Uuid,
        draft: &ExpertDraft,
    ) -> ApiResult<Uuid> {
        let now = Utc::now();
        diesel::insert_into(experts::table)
            .values((
                experts::id.eq(id),
                ExpertColumns::of(draft)?,
                experts::created_at.eq(now),
                experts::updated_at.eq(now),
                experts::content_changed_at.eq(now),
            ))
            .execute(conn)
            .await?;
        records::replace_topics(conn, Kind::Expert, id, &draft.topics).await?;
        Ok(id)
    }

    /// The expert as a client would write them; the base a merge patch applies to.
    async fn load_draft(conn: &mut AsyncPgConnection, id: Uuid) -> ApiResult<ExpertDraft> {
        let row: ExpertRow = experts::table
            .find(id)
            .select(ExpertRow::as_select())
            .first(conn)
            .await?;
        let topics = records::topics_of(conn, Kind::Expert, &[id])
            .await?
            .remove(&id)
            .unwrap_or_default();
        Ok(ExpertDraft {
            given_name: Name::from_db(row.given_name),
            family_name: Name::from_db(row.family_name),
            honorific: row.honorific.map(ShortText::from_db),
            orcid: row.orcid.map(Orcid::from_db),
            email: row.email.map(Email::from_db),
            country: row.country.map(Country::from_db),
            languages: row.languages.into_iter().map(Language::from_db).collect(),
            bio: Some(Localized::from_db(row.bio_en, row.bio_nl)).filter(|b| !b.is_empty()),
            topics: topics.into_iter().map(Slug::from_db).collect(),
            consent: (row.consent_public_profile
                || row.consent_given_at.is_some()
                || row.consent_note.is_some())
            .then(|| Consent {
                public_profile: row.consent_public_profile,
                given_at: row.consent_given_at.map(Date),
                note: row.consent_note.map(Bounded::from_db),
            }),
            sources: sources::from_db(row.sources)?,
        })
    }

    async fn update(conn: &mut AsyncPgConnection, id: Uuid, draft: &ExpertDraft) -> ApiResult<()> {
        let now = Utc::now();
        diesel::update(experts::table.find(id))
            .set((
                ExpertColumns::of(draft)?,
                experts::version.eq(experts::version + 1),
                experts::updated_at.eq(now),
                experts::content_changed_at.eq(now),
            ))
            .execute(conn)
            .await?;
        records::replace_topics(conn, Kind::Expert, id, &draft.topics).await
    }

    const CSV_COLUMNS: &'static [&'static str] = &[
        "id",
        "givenName",
        "familyName",
        "honorific",
        "name",
        "orcid",
        "email",
        "country",
        "languages",
        "bio.en",
        "bio.nl",
        "topics",
        "affiliations",
        "initiatives",
        "sources",
        "publicationStatus",
        "lastReviewedAt",
        "createdAt",
        "updatedAt",
        "version",
    ];
    /// E-mail addresses match case-insensitively (the keys are lower-cased).
    const EXTERNAL_KEY_COLUMNS: &'static [&'static str] = &["orcid", "lower(email)"];
    type Record = Expert;
    type Filter = ExpertFilter;

    fn id(record: &Expert) -> Uuid {
        record.id
    }

    fn sources(draft: &ExpertDraft) -> &[sources::Source] {
        &draft.sources
    }

    async fn likely_duplicates(
        conn: &mut AsyncPgConnection,
        draft: &ExpertDraft,
    ) -> ApiResult<Vec<PossibleDuplicate>> {
        let name = expert_name(draft.given_name.as_str(), draft.family_name.as_str());
        let probe = ExpertProbe {
            name: Name::parse(&name).ok(),
            orcid: draft.orcid.clone(),
            email: draft.email.clone(),
        };
        Ok(candidates(conn, &probe)
            .await?
            .into_iter()
            .filter(|c| c.score >= LIKELY_DUPLICATE)
            .map(|c| PossibleDuplicate {
                id: c.id,
                name: c.name,
                score: c.score,
                reasons: c.reasons,
            })
            .collect())
    }

    fn external_keys(draft: &ExpertDraft) -> Vec<String> {
        let orcid = draft.orcid.as_ref().map(|o| o.as_str().to_owned());
        let email = draft.email.as_ref().map(|e| e.as_str().to_lowercase());
        orcid.into_iter().chain(email).collect()
    }

    /// An e-mail address in any case; an ORCID iD as written.
    fn reference_keys(reference: &str) -> Vec<String> {
        vec![reference.to_owned(), reference.to_lowercase()]
    }

    fn version(record: &Expert) -> i64 {
        record.version
    }

    async fn check_filter(conn: &mut AsyncPgConnection, filter: &ExpertFilter) -> ApiResult<()> {
        records::check_filter_ids(
            conn,
            Kind::Organisation,
            "organisation",
            &filter.organisation,
        )
        .await?;
        records::check_filter_ids(conn, Kind::Initiative, "initiative", &filter.initiative).await
    }

    async fn load(
        conn: &mut AsyncPgConnection,
        vocabulary: &Vocabulary,
        ids: &[Uuid],
        audience: Audience,
    ) -> ApiResult<Vec<Expert>> {
        let query = ByIds::new(
            sql!(
                "SELECT ",
                columns(audience),
                ", ARRAY(SELECT t.topic_slug FROM expert_topics t WHERE t.expert_id = r.id) AS topics, ",
                summaries::sql::AFFILIATIONS_OF_EXPERT,
                " AS affiliations, ",
                summaries::sql::INITIATIVES_OF_EXPERT,
                " AS initiatives, ",
                records::pending_revision_sql(audience),
                " AS pending_revision, ",
                records::reviewer_sql(audience),
                " AS reviewed_by FROM experts r WHERE r.id = ANY("
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

/// The row's columns as `load` selects them for `audience`: contact data
/// and consent only for staff.
fn columns(audience: Audience) -> &'static str {
    match audience {
        Audience::Staff => {
            "r.id, r.given_name, r.family_name, r.honorific, r.orcid, r.email, r.country, r.languages, \
             r.bio_en, r.bio_nl, r.consent_public_profile, r.consent_given_at, r.consent_note, \
             true AS shows_consent, r.sources, r.last_reviewed_at, \
             r.created_at, r.updated_at AS updated_at, r.version AS version, r.publication_status"
        }
        Audience::Public => {
            "r.id, r.given_name, r.family_name, r.honorific, r.orcid, NULL::text AS email, r.country, \
             r.languages, r.bio_en, r.bio_nl, false AS consent_public_profile, \
             NULL::date AS consent_given_at, NULL::text AS consent_note, false AS shows_consent, \
             r.sources, r.last_reviewed_at, r.created_at, r.updated_at AS updated_at, r.version AS version, r.publication_status"
        }
    }
}

/// A record with its topics and links, in one row.
#[derive(QueryableByName)]
struct Loaded {
    #[diesel(embed)]
    columns: ExpertRow,
    #[diesel(sql_type = Array<Text>)]
    topics: Vec<String>,
    #[diesel(sql_type = Json)]
    affiliations: serde_json::Value,
    #[diesel(sql_type = Json)]
    initiatives: serde_json::Value,
    #[diesel(sql_type = Nullable<Jsonb>)]
    pending_revision: Option<serde_json::Value>,
    #[diesel(sql_type = Bool)]
    shows_consent: bool,
    #[diesel(embed)]
    review: ReviewRow,
}

impl Loaded {
    fn into_record(self, vocabulary: &Vocabulary) -> ApiResult<Expert> {
        let row = self.columns;
        let review = self.review.into_review()?;
        Ok(Expert {
            topics: vocabulary.references(self.topics),
            affiliations: summaries::decode(self.affiliations)?,
            initiatives: summaries::decode(self.initiatives)?,
            name: expert_name(&row.given_name, &row.family_name),
            id: row.id,
            given_name: row.given_name,
            family_name: row.family_name,
            honorific: row.honorific,
            orcid: row.orcid,
            email: row.email,
            country: row.country,
            languages: row.languages,
            bio: LocalizedText::optional(row.bio_en, row.bio_nl),
            consent: self.shows_consent.then(|| Consent {
                public_profile: row.consent_public_profile,
                given_at: row.consent_given_at.map(Date),
                note: row.consent_note.map(Bounded::from_db),
            }),
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
    given_name: String,
    #[diesel(sql_type = Text)]
    family_name: String,
    #[diesel(sql_type = Nullable<Text>)]
    orcid: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    country: Option<String>,
    #[diesel(sql_type = Bool)]
    same_orcid: bool,
    #[diesel(sql_type = Bool)]
    same_email: bool,
    #[diesel(sql_type = Float4)]
    name_similarity: f32,
}

/// Experts who may be the one described: same ORCID iD, same e-mail address
/// (any case), or a similar name (trigrams).
pub async fn candidates(
    conn: &mut AsyncPgConnection,
    probe: &ExpertProbe,
) -> ApiResult<Vec<ExpertCandidate>> {
    // Only curators find matches: they see records in every state.
    let rows: Vec<CandidateRow> = sql_query(
        "SELECT r.id, r.given_name, r.family_name, r.orcid, r.country, \
         coalesce(r.orcid = $2, false) AS same_orcid, \
         coalesce(lower(r.email) = lower($3), false) AS same_email, \
         coalesce(greatest(word_similarity(aimd_fold($1), r.search_name), \
         word_similarity(r.search_name, aimd_fold($1))), 0)::float4 AS name_similarity \
         FROM experts r WHERE r.deleted_at IS NULL AND (r.orcid = $2 OR lower(r.email) = lower($3) \
         OR aimd_fold($1) <% r.search_name OR aimd_fold($1) %> r.search_name) \
         ORDER BY name_similarity DESC, r.id LIMIT $4",
    )
    .bind::<Nullable<Text>, _>(probe.name.as_ref().map(|n| n.as_str()))
    .bind::<Nullable<Text>, _>(probe.orcid.as_ref().map(|o| o.as_str()))
    .bind::<Nullable<Text>, _>(probe.email.as_ref().map(|e| e.as_str()))
    .bind::<BigInt, _>(MAX_CANDIDATES as i64 * 5)
    .load(conn)
    .await?;
    let mut candidates: Vec<ExpertCandidate> = rows
        .into_iter()
        .map(|row| {
            let similarity = f64::from(row.name_similarity);
            let reasons: Vec<MatchReason> = [
                (row.same_orcid, MatchReason::SameOrcid),
                (row.same_email, MatchReason::SameEmail),
                (similarity >= SIMILAR_NAME, MatchReason::SimilarName),
            ]
            .into_iter()
            .filter_map(|(applies, reason)| applies.then_some(reason))
            .collect();
            ExpertCandidate {
                score: score(&reasons, similarity),
                reasons,
                id: row.id,
                name: expert_name(&row.given_name, &row.family_name),
                orcid: row.orcid,
                country: row.country,
            }
        })
        .filter(|c| !c.reasons.is_empty())
        .collect();
    candidates.sort_by(|a, b| b.score.total_cmp(&a.score).then_with(|| a.id.cmp(&b.id)));
    candidates.truncate(MAX_CANDIDATES);
    Ok(candidates)
}
