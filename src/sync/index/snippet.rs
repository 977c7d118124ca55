//! A search hit's snippet: a window of its text around the first matching
//! word, the matching words in `<mark>`, everything else HTML-escaped. A
//! word matches when the language's analysis (folding, stemming) makes it
//! a searched word, or, for words of three letters or more, when it
//! starts with one (as the search itself matches them).

use tantivy::schema::Field;

use super::Reading;
use crate::domain::display_language::DisplayLanguage;
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
    /// Typed by the client, not added as a synonym.
    typed: bool,
}

/// What marks the words of one search in snippets.
pub(super) struct Highlighter<'a> {
    reading: &'a Reading,
    english: Vec<Stem>,
    dutch: Vec<Stem>,
}

impl Reading {
    /// Marks for the words of `text` and of their synonyms.
    pub(super) fn highlighter(&self, text: &SearchText) -> Highlighter<'_> {
        let synonyms = super::synonyms::with_synonyms(text);
        let stems = |field| {
            let mut stems = self.stems(text, field, true);
            stems.extend(self.stems(&synonyms, field, false));
            stems
        };
        Highlighter {
            reading: self,
            english: stems(self.fields.summary_en),
            dutch: stems(self.fields.summary_nl),
        }
    }

    fn stems(&self, text: &SearchText, field: Field, typed: bool) -> Vec<Stem> {
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
                stems.extend(self.tokens(field, word).into_iter().map(|text| Stem {
                    text,
                    prefix,
                    typed,
                }));
            }
        }
        stems
    }
}

impl Highlighter<'_> {
    /// The snippet of a hit whose texts are `english` and `dutch`: the one
    /// showing a word as typed (`preferred` first), else the one showing a
    /// synonym (`preferred` first), else the preferred one.
    pub(super) fn snippet(
        &self,
        english: Option<&str>,
        dutch: Option<&str>,
        preferred: DisplayLanguage,
    ) -> String {
        let fields = &self.reading.fields;
        let english = english.map(|t| self.marked(&self.english, fields.summary_en, t));
        let dutch = dutch.map(|t| self.marked(&self.dutch, fields.summary_nl, t));
        let (first, second) = match preferred {
            DisplayLanguage::En => (english, dutch),
            DisplayLanguage::Nl => (dutch, english),
        };
        let rank = |m: &Option<Marked>| {
            m.as_ref()
                .map_or(0, |m| 2 * u8::from(m.typed) + u8::from(m.matched))
        };
        if rank(&second) > rank(&first) {
            second.map(|m| m.html).unwrap_or_default()
        } else {
            first.or(second).map(|m| m.html).unwrap_or_default()
        }
    }

    fn marked(&self, stems: &[Stem], field: Field, shown: &str) -> Marked {
        let Ok(mut analyzer) = self.reading.index.tokenizer_for_field(field) else {
            return Marked::plain(shown);
        };
        let mut words: Vec<(usize, usize, bool)> = Vec::new();
        let mut typed = false;
        let mut stream = analyzer.token_stream(shown);
        while stream.advance() {
            let token = stream.token();
            let matching = |stem: &&Stem| {
                token.text == stem.text || (stem.prefix && token.text.starts_with(&stem.text))
            };
            let hit = stems.iter().find(matching);
            typed |= hit.is_some_and(|stem| stem.typed);
            words.push((token.offset_from, token.offset_to, hit.is_some()));
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
            typed,
        }
    }
}

struct Marked {
    html: String,
    matched: bool,
    /// A word matched as typed (not only as a synonym).
    typed: bool,
}

impl Marked {
    fn plain(text: &str) -> Self {
        let mut html = String::new();
        escape(text, &mut html);
        Self {
            html,
            matched: false,
            typed: false,
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
