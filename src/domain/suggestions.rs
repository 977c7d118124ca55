//! Suggestions that connect people and work: experts to invite to an
//! initiative, initiatives for an expert to join. The store scores
//! candidates from signals (topics, organisations, colleagues, country,
//! language) with the weights below; this module names the signals as
//! reasons a curator can read.

use std::collections::BTreeSet;

use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use super::enums::Scope;
use super::topics::Vocabulary;

/// Why a candidate was suggested.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "kebab-case")]
pub enum ReasonCode {
    /// They share a topic.
    SharedTopic,
    /// A topic of one is broader or narrower than a topic of the other.
    RelatedTopic,
    /// The expert is affiliated with an organisation that takes part.
    SharedOrganisation,
    /// The expert works with its experts in other initiatives.
    CoParticipant,
    /// The expert is based in a country the initiative covers.
    CountryFit,
    /// The expert speaks the initiative's language.
    LanguageFit,
    /// A European or international initiative with no participant from
    /// the expert's country.
    NoParticipantFromCountry,
    /// A European or international initiative with one or two
    /// participants from the expert's country.
    FewParticipantsFromCountry,
    /// Suggested experts: takes part in other initiatives already.
    Active,
    /// Similar records: alike in wording (title, summary, description).
    SimilarText,
    /// Similar initiatives: under the same regulation.
    SharedRegulation,
    /// Similar organisations: of the same type.
    SameType,
    /// Similar organisations: taking part in the same initiative.
    SharedInitiative,
}

/// A reason, as a code and in words.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
#[schema(example = json!({"code": "shared-topic", "text": "works on Clinical validation, a topic of the initiative"}))]
pub struct Reason {
    pub code: ReasonCode,
    pub text: String,
}

/// How much each signal, scaled to 0..1, counts; the weights of a kind of
/// suggestion add up to 1, so scores are in 0..1.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Weights {
    pub topic: f64,
    pub organisation: f64,
    pub colleagues: f64,
    pub country: f64,
    pub language: f64,
    /// Suggested initiatives only: few or no participants from the
    /// expert's country.
    pub absence: f64,
    /// Suggested experts only: how many initiatives the expert takes part
    /// in; an active expert is likelier to take part in another.
    pub activity: f64,
}

/// Experts to invite: tuned by `bench/suggest_eval.rs` on half of the
/// generated registry's initiatives (see bench/README.md), rounded.
pub const EXPERT_WEIGHTS: Weights = Weights {
    topic: 0.15,
    organisation: 0.29,
    colleagues: 0.29,
    country: 0.1,
    language: 0.05,
    absence: 0.0,
    activity: 0.12,
};

/// Initiatives to join.
pub const INITIATIVE_WEIGHTS: Weights = Weights {
    topic: 0.45,
    organisation: 0.15,
    colleagues: 0.1,
    country: 0.05,
    language: 0.05,
    absence: 0.2,
    activity: 0.0,
};

/// A broader or narrower topic counts this much of a shared one.
pub const RELATED_TOPIC: f64 = 0.5;
/// This many shared topics (or fewer, when the record starting the
/// suggestion has fewer), organisations and colleagues make a signal whole.
pub const FULL_TOPICS: f64 = 2.0;
pub const FULL_ORGANISATIONS: f64 = 2.0;
pub const FULL_COLLEAGUES: f64 = 3.0;
/// Activity counts on a log scale, whole at this many initiatives: the
/// difference between 2 and 10 matters more than between 40 and 50.
pub const FULL_ACTIVITY: f64 = 50.0;

/// One side's topics, and those one step broader or narrower, for matching
/// the other side's.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TopicReach {
    pub own: Vec<String>,
    pub related: Vec<String>,
}

impl TopicReach {
    pub fn of(vocabulary: &Vocabulary, own: impl IntoIterator<Item = String>) -> Self {
        let own: BTreeSet<String> = own.into_iter().collect();
        let related = own
            .iter()
            .filter_map(|slug| vocabulary.get(slug))
            .flat_map(|topic| topic.parent.iter().chain(&topic.children).cloned())
            .filter(|slug| !own.contains(slug))
            .collect::<BTreeSet<_>>();
        Self {
            own: own.into_iter().collect(),
            related: related.into_iter().collect(),
        }
    }
}

