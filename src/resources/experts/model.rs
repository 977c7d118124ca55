//! Experts as clients write them (`ExpertInput`), read them (`Expert`) and
//! filter them, and the terms of an affiliation.

use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::Value;
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::domain::input::ObjectReader;
use crate::domain::topics::{TopicRef, Vocabulary};
use crate::domain::values::{
    Country, Date, Email, LANGUAGE_KEYS, Language, Localized, Name, Orcid, Prose, ShortText, Slug,
};
use crate::error::ApiResult;
use crate::http::page::PageRequest;
use crate::http::query::{QueryReader, parse_uuid};
use crate::resources::links::{Affiliation, AffiliationTerms, ExpertInitiative, LocalizedText};

pub const FIELDS: &[&str] = &[
    "givenName",
    "familyName",
    "honorific",
    "orcid",
    "email",
    "country",
    "languages",
    "bio",
    "topics",
];
pub const NESTED_FIELDS: &[(&str, &[&str])] = &[("bio", LANGUAGE_KEYS)];

/// An expert as written by a client: the body of `POST`, and the document a
/// `PATCH` merge patch is applied to. Affiliations are separate resources.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[schema(as = ExpertInput, example = json!({
    "givenName": "Anna",
    "familyName": "de Vries",
    "honorific": "dr. ir.",
    "orcid": "0000-0002-1825-0097",
    "email": "anna.devries@example.org",
    "country": "NL",
    "languages": ["nl", "en"],
    "bio": {"en": "Fictional example: clinical physicist working on validation of AI in radiology."},
    "topics": ["clinical-validation", "algorithmic-bias"]
}))]
pub struct ExpertDraft {
    #[schema(value_type = String, min_length = 1, max_length = 300)]
    pub given_name: Name,
    #[schema(value_type = String, min_length = 1, max_length = 300)]
    pub family_name: Name,
    /// Titles written before the name, e.g. "Prof. dr. ir.".
    #[schema(value_type = Option<String>, max_length = 60)]
    pub honorific: Option<ShortText>,
    /// ORCID iD; its ISO 7064 check digit is verified. The https://orcid.org/ form is accepted.
    #[schema(value_type = Option<String>, pattern = "^\\d{4}-\\d{4}-\\d{4}-\\d{3}[\\dX]$")]
    pub orcid: Option<Orcid>,
    #[schema(value_type = Option<String>, format = Email)]
    pub email: Option<Email>,
    /// ISO 3166-1 alpha-2 country code.
    #[schema(value_type = Option<String>, example = "NL")]
    pub country: Option<Country>,
    /// ISO 639-1 codes of the languages the expert works in.
    #[schema(value_type = Option<Vec<String>>, required = false, example = json!(["nl", "en"]))]
    pub languages: Vec<Language>,
    #[schema(value_type = Option<LocalizedText>)]
    pub bio: Option<Localized<Prose>>,
    /// Topic slugs of the expert's expertise.
    #[schema(value_type = Option<Vec<String>>, required = false, example = json!(["clinical-validation"]))]
    pub topics: Vec<Slug>,
}

impl ExpertDraft {
    pub fn from_json(body: &Value, vocabulary: &Vocabulary) -> ApiResult<Self> {
        let mut r = ObjectReader::new(body, FIELDS)?;
        let given_name = r.required("givenName");
        let family_name = r.required("familyName");
        let honorific = r.optional("honorific");
        let orcid = r.optional("orcid");
        let email = r.optional("email");
        let country = r.optional("country");
        let languages = r.list("languages", 50);
        let bio = r.optional("bio");
        let topics = r.topics("topics", vocabulary, false);
        r.finish(|| {
            Some(Self {
                given_name: given_name?,
                family_name: family_name?,
                honorific,
                orcid,
                email,
                country,
                languages,
                bio,
                topics,
            })
        })
    }
}

