//! Keyset pagination: the opaque cursor and the page body.

use std::collections::BTreeMap;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::query::{QueryReader, parse_limit};
use crate::domain::input::FieldError;
use crate::domain::topics::Bilingual;

pub const DEFAULT_LIMIT: i64 = 25;
pub const MAX_LIMIT: i64 = 200;

/// One page of a list.
#[derive(Debug, Serialize, ToSchema)]
pub struct Page<T> {
    pub items: Vec<T>,
    /// Cursor for the next page; `null` on the last page.
    #[schema(
        example = "eyJzIjoiY3JlYXRlZEF0IiwiayI6bnVsbCwiaSI6IjAxOTM4YjFlLTdmMDAtN2FhYS04MDAwLTAwMDAwMDAwMDAwMSJ9"
    )]
    pub next: Option<String>,
    /// How many records match, over all pages.
    #[schema(example = 42)]
    pub total: i64,
    /// Counts per value of each requested facet (`facets=`), each counted
    /// under all the other active filters.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(required = false, example = json!({"scope": [{"value": "european", "count": 12}, {"value": "national", "count": 7}]}))]
    pub facets: Option<BTreeMap<String, Vec<FacetCount>>>,
}

/// How many records in the filtered set have one value of a facet.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct FacetCount {
    #[schema(example = "european")]
    pub value: String,
    /// Both labels, for topic facets.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(required = false)]
    pub label: Option<Bilingual>,
    #[schema(example = 12)]
    pub count: i64,
}

/// Where a walk through a list stands: the sort it walks in, the last sort
/// key and id it handed out. Keys sort with the id as tie-break, and UUID v7
/// ids grow with creation time, so a walk sees every record that existed
/// when it began exactly once, whatever is inserted meanwhile.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cursor {
    #[serde(rename = "s")]
    pub sort: String,
    #[serde(rename = "k")]
    pub key: Option<String>,
    #[serde(rename = "i")]
    pub id: Uuid,
}

/// The paging parameters every list accepts, as [`PageRequest::read`] reads them.
pub struct PageParams;

impl IntoParams for PageParams {
    fn into_params(
        _: impl Fn() -> Option<utoipa::openapi::path::ParameterIn>,
    ) -> Vec<utoipa::openapi::path::Parameter> {
        use utoipa::openapi::path::{ParameterBuilder, ParameterIn};
        use utoipa::openapi::{ObjectBuilder, Type};
        let limit = ObjectBuilder::new()
            .schema_type(Type::Integer)
            .minimum(Some(1))
            .maximum(Some(MAX_LIMIT))
            .default(Some(DEFAULT_LIMIT.into()));
        vec![
            ParameterBuilder::new()
                .name("limit")
                .parameter_in(ParameterIn::Query)
                .description(Some("Number of items per page, 1 to 200 (default 25)."))
                .schema(Some(limit))
                .example(Some(25.into()))
                .build(),
            ParameterBuilder::new()
                .name("cursor")
                .parameter_in(ParameterIn::Query)
                .description(Some(
                    "The `next` cursor of the previous page; opaque. Omit it for the first page.",
                ))
                .schema(Some(ObjectBuilder::new().schema_type(Type::String)))
                .build(),
        ]
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct PageRequest {
    pub limit: i64,
    pub cursor: Option<Cursor>,
}

impl PageRequest {
    pub fn read(query: &mut QueryReader) -> Self {
        let limit = query
            .one("limit", |raw| parse_limit(raw, MAX_LIMIT))
            .unwrap_or(DEFAULT_LIMIT);
        let cursor = query.one("cursor", decode_cursor);
        Self { limit, cursor }
    }

    /// [`Self::read`] for a list walked in one order, `sort`: a cursor of
    /// another list is refused.
    pub fn read_for(query: &mut QueryReader, sort: &str) -> Self {
        let page = Self::read(query);
        if page.cursor.as_ref().is_some_and(|c| c.sort != sort) {
            query.error("cursor", "invalid-cursor", "belongs to another list");
        }
        page
    }
}

/// Cuts `items`, read with one more than `limit` to tell whether there is
/// more, to the page, and returns the next page's cursor in `sort` when
/// there is more: the sort key and id of the last item kept, by `at`.
pub fn cut<T>(
    items: &mut Vec<T>,
    limit: i64,
    sort: &str,
    at: impl Fn(&T) -> (Option<String>, Uuid),
) -> Option<String> {
    let limit = usize::try_from(limit).unwrap_or(usize::MAX);
    if items.len() <= limit {
        return None;
    }
    items.truncate(limit);
    items.last().map(|last| {
        let (key, id) = at(last);
        encode_cursor(&Cursor {
            sort: sort.to_owned(),
            key,
            id,
        })
    })
}

fn decode_cursor(raw: &str) -> Result<Cursor, FieldError> {
    let invalid = || FieldError::new("invalid-cursor", "is not a cursor this API handed out");
    let bytes = URL_SAFE_NO_PAD.decode(raw.trim()).map_err(|_| invalid())?;
    serde_json::from_slice(&bytes).map_err(|_| invalid())
}

pub fn encode_cursor(cursor: &Cursor) -> String {
    URL_SAFE_NO_PAD.encode(serde_json::to_vec(cursor).unwrap_or_default())
}
