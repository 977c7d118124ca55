//! Loading the summaries of linked records that every read embeds: a set of
//! correlated subqueries that build JSON arrays, so a record or a whole page
//! of records, links included, is one statement, and their decoding.

use serde::Deserialize;
use serde::de::DeserializeOwned;
use uuid::Uuid;

use crate::domain::enums::Relation;
use crate::domain::summaries::{LocalizedText, RelatedInitiative};
use crate::error::{ApiError, ApiResult};

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
