//! The expert list's filters, and their documentation.

use utoipa::IntoParams;
use uuid::Uuid;

use crate::domain::enums::{Scope, TopicMatch};
use crate::domain::list::{FacetSpec, ListSpec, NAME_SORTS};
use crate::domain::query::{QueryReader, parse_uuid};
use crate::domain::topic_filter::TopicFilter;
use crate::domain::topics::Vocabulary;
use crate::domain::values::{Country, Language, Slug};

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

/// The expert list's sorts and facets.
pub const LIST: ListSpec = ListSpec {
    sorts: NAME_SORTS,
    facets: &[
        FacetSpec::of("country"),
        FacetSpec::TOPIC,
        FacetSpec::of("language"),
    ],
};

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

/// The expert list's query parameters (documentation of what
/// [`ExpertFilter::read`] and `ListRequest::read` accept).
#[derive(IntoParams)]
#[into_params(parameter_in = Query, style = Form)]
pub struct ExpertListQuery {
    /// Search text: words (all must match), "quoted phrases", -exclusions, `or`.
    /// Matches names and biography in English and Dutch, ignoring accents, by
    /// word prefix; names also match with typos.
    #[param(example = "voorbeeld")]
    pub q: Option<String>,
    /// Order: `relevance` (default with `q`), `name` (family name first), `-updatedAt`, `createdAt` (default without `q`).
    #[param(value_type = Option<crate::domain::list::NameSort>, example = "name")]
    pub sort: Option<String>,
    /// Facets to count, the key repeated (or comma-separated): `country`, `topic`, `language`.
    #[param(value_type = Option<Vec<crate::domain::list::ExpertFacet>>, explode, example = json!(["country", "topic"]))]
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
    #[param(explode, example = json!(["01938000-0000-7000-8000-000000001022"]))]
    pub organisation: Option<Vec<Uuid>>,
    /// Id of an initiative the expert takes part in.
    #[param(explode, example = json!(["01938000-0000-7000-8000-000000003057"]))]
    pub initiative: Option<Vec<Uuid>>,
    /// Experts taking part in initiatives of this scope.
    #[param(rename = "initiativeScope", explode, example = json!(["national"]))]
    pub initiative_scope: Option<Vec<Scope>>,
    /// Experts taking part in initiatives on this topic (or a narrower one).
    /// With `initiativeScope`, both hold for the same initiative.
    #[param(rename = "initiativeTopic", explode, example = json!(["clinical-validation"]))]
    pub initiative_topic: Option<Vec<String>>,
    /// ISO 639-1 code of a language the expert works in.
    #[param(explode, example = json!(["nl"]))]
    pub language: Option<Vec<String>>,
}