/// An expert as the registry shows them, with affiliations and initiatives.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(example = json!({
    "id": "01938b1e-7f00-7aaa-8000-000000000003",
    "givenName": "Anna",
    "familyName": "de Vries",
    "honorific": "dr. ir.",
    "name": "Anna de Vries",
    "orcid": "0000-0002-1825-0097",
    "email": "anna.devries@example.org",
    "country": "NL",
    "languages": ["nl", "en"],
    "bio": {"en": "Fictional example: clinical physicist working on validation of AI in radiology."},
    "topics": [{"slug": "clinical-validation", "label": {"en": "Clinical validation", "nl": "Klinische validatie"}}],
    "affiliations": [{"id": "01938b1e-7f00-7aaa-8000-000000000001", "name": "Royal Netherlands Standardization Institute", "acronym": "NEN", "role": "Senior advisor", "since": "2021-03-01", "until": null}],
    "initiatives": [{"id": "01938b1e-7f00-7aaa-8000-000000000002", "title": {"en": "NEN expert group AI and medical devices"}, "acronym": null, "role": "chair"}],
    "createdAt": "2026-11-28T10:00:00Z",
    "updatedAt": "2026-11-28T10:00:00Z",
    "version": 3
}))]
pub struct Expert {
    pub id: Uuid,
    pub given_name: String,
    pub family_name: String,
    pub honorific: Option<String>,
    /// Given and family name, for display.
    pub name: String,
    pub orcid: Option<String>,
    #[schema(format = Email)]
    pub email: Option<String>,
    pub country: Option<String>,
    pub languages: Vec<String>,
    pub bio: Option<LocalizedText>,
    pub topics: Vec<TopicRef>,
    /// Organisations the expert is affiliated with.
    pub affiliations: Vec<Affiliation>,
    /// Initiatives the expert takes part in.
    pub initiatives: Vec<ExpertInitiative>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    #[schema(minimum = 1)]
    pub version: i64,
}

/// Filters for the expert list. A repeated key means OR, different keys AND.
#[derive(Debug, IntoParams)]
#[into_params(parameter_in = Query, style = Form)]
pub struct ExpertFilter {
    /// ISO 3166-1 alpha-2 country code.
    #[param(value_type = Option<Vec<String>>, explode, example = json!(["NL"]))]
    pub country: Vec<Country>,
    /// Topic slug.
    #[param(value_type = Option<Vec<String>>, explode, example = json!(["clinical-validation"]))]
    pub topic: Vec<Slug>,
    /// Id of an organisation the expert is affiliated with.
    #[param(value_type = Option<Vec<Uuid>>, explode, example = json!(["01938b1e-7f00-7aaa-8000-000000000001"]))]
    pub organisation: Vec<Uuid>,
}

pub const FILTER_KEYS: &[&str] = &["country", "topic", "organisation", "limit", "cursor"];

impl ExpertFilter {
    pub fn from_query(query: &str, vocabulary: &Vocabulary) -> ApiResult<(Self, PageRequest)> {
        let mut q = QueryReader::new(query, FILTER_KEYS);
        let filter = Self {
            country: q.many("country", Country::parse),
            topic: q.many("topic", |raw| vocabulary.known(Slug::parse(raw)?)),
            organisation: q.many("organisation", parse_uuid),
        };
        let page = PageRequest::read(&mut q);
        q.finish()?;
        Ok((filter, page))
    }
}

pub const AFFILIATION_FIELDS: &[&str] = &["role", "since", "until"];

/// The body of `PUT /v1/experts/{id}/affiliations/{organisationId}`.
#[derive(Debug, ToSchema)]
#[schema(example = json!({"role": "Senior advisor", "since": "2021-03-01"}))]
pub struct AffiliationInput {
    /// The expert's position at the organisation, in free text.
    #[schema(max_length = 200, example = "Senior advisor")]
    pub role: Option<String>,
    pub since: Option<chrono::NaiveDate>,
    /// On or after `since`.
    pub until: Option<chrono::NaiveDate>,
}

pub fn affiliation_terms(body: &Value) -> ApiResult<AffiliationTerms> {
    let mut r = ObjectReader::new(body, AFFILIATION_FIELDS)?;
    let role = r.optional("role");
    let since: Option<Date> = r.optional("since");
    let until: Option<Date> = r.optional("until");
    if let (Some(since), Some(until)) = (since, until)
        && until < since
    {
        r.error("until", "before-start", "must be on or after 'since'");
    }
    r.finish(|| Some(AffiliationTerms { role, since, until }))
}
