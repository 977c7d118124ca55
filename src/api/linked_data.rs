//! Linked data by content negotiation: `Accept: application/ld+json` on a
//! record, a list, the topics or an export answers with JSON-LD
//! (`domain::linked_data`), and `GET /v1/catalog` describes the exports as
//! a DCAT catalogue.

use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpRequest, HttpResponse, get};
use serde_json::{Value, json};
use utoipa::openapi::schema::AdditionalProperties;
use utoipa::openapi::{ContentBuilder, ObjectBuilder, OpenApi as Spec, Ref, RefOr, Type};

use crate::api::access::{Allowed, least};
use crate::domain::linked_data::{self, MEDIA_TYPE};
use crate::domain::query::QueryReader;
use crate::error::ApiResult;

/// Whether the client prefers JSON-LD: `application/ld+json` is acceptable
/// (weight above 0) and weighs at least as much as plain JSON.
pub fn wanted(request: &HttpRequest) -> bool {
    let Some(accept) = request
        .headers()
        .get(header::ACCEPT)
        .and_then(|a| a.to_str().ok())
    else {
        return false;
    };
    let weight_of = |media: &str| {
        accept
            .split(',')
            .filter(|entry| {
                entry
                    .split(';')
                    .next()
                    .is_some_and(|m| m.trim().eq_ignore_ascii_case(media))
            })
            .map(|entry| {
                entry
                    .split(';')
                    .skip(1)
                    .find_map(|p| p.trim().strip_prefix("q="))
                    .and_then(|q| q.trim().parse::<f32>().ok())
                    .unwrap_or(1.0)
            })
            .fold(None, |best: Option<f32>, q| {
                Some(best.map_or(q, |b| b.max(q)))
            })
    };
    match (weight_of(MEDIA_TYPE), weight_of("application/json")) {
        (Some(ld), json) => ld > 0.0 && ld >= json.unwrap_or(0.0),
        (None, _) => false,
    }
}

/// A JSON-LD answer; it varies with `Accept`, which picked it.
pub fn respond(document: &Value) -> HttpResponse {
    HttpResponse::Ok()
        .content_type(MEDIA_TYPE)
        .insert_header((header::VARY, HeaderValue::from_static("Accept")))
        .body(document.to_string())
}

/// Marks a JSON answer that JSON-LD could have replaced as varying with
/// `Accept`, so that caches keep the two apart.
pub fn varies(mut response: HttpResponse) -> HttpResponse {
    response
        .headers_mut()
        .append(header::VARY, HeaderValue::from_static("Accept"));
    response
}

/// The catalogue
///
/// A DCAT catalogue (DCAT-AP-NL) of the registry's open data: the three
/// exports as datasets, each with NDJSON, CSV and JSON-LD distributions,
/// the data's licence, publisher and contact point. Always JSON-LD.
#[utoipa::path(
    tag = "exports",
    operation_id = "getCatalog",
    responses((status = 200, description = "The catalogue, as JSON-LD", content(
        (Object = "application/ld+json", example = json!({
            "@context": {"@vocab": "https://schema.org/", "dcat": "http://www.w3.org/ns/dcat#"},
            "@id": "https://registry.example.nl/v1/catalog",
            "@type": "Catalog",
            "title": {"en": "AI & Medical Devices Registry"},
            "dataset": [{"@id": "https://registry.example.nl/v1/catalog#initiatives", "@type": "Dataset"}]
        }))
    )))
)]
#[get("/catalog")]
pub async fn catalog(
    Allowed { state, .. }: Allowed<least::Public>,
    request: HttpRequest,
) -> ApiResult<HttpResponse> {
    QueryReader::new(request.query_string(), &[]).finish()?;
    Ok(respond(&linked_data::catalog(&state.policy.site)))
}

/// The schema of a JSON-LD document in the spec.
pub const SCHEMA: &str = "JsonLdDocument";

/// The operations that answer JSON-LD on request, by operationId.
const NEGOTIATED: &[&str] = &[
    "listInitiatives",
    "getInitiative",
    "listOrganisations",
    "getOrganisation",
    "listExperts",
    "getExpert",
    "listTopics",
    "getTopic",
];

/// Documents the JSON-LD alternative of each negotiated operation's 200.
pub fn document(spec: &mut Spec) {
    let example = json!({
        "@context": {"@vocab": "https://schema.org/"},
        "@id": "https://registry.example.nl/v1/initiatives/01938000-0000-7000-8000-000000003057",
        "@type": "Organization",
        "name": {"en": "NEN expert group on AI and medical devices", "nl": "NEN-expertgroep AI en medische hulpmiddelen"},
        "about": ["https://registry.example.nl/v1/topics/clinical-validation"]
    });
    // Named, and open to any member: a bare object would be typed as an
    // object without members by generated clients.
    let schema = ObjectBuilder::new()
        .schema_type(Type::Object)
        .description(Some(
            "JSON-LD (schema.org; topics as SKOS concepts) with an inline `@context`; \
             a list or an export is a `@graph` of records",
        ))
        .additional_properties(Some(AdditionalProperties::FreeForm(true)));
    spec.components
        .get_or_insert_with(Default::default)
        .schemas
        .insert(SCHEMA.to_owned(), RefOr::T(schema.into()));
    let content = ContentBuilder::new()
        .schema(Some(Ref::from_schema_name(SCHEMA)))
        .example(Some(example))
        .build();
    for item in spec.paths.paths.values_mut() {
        let Some(get) = &mut item.get else { continue };
        let Some(RefOr::T(ok)) = get.responses.responses.get_mut("200") else {
            continue;
        };
        if let Some(RefOr::T(documented)) = ok.content.get_mut(MEDIA_TYPE) {
            // Exports and the catalogue document their own example.
            documented.schema = Some(Ref::from_schema_name(SCHEMA).into());
        } else if get
            .operation_id
            .as_deref()
            .is_some_and(|id| NEGOTIATED.contains(&id))
        {
            ok.content
                .insert(MEDIA_TYPE.to_owned(), RefOr::T(content.clone()));
        }
    }
}

#[cfg(test)]
mod tests {
    use actix_web::test::TestRequest;

    use super::wanted;

    #[test]
    fn json_ld_is_chosen_only_when_preferred() {
        let accepts = |accept: &str| {
            wanted(
                &TestRequest::get()
                    .insert_header(("Accept", accept))
                    .to_http_request(),
            )
        };
        assert!(accepts("application/ld+json"));
        assert!(accepts("application/ld+json, application/json;q=0.9"));
        assert!(accepts("Application/LD+JSON;q=0.5, text/html"));
        assert!(!accepts("application/json, application/ld+json;q=0.5"));
        assert!(!accepts("application/ld+json;q=0"));
        assert!(!accepts("*/*"));
        assert!(!wanted(&TestRequest::get().to_http_request()));
    }
}
