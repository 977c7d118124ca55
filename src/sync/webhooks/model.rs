//! Webhook subscriptions and deliveries as the API reads and writes them.

use chrono::{DateTime, Utc};
use diesel::QueryableByName;
use serde::Serialize;
use serde_json::Value;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::domain::enums::{ChangeEvent, DeliveryState, HitType, Scope, WebhookAudience};
use crate::domain::input::{FromJson, ObjectReader};
use crate::domain::topics::Vocabulary;
use crate::domain::values::{Slug, Text, WebUrl};
use crate::error::{ApiError, ApiResult};

/// What a subscription asks for. Lists that are empty (or absent) do not
/// filter; `events` defaults to every event.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[schema(example = json!({
    "url": "https://portal.example.org/hooks/aimd",
    "description": "Dutch AI coalition portal",
    "events": ["created", "updated", "deleted", "merged"],
    "kinds": ["initiative"],
    "topics": ["clinical-validation"],
    "scopes": ["european", "international"],
    "audience": "public"
}))]
pub struct SubscriptionDraft {
    /// Where deliveries are POSTed; http or https. Its host must be, and
    /// resolve only to, public addresses (not loopback, link-local,
    /// private or unspecified ones) unless the deployment allows private
    /// receivers (`AIMD_WEBHOOK_ALLOW_PRIVATE`); otherwise 400
    /// `non-public-address`.
    #[schema(value_type = String, format = Uri)]
    pub url: WebUrl,
    /// What the subscription is for.
    #[schema(value_type = Option<String>, max_length = 500, required = false)]
    pub description: Option<Text<500>>,
    /// The events to deliver; all four when absent.
    #[schema(value_type = Option<Vec<ChangeEvent>>, required = false)]
    pub events: Vec<ChangeEvent>,
    /// Only changes of these kinds of record; every kind when empty.
    #[schema(value_type = Option<Vec<HitType>>, required = false)]
    pub kinds: Vec<HitType>,
    /// Only records tagged with one of these topics (or a narrower one), by
    /// slug; any when empty.
    #[schema(value_type = Option<Vec<String>>, required = false, pattern = "^[a-z0-9]+(-[a-z0-9]+)*$", example = json!(["clinical-validation"]))]
    pub topics: Vec<Slug>,
    /// Only initiatives with one of these scopes (organisations and experts
    /// have none, so they are left out); any record when empty.
    #[schema(value_type = Option<Vec<Scope>>, required = false)]
    pub scopes: Vec<Scope>,
    /// Whose view of the registry the events follow (default `public`).
    #[schema(value_type = Option<WebhookAudience>, required = false)]
    pub audience: WebhookAudience,
}

pub const DRAFT_FIELDS: &[&str] = &[
    "url",
    "description",
    "events",
    "kinds",
    "topics",
    "scopes",
    "audience",
];

impl SubscriptionDraft {
    pub fn parse(body: &Value, vocabulary: &Vocabulary) -> ApiResult<Self> {
        let mut reader = ObjectReader::new(body, DRAFT_FIELDS)?;
        let url = reader.required("url");
        let description = reader.optional("description");
        let events_given = body.get("events").is_some_and(|v| !v.is_null());
        let mut events = reader.list("events", ChangeEvent::ALL.len());
        if !events_given {
            events = ChangeEvent::ALL.to_vec();
        } else if events.is_empty() && !reader.has_errors_for("events") {
            reader.error("events", "required", "needs at least one event");
        }
        let kinds = reader.list("kinds", HitType::ALL.len());
        let topics = reader.topics("topics", vocabulary, false);
        let scopes = reader.list("scopes", Scope::ALL.len());
        let audience = reader
            .optional("audience")
            .unwrap_or(WebhookAudience::Public);
        reader.finish(|| {
            Some(Self {
                url: url?,
                description,
                events,
                kinds,
                topics,
                scopes,
                audience,
            })
        })
    }
}

