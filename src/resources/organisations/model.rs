//! Organisations as clients write them (`OrganisationInput`), read them
//! (`Organisation`) and filter them.

use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::Value;
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::domain::enums::OrganisationType;
use crate::domain::input::ObjectReader;
use crate::domain::topics::{TopicRef, Vocabulary};
use crate::domain::values::{
    Country, LANGUAGE_KEYS, Localized, Name, Prose, RorId, ShortText, Slug, WebUrl,
};
use crate::error::ApiResult;
use crate::http::page::PageRequest;
use crate::http::query::QueryReader;
use crate::resources::links::{AffiliatedExpert, LocalizedText, OrganisationInitiative};

pub const FIELDS: &[&str] = &[
    "name",
    "acronym",
    "type",
    "country",
    "website",
    "rorId",
    "description",
    "topics",
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
    "topics": ["standardisation", "clinical-validation"]
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
    "createdAt": "2026-11-28T10:00:00Z",
    "updatedAt": "2026-11-28T10:00:00Z",
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
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// Starts at 1 and grows by one with every change, links included.
    #[schema(minimum = 1)]
    pub version: i64,
}

/// Filters for the organisation list. A repeated key means OR, different keys AND.
#[derive(Debug, IntoParams)]
#[into_params(parameter_in = Query, style = Form)]
pub struct OrganisationFilter {
    /// Organisation type.
    #[param(rename = "type", value_type = Option<Vec<OrganisationType>>, explode, example = json!(["standards-body"]))]
    pub organisation_type: Vec<OrganisationType>,
    /// ISO 3166-1 alpha-2 country code.
    #[param(value_type = Option<Vec<String>>, explode, example = json!(["NL"]))]
    pub country: Vec<Country>,
    /// Topic slug.
    #[param(value_type = Option<Vec<String>>, explode, example = json!(["algorithmic-bias"]))]
    pub topic: Vec<Slug>,
}

pub const FILTER_KEYS: &[&str] = &["type", "country", "topic", "limit", "cursor"];

impl OrganisationFilter {
    pub fn from_query(query: &str, vocabulary: &Vocabulary) -> ApiResult<(Self, PageRequest)> {
        let mut q = QueryReader::new(query, FILTER_KEYS);
        let filter = Self {
            organisation_type: q.many("type", OrganisationType::parse),
            country: q.many("country", Country::parse),
            topic: q.many("topic", |raw| vocabulary.known(Slug::parse(raw)?)),
        };
        let page = PageRequest::read(&mut q);
        q.finish()?;
        Ok((filter, page))
    }
}
