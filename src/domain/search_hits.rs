//! What `/v1/search` answers, and the query it documents.

use serde::Serialize;
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::domain::display_language::DisplayLanguage;
use crate::domain::enums::HitType;

/// One search result.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "type": "initiative",
    "id": "01938b1e-7f00-7aaa-8000-000000000002",
    "title": "Federated learning for medical imaging",
    "snippet": "Privacy-preserving <mark>federated</mark> <mark>learning</mark> across Dutch hospitals",
    "score": 0.87
}))]
pub struct SearchHit {
    #[serde(rename = "type")]
    #[schema(value_type = HitType)]
    pub hit_type: String,
    pub id: Uuid,
    /// The initiative's title in the language asked for (`lang`, else
    /// `Accept-Language`; English by default), else in the other one; or the
    /// organisation's or expert's name.
    pub title: String,
    /// An excerpt with the matching words in `<mark>` elements; the rest is
    /// HTML-escaped, so the snippet can be inserted as HTML.
    pub snippet: String,
    /// Relevance: higher is better. Comparable across types within one search.
    pub score: f64,
}

/// The search's query parameters.
#[derive(IntoParams)]
#[into_params(parameter_in = Query, style = Form)]
pub struct SearchQuery {
    /// Search text: words (all must match), "quoted phrases", -exclusions,
    /// `or`. Accents and case are ignored, words match as prefixes, names and
    /// acronyms also match with typos.
    #[param(example = "\"expert group\" -radiology")]
    pub q: String,
    /// Kinds of record to search (default: all).
    #[param(rename = "type", explode, example = json!(["initiative", "organisation"]))]
    pub types: Option<Vec<HitType>>,
    /// The language of titles and snippets, for links where a browser cannot
    /// send `Accept-Language`; it wins over that header. The other language
    /// is used where a record has no text in this one.
    #[param(value_type = Option<DisplayLanguage>, example = "nl")]
    pub lang: Option<String>,
}
