//! Value types that can only hold valid data. Each parses from JSON (collecting
//! problems) and from a query-string value, and serialises to its plain form.

use chrono::NaiveDate;
use serde::Serialize;
use serde_json::Value;
use validator::ValidateEmail;

use super::codes::{COUNTRIES, LANGUAGES};
use super::input::{FieldError, FromJson};

fn as_str(value: &Value) -> Result<&str, Vec<FieldError>> {
    value
        .as_str()
        .ok_or_else(|| vec![FieldError::wrong_type("a string")])
}

/// Trimmed text of 1..=MAX characters. Control characters are refused, except
/// line breaks and tabs in multi-line text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct Text<const MAX: usize, const MULTILINE: bool = false>(String);

/// Names of people and organisations.
pub type Name = Text<300>;
/// Acronyms and honorifics.
pub type ShortText = Text<60>;
/// Roles on links and affiliations.
pub type Role = Text<200>;
/// Titles of initiatives.
pub type Title = Text<500>;
/// Summaries, descriptions and biographies.
pub type Prose = Text<10_000, true>;

impl<const MAX: usize, const MULTILINE: bool> Text<MAX, MULTILINE> {
    pub fn parse(raw: &str) -> Result<Self, FieldError> {
        let trimmed = raw.trim();
        if trimmed.is_empty() {
            return Err(FieldError::new("blank", "must not be blank"));
        }
        let length = trimmed.chars().count();
        if length > MAX {
            return Err(FieldError::new(
                "too-long",
                format!("has {length} characters; at most {MAX} are allowed"),
            ));
        }
        let allowed_control = |c: char| MULTILINE && matches!(c, '\n' | '\r' | '\t');
        if let Some(c) = trimmed
            .chars()
            .find(|&c| c.is_control() && !allowed_control(c))
        {
            return Err(FieldError::new(
                "control-character",
                format!("contains the control character U+{:04X}", c as u32),
            ));
        }
        Ok(Self(trimmed.to_owned()))
    }

    /// Wraps text read back from the database, where only valid text is stored.
    pub fn from_db(stored: String) -> Self {
        Self(stored)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_string(self) -> String {
        self.0
    }
}

impl<const MAX: usize, const MULTILINE: bool> FromJson for Text<MAX, MULTILINE> {
    fn from_json(value: &Value) -> Result<Self, Vec<FieldError>> {
        Self::parse(as_str(value)?).map_err(|e| vec![e])
    }
}

/// Text in English and/or Dutch. A required field needs at least one language.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Localized<T> {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub en: Option<T>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub nl: Option<T>,
}

pub const LANGUAGE_KEYS: &[&str] = &["en", "nl"];

impl<T> Localized<T> {
    pub fn is_empty(&self) -> bool {
        self.en.is_none() && self.nl.is_none()
    }
}

impl<const MAX: usize, const ML: bool> Localized<Text<MAX, ML>> {
    pub fn from_db(en: Option<String>, nl: Option<String>) -> Self {
        Self {
            en: en.map(Text::from_db),
            nl: nl.map(Text::from_db),
        }
    }

    pub fn en_str(&self) -> Option<&str> {
        self.en.as_ref().map(Text::as_str)
    }

    pub fn nl_str(&self) -> Option<&str> {
        self.nl.as_ref().map(Text::as_str)
    }
}

