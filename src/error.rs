//! The one error type of the registry and its RFC 9457 problem form. How
//! it becomes an HTTP response is the API's (`api::problem`); how database
//! errors become one of these is the store's (`store::errors`).

use serde::Serialize;
use utoipa::ToSchema;

pub const PROBLEM_JSON: &str = "application/problem+json";

/// The challenge sent with every 401 (RFC 6750).
pub const WWW_AUTHENTICATE: &str = "Bearer realm=\"aimd-registry\"";

/// A problem report (RFC 9457).
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(example = json!({
    "type": "https://aimd-registry.nl/problems/invalid-input",
    "title": "The request has invalid input",
    "status": 400,
    "detail": "2 fields are invalid; see invalidParams",
    "instance": "/v1/organisations",
    "invalidParams": [
        {"name": "country", "code": "unknown-country", "reason": "'XX' is not an ISO 3166-1 alpha-2 country code"},
        {"name": "description/fr", "code": "unknown-field", "reason": "only 'en' and 'nl' are allowed"}
    ]
}))]
pub struct Problem {
    /// URI identifying the kind of problem.
    #[serde(rename = "type")]
    #[schema(format = Uri)]
    pub problem_type: String,
    /// Short summary of the kind of problem; the same for every occurrence.
    pub title: String,
    /// The HTTP status code.
    #[schema(minimum = 400, maximum = 599)]
    pub status: u16,
    /// What went wrong in this occurrence, for a human reader.
    pub detail: String,
    /// The path of the request that caused the problem.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(required = false)]
    pub instance: Option<String>,
    /// Every offending input, present on 400 problems about input.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    #[schema(required = false)]
    pub invalid_params: Vec<InvalidParam>,
}

/// One offending input: a query parameter, a path segment or a body field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct InvalidParam {
    /// The parameter's name; nested body fields use JSON-pointer style (`description/en`, `topics/2`).
    #[schema(example = "country")]
    pub name: String,
    /// A stable, machine-readable code for the rule that was broken.
    #[schema(example = "unknown-country")]
    pub code: String,
    /// What is wrong, for a human reader.
    #[schema(example = "'XX' is not an ISO 3166-1 alpha-2 country code")]
    pub reason: String,
}

impl InvalidParam {
    pub fn new(name: impl Into<String>, code: &str, reason: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            code: code.to_owned(),
            reason: reason.into(),
        }
    }
}

#[derive(Debug)]
pub enum ApiError {
    /// Input failed validation; every offending parameter is listed.
    InvalidInput(Vec<InvalidParam>),
    /// The request could not be read at all (malformed JSON, bad path segment).
    BadRequest(String),
    NotFound(String),
    Gone(String),
    /// The record was merged into another; `location` is the survivor's URL.
    Merged {
        location: String,
    },
    MethodNotAllowed {
        allowed: Vec<String>,
    },
    /// No usable credentials: none sent where needed, or a key that is
    /// malformed, unknown, expired or revoked.
    Unauthorized(String),
    /// Valid credentials whose role does not allow the operation.
    Forbidden(String),
    /// The record's state does not allow the operation (a workflow step
    /// that does not apply).
    Conflict(String),
    PreconditionFailed(String),
    /// A write that must name the version it is based on did not.
    PreconditionRequired(String),
    PayloadTooLarge(String),
    UnsupportedMediaType(String),
    /// No representation the client accepts.
    NotAcceptable(String),
    /// Well-formed input that refers to records in a state that forbids the operation.
    Unprocessable(Vec<InvalidParam>, String),
    /// Over the rate limit; retry after that many seconds.
    TooManyRequests {
        retry_after: u64,
        detail: String,
    },
    /// A transient condition (database unreachable, a write that collided
    /// with a concurrent one); the client may retry. The cause is logged.
    Unavailable(String),
    /// Something on our side; the cause is logged, never sent.
    Internal(String),
}

impl ApiError {
    pub fn invalid(name: impl Into<String>, code: &str, reason: impl Into<String>) -> Self {
        Self::InvalidInput(vec![InvalidParam::new(name, code, reason)])
    }

    pub fn internal(cause: impl std::fmt::Display) -> Self {
        Self::Internal(cause.to_string())
    }

