//! `/v1/webhooks`: admins subscribe receivers to the change feed. Each
//! change queues one delivery per matching subscription in the change's own
//! transaction (see the migration); the [`Deliverer`](crate::sync::webhooks::worker::Deliverer) sends them.

use crate::api::access::{Allowed, least};
use crate::auth::Audience;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, delete, get, patch, post, web};
use serde_json::Value;
use utoipa::IntoParams;

use crate::api::if_match::{self, IfMatch};
use crate::api::respond::{created, record_response};
use crate::api::state::AppState;
use crate::domain::enums::DeliveryState;
use crate::domain::input::merge_patch;
use crate::domain::query::{QueryReader, parse_limit, parse_uuid, path_id};
use crate::domain::values::WebUrl;
use crate::error::{ApiError, ApiResult};
use crate::sync::webhooks::model::{
    CreatedSubscription, Delivery, DeliveryPage, DeliveryStatus, SubscriptionDraft,
    SubscriptionList, SubscriptionPatch,
};
use crate::sync::webhooks::{model, repo, signature, targets};

const DEFAULT_LIMIT: i64 = 50;
const MAX_LIMIT: i64 = 500;

/// List webhook subscriptions
///
/// Every subscription: its receiver URL, audience, the events, kinds, scopes and topics it filters on, whether it is enabled and its consecutive failures; never a secret.
#[utoipa::path(
    tag = "webhooks",
    operation_id = "listWebhooks",
    responses((status = 200, description = "Every subscription, without secrets", body = SubscriptionList))
)]
#[get("/webhooks")]
pub async fn list_webhooks(
    Allowed { state, .. }: Allowed<least::Admin>,
    request: HttpRequest,
) -> ApiResult<HttpResponse> {
    QueryReader::new(request.query_string(), &[]).finish()?;
    let mut conn = state.conn(Audience::Staff).await?;
    let items = repo::list(&mut conn).await?;
    Ok(HttpResponse::Ok().json(SubscriptionList { items }))
}

/// Subscribe a receiver
///
/// From now on every change that matches is POSTed to `url`, signed with
/// the secret in this answer (shown once). See the README, "Webhooks", for
/// the payload and how to verify a delivery.
#[utoipa::path(
    tag = "webhooks",
    operation_id = "createWebhook",
    request_body(content = SubscriptionDraft, content_type = "application/json"),
    responses((status = 201, description = "Subscribed; the secret is in the body and cannot be shown again", body = CreatedSubscription,
        headers(("Location" = String, description = "The subscription's URL"), ("ETag" = String, description = "The subscription's version, for `If-Match`"))))
)]
#[post("/webhooks")]
pub async fn create_webhook(
    Allowed { state, .. }: Allowed<least::Admin>,
    body: web::Json<Value>,
) -> ApiResult<HttpResponse> {
    let draft = SubscriptionDraft::parse(&body, &state.vocabulary)?;
    check_target(&state, draft.url.as_str()).await?;
    let secret = signature::new_secret()?;
    let mut conn = state.conn(Audience::Staff).await?;
    let subscription = repo::create(&mut conn, &draft, &secret).await?;
    let location = format!("/v1/webhooks/{}", subscription.id);
    let version = subscription.version;
    let body = serde_json::to_string(&CreatedSubscription {
        subscription,
        secret,
    })
    .map_err(ApiError::internal)?;
    Ok(created(location, version, body))
}

/// How webhook delivery stands
///
/// The delivery worker of the instance that answers (running, woken at
/// commit or polling, its last round, success and error, restarts) and the
/// outbox all instances share (pending deliveries, how many are due, the
/// oldest). A worker that keeps failing or a growing queue is the thing to
/// alert on.
#[utoipa::path(
    tag = "webhooks",
    operation_id = "getWebhookStatus",
    responses((status = 200, description = "The worker and the queue", body = DeliveryStatus))
)]
#[get("/webhooks/status")]
pub async fn webhook_status(
    Allowed { state, .. }: Allowed<least::Admin>,
    request: HttpRequest,
) -> ApiResult<HttpResponse> {
    QueryReader::new(request.query_string(), &[]).finish()?;
    let mut conn = state.conn(Audience::Staff).await?;
    let queue = repo::queue(&mut conn).await?;
    Ok(HttpResponse::Ok().json(DeliveryStatus {
        worker: state.worker.snapshot(),
        queue,
    }))
}

