//! The history's SQL: one entry per change, written in the transaction
//! that makes the change, and the pages the history endpoints read. An
//! entry's `changes` hold the before and after values of what changed.

use chrono::{DateTime, Utc};
use diesel::sql_types::{BigInt, Jsonb, Nullable, Text, Timestamptz, Uuid as SqlUuid};
use diesel::{QueryableByName, sql_query};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use serde_json::{Map, Value, json};
use uuid::Uuid;

use crate::domain::enums::HistoryAction;
use crate::domain::history::{Actor, ChangeContext, HistoryEntry};
use crate::error::ApiResult;
use crate::store::records::Kind;

/// The fields that differ between two JSON objects, as
/// `{"field": {"before": …, "after": …}}`.
pub fn diff(before: &Value, after: &Value) -> Value {
    let empty = Map::new();
    let before = before.as_object().unwrap_or(&empty);
    let after = after.as_object().unwrap_or(&empty);
    let mut changes = Map::new();
    for key in before
        .keys()
        .chain(after.keys().filter(|k| !before.contains_key(*k)))
    {
        let old = before.get(key).unwrap_or(&Value::Null);
        let new = after.get(key).unwrap_or(&Value::Null);
        if old != new {
            changes.insert(key.clone(), json!({"before": old, "after": new}));
        }
    }
    Value::Object(changes)
}

/// The change of one link, keyed by the other record: `{"organisations/<id>": {"before": …, "after": …}}`.
pub fn link_change(other_kind: Kind, other: Uuid, before: &Value, after: &Value) -> Value {
    json!({ format!("{}s/{other}", other_kind.noun()): {"before": before, "after": after} })
}

/// Writes one history entry.
pub async fn record(
    conn: &mut AsyncPgConnection,
    context: &ChangeContext,
    kind: Kind,
    id: Uuid,
    action: HistoryAction,
    changes: Value,
) -> ApiResult<()> {
    sql_query(
        "INSERT INTO history (kind, record_id, action, actor_key_id, actor_name, at, request_id, message, changes) \
         VALUES ($1, $2, $3, $4, $5, now(), $6, $7, $8)",
    )
    .bind::<Text, _>(kind.noun())
    .bind::<SqlUuid, _>(id)
    .bind::<Text, _>(action.as_str())
    .bind::<Nullable<SqlUuid>, _>(context.actor.as_ref().map(|a| a.id))
    .bind::<Nullable<Text>, _>(context.actor.as_ref().map(|a| a.name.as_str()))
    .bind::<Nullable<Text>, _>(context.request_id.as_deref())
    .bind::<Nullable<Text>, _>(context.message.as_deref())
    .bind::<Jsonb, _>(changes)
    .execute(conn)
    .await?;
    Ok(())
}

#[derive(QueryableByName)]
struct EntryRow {
    #[diesel(sql_type = BigInt)]
    seq: i64,
    #[diesel(sql_type = Text)]
    kind: String,
    #[diesel(sql_type = SqlUuid)]
    record_id: Uuid,
    #[diesel(sql_type = Text)]
    action: HistoryAction,
    #[diesel(sql_type = Nullable<SqlUuid>)]
    actor_key_id: Option<Uuid>,
    #[diesel(sql_type = Nullable<Text>)]
    actor_name: Option<String>,
    #[diesel(sql_type = Timestamptz)]
    at: DateTime<Utc>,
    #[diesel(sql_type = Nullable<Text>)]
    request_id: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    message: Option<String>,
    #[diesel(sql_type = Jsonb)]
    changes: Value,
}

impl From<EntryRow> for HistoryEntry {
    fn from(row: EntryRow) -> Self {
        Self {
            seq: row.seq,
            kind: row.kind,
            record_id: row.record_id,
            action: row.action,
            actor: row.actor_key_id.map(|key_id| Actor {
                key_id,
                name: row.actor_name.unwrap_or_default(),
            }),
            at: row.at,
            request_id: row.request_id,
            message: row.message,
            changes: row.changes,
        }
    }
}

/// Up to `limit` entries of a record older than `before` (all if `None`),
/// newest first.
pub async fn page(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    before: Option<i64>,
    limit: i64,
) -> ApiResult<Vec<HistoryEntry>> {
    let rows: Vec<EntryRow> = sql_query(
        "SELECT seq, kind, record_id, action, actor_key_id, actor_name, at, request_id, message, changes \
         FROM history WHERE record_id = $1 AND seq < $2 ORDER BY seq DESC LIMIT $3",
    )
    .bind::<SqlUuid, _>(id)
    .bind::<BigInt, _>(before.unwrap_or(i64::MAX))
    .bind::<BigInt, _>(limit)
    .load(conn)
    .await?;
    Ok(rows.into_iter().map(HistoryEntry::from).collect())
}
