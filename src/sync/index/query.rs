//! The search box's syntax (`domain::search::SearchText`) as an index
//! query: every group must match, a group matches when any of its terms
//! does, excluded terms must not. A word is analysed as each field indexes
//! it (stemmed per language, folded) and matched as a prefix when it has
//! three letters or more (search as you type); names, titles and acronyms
//! also match with a typo or two (fuzzy terms over their unstemmed form).
//! Matches in names weigh more than in summaries, and those more than in
//! descriptions.

use tantivy::Term;
use tantivy::query::{
    AllQuery, BooleanQuery, BoostQuery, FuzzyTermQuery, Occur, PhraseQuery, Query, TermQuery,
};
use tantivy::schema::{Field, IndexRecordOption};

use super::Reading;
use crate::domain::search::{SearchText, Term as SearchTerm};

/// Words this long or longer are matched as prefixes.
const PREFIX_FROM: usize = 3;
/// Words this long or longer may have one typo; twice this, two.
const ONE_TYPO_FROM: usize = 5;
/// How much a typo-tolerant match counts against an exact one.
const TYPO_WEIGHT: f32 = 0.5;

impl Reading {
    /// The query for search text.
    pub fn text_query(&self, text: &SearchText) -> Box<dyn Query> {
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
        }
        if let SearchTerm::Word(word) = term
            && let Some(query) = self.with_typos(word)
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
                Some(if word.chars().count() >= PREFIX_FROM {
                    Box::new(FuzzyTermQuery::new_prefix(term, 0, false))
                } else {
                    Box::new(TermQuery::new(term, IndexRecordOption::WithFreqs))
                })
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

    /// A name, title or acronym that differs from the word by a typo or two.
    fn with_typos(&self, word: &str) -> Option<Box<dyn Query>> {
        let letters = word.chars().count();
        if letters < ONE_TYPO_FROM {
            return None;
        }
        let typos = if letters >= 2 * ONE_TYPO_FROM { 2 } else { 1 };
        let [token] = self.tokens(self.fields.name_plain, word).try_into().ok()?;
        let term = Term::from_field_text(self.fields.name_plain, &token);
        Some(Box::new(BoostQuery::new(
            Box::new(FuzzyTermQuery::new(term, typos, true)),
            TYPO_WEIGHT,
        )))
    }

    fn tokens(&self, field: Field, text: &str) -> Vec<String> {
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
