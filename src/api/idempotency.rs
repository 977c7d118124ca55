//! The `Idempotency-Key` header of creations: read here, claimed and
//! remembered in `store::idempotency`.

use actix_web::HttpRequest;
use actix_web::http::header::HeaderName;
use serde_json::Value;
use uuid::Uuid;

use crate::error::{ApiError, ApiResult};
use crate::store::idempotency::Claim;

pub const IDEMPOTENCY_KEY: HeaderName = HeaderName::from_static("idempotency-key");
const MAX_KEY_CHARS: usize = 255;

/// Reads `Idempotency-Key`; `None` when the request has none. A key
/// needs an API key to be scoped to, which creations always have.
pub fn claim_of(
    request: &HttpRequest,
    key_id: Option<Uuid>,
    body: &Value,
) -> ApiResult<Option<Claim>> {
    let Some(value) = request.headers().get(IDEMPOTENCY_KEY) else {
        return Ok(None);
    };
    let idempotency = value
        .to_str()
        .ok()
        .map(str::trim)
        .filter(|k| (1..=MAX_KEY_CHARS).contains(&k.len()))
        .ok_or_else(|| {
            ApiError::invalid(
                "Idempotency-Key",
                "invalid-key",
                format!("must be 1 to {MAX_KEY_CHARS} visible ASCII characters, such as a UUID"),
            )
        })?;
    let key_id = key_id.ok_or_else(|| ApiError::internal("a creation without an API key"))?;
    // The route the router matched, so that another spelling of the same
    // path is the same route.
    let route = request
        .match_pattern()
        .unwrap_or_else(|| request.path().to_owned());
    Claim::new(key_id, idempotency, route, body).map(Some)
}

/// The `Idempotency-Key` header that [`claim_of`] reads, as the
/// spec documents it.
pub fn header() -> utoipa::openapi::path::Parameter {
    use utoipa::openapi::{ObjectBuilder, Type};
    crate::api::openapi::parameters::own_value_header(
        "Idempotency-Key",
        false,
        "Makes the creation safe to retry: within 24 hours, a retry with the same key and body gets the first answer (with `Idempotent-Replayed: true`) and creates nothing; the same key with another body is refused with 422",
        ObjectBuilder::new()
            .schema_type(Type::String)
            .min_length(Some(1))
            .max_length(Some(MAX_KEY_CHARS)),
        "6f1c1a4e-3b1d-4b7e-9a52-0c8f2f7d9b10",
    )
}
