//! All SQL for initiatives (their links are in `store::links`).

use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use crate::auth::Audience;
use crate::domain::enums::{
    InitiativeStatus, InitiativeType, PublicationStatus, Regulation, Scope,
};
use crate::domain::initiatives::{Initiative, InitiativeDraft, InitiativeFilter};
use crate::domain::sources;
use crate::domain::summaries::LocalizedText;
use crate::domain::topics::Vocabulary;
use crate::domain::values::{Country, Date, Localized, ShortText, Slug, WebUrl};
use crate::error::ApiResult;
use crate::schema::initiatives;
use crate::sql::{ByIds, sql};
use crate::store::records::StoredKind;
use crate::store::records::{self, Kind, ReviewRow};
use crate::store::summaries;
use diesel::sql_types::{Array, Json, Jsonb, Nullable, Text};
use serde_json::Value;

#[derive(Queryable, QueryableByName, Selectable)]
#[diesel(table_name = initiatives, check_for_backend(diesel::pg::Pg))]
struct InitiativeRow {
    id: Uuid,
    title_en: Option<String>,
    title_nl: Option<String>,
    acronym: Option<String>,
    summary_en: Option<String>,
    summary_nl: Option<String>,
    scope: Scope,
    countries: Vec<String>,
    initiative_type: InitiativeType,
    status: InitiativeStatus,
    start_date: Option<NaiveDate>,
    end_date: Option<NaiveDate>,
    website: Option<String>,
    regulations: Vec<Regulation>,
    sources: Value,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
    version: i64,
    publication_status: PublicationStatus,
}

#[derive(Insertable, AsChangeset)]
#[diesel(table_name = initiatives, treat_none_as_null = true)]
struct InitiativeColumns<'a> {
    title_en: Option<&'a str>,
    title_nl: Option<&'a str>,
    acronym: Option<&'a str>,
    summary_en: Option<&'a str>,
    summary_nl: Option<&'a str>,
    scope: &'a str,
    countries: Vec<&'a str>,
    initiative_type: &'a str,
    status: &'a str,
    start_date: Option<NaiveDate>,
    end_date: Option<NaiveDate>,
    website: Option<&'a str>,
    regulations: Vec<&'a str>,
    sources: Value,
}

impl<'a> InitiativeColumns<'a> {
    fn of(d: &'a InitiativeDraft) -> ApiResult<Self> {
        let summary = d.summary.as_ref();
        Ok(Self {
            title_en: d.title.en_str(),
            title_nl: d.title.nl_str(),
            acronym: d.acronym.as_ref().map(ShortText::as_str),
            summary_en: summary.and_then(Localized::en_str),
            summary_nl: summary.and_then(Localized::nl_str),
            scope: d.scope.as_str(),
            countries: d.countries.iter().map(Country::as_str).collect(),
            initiative_type: d.initiative_type.as_str(),
            status: d.status.as_str(),
            start_date: d.start_date.map(|date| date.0),
            end_date: d.end_date.map(|date| date.0),
            website: d.website.as_ref().map(WebUrl::as_str),
            regulations: d.regulations.iter().map(|r| r.as_str()).collect(),
            sources: sources::to_db(&d.sources)?,
        })
    }
}

/// How initiatives are stored and read (the [`StoredKind`] of initiatives).
pub struct Initiatives;

impl StoredKind for Initiatives {
    const KIND: Kind = Kind::Initiative;

    type Draft = InitiativeDraft;

    fn parse_draft(body: &Value, vocabulary: &Vocabulary) -> ApiResult<InitiativeDraft> {
        InitiativeDraft::from_json(body, vocabulary)
    }

    async fn insert(
        conn: &mut AsyncPgConnection,
        id: Uuid,
        draft: &InitiativeDraft,
    ) -> ApiResult<Uuid> {
        let now = Utc::now();
        diesel::insert_into(initiatives::table)
            .values((
                initiatives::id.eq(id),
                InitiativeColumns::of(draft)?,
                initiatives::created_at.eq(now),
                initiatives::updated_at.eq(now),
                initiatives::content_changed_at.eq(now),
            ))
            .execute(conn)
            .await?;
        records::replace_topics(conn, Kind::Initiative, id, &draft.topics).await?;
        Ok(id)
    }

    /// The initiative as a client would write it; the base a merge patch applies to.
    async fn load_draft(conn: &mut AsyncPgConnection, id: Uuid) -> ApiResult<InitiativeDraft> {
        let row: InitiativeRow = initiatives::table
            .find(id)
            .select(InitiativeRow::as_select())
            .first(conn)
            .await?;
        let topics = records::topics_of(conn, Kind::Initiative, &[id])
            .await?
            .remove(&id)
            .unwrap_or_default();
        Ok(InitiativeDraft {
            title: Localized::from_db(row.title_en, row.title_nl),
            acronym: row.acronym.map(ShortText::from_db),
            summary: Some(Localized::from_db(row.summary_en, row.summary_nl))
                .filter(|s| !s.is_empty()),
            scope: row.scope,
            countries: row.countries.into_iter().map(Country::from_db).collect(),
            initiative_type: row.initiative_type,
            status: row.status,
            start_date: row.start_date.map(Date),
            end_date: row.end_date.map(Date),
            website: row.website.map(WebUrl::from_db),
            regulations: row.regulations,
            topics: topics.into_iter().map(Slug::from_db).collect(),
            sources: sources::from_db(row.sources)?,
        })
    }