/// Official languages of the countries whose national initiatives the
/// registry is likeliest to hold (ISO 3166-1, ISO 639-1); a national
/// initiative elsewhere is taken to work in English.
pub const NATIONAL_LANGUAGES: &[(&str, &str)] = &[
    ("NL", "nl"),
    ("BE", "nl"),
    ("BE", "fr"),
    ("BE", "de"),
    ("DE", "de"),
    ("AT", "de"),
    ("CH", "de"),
    ("CH", "fr"),
    ("CH", "it"),
    ("FR", "fr"),
    ("LU", "fr"),
    ("LU", "de"),
    ("LU", "lb"),
    ("ES", "es"),
    ("IT", "it"),
    ("PT", "pt"),
    ("PL", "pl"),
    ("DK", "da"),
    ("SE", "sv"),
    ("FI", "fi"),
    ("FI", "sv"),
    ("IE", "en"),
    ("IE", "ga"),
    ("GB", "en"),
    ("US", "en"),
    ("CA", "en"),
    ("CA", "fr"),
    ("AU", "en"),
];

/// The languages an initiative works in, as far as the registry can tell:
/// English for European and international ones, the national language(s)
/// of a national one's countries (ISO 639-1).
pub fn working_languages(scope: Scope, countries: &[String]) -> Vec<String> {
    let mut languages: BTreeSet<String> = BTreeSet::new();
    if scope == Scope::National {
        for (country, language) in NATIONAL_LANGUAGES {
            if countries.iter().any(|c| c == country) {
                languages.insert((*language).to_owned());
            }
        }
    }
    if languages.is_empty() {
        languages.insert("en".to_owned());
    }
    languages.into_iter().collect()
}

/// The signals the store found for one candidate.
#[derive(Debug, Clone, Default)]
pub struct Signals {
    /// Shared topics, and topics one step apart, by slug.
    pub shared_topics: Vec<String>,
    pub related_topics: Vec<String>,
    /// Names of the organisations that link the two.
    pub organisations: Vec<String>,
    /// Experts of the other side the candidate works with elsewhere, and
    /// in how many initiatives.
    pub colleagues: i64,
    pub shared_initiatives: i64,
    pub country_fit: Option<String>,
    pub language_fit: Vec<String>,
    /// Suggested initiatives: participants from the expert's country, when
    /// the initiative is European or international.
    pub compatriots: Option<i64>,
    /// Suggested experts: the initiatives the expert takes part in.
    pub activity: i64,
}

