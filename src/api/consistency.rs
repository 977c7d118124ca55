//! Read your writes across the search index. A write answers once this
//! instance's index includes it, with the feed position in
//! `Change-Position`; a discovery read says in `Change-Position` which
//! position it reflects, and a client that wrote through another instance
//! sends that position back in `Min-Change-Position` to have this one wait
//! (a bounded time) until it has applied it.

use std::sync::Arc;
use std::time::Duration;

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::middleware::Next;
use actix_web::{Error, HttpRequest, HttpResponse, web};
use utoipa::openapi::RefOr;
use utoipa::openapi::header::HeaderBuilder;
use utoipa::openapi::path::Operation;

use super::access::Guarded;
use super::state::AppState;
use crate::auth::Audience;
use crate::error::{ApiError, ApiResult};
use crate::sync::index::Reading;
use crate::sync::snapshot::feed_position;

pub const CHANGE_POSITION: HeaderName = HeaderName::from_static("change-position");
pub const MIN_CHANGE_POSITION: &str = "Min-Change-Position";

/// How long a write waits for this instance's index to include it.
const WRITE_WAIT: Duration = Duration::from_secs(5);
/// How long a read waits for the position a client asked for.
const READ_WAIT: Duration = Duration::from_secs(2);

/// The search index as of at least the position the request asks for;
/// 503 (with `Retry-After`) until the first build has finished, or when the
/// position is not reached in time.
pub async fn index_for(state: &AppState, request: &HttpRequest) -> ApiResult<(Arc<Reading>, i64)> {
    let wanted = match request.headers().get(MIN_CHANGE_POSITION) {
        None => None,
        Some(value) => Some(
            value
                .to_str()
                .ok()
                .and_then(|v| v.trim().parse::<i64>().ok())
                .filter(|p| *p >= 0)
                .ok_or_else(|| {
                    ApiError::invalid(
                        MIN_CHANGE_POSITION,
                        "invalid-position",
                        "is not a change position (a whole number from a Change-Position header)",
                    )
                })?,
        ),
    };
    if let Some(position) = wanted
        && !state.index.reach(position, READ_WAIT).await
    {
        return Err(ApiError::Unavailable(format!(
            "the search index has not reached change position {position} within {} s",
            READ_WAIT.as_secs()
        )));
    }
    state.index.current().ok_or_else(|| {
        ApiError::Unavailable(
            "the search index is being built, or has not caught up with the database lately"
                .to_owned(),
        )
    })
}

/// Sets `Change-Position` on a response.
pub fn with_position(mut response: HttpResponse, position: i64) -> HttpResponse {
    if let Ok(value) = HeaderValue::from_str(&position.to_string()) {
        response.headers_mut().insert(CHANGE_POSITION, value);
    }
    response
}

/// After a successful write: waits until this instance's index includes
/// everything committed so far (the write among it), and says up to which
/// position in `Change-Position`. Reads and failed requests pass through.
pub async fn after_write(
    request: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, Error> {
    let writes = !request.method().is_safe();
    let state = request
        .app_data::<web::Data<Guarded>>()
        .map(|guarded| guarded.state().clone());
    let mut response = next.call(request).await?;
    let Some(state) = state.filter(|_| writes && response.status().is_success()) else {
        return Ok(response);
    };
    // Every event this write made is at or below the feed's end now.
    let position = match state.conn(Audience::Staff).await {
        Ok(mut conn) => feed_position(&mut conn).await,
        Err(error) => Err(error),
    };
    match position {
        Ok(position) => {
            // Until the first build there is nothing to wait for.
            let built = state.index.current().is_some();
            if built && !state.index.reach(position, WRITE_WAIT).await {
                tracing::warn!(position, "the search index did not include a write in time");
            }
            if let Ok(value) = HeaderValue::from_str(&position.to_string()) {
                response.headers_mut().insert(CHANGE_POSITION, value);
            }
        }
        Err(error) => tracing::warn!(%error, "the feed position after a write is unknown"),
    }
    Ok(response)
}

/// The operations the search index answers.
const SERVED_BY_INDEX: &[&str] = &[
    "listInitiatives",
    "listOrganisations",
    "listExperts",
    "search",
    "getOverview",
];
/// The operations answered from rendered records kept in memory; they
/// take `Min-Change-Position` too.
const SERVED_FROM_MEMORY: &[&str] = &["getInitiative", "getOrganisation", "getExpert"];

/// Documents the headers of this module on an operation: `Change-Position`
/// on the successful answers of writes and of index reads, and
/// `Min-Change-Position` on index reads.
pub fn document(operation: &mut Operation, writes: bool) {
    use utoipa::openapi::{ObjectBuilder, Type};
    let id = operation.operation_id.as_deref().unwrap_or_default();
    let reads_index = SERVED_BY_INDEX.contains(&id);
    let reads_memory = SERVED_FROM_MEMORY.contains(&id);
    if !writes && !reads_index && !reads_memory {
        return;
    }
    if reads_index || reads_memory {
        let parameter = crate::api::openapi::parameters::own_value_header(
            MIN_CHANGE_POSITION,
            false,
            "A `Change-Position` this client saw after a write (through any instance): the answer \
             waits, up to 2 s, until this instance's search index includes it, and is a 503 with \
             `Retry-After` if it does not",
            ObjectBuilder::new()
                .schema_type(Type::Integer)
                .minimum(Some(0)),
            "42",
        );
        operation
            .parameters
            .get_or_insert_with(Vec::new)
            .push(RefOr::T(parameter));
    }
    let description = if writes {
        "The change-feed position that includes this write; this instance's search index \
         includes it when the answer is sent. Send it to another instance as \
         `Min-Change-Position` to read your write there"
    } else {
        "The change-feed position this answer reflects (at least)"
    };
    let header = HeaderBuilder::new()
        .schema(Some(ObjectBuilder::new().schema_type(Type::Integer)))
        .description(Some(description))
        .example(Some(42.into()))
        .build();
    if reads_memory {
        return;
    }
    for (status, response) in &mut operation.responses.responses {
        if let (true, RefOr::T(response)) = (status.starts_with('2'), response) {
            response
                .headers
                .insert("Change-Position".to_owned(), RefOr::T(header.clone()));
        }
    }
}
