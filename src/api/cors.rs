//! CORS for partner portals' web pages: the configured origins may read
//! (GET, HEAD) from a browser; writes only when the deployment allows them.
//! Preflight requests are answered here, before authorization, as the
//! Fetch standard requires (they carry no credentials).

use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderMap, HeaderValue};
use actix_web::http::{Method, StatusCode};
use actix_web::middleware::Next;
use actix_web::{Error, HttpResponse, web};

const READS: &str = "GET, HEAD";
const READS_AND_WRITES: &str = "GET, HEAD, POST, PUT, PATCH, DELETE";
const ALLOWED_HEADERS: &str = "Authorization, Content-Type, If-Match, If-None-Match, Idempotency-Key, X-Change-Message, X-Request-Id, Min-Change-Position";
const EXPOSED_HEADERS: &str = "API-Version, ETag, Location, Link, X-Request-Id, Retry-After, RateLimit-Limit, RateLimit-Remaining, RateLimit-Reset, Idempotent-Replayed, Change-Position";

/// Which browser origins may call the API, and how.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CorsPolicy {
    /// Allowed origins (`https://portal.example`), or `*` for any.
    pub origins: Vec<String>,
    /// Whether browsers may also write (POST, PUT, PATCH, DELETE).
    pub allow_writes: bool,
}

impl CorsPolicy {
    fn allows(&self, origin: &str) -> bool {
        self.origins.iter().any(|o| o == "*" || o == origin)
    }

    fn allows_method(&self, method: &str) -> bool {
        matches!(method, "GET" | "HEAD")
            || (self.allow_writes && matches!(method, "POST" | "PUT" | "PATCH" | "DELETE"))
    }

    fn methods(&self) -> &'static str {
        if self.allow_writes {
            READS_AND_WRITES
        } else {
            READS
        }
    }
}

pub async fn cors(
    request: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody>>, Error> {
    let policy = request
        .app_data::<web::Data<super::access::Guarded>>()
        .map(|guarded| guarded.state())
        .map(|state| state.policy.cors.clone())
        .unwrap_or_default();
    let origin = request
        .headers()
        .get(header::ORIGIN)
        .and_then(|o| o.to_str().ok())
        .filter(|o| policy.allows(o))
        .map(str::to_owned);
    let preflight = request.method() == Method::OPTIONS
        && request
            .headers()
            .contains_key(header::ACCESS_CONTROL_REQUEST_METHOD);
    if preflight {
        let wanted = request
            .headers()
            .get(header::ACCESS_CONTROL_REQUEST_METHOD)
            .and_then(|m| m.to_str().ok())
            .unwrap_or_default();
        let mut answer = HttpResponse::build(StatusCode::NO_CONTENT);
        answer.insert_header((header::VARY, "Origin"));
        if let Some(origin) = origin.filter(|_| policy.allows_method(wanted)) {
            answer
                .insert_header((header::ACCESS_CONTROL_ALLOW_ORIGIN, origin))
                .insert_header((header::ACCESS_CONTROL_ALLOW_METHODS, policy.methods()))
                .insert_header((header::ACCESS_CONTROL_ALLOW_HEADERS, ALLOWED_HEADERS))
                .insert_header((header::ACCESS_CONTROL_MAX_AGE, "600"));
        }
        return Ok(request.into_response(answer.finish()).map_into_right_body());
    }
    let method = request.method().to_string();
    let mut response = next.call(request).await?;
    if let Some(origin) = origin.filter(|_| policy.allows_method(&method)) {
        allow(response.headers_mut(), &origin);
    }
    Ok(response.map_into_left_body())
}

fn allow(headers: &mut HeaderMap, origin: &str) {
    if let Ok(value) = HeaderValue::from_str(origin) {
        headers.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, value);
        // Appended: a response may vary on more (search: Accept-Language).
        headers.append(header::VARY, HeaderValue::from_static("Origin"));
        headers.insert(
            header::ACCESS_CONTROL_EXPOSE_HEADERS,
            HeaderValue::from_static(EXPOSED_HEADERS),
        );
    }
}
