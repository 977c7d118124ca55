//! "Similar records": how alike two initiatives (or two organisations) are,
//! from their text (the index's more-like-this score, scaled to the best
//! candidate's) and what they are tagged with and linked to, as a score in
//! 0..1 with the reasons in words.

use std::collections::BTreeSet;

use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use super::suggestions::{FULL_ORGANISATIONS, FULL_TOPICS, RELATED_TOPIC, Reason, ReasonCode};
use super::topics::Vocabulary;

/// How much each signal counts; they add up to 1.
pub const TEXT: f64 = 0.4;
pub const TOPICS: f64 = 0.35;
/// Initiatives: shared regulations; organisations: the same type.
pub const KIND_OF: f64 = 0.1;
/// Initiatives: shared organisations; organisations: shared initiatives.
pub const LINKS: f64 = 0.15;
/// Below this share of the best text score, wording is not given as a
/// reason (it still counts).
const TEXT_REASON: f64 = 0.3;

/// What a record is tagged with and linked to, for comparing.
#[derive(Debug, Clone, Default)]
pub struct Profile {
    pub topics: Vec<String>,
    /// Initiatives: regulations; organisations: their type.
    pub kinds: Vec<String>,
    /// Names of linked records, by id: initiatives' organisations,
    /// organisations' initiatives.
    pub links: Vec<(Uuid, String)>,
}

/// How a candidate compares with the record.
#[derive(Debug, Clone, PartialEq)]
pub struct Comparison {
    pub score: f64,
    pub reasons: Vec<Reason>,
}

/// Compares `candidate` with `record`; `text` is the candidate's text score
/// as a share of the best candidate's (0..1); `words` word the reasons for
/// the kind of record.
pub fn compare(
    vocabulary: &Vocabulary,
    record: &Profile,
    candidate: &Profile,
    text: f64,
    words: &Words,
) -> Comparison {
    let own: BTreeSet<&String> = record.topics.iter().collect();
    let reach: BTreeSet<&String> = record
        .topics
        .iter()
        .filter_map(|slug| vocabulary.get(slug))
        .flat_map(|t| t.parent.iter().chain(&t.children))
        .filter(|slug| !own.contains(slug))
        .collect();
    let shared: Vec<&String> = candidate
        .topics
        .iter()
        .filter(|t| own.contains(t))
        .collect();
    let related: Vec<&String> = candidate
        .topics
        .iter()
        .filter(|t| reach.contains(t))
        .collect();
    let full_topics = FULL_TOPICS.min(record.topics.len().max(1) as f64);
    let topics =
        ((shared.len() as f64 + RELATED_TOPIC * related.len() as f64) / full_topics).min(1.0);
    let kinds: Vec<&String> = candidate
        .kinds
        .iter()
        .filter(|k| record.kinds.contains(k))
        .collect();
    let kind_share = kinds.len() as f64 / record.kinds.len().max(1) as f64;
    let links: Vec<&String> = candidate
        .links
        .iter()
        .filter(|(id, _)| record.links.iter().any(|(own, _)| own == id))
        .map(|(_, name)| name)
        .collect();
    let link_share = (links.len() as f64 / FULL_ORGANISATIONS).min(1.0);
    let text = text.clamp(0.0, 1.0);
    let score = TEXT * text + TOPICS * topics + KIND_OF * kind_share + LINKS * link_share;

    let label = |slug: &&String| {
        vocabulary
            .get(slug)
            .map_or_else(|| (*slug).clone(), |t| t.label.en.clone())
    };
    let join = |items: Vec<String>| items.join(", ");
    let mut reasons = Vec::new();
    if text >= TEXT_REASON {
        reasons.push(Reason {
            code: ReasonCode::SimilarText,
            text: words.text.to_owned(),
        });
    }
    if !shared.is_empty() {
        reasons.push(Reason {
            code: ReasonCode::SharedTopic,
            text: format!("both on {}", join(shared.iter().map(label).collect())),
        });
    }
    if !related.is_empty() {
        reasons.push(Reason {
            code: ReasonCode::RelatedTopic,
            text: format!(
                "on {}, broader or narrower than its topics",
                join(related.iter().map(label).collect())
            ),
        });
    }
    if !kinds.is_empty() {
        reasons.push(Reason {
            code: words.kinds_code,
            text: format!(
                "{} {}",
                words.kinds,
                join(kinds.into_iter().cloned().collect())
            ),
        });
    }
    if !links.is_empty() {
        reasons.push(Reason {
            code: words.links_code,
            text: format!(
                "{} {}",
                words.links,
                join(links.into_iter().cloned().collect())
            ),
        });
    }
    Comparison {
        score: (score * 1e4).round() / 1e4,
        reasons,
    }
}

