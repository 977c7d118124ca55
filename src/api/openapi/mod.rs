//! The OpenAPI document. Paths and schemas come from the handlers' annotations
//! (collected by utoipa-actix-web); this module adds what is the same for
//! every operation: the `/v1` server, the `API-Version` and `X-Request-Id`
//! headers, and the problem responses each kind of operation can give.

pub mod parameters;
mod shapes;

use utoipa::openapi::header::{Header, HeaderBuilder};
use utoipa::openapi::path::{Operation, ParameterIn};
use utoipa::openapi::response::{ResponseBuilder, Responses};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityRequirement, SecurityScheme};
use utoipa::openapi::server::Server;
use utoipa::openapi::{ContentBuilder, ObjectBuilder, OpenApi as Spec, Ref, RefOr, Response, Type};
use utoipa::{OpenApi, ToSchema};

use crate::auth::{Access, Role};
use crate::error::{PROBLEM_JSON, Problem};

/// The name of the API-key security scheme in the spec.
pub const SECURITY_SCHEME: &str = "apiKey";

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
    // In the order a reader meets them: finding things, the records, the
    // vocabulary and the overview, then keeping a copy, then administration.
    tags(
        (name = "search", description = "One search across every kind of record"),
        (name = "initiatives", description = "Legislation, guidance, standards, projects and networks, and who takes part in them"),
        (name = "organisations", description = "Standards bodies, regulators, notified bodies, manufacturers, universities and other organisations"),
        (name = "experts", description = "People with expertise in AI and medical devices, and their affiliations"),
        (name = "connecting", description = "Who to invite, what to join: suggestions with a score and the reasons"),
        (name = "reviews", description = "Keeping content true: the records due for another look, and why"),
        (name = "topics", description = "The controlled vocabulary records are tagged with"),
        (name = "overview", description = "Counts for the sector's overview: initiatives per topic and scope, and more"),
        (name = "changes", description = "The change feed, for keeping a copy of the registry in sync"),
        (name = "exports", description = "Everything at once, streamed, with the feed position it includes"),
        (name = "imports", description = "Validated bulk import of NDJSON (or a JSON array), all or nothing"),
        (name = "webhooks", description = "Signed notifications of changes, pushed to subscribed receivers (admins only)"),
        (name = "api-keys", description = "API keys and their roles (admins only)"),
        (name = "health", description = "Liveness and readiness of an instance, for load balancers and orchestrators (application/health+json)")
    ),
    components(schemas(
        Problem,
        crate::domain::enums::TopicMatch,
        crate::domain::display_language::DisplayLanguage,
        crate::sync::exports::Format,
        crate::domain::list::InitiativeSort,
        crate::domain::list::NameSort,
        crate::domain::list::InitiativeFacet,
        crate::domain::list::OrganisationFacet,
        crate::domain::list::ExpertFacet,
        crate::sync::webhooks::model::WebhookPayload
    ))
)]
struct ApiDoc;

/// The complete, final spec: what `GET /v1/openapi.json` serves and what is
/// committed as `openapi/openapi.json`.
pub fn spec() -> Spec {
    let mut spec = crate::api::routes::collected_spec(ApiDoc::openapi());
    spec.info.version = API_VERSION.to_owned();
    spec.servers = Some(vec![Server::new("/v1")]);
    let paths = std::mem::take(&mut spec.paths.paths);
    spec.paths.paths = paths
        .into_iter()
        .map(|(path, item)| (path.strip_prefix("/v1").unwrap_or(&path).to_owned(), item))
        .collect();
    add_shared_responses(&mut spec);
    crate::api::linked_data::document(&mut spec);
    spec.webhooks = Some(crate::api::webhooks::documentation());
    let mut document = serde_json::to_value(&spec).expect("the spec serialises");
    shapes::reshape(&mut document);
    serde_json::from_value(document).expect("the reshaped spec is still a spec")
}

