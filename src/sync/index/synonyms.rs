//! Synonyms (`data/synonyms.txt`): a search term that is a variant of a
//! line stands for every variant of it. Matched on words folded as names
//! are (case and accents ignored, split on anything but letters and
//! digits), so "Artificiele intelligentie", "kunstmatige intelligentie"
//! and "AI" find the same records. Unquoted words typed one after the
//! other match a variant of several words; a quoted phrase matches a
//! variant as a whole.

use std::sync::LazyLock;

use crate::domain::search::{SearchText, Term};

const FILE: &str = include_str!("../../../data/synonyms.txt");

/// A variant as written, and as folded tokens to compare with.
struct Variant {
    words: Vec<String>,
    folded: Vec<String>,
}

/// The lines of the file, each a group of variants.
static GROUPS: LazyLock<Vec<Vec<Variant>>> = LazyLock::new(|| {
    FILE.lines()
        .map(str::trim)
        .filter(|line| !line.is_empty() && !line.starts_with('#'))
        .map(|line| {
            line.split(" = ")
                .map(|variant| Variant {
                    words: variant.split_whitespace().map(str::to_owned).collect(),
                    folded: folded(variant),
                })
                .collect()
        })
        .collect()
});

/// Words as names are indexed: folded, not stemmed.
fn folded(text: &str) -> Vec<String> {
    let mut analyzer = super::plain_analyzer();
    let mut stream = analyzer.token_stream(text);
    let mut tokens = Vec::new();
    while stream.advance() {
        tokens.push(stream.token().text.clone());
    }
    tokens
}

/// `text` with every term that is a variant of a synonym group replaced
/// by all of the group's variants.
pub(super) fn with_synonyms(text: &SearchText) -> SearchText {
    let fold = |term: &Term| match term {
        Term::Word(word) => folded(word),
        Term::Phrase(words) => folded(&words.join(" ")),
    };
    let all_of = |group: &[Variant]| -> Vec<Term> {
        group
            .iter()
            .map(|v| match v.words.as_slice() {
                [word] => Term::Word(word.clone()),
                words => Term::Phrase(words.to_vec()),
            })
            .collect()
    };
    let group_of = |tokens: &[String]| {
        GROUPS
            .iter()
            .find(|g| g.iter().any(|v| v.folded == tokens))
            .map(|g| all_of(g))
    };

    let mut expanded = Vec::with_capacity(text.groups.len());
    let mut i = 0;
    while i < text.groups.len() {
        // The longest run of single-word groups from here that spells
        // a variant.
        let mut run: Vec<String> = Vec::new();
        let mut matched = None;
        for (j, group) in text.groups[i..].iter().enumerate() {
            let [word @ Term::Word(_)] = group.as_slice() else {
                break;
            };
            run.extend(fold(word));
            if let Some(terms) = group_of(&run) {
                matched = Some((j + 1, terms));
            }
        }
        if let Some((taken, terms)) = matched {
            expanded.push(terms);
            i += taken;
            continue;
        }
        let mut group = Vec::new();
        for term in &text.groups[i] {
            match group_of(&fold(term)) {
                Some(terms) => group.extend(terms),
                None => group.push(term.clone()),
            }
        }
        expanded.push(group);
        i += 1;
    }
    let mut excluded = Vec::new();
    for term in &text.excluded {
        match group_of(&fold(term)) {
            Some(terms) => excluded.extend(terms),
            None => excluded.push(term.clone()),
        }
    }
    SearchText {
        groups: expanded,
        excluded,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Each line is a group of two or more variants, and no variant is in
    /// two groups (a search for it would take the first group only).
    #[test]
    fn the_synonyms_file_is_well_formed() {
        assert!(GROUPS.len() >= 3);
        let mut seen = std::collections::HashSet::new();
        for group in GROUPS.iter() {
            assert!(group.len() >= 2, "{:?}", group[0].words);
            for variant in group {
                assert!(!variant.folded.is_empty(), "{:?}", variant.words);
                assert!(
                    seen.insert(variant.folded.clone()),
                    "{:?} twice",
                    variant.words
                );
            }
        }
    }

    #[test]
    fn words_typed_one_after_the_other_match_a_variant_of_several() {
        let text = SearchText::parse("Kunstmatige Intelligentie -gegevens risk").unwrap();
        let expanded = with_synonyms(&text);
        assert_eq!(expanded.groups.len(), 2);
        assert!(
            expanded.groups[0].contains(&Term::Word("AI".into())),
            "{expanded:?}"
        );
        assert_eq!(expanded.groups[1], [Term::Word("risk".into())]);
        assert!(expanded.excluded.contains(&Term::Word("data".into())));
    }
}