/// A change to a subscription: any of the draft's fields (a JSON Merge
/// Patch), and `enabled` to switch it off or back on.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[schema(example = json!({"enabled": true, "topics": ["algorithmic-bias"]}))]
pub struct SubscriptionPatch {
    /// `true` re-enables a disabled subscription (clearing its failure
    /// count; deliveries waiting meanwhile go out); `false` pauses it.
    #[schema(required = false)]
    pub enabled: Option<bool>,
    #[schema(value_type = Option<String>, format = Uri, required = false)]
    pub url: Option<String>,
    #[schema(value_type = Option<String>, required = false)]
    pub description: Option<String>,
    #[schema(required = false)]
    pub events: Option<Vec<ChangeEvent>>,
    #[schema(required = false)]
    pub kinds: Option<Vec<HitType>>,
    #[schema(required = false, pattern = "^[a-z0-9]+(-[a-z0-9]+)*$", example = json!(["algorithmic-bias"]))]
    pub topics: Option<Vec<String>>,
    #[schema(required = false)]
    pub scopes: Option<Vec<Scope>>,
    #[schema(required = false)]
    pub audience: Option<WebhookAudience>,
}

impl SubscriptionPatch {
    /// Splits a patch body into `enabled` and the merge patch of the draft.
    pub fn split(body: &Value) -> ApiResult<(Option<bool>, Value)> {
        let Value::Object(object) = body else {
            return Err(ApiError::BadRequest(
                "the request body must be a JSON object".to_owned(),
            ));
        };
        let mut rest = object.clone();
        let enabled = match rest.remove("enabled") {
            None | Some(Value::Null) => None,
            Some(value) => Some(bool::from_json(&value).map_err(|errors| {
                ApiError::InvalidInput(
                    errors
                        .into_iter()
                        .map(|e| e.into_param("enabled"))
                        .collect(),
                )
            })?),
        };
        Ok((enabled, Value::Object(rest)))
    }
}

/// A webhook subscription (its secret is only in the answer to its creation).
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(example = json!({
    "id": "01938b1e-7f00-7aaa-8000-0000000000c1",
    "url": "https://portal.example.org/hooks/aimd",
    "description": "Dutch AI coalition portal",
    "events": ["created", "updated", "deleted", "merged"],
    "kinds": ["initiative"],
    "topics": ["clinical-validation"],
    "scopes": [],
    "audience": "public",
    "enabled": false,
    "disabledAt": "2026-11-29T08:00:00Z",
    "disabledReason": "20 deliveries in a row failed since 2026-11-29T02:00:00Z; the last: the receiver answered 503 Service Unavailable",
    "consecutiveFailures": 20,
    "previousSecretExpiresAt": null,
    "createdAt": "2026-11-28T10:00:00Z",
    "updatedAt": "2026-11-29T08:00:00Z"
}))]
pub struct Subscription {
    pub id: Uuid,
    #[schema(format = Uri)]
    pub url: String,
    pub description: Option<String>,
    pub events: Vec<ChangeEvent>,
    pub kinds: Vec<HitType>,
    pub topics: Vec<String>,
    pub scopes: Vec<Scope>,
    pub audience: WebhookAudience,
    /// Whether new changes are queued and sent; a subscription whose
    /// deliveries keep failing is switched off by the service.
    pub enabled: bool,
    pub disabled_at: Option<DateTime<Utc>>,
    /// Why it was switched off: by whom, or after which failures.
    pub disabled_reason: Option<String>,
    /// Failed attempts since the last delivery that succeeded.
    pub consecutive_failures: i32,
    /// After a rotation: until when deliveries are also signed with the
    /// previous secret.
    pub previous_secret_expires_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    #[serde(skip)]
    pub version: i64,
}

impl Subscription {
    /// The subscription's own fields as a draft body, to apply a patch to.
    pub fn draft_json(&self) -> Value {
        serde_json::json!({
            "url": self.url,
            "description": self.description,
            "events": self.events,
            "kinds": self.kinds,
            "topics": self.topics,
            "scopes": self.scopes,
            "audience": self.audience,
        })
    }
}

/// A new subscription with the secret its deliveries are signed with.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(example = json!({
    "id": "01938b1e-7f00-7aaa-8000-0000000000c1",
    "url": "https://portal.example.org/hooks/aimd",
    "description": "Dutch AI coalition portal",
    "events": ["created", "updated", "deleted", "merged"],
    "kinds": ["initiative"],
    "topics": ["clinical-validation"],
    "scopes": [],
    "audience": "public",
    "enabled": true,
    "disabledAt": null,
    "disabledReason": null,
    "consecutiveFailures": 0,
    "previousSecretExpiresAt": null,
    "createdAt": "2026-11-28T10:00:00Z",
    "updatedAt": "2026-11-28T10:00:00Z",
    "secret": "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw/mg7RZ1Ar2Y="
}))]
pub struct CreatedSubscription {
    #[serde(flatten)]
    pub subscription: Subscription,
    /// The signing secret (`whsec_` + base64 of 32 random bytes), shown
    /// this once. Verify each delivery with it as the README describes.
    #[schema(example = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw/mg7RZ1Ar2Y=")]
    pub secret: String,
}

