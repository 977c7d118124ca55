//! `If-Match`: the version of a record a change is based on.

use actix_web::HttpRequest;
use actix_web::http::header;

use crate::error::{ApiError, ApiResult};
use crate::store::records::Precondition;

/// Reads `If-Match`, which every change of an existing record must send
/// (428 without it), so that no edit silently overwrites another. `*`
/// matches any live record, as RFC 9110 says.
pub fn precondition(request: &HttpRequest) -> ApiResult<Precondition> {
    let Some(value) = request.headers().get(header::IF_MATCH) else {
        return Err(ApiError::PreconditionRequired(
            "send If-Match with the ETag of the version you read, so that no one else's change is overwritten"
                .to_owned(),
        ));
    };
    let text = value.to_str().unwrap_or_default().trim();
    if text == "*" {
        return Ok(Precondition::any());
    }
    // Our ETags are `"<version>-<hash>"` (or `"<version>"`): the version
    // is what a write must be based on.
    text.strip_prefix('"')
        .and_then(|t| t.strip_suffix('"'))
        .and_then(|t| t.split('-').next())
        .and_then(|t| t.parse::<i64>().ok())
        .map(Precondition::at)
        .ok_or_else(|| {
            ApiError::invalid(
                "If-Match",
                "invalid-etag",
                "must be an ETag this API handed out, such as \"3\"",
            )
        })
}

/// Documents the `If-Match` header that [`precondition`] reads.
pub struct IfMatch;

impl utoipa::IntoParams for IfMatch {
    fn into_params(
        _: impl Fn() -> Option<utoipa::openapi::path::ParameterIn>,
    ) -> Vec<utoipa::openapi::path::Parameter> {
        use utoipa::openapi::{ObjectBuilder, Type};
        vec![crate::api::openapi::parameters::own_value_header(
            "If-Match",
            true,
            "The ETag (version) of the record the change is based on: required (428 without it); a stale one is refused with 412 so that no edit is lost",
            ObjectBuilder::new()
                .schema_type(Type::String)
                .pattern(Some(r#"^(\*|"[0-9]+(-[0-9a-f]+)?")$"#)),
            "\"3\"",
        )]
    }
}