impl Signals {
    /// The reasons, strongest signal first, in English.
    /// `other` names the record the suggestion starts from ("the
    /// initiative", "the expert").
    pub fn reasons(
        &self,
        vocabulary: &Vocabulary,
        other: &str,
        expert_country: Option<&str>,
    ) -> Vec<Reason> {
        let label = |slug: &String| {
            vocabulary
                .get(slug)
                .map_or_else(|| slug.clone(), |t| t.label.en.clone())
        };
        let list = |items: Vec<String>| items.join(", ");
        let mut reasons = Vec::new();
        if !self.shared_topics.is_empty() {
            reasons.push(Reason {
                code: ReasonCode::SharedTopic,
                text: format!(
                    "shares the topic{} {}",
                    plural(self.shared_topics.len()),
                    list(self.shared_topics.iter().map(label).collect())
                ),
            });
        }
        if !self.related_topics.is_empty() {
            reasons.push(Reason {
                code: ReasonCode::RelatedTopic,
                text: format!(
                    "on {}, broader or narrower than a topic of {other}",
                    list(self.related_topics.iter().map(label).collect())
                ),
            });
        }
        if !self.organisations.is_empty() {
            reasons.push(Reason {
                code: ReasonCode::SharedOrganisation,
                text: format!(
                    "affiliated with {}, which take{} part",
                    list(self.organisations.clone()),
                    if self.organisations.len() == 1 {
                        "s"
                    } else {
                        ""
                    }
                ),
            });
        }
        if self.colleagues > 0 {
            reasons.push(Reason {
                code: ReasonCode::CoParticipant,
                text: format!(
                    "works with {} of its experts in {} other initiative{}",
                    self.colleagues,
                    self.shared_initiatives,
                    plural(self.shared_initiatives as usize)
                ),
            });
        }
        if let Some(country) = &self.country_fit {
            reasons.push(Reason {
                code: ReasonCode::CountryFit,
                text: format!("the expert is based in {country}, a country the initiative covers"),
            });
        }
        if !self.language_fit.is_empty() {
            reasons.push(Reason {
                code: ReasonCode::LanguageFit,
                text: format!(
                    "the expert speaks the initiative's language ({})",
                    list(self.language_fit.clone())
                ),
            });
        }
        if self.activity > 0 {
            reasons.push(Reason {
                code: ReasonCode::Active,
                text: format!(
                    "takes part in {} initiative{}",
                    self.activity,
                    plural(self.activity as usize)
                ),
            });
        }
        if let (Some(count), Some(country)) = (self.compatriots, expert_country) {
            match count {
                0 => reasons.push(Reason {
                    code: ReasonCode::NoParticipantFromCountry,
                    text: format!("no participant from {country} yet"),
                }),
                1 | 2 => reasons.push(Reason {
                    code: ReasonCode::FewParticipantsFromCountry,
                    text: format!(
                        "only {count} participant{} from {country}",
                        plural(count as usize)
                    ),
                }),
                _ => {}
            }
        }
        reasons
    }
}

fn plural(count: usize) -> &'static str {
    if count == 1 { "" } else { "s" }
}

/// An expert to invite.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(example = json!({
    "expert": {"id": "01938000-0000-7000-8000-000000002002", "name": "Sanne Jansen", "country": "NL", "publicProfile": true},
    "score": 0.74,
    "reasons": [{"code": "shared-topic", "text": "shares the topic Clinical validation"},
                {"code": "country-fit", "text": "the expert is based in NL, a country the initiative covers"}]
}))]
pub struct SuggestedExpert {
    pub expert: ExpertBrief,
    /// In 0..1; higher is a better fit.
    pub score: f64,
    pub reasons: Vec<Reason>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ExpertBrief {
    pub id: Uuid,
    /// Given and family name.
    pub name: String,
    #[schema(example = "NL")]
    pub country: Option<String>,
    /// Whether the public may see this expert (published, with consent to a
    /// public profile): staff see the others too, and must not invite
    /// them in public.
    pub public_profile: bool,
}

/// An initiative to join.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(example = json!({
    "initiative": {"id": "01938000-0000-7000-8000-000000003057", "title": {"en": "CEN-CENELEC JTC 21 Artificial Intelligence"}, "scope": "european"},
    "score": 0.71,
    "reasons": [{"code": "shared-topic", "text": "shares the topic Trust in AI"},
                {"code": "no-participant-from-country", "text": "no participant from NL yet"}]
}))]
pub struct SuggestedInitiative {
    pub initiative: InitiativeBrief,
    pub score: f64,
    pub reasons: Vec<Reason>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct InitiativeBrief {
    pub id: Uuid,
    pub title: super::summaries::LocalizedText,
    pub acronym: Option<String>,
    pub scope: Scope,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weights_add_up_to_one() {
        for w in [EXPERT_WEIGHTS, INITIATIVE_WEIGHTS] {
            let sum = w.topic
                + w.organisation
                + w.colleagues
                + w.country
                + w.language
                + w.absence
                + w.activity;
            assert!((sum - 1.0).abs() < 1e-9, "{w:?}");
        }
    }

    #[test]
    fn a_national_initiative_works_in_its_countries_languages() {
        let nl = ["NL".to_owned()];
        assert_eq!(working_languages(Scope::National, &nl), ["nl"]);
        assert_eq!(working_languages(Scope::European, &nl), ["en"]);
        assert_eq!(
            working_languages(Scope::National, &["XX".to_owned()]),
            ["en"]
        );
    }
}
