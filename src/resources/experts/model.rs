//! Experts as clients write them (`ExpertInput`), read them (`Expert`) and
//! filter them, and the terms of an affiliation.

use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::Value;
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::domain::enums::{PublicationStatus, Scope, TopicMatch};
use crate::domain::input::{FieldError, FromJson, ObjectReader};
use crate::domain::topics::{TopicRef, Vocabulary};
use crate::domain::values::{
    Country, Date, Email, LANGUAGE_KEYS, Language, Localized, Name, Orcid, Prose, ShortText, Slug,
    Text,
};
use crate::error::ApiResult;
use crate::http::query::{QueryReader, parse_uuid};
use crate::resources::discovery::topic_filter::TopicFilter;
use crate::resources::discovery::{Conditions, SetFilter, texts};
use crate::resources::links::{Affiliation, AffiliationTerms, ExpertInitiative, LocalizedText};
use crate::resources::matches::MatchReason;
use crate::sql::Bind;

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
    "consent",
];
pub const NESTED_FIELDS: &[(&str, &[&str])] = &[
    ("bio", LANGUAGE_KEYS),
    ("consent", &["publicProfile", "givenAt", "note"]),
];

/// The expert's recorded consent to a public profile (GDPR). Without
/// `publicProfile: true` the expert is visible to curators only, also in
/// other records' link summaries.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(example = json!({"publicProfile": true, "givenAt": "2026-11-20", "note": "By e-mail to the NEN secretariat"}))]
pub struct Consent {
    pub public_profile: bool,
    /// When the consent was given.
    #[schema(value_type = Option<String>, format = Date)]
    pub given_at: Option<Date>,
    /// How it was given, or any remark.
    #[schema(value_type = Option<String>, max_length = 1000)]
    pub note: Option<Text<1000, true>>,
}

