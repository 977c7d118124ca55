//! Query-string parsing. actix's `web::Query` cannot read repeated keys into
//! lists and stops at the first problem; this reader does both and refuses
//! keys an operation does not know, so a misspelt filter is an error rather
//! than a silently unfiltered list.

use uuid::Uuid;

use crate::domain::input::FieldError;
use crate::error::{ApiError, ApiResult, InvalidParam};

pub struct QueryReader {
    pairs: Vec<(String, String)>,
    errors: Vec<InvalidParam>,
}

impl QueryReader {
    pub fn new(query: &str, known_keys: &[&str]) -> Self {
        let pairs: Vec<(String, String)> = url::form_urlencoded::parse(query.as_bytes())
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect();
        let mut errors = Vec::new();
        for (key, _) in &pairs {
            let reported = errors.iter().any(|e: &InvalidParam| &e.name == key);
            if !known_keys.contains(&key.as_str()) && !reported {
                errors.push(InvalidParam::new(
                    key.clone(),
                    "unknown-parameter",
                    format!(
                        "is not a parameter of this operation; known are: {}",
                        known_keys.join(", ")
                    ),
                ));
            }
        }
        Self { pairs, errors }
    }

    fn values<'a>(&'a self, key: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.pairs
            .iter()
            .filter(move |(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    /// Every value of a repeatable key (repeated keys mean OR).
    pub fn many<T: PartialEq>(
        &mut self,
        key: &str,
        parse: impl Fn(&str) -> Result<T, FieldError>,
    ) -> Vec<T> {
        let mut parsed = Vec::new();
        let mut errors = Vec::new();
        for raw in self.values(key) {
            match parse(raw) {
                Ok(value) if !parsed.contains(&value) => parsed.push(value),
                Ok(_) => {}
                Err(e) => errors.push(InvalidParam::new(key, e.code, e.reason)),
            }
        }
        self.errors.extend(errors);
        parsed
    }

    /// The value of a key that may appear at most once.
    pub fn one<T>(
        &mut self,
        key: &str,
        parse: impl Fn(&str) -> Result<T, FieldError>,
    ) -> Option<T> {
        let values: Vec<&str> = self.values(key).collect();
        match values.as_slice() {
            [] => None,
            [raw] => match parse(raw) {
                Ok(value) => Some(value),
                Err(e) => {
                    self.errors.push(InvalidParam::new(key, e.code, e.reason));
                    None
                }
            },
            _ => {
                self.errors
                    .push(InvalidParam::new(key, "repeated", "may be given only once"));
                None
            }
        }
    }

    pub fn has_errors(&self) -> bool {
        !self.errors.is_empty()
    }

    pub fn has_error(&self, name: &str) -> bool {
        self.errors.iter().any(|e| e.name == name)
    }

    /// Records a problem found across parameters.
    pub fn error(&mut self, name: &str, code: &str, reason: &str) {
        self.errors.push(InvalidParam::new(name, code, reason));
    }

    pub fn finish(self) -> ApiResult<()> {
        if self.errors.is_empty() {
            Ok(())
        } else {
            Err(ApiError::InvalidInput(self.errors))
        }
    }
}

/// Parses a record id given as a filter value.
pub fn parse_uuid(raw: &str) -> Result<Uuid, FieldError> {
    Uuid::try_parse(raw.trim())
        .map_err(|_| FieldError::new("invalid-id", format!("'{raw}' is not a UUID")))
}

/// A page size: a whole number from 1 to `max`.
pub fn parse_limit(raw: &str, max: i64) -> Result<i64, FieldError> {
    match raw.trim().parse::<i64>() {
        Ok(n) if (1..=max).contains(&n) => Ok(n),
        _ => Err(FieldError::new(
            "out-of-range",
            format!("must be a whole number from 1 to {max}"),
        )),
    }
}

/// `true` or `false`, as query flags are written.
pub fn parse_flag(raw: &str) -> Result<bool, FieldError> {
    match raw.trim() {
        "true" => Ok(true),
        "false" => Ok(false),
        other => Err(FieldError::new(
            "invalid-boolean",
            format!("'{other}' is not true or false"),
        )),
    }
}

/// Parses an id in the URL path, naming the segment when it is malformed.
pub fn path_id(name: &str, raw: &str) -> ApiResult<Uuid> {
    Uuid::try_parse(raw)
        .map_err(|_| ApiError::invalid(name, "invalid-id", format!("'{raw}' is not a UUID")))
}
