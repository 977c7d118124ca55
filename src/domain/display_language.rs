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
    /// basic filtering of RFC 4647): each of English and Dutch gets the
    /// weight of the ranges naming it (`nl`, `nl-BE`), or else that of `*`
    /// (any language not named otherwise); a weight of 0 refuses it. The
    /// higher weight wins, on a tie the one the header names first.
    /// English when neither is acceptable or the header is absent; a
    /// malformed entry is ignored, as the header is only a preference.
    pub fn negotiate(header: Option<&str>) -> Self {
        // Per language: (weight, position) of its own ranges and of `*`.
        let mut named: [Option<(u16, usize)>; 2] = [None, None];
        let mut any: Option<(u16, usize)> = None;
        for (position, entry) in header.unwrap_or_default().split(',').enumerate() {
            let mut parts = entry.split(';');
            let range = parts.next().unwrap_or_default().trim().to_ascii_lowercase();
            let weight = parts
                .filter_map(|p| p.split_once('='))
                .find(|(name, _)| name.trim().eq_ignore_ascii_case("q"))
                .map_or(Some(1000), |(_, q)| parse_weight(q));
            let Some(weight) = weight else { continue };
            let keep = |slot: &mut Option<(u16, usize)>| {
                if slot.is_none_or(|(w, _)| weight > w) {
                    *slot = Some((weight, slot.map_or(position, |(_, p)| p)));
                }
            };
            match range.split('-').next().unwrap_or_default() {
                "en" => keep(&mut named[0]),
                "nl" => keep(&mut named[1]),
                "*" => keep(&mut any),
                _ => {}
            }
        }
        let [english, dutch] = named.map(|own| own.or(any).filter(|(w, _)| *w > 0));
        match (english, dutch) {
            (Some((e, ep)), Some((d, dp))) if d > e || (d == e && dp < ep) => Self::Nl,
            (None, Some(_)) => Self::Nl,
            _ => Self::En,
        }
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
        assert_eq!(
            DisplayLanguage::negotiate(Some("en;q=0, *")),
            Nl,
            "* is any other language"
        );
        assert_eq!(
            DisplayLanguage::negotiate(Some("nl, en")),
            Nl,
            "a tie goes to the first named"
        );
        assert_eq!(DisplayLanguage::negotiate(Some("*")), En);
        assert_eq!(DisplayLanguage::negotiate(Some("nl;Q=0.4, en;q=0.3")), Nl);
    }

    #[test]
    fn lang_takes_english_or_dutch_only() {
        assert_eq!(DisplayLanguage::parse("NL").unwrap(), Nl);
        assert!(DisplayLanguage::parse("de").is_err());
    }
}
