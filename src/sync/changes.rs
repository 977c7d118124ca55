//! The change feed: every change of a record is an event with a position;
//! positions follow commit order (see the migration), so a reader that asks
//! again from the last position it saw never misses an event and never sees
//! one twice. On the public's connections the `changes` view holds the
//! events as the public sees them (see the `public_schema` migration).

use chrono::{DateTime, Utc};
use diesel::sql_types::{BigInt, Bool, Nullable, Text, Timestamptz, Uuid as SqlUuid};
use diesel::{QueryableByName, sql_query};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::domain::enums::{ChangeEvent, HitType};
use crate::error::ApiResult;

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

/// Up to `limit` events after `after` (of one `kind` if given), as the
/// staff or the public see them.
pub async fn after(
    conn: &mut AsyncPgConnection,
    after: i64,
    kind: Option<HitType>,
    limit: i64,
    staff: bool,
) -> ApiResult<ChangePage> {
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
    .load(conn)
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
    Ok(ChangePage { items, next })
}