/// Get a webhook subscription
///
/// One subscription: its receiver URL, audience, the events, kinds, scopes and topics it filters on, whether it is enabled and its consecutive failures; never its secret.
#[utoipa::path(
    tag = "webhooks",
    operation_id = "getWebhook",
    params(("id" = Uuid, Path, description = "The subscription's id, as listed by `GET /v1/webhooks`")),
    responses((status = 200, description = "The subscription, with why it was switched off if it was", body = model::Subscription))
)]
#[get("/webhooks/{id}")]
pub async fn get_webhook(
    Allowed { state, .. }: Allowed<least::Admin>,
    id: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let id = path_id("id", &id)?;
    let mut conn = state.conn(Audience::Staff).await?;
    let subscription = repo::get(&mut conn, id).await?;
    Ok(record_response(
        StatusCode::OK,
        subscription.version,
        &subscription,
    ))
}

/// Change a webhook subscription
///
/// A JSON Merge Patch of the subscription's fields, plus `enabled`:
/// `true` switches a disabled subscription back on (its failure count
/// starts again, and deliveries that waited go out), `false` pauses it.
#[utoipa::path(
    tag = "webhooks",
    operation_id = "updateWebhook",
    params(("id" = Uuid, Path, description = "The subscription's id, as listed by `GET /v1/webhooks`"), IfMatch),
    request_body(
        content(
            (SubscriptionPatch = "application/merge-patch+json", example = json!({"enabled": true})),
            (SubscriptionPatch = "application/json", example = json!({"topics": ["algorithmic-bias"]}))
        )
    ),
    responses(
        (status = 200, description = "The changed subscription", body = model::Subscription),
        (status = 412, description = "`If-Match` names an older version", body = crate::error::Problem, content_type = "application/problem+json")
    )
)]
#[patch("/webhooks/{id}")]
pub async fn update_webhook(
    Allowed { state, .. }: Allowed<least::Admin>,
    request: HttpRequest,
    id: web::Path<String>,
    body: web::Json<Value>,
) -> ApiResult<HttpResponse> {
    let id = path_id("id", &id)?;
    let precondition = if_match::precondition(&request)?;
    let (enabled, patch) = SubscriptionPatch::split(&body)?;
    if let Some(Value::String(url)) = patch.get("url")
        && let Ok(url) = WebUrl::parse(url)
    {
        check_target(&state, url.as_str()).await?;
    }
    let vocabulary = state.vocabulary.clone();
    let mut conn = state.conn(Audience::Staff).await?;
    let subscription = repo::update(&mut conn, id, precondition, enabled, move |current| {
        let mut draft = current.draft_json();
        merge_patch(&mut draft, &patch);
        SubscriptionDraft::parse(&draft, &vocabulary)
    })
    .await?;
    Ok(record_response(
        StatusCode::OK,
        subscription.version,
        &subscription,
    ))
}

/// Refuses a receiver URL whose host is or resolves to a non-public
/// address, unless the deployment allows them.
async fn check_target(state: &AppState, url: &str) -> ApiResult<()> {
    if state.policy.webhook_allow_private {
        return Ok(());
    }
    targets::check(url)
        .await
        .map_err(|refused| ApiError::invalid("url", "non-public-address", refused.0))
}

/// How long the old secret keeps signing after a rotation.
const ROTATION_OVERLAP: std::time::Duration = std::time::Duration::from_secs(24 * 3600);

