//! Keyset pagination: the opaque cursor, the page body and its `Link` header.

use actix_web::HttpRequest;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::query::QueryReader;
use crate::domain::input::FieldError;

pub const DEFAULT_LIMIT: i64 = 25;
pub const MAX_LIMIT: i64 = 200;

/// One page of a list.
#[derive(Debug, Serialize, ToSchema)]
pub struct Page<T> {
    pub items: Vec<T>,
    /// Cursor for the next page; `null` on the last page.
    #[schema(example = "eyJhZnRlciI6IjAxOTM4YjFlLTdmMDAtN2FhYS04MDAwLTAwMDAwMDAwMDAwMSJ9")]
    pub next: Option<String>,
}

/// What a cursor holds. Records are listed in id order, and UUID v7 ids
/// grow with creation time, so a walk sees every record that existed when it
/// began exactly once, whatever is inserted meanwhile.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct CursorState {
    after: Uuid,
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

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PageRequest {
    pub limit: i64,
    pub after: Option<Uuid>,
}

impl PageRequest {
    pub fn read(query: &mut QueryReader) -> Self {
        let limit = query.one("limit", parse_limit).unwrap_or(DEFAULT_LIMIT);
        let after = query.one("cursor", decode_cursor);
        Self { limit, after }
    }
}

fn parse_limit(raw: &str) -> Result<i64, FieldError> {
    match raw.trim().parse::<i64>() {
        Ok(n) if (1..=MAX_LIMIT).contains(&n) => Ok(n),
        _ => Err(FieldError::new(
            "out-of-range",
            format!("must be a whole number from 1 to {MAX_LIMIT}"),
        )),
    }
}

fn decode_cursor(raw: &str) -> Result<Uuid, FieldError> {
    let invalid = || FieldError::new("invalid-cursor", "is not a cursor this API handed out");
    let bytes = URL_SAFE_NO_PAD.decode(raw.trim()).map_err(|_| invalid())?;
    let state: CursorState = serde_json::from_slice(&bytes).map_err(|_| invalid())?;
    Ok(state.after)
}

fn encode_cursor(after: Uuid) -> String {
    let json = serde_json::to_vec(&CursorState { after }).unwrap_or_default();
    URL_SAFE_NO_PAD.encode(json)
}

/// Builds a page from up to `limit + 1` rows: the extra row only tells that
/// another page exists.
pub fn paginate<T>(mut rows: Vec<T>, request: PageRequest, id_of: impl Fn(&T) -> Uuid) -> Page<T> {
    let limit = usize::try_from(request.limit).unwrap_or(usize::MAX);
    let next = if rows.len() > limit {
        rows.truncate(limit);
        rows.last().map(|last| encode_cursor(id_of(last)))
    } else {
        None
    };
    Page { items: rows, next }
}

/// The RFC 8288 `Link` header value pointing at the next page: the same
/// request with its cursor replaced.
pub fn next_link(request: &HttpRequest, cursor: &str) -> String {
    let mut query = url::form_urlencoded::Serializer::new(String::new());
    for (key, value) in url::form_urlencoded::parse(request.query_string().as_bytes()) {
        if key != "cursor" {
            query.append_pair(&key, &value);
        }
    }
    query.append_pair("cursor", cursor);
    format!("<{}?{}>; rel=\"next\"", request.path(), query.finish())
}
