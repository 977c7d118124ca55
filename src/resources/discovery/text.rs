//! Full-text search SQL. A query term matches when it matches in English,
//! Dutch or as a plain folded word (names, acronyms), so each term becomes
//! the OR of its three configurations' tsqueries; terms are ANDed, `or`
//! groups ORed, and exclusions subtracted. Names and acronyms also match by
//! trigram word similarity, which forgives typos; not for queries with a
//! quoted phrase, whose word order must hold.

use crate::domain::search::{SearchText, Term};
use crate::sql::{Bind, Sql};

/// SQL fragments over the record alias `r`.
pub struct TextMatch {
    /// A boolean condition.
    pub condition: String,
    /// A `float8` relevance: text rank plus name similarity.
    pub score: String,
    /// The tsquery of the positive terms, for highlighting (`None` when the
    /// query only excludes).
    pub tsquery: Option<String>,
}

fn term_query(sql: &mut Sql, term: &Term) -> String {
    let pattern = match term {
        // Words are letters and digits only (see `SearchText`), so quoting
        // them cannot inject tsquery syntax.
        Term::Word(word) if word.chars().count() >= 3 => format!("'{word}':*"),
        Term::Word(word) => format!("'{word}'"),
        Term::Phrase(words) => words
            .iter()
            .map(|w| format!("'{w}'"))
            .collect::<Vec<_>>()
            .join(" <-> "),
    };
    let p = sql.bind(Bind::Text(pattern));
    format!(
        "(to_tsquery('aimd_en', {p}) || to_tsquery('aimd_nl', {p}) || to_tsquery('aimd_simple', {p}))"
    )
}

fn any_of(sql: &mut Sql, terms: &[Term]) -> String {
    let parts: Vec<String> = terms.iter().map(|t| term_query(sql, t)).collect();
    format!("({})", parts.join(" || "))
}

pub fn text_match(sql: &mut Sql, text: &SearchText) -> TextMatch {
    let positive = (!text.groups.is_empty()).then(|| {
        let groups: Vec<String> = text.groups.iter().map(|g| any_of(sql, g)).collect();
        format!("({})", groups.join(" && "))
    });
    let negative = (!text.excluded.is_empty()).then(|| any_of(sql, &text.excluded));
    let exclusion = negative
        .map(|n| format!(" AND NOT (r.search_vector @@ {n})"))
        .unwrap_or_default();
    match positive {
        Some(tsquery) => {
            let words = sql.bind(Bind::Text(text.words()));
            let folded = format!("aimd_fold({words})");
            let fuzzy = if text.has_phrase() {
                String::new()
            } else {
                format!(" OR {folded} <% r.search_name")
            };
            TextMatch {
                condition: format!("((r.search_vector @@ {tsquery}{fuzzy}){exclusion})"),
                score: format!(
                    "(ts_rank(r.search_vector, {tsquery}) + word_similarity({folded}, r.search_name))::float8"
                ),
                tsquery: Some(tsquery),
            }
        }
        None => TextMatch {
            condition: format!("(TRUE{exclusion})"),
            score: "0::float8".to_owned(),
            tsquery: None,
        },
    }
}
