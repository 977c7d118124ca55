//! The language a client wants display fields in (a search hit's title and
//! snippet): English or Dutch, the two the registry holds texts in. Chosen
//! by the `lang` query key when given, else by `Accept-Language`; the
//! other language is the fallback where a record has no text in the
//! preferred one. Bilingual objects are always sent whole.

use serde::Serialize;
use utoipa::ToSchema;

use crate::domain::input::FieldError;

/// A language display fields can be in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum DisplayLanguage {
    #[default]
    En,
    Nl,
}

impl DisplayLanguage {
    /// The `lang` query key's value.
    pub fn parse(raw: &str) -> Result<Self, FieldError> {
        match raw.to_ascii_lowercase().as_str() {
            "en" => Ok(Self::En),
            "nl" => Ok(Self::Nl),
            _ => Err(FieldError::new("unknown-language", "must be 'en' or 'nl'")),
        }
    }

    /// The best match for an `Accept-Language` header (RFC 9110 §12.5.4,
    /// basic filtering of RFC 4647): the language with the highest weight
    /// whose range is `en`, `nl`, a subtag of either (`nl-BE`) or `*`; on a
    /// tie the earlier one. English when nothing matches or the header is
    /// absent; a malformed entry is ignored, as the header is only a
    /// preference.
    pub fn negotiate(header: Option<&str>) -> Self {
        let mut best: Option<(u16, Self)> = None;
        for entry in header.unwrap_or_default().split(',') {
            let mut parts = entry.split(';');
            let range = parts.next().unwrap_or_default().trim().to_ascii_lowercase();
            let weight = parts
                .find_map(|p| p.trim().strip_prefix("q=").map(parse_weight))
                .unwrap_or(Some(1000));
            let Some(weight) = weight.filter(|w| *w > 0) else {
                continue;
            };
            let primary = range.split('-').next().unwrap_or_default();
            let language = match primary {
                "en" | "*" => Self::En,
                "nl" => Self::Nl,
                _ => continue,
            };
            if best.is_none_or(|(w, _)| weight > w) {
                best = Some((weight, language));
            }
        }
        best.map(|(_, language)| language).unwrap_or_default()
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::En => "en",
            Self::Nl => "nl",
        }
    }
}

/// A quality value (0 to 1, at most three decimals) in thousandths.
fn parse_weight(raw: &str) -> Option<u16> {
    let value: f64 = raw.trim().parse().ok()?;
    (0.0..=1.0)
        .contains(&value)
        .then(|| (value * 1000.0).round() as u16)
}

#[cfg(test)]
mod tests {
    use super::DisplayLanguage::{En, Nl};
    use super::*;

    #[test]
    fn accept_language_picks_the_weightiest_of_english_and_dutch() {
        assert_eq!(DisplayLanguage::negotiate(None), En);
        assert_eq!(DisplayLanguage::negotiate(Some("nl")), Nl);
        assert_eq!(DisplayLanguage::negotiate(Some("nl-BE, en;q=0.8")), Nl);
        assert_eq!(
            DisplayLanguage::negotiate(Some("de, nl;q=0.5, en;q=0.7")),
            En
        );
        assert_eq!(
            DisplayLanguage::negotiate(Some("de, fr;q=0.9, nl;q=0.2")),
            Nl
        );
        assert_eq!(DisplayLanguage::negotiate(Some("nl;q=0, en;q=0.1")), En);
        assert_eq!(DisplayLanguage::negotiate(Some("de")), En);
        assert_eq!(DisplayLanguage::negotiate(Some("nl;q=abc, en;q=0.3")), En);
        assert_eq!(DisplayLanguage::negotiate(Some("*;q=0.1, nl;q=0.2")), Nl);
    }

    #[test]
    fn lang_takes_english_or_dutch_only() {
        assert_eq!(DisplayLanguage::parse("NL").unwrap(), Nl);
        assert!(DisplayLanguage::parse("de").is_err());
    }
}