/// Every subscription.
#[derive(Debug, Serialize, ToSchema)]
pub struct SubscriptionList {
    /// Oldest first.
    pub items: Vec<Subscription>,
}

/// One message to one subscription, with how its attempts went.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(example = json!({
    "id": "01938b1e-7f00-7aaa-8000-0000000000d1",
    "subscriptionId": "01938b1e-7f00-7aaa-8000-0000000000c1",
    "position": 1042,
    "type": "initiative.created",
    "state": "pending",
    "attempts": 2,
    "nextAttemptAt": "2026-11-29T08:02:00Z",
    "lastAttemptAt": "2026-11-29T08:01:00Z",
    "lastStatus": 503,
    "lastError": "the receiver answered 503 Service Unavailable",
    "deliveredAt": null,
    "createdAt": "2026-11-29T08:00:30Z",
    "payload": {"type": "initiative.created", "timestamp": "2026-11-29T08:00:30.000000Z", "data": {"position": 1042, "at": "2026-11-29T08:00:30.000000Z", "event": "created", "kind": "initiative", "id": "01938b1e-7f00-7aaa-8000-000000000101"}}
}))]
pub struct Delivery {
    /// Also the `webhook-id` header: the same on every attempt and replay,
    /// so a receiver can drop duplicates.
    pub id: Uuid,
    pub subscription_id: Uuid,
    /// The change feed position of the event.
    pub position: i64,
    /// `<kind>.<event>`, as in the payload.
    #[serde(rename = "type")]
    #[schema(example = "initiative.created")]
    pub event_type: String,
    pub state: DeliveryState,
    pub attempts: i32,
    pub next_attempt_at: Option<DateTime<Utc>>,
    pub last_attempt_at: Option<DateTime<Utc>>,
    /// The receiver's HTTP status on the last attempt, if it answered.
    pub last_status: Option<i32>,
    pub last_error: Option<String>,
    pub delivered_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    /// The body as sent, byte for byte on every attempt.
    #[schema(value_type = Object)]
    pub payload: Value,
}

/// How webhook delivery stands: this instance's worker, and the outbox
/// that all instances share.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "worker": {"enabled": true, "running": true, "listening": true,
        "lastRoundAt": "2026-12-01T09:00:01Z", "lastSuccessAt": "2026-12-01T09:00:01Z",
        "lastError": "database pool: Timeout occurred while waiting for a slot to become available",
        "lastErrorAt": "2026-12-01T08:12:40Z", "restarts": 0},
    "queue": {"pending": 3, "due": 1, "oldestPendingAt": "2026-12-01T08:59:30Z"}
}))]
pub struct DeliveryStatus {
    pub worker: super::worker::WorkerHealth,
    pub queue: QueueReport,
}

/// The outbox.
#[derive(Debug, Serialize, ToSchema, QueryableByName)]
#[serde(rename_all = "camelCase")]
pub struct QueueReport {
    /// Deliveries not yet delivered nor given up.
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    pub pending: i64,
    /// Of those, the ones whose attempt is due now.
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    pub due: i64,
    #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::Timestamptz>)]
    pub oldest_pending_at: Option<DateTime<Utc>>,
}

/// A page of deliveries, newest first.
#[derive(Debug, Serialize, ToSchema)]
pub struct DeliveryPage {
    pub items: Vec<Delivery>,
    /// Pass as `cursor` for the next page; `null` on the last.
    #[schema(example = "01938b1e-7f00-7aaa-8000-0000000000d1")]
    pub next: Option<String>,
}

/// What a receiver is sent: the change feed's event, wrapped as Standard
/// Webhooks suggests. Documented under `webhooks` in the spec.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "type": "initiative.created",
    "timestamp": "2026-11-29T08:00:30.000000Z",
    "data": {"position": 1042, "at": "2026-11-29T08:00:30.000000Z", "event": "created", "kind": "initiative",
             "id": "01938b1e-7f00-7aaa-8000-000000000101"}
}))]
pub struct WebhookPayload {
    /// `<kind>.<event>`.
    #[serde(rename = "type")]
    #[schema(example = "initiative.created")]
    pub event_type: String,
    /// When the change was made.
    pub timestamp: DateTime<Utc>,
    pub data: crate::sync::changes::Change,
}
