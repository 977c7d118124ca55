//! `GET /` and `GET /v1`: where to go from here. A small JSON document
//! with links to the documentation, the spec, the collections and the
//! feed; a browser (asking for HTML) is sent to the documentation. Like
//! the documentation and the spec, it is not itself an operation of the
//! spec. And `GET /v1/docs`, the documentation's page at its canonical
//! address without a trailing slash.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse};
use serde_json::json;

use super::openapi::API_VERSION;

const DOCS: &str = "/v1/docs";

pub async fn root(request: HttpRequest) -> HttpResponse {
    let wants_html = request
        .headers()
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|accept| accept.contains("text/html"));
    if wants_html {
        return HttpResponse::SeeOther()
            .insert_header((header::LOCATION, DOCS))
            .finish();
    }
    HttpResponse::Ok().json(json!({
        "name": "aimd-registry",
        "description": "Experts, organisations and initiatives on AI in medical devices",
        "apiVersion": API_VERSION,
        "links": {
            "docs": DOCS,
            "openapi": "/v1/openapi.json",
            "search": "/v1/search",
            "initiatives": "/v1/initiatives",
            "organisations": "/v1/organisations",
            "experts": "/v1/experts",
            "topics": "/v1/topics",
            "overview": "/v1/overview",
            "changes": "/v1/changes",
            "exports": "/v1/exports/{kind}"
        }
    }))
}

/// Swagger UI's page refers to its scripts and styles by relative paths,
/// which from `/v1/docs` would resolve to `/v1/…`; a `<base>` element
/// points them at `/v1/docs/`, where utoipa-swagger-ui serves them.
pub async fn docs() -> HttpResponse {
    let config = std::sync::Arc::new(utoipa_swagger_ui::Config::from("/v1/openapi.json"));
    match utoipa_swagger_ui::serve("index.html", config) {
        Ok(Some(page)) if !page.gzpipped => {
            let html = String::from_utf8_lossy(&page.bytes).replacen(
                "<head>",
                "<head>\n    <base href=\"/v1/docs/\">",
                1,
            );
            HttpResponse::Ok()
                .content_type("text/html; charset=utf-8")
                .body(html)
        }
        _ => HttpResponse::SeeOther()
            .insert_header((header::LOCATION, "/v1/docs/"))
            .finish(),
    }
}
