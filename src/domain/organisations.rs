//! Organisations as clients write them (`OrganisationInput`), read them
//! (`Organisation`) and filter them.

use crate::domain::list::{FacetSpec, ListSpec, NAME_SORTS};
use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::Value;
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::domain::enums::OrganisationType;
use crate::domain::enums::PublicationStatus;
use crate::domain::enums::TopicMatch;
use crate::domain::history::Actor;
use crate::domain::input::ObjectReader;
use crate::domain::matches::MatchReason;
use crate::domain::query::{QueryReader, parse_uuid};
use crate::domain::sources::{MAX_SOURCES, Source};
use crate::domain::summaries::{AffiliatedExpert, LocalizedText, OrganisationInitiative};
use crate::domain::topic_filter::TopicFilter;
use crate::domain::topics::{TopicRef, Vocabulary};
use crate::domain::values::{
    Country, LANGUAGE_KEYS, Localized, Name, Prose, RorId, ShortText, Slug, WebUrl,
};
use crate::error::ApiResult;

pub const FIELDS: &[&str] = &[
    "name",
    "acronym",
    "type",
    "country",
    "website",
    "rorId",
    "description",
    "topics",
    "sources",
];
pub const NESTED_FIELDS: &[(&str, &[&str])] = &[("description", LANGUAGE_KEYS)];

/// An organisation as written by a client: the body of `POST`, and the
/// document a `PATCH` merge patch is applied to.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[schema(as = OrganisationInput, example = json!({
    "name": "Royal Netherlands Standardization Institute",
    "acronym": "NEN",
    "type": "standards-body",
    "country": "NL",
    "website": "https://www.nen.nl/",
    "description": {
        "en": "The Dutch standards body; hosts the expert group on AI and medical devices.",
        "nl": "De Nederlandse normalisatie-instelling; faciliteert de expertgroep AI en medische hulpmiddelen."
    },
    "topics": ["standardisation", "clinical-validation"],
    "sources": [{"url": "https://www.nen.nl/", "title": "NEN", "publisher": "NEN", "consultedOn": "2026-12-02"}]
}))]
pub struct OrganisationDraft {
    /// Full name, 1 to 300 characters.
    #[schema(value_type = String, min_length = 1, max_length = 300)]
    pub name: Name,
    #[schema(value_type = Option<String>, max_length = 60)]
    pub acronym: Option<ShortText>,
    #[serde(rename = "type")]
    pub organisation_type: OrganisationType,
    /// ISO 3166-1 alpha-2 code; null for bodies without one country.
    #[schema(value_type = Option<String>, example = "NL", pattern = "^[A-Za-z]{2}$")]
    pub country: Option<Country>,
    /// Absolute http(s) URL.
    #[schema(value_type = Option<String>, format = Uri)]
    pub website: Option<WebUrl>,
    /// ROR identifier, as `https://ror.org/0xxxxxx00` or its bare form; the checksum is verified.
    #[schema(value_type = Option<String>, example = "https://ror.org/02e2c7k09")]
    pub ror_id: Option<RorId>,
    /// At most 10,000 characters per language.
    #[schema(value_type = Option<LocalizedText>)]
    pub description: Option<Localized<Prose>>,
    /// Topic slugs (see `GET /v1/topics`), at most 50.
    #[schema(value_type = Option<Vec<String>>, required = false, pattern = "^[a-z0-9]+(-[a-z0-9]+)*$", example = json!(["standardisation"]))]
    pub topics: Vec<Slug>,
    /// What the facts were checked against; at most 50.
    #[schema(required = false, max_items = 50)]
    pub sources: Vec<Source>,
}

impl OrganisationDraft {
    pub fn from_json(body: &Value, vocabulary: &Vocabulary) -> ApiResult<Self> {
        let mut r = ObjectReader::new(body, FIELDS)?;
        let name = r.required("name");
        let acronym = r.optional("acronym");
        let organisation_type = r.required("type");
        let country = r.optional("country");
        let website = r.optional("website");
        let ror_id = r.optional("rorId");
        let description = r.optional("description");
        let topics = r.topics("topics", vocabulary, false);
        let sources = r.list("sources", MAX_SOURCES);
        r.finish(|| {
            Some(Self {
                name: name?,
                acronym,
                organisation_type: organisation_type?,
                country,
                website,
                ror_id,
                description,
                topics,
                sources,
            })
        })
    }
}