impl<T: FromJson> FromJson for Localized<T> {
    /// Blank languages read as absent; an object with no language left reads
    /// as blank, which the caller treats as "no value" or "required".
    fn from_json(value: &Value) -> Result<Self, Vec<FieldError>> {
        let Value::Object(object) = value else {
            return Err(vec![FieldError::wrong_type(
                "an object with 'en' and/or 'nl' text",
            )]);
        };
        let mut errors: Vec<FieldError> = object
            .keys()
            .filter(|key| !LANGUAGE_KEYS.contains(&key.as_str()))
            .map(|key| {
                FieldError::new("unknown-field", "only 'en' and 'nl' are allowed").under(key)
            })
            .collect();
        let mut read = |key: &str| match object.get(key) {
            None | Some(Value::Null) => None,
            Some(v) => match T::from_json(v) {
                Ok(text) => Some(text),
                Err(e) if e.iter().any(FieldError::is_blank) => None,
                Err(e) => {
                    errors.extend(e.into_iter().map(|e| e.under(key)));
                    None
                }
            },
        };
        let localized = Self {
            en: read("en"),
            nl: read("nl"),
        };
        if !errors.is_empty() {
            return Err(errors);
        }
        if localized.is_empty() {
            return Err(vec![FieldError::new("blank", "needs text in 'en' or 'nl'")]);
        }
        Ok(localized)
    }
}

/// An ISO 3166-1 alpha-2 country code, stored upper-case.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct Country(String);

impl Country {
    pub fn parse(raw: &str) -> Result<Self, FieldError> {
        let code = raw.trim().to_ascii_uppercase();
        if COUNTRIES.binary_search(&code.as_str()).is_ok() {
            Ok(Self(code))
        } else {
            Err(FieldError::new(
                "unknown-country",
                format!("'{raw}' is not an ISO 3166-1 alpha-2 country code"),
            ))
        }
    }