/// The problem responses every operation can give, as reusable components:
/// (status, component name, description, example detail, example invalidParams).
const PROBLEMS: &[(&str, &str, &str, &str)] = &[
    (
        "400",
        "BadRequest",
        "Bad input: a malformed id, an unknown or invalid parameter or field (each listed in `invalidParams`), or a body that is not JSON",
        "country: 'XX' is not an ISO 3166-1 alpha-2 country code",
    ),
    (
        "401",
        "Unauthorized",
        "No API key where the operation needs one, or a key that is malformed, unknown, expired or revoked",
        "this operation needs an API key with the role 'curator' or higher",
    ),
    (
        "403",
        "Forbidden",
        "The API key's role does not allow this operation",
        "this operation needs the role 'editor' or higher; the key 'Portal' has 'reader'",
    ),
    (
        "404",
        "NotFound",
        "No such record, link or route",
        "no organisation has id 01938b1e-7f00-7aaa-8000-000000000001",
    ),
    (
        "410",
        "Gone",
        "The record was deleted; its id stays reserved",
        "the organisation 01938b1e-7f00-7aaa-8000-000000000001 was deleted; its id will not be reused",
    ),
    (
        "422",
        "Unprocessable",
        "The `Idempotency-Key` was used within 24 hours for a different request",
        "this Idempotency-Key was used within the last 24 hours for a different request; use a new key for a new request",
    ),
    (
        "409",
        "Conflict",
        "Another live record already has a key that identifies one record (an organisation's website or ROR id, an expert's ORCID iD or e-mail address, an initiative's website)",
        "another live record in organisations already has this website; find it with GET /v1/organisations/matches, then change or merge that record",
    ),
    (
        "428",
        "PreconditionRequired",
        "`If-Match` is missing: a change must name the version it is based on",
        "send If-Match with the ETag of the version you read, so that no one else's change is overwritten",
    ),
    (
        "413",
        "PayloadTooLarge",
        "The body is larger than 1 MiB",
        "the request body is larger than 1048576 bytes",
    ),
    (
        "415",
        "UnsupportedMediaType",
        "The body is not sent as JSON",
        "send the body as application/json (or application/merge-patch+json for PATCH)",
    ),
    (
        "429",
        "TooManyRequests",
        "Over the rate limit (per API key, or per address without one); retry after `Retry-After` seconds",
        "at most 300 requests a minute are allowed without an API key; retry in 42 s",
    ),
    (
        "500",
        "InternalError",
        "Failure on our side; the cause is logged under the request id",
        "the request failed on our side; it has been logged",
    ),
    (
        "503",
        "Unavailable",
        "Nothing was changed, and a retry after `Retry-After` seconds may succeed: the database did not answer within the request's deadline, or (for lists) this instance's search index is still being built at start, has not caught up with the database for 10 s, or has not reached the `Min-Change-Position` asked for",
        "the request could not be completed just now and changed nothing; retry it",
    ),
];

/// Which of [`PROBLEMS`] an operation can give, by its shape.
fn problem_statuses(operation: &Operation) -> Vec<&'static str> {
    let params = operation.parameters.as_deref().unwrap_or_default();
    let path_params: Vec<&str> = params
        .iter()
        .filter_map(|p| match p {
            RefOr::T(p) if p.parameter_in == ParameterIn::Path => Some(p.name.as_str()),
            _ => None,
        })
        .collect();
    let access = operation
        .operation_id
        .as_deref()
        .and_then(crate::api::access::rule);
    let mut statuses = vec!["400", "401"];
    if matches!(access, Some(Access::Role(_)) | None) {
        statuses.push("403");
    }
    if !path_params.is_empty() {
        statuses.push("404");
    }
    if path_params.iter().any(|name| *name != "slug") {
        statuses.push("410");
    }
    if operation.request_body.is_some() {
        statuses.extend(["413", "415"]);
    }
    let has_header = |name: &str| {
        params.iter().any(
            |p| matches!(p, RefOr::T(p) if p.parameter_in == ParameterIn::Header && p.name == name),
        )
    };
    if has_header("If-Match") {
        statuses.push("428");
    }
    if has_header("Idempotency-Key") {
        statuses.push("422");
    }
    if operation
        .operation_id
        .as_deref()
        .is_some_and(writes_identifying_keys)
    {
        statuses.push("409");
    }
    statuses.extend(["429", "500", "503"]);
    statuses
}

