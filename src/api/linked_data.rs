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
use crate::api::negotiation::Accept;
use crate::auth::Audience;
use crate::domain::linked_data::{self, MEDIA_TYPE};
use crate::domain::query::QueryReader;
use crate::error::ApiResult;

/// Whether the client prefers JSON-LD: it names `application/ld+json` as
/// acceptable, at a weight no lower than plain JSON's (through
/// `application/json`, `application/*` or `*/*`). A bare `*/*` gets JSON.
pub fn wanted(request: &HttpRequest) -> bool {
    let Some(accept) = Accept::of(request) else {
        return false;
    };
    let linked = accept.weight(MEDIA_TYPE).unwrap_or(0.0);
    let plain = accept.weight("application/json").unwrap_or(0.0);
    accept.names(MEDIA_TYPE) && linked >= plain
}

/// Whose view a request reads: JSON-LD is the registry's open data, so it
/// always shows what the public sees (published records, consenting
/// experts, no contact data), whoever asks; staff read drafts as JSON.
pub fn audience(request: &HttpRequest, as_linked_data: bool) -> Audience {
    if as_linked_data {
        Audience::Public
    } else {
        Audience::of_request(request)
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

/// The operations that answer JSON-LD on request, by operationId, with an
/// example of their answer.
fn negotiated() -> Vec<(&'static str, Value)> {
    let context = json!({"@vocab": "https://schema.org/", "dct": "http://purl.org/dc/terms/"});
    let base = "https://registry.example.nl/v1";
    let initiative = json!({
        "@id": format!("{base}/initiatives/01938000-0000-7000-8000-000000003057"),
        "@type": "Organization",
        "name": {"en": "NEN expert group on AI and medical devices", "nl": "NEN-expertgroep AI en medische hulpmiddelen"},
        "subject": [format!("{base}/topics/clinical-validation")]
    });
    let organisation = json!({
        "@id": format!("{base}/organisations/01938000-0000-7000-8000-000000001001"),
        "@type": "Organization",
        "name": "Royal Netherlands Standardization Institute",
        "alternateName": "NEN"
    });
    let expert = json!({
        "@id": format!("{base}/experts/01938000-0000-7000-8000-000000002002"),
        "@type": "Person",
        "name": "Bram Voorbeeld",
        "knowsAbout": [format!("{base}/topics/clinical-validation")]
    });
    let concept = json!({
        "@id": format!("{base}/topics/clinical-validation"),
        "@type": "Concept",
        "prefLabel": {"en": "Clinical validation", "nl": "Klinische validatie"},
        "topConceptOf": format!("{base}/topics")
    });
    let one = |node: &Value| {
        let mut document = node.clone();
        document["@context"] = context.clone();
        document
    };
    let page = |node: &Value| json!({"@context": context, "@graph": [node]});
    vec![
        ("listInitiatives", page(&initiative)),
        ("getInitiative", one(&initiative)),
        ("listOrganisations", page(&organisation)),
        ("getOrganisation", one(&organisation)),
        ("listExperts", page(&expert)),
        ("getExpert", one(&expert)),
        ("listTopics", page(&concept)),
        ("getTopic", one(&concept)),
    ]
}

/// Documents the JSON-LD alternative of each negotiated operation's 200.
pub fn document(spec: &mut Spec) {
    // Named, and open to any member: a bare object would be typed as an
    // object without members by generated clients.
    let schema = ObjectBuilder::new()
        .schema_type(Type::Object)
        .description(Some(
            "JSON-LD (schema.org and DCMI terms; topics as SKOS concepts) with an inline \
             `@context`; a list or an export is a `@graph` of records",
        ))
        .additional_properties(Some(AdditionalProperties::FreeForm(true)));
    spec.components
        .get_or_insert_with(Default::default)
        .schemas
        .insert(SCHEMA.to_owned(), RefOr::T(schema.into()));
    let negotiated = negotiated();
    for item in spec.paths.paths.values_mut() {
        let Some(get) = &mut item.get else { continue };
        let id = get.operation_id.clone().unwrap_or_default();
        let Some(RefOr::T(ok)) = get.responses.responses.get_mut("200") else {
            continue;
        };
        if let Some(RefOr::T(documented)) = ok.content.get_mut(MEDIA_TYPE) {
            // Exports and the catalogue document their own example.
            documented.schema = Some(Ref::from_schema_name(SCHEMA).into());
        } else if let Some((_, example)) = negotiated.iter().find(|(op, _)| *op == id) {
            let content = ContentBuilder::new()
                .schema(Some(Ref::from_schema_name(SCHEMA)))
                .example(Some(example.clone()))
                .build();
            ok.content.insert(MEDIA_TYPE.to_owned(), RefOr::T(content));
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
        assert!(!accepts("application/ld+json;q=0.1, */*"));
        assert!(accepts("application/ld+json, */*;q=0.5"));
        assert!(!wanted(&TestRequest::get().to_http_request()));
    }
}