    /// The HTTP status this error is answered with.
    pub fn status(&self) -> u16 {
        match self {
            Self::InvalidInput(_) | Self::BadRequest(_) => 400,
            Self::NotFound(_) => 404,
            Self::Gone(_) => 410,
            Self::Merged { .. } => 308,
            Self::MethodNotAllowed { .. } => 405,
            Self::Unauthorized(_) => 401,
            Self::Forbidden(_) => 403,
            Self::Conflict(_) => 409,
            Self::PreconditionFailed(_) => 412,
            Self::PreconditionRequired(_) => 428,
            Self::PayloadTooLarge(_) => 413,
            Self::UnsupportedMediaType(_) => 415,
            Self::NotAcceptable(_) => 406,
            Self::Unprocessable(..) => 422,
            Self::TooManyRequests { .. } => 429,
            Self::Unavailable(_) => 503,
            Self::Internal(_) => 500,
        }
    }

    fn slug_and_title(&self) -> (&'static str, &'static str) {
        match self {
            Self::InvalidInput(_) => ("invalid-input", "The request has invalid input"),
            Self::BadRequest(_) => ("bad-request", "The request could not be read"),
            Self::NotFound(_) => ("not-found", "Not found"),
            Self::Gone(_) => ("gone", "The record was deleted"),
            Self::Merged { .. } => ("merged", "The record was merged into another"),
            Self::MethodNotAllowed { .. } => ("method-not-allowed", "Method not allowed"),
            Self::Unauthorized(_) => ("unauthorized", "Authentication required"),
            Self::Forbidden(_) => ("forbidden", "Not allowed for this role"),
            Self::Conflict(_) => ("conflict", "The record's state does not allow this"),
            Self::PreconditionFailed(_) => ("precondition-failed", "The record has changed"),
            Self::PreconditionRequired(_) => (
                "precondition-required",
                "The request must say which version it changes",
            ),
            Self::PayloadTooLarge(_) => ("payload-too-large", "The request body is too large"),
            Self::NotAcceptable(_) => ("not-acceptable", "No acceptable representation"),
            Self::UnsupportedMediaType(_) => (
                "unsupported-media-type",
                "The request body has an unsupported content type",
            ),
            Self::Unprocessable(..) => (
                "unprocessable",
                "The request refers to records that cannot be used",
            ),
            Self::TooManyRequests { .. } => ("too-many-requests", "Too many requests"),
            Self::Unavailable(_) => ("unavailable", "Temporarily unavailable"),
            Self::Internal(_) => ("internal", "Internal server error"),
        }
    }

    pub fn detail(&self) -> String {
        match self {
            Self::InvalidInput(params) if params.len() == 1 => {
                format!("{}: {}", params[0].name, params[0].reason)
            }
            Self::InvalidInput(params) => {
                format!("{} inputs are invalid; see invalidParams", params.len())
            }
            Self::MethodNotAllowed { allowed } => {
                format!("this resource supports {}", allowed.join(", "))
            }
            Self::Merged { location } => format!("the record now lives at {location}"),
            Self::Internal(_) => "the request failed on our side; it has been logged".to_owned(),
            Self::Unavailable(_) => {
                "the request could not be completed just now and changed nothing; retry it"
                    .to_owned()
            }
            Self::BadRequest(d)
            | Self::NotFound(d)
            | Self::Gone(d)
            | Self::Unauthorized(d)
            | Self::Forbidden(d)
            | Self::Conflict(d)
            | Self::PreconditionFailed(d)
            | Self::PreconditionRequired(d)
            | Self::PayloadTooLarge(d)
            | Self::UnsupportedMediaType(d)
            | Self::NotAcceptable(d)
            | Self::Unprocessable(_, d)
            | Self::TooManyRequests { detail: d, .. } => d.clone(),
        }
    }

    pub fn to_problem(&self, instance: Option<String>) -> Problem {
        let (slug, title) = self.slug_and_title();
        let invalid_params = match self {
            Self::InvalidInput(p) | Self::Unprocessable(p, _) => p.clone(),
            _ => Vec::new(),
        };
        Problem {
            problem_type: format!("https://aimd-registry.nl/problems/{slug}"),
            title: title.to_owned(),
            status: self.status(),
            detail: self.detail(),
            instance,
            invalid_params,
        }
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Internal(cause) | Self::Unavailable(cause) => write!(f, "{cause}"),
            other => write!(f, "{}", other.detail()),
        }
    }
}

impl std::error::Error for ApiError {}

pub type ApiResult<T> = Result<T, ApiError>;
