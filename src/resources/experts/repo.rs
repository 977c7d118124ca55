//! All SQL for experts.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use super::model::{Expert, ExpertDraft, ExpertFilter, FIELDS, NESTED_FIELDS};
use crate::domain::topics::Vocabulary;
use crate::domain::values::{Country, Email, Language, Localized, Name, Orcid, ShortText, Slug};
use crate::error::ApiResult;
use crate::http::page::PageRequest;
use crate::resources::crud::Resource;
use crate::resources::links::{self, LocalizedText, expert_name};
use crate::resources::records::{self, Kind};
use crate::schema::{affiliations, expert_topics, experts};
use serde_json::Value;

#[derive(Queryable, Selectable)]
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
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
    version: i64,
    deleted_at: Option<DateTime<Utc>>,
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
}

impl<'a> From<&'a ExpertDraft> for ExpertColumns<'a> {
    fn from(d: &'a ExpertDraft) -> Self {
        let bio = d.bio.as_ref();
        Self {
            given_name: d.given_name.as_str(),
            family_name: d.family_name.as_str(),
            honorific: d.honorific.as_ref().map(ShortText::as_str),
            orcid: d.orcid.as_ref().map(Orcid::as_str),
            email: d.email.as_ref().map(Email::as_str),
            country: d.country.as_ref().map(Country::as_str),
            languages: d.languages.iter().map(Language::as_str).collect(),
            bio_en: bio.and_then(Localized::en_str),
            bio_nl: bio.and_then(Localized::nl_str),
        }
    }
}

/// The SQL behind [`crud`](crate::resources::crud) for experts.
pub struct Experts;

impl Resource for Experts {
    const KIND: Kind = Kind::Expert;
    const COLLECTION: &'static str = "/v1/experts";
    const FIELDS: &'static [&'static str] = FIELDS;
    const NESTED_FIELDS: &'static [(&'static str, &'static [&'static str])] = NESTED_FIELDS;
    type Draft = ExpertDraft;
    type Record = Expert;
    type Filter = ExpertFilter;

    fn parse_draft(body: &Value, vocabulary: &Vocabulary) -> ApiResult<ExpertDraft> {
        ExpertDraft::from_json(body, vocabulary)
    }

    fn parse_filter(
        query: &str,
        vocabulary: &Vocabulary,
    ) -> ApiResult<(ExpertFilter, PageRequest)> {
        ExpertFilter::from_query(query, vocabulary)
    }

    fn id(record: &Expert) -> Uuid {
        record.id
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
        .await
    }

    async fn insert(conn: &mut AsyncPgConnection, draft: &ExpertDraft) -> ApiResult<Uuid> {
        let id = Uuid::now_v7();
        let now = Utc::now();
        diesel::insert_into(experts::table)
            .values((
                experts::id.eq(id),
                ExpertColumns::from(draft),
                experts::created_at.eq(now),
                experts::updated_at.eq(now),
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
        })
    }

    async fn update(conn: &mut AsyncPgConnection, id: Uuid, draft: &ExpertDraft) -> ApiResult<()> {
        diesel::update(experts::table.find(id))
            .set((
                ExpertColumns::from(draft),
                experts::version.eq(experts::version + 1),
                experts::updated_at.eq(Utc::now()),
            ))
            .execute(conn)
            .await?;
        records::replace_topics(conn, Kind::Expert, id, &draft.topics).await
    }

    async fn find(
        conn: &mut AsyncPgConnection,
        vocabulary: &Vocabulary,
        id: Uuid,
    ) -> ApiResult<Expert> {
        let row: Option<ExpertRow> = experts::table
            .find(id)
            .select(ExpertRow::as_select())
            .first(conn)
            .await
            .optional()?;
        match row {
            None => Err(records::not_found(Kind::Expert, id)),
            Some(row) if row.deleted_at.is_some() => Err(records::gone(Kind::Expert, id)),
            Some(row) => Ok(assemble(conn, vocabulary, vec![row]).await?.remove(0)),
        }
    }

    /// One page of live experts in id order, plus one extra if there is more.
    async fn list(
        conn: &mut AsyncPgConnection,
        vocabulary: &Vocabulary,
        filter: &ExpertFilter,
        page: PageRequest,
    ) -> ApiResult<Vec<Expert>> {
        let mut query = experts::table
            .filter(experts::deleted_at.is_null())
            .select(ExpertRow::as_select())
            .order(experts::id)
            .limit(page.limit + 1)
            .into_boxed();
        if let Some(after) = page.after {
            query = query.filter(experts::id.gt(after));
        }
        if !filter.country.is_empty() {
            let countries: Vec<&str> = filter.country.iter().map(Country::as_str).collect();
            query = query.filter(experts::country.eq_any(countries));
        }
        if !filter.topic.is_empty() {
            let topics: Vec<&str> = filter.topic.iter().map(Slug::as_str).collect();
            query = query.filter(
                experts::id.eq_any(
                    expert_topics::table
                        .filter(expert_topics::topic_slug.eq_any(topics))
                        .select(expert_topics::expert_id),
                ),
            );
        }
        if !filter.organisation.is_empty() {
            query = query.filter(
                experts::id.eq_any(
                    affiliations::table
                        .filter(affiliations::organisation_id.eq_any(filter.organisation.clone()))
                        .select(affiliations::expert_id),
                ),
            );
        }
        let rows = query.load(conn).await?;
        assemble(conn, vocabulary, rows).await
    }
}

/// Adds topics and link summaries to rows: three queries for any number of rows.
async fn assemble(
    conn: &mut AsyncPgConnection,
    vocabulary: &Vocabulary,
    rows: Vec<ExpertRow>,
) -> ApiResult<Vec<Expert>> {
    let ids: Vec<Uuid> = rows.iter().map(|r| r.id).collect();
    let mut topics = records::topics_of(conn, Kind::Expert, &ids).await?;
    let mut affiliations = links::affiliations_of_experts(conn, &ids).await?;
    let mut initiatives = links::initiatives_of_experts(conn, &ids).await?;
    Ok(rows
        .into_iter()
        .map(|row| Expert {
            topics: vocabulary.references(topics.remove(&row.id).unwrap_or_default()),
            affiliations: affiliations.remove(&row.id).unwrap_or_default(),
            initiatives: initiatives.remove(&row.id).unwrap_or_default(),
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
            created_at: row.created_at,
            updated_at: row.updated_at,
            version: row.version,
        })
        .collect())
}
