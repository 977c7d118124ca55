//! The duplicate finder's shared parts: a candidate's score and reasons.
//! Each resource's SQL finds candidates by its identifiers and by trigram
//! name similarity; this module turns the signals into a ranking.

use serde::Serialize;
use utoipa::ToSchema;

/// Why a record was proposed as a duplicate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, ToSchema)]
#[serde(rename_all = "kebab-case")]
pub enum MatchReason {
    SameRorId,
    SameOrcid,
    SameEmail,
    SameWebsiteDomain,
    Acronym,
    SimilarName,
    SameCountry,
}

impl MatchReason {
    /// How sure the signal alone makes us (0..1).
    fn weight(self) -> f64 {
        match self {
            Self::SameRorId | Self::SameOrcid => 1.0,
            Self::SameEmail => 0.95,
            Self::SameWebsiteDomain => 0.9,
            Self::Acronym => 0.8,
            Self::SimilarName | Self::SameCountry => 0.0,
        }
    }
}

/// Names this similar count as a reason: pg_trgm word similarity, either
/// way round, at the threshold the connections set for `<%` and `%>`.
pub const SIMILAR_NAME: f64 = 0.5;
/// A shared country makes a candidate a little likelier, never certain.
const COUNTRY_BONUS: f64 = 0.05;
pub const MAX_CANDIDATES: usize = 10;

/// The score of a candidate: its strongest signal, the name similarity
/// counting as itself, plus a small bonus for the same country; in 0..1.
pub fn score(reasons: &[MatchReason], name_similarity: f64) -> f64 {
    let strongest = reasons
        .iter()
        .map(|r| r.weight())
        .fold(name_similarity.clamp(0.0, 1.0), f64::max);
    let bonus = if reasons.contains(&MatchReason::SameCountry) && strongest < 1.0 {
        COUNTRY_BONUS
    } else {
        0.0
    };
    ((strongest + bonus).min(1.0) * 1000.0).round() / 1000.0
}

/// From this score on, a new record without an id or external key is taken
/// for a duplicate by an import, which refuses to create it unless told to.
pub const LIKELY_DUPLICATE: f64 = 0.8;

/// An existing record a new one may duplicate, as an import reports it.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({"id": "01938000-0000-7000-8000-000000001001",
    "name": "Royal Netherlands Standardization Institute", "score": 0.9,
    "reasons": ["same-website-domain"]}))]
pub struct PossibleDuplicate {
    pub id: uuid::Uuid,
    pub name: String,
    #[schema(minimum = 0, maximum = 1)]
    pub score: f64,
    pub reasons: Vec<MatchReason>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identifiers_outrank_names_and_country_nudges() {
        assert_eq!(
            score(&[MatchReason::SameRorId, MatchReason::SameCountry], 0.2),
            1.0
        );
        assert_eq!(score(&[MatchReason::SimilarName], 0.5), 0.5);
        assert_eq!(
            score(&[MatchReason::SimilarName, MatchReason::SameCountry], 0.5),
            0.55
        );
        assert!(
            score(&[MatchReason::SameWebsiteDomain], 0.1) > score(&[MatchReason::SimilarName], 0.7)
        );
    }
}