    async fn update(
        conn: &mut AsyncPgConnection,
        id: Uuid,
        draft: &InitiativeDraft,
    ) -> ApiResult<()> {
        let now = Utc::now();
        diesel::update(initiatives::table.find(id))
            .set((
                InitiativeColumns::of(draft)?,
                initiatives::version.eq(initiatives::version + 1),
                initiatives::updated_at.eq(now),
                initiatives::content_changed_at.eq(now),
            ))
            .execute(conn)
            .await?;
        records::replace_topics(conn, Kind::Initiative, id, &draft.topics).await
    }

    const CSV_COLUMNS: &'static [&'static str] = &[
        "id",
        "title.en",
        "title.nl",
        "acronym",
        "summary.en",
        "summary.nl",
        "scope",
        "countries",
        "type",
        "status",
        "startDate",
        "endDate",
        "website",
        "regulations",
        "topics",
        "organisations",
        "experts",
        "related",
        "sources",
        "publicationStatus",
        "lastReviewedAt",
        "createdAt",
        "updatedAt",
        "version",
    ];
    const EXTERNAL_KEY_COLUMNS: &'static [&'static str] = &["website"];
    type Record = Initiative;
    type Filter = InitiativeFilter;

    fn id(record: &Initiative) -> Uuid {
        record.id
    }

    const NEEDS_SOURCE: bool = true;

    fn sources(draft: &InitiativeDraft) -> &[sources::Source] {
        &draft.sources
    }

    fn external_keys(draft: &InitiativeDraft) -> Vec<String> {
        draft
            .website
            .iter()
            .map(|w| w.as_str().to_owned())
            .collect()
    }

    fn version(record: &Initiative) -> i64 {
        record.version
    }

    async fn check_filter(
        conn: &mut AsyncPgConnection,
        filter: &InitiativeFilter,
    ) -> ApiResult<()> {
        records::check_filter_ids(
            conn,
            Kind::Organisation,
            "organisation",
            &filter.organisation,
        )
        .await?;
        records::check_filter_ids(conn, Kind::Expert, "expert", &filter.expert).await
    }

    async fn load(
        conn: &mut AsyncPgConnection,
        vocabulary: &Vocabulary,
        ids: &[Uuid],
        audience: Audience,
    ) -> ApiResult<Vec<Initiative>> {
        let query = ByIds::new(
            sql!(
                "SELECT ",
                COLUMNS,
                ", ARRAY(SELECT t.topic_slug FROM initiative_topics t WHERE t.initiative_id = r.id) AS topics, ",
                summaries::sql::ORGANISATIONS_OF_INITIATIVE,
                " AS organisations, ",
                summaries::sql::EXPERTS_OF_INITIATIVE,
                " AS experts, ",
                summaries::sql::RELATED_INITIATIVES,
                " AS related, ",
                records::pending_revision_sql(audience),
                " AS pending_revision, ",
                records::reviewer_sql(audience),
                " AS reviewed_by FROM initiatives r WHERE r.id = ANY("
            ),
            ids,
            ") AND r.deleted_at IS NULL",
        );
        let rows: Vec<Loaded> = query.load(conn).await?;
        rows.into_iter()
            .map(|row| row.into_initiative(vocabulary))
            .collect()
    }
}

/// The row's columns, as `load` selects them.
const COLUMNS: &str = "r.id, r.title_en, r.title_nl, r.acronym, r.summary_en, r.summary_nl, r.scope, \
    r.countries, r.initiative_type, r.status, r.start_date, r.end_date, r.website, r.regulations, \
    r.sources, r.last_reviewed_at, r.created_at, r.updated_at AS updated_at, r.version AS version, r.publication_status";

/// An initiative with its topics and links, in one row.
#[derive(QueryableByName)]
struct Loaded {
    #[diesel(embed)]
    columns: InitiativeRow,
    #[diesel(sql_type = Array<Text>)]
    topics: Vec<String>,
    #[diesel(sql_type = Json)]
    organisations: serde_json::Value,
    #[diesel(sql_type = Json)]
    experts: serde_json::Value,
    #[diesel(sql_type = Json)]
    related: serde_json::Value,
    #[diesel(sql_type = Nullable<Jsonb>)]
    pending_revision: Option<serde_json::Value>,
    #[diesel(embed)]
    review: ReviewRow,
}

impl Loaded {
    fn into_initiative(self, vocabulary: &Vocabulary) -> ApiResult<Initiative> {
        let row = self.columns;
        let review = self.review.into_review()?;
        Ok(Initiative {
            topics: vocabulary.references(self.topics),
            organisations: summaries::decode(self.organisations)?,
            experts: summaries::decode(self.experts)?,
            related: summaries::decode_related(self.related)?,
            id: row.id,
            title: LocalizedText::new(row.title_en, row.title_nl),
            acronym: row.acronym,
            summary: LocalizedText::optional(row.summary_en, row.summary_nl),
            scope: row.scope,
            countries: row.countries,
            initiative_type: row.initiative_type,
            status: row.status,
            start_date: row.start_date,
            end_date: row.end_date,
            website: row.website,
            regulations: row.regulations,
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
