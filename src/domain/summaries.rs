//! The summaries of linked records that every read embeds (loaded by
//! `store::summaries` in the same statement as the records).

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::domain::enums::{ExpertRole, OrganisationRole, Relation};

/// Text in English and/or Dutch; a language without text is left out.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({"en": "Artificial Intelligence Act", "nl": "AI-verordening"}))]
pub struct LocalizedText {
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(required = false)]
    pub en: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(required = false)]
    pub nl: Option<String>,
}

impl LocalizedText {
    pub fn new(en: Option<String>, nl: Option<String>) -> Self {
        Self { en, nl }
    }

    /// `None` when neither language has text.
    pub fn optional(en: Option<String>, nl: Option<String>) -> Option<Self> {
        (en.is_some() || nl.is_some()).then_some(Self { en, nl })
    }
}

/// An organisation taking part in an initiative.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct InitiativeOrganisation {
    pub id: Uuid,
    #[schema(example = "Royal Netherlands Standardization Institute")]
    pub name: String,
    #[schema(example = "NEN")]
    pub acronym: Option<String>,
    pub role: OrganisationRole,
}

/// An expert taking part in an initiative.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct InitiativeExpert {
    pub id: Uuid,
    /// Given and family name.
    #[schema(example = "Anna de Vries")]
    pub name: String,
    pub role: ExpertRole,
}

/// An initiative related to this one; `relation` reads from this record's side.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct RelatedInitiative {
    pub id: Uuid,
    pub title: LocalizedText,
    pub acronym: Option<String>,
    pub relation: Relation,
}

/// An initiative an organisation takes part in.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct OrganisationInitiative {
    pub id: Uuid,
    pub title: LocalizedText,
    pub acronym: Option<String>,
    pub role: OrganisationRole,
}

/// An initiative an expert takes part in.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ExpertInitiative {
    pub id: Uuid,
    pub title: LocalizedText,
    pub acronym: Option<String>,
    pub role: ExpertRole,
}

/// An expert affiliated with an organisation.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct AffiliatedExpert {
    pub id: Uuid,
    #[schema(example = "Anna de Vries")]
    pub name: String,
    #[schema(example = "Senior advisor")]
    pub role: Option<String>,
    pub since: Option<NaiveDate>,
    pub until: Option<NaiveDate>,
}

/// An organisation an expert is affiliated with.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Affiliation {
    /// The organisation's id.
    pub id: Uuid,
    #[schema(example = "Royal Netherlands Standardization Institute")]
    pub name: String,
    #[schema(example = "NEN")]
    pub acronym: Option<String>,
    #[schema(example = "Senior advisor")]
    pub role: Option<String>,
    pub since: Option<NaiveDate>,
    pub until: Option<NaiveDate>,
}

pub fn expert_name(given: &str, family: &str) -> String {
    format!("{given} {family}")
}
