//! `/v1/changes`: the change feed. Every change of a record is an event with
//! a position; positions follow commit order (see the migration), so a
//! client that asks again from the last position it saw never misses an
//! event and never sees one twice. The public and readers see the feed as
//! they see the registry: a record becoming public is `created`, ceasing to
//! be public is `deleted`, and edits waiting for review are not news.

use crate::api::access::{Allowed, least};
use actix_web::{HttpRequest, HttpResponse, get};
use chrono::{DateTime, Utc};
use diesel::sql_types::{BigInt, Bool, Nullable, Text, Timestamptz, Uuid as SqlUuid};
use diesel::{QueryableByName, sql_query};
use diesel_async::RunQueryDsl;
use serde::Serialize;
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::api::query::{QueryReader, parse_limit};
use crate::auth::Audience;
use crate::domain::enums::{ChangeEvent, HitType};
use crate::domain::input::FieldError;
use crate::error::ApiResult;

const DEFAULT_LIMIT: i64 = 100;
const MAX_LIMIT: i64 = 1000;

/// One change of one record.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(example = json!({
    "position": 1042,
    "at": "2026-11-28T10:15:00Z",
    "event": "merged",
    "kind": "organisation",
    "id": "01938b1e-7f00-7aaa-8000-000000000001",
    "successorId": "01938b1e-7f00-7aaa-8000-000000000002"
}))]
pub struct Change {
    /// Where the event stands in the feed; ask for `after` it to continue.
    pub position: i64,
    pub at: DateTime<Utc>,
    pub event: ChangeEvent,
    pub kind: HitType,
    pub id: Uuid,
    /// For `merged`: the record it was merged into.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(required = false)]
    pub successor_id: Option<Uuid>,
}

/// A stretch of the feed.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ChangePage {
    /// Events in feed order.
    pub items: Vec<Change>,
    /// The position to ask from next (`after=`): the last event's, or the
    /// one asked for when there was nothing new.
    #[schema(example = 1042)]
    pub next: i64,
}

/// The feed's query parameters.
#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ChangeQuery {
    /// The position after which to start; 0 (the default) is the beginning.
    #[param(minimum = 0, example = 1041)]
    pub after: Option<i64>,
    /// Events per answer, 1 to 1000 (default 100).
    #[param(minimum = 1, maximum = 1000, example = 100)]
    pub limit: Option<i64>,
    /// Only events of this kind of record.
    #[param(example = "initiative")]
    pub kind: Option<HitType>,
}

#[derive(QueryableByName)]
struct Row {
    #[diesel(sql_type = BigInt)]
    position: i64,
    #[diesel(sql_type = Timestamptz)]
    at: DateTime<Utc>,
    #[diesel(sql_type = Text)]
    event: ChangeEvent,
    #[diesel(sql_type = Text)]
    kind: HitType,
    #[diesel(sql_type = SqlUuid)]
    record_id: Uuid,
    #[diesel(sql_type = Nullable<SqlUuid>)]
    successor_id: Option<Uuid>,
}

fn parse_position(raw: &str) -> Result<i64, FieldError> {
    raw.trim()
        .parse::<i64>()
        .ok()
        .filter(|p| *p >= 0)
        .ok_or_else(|| {
            FieldError::new(
                "invalid-position",
                "must be a position (a whole number, 0 or more)",
            )
        })
}

/// Follow the change feed
///
/// Events (`created`, `updated`, `deleted`, `merged` with `successorId`) in
/// the order their transactions committed, from `after` on. Poll with the
/// `next` of the previous answer: nothing is missed or repeated. Together
/// with an export (which says at which position it was taken) this keeps a
/// copy of the registry exact. What a caller sees follows what they may
/// see: for the public and readers a record that is published (or regains
/// consent) is `created`, one archived, unpublished or deleted is
/// `deleted`, and edits waiting for review produce nothing until approved.
#[utoipa::path(
    tag = "changes",
    operation_id = "listChanges",
    params(ChangeQuery),
    responses((status = 200, description = "Events after the given position", body = ChangePage))
)]
#[get("/changes")]
pub async fn list_changes(
    Allowed { state, .. }: Allowed<least::Public>,
    request: HttpRequest,
) -> ApiResult<HttpResponse> {
    let mut query = QueryReader::new(request.query_string(), &["after", "limit", "kind"]);
    let after = query.one("after", parse_position).unwrap_or(0);
    let limit = query
        .one("limit", |raw| parse_limit(raw, MAX_LIMIT))
        .unwrap_or(DEFAULT_LIMIT);
    let kind = query.one("kind", HitType::parse);
    query.finish()?;
    let audience = Audience::of_request(&request);
    let staff = audience == Audience::Staff;
    let mut conn = state.conn(audience).await?;
    let rows: Vec<Row> = sql_query(
        "SELECT position, at, kind, record_id, successor_id, event FROM ( \
           SELECT position, at, kind, record_id, successor_id, \
             aimd_visible_event(event, public_before, public_after, staff_only, $4) AS event \
           FROM changes WHERE position > $1 AND ($2::text IS NULL OR kind = $2)) c \
         WHERE event IS NOT NULL ORDER BY position LIMIT $3",
    )
    .bind::<BigInt, _>(after)
    .bind::<Nullable<Text>, _>(kind.map(HitType::as_str))
    .bind::<BigInt, _>(limit)
    .bind::<Bool, _>(staff)
    .load(&mut conn)
    .await?;
    let next = rows.last().map_or(after, |r| r.position);
    let items = rows
        .into_iter()
        .map(|r| Change {
            position: r.position,
            at: r.at,
            event: r.event,
            kind: r.kind,
            id: r.record_id,
            successor_id: r.successor_id,
        })
        .collect();
    Ok(HttpResponse::Ok().json(ChangePage { items, next }))
}