/// An organisation as the registry shows it, with what it is linked to.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(example = json!({
    "id": "01938b1e-7f00-7aaa-8000-000000000001",
    "name": "Royal Netherlands Standardization Institute",
    "acronym": "NEN",
    "type": "standards-body",
    "country": "NL",
    "website": "https://www.nen.nl/",
    "rorId": null,
    "description": {"en": "The Dutch standards body.", "nl": "De Nederlandse normalisatie-instelling."},
    "topics": [{"slug": "standardisation", "label": {"en": "Standardisation", "nl": "Normalisatie"}}],
    "initiatives": [{"id": "01938b1e-7f00-7aaa-8000-000000000002", "title": {"en": "NEN expert group AI and medical devices", "nl": "NEN-expertgroep AI en medische hulpmiddelen"}, "acronym": null, "role": "secretariat"}],
    "experts": [{"id": "01938b1e-7f00-7aaa-8000-000000000003", "name": "Anna de Vries", "role": "Standardisation consultant", "since": "2021-03-01", "until": null}],
    "sources": [{"url": "https://www.nen.nl/", "title": "NEN", "publisher": "NEN", "consultedOn": "2026-12-02"}],
    "lastReviewedAt": "2026-11-30T09:12:00Z",
    "reviewedBy": {"keyId": "01938b1e-7f00-7aaa-8000-0000000000a1", "name": "NEN editor"},
    "createdAt": "2026-11-28T10:00:00Z",
    "updatedAt": "2026-11-28T10:00:00Z",
    "publicationStatus": "published",
    "version": 1
}))]
pub struct Organisation {
    pub id: Uuid,
    pub name: String,
    pub acronym: Option<String>,
    #[serde(rename = "type")]
    pub organisation_type: OrganisationType,
    pub country: Option<String>,
    #[schema(format = Uri)]
    pub website: Option<String>,
    pub ror_id: Option<String>,
    pub description: Option<LocalizedText>,
    pub topics: Vec<TopicRef>,
    /// Initiatives the organisation takes part in.
    pub initiatives: Vec<OrganisationInitiative>,
    /// Experts affiliated with the organisation.
    pub experts: Vec<AffiliatedExpert>,
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
    #[schema(value_type = Option<OrganisationDraft>, required = false)]
    pub pending_revision: Option<serde_json::Value>,
}

/// The organisation list's filters, read from the query string.
#[derive(Debug, Clone)]
pub struct OrganisationFilter {
    pub organisation_type: Vec<OrganisationType>,
    pub country: Vec<Country>,
    pub topic: TopicFilter,
    pub initiative: Vec<Uuid>,
}

/// The organisation list's sorts and facets.
pub const LIST: ListSpec = ListSpec {
    sorts: NAME_SORTS,
    facets: &[
        FacetSpec::of("type"),
        FacetSpec::of("country"),
        FacetSpec::TOPIC,
    ],
};

pub const FILTER_KEYS: &[&str] = &["type", "country", "topic", "topicMatch", "initiative"];

impl OrganisationFilter {
    pub fn read(q: &mut QueryReader, vocabulary: &Vocabulary) -> Self {
        Self {
            organisation_type: q.many("type", OrganisationType::parse),
            country: q.many("country", Country::parse),
            topic: TopicFilter::read(q, vocabulary),
            initiative: q.many("initiative", parse_uuid),
        }
    }
}

