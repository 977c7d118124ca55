//! The history's SQL: one entry per change, written in the transaction
//! that makes the change, and the pages the history endpoints read. An
//! entry's `changes` hold the before and after values of what changed.

use chrono::{DateTime, Utc};
use diesel::dsl::now;
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use serde_json::{Map, Value, json};
use uuid::Uuid;

use crate::domain::enums::HistoryAction;
use crate::domain::history::{Actor, ChangeContext, HistoryEntry};
use crate::error::ApiResult;
use crate::schema::history;
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
    diesel::insert_into(history::table)
        .values((
            history::kind.eq(kind.noun()),
            history::record_id.eq(id),
            history::action.eq(action.as_str()),
            history::actor_key_id.eq(context.actor.as_ref().map(|a| a.id)),
            history::actor_name.eq(context.actor.as_ref().map(|a| a.name.as_str())),
            history::at.eq(now),
            history::request_id.eq(context.request_id.as_deref()),
            history::message.eq(context.message.as_deref()),
            history::changes.eq(changes),
        ))
        .execute(conn)
        .await?;
    Ok(())
}

#[derive(Queryable, Selectable)]
#[diesel(table_name = history, check_for_backend(diesel::pg::Pg))]
struct EntryRow {
    seq: i64,
    kind: String,
    record_id: Uuid,
    action: HistoryAction,
    actor_key_id: Option<Uuid>,
    actor_name: Option<String>,
    at: DateTime<Utc>,
    request_id: Option<String>,
    message: Option<String>,
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
    let rows: Vec<EntryRow> = history::table
        .filter(history::record_id.eq(id))
        .filter(history::seq.lt(before.unwrap_or(i64::MAX)))
        .order(history::seq.desc())
        .limit(limit)
        .select(EntryRow::as_select())
        .load(conn)
        .await?;
    Ok(rows.into_iter().map(HistoryEntry::from).collect())
}