/// Creating or changing a record can collide with another live record's
/// identifying key (the unique indexes of the migrations).
fn writes_identifying_keys(operation_id: &str) -> bool {
    ["Organisation", "Expert", "Initiative"].iter().any(|kind| {
        operation_id == format!("create{kind}") || operation_id == format!("update{kind}")
    })
}

fn shared_headers() -> Vec<(&'static str, Header)> {
    let string = || ObjectBuilder::new().schema_type(Type::String);
    vec![
        (
            "API-Version",
            HeaderBuilder::new()
                .schema(Some(string()))
                .description(Some("The full semantic version of the API that answered"))
                .example(Some(API_VERSION.into()))
                .build(),
        ),
        (
            "X-Request-Id",
            HeaderBuilder::new()
                .schema(Some(string()))
                .description(Some("The request's id: the client's own `X-Request-Id` if it sent a plain one of at most 128 characters (letters, digits, `-_.:`), otherwise a new one. Quote it when reporting a problem."))
                .example(Some("01938b1e-7f00-7aaa-8000-00000000abcd".into()))
                .build(),
        ),
    ]
}

fn problem_component(status: &str, description: &str, detail: &str) -> Response {
    let code: u16 = status.parse().unwrap_or(500);
    let slug = match code {
        400 => "invalid-input",
        401 => "unauthorized",
        403 => "forbidden",
        404 => "not-found",
        409 => "conflict",
        410 => "gone",
        413 => "payload-too-large",
        422 => "unprocessable",
        428 => "precondition-required",
        429 => "too-many-requests",
        415 => "unsupported-media-type",
        503 => "unavailable",
        _ => "internal",
    };
    let mut example = serde_json::json!({
        "type": format!("https://aimd-registry.nl/problems/{slug}"),
        "title": actix_web::http::StatusCode::from_u16(code).ok().and_then(|s| s.canonical_reason()).unwrap_or("Error"),
        "status": code,
        "detail": detail,
        "instance": "/v1/organisations/01938b1e-7f00-7aaa-8000-000000000001"
    });
    if code == 400 {
        example["invalidParams"] = serde_json::json!([
            {"name": "country", "code": "unknown-country", "reason": "'XX' is not an ISO 3166-1 alpha-2 country code"}
        ]);
    }
    let mut response = ResponseBuilder::new().description(description).content(
        PROBLEM_JSON,
        ContentBuilder::new()
            .schema(Some(Ref::from_schema_name(Problem::name())))
            .example(Some(example))
            .build(),
    );
    for (name, _) in shared_headers() {
        response = response.header_ref(name, Ref::new(format!("#/components/headers/{name}")));
    }
    if code == 401 {
        let challenge = ObjectBuilder::new().schema_type(Type::String);
        response = response.header(
            "WWW-Authenticate",
            HeaderBuilder::new()
                .schema(Some(challenge))
                .description(Some("How to authenticate: with a bearer API key"))
                .example(Some(crate::error::WWW_AUTHENTICATE.into()))
                .build(),
        );
    }
    if code == 429 {
        let integer = || ObjectBuilder::new().schema_type(Type::Integer);
        for (name, description, example) in [
            ("Retry-After", "Seconds until the limit resets", 42),
            (
                "RateLimit-Limit",
                "Requests allowed in the current one-minute window",
                300,
            ),
            (
                "RateLimit-Remaining",
                "Requests left in the current window",
                0,
            ),
            (
                "RateLimit-Reset",
                "Seconds until the current window ends",
                42,
            ),
        ] {
            response = response.header(
                name,
                HeaderBuilder::new()
                    .schema(Some(integer()))
                    .description(Some(description))
                    .example(Some(example.into()))
                    .build(),
            );
        }
    }
    if code == 503 {
        let seconds = ObjectBuilder::new().schema_type(Type::Integer);
        response = response.header(
            "Retry-After",
            HeaderBuilder::new()
                .schema(Some(seconds))
                .description(Some("Seconds to wait before retrying"))
                .example(Some(1.into()))
                .build(),
        );
    }
    response.build()
}

