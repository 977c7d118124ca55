//! The HTTP application: routes, extractor configuration, middleware and the
//! fallback that answers unknown routes (404) and wrong methods (405).

pub mod access;
pub mod api_keys;
pub mod caller;
pub mod changes;
pub mod client_address;
pub mod connecting;
pub mod consistency;
pub mod cors;
pub mod crud;
pub mod experts;
pub mod exports;
pub mod health;
pub mod history;
pub mod idempotency;
pub mod if_match;
pub mod imports;
pub mod initiatives;
pub mod key_ring;
pub mod limits;
pub mod linked_data;
pub mod links;
pub mod merge;
pub mod metrics;
pub mod middleware;
pub mod negotiation;
pub mod openapi;
pub mod organisations;
pub mod overview;
pub mod problem;
pub mod publication;
pub mod respond;
pub mod reviews;
pub mod root;
pub mod routes;
pub mod search;
pub mod state;
pub mod topics;
pub mod webhooks;

use std::sync::Arc;

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceFactory, ServiceRequest, ServiceResponse};
use actix_web::error::JsonPayloadError;
use actix_web::middleware::{DefaultHeaders, from_fn};
use actix_web::{App, Error, HttpRequest, HttpResponse, web};
use utoipa::openapi::OpenApi;
use utoipa_actix_web::AppExt;
use utoipa_swagger_ui::SwaggerUi;

use self::access::{Guarded, Operations};
use self::state::AppState;
use crate::api::openapi::API_VERSION;
use crate::error::ApiError;

/// Request bodies larger than this are refused with 413.
pub const MAX_BODY_BYTES: usize = 1024 * 1024;

fn json_config() -> web::JsonConfig {
    web::JsonConfig::default()
        .limit(MAX_BODY_BYTES)
        .content_type(|mime| {
            mime.type_() == mime::APPLICATION
                && (mime.subtype() == mime::JSON || mime.suffix() == Some(mime::JSON))
        })
        .error_handler(|error, _| {
            let api_error = match &error {
                JsonPayloadError::OverflowKnownLength { .. }
                | JsonPayloadError::Overflow { .. } => ApiError::PayloadTooLarge(format!(
                    "the request body is larger than {MAX_BODY_BYTES} bytes"
                )),
                JsonPayloadError::ContentType => ApiError::UnsupportedMediaType(
                    "send the body as application/json (or application/merge-patch+json for PATCH)"
                        .to_owned(),
                ),
                JsonPayloadError::Deserialize(e) => {
                    ApiError::BadRequest(format!("the body is not valid JSON: {e}"))
                }
                other => ApiError::BadRequest(format!("the body could not be read: {other}")),
            };
            api_error.into()
        })
}

async fn fallback(
    request: HttpRequest,
    operations: web::Data<Operations>,
) -> Result<HttpResponse, ApiError> {
    Err(match operations.allowed(request.path()) {
        Some(allowed) => ApiError::MethodNotAllowed { allowed },
        None => ApiError::NotFound(format!("there is no resource at {}", request.path())),
    })
}

/// Builds the application around shared state and the finished spec.
pub fn app(
    state: web::Data<AppState>,
    spec: Arc<OpenApi>,
) -> App<
    impl ServiceFactory<
        ServiceRequest,
        Config = (),
        Response = ServiceResponse<impl MessageBody>,
        Error = Error,
        InitError = (),
    >,
> {
    let operations = web::Data::new(Operations::from_spec(&spec));
    metrics::handle();
    App::new()
        .app_data(web::Data::new(Guarded::new(state)))
        .app_data(operations)
        .app_data(json_config())
        .app_data(web::PayloadConfig::new(
            crate::api::imports::MAX_IMPORT_BYTES,
        ))
        .wrap(from_fn(limits::rate_limit))
        // Inside authentication, which bounds its own key lookup: the
        // deadline answers with the routed request, which exists only once
        // a handler's extractors run.
        .wrap(from_fn(middleware::deadline))
        // Outside the deadline: a write that committed must not be answered
        // 503 ("nothing changed") because the wait for the index ran long;
        // the wait bounds itself.
        .wrap(from_fn(consistency::after_write))
        .wrap(from_fn(access::authenticate))
        .wrap(from_fn(middleware::conditional_get))
        .wrap(from_fn(middleware::problem_details))
        .wrap(from_fn(cors::cors))
        .wrap(DefaultHeaders::new().add(("API-Version", API_VERSION)))
        .wrap(from_fn(metrics::record_request))
        .wrap(from_fn(middleware::request_context))
        // Registered before the /v1 scope, which would otherwise claim these paths.
        .service(SwaggerUi::new("/v1/docs/{_:.*}").url("/v1/openapi.json", (*spec).clone()))
        .service(
            web::resource("/v1/docs")
                .route(web::get().to(root::docs))
                .route(web::head().to(root::docs)),
        )
        .route("/", web::get().to(root::root))
        .route("/v1", web::get().to(root::root))
        .into_utoipa_app()
        .service(utoipa_actix_web::scope("/v1").configure(routes::routes))
        .into_app()
        .default_service(web::to(fallback))
}