/// The organisation list's query parameters (documentation of what
/// [`OrganisationFilter::read`] and `ListRequest::read` accept).
#[derive(IntoParams)]
#[into_params(parameter_in = Query, style = Form)]
pub struct OrganisationListQuery {
    /// Search text: words (all must match), "quoted phrases", -exclusions, `or`.
    /// Matches name, acronym and description in English and Dutch, ignoring
    /// accents, by word prefix; names and acronyms also match with typos.
    #[param(example = "normalisatie")]
    pub q: Option<String>,
    /// Order: `relevance` (default with `q`), `name`, `-updatedAt`, `createdAt` (default without `q`).
    #[param(value_type = Option<crate::domain::list::NameSort>, example = "name")]
    pub sort: Option<String>,
    /// Facets to count, the key repeated (or comma-separated): `type`, `country`, `topic`.
    #[param(value_type = Option<Vec<crate::domain::list::OrganisationFacet>>, explode, example = json!(["type", "country"]))]
    pub facets: Option<String>,
    /// Organisation type.
    #[param(rename = "type", explode, example = json!(["standards-body"]))]
    pub organisation_type: Option<Vec<OrganisationType>>,
    /// ISO 3166-1 alpha-2 country code.
    #[param(explode, example = json!(["NL"]))]
    pub country: Option<Vec<String>>,
    /// Topic slug; matches the topic's descendants too.
    #[param(explode, example = json!(["standardisation"]))]
    pub topic: Option<Vec<String>>,
    /// Whether records need any (default) or all of the listed topics.
    #[param(rename = "topicMatch", example = "any")]
    pub topic_match: Option<TopicMatch>,
    /// Id of an initiative the organisation takes part in.
    #[param(explode, example = json!(["01938000-0000-7000-8000-000000003057"]))]
    pub initiative: Option<Vec<Uuid>>,
}

/// What a curator knows about an organisation they are about to create.
#[derive(Debug, Clone)]
pub struct OrganisationProbe {
    pub name: Option<Name>,
    pub country: Option<Country>,
    /// The website's host without `www.`, lower-case.
    pub domain: Option<String>,
    pub ror_id: Option<RorId>,
}

pub const PROBE_KEYS: &[&str] = &["name", "country", "website", "rorId"];

impl OrganisationProbe {
    pub fn from_query(query: &str) -> ApiResult<Self> {
        let mut q = QueryReader::new(query, PROBE_KEYS);
        let probe = Self {
            name: q.one("name", Name::parse),
            country: q.one("country", Country::parse),
            domain: q.one("website", |raw| WebUrl::parse(raw).map(|url| url.domain())),
            ror_id: q.one("rorId", RorId::parse),
        };
        if probe.name.is_none()
            && probe.domain.is_none()
            && probe.ror_id.is_none()
            && !q.has_errors()
        {
            q.error(
                "name",
                "required",
                "give at least one of name, website and rorId",
            );
        }
        q.finish()?;
        Ok(probe)
    }
}

/// The duplicate finder's query parameters.
#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
pub struct OrganisationProbeQuery {
    /// The name (or acronym) as the curator would write it; typos are fine.
    #[param(example = "Nederlands Normalisatie-instituut")]
    pub name: Option<String>,
    /// ISO 3166-1 alpha-2 code; a shared country raises a candidate a little.
    #[param(example = "NL")]
    pub country: Option<String>,
    /// Any URL on the organisation's website; compared by domain.
    #[param(example = "https://www.nen.nl/en/")]
    pub website: Option<String>,
    /// ROR identifier, bare or as a URL.
    #[param(rename = "rorId", example = "https://ror.org/02e2c7k09")]
    pub ror_id: Option<String>,
}

/// A possible duplicate of the organisation described.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(example = json!({
    "id": "01938b1e-7f00-7aaa-8000-000000000001",
    "name": "Koninklijk Nederlands Normalisatie-instituut",
    "acronym": "NEN",
    "country": "NL",
    "website": "https://www.nen.nl/",
    "rorId": null,
    "score": 0.95,
    "reasons": ["same-website-domain", "similar-name", "same-country"]
}))]
pub struct OrganisationCandidate {
    pub id: Uuid,
    pub name: String,
    pub acronym: Option<String>,
    pub country: Option<String>,
    pub website: Option<String>,
    pub ror_id: Option<String>,
    /// How likely a duplicate, 0..1: 1 for the same identifier.
    #[schema(minimum = 0, maximum = 1)]
    pub score: f64,
    pub reasons: Vec<MatchReason>,
}

/// Candidates, best first.
#[derive(Debug, Serialize, ToSchema)]
pub struct OrganisationMatches {
    pub items: Vec<OrganisationCandidate>,
}
