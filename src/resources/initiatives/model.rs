//! Initiatives as clients write them (`InitiativeInput`), read them
//! (`Initiative`) and filter them, and the bodies of their link operations.

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use serde_json::Value;
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::domain::enums::{
    ExpertRole, InitiativeStatus, InitiativeType, OrganisationRole, Regulation, Relation, Scope,
};
use crate::domain::input::ObjectReader;
use crate::domain::topics::{TopicRef, Vocabulary};
use crate::domain::values::{
    Country, Date, LANGUAGE_KEYS, Localized, Prose, ShortText, Slug, Title, WebUrl,
};
use crate::error::ApiResult;
use crate::http::page::PageRequest;
use crate::http::query::QueryReader;
use crate::resources::links::{
    InitiativeExpert, InitiativeOrganisation, LocalizedText, RelatedInitiative,
};

pub const FIELDS: &[&str] = &[
    "title",
    "acronym",
    "summary",
    "scope",
    "countries",
    "type",
    "status",
    "startDate",
    "endDate",
    "website",
    "regulations",
    "topics",
];
pub const NESTED_FIELDS: &[(&str, &[&str])] =
    &[("title", LANGUAGE_KEYS), ("summary", LANGUAGE_KEYS)];

/// An initiative as written by a client: the body of `POST`, and the document
/// a `PATCH` merge patch is applied to. Links are separate resources.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[schema(as = InitiativeInput, example = json!({
    "title": {"en": "Artificial Intelligence Act", "nl": "AI-verordening"},
    "acronym": "AI Act",
    "summary": {"en": "EU regulation laying down harmonised rules on artificial intelligence; AI in medical devices is high-risk."},
    "scope": "european",
    "countries": [],
    "type": "legislation",
    "status": "active",
    "startDate": "2024-08-01",
    "website": "https://eur-lex.europa.eu/eli/reg/2024/1689/oj",
    "regulations": ["ai-act", "mdr", "ivdr"],
    "topics": ["trust-in-ai", "human-oversight", "risk-management"]
}))]
pub struct InitiativeDraft {
    /// Title in English and/or Dutch (at least one), at most 500 characters each.
    #[schema(value_type = LocalizedText)]
    pub title: Localized<Title>,
    #[schema(value_type = Option<String>, max_length = 60)]
    pub acronym: Option<ShortText>,
    #[schema(value_type = Option<LocalizedText>)]
    pub summary: Option<Localized<Prose>>,
    pub scope: Scope,
    /// ISO 3166-1 alpha-2 codes; at least one when the scope is national.
    #[schema(value_type = Option<Vec<String>>, required = false, example = json!(["NL"]))]
    pub countries: Vec<Country>,
    #[serde(rename = "type")]
    pub initiative_type: InitiativeType,
    pub status: InitiativeStatus,
    #[schema(value_type = Option<NaiveDate>)]
    pub start_date: Option<Date>,
    /// On or after `startDate`.
    #[schema(value_type = Option<NaiveDate>)]
    pub end_date: Option<Date>,
    #[schema(value_type = Option<String>, format = Uri)]
    pub website: Option<WebUrl>,
    #[schema(value_type = Option<Vec<Regulation>>, required = false)]
    pub regulations: Vec<Regulation>,
    /// Topic slugs; at least one.
    #[schema(value_type = Vec<String>, min_items = 1, example = json!(["algorithmic-bias"]))]
    pub topics: Vec<Slug>,
}

impl InitiativeDraft {
    pub fn from_json(body: &Value, vocabulary: &Vocabulary) -> ApiResult<Self> {
        let mut r = ObjectReader::new(body, FIELDS)?;
        let title = r.required("title");
        let acronym = r.optional("acronym");
        let summary = r.optional("summary");
        let scope = r.required("scope");
        let countries = r.list("countries", 250);
        let initiative_type = r.required("type");
        let status = r.required("status");
        let start_date: Option<Date> = r.optional("startDate");
        let end_date: Option<Date> = r.optional("endDate");
        let website = r.optional("website");
        let regulations = r.list("regulations", 10);
        let topics = r.topics("topics", vocabulary, true);
        if scope == Some(Scope::National) && countries.is_empty() && !r.has_errors_for("countries")
        {
            r.error(
                "countries",
                "required",
                "a national initiative needs at least one country",
            );
        }
        if let (Some(start), Some(end)) = (start_date, end_date)
            && end < start
        {
            r.error("endDate", "before-start", "must be on or after startDate");
        }
        r.finish(|| {
            Some(Self {
                title: title?,
                acronym,
                summary,
                scope: scope?,
                countries,
                initiative_type: initiative_type?,
                status: status?,
                start_date,
                end_date,
                website,
                regulations,
                topics,
            })
        })
    }
}

