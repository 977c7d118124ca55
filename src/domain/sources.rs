//! What a record's facts were checked against: a list of sources, each with
//! its address, title, publisher, the date of the source and the date it was
//! consulted. Every reader sees them; an initiative needs one to be
//! published.

use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::Value;
use utoipa::ToSchema;

use super::history::Actor;
use super::input::{FieldError, FromJson};
use super::values::{Date, Name, Prose, Title, WebUrl};
use crate::error::{ApiError, ApiResult};

/// The most sources one record keeps.
pub const MAX_SOURCES: usize = 50;

const KEYS: &[&str] = &[
    "url",
    "title",
    "publisher",
    "publishedOn",
    "consultedOn",
    "note",
];

/// One source, as clients write it and every reader sees it.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(example = json!({
    "url": "https://eur-lex.europa.eu/eli/reg/2024/1689/oj",
    "title": "Regulation (EU) 2024/1689 (Artificial Intelligence Act)",
    "publisher": "Publications Office of the European Union",
    "publishedOn": "2024-07-12",
    "consultedOn": "2026-12-02",
    "note": "Confirms the dates of application in Article 113."
}))]
pub struct Source {
    #[schema(value_type = String, format = Uri)]
    pub url: WebUrl,
    /// The page's or document's title, at most 500 characters.
    #[schema(value_type = String, max_length = 500)]
    pub title: Title,
    /// Who published it, at most 300 characters.
    #[schema(value_type = Option<String>, max_length = 300)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub publisher: Option<Name>,
    /// The source's own date, when it has one.
    #[schema(value_type = Option<String>, format = Date)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub published_on: Option<Date>,
    /// When it was read; not in the future.
    #[schema(value_type = String, format = Date)]
    pub consulted_on: Date,
    /// What it confirms, or what it could not.
    #[schema(value_type = Option<String>, max_length = 10000)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<Prose>,
}

impl FromJson for Source {
    fn from_json(value: &Value) -> Result<Self, Vec<FieldError>> {
        let Value::Object(object) = value else {
            return Err(vec![FieldError::wrong_type(
                "an object with url, title and consultedOn",
            )]);
        };
        let mut errors: Vec<FieldError> = object
            .keys()
            .filter(|key| !KEYS.contains(&key.as_str()))
            .map(|key| FieldError::new("unknown-field", "is not a field of a source").under(key))
            .collect();
        fn field<T: FromJson>(
            object: &serde_json::Map<String, Value>,
            errors: &mut Vec<FieldError>,
            key: &str,
            required: bool,
        ) -> Option<T> {
            match object.get(key).filter(|v| !v.is_null()) {
                None if required => {
                    errors.push(FieldError::new("required", "is required").under(key));
                    None
                }
                None => None,
                Some(value) => match T::from_json(value) {
                    Ok(parsed) => Some(parsed),
                    Err(found) if found.iter().any(FieldError::is_blank) && !required => None,
                    Err(found) => {
                        errors.extend(found.into_iter().map(|e| e.under(key)));
                        None
                    }
                },
            }
        }
        let url = field::<WebUrl>(object, &mut errors, "url", true);
        let title = field::<Title>(object, &mut errors, "title", true);
        let publisher = field::<Name>(object, &mut errors, "publisher", false);
        let published_on = field::<Date>(object, &mut errors, "publishedOn", false);
        let consulted_on = field::<Date>(object, &mut errors, "consultedOn", true);
        let note = field::<Prose>(object, &mut errors, "note", false);
        let today = chrono::Utc::now().date_naive();
        if let Some(consulted) = consulted_on
            && consulted.0 > today
        {
            errors.push(
                FieldError::new("in-the-future", "a source cannot be consulted after today")
                    .under("consultedOn"),
            );
        }
        if let (Some(published), Some(consulted)) = (published_on, consulted_on)
            && published.0 > consulted.0
        {
            errors.push(
                FieldError::new(
                    "after-consulted",
                    "a source cannot be dated after it was consulted",
                )
                .under("publishedOn"),
            );
        }
        match (url, title, consulted_on) {
            (Some(url), Some(title), Some(consulted_on)) if errors.is_empty() => Ok(Self {
                url,
                title,
                publisher,
                published_on,
                consulted_on,
                note,
            }),
            _ => Err(errors),
        }
    }
}

/// The sources as the database keeps them: the JSON array clients wrote.
pub fn to_db(sources: &[Source]) -> ApiResult<Value> {
    serde_json::to_value(sources).map_err(ApiError::internal)
}

/// Sources read back from the database, where only valid ones are stored
/// (a date consulted was not after the day it was written, so not after
/// today either).
pub fn from_db(stored: Value) -> ApiResult<Vec<Source>> {
    let Value::Array(items) = stored else {
        return Err(ApiError::internal("stored sources are not an array"));
    };
    items
        .iter()
        .map(|item| {
            Source::from_json(item)
                .map_err(|_| ApiError::internal("stored sources do not read back"))
        })
        .collect()
}

/// When a record was last reviewed (approved, or confirmed still accurate)
/// and, for staff, by whom: the `lastReviewedAt` and `reviewedBy` of every
/// record.
#[derive(Debug, Clone)]
pub struct Review {
    pub last_reviewed_at: Option<DateTime<Utc>>,
    pub reviewed_by: Option<Actor>,
}
