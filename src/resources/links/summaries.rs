//! The summaries of linked records that every read embeds. The SQL for
//! them is a set of correlated subqueries that build JSON arrays, so a record
//! or a whole page of records, links included, is one statement.

use chrono::NaiveDate;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::domain::enums::{ExpertRole, OrganisationRole, Relation};
use crate::error::{ApiError, ApiResult};

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

/// A relation as stored, with whether it must be read inverted (the record
/// being read is the pair's second initiative).
#[derive(Debug, Deserialize)]
struct StoredRelation {
    id: Uuid,
    title: LocalizedText,
    acronym: Option<String>,
    relation: Relation,
    inverted: bool,
}

/// Reads one embedded JSON array.
pub fn decode<T: DeserializeOwned>(value: serde_json::Value) -> ApiResult<Vec<T>> {
    serde_json::from_value(value).map_err(|e| ApiError::internal(format!("embedded links: {e}")))
}

/// Reads the embedded related initiatives, each relation from this side.
pub fn decode_related(value: serde_json::Value) -> ApiResult<Vec<RelatedInitiative>> {
    let stored: Vec<StoredRelation> = decode(value)?;
    Ok(stored
        .into_iter()
        .map(|r| RelatedInitiative {
            id: r.id,
            title: r.title,
            acronym: r.acronym,
            relation: if r.inverted {
                r.relation.inverse()
            } else {
                r.relation
            },
        })
        .collect())
}

/// Correlated subqueries over the record alias `r`, each a JSON array of
/// one kind of summary in display order. Deleted records are left out.
pub mod sql {
    pub const ORGANISATIONS_OF_INITIATIVE: &str = "(SELECT coalesce(json_agg(json_build_object(\
        'id', o.id, 'name', o.name, 'acronym', o.acronym, 'role', l.role) ORDER BY o.name, o.id), '[]') \
        FROM initiative_organisations l JOIN organisations o ON o.id = l.organisation_id \
        WHERE l.initiative_id = r.id AND o.deleted_at IS NULL)";

    pub const EXPERTS_OF_INITIATIVE: &str = "(SELECT coalesce(json_agg(json_build_object(\
        'id', e.id, 'name', e.given_name || ' ' || e.family_name, 'role', l.role) \
        ORDER BY e.family_name, e.given_name, e.id), '[]') \
        FROM initiative_experts l JOIN experts e ON e.id = l.expert_id \
        WHERE l.initiative_id = r.id AND e.deleted_at IS NULL)";

    pub const RELATED_INITIATIVES: &str = "(SELECT coalesce(json_agg(x ORDER BY x.id), '[]') FROM (\
        SELECT i.id, json_build_object('en', i.title_en, 'nl', i.title_nl) AS title, i.acronym, l.relation, false AS inverted \
        FROM initiative_relations l JOIN initiatives i ON i.id = l.object_id \
        WHERE l.subject_id = r.id AND i.deleted_at IS NULL \
        UNION ALL \
        SELECT i.id, json_build_object('en', i.title_en, 'nl', i.title_nl), i.acronym, l.relation, true \
        FROM initiative_relations l JOIN initiatives i ON i.id = l.subject_id \
        WHERE l.object_id = r.id AND i.deleted_at IS NULL) x)";

    pub const INITIATIVES_OF_ORGANISATION: &str = "(SELECT coalesce(json_agg(json_build_object(\
        'id', i.id, 'title', json_build_object('en', i.title_en, 'nl', i.title_nl), 'acronym', i.acronym, \
        'role', l.role) ORDER BY i.id), '[]') \
        FROM initiative_organisations l JOIN initiatives i ON i.id = l.initiative_id \
        WHERE l.organisation_id = r.id AND i.deleted_at IS NULL)";

    pub const INITIATIVES_OF_EXPERT: &str = "(SELECT coalesce(json_agg(json_build_object(\
        'id', i.id, 'title', json_build_object('en', i.title_en, 'nl', i.title_nl), 'acronym', i.acronym, \
        'role', l.role) ORDER BY i.id), '[]') \
        FROM initiative_experts l JOIN initiatives i ON i.id = l.initiative_id \
        WHERE l.expert_id = r.id AND i.deleted_at IS NULL)";

    pub const AFFILIATIONS_OF_EXPERT: &str = "(SELECT coalesce(json_agg(json_build_object(\
        'id', o.id, 'name', o.name, 'acronym', o.acronym, 'role', l.role, 'since', l.since, 'until', l.until) \
        ORDER BY o.name, o.id), '[]') \
        FROM affiliations l JOIN organisations o ON o.id = l.organisation_id \
        WHERE l.expert_id = r.id AND o.deleted_at IS NULL)";

    pub const EXPERTS_OF_ORGANISATION: &str = "(SELECT coalesce(json_agg(json_build_object(\
        'id', e.id, 'name', e.given_name || ' ' || e.family_name, 'role', l.role, 'since', l.since, 'until', l.until) \
        ORDER BY e.family_name, e.given_name, e.id), '[]') \
        FROM affiliations l JOIN experts e ON e.id = l.expert_id \
        WHERE l.organisation_id = r.id AND e.deleted_at IS NULL)";
}