impl FromJson for Consent {
    fn from_json(value: &Value) -> Result<Self, Vec<FieldError>> {
        let Value::Object(object) = value else {
            return Err(vec![FieldError::wrong_type("an object")]);
        };
        let mut errors = Vec::new();
        let public_profile = match object.get("publicProfile") {
            Some(Value::Bool(b)) => *b,
            None | Some(Value::Null) => {
                errors.push(FieldError::new("required", "is required").under("publicProfile"));
                false
            }
            Some(_) => {
                errors.push(FieldError::wrong_type("true or false").under("publicProfile"));
                false
            }
        };
        let optional = |key: &str| -> Option<&Value> { object.get(key).filter(|v| !v.is_null()) };
        let given_at = match optional("givenAt").map(Date::from_json) {
            Some(Ok(date)) => Some(date),
            Some(Err(e)) => {
                errors.extend(e.into_iter().map(|e| e.under("givenAt")));
                None
            }
            None => None,
        };
        let note = match optional("note").map(Text::from_json) {
            Some(Ok(note)) => Some(note),
            Some(Err(e)) => {
                errors.extend(
                    e.into_iter()
                        .filter(|e| !e.is_blank())
                        .map(|e| e.under("note")),
                );
                None
            }
            None => None,
        };
        if errors.is_empty() {
            Ok(Self {
                public_profile,
                given_at,
                note,
            })
        } else {
            Err(errors)
        }
    }
}

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
    "topics": ["clinical-validation", "algorithmic-bias"],
    "consent": {"publicProfile": true, "givenAt": "2026-11-20", "note": "By e-mail"}
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
    /// Consent to a public profile; absent means none was recorded.
    pub consent: Option<Consent>,
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
        let consent = r.optional("consent");
        r.finish(|| {
            Some(Self {
                consent,
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
    "consent": {"publicProfile": true, "givenAt": "2026-11-20", "note": "By e-mail"},
    "topics": [{"slug": "clinical-validation", "label": {"en": "Clinical validation", "nl": "Klinische validatie"}}],
    "affiliations": [{"id": "01938b1e-7f00-7aaa-8000-000000000001", "name": "Royal Netherlands Standardization Institute", "acronym": "NEN", "role": "Senior advisor", "since": "2021-03-01", "until": null}],
    "initiatives": [{"id": "01938b1e-7f00-7aaa-8000-000000000002", "title": {"en": "NEN expert group AI and medical devices"}, "acronym": null, "role": "chair"}],
    "createdAt": "2026-11-28T10:00:00Z",
    "updatedAt": "2026-11-28T10:00:00Z",
    "publicationStatus": "published",
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
    /// Contact data: shown to curators and above only.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(format = Email, required = false)]
    pub email: Option<String>,
    pub country: Option<String>,
    pub languages: Vec<String>,
    pub bio: Option<LocalizedText>,
    pub topics: Vec<TopicRef>,
    /// The recorded consent to a public profile: shown to curators and above only.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(required = false)]
    pub consent: Option<Consent>,
    /// Organisations the expert is affiliated with.
    pub affiliations: Vec<Affiliation>,
    /// Initiatives the expert takes part in.
    pub initiatives: Vec<ExpertInitiative>,
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
    #[schema(value_type = Option<Object>, required = false)]
    pub pending_revision: Option<serde_json::Value>,
}

/// The expert list's filters, read from the query string.
#[derive(Debug, Clone)]
pub struct ExpertFilter {
    pub country: Vec<Country>,
    pub topic: TopicFilter,
    pub organisation: Vec<Uuid>,
    pub initiative: Vec<Uuid>,
    pub initiative_scope: Vec<Scope>,
    /// Topics of the initiatives (matched with their narrower topics).
    pub initiative_topic: Vec<String>,
    pub language: Vec<Language>,
}

pub const FILTER_KEYS: &[&str] = &[
    "country",
    "topic",
    "topicMatch",
    "organisation",
    "initiative",
    "initiativeScope",
    "initiativeTopic",
    "language",
];

impl ExpertFilter {
    pub fn read(q: &mut QueryReader, vocabulary: &Vocabulary) -> Self {
        Self {
            country: q.many("country", Country::parse),
            topic: TopicFilter::read(q, vocabulary),
            organisation: q.many("organisation", parse_uuid),
            initiative: q.many("initiative", parse_uuid),
            initiative_scope: q.many("initiativeScope", Scope::parse),
            initiative_topic: q
                .many("initiativeTopic", |raw| vocabulary.known(Slug::parse(raw)?))
                .iter()
                .map(|t| t.as_str().to_owned())
                .collect(),
            language: q.many("language", Language::parse),
        }
    }
}

impl SetFilter for ExpertFilter {
    fn conditions(&self) -> Conditions {
        let mut c = Conditions::default();
        c.any_text(
            "country",
            "r.country",
            texts(&self.country, Country::as_str),
        );
        self.topic.add_to(&mut c);
        c.linked(
            "organisation",
            ("affiliations", "expert_id", "organisation_id"),
            &self.organisation,
        );
        c.linked(
            "initiative",
            ("initiative_experts", "expert_id", "initiative_id"),
            &self.initiative,
        );
        // Scope and topic of the initiatives hold for the same initiative:
        // "experts in international initiatives on clinical validation".
        if !self.initiative_scope.is_empty() || !self.initiative_topic.is_empty() {
            let scopes = texts(&self.initiative_scope, |s| s.as_str());
            c.push(
                "initiativeScope",
                "r.id IN (SELECT ie.expert_id FROM initiative_experts ie \
                 JOIN initiatives i ON i.id = ie.initiative_id WHERE i.deleted_at IS NULL \
                 AND (cardinality(#0::text[]) = 0 OR i.scope = ANY(#0)) \
                 AND (cardinality(#1::text[]) = 0 OR i.topic_closure && #1::text[]))"
                    .to_owned(),
                vec![
                    Bind::Texts(scopes),
                    Bind::Texts(self.initiative_topic.clone()),
                ],
            );
        }
        c.overlaps(
            "language",
            "r.languages",
            texts(&self.language, Language::as_str),
        );
        c
    }
}

/// The expert list's query parameters (documentation of what
/// [`ExpertFilter::read`] and `ListRequest::read` accept).
#[derive(IntoParams)]
#[into_params(parameter_in = Query, style = Form)]
pub struct ExpertListQuery {
    /// Search text: words (all must match), "quoted phrases", -exclusions, `or`.
    /// Matches names and biography in English and Dutch, ignoring accents, by
    /// word prefix; names also match with typos.
    #[param(example = "jansen")]
    pub q: Option<String>,
    /// Order: `relevance` (default with `q`), `name` (family name first), `-updatedAt`, `createdAt` (default without `q`).
    #[param(example = "name")]
    pub sort: Option<String>,
    /// Comma-separated facets to count: `country`, `topic`, `language`.
    #[param(example = "country,topic")]
    pub facets: Option<String>,
    /// ISO 3166-1 alpha-2 country code.
    #[param(explode, example = json!(["NL"]))]
    pub country: Option<Vec<String>>,
    /// Topic slug of the expertise; matches the topic's descendants too.
    #[param(explode, example = json!(["clinical-validation"]))]
    pub topic: Option<Vec<String>>,
    /// Whether experts need any (default) or all of the listed topics.
    #[param(rename = "topicMatch", example = "any")]
    pub topic_match: Option<TopicMatch>,
    /// Id of an organisation the expert is affiliated with.
    #[param(explode, example = json!(["01938b1e-7f00-7aaa-8000-000000000001"]))]
    pub organisation: Option<Vec<Uuid>>,
    /// Id of an initiative the expert takes part in.
    #[param(explode, example = json!(["01938b1e-7f00-7aaa-8000-000000000002"]))]
    pub initiative: Option<Vec<Uuid>>,
    /// Experts taking part in initiatives of this scope.
    #[param(rename = "initiativeScope", explode, example = json!(["international"]))]
    pub initiative_scope: Option<Vec<Scope>>,
    /// Experts taking part in initiatives on this topic (or a narrower one).
    /// With `initiativeScope`, both hold for the same initiative.
    #[param(rename = "initiativeTopic", explode, example = json!(["clinical-validation"]))]
    pub initiative_topic: Option<Vec<String>>,
    /// ISO 639-1 code of a language the expert works in.
    #[param(explode, example = json!(["nl"]))]
    pub language: Option<Vec<String>>,
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

/// What a curator knows about an expert they are about to create.
#[derive(Debug, Clone)]
pub struct ExpertProbe {
    pub name: Option<Name>,
    pub orcid: Option<Orcid>,
    pub email: Option<Email>,
}

pub const PROBE_KEYS: &[&str] = &["name", "orcid", "email"];

impl ExpertProbe {
    pub fn from_query(query: &str) -> ApiResult<Self> {
        let mut q = QueryReader::new(query, PROBE_KEYS);
        let probe = Self {
            name: q.one("name", Name::parse),
            orcid: q.one("orcid", Orcid::parse),
            email: q.one("email", Email::parse),
        };
        if probe.name.is_none() && probe.orcid.is_none() && probe.email.is_none() && !q.has_errors()
        {
            q.error(
                "name",
                "required",
                "give at least one of name, orcid and email",
            );
        }
        q.finish()?;
        Ok(probe)
    }
}

/// The duplicate finder's query parameters.
#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ExpertProbeQuery {
    /// Given and family name as the curator would write them; typos are fine.
    #[param(example = "Anna de Vries")]
    pub name: Option<String>,
    /// ORCID iD, bare or as a URL.
    #[param(example = "0000-0002-1825-0097")]
    pub orcid: Option<String>,
    /// Compared without regard to case.
    #[param(example = "anna.devries@example.org")]
    pub email: Option<String>,
}

/// A possible duplicate of the expert described.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "01938b1e-7f00-7aaa-8000-000000000003",
    "name": "Anna de Vries",
    "orcid": "0000-0002-1825-0097",
    "country": "NL",
    "score": 1.0,
    "reasons": ["same-orcid", "similar-name"]
}))]
pub struct ExpertCandidate {
    pub id: Uuid,
    pub name: String,
    pub orcid: Option<String>,
    pub country: Option<String>,
    /// How likely a duplicate, 0..1: 1 for the same ORCID iD.
    #[schema(minimum = 0, maximum = 1)]
    pub score: f64,
    pub reasons: Vec<MatchReason>,
}

/// Candidates, best first.
#[derive(Debug, Serialize, ToSchema)]
pub struct ExpertMatches {
    pub items: Vec<ExpertCandidate>,
}
