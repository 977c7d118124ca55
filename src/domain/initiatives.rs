//! Initiatives as clients write them (`InitiativeInput`), read them
//! (`Initiative`) and filter them, and the bodies of their link operations.

use crate::domain::list::{
    BY_CREATION, BY_RELEVANCE, BY_UPDATE, FacetSpec, ListSpec, SortKey, SortSpec,
};
use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use serde_json::Value;
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::domain::enums::TopicMatch;
use crate::domain::enums::{
    ExpertRole, InitiativeStatus, InitiativeType, OrganisationRole, PublicationStatus, Regulation,
    Relation, Scope,
};
use crate::domain::history::Actor;
use crate::domain::input::FieldError;
use crate::domain::input::ObjectReader;
use crate::domain::query::{QueryReader, parse_uuid};
use crate::domain::sources::{MAX_SOURCES, Source};
use crate::domain::summaries::{
    InitiativeExpert, InitiativeOrganisation, LocalizedText, RelatedInitiative,
};
use crate::domain::topic_filter::TopicFilter;
use crate::domain::topics::{TopicRef, Vocabulary};
use crate::domain::values::{
    Country, Date, LANGUAGE_KEYS, Localized, Prose, ShortText, Slug, Title, WebUrl,
};
use crate::error::ApiResult;

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
    "sources",
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
    "topics": ["trust-in-ai", "human-oversight", "risk-management"],
    "sources": [{"url": "https://eur-lex.europa.eu/eli/reg/2024/1689/oj", "title": "Regulation (EU) 2024/1689", "publisher": "Publications Office of the European Union", "publishedOn": "2024-07-12", "consultedOn": "2026-12-02"}]
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
    /// What the facts were checked against; at least one before the
    /// initiative can be published. At most 50.
    #[schema(required = false, max_items = 50)]
    pub sources: Vec<Source>,
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
        let sources = r.list("sources", MAX_SOURCES);
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
                sources,
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
    "sources": [{"url": "https://www.nen.nl/", "title": "NEN", "publisher": "NEN", "consultedOn": "2026-12-02"}],
    "lastReviewedAt": "2026-11-30T09:12:00Z",
    "reviewedBy": {"keyId": "01938b1e-7f00-7aaa-8000-0000000000a1", "name": "NEN editor"},
    "createdAt": "2026-11-28T10:00:00Z",
    "updatedAt": "2026-11-28T10:00:00Z",
    "publicationStatus": "published",
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
    /// What the facts were checked against.
    pub sources: Vec<Source>,
    /// When the record was last approved or confirmed still accurate;
    /// null if never.
    #[schema(example = "2026-11-30T09:12:00Z")]
    pub last_reviewed_at: Option<DateTime<Utc>>,
    /// Curators and above only (null for others): the key that reviewed it
    /// last.
    pub reviewed_by: Option<Actor>,
    pub created_at: DateTime<Utc>,
    /// When the record last changed, for its audience (as `version`).
    pub updated_at: DateTime<Utc>,
    /// Grows with every change of the record, links included. Curators see
    /// every change; the public and readers see a version that moves only
    /// when what they see of the record changes (not with edits waiting for
    /// review, links to records they cannot see, or contact data).
    #[schema(minimum = 1)]
    pub version: i64,
    /// Where the record stands in the publication workflow; the public and
    /// readers only ever see `published`.
    pub publication_status: PublicationStatus,
    /// Curators and above only: an edit of this published record waiting
    /// for an editor's approval, as the record would then be written
    /// (the body of a create). Absent when there is none.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<InitiativeDraft>, required = false)]
    pub pending_revision: Option<serde_json::Value>,
}

/// The initiative list's filters, read from the query string. The overview
/// takes them too.
#[derive(Debug, Clone)]
pub struct InitiativeFilter {
    pub scope: Vec<Scope>,
    pub topic: TopicFilter,
    pub country: Vec<Country>,
    pub initiative_type: Vec<InitiativeType>,
    pub status: Vec<InitiativeStatus>,
    pub regulation: Vec<Regulation>,
    pub organisation: Vec<Uuid>,
    pub expert: Vec<Uuid>,
    pub active_on: Option<Date>,
    pub updated_since: Option<DateTime<Utc>>,
}

/// The initiative list's sorts and facets (`/v1/initiatives`, `/v1/overview`).
pub const LIST: ListSpec = ListSpec {
    sorts: &[
        BY_RELEVANCE,
        SortSpec {
            name: "title",
            key: SortKey::Name,
            descending: false,
        },
        BY_UPDATE,
        SortSpec {
            name: "startDate",
            key: SortKey::StartDate,
            descending: false,
        },
        SortSpec {
            name: "-startDate",
            key: SortKey::StartDate,
            descending: true,
        },
        BY_CREATION,
    ],
    facets: &[
        FacetSpec::of("scope"),
        FacetSpec::TOPIC,
        FacetSpec::of("country"),
        FacetSpec::of("type"),
        FacetSpec::of("status"),
        FacetSpec::of("regulation"),
    ],
};