fn add_shared_responses(spec: &mut Spec) {
    let components = spec.components.get_or_insert_with(Default::default);
    for (name, header) in shared_headers() {
        components.headers.insert(name.to_owned(), RefOr::T(header));
    }
    for (status, name, description, detail) in PROBLEMS {
        components.responses.insert(
            (*name).to_owned(),
            RefOr::T(problem_component(status, description, detail)),
        );
    }
    components.add_security_scheme(
        SECURITY_SCHEME,
        SecurityScheme::Http(
            HttpBuilder::new()
                .scheme(HttpAuthScheme::Bearer)
                .bearer_format("aimd_<43 characters>")
                .description(Some(
                    "An API key, sent as `Authorization: Bearer <key>`. Roles, each including the ones before it: \
`reader` (partner portals), `curator` (create and edit), `editor` (also publish, archive, merge, delete), \
`admin` (also manage keys). An operation's security requirement lists the least role it needs; \
operations without one are public: they need no key, and with a curator's key or higher they show \
what staff see (drafts, pending revisions, contact data).",
                ))
                .build(),
        ),
    );
    for item in spec.paths.paths.values_mut() {
        let writes = [
            &mut item.put,
            &mut item.post,
            &mut item.delete,
            &mut item.patch,
        ];
        for operation in writes.into_iter().flatten() {
            add_write_headers(operation);
            add_record_etag(operation);
            crate::api::consistency::document(operation, true);
        }
        if let Some(get) = &mut item.get {
            crate::api::consistency::document(get, false);
        }
        let operations = [
            &mut item.get,
            &mut item.put,
            &mut item.post,
            &mut item.delete,
            &mut item.patch,
        ];
        for operation in operations.into_iter().flatten() {
            add_security(operation);
            for status in problem_statuses(operation) {
                let name = PROBLEMS
                    .iter()
                    .find(|p| p.0 == status)
                    .map_or("InternalError", |p| p.1);
                operation
                    .responses
                    .responses
                    .entry(status.to_owned())
                    .or_insert_with(|| {
                        RefOr::Ref(Ref::new(format!("#/components/responses/{name}")))
                    });
            }
            add_headers(&mut operation.responses);
        }
        if let Some(get) = &mut item.get {
            add_conditional_get(get);
        }
    }
}

/// Changes of records are kept in their history with the reason a client
/// gives in `X-Change-Message`; creations take an `Idempotency-Key`.
fn add_write_headers(operation: &mut Operation) {
    let changes_records = operation
        .tags
        .iter()
        .flatten()
        .any(|tag| ["organisations", "experts", "initiatives"].contains(&tag.as_str()));
    // Keys and webhook subscriptions answer with a secret, which must not be
    // kept for replaying, so only record creations take Idempotency-Key.
    let creates = changes_records
        && operation
            .operation_id
            .as_deref()
            .is_some_and(|id| id.starts_with("create"));
    let headers = [
        creates.then(crate::api::idempotency::header),
        changes_records.then(crate::api::history::change_message_header),
    ];
    for header in headers.into_iter().flatten() {
        operation
            .parameters
            .get_or_insert_with(Vec::new)
            .push(RefOr::T(header));
    }
}

