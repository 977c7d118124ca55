//! A search hit's snippet: a window of its text around the first matching
//! word, the matching words in `<mark>`, everything else HTML-escaped. A
//! word matches when the language's analysis (folding, stemming) makes it
//! a searched word, or, for words of three letters or more, when it
//! starts with one (as the search itself matches them).

use tantivy::schema::Field;

use super::Reading;
use crate::domain::search::{SearchText, Term};

/// Words a snippet shows at most.
const MOST_WORDS: usize = 30;
/// Words shown before the first match.
const BEFORE_MATCH: usize = 8;
/// Searched words this long or longer match as prefixes.
const PREFIX_FROM: usize = 3;

/// A searched word as a language's analysis leaves it.
struct Stem {
    text: String,
    prefix: bool,
}

impl Reading {
    /// The snippet of a hit whose texts are `english` and `dutch`: the
    /// English one, unless only the Dutch one shows a match.
    pub(super) fn snippet(
        &self,
        text: &SearchText,
        english: Option<&str>,
        dutch: Option<&str>,
    ) -> String {
        let english = english.map(|t| self.marked(text, self.fields.summary_en, t));
        let dutch = dutch.map(|t| self.marked(text, self.fields.summary_nl, t));
        match (english, dutch) {
            (Some(en), Some(nl)) if !en.matched && nl.matched => nl.html,
            (Some(en), _) => en.html,
            (None, Some(nl)) => nl.html,
            (None, None) => String::new(),
        }
    }

    fn stems(&self, text: &SearchText, field: Field) -> Vec<Stem> {
        let mut stems = Vec::new();
        for term in text.groups.iter().flatten() {
            let (words, prefix): (&[String], bool) = match term {
                Term::Word(word) => (
                    std::slice::from_ref(word),
                    word.chars().count() >= PREFIX_FROM,
                ),
                Term::Phrase(words) => (words, false),
            };
            for word in words {
                stems.extend(
                    self.tokens(field, word)
                        .into_iter()
                        .map(|text| Stem { text, prefix }),
                );
            }
        }
        stems
    }

    fn marked(&self, text: &SearchText, field: Field, shown: &str) -> Marked {
        let stems = self.stems(text, field);
        let Ok(mut analyzer) = self.index.tokenizer_for_field(field) else {
            return Marked::plain(shown);
        };
        let mut words: Vec<(usize, usize, bool)> = Vec::new();
        let mut stream = analyzer.token_stream(shown);
        while stream.advance() {
            let token = stream.token();
            let hit = stems.iter().any(|stem| {
                token.text == stem.text || (stem.prefix && token.text.starts_with(&stem.text))
            });
            words.push((token.offset_from, token.offset_to, hit));
        }
        let first_match = words.iter().position(|w| w.2);
        let start = first_match.map_or(0, |m| m.saturating_sub(BEFORE_MATCH));
        let end = (start + MOST_WORDS).min(words.len());
        let Some(window) = words.get(start..end).filter(|w| !w.is_empty()) else {
            return Marked::plain(shown);
        };
        let mut html = String::new();
        if start > 0 {
            html.push('…');
        }
        let mut at = window[0].0;
        for &(from, to, hit) in window {
            escape(&shown[at..from], &mut html);
            if hit {
                html.push_str("<mark>");
                escape(&shown[from..to], &mut html);
                html.push_str("</mark>");
            } else {
                escape(&shown[from..to], &mut html);
            }
            at = to;
        }
        if end < words.len() {
            html.push('…');
        } else {
            escape(&shown[at..], &mut html);
        }
        Marked {
            html,
            matched: first_match.is_some(),
        }
    }
}

struct Marked {
    html: String,
    matched: bool,
}

impl Marked {
    fn plain(text: &str) -> Self {
        let mut html = String::new();
        escape(text, &mut html);
        Self {
            html,
            matched: false,
        }
    }
}

fn escape(text: &str, out: &mut String) {
    for c in text.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
}
