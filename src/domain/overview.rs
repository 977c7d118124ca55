//! The sector's overview: initiatives per topic and scope, per scope and per
//! country; experts per topic; organisations per type.

use serde::Serialize;
use utoipa::ToSchema;

use crate::domain::enums::{OrganisationType, Scope};
use crate::domain::input::FieldError;
use crate::domain::topics::TopicRef;
use crate::error::{ApiError, ApiResult};

/// Initiative counts by scope.
#[derive(Debug, Default, Clone, Serialize, ToSchema)]
pub struct ScopeCounts {
    pub national: i64,
    pub european: i64,
    pub international: i64,
}

/// A vocabulary value the overview's counts name; one the type does not
/// know is an error, not a guess.
pub fn stored<T>(text: &str, parse: fn(&str) -> Result<T, FieldError>) -> ApiResult<T> {
    parse(text).map_err(|_| ApiError::internal(format!("the database holds '{text}'")))
}

impl ScopeCounts {
    pub fn add(&mut self, scope: &str, count: i64) -> ApiResult<()> {
        match stored(scope, Scope::parse)? {
            Scope::National => self.national += count,
            Scope::European => self.european += count,
            Scope::International => self.international += count,
        }
        Ok(())
    }
}

/// One row of the topic × scope matrix.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TopicRow {
    pub topic: TopicRef,
    /// The broader topic, if any; a row counts its narrower topics too.
    pub parent: Option<String>,
    pub scopes: ScopeCounts,
    /// Initiatives on this topic (each has one scope, so this is the row's sum).
    pub total: i64,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CountryCount {
    #[schema(example = "NL")]
    pub country: String,
    pub count: i64,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TopicCount {
    pub topic: TopicRef,
    pub count: i64,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TypeCount {
    #[serde(rename = "type")]
    pub organisation_type: OrganisationType,
    pub count: i64,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct InitiativeOverview {
    /// Initiatives matching the filters.
    pub total: i64,
    /// The topic × scope matrix: one row per topic, in vocabulary order.
    pub by_topic_and_scope: Vec<TopicRow>,
    /// Column totals: initiatives per scope.
    pub by_scope: ScopeCounts,
    /// Initiatives per country they name, most first.
    pub by_country: Vec<CountryCount>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ExpertOverview {
    pub total: i64,
    /// Experts per topic of expertise (narrower topics counted in broader ones).
    pub by_topic: Vec<TopicCount>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct OrganisationOverview {
    pub total: i64,
    pub by_type: Vec<TypeCount>,
}

/// The overview. Initiative figures follow the filters; expert and
/// organisation figures cover the whole registry.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({
    "initiatives": {
        "total": 3,
        "byTopicAndScope": [{
            "topic": {"slug": "algorithmic-bias", "label": {"en": "Algorithmic bias", "nl": "Bias van algoritmes"}},
            "parent": null,
            "scopes": {"national": 1, "european": 1, "international": 0},
            "total": 2
        }],
        "byScope": {"national": 1, "european": 1, "international": 1},
        "byCountry": [{"country": "NL", "count": 2}]
    },
    "experts": {"total": 12, "byTopic": [{"topic": {"slug": "privacy", "label": {"en": "Privacy", "nl": "Privacy"}}, "count": 4}]},
    "organisations": {"total": 8, "byType": [{"type": "standards-body", "count": 3}]}
}))]
pub struct Overview {
    pub initiatives: InitiativeOverview,
    pub experts: ExpertOverview,
    pub organisations: OrganisationOverview,
}