/// Rotate a subscription's secret
///
/// A new signing secret, shown this once. For the next 24 hours every
/// delivery carries two signatures, with the new and with the old secret
/// (`previousSecretExpiresAt` says until when), so the receiver can switch
/// over without refusing anything. Also the way out when a secret is lost.
#[utoipa::path(
    tag = "webhooks",
    operation_id = "rotateWebhookSecret",
    params(("id" = Uuid, Path, description = "The subscription's id, as listed by `GET /v1/webhooks`")),
    responses((status = 200, description = "The subscription with its new secret, which cannot be shown again", body = CreatedSubscription))
)]
#[post("/webhooks/{id}/secret")]
pub async fn rotate_webhook_secret(
    Allowed { state, .. }: Allowed<least::Admin>,
    id: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let id = path_id("id", &id)?;
    let secret = signature::new_secret()?;
    let mut conn = state.conn(Audience::Staff).await?;
    let subscription = repo::rotate_secret(&mut conn, id, &secret, ROTATION_OVERLAP).await?;
    Ok(record_response(
        StatusCode::OK,
        subscription.version,
        &CreatedSubscription {
            subscription,
            secret,
        },
    ))
}

/// Delete a webhook subscription
///
/// Nothing more is sent to it; its deliveries are deleted with it.
#[utoipa::path(
    tag = "webhooks",
    operation_id = "deleteWebhook",
    params(("id" = Uuid, Path, description = "The subscription's id, as listed by `GET /v1/webhooks`"), IfMatch),
    responses(
        (status = 204, description = "Deleted"),
        (status = 412, description = "`If-Match` names an older version", body = crate::error::Problem, content_type = "application/problem+json")
    )
)]
#[delete("/webhooks/{id}")]
pub async fn delete_webhook(
    Allowed { state, .. }: Allowed<least::Admin>,
    request: HttpRequest,
    id: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let id = path_id("id", &id)?;
    let precondition = if_match::precondition(&request)?;
    let mut conn = state.conn(Audience::Staff).await?;
    repo::delete(&mut conn, id, precondition).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// The delivery list's query parameters.
#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DeliveryQuery {
    /// Only deliveries in this state.
    #[param(example = "failed")]
    pub state: Option<DeliveryState>,
    /// Deliveries per page, 1 to 500 (default 50).
    #[param(minimum = 1, maximum = 500, example = 50)]
    pub limit: Option<i64>,
    /// The `next` of the previous page.
    pub cursor: Option<uuid::Uuid>,
}

/// List a subscription's deliveries
///
/// Newest first, with the state of each, its attempts, the receiver's last
/// answer or the error, and the payload as sent.
#[utoipa::path(
    tag = "webhooks",
    operation_id = "listWebhookDeliveries",
    params(("id" = Uuid, Path, description = "The subscription's id, as listed by `GET /v1/webhooks`"), DeliveryQuery),
    responses((status = 200, description = "A page of deliveries", body = DeliveryPage))
)]
#[get("/webhooks/{id}/deliveries")]
pub async fn list_webhook_deliveries(
    Allowed { state, .. }: Allowed<least::Admin>,
    request: HttpRequest,
    id: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let id = path_id("id", &id)?;
    let mut query = QueryReader::new(request.query_string(), &["state", "limit", "cursor"]);
    let delivery_state = query.one("state", DeliveryState::parse);
    let limit = query
        .one("limit", |raw| parse_limit(raw, MAX_LIMIT))
        .unwrap_or(DEFAULT_LIMIT);
    let cursor = query.one("cursor", parse_uuid);
    query.finish()?;
    let mut conn = state.conn(Audience::Staff).await?;
    let (items, next) = repo::deliveries(&mut conn, id, delivery_state, cursor, limit).await?;
    Ok(HttpResponse::Ok().json(DeliveryPage {
        items,
        next: next.map(|id| id.to_string()),
    }))
}

