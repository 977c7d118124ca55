//! What a client typed in a search box, parsed into terms. Supports the
//! usual web-search syntax: words (all must match), `"quoted phrases"`,
//! `-exclusions`, and `or` between two terms.

use super::input::FieldError;

pub const MAX_QUERY_CHARS: usize = 200;
pub const MAX_TERMS: usize = 16;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Term {
    /// One word, matched as a prefix when it is long enough
    /// (search-as-you-type: `interop` finds "interoperability").
    Word(String),
    /// Words that must follow each other.
    Phrase(Vec<String>),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchText {
    /// Every group must match; a group matches when any of its terms does.
    pub groups: Vec<Vec<Term>>,
    /// Terms that must not match.
    pub excluded: Vec<Term>,
}

impl SearchText {
    pub fn parse(raw: &str) -> Result<Self, FieldError> {
        let raw = raw.trim();
        if raw.chars().count() > MAX_QUERY_CHARS {
            return Err(FieldError::new(
                "too-long",
                format!("at most {MAX_QUERY_CHARS} characters are allowed"),
            ));
        }
        if raw.chars().any(char::is_control) {
            return Err(FieldError::new(
                "control-character",
                "contains a control character",
            ));
        }
        let mut text = Self {
            groups: Vec::new(),
            excluded: Vec::new(),
        };
        let mut pending_or = false;
        for token in tokenize(raw) {
            if !token.quoted && token.text.eq_ignore_ascii_case("or") {
                pending_or = !text.groups.is_empty();
                continue;
            }
            let negated = !token.quoted && token.negated;
            let Some(term) = term(&token.text, token.quoted) else {
                continue;
            };
            if negated {
                text.excluded.push(term);
            } else if pending_or {
                if let Some(group) = text.groups.last_mut() {
                    group.push(term);
                }
            } else {
                text.groups.push(vec![term]);
            }
            pending_or = false;
        }
        let terms = text.groups.iter().map(Vec::len).sum::<usize>() + text.excluded.len();
        if terms == 0 {
            return Err(FieldError::new("blank", "needs at least one word"));
        }
        if terms > MAX_TERMS {
            return Err(FieldError::new(
                "too-many",
                format!("at most {MAX_TERMS} terms are allowed"),
            ));
        }
        Ok(text)
    }

    pub fn has_phrase(&self) -> bool {
        self.groups
            .iter()
            .flatten()
            .any(|t| matches!(t, Term::Phrase(_)))
    }
}

struct Token {
    text: String,
    quoted: bool,
    negated: bool,
}

fn tokenize(raw: &str) -> Vec<Token> {
    let mut tokens = Vec::new();
    let mut chars = raw.chars().peekable();
    while let Some(&c) = chars.peek() {
        if c.is_whitespace() {
            chars.next();
            continue;
        }
        let negated = c == '-';
        if negated {
            chars.next();
        }
        if chars.peek() == Some(&'"') {
            chars.next();
            let text: String = chars.by_ref().take_while(|&c| c != '"').collect();
            tokens.push(Token {
                text,
                quoted: true,
                negated,
            });
        } else {
            let mut text = String::new();
            while let Some(&c) = chars.peek() {
                if c.is_whitespace() {
                    break;
                }
                text.push(c);
                chars.next();
            }
            tokens.push(Token {
                text,
                quoted: false,
                negated,
            });
        }
    }
    // A quoted phrase keeps its sign: "-\"a b\"" excludes the phrase.
    for token in &mut tokens {
        if token.quoted && token.negated {
            token.quoted = false;
            token.text = format!("\"{}\"", token.text);
        }
    }
    tokens
}

/// Splits text into lower-case words of letters and digits; anything else
/// separates words, so no operator of PostgreSQL's query syntax survives.
fn words(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect()
}

fn term(text: &str, quoted: bool) -> Option<Term> {
    let phrase = quoted || text.starts_with('"');
    let mut words = words(text);
    match words.len() {
        0 => None,
        1 if !phrase => words.pop().map(Term::Word),
        1 => words.pop().map(|w| Term::Phrase(vec![w])),
        _ => Some(Term::Phrase(words)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn w(s: &str) -> Term {
        Term::Word(s.to_owned())
    }

    fn p(words: &[&str]) -> Term {
        Term::Phrase(words.iter().map(|s| (*s).to_owned()).collect())
    }

    #[test]
    fn words_phrases_exclusions_and_or() {
        let text = SearchText::parse(r#"bias "federated learning" -radiology ai or ml"#).unwrap();
        assert_eq!(
            text.groups,
            vec![
                vec![w("bias")],
                vec![p(&["federated", "learning"])],
                vec![w("ai"), w("ml")]
            ]
        );
        assert_eq!(text.excluded, vec![w("radiology")]);
    }

    #[test]
    fn query_syntax_characters_become_separators() {
        let text = SearchText::parse("AI-Act & (mdr) | x:* 'y'").unwrap();
        assert_eq!(
            text.groups,
            vec![
                vec![p(&["ai", "act"])],
                vec![w("mdr")],
                vec![w("x")],
                vec![w("y")]
            ]
        );
    }

    #[test]
    fn excluded_phrases_and_blank_queries() {
        let text = SearchText::parse(r#"bias -"deep learning""#).unwrap();
        assert_eq!(text.excluded, vec![p(&["deep", "learning"])]);
        assert_eq!(SearchText::parse("  \"\" - ").unwrap_err().code, "blank");
        assert_eq!(
            SearchText::parse(&"a ".repeat(17)).unwrap_err().code,
            "too-many"
        );
        assert_eq!(
            SearchText::parse(&"a".repeat(201)).unwrap_err().code,
            "too-long"
        );
    }
}
