//! The search box's syntax (`domain::search::SearchText`) as an index
//! query: every group must match, a group matches when any of its terms
//! does, excluded terms must not. A word is analysed as each field indexes
//! it (stemmed per language, folded) and matched as a prefix when it has
//! three letters or more (search as you type); words of five letters or
//! more also match with a typo (ten or more: two), over the unstemmed form
//! of names and the stemmed words of texts, weighing less than an exact
//! match.
//! Matches in names weigh more than in summaries, and those more than in
//! descriptions.

use tantivy::Term;
use tantivy::query::{
    AllQuery, BooleanQuery, BoostQuery, FuzzyTermQuery, Occur, PhraseQuery, Query, TermQuery,
};
use tantivy::schema::{Field, IndexRecordOption};

use super::{Reading, synonyms};
use crate::domain::search::{SearchText, Term as SearchTerm};

/// Words this long or longer are matched as prefixes.
const PREFIX_FROM: usize = 3;
/// Words this long or longer may have one typo; twice this, two.
const ONE_TYPO_FROM: usize = 5;
/// What matching as a prefix adds to a match, against the BM25 score of
/// the word itself (typically 1 to 10).
const PREFIX_WEIGHT: f32 = 0.5;
/// Analysed words this long or longer match with typos as prefixes too.
const FUZZY_PREFIX_FROM: usize = 8;
/// How much a typo-tolerant match counts against an exact one.
const TYPO_WEIGHT: f32 = 0.5;

impl Reading {
    /// The query for search text, with its synonyms.
    pub fn text_query(&self, text: &SearchText) -> Box<dyn Query> {
        let text = &synonyms::with_synonyms(text);
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = text
            .groups
            .iter()
            .map(|group| (Occur::Must, self.any_of(group)))
            .collect();
        if clauses.is_empty() {
            clauses.push((Occur::Must, Box::new(AllQuery)));
        }
        clauses.extend(
            text.excluded
                .iter()
                .map(|term| (Occur::MustNot, self.term_query(term))),
        );
        Box::new(BooleanQuery::new(clauses))
    }

    fn any_of(&self, terms: &[SearchTerm]) -> Box<dyn Query> {
        Box::new(BooleanQuery::new(
            terms
                .iter()
                .map(|term| (Occur::Should, self.term_query(term)))
                .collect(),
        ))
    }

    /// One term over every text field, each with its weight.
    fn term_query(&self, term: &SearchTerm) -> Box<dyn Query> {
        let f = &self.fields;
        let weighted = [
            (f.name_en, 3.0),
            (f.name_nl, 3.0),
            (f.summary_en, 2.0),
            (f.summary_nl, 2.0),
            (f.body_en, 1.0),
            (f.body_nl, 1.0),
        ];
        let mut matches: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        for (field, weight) in weighted {
            if let Some(query) = self.in_field(field, term) {
                matches.push((Occur::Should, Box::new(BoostQuery::new(query, weight))));
            }
            if let SearchTerm::Word(word) = term
                && let Some(query) = self.with_typos(field, word)
            {
                matches.push((Occur::Should, Box::new(BoostQuery::new(query, weight))));
            }
        }
        if let SearchTerm::Word(word) = term
            && let Some(query) = self.with_typos(self.fields.name_plain, word)
        {
            matches.push((Occur::Should, query));
        }
        Box::new(BooleanQuery::new(matches))
    }

    /// The term as `field` indexes its words; `None` when nothing of it is
    /// left after analysis.
    fn in_field(&self, field: Field, term: &SearchTerm) -> Option<Box<dyn Query>> {
        match term {
            SearchTerm::Word(word) => {
                let tokens = self.tokens(field, word);
                let [token] = tokens.as_slice() else {
                    return self.phrase(field, tokens);
                };
                let term = Term::from_field_text(field, token);
                let exact = Box::new(TermQuery::new(term.clone(), IndexRecordOption::WithFreqs));
                if word.chars().count() < PREFIX_FROM {
                    return Some(exact);
                }
                // The word itself ranks by BM25; a longer word it begins
                // matches too, with a constant score (a prefix has no
                // frequencies of its own).
                let prefix = BoostQuery::new(
                    Box::new(FuzzyTermQuery::new_prefix(term, 0, false)),
                    PREFIX_WEIGHT,
                );
                Some(Box::new(BooleanQuery::new(vec![
                    (Occur::Should, exact),
                    (Occur::Should, Box::new(prefix)),
                ])))
            }
            SearchTerm::Phrase(words) => {
                let tokens = words
                    .iter()
                    .flat_map(|word| self.tokens(field, word))
                    .collect();
                self.phrase(field, tokens)
            }
        }
    }

    fn phrase(&self, field: Field, tokens: Vec<String>) -> Option<Box<dyn Query>> {
        match tokens.as_slice() {
            [] => None,
            [one] => Some(Box::new(TermQuery::new(
                Term::from_field_text(field, one),
                IndexRecordOption::WithFreqs,
            ))),
            _ => Some(Box::new(PhraseQuery::new(
                tokens
                    .iter()
                    .map(|t| Term::from_field_text(field, t))
                    .collect(),
            ))),
        }
    }

    /// A word of `field` that differs from the searched one (as the field
    /// analyses it) by a typo or two: names in their unstemmed form, texts
    /// in their stemmed one.
    fn with_typos(&self, field: Field, word: &str) -> Option<Box<dyn Query>> {
        let letters = word.chars().count();
        if letters < ONE_TYPO_FROM {
            return None;
        }
        let typos = if letters >= 2 * ONE_TYPO_FROM { 2 } else { 1 };
        let [token] = self.tokens(field, word).try_into().ok()?;
        let term = Term::from_field_text(field, &token);
        // A long word also as a prefix, as exact words are: a stemmer may
        // cut a mistyped word shorter than the word it stands for
        // ("nederlnds" stems to "nederlnd", "Nederlandse" to "nederlands").
        // A short one would match too much that way.
        let fuzzy = if token.chars().count() >= FUZZY_PREFIX_FROM {
            FuzzyTermQuery::new_prefix(term, typos, true)
        } else {
            FuzzyTermQuery::new(term, typos, true)
        };
        Some(Box::new(BoostQuery::new(Box::new(fuzzy), TYPO_WEIGHT)))
    }

    pub(super) fn tokens(&self, field: Field, text: &str) -> Vec<String> {
        let Ok(mut analyzer) = self.index.tokenizer_for_field(field) else {
            return Vec::new();
        };
        let mut stream = analyzer.token_stream(text);
        let mut tokens = Vec::new();
        while stream.advance() {
            tokens.push(stream.token().text.clone());
        }
        tokens
    }
}
