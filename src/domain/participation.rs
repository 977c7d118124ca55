//! Where a country takes part, and where it is missing: per topic × scope,
//! how many initiatives there are and how many have a participant (an
//! organisation or an expert) from the country; and the largest European
//! and international initiatives without one.

use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use super::enums::Scope;
use super::topics::TopicRef;

/// Initiatives in a cell, and how many of them have a participant from the
/// country.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Cell {
    #[schema(example = 12)]
    pub initiatives: i64,
    #[schema(example = 3)]
    pub with_participant: i64,
}

#[derive(Debug, Default, Clone, Copy, Serialize, ToSchema)]
pub struct ScopeCells {
    pub national: Cell,
    pub european: Cell,
    pub international: Cell,
}

impl ScopeCells {
    pub fn get_mut(&mut self, scope: Scope) -> &mut Cell {
        match scope {
            Scope::National => &mut self.national,
            Scope::European => &mut self.european,
            Scope::International => &mut self.international,
        }
    }

    pub fn in_order(&self) -> [(Scope, Cell); 3] {
        [
            (Scope::National, self.national),
            (Scope::European, self.european),
            (Scope::International, self.international),
        ]
    }
}

/// One topic's row; a topic counts its narrower topics' initiatives too.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ParticipationRow {
    pub topic: TopicRef,
    /// The broader topic, if any.
    pub parent: Option<String>,
    pub scopes: ScopeCells,
}

/// A European or international initiative without a participant from the
/// country.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Missing {
    pub id: Uuid,
    /// In the language asked for (`lang`, `Accept-Language`), else the other.
    #[schema(
        example = "TEF-Health: Testing and Experimentation Facility for Health AI and Robotics"
    )]
    pub title: String,
    pub scope: Scope,
    /// Organisations and experts taking part (that the caller may see).
    #[schema(example = 14)]
    pub participants: u64,
}

/// The participation of one country.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(example = json!({
    "country": "NL",
    "total": {"initiatives": 69, "withParticipant": 21},
    "byScope": {"national": {"initiatives": 12, "withParticipant": 12}, "european": {"initiatives": 40, "withParticipant": 7}, "international": {"initiatives": 17, "withParticipant": 2}},
    "byTopicAndScope": [{"topic": {"slug": "clinical-validation", "label": {"en": "Clinical validation", "nl": "Klinische validatie"}}, "parent": null,
        "scopes": {"national": {"initiatives": 3, "withParticipant": 3}, "european": {"initiatives": 9, "withParticipant": 2}, "international": {"initiatives": 4, "withParticipant": 0}}}],
    "largestWithout": [{"id": "01938000-0000-7000-8000-000000003056", "title": "TEF-Health: Testing and Experimentation Facility for Health AI and Robotics", "scope": "european", "participants": 3}]
}))]
pub struct Participation {
    /// ISO 3166-1 alpha-2.
    #[schema(example = "NL")]
    pub country: String,
    pub total: Cell,
    pub by_scope: ScopeCells,
    pub by_topic_and_scope: Vec<ParticipationRow>,
    /// The largest (most participants) European and international
    /// initiatives without a participant from the country, at most 10.
    pub largest_without: Vec<Missing>,
}

/// How many of the largest initiatives without the country are listed.
pub const LARGEST_WITHOUT: usize = 10;