/// Replay a delivery
///
/// Queues the delivery again, due now, with a fresh count of attempts: the
/// receiver gets the same `webhook-id` and body (with a new timestamp and
/// signature). Works for delivered and failed deliveries alike; the
/// subscription must be enabled (409 otherwise).
#[utoipa::path(
    tag = "webhooks",
    operation_id = "replayWebhookDelivery",
    params(
        ("id" = Uuid, Path, description = "The subscription's id, as listed by `GET /v1/webhooks`"),
        ("deliveryId" = Uuid, Path, description = "The delivery's id, as listed by `GET /v1/webhooks/{id}/deliveries`")
    ),
    responses(
        (status = 202, description = "Queued; it goes out within a second or so", body = Delivery),
        (status = 409, description = "The subscription is switched off", body = crate::error::Problem, content_type = "application/problem+json")
    )
)]
#[post("/webhooks/{id}/deliveries/{deliveryId}/replay")]
pub async fn replay_webhook_delivery(
    Allowed { state, .. }: Allowed<least::Admin>,
    path: web::Path<(String, String)>,
) -> ApiResult<HttpResponse> {
    let (id, delivery) = path.into_inner();
    let id = path_id("id", &id)?;
    let delivery = path_id("deliveryId", &delivery)?;
    let mut conn = state.conn(Audience::Staff).await?;
    let queued = repo::replay(&mut conn, id, delivery).await?;
    Ok(HttpResponse::Accepted().json(queued))
}

/// The spec's `webhooks` entry: the POST a receiver gets for each event.
pub fn documentation() -> utoipa::openapi::path::Paths {
    use utoipa::openapi::path::{HttpMethod, OperationBuilder, PathItem, PathsBuilder};
    use utoipa::openapi::request_body::RequestBodyBuilder;
    use utoipa::openapi::response::ResponseBuilder;
    use utoipa::openapi::{ContentBuilder, ObjectBuilder, Ref, Type};

    use crate::api::openapi::parameters::header_parameter;

    let text = || ObjectBuilder::new().schema_type(Type::String);
    let headers = [
        header_parameter(
            "webhook-id",
            true,
            "The delivery's id: the same on every attempt and replay; drop ids already seen",
            text(),
            serde_json::json!("01938b1e-7f00-7aaa-8000-0000000000d1"),
        ),
        header_parameter(
            "webhook-timestamp",
            true,
            "When this attempt was signed, in Unix seconds; refuse it when it is more than a few minutes off",
            text(),
            serde_json::json!("1764403230"),
        ),
        header_parameter(
            "webhook-signature",
            true,
            "`v1,` + base64 of HMAC-SHA256 over `<webhook-id>.<webhook-timestamp>.<body>`, keyed with the base64-decoded part of the subscription's secret after `whsec_`; space-separated when there are several",
            text(),
            serde_json::json!("v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="),
        ),
    ];
    let body = RequestBodyBuilder::new()
        .content(
            "application/json",
            ContentBuilder::new()
                .schema(Some(Ref::from_schema_name("WebhookPayload")))
                .build(),
        )
        .required(Some(utoipa::openapi::Required::True))
        .build();
    let operation = OperationBuilder::new()
        .summary(Some("A change, pushed to a subscribed receiver"))
        .description(Some(
            "Sent by the registry to each enabled subscription whose filters match a change. \
             Answer 2xx within the timeout (10 s by default) to accept it; anything else is \
             retried with doubling waits and, after repeated failures, switches the subscription off.",
        ))
        .operation_id(Some("receiveChange"))
        .tag("webhooks")
        .parameters(Some(headers))
        .request_body(Some(body))
        // The receiver needs no credentials from the registry: it checks the
        // `webhook-signature` header against its secret instead.
        .securities(Some(Vec::<utoipa::openapi::security::SecurityRequirement>::new()))
        .response(
            "2XX",
            ResponseBuilder::new().description("Accepted; the delivery is done").build(),
        )
        .build();
    PathsBuilder::new()
        .path("change", PathItem::new(HttpMethod::Post, operation))
        .build()
}
