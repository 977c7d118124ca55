//! Experts as clients write them (`ExpertInput`), read them (`Expert`) and
//! filter them, and the terms of an affiliation.

mod affiliation;
mod filter;
mod matches;

use crate::domain::history::Actor;
use crate::domain::sources::{MAX_SOURCES, Source};
use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::Value;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::domain::enums::PublicationStatus;
use crate::domain::input::{FieldError, FromJson, ObjectReader};
use crate::domain::summaries::{Affiliation, ExpertInitiative, LocalizedText};
use crate::domain::topics::{TopicRef, Vocabulary};
use crate::domain::values::{
    Country, Date, Email, LANGUAGE_KEYS, Language, Localized, Name, Orcid, Prose, ShortText, Slug,
    Text,
};
use crate::error::ApiResult;

pub use self::affiliation::{AFFILIATION_FIELDS, AffiliationInput, affiliation_terms};
pub use self::filter::{ExpertFilter, ExpertListQuery, FILTER_KEYS, LIST};
pub use self::matches::{
    ExpertCandidate, ExpertMatches, ExpertProbe, ExpertProbeQuery, PROBE_KEYS,
};

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
    "sources",
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
    "consent": {"publicProfile": true, "givenAt": "2026-11-20", "note": "By e-mail"},
    "sources": [{"url": "https://orcid.org/0000-0002-1825-0097", "title": "ORCID record", "publisher": "ORCID", "consultedOn": "2026-12-02"}]
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
    /// What the facts were checked against; at most 50.
    #[schema(required = false, max_items = 50)]
    pub sources: Vec<Source>,
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
        let sources = r.list("sources", MAX_SOURCES);
        r.finish(|| {
            Some(Self {
                consent,
                sources,
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
    "sources": [{"url": "https://orcid.org/0000-0002-1825-0097", "title": "ORCID record", "publisher": "ORCID", "consultedOn": "2026-12-02"}],
    "lastReviewedAt": "2026-11-30T09:12:00Z",
    "reviewedBy": {"keyId": "01938b1e-7f00-7aaa-8000-0000000000a1", "name": "NEN editor"},
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
    #[schema(value_type = Option<ExpertDraft>, required = false)]
    pub pending_revision: Option<serde_json::Value>,
}