/// How the reasons of a kind of record are worded.
pub struct Words {
    pub text: &'static str,
    pub kinds_code: ReasonCode,
    pub kinds: &'static str,
    pub links_code: ReasonCode,
    pub links: &'static str,
}

pub const INITIATIVE_WORDS: Words = Words {
    text: "similar words in title and summary",
    kinds_code: ReasonCode::SharedRegulation,
    kinds: "both under",
    links_code: ReasonCode::SharedOrganisation,
    links: "both with",
};

pub const ORGANISATION_WORDS: Words = Words {
    text: "similar words in name and description",
    kinds_code: ReasonCode::SameType,
    kinds: "both of the type",
    links_code: ReasonCode::SharedInitiative,
    links: "both take part in",
};

/// A similar initiative.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({
    "initiative": {"id": "01938000-0000-7000-8000-000000003008", "title": {"en": "MDCG 2020-1: Clinical evaluation (MDR) and performance evaluation (IVDR) of medical device software"}, "acronym": "MDCG 2020-1", "scope": "european"},
    "score": 0.62,
    "reasons": [{"code": "similar-text", "text": "similar words in title and summary"},
                {"code": "shared-regulation", "text": "both under mdr, ivdr"}]
}))]
pub struct SimilarInitiative {
    pub initiative: super::suggestions::InitiativeBrief,
    /// In 0..1; higher is more alike.
    pub score: f64,
    pub reasons: Vec<Reason>,
}

/// A similar organisation.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({
    "organisation": {"id": "01938000-0000-7000-8000-000000001002", "name": "CEN-CENELEC", "acronym": null},
    "score": 0.48,
    "reasons": [{"code": "same-type", "text": "both of the type standards-body"}]
}))]
pub struct SimilarOrganisation {
    pub organisation: OrganisationBrief,
    pub score: f64,
    pub reasons: Vec<Reason>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct OrganisationBrief {
    pub id: Uuid,
    pub name: String,
    pub acronym: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_weights_add_up_to_one() {
        assert!((TEXT + TOPICS + KIND_OF + LINKS - 1.0).abs() < 1e-9);
    }

    #[test]
    fn identical_profiles_and_the_best_text_score_one() {
        let profile = Profile {
            topics: vec!["privacy".to_owned(), "ethics".to_owned()],
            kinds: vec!["mdr".to_owned()],
            links: vec![
                (Uuid::nil(), "NEN".to_owned()),
                (Uuid::max(), "ISO".to_owned()),
            ],
        };
        let same = compare(
            &Vocabulary::default(),
            &profile,
            &profile,
            1.0,
            &INITIATIVE_WORDS,
        );
        assert_eq!(same.score, 1.0);
        let codes: Vec<_> = same.reasons.iter().map(|r| r.code).collect();
        assert_eq!(
            codes,
            [
                ReasonCode::SimilarText,
                ReasonCode::SharedTopic,
                ReasonCode::SharedRegulation,
                ReasonCode::SharedOrganisation
            ]
        );
        let unlike = compare(
            &Vocabulary::default(),
            &profile,
            &Profile::default(),
            0.0,
            &INITIATIVE_WORDS,
        );
        assert_eq!(unlike.score, 0.0);
        assert!(unlike.reasons.is_empty());
    }
}
