//! The OpenAPI document. Paths and schemas come from the handlers' annotations
//! (collected by utoipa-actix-web); this module adds what is the same for
//! every operation: the `/v1` server, the `API-Version` and `X-Request-Id`
//! headers, and the problem responses each kind of operation can give.

use std::collections::BTreeMap;

use utoipa::openapi::header::HeaderBuilder;
use utoipa::openapi::path::{Operation, ParameterIn};
use utoipa::openapi::response::{ResponseBuilder, Responses};
use utoipa::openapi::server::Server;
use utoipa::openapi::{ContentBuilder, ObjectBuilder, OpenApi as Spec, Ref, RefOr, Response, Type};
use utoipa::{OpenApi, ToSchema};

use crate::error::{PROBLEM_JSON, Problem};

/// The API's version, which is the crate's: `API-Version` header and `info.version`.
pub const API_VERSION: &str = env!("CARGO_PKG_VERSION");

#[derive(OpenApi)]
#[openapi(
    info(
        title = "AI & Medical Devices Registry",
        description = "A registry of the experts, organisations and initiatives working on artificial intelligence in medical devices \
under the MDR/IVDR and the EU AI Act, at national, European and international level. \
Records are tagged with topics (clinical validation, algorithmic bias, data use, ...) and linked to each other.\n\n\
Conventions: JSON properties and query keys are lowerCamelCase; every response carries `API-Version`; \
errors are RFC 9457 problems (`application/problem+json`), and bad input lists every offending field in `invalidParams`. \
Lists use keyset pagination: follow `next` (or the `Link: rel=\"next\"` header) until it is null.",
        contact(name = "NEN expert group AI and medical devices", url = "https://www.nen.nl/", email = "aimd-registry@nen.nl"),
        license(name = "EUPL-1.2", identifier = "EUPL-1.2")
    ),
    tags(
        (name = "topics", description = "The controlled vocabulary records are tagged with"),
        (name = "organisations", description = "Standards bodies, regulators, notified bodies, manufacturers, universities and other organisations"),
        (name = "experts", description = "People with expertise in AI and medical devices, and their affiliations"),
        (name = "initiatives", description = "Legislation, guidance, standards, projects and networks, and who takes part in them")
    ),
    components(schemas(Problem))
)]
struct ApiDoc;

/// The complete, final spec: what `GET /v1/openapi.json` serves and what is
/// committed as `openapi/openapi.json`.
pub fn spec() -> Spec {
    let mut spec = crate::http::collected_spec(ApiDoc::openapi());
    spec.info.version = API_VERSION.to_owned();
    spec.servers = Some(vec![Server::new("/v1")]);
    let paths = std::mem::take(&mut spec.paths.paths);
    spec.paths.paths = paths
        .into_iter()
        .map(|(path, item)| (path.strip_prefix("/v1").unwrap_or(&path).to_owned(), item))
        .collect();
    add_shared_responses(&mut spec);
    spec
}

/// The problem responses, by status, that an operation of a given shape can give.
fn problem_statuses(operation: &Operation) -> Vec<(&'static str, &'static str)> {
    let params = operation.parameters.as_deref().unwrap_or_default();
    let path_params: Vec<&str> = params
        .iter()
        .filter_map(|p| match p {
            RefOr::T(p) if p.parameter_in == ParameterIn::Path => Some(p.name.as_str()),
            _ => None,
        })
        .collect();
    let has_path = !path_params.is_empty();
    let has_path_id = path_params.iter().any(|name| *name != "slug");
    let has_body = operation.request_body.is_some();
    let mut statuses = vec![(
        "400",
        "Bad input: a malformed id, an unknown or invalid parameter or field (listed in `invalidParams`), or a body that is not JSON",
    )];
    if has_path {
        statuses.push(("404", "No such record (or no such link)"));
    }
    if has_path_id {
        statuses.push(("410", "The record was deleted; its id stays reserved"));
    }
    if has_body {
        statuses.push(("413", "The body is larger than 1 MiB"));
        statuses.push(("415", "The body is not JSON"));
    }
    statuses.push((
        "500",
        "Failure on our side; the cause is logged under the request id",
    ));
    statuses
}

fn shared_headers() -> BTreeMap<String, utoipa::openapi::header::Header> {
    let string = || ObjectBuilder::new().schema_type(Type::String);
    BTreeMap::from([
        (
            "API-Version".to_owned(),
            HeaderBuilder::new()
                .schema(Some(string().examples([API_VERSION])))
                .description(Some("The full semantic version of the API that answered"))
                .build(),
        ),
        (
            "X-Request-Id".to_owned(),
            HeaderBuilder::new()
                .schema(Some(string()))
                .description(Some("The request's id: the client's own `X-Request-Id` if it sent a plain one of at most 128 characters, otherwise a new one. Quote it when reporting a problem."))
                .build(),
        ),
    ])
}

fn problem_response(description: &str) -> Response {
    ResponseBuilder::new()
        .description(description)
        .content(
            PROBLEM_JSON,
            ContentBuilder::new()
                .schema(Some(Ref::from_schema_name(Problem::name())))
                .build(),
        )
        .build()
}

fn add_shared_responses(spec: &mut Spec) {
    let headers = shared_headers();
    for item in spec.paths.paths.values_mut() {
        let operations = [
            &mut item.get,
            &mut item.put,
            &mut item.post,
            &mut item.delete,
            &mut item.patch,
        ];
        for operation in operations.into_iter().flatten() {
            for (status, description) in problem_statuses(operation) {
                operation
                    .responses
                    .responses
                    .entry(status.to_owned())
                    .or_insert_with(|| RefOr::T(problem_response(description)));
            }
            add_headers(&mut operation.responses, &headers);
        }
    }
}

fn add_headers(
    responses: &mut Responses,
    headers: &BTreeMap<String, utoipa::openapi::header::Header>,
) {
    for response in responses.responses.values_mut() {
        if let RefOr::T(response) = response {
            for (name, header) in headers {
                response
                    .headers
                    .entry(name.clone())
                    .or_insert_with(|| RefOr::T(header.clone()));
            }
        }
    }
}