    pub fn from_db(stored: String) -> Self {
        Self(stored)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// An ISO 639-1 language code, stored lower-case.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct Language(String);

impl Language {
    pub fn parse(raw: &str) -> Result<Self, FieldError> {
        let code = raw.trim().to_ascii_lowercase();
        if LANGUAGES.binary_search(&code.as_str()).is_ok() {
            Ok(Self(code))
        } else {
            Err(FieldError::new(
                "unknown-language",
                format!("'{raw}' is not an ISO 639-1 language code"),
            ))
        }
    }

    pub fn from_db(stored: String) -> Self {
        Self(stored)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// An ORCID iD in its bare form (`0000-0002-1825-0097`), check digit verified.
/// The `https://orcid.org/` form is accepted on input.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct Orcid(String);

impl Orcid {
    pub fn parse(raw: &str) -> Result<Self, FieldError> {
        let trimmed = raw.trim();
        let bare = trimmed
            .strip_prefix("https://orcid.org/")
            .or_else(|| trimmed.strip_prefix("http://orcid.org/"))
            .unwrap_or(trimmed)
            .to_ascii_uppercase();
        let bytes = bare.as_bytes();
        let well_formed = bytes.len() == 19
            && bytes.iter().enumerate().all(|(i, &b)| match i {
                4 | 9 | 14 => b == b'-',
                18 => b.is_ascii_digit() || b == b'X',
                _ => b.is_ascii_digit(),
            });
        if !well_formed {
            return Err(FieldError::new(
                "invalid-orcid",
                "must look like 0000-0002-1825-0097",
            ));
        }
        let digits: Vec<u32> = bytes[..18]
            .iter()
            .filter(|b| b.is_ascii_digit())
            .map(|b| u32::from(b - b'0'))
            .collect();
        // ISO 7064 MOD 11-2 over the first 15 digits.
        let total = digits.iter().fold(0, |acc, d| (acc + d) * 2);
        let check = (12 - total % 11) % 11;
        let expected = if check == 10 {
            b'X'
        } else {
            b'0' + check as u8
        };
        if bytes[18] != expected {
            return Err(FieldError::new(
                "invalid-orcid",
                "the check digit does not match (ISO 7064 MOD 11-2)",
            ));
        }
        Ok(Self(bare))
    }

    pub fn from_db(stored: String) -> Self {
        Self(stored)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A ROR identifier in its canonical URL form (`https://ror.org/02e2c7k09`),
/// checksum verified. The bare form is accepted on input.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct RorId(String);

const CROCKFORD: &[u8] = b"0123456789abcdefghjkmnpqrstvwxyz";

impl RorId {
    pub fn parse(raw: &str) -> Result<Self, FieldError> {
        let trimmed = raw.trim();
        let bare = trimmed
            .strip_prefix("https://ror.org/")
            .unwrap_or(trimmed)
            .to_ascii_lowercase();
        let bytes = bare.as_bytes();
        let well_formed = bytes.len() == 9
            && bytes[0] == b'0'
            && bytes[1..7].iter().all(|b| CROCKFORD.contains(b))
            && bytes[7..].iter().all(u8::is_ascii_digit);
        if !well_formed {
            return Err(FieldError::new(
                "invalid-ror-id",
                "must look like https://ror.org/02e2c7k09",
            ));
        }
        let number = bytes[1..7].iter().fold(0u64, |acc, b| {
            acc * 32 + CROCKFORD.iter().position(|c| c == b).unwrap_or(0) as u64
        });
        // ISO 7064 MOD 97-10 over the decoded base-32 number.
        let expected = 98 - (number * 100) % 97;
        if bare[7..] != format!("{expected:02}") {
            return Err(FieldError::new(
                "invalid-ror-id",
                "the checksum does not match (ISO 7064 MOD 97-10)",
            ));
        }
        Ok(Self(format!("https://ror.org/{bare}")))
    }

    pub fn from_db(stored: String) -> Self {
        Self(stored)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// An absolute http(s) URL with a host.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct WebUrl(String);

impl WebUrl {
    /// The host without a leading `www.`, lower-case: what makes two
    /// addresses "the same website".
    pub fn domain(&self) -> String {
        let host = url::Url::parse(&self.0)
            .ok()
            .and_then(|u| u.host_str().map(str::to_ascii_lowercase))
            .unwrap_or_default();
        host.strip_prefix("www.").map(str::to_owned).unwrap_or(host)
    }

    pub fn parse(raw: &str) -> Result<Self, FieldError> {
        let trimmed = raw.trim();
        let invalid = || FieldError::new("invalid-url", "must be an absolute http or https URL");
        if trimmed.len() > 2000 {
            return Err(FieldError::new(
                "too-long",
                "at most 2000 characters are allowed",
            ));
        }
        let url = url::Url::parse(trimmed).map_err(|_| invalid())?;
        if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none_or(str::is_empty) {
            return Err(invalid());
        }
        Ok(Self(url.to_string()))
    }

    pub fn from_db(stored: String) -> Self {
        Self(stored)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// An e-mail address (syntax checked by `validator`, at most 254 characters).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct Email(String);

impl Email {
    pub fn parse(raw: &str) -> Result<Self, FieldError> {
        let trimmed = raw.trim();
        if trimmed.len() > 254 || !trimmed.validate_email() {
            return Err(FieldError::new(
                "invalid-email",
                "must be an e-mail address",
            ));
        }
        Ok(Self(trimmed.to_owned()))
    }

    pub fn from_db(stored: String) -> Self {
        Self(stored)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A calendar date written `YYYY-MM-DD`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
pub struct Date(pub NaiveDate);

impl Date {
    pub fn parse(raw: &str) -> Result<Self, FieldError> {
        let trimmed = raw.trim();
        let invalid = || FieldError::new("invalid-date", "must be a date written YYYY-MM-DD");
        if trimmed.is_empty() {
            return Err(FieldError::new("blank", "must not be blank"));
        }
        if trimmed.len() != 10 {
            return Err(invalid());
        }
        NaiveDate::parse_from_str(trimmed, "%Y-%m-%d")
            .map(Self)
            .map_err(|_| invalid())
    }
}

/// A topic's slug, as written; whether it names a topic is checked against the
/// vocabulary by the caller.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(transparent)]
pub struct Slug(String);

impl Slug {
    pub fn parse(raw: &str) -> Result<Self, FieldError> {
        let trimmed = raw.trim();
        let valid = !trimmed.is_empty()
            && trimmed.len() <= 100
            && trimmed.split('-').all(|part| {
                !part.is_empty()
                    && part
                        .bytes()
                        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
            });
        if valid {
            Ok(Self(trimmed.to_owned()))
        } else {
            Err(FieldError::new(
                "invalid-slug",
                "must be a kebab-case slug such as 'data-use'",
            ))
        }
    }

    pub fn from_db(stored: String) -> Self {
        Self(stored)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A moment in time, written as RFC 3339 (`2027-01-31T00:00:00Z`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timestamp(pub chrono::DateTime<chrono::Utc>);

impl Timestamp {
    pub fn parse(raw: &str) -> Result<Self, FieldError> {
        chrono::DateTime::parse_from_rfc3339(raw.trim())
            .map(|t| Self(t.with_timezone(&chrono::Utc)))
            .map_err(|_| {
                FieldError::new(
                    "invalid-timestamp",
                    format!("'{raw}' is not an RFC 3339 date-time such as 2027-01-31T00:00:00Z"),
                )
            })
    }
}

/// Implements [`FromJson`] for a type with `parse(&str) -> Result<Self, FieldError>`.
macro_rules! from_json_via_parse {
    ($($ty:ty),+) => {$(
        impl FromJson for $ty {
            fn from_json(value: &Value) -> Result<Self, Vec<FieldError>> {
                Self::parse(as_str(value)?).map_err(|e| vec![e])
            }
        }
    )+};
}

from_json_via_parse!(
    Country, Language, Orcid, RorId, WebUrl, Email, Date, Slug, Timestamp
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn orcid_check_digit() {
        assert!(Orcid::parse("0000-0002-1825-0097").is_ok());
        assert!(Orcid::parse("https://orcid.org/0000-0001-5109-3700").is_ok());
        assert!(Orcid::parse("0000-0002-1694-233X").is_ok());
        assert_eq!(
            Orcid::parse("0000-0002-1825-0098").unwrap_err().code,
            "invalid-orcid"
        );
    }

    #[test]
    fn ror_checksum() {
        assert_eq!(
            RorId::parse("02e2c7k09").unwrap().as_str(),
            "https://ror.org/02e2c7k09"
        );
        assert!(RorId::parse("https://ror.org/04pp8hn57").is_ok());
        assert!(RorId::parse("https://ror.org/04pp8hn58").is_err());
        assert!(RorId::parse("14pp8hn57").is_err());
    }

    #[test]
    fn text_trims_and_refuses_control_characters() {
        assert_eq!(Name::parse("  NEN  ").unwrap().as_str(), "NEN");
        assert_eq!(
            Name::parse("a\u{0}b").unwrap_err().code,
            "control-character"
        );
        assert_eq!(Name::parse("a\nb").unwrap_err().code, "control-character");
        assert!(Prose::parse("line one\nline two").is_ok());
        assert_eq!(Name::parse("   ").unwrap_err().code, "blank");
        assert_eq!(
            ShortText::parse(&"x".repeat(61)).unwrap_err().code,
            "too-long"
        );
    }

    #[test]
    fn codes_are_checked_against_the_lists() {
        assert_eq!(Country::parse("nl").unwrap().as_str(), "NL");
        assert!(Country::parse("XX").is_err());
        assert_eq!(Language::parse("NL").unwrap().as_str(), "nl");
        assert!(Language::parse("xx").is_err());
    }

    #[test]
    fn urls_and_dates() {
        assert!(WebUrl::parse("https://www.nen.nl/").is_ok());
        assert!(WebUrl::parse("ftp://nen.nl").is_err());
        assert!(WebUrl::parse("nen.nl").is_err());
        assert!(Date::parse("2024-02-29").is_ok());
        assert!(Date::parse("2023-02-29").is_err());
        assert!(Date::parse("2024-2-1").is_err());
    }
}
