//! Responses the handlers share: a record with its ETag, a creation, a page
//! with its `Link` header.

use actix_web::http::{StatusCode, header};
use actix_web::{HttpRequest, HttpResponse};
use serde::Serialize;

use crate::domain::page::Page;
use crate::sync::index::cache::Rendered;

/// A single record, with its version as a strong ETag.
pub fn record_response(status: StatusCode, version: i64, record: &impl Serialize) -> HttpResponse {
    HttpResponse::build(status)
        .insert_header((header::ETAG, format!("\"{version}\"")))
        .json(record)
}

/// A record as the cache keeps it rendered, with its version as a strong
/// ETag.
pub fn rendered_response(rendered: &Rendered) -> HttpResponse {
    HttpResponse::Ok()
        .insert_header((header::ETAG, format!("\"{}\"", rendered.version)))
        .content_type(mime::APPLICATION_JSON)
        .body(rendered.json.to_string())
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