pub const FILTER_KEYS: &[&str] = &[
    "scope",
    "topic",
    "topicMatch",
    "country",
    "type",
    "status",
    "regulation",
    "organisation",
    "expert",
    "activeOn",
    "updatedSince",
];

impl InitiativeFilter {
    pub fn read(q: &mut QueryReader, vocabulary: &Vocabulary) -> Self {
        Self {
            scope: q.many("scope", Scope::parse),
            topic: TopicFilter::read(q, vocabulary),
            country: q.many("country", Country::parse),
            initiative_type: q.many("type", InitiativeType::parse),
            status: q.many("status", InitiativeStatus::parse),
            regulation: q.many("regulation", Regulation::parse),
            organisation: q.many("organisation", parse_uuid),
            expert: q.many("expert", parse_uuid),
            active_on: q.one("activeOn", Date::parse),
            updated_since: q.one("updatedSince", parse_instant),
        }
    }
}

/// An RFC 3339 timestamp, or a date meaning its start (UTC).
fn parse_instant(raw: &str) -> Result<DateTime<Utc>, FieldError> {
    let raw = raw.trim();
    if let Ok(instant) = DateTime::parse_from_rfc3339(raw) {
        return Ok(instant.with_timezone(&Utc));
    }
    Date::parse(raw)
        .ok()
        .and_then(|d| d.0.and_hms_opt(0, 0, 0))
        .map(|t| t.and_utc())
        .ok_or_else(|| {
            FieldError::new(
                "invalid-date",
                "must be a date (YYYY-MM-DD) or an RFC 3339 timestamp",
            )
        })
}

/// The initiative list's order and facets (documentation of what
/// `ListRequest::read` accepts beside the filters); the overview takes the
/// filters only.
#[derive(IntoParams)]
#[into_params(parameter_in = Query, style = Form)]
pub struct InitiativeListQuery {
    /// Order: `relevance` (default with `q`), `title`, `-updatedAt`, `startDate`, `-startDate` (undated last), `createdAt` (default without `q`).
    #[param(value_type = Option<crate::domain::list::InitiativeSort>, example = "-startDate")]
    pub sort: Option<String>,
    /// Facets to count, the key repeated (or comma-separated): `scope`, `topic`, `country`, `type`, `status`, `regulation`.
    #[param(value_type = Option<Vec<crate::domain::list::InitiativeFacet>>, explode, example = json!(["scope", "topic"]))]
    pub facets: Option<String>,
}

/// The initiatives' filters (documentation of what
/// [`InitiativeFilter::read`] accepts), on the list and the overview.
#[derive(IntoParams)]
#[into_params(parameter_in = Query, style = Form)]
pub struct InitiativeFilterQuery {
    /// Search text: words (all must match), "quoted phrases", -exclusions, `or`.
    /// Matches title, acronym and summary in English and Dutch, ignoring
    /// accents, by word prefix; titles and acronyms also match with typos.
    #[param(example = "\"expert group\"")]
    pub q: Option<String>,
    #[param(explode, example = json!(["national"]))]
    /// Level the initiative works at.
    pub scope: Option<Vec<Scope>>,
    /// Topic slug; matches the topic's descendants too.
    #[param(explode, example = json!(["algorithmic-bias"]))]
    pub topic: Option<Vec<String>>,
    /// Whether initiatives need any (default) or all of the listed topics.
    #[param(rename = "topicMatch", example = "all")]
    pub topic_match: Option<TopicMatch>,
    /// ISO 3166-1 alpha-2 country code.
    #[param(explode, example = json!(["NL"]))]
    pub country: Option<Vec<String>>,
    /// Kind of initiative.
    #[param(rename = "type", explode, example = json!(["expert-network"]))]
    pub initiative_type: Option<Vec<InitiativeType>>,
    /// Life-cycle status.
    #[param(explode, example = json!(["active"]))]
    pub status: Option<Vec<InitiativeStatus>>,
    /// Regulation the initiative relates to.
    #[param(explode, example = json!(["ai-act"]))]
    pub regulation: Option<Vec<Regulation>>,
    /// Id of an organisation taking part.
    #[param(explode, example = json!(["01938000-0000-7000-8000-000000001001"]))]
    pub organisation: Option<Vec<Uuid>>,
    /// Id of an expert taking part.
    #[param(explode, example = json!(["01938000-0000-7000-8000-000000002002"]))]
    pub expert: Option<Vec<Uuid>>,
    /// Initiatives running on this day: started on or before it (or undated) and not ended before it.
    #[param(rename = "activeOn", example = "2026-11-28")]
    pub active_on: Option<NaiveDate>,
    /// Initiatives changed at or after this moment (RFC 3339, or a date meaning its start in UTC).
    #[param(rename = "updatedSince", example = "2026-11-01T00:00:00Z")]
    pub updated_since: Option<DateTime<Utc>>,
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