/// An initiative as the registry shows it, with who takes part and what it relates to.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(example = json!({
    "id": "01938b1e-7f00-7aaa-8000-000000000002",
    "title": {"en": "NEN expert group AI and medical devices", "nl": "NEN-expertgroep AI en medische hulpmiddelen"},
    "acronym": null,
    "summary": {"nl": "Expertgroep die kennis bundelt over AI in medische hulpmiddelen."},
    "scope": "national",
    "countries": ["NL"],
    "type": "expert-network",
    "status": "active",
    "startDate": "2023-01-01",
    "endDate": null,
    "website": "https://www.nen.nl/",
    "regulations": ["mdr", "ivdr", "ai-act"],
    "topics": [{"slug": "clinical-validation", "label": {"en": "Clinical validation", "nl": "Klinische validatie"}}],
    "organisations": [{"id": "01938b1e-7f00-7aaa-8000-000000000001", "name": "Royal Netherlands Standardization Institute", "acronym": "NEN", "role": "secretariat"}],
    "experts": [{"id": "01938b1e-7f00-7aaa-8000-000000000003", "name": "Anna de Vries", "role": "chair"}],
    "related": [{"id": "01938b1e-7f00-7aaa-8000-000000000004", "title": {"en": "Artificial Intelligence Act"}, "acronym": "AI Act", "relation": "related-to"}],
    "createdAt": "2026-11-28T10:00:00Z",
    "updatedAt": "2026-11-28T10:00:00Z",
    "version": 4
}))]
pub struct Initiative {
    pub id: Uuid,
    pub title: LocalizedText,
    pub acronym: Option<String>,
    pub summary: Option<LocalizedText>,
    pub scope: Scope,
    pub countries: Vec<String>,
    #[serde(rename = "type")]
    pub initiative_type: InitiativeType,
    pub status: InitiativeStatus,
    pub start_date: Option<NaiveDate>,
    pub end_date: Option<NaiveDate>,
    #[schema(format = Uri)]
    pub website: Option<String>,
    pub regulations: Vec<Regulation>,
    pub topics: Vec<TopicRef>,
    /// Organisations taking part, with their role.
    pub organisations: Vec<InitiativeOrganisation>,
    /// Experts taking part, with their role.
    pub experts: Vec<InitiativeExpert>,
    /// Related initiatives; each relation reads from this initiative's side.
    pub related: Vec<RelatedInitiative>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    #[schema(minimum = 1)]
    pub version: i64,
}

/// Filters for the initiative list. A repeated key means OR, different keys AND.
#[derive(Debug, IntoParams)]
#[into_params(parameter_in = Query, style = Form)]
pub struct InitiativeFilter {
    /// Level the initiative works at.
    #[param(value_type = Option<Vec<Scope>>, explode, example = json!(["european"]))]
    pub scope: Vec<Scope>,
    /// Topic slug.
    #[param(value_type = Option<Vec<String>>, explode, example = json!(["algorithmic-bias"]))]
    pub topic: Vec<Slug>,
    /// ISO 3166-1 alpha-2 country code.
    #[param(value_type = Option<Vec<String>>, explode, example = json!(["NL"]))]
    pub country: Vec<Country>,
    /// Kind of initiative.
    #[param(rename = "type", value_type = Option<Vec<InitiativeType>>, explode, example = json!(["standard"]))]
    pub initiative_type: Vec<InitiativeType>,
    /// Life-cycle status.
    #[param(value_type = Option<Vec<InitiativeStatus>>, explode, example = json!(["active"]))]
    pub status: Vec<InitiativeStatus>,
    /// Regulation the initiative relates to.
    #[param(value_type = Option<Vec<Regulation>>, explode, example = json!(["ai-act"]))]
    pub regulation: Vec<Regulation>,
}

pub const FILTER_KEYS: &[&str] = &[
    "scope",
    "topic",
    "country",
    "type",
    "status",
    "regulation",
    "limit",
    "cursor",
];

impl InitiativeFilter {
    pub fn from_query(query: &str, vocabulary: &Vocabulary) -> ApiResult<(Self, PageRequest)> {
        let mut q = QueryReader::new(query, FILTER_KEYS);
        let filter = Self {
            scope: q.many("scope", Scope::parse),
            topic: q.many("topic", |raw| vocabulary.known(Slug::parse(raw)?)),
            country: q.many("country", Country::parse),
            initiative_type: q.many("type", InitiativeType::parse),
            status: q.many("status", InitiativeStatus::parse),
            regulation: q.many("regulation", Regulation::parse),
        };
        let page = PageRequest::read(&mut q);
        q.finish()?;
        Ok((filter, page))
    }
}

/// The body of `PUT /v1/initiatives/{id}/organisations/{organisationId}`.
#[derive(Debug, ToSchema)]
#[schema(example = json!({"role": "lead"}))]
pub struct OrganisationRoleInput {
    pub role: OrganisationRole,
}

/// The body of `PUT /v1/initiatives/{id}/experts/{expertId}`.
#[derive(Debug, ToSchema)]
#[schema(example = json!({"role": "chair"}))]
pub struct ExpertRoleInput {
    pub role: ExpertRole,
}

/// The body of `PUT /v1/initiatives/{id}/related/{otherId}`.
#[derive(Debug, ToSchema)]
#[schema(example = json!({"relation": "part-of"}))]
pub struct RelationInput {
    /// How this initiative relates to the other one ("this is part-of that").
    pub relation: Relation,
}
