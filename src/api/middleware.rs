//! Cross-cutting request handling: request ids and access logs, and turning
//! every error response — ours or the framework's — into problem+json.

use std::cell::Cell;
use std::rc::Rc;
use std::time::{Duration, Instant};

use actix_web::body::{BodySize, EitherBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderName, HeaderValue};
use actix_web::http::{Method, StatusCode};
use actix_web::middleware::Next;
use actix_web::{Error, HttpMessage, web};
use uuid::Uuid;

use super::access::Guarded;
use crate::error::{ApiError, PROBLEM_JSON};

pub const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// The id of the request being served, kept in the request's extensions.
#[derive(Debug, Clone)]
pub struct RequestId(pub String);

/// A client-supplied id is kept when it is short and plain (so it cannot
/// forge log lines); otherwise a fresh one is made.
fn request_id_from(value: Option<&HeaderValue>) -> String {
    value
        .and_then(|v| v.to_str().ok())
        .filter(|v| {
            (1..=128).contains(&v.len())
                && v.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"-_.:".contains(&b))
        })
        .map_or_else(|| Uuid::now_v7().to_string(), str::to_owned)
}

/// Assigns the request id, echoes it, and logs one line per request: method,
/// path (never the query, which may hold names or e-mail addresses), status,
/// latency and request id.
pub async fn request_context(
    request: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, Error> {
    let started = Instant::now();
    let id = request_id_from(request.headers().get(REQUEST_ID));
    request.extensions_mut().insert(RequestId(id.clone()));
    let trace_id = request
        .headers()
        .get("traceparent")
        .and_then(|v| v.to_str().ok())
        .and_then(trace_id_of)
        .unwrap_or_default()
        .to_owned();
    let method = request.method().clone();
    let path = request.path().to_owned();
    let mut response = next.call(request).await?;
    let status = response.status().as_u16();
    tracing::info!(
        target: "aimd_registry::access",
        %method,
        %path,
        status,
        latency_ms = started.elapsed().as_secs_f64() * 1000.0,
        request_id = %id,
        trace_id = %trace_id,
        "request"
    );
    if let Ok(value) = HeaderValue::from_str(&id) {
        response.headers_mut().insert(REQUEST_ID, value);
    }
    Ok(response)
}

/// The trace id of a W3C Trace Context `traceparent` header
/// (`00-<32 hex trace id>-<16 hex parent id>-<2 hex flags>`), so that a
/// request's log line can be found from the trace that made it; `None` for
/// a malformed header, which the recommendation says to ignore.
fn trace_id_of(traceparent: &str) -> Option<&str> {
    let mut parts = traceparent.trim().split('-');
    let (version, trace, parent, flags) =
        (parts.next()?, parts.next()?, parts.next()?, parts.next()?);
    let hex = |part: &str, len: usize| {
        part.len() == len
            && part
                .bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
    };
    let valid = hex(version, 2)
        && version != "ff"
        && hex(trace, 32)
        && trace.bytes().any(|b| b != b'0')
        && hex(parent, 16)
        && parent.bytes().any(|b| b != b'0')
        && hex(flags, 2)
        // Version 00 has exactly these four parts; later ones may add more.
        && (version != "00" || parts.next().is_none());
    valid.then_some(trace)
}

/// The least time an import may take: large files are many statements.
pub const IMPORT_DEADLINE: Duration = Duration::from_secs(600);

/// Answers 503 when a request takes longer than the deadline, whatever it
/// waits on: a database that stopped answering without closing the
/// connection (a stalled network) is noticed by no socket and by no
/// server-side timeout. The handler's future is dropped, and with it the
/// transaction it had open; the pool discards such a connection.
pub async fn deadline(
    request: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody>>, Error> {
    let mut limit = request
        .app_data::<web::Data<Guarded>>()
        .map_or(Duration::ZERO, |guarded| {
            guarded.state().policy.request_timeout
        });
    if limit.is_zero() {
        return Ok(next.call(request).await?.map_into_left_body());
    }
    // The path as the router will match it (percent-escapes decoded), so
    // that any spelling of the import route gets the import's deadline.
    if request.match_info().as_str() == "/v1/imports" {
        limit = limit.max(IMPORT_DEADLINE);
    }
    let routed = Emptied(RoutedRequest::default());
    request.extensions_mut().insert(routed.0.clone());
    let outcome = tokio::time::timeout(limit, next.call(request)).await;
    let request = routed.0.0.take();
    match outcome {
        Ok(response) => Ok(response?.map_into_left_body()),
        Err(_) => {
            let error = ApiError::Unavailable(format!(
                "the request took longer than {} s (database not answering?)",
                limit.as_secs()
            ));
            match request {
                Some(request) => {
                    let response = actix_web::HttpResponse::from_error(error);
                    Ok(ServiceResponse::new(request, response).map_into_right_body())
                }
                None => Err(error.into()),
            }
        }
    }
}

/// Empties the slot however the request ends, also when its future is
/// dropped (a client that went away): the request it holds holds the slot
/// in turn, and only emptying it frees both.
struct Emptied(RoutedRequest);

impl Drop for Emptied {
    fn drop(&mut self) {
        self.0.0.take();
    }
}

/// The request as routed, kept by the [`deadline`] middleware to answer
/// with when the handler runs out of time. It is filled once routing is
/// done (by the access extractor every operation takes), since the router
/// needs the request unshared.
#[derive(Clone, Default)]
pub struct RoutedRequest(Rc<Cell<Option<actix_web::HttpRequest>>>);

impl RoutedRequest {
    pub fn keep(request: &actix_web::HttpRequest) {
        if let Some(routed) = request.extensions().get::<Self>() {
            routed.0.set(Some(request.clone()));
        }
    }
}

/// Rewrites error responses as RFC 9457 problems with `instance` set. Our
/// own `ApiError`s are re-rendered with the request path; anything else
/// (the framework's plain-text 404s, 405s, payload errors, Swagger UI's
/// misses) is translated by status.
pub async fn problem_details(
    request: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody>>, Error> {
    let path = request.path().to_owned();
    // Handlers' errors arrive as responses carrying the error; only services
    // themselves fail with `Err`, and those are rendered by actix from `ApiError`.
    let response = next.call(request).await?;
    let status = response.status();
    if !(status.is_client_error() || status.is_server_error()) {
        return Ok(response.map_into_left_body());
    }
    if let Some(api_error) = response
        .response()
        .error()
        .and_then(|e| e.as_error::<ApiError>())
    {
        let rendered = keep_headers(&response, render(&path, status, Some(api_error)));
        return Ok(response.into_response(rendered).map_into_right_body());
    }
    // A problem already, or a health report, whose 503 carries its own body.
    let described = response
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|ct| {
            let ct = ct.as_bytes();
            ct.starts_with(PROBLEM_JSON.as_bytes())
                || ct.starts_with(crate::domain::health::MEDIA_TYPE.as_bytes())
        });
    if described {
        return Ok(response.map_into_left_body());
    }
    let rendered = keep_headers(&response, render(&path, status, None));
    Ok(response.into_response(rendered).map_into_right_body())
}

/// Carries over the headers other middleware set on the original answer
/// (rate-limit counters, say), unless the problem sets its own.
fn keep_headers<B>(
    original: &ServiceResponse<B>,
    mut rendered: actix_web::HttpResponse,
) -> actix_web::HttpResponse {
    for (name, value) in original.headers() {
        if !rendered.headers().contains_key(name) && name != header::CONTENT_LENGTH {
            rendered.headers_mut().insert(name.clone(), value.clone());
        }
    }
    rendered
}

fn render(path: &str, status: StatusCode, error: Option<&ApiError>) -> actix_web::HttpResponse {
    let translated;
    let error = match error {
        Some(e) => e,
        None => {
            translated = by_status(path, status);
            &translated
        }
    };
    match error {
        ApiError::Internal(cause) => tracing::error!(%path, %cause, "request failed"),
        ApiError::Unavailable(cause) => {
            tracing::warn!(%path, %cause, "request could not be served")
        }
        _ => {}
    }
    error.problem_response(Some(path.to_owned()))
}

fn by_status(path: &str, status: StatusCode) -> ApiError {
    match status {
        StatusCode::NOT_FOUND => ApiError::NotFound(format!("there is no resource at {path}")),
        StatusCode::METHOD_NOT_ALLOWED => ApiError::MethodNotAllowed {
            allowed: Vec::new(),
        },
        StatusCode::PAYLOAD_TOO_LARGE => {
            ApiError::PayloadTooLarge("the request body is larger than 1 MiB".to_owned())
        }
        StatusCode::UNSUPPORTED_MEDIA_TYPE => {
            ApiError::UnsupportedMediaType("send the body as application/json".to_owned())
        }
        s if s.is_client_error() => ApiError::BadRequest(
            s.canonical_reason()
                .unwrap_or("the request could not be served")
                .to_owned(),
        ),
        _ => ApiError::internal(format!("unexpected {status} response")),
    }
}

/// Strong ETags and conditional GET. Every successful JSON response gets an
/// ETag from a hash of its bytes; a record's ETag also carries its version
/// (`"3-9f2c…"`), which `If-Match` compares. A GET whose `If-None-Match`
/// names the current ETag is answered 304 without a body.
pub async fn conditional_get(
    request: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody>>, Error> {
    let is_read = matches!(*request.method(), Method::GET | Method::HEAD);
    let if_none_match = request
        .headers()
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let response = next.call(request).await?;
    let is_json = response
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|ct| {
            let ct = ct.as_bytes();
            ct.starts_with(b"application/json") || ct.starts_with(b"application/ld+json")
        });
    let tagged = response.headers().contains_key(header::ETAG);
    // A streamed body (an export) is never read whole here: that would
    // hold all of it in memory before the client got its first byte.
    let streamed = matches!(response.response().body().size(), BodySize::Stream);
    if !matches!(response.status(), StatusCode::OK | StatusCode::CREATED)
        || !is_json
        || streamed
        || !(is_read || tagged)
    {
        return Ok(response.map_into_left_body());
    }
    let (http_request, response) = response.into_parts();
    let (mut head, body) = response.into_parts();
    let bytes = actix_web::body::to_bytes(body)
        .await
        .map_err(|_| ApiError::internal("response body could not be read"))?;
    let hash = body_hash(&bytes);
    let etag = match head
        .headers()
        .get(header::ETAG)
        .and_then(|v| v.to_str().ok())
    {
        Some(version) => format!("\"{}-{hash}\"", version.trim_matches('"')),
        None => format!("\"{hash}\""),
    };
    let etag_value = HeaderValue::from_str(&etag).map_err(ApiError::internal)?;
    head.headers_mut().insert(header::ETAG, etag_value.clone());
    if is_read && !head.headers().contains_key(header::CACHE_CONTROL) {
        // Clients may keep a copy but must revalidate it, which the ETag
        // makes cheap.
        head.headers_mut()
            .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    }
    if is_read
        && if_none_match
            .as_deref()
            .is_some_and(|tags| matches_any(tags, &etag))
    {
        // What a 200 would have said about its validity and variants
        // (RFC 9110 §15.4.5), `Vary` in every value.
        let mut not_modified = actix_web::HttpResponse::NotModified();
        for name in [
            header::ETAG,
            header::CACHE_CONTROL,
            header::CONTENT_LANGUAGE,
        ] {
            if let Some(value) = head.headers().get(&name) {
                not_modified.insert_header((name, value.clone()));
            }
        }
        for vary in head.headers().get_all(header::VARY) {
            not_modified.append_header((header::VARY, vary.clone()));
        }
        return Ok(ServiceResponse::new(http_request, not_modified.finish()).map_into_right_body());
    }
    let rebuilt = head.set_body(actix_web::body::BoxBody::new(bytes));
    Ok(ServiceResponse::new(http_request, rebuilt).map_into_right_body())
}

/// A 64-bit hash of a body, as hex. Only equality matters, within one
/// release; SipHash is fast enough for JSON of any size we send.
fn body_hash(bytes: &[u8]) -> String {
    use std::hash::{DefaultHasher, Hasher};
    let mut hasher = DefaultHasher::new();
    hasher.write(bytes);
    format!("{:016x}", hasher.finish())
}

/// `If-None-Match` matching (RFC 9110: weak comparison, `*` matches all).
fn matches_any(tags: &str, etag: &str) -> bool {
    tags.split(',')
        .map(|t| t.trim().trim_start_matches("W/"))
        .any(|t| t == "*" || t == etag)
}

#[cfg(test)]
mod tests {
    use super::trace_id_of;

    #[test]
    fn trace_ids_come_only_from_well_formed_traceparents() {
        let trace = "4bf92f3577b34da6a3ce929d0e0e4736";
        assert_eq!(
            trace_id_of(&format!("00-{trace}-00f067aa0ba902b7-01")),
            Some(trace)
        );
        assert_eq!(
            trace_id_of(&format!("01-{trace}-00f067aa0ba902b7-01-later")),
            Some(trace)
        );
        for bad in [
            format!("00-{trace}-00f067aa0ba902b7-01-extra"),
            format!("ff-{trace}-00f067aa0ba902b7-01"),
            "00-00000000000000000000000000000000-00f067aa0ba902b7-01".to_owned(),
            format!("00-{trace}-0000000000000000-01"),
            format!("00-{}-00f067aa0ba902b7-01", trace.to_uppercase()),
            "00-abc-00f067aa0ba902b7-01".to_owned(),
            String::new(),
        ] {
            assert_eq!(trace_id_of(&bad), None, "{bad}");
        }
    }
}
