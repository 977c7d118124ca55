//! How an [`ApiError`] is answered: `application/problem+json` with the
//! headers its status calls for.

use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpResponse, ResponseError};

use crate::error::{ApiError, PROBLEM_JSON, WWW_AUTHENTICATE};

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        StatusCode::from_u16(self.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
    }

    fn error_response(&self) -> HttpResponse {
        // `instance` is set, and internal causes are logged, by the problem
        // middleware, which knows the request.
        self.problem_response(None)
    }
}

impl ApiError {
    /// The problem+json response, with the headers its status calls for.
    pub fn problem_response(&self, instance: Option<String>) -> HttpResponse {
        let mut response = HttpResponse::build(self.status_code());
        response.insert_header((header::CONTENT_TYPE, HeaderValue::from_static(PROBLEM_JSON)));
        match self {
            ApiError::MethodNotAllowed { allowed } => {
                response.insert_header((header::ALLOW, allowed.join(", ")));
            }
            ApiError::Unavailable(_) => {
                response.insert_header((header::RETRY_AFTER, "1"));
            }
            ApiError::TooManyRequests { retry_after, .. } => {
                response.insert_header((header::RETRY_AFTER, retry_after.to_string()));
            }
            ApiError::Merged { location } => {
                response.insert_header((header::LOCATION, location.as_str()));
            }
            ApiError::Unauthorized(_) => {
                response.insert_header((header::WWW_AUTHENTICATE, WWW_AUTHENTICATE));
            }
            _ => {}
        }
        // Serialising a struct of strings and numbers cannot fail.
        response.body(serde_json::to_vec(&self.to_problem(instance)).unwrap_or_default())
    }
}