/// Writes the operation's access rule (see `api::access`) as its security
/// requirement: the least role, or no key at all for public operations.
fn add_security(operation: &mut Operation) {
    let access = operation
        .operation_id
        .as_deref()
        .and_then(crate::api::access::rule)
        .unwrap_or(Access::Role(Role::Admin));
    // A public operation states no requirement at all (an empty list):
    // listing the key as an alternative made generated clients demand one
    // and Swagger UI show a padlock on operations anyone may call.
    operation.security = Some(match access {
        Access::Public | Access::Probe => Vec::new(),
        Access::Role(role) => vec![SecurityRequirement::new(SECURITY_SCHEME, [role.as_str()])],
    });
}

/// A write that answers with a record sends its new version as `ETag`, the
/// `If-Match` of the next change.
fn add_record_etag(operation: &mut Operation) {
    let records =
        ["Organisation", "Expert", "Initiative"].map(|kind| format!("#/components/schemas/{kind}"));
    for (status, response) in &mut operation.responses.responses {
        let RefOr::T(response) = response else {
            continue;
        };
        let answers_record = matches!(
            response.content.get("application/json"),
            Some(RefOr::T(content)) if matches!(
                &content.schema,
                Some(RefOr::Ref(r)) if records.contains(&r.ref_location)
            )
        );
        if status.starts_with('2') && answers_record {
            response.headers.entry("ETag".to_owned()).or_insert_with(|| {
                RefOr::T(
                    HeaderBuilder::new()
                        .schema(Some(ObjectBuilder::new().schema_type(Type::String)))
                        .description(Some("The record's new version, quoted: the `If-Match` of its next change"))
                        .example(Some("\"4-9f2c4e1ab07d5c31\"".into()))
                        .build(),
                )
            });
        }
    }
}

/// GETs answer with a strong `ETag` and `Cache-Control: no-cache`, and 304
/// to an `If-None-Match` naming the current ETag (see `conditional_get`);
/// streamed exports do not.
fn add_conditional_get(operation: &mut Operation) {
    let streamed = matches!(
        operation.responses.responses.get("200"),
        Some(RefOr::T(ok)) if ok.content.contains_key("application/x-ndjson")
    );
    if streamed {
        return;
    }
    let string = || ObjectBuilder::new().schema_type(Type::String);
    let etag = HeaderBuilder::new()
        .schema(Some(string()))
        .description(Some(
            "Strong validator of this response; for a record it starts with the record's version",
        ))
        .example(Some("\"3-9f2c4e1ab07d5c31\"".into()))
        .build();
    let cache_control = HeaderBuilder::new()
        .schema(Some(string()))
        .description(Some(
            "Keep a copy if you like, but revalidate it with If-None-Match",
        ))
        .example(Some("no-cache".into()))
        .build();
    if let Some(RefOr::T(ok)) = operation.responses.responses.get_mut("200") {
        ok.headers
            .entry("ETag".to_owned())
            .or_insert_with(|| RefOr::T(etag.clone()));
        ok.headers
            .insert("Cache-Control".to_owned(), RefOr::T(cache_control));
    }
    let mut not_modified = ResponseBuilder::new()
        .description("Not modified: the ETag in If-None-Match is still current")
        .header("ETag", etag);
    for (name, _) in shared_headers() {
        not_modified =
            not_modified.header_ref(name, Ref::new(format!("#/components/headers/{name}")));
    }
    operation
        .responses
        .responses
        .insert("304".to_owned(), RefOr::T(not_modified.build()));
    let if_none_match = parameters::own_value_header(
        "If-None-Match",
        false,
        "ETags of copies you hold; if one is current the answer is 304 without a body",
        string(),
        "\"3-9f2c4e1ab07d5c31\"",
    );
    operation
        .parameters
        .get_or_insert_with(Vec::new)
        .push(RefOr::T(if_none_match));
}

/// Adds the shared headers to the operation's own responses (the shared
/// problem responses carry them already).
fn add_headers(responses: &mut Responses) {
    for response in responses.responses.values_mut() {
        if let RefOr::T(response) = response {
            for (name, _) in shared_headers() {
                response.headers.entry(name.to_owned()).or_insert_with(|| {
                    RefOr::Ref(Ref::new(format!("#/components/headers/{name}")))
                });
            }
        }
    }
}
