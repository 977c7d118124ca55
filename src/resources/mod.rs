//! The API's resources, one module each: handlers in `mod.rs`, types in
//! `model.rs`, SQL in `repo.rs`. Links and shared record mechanics live in
//! `links`, `records` and `editing`.

pub mod api_keys;
pub mod crud;
pub mod discovery;
pub mod erasure;
pub mod experts;
pub mod exports;
pub mod idempotency;
pub mod imports;
pub mod initiatives;
pub mod links;
pub mod matches;
pub mod merge;
pub mod organisations;
pub mod overview;
pub mod publication;
pub mod search;
pub mod topics;

use actix_web::http::{StatusCode, header};
use actix_web::{HttpRequest, HttpResponse};
use serde::Serialize;

use crate::api::page::{Page, next_link};

/// A single record, with its version as a strong ETag.
pub fn record_response(status: StatusCode, version: i64, record: &impl Serialize) -> HttpResponse {
    HttpResponse::build(status)
        .insert_header((header::ETAG, format!("\"{version}\"")))
        .json(record)
}

/// 201 with the new record (as serialised JSON) and where it lives.
pub fn created(location: String, version: i64, record_json: String) -> HttpResponse {
    let mut response = HttpResponse::Created()
        .insert_header((header::ETAG, format!("\"{version}\"")))
        .content_type(mime::APPLICATION_JSON)
        .body(record_json);
    if let Ok(value) = header::HeaderValue::from_str(&location) {
        response.headers_mut().insert(header::LOCATION, value);
    }
    response
}

/// A page of a list, with an RFC 8288 `Link` to the next page when there is one.
pub fn page_response<T: Serialize>(request: &HttpRequest, page: Page<T>) -> HttpResponse {
    let mut response = HttpResponse::Ok();
    if let Some(cursor) = &page.next {
        response.insert_header((header::LINK, next_link(request, cursor)));
    }
    response.json(page)
}
