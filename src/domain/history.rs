//! A change as the history records it: who makes it, in which request and
//! why, and the entries the history endpoints return.

use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::Value;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::auth::KeyHolder;
use crate::domain::enums::HistoryAction;

/// Who is making a change, in which request, and why.
#[derive(Debug, Clone)]
pub struct ChangeContext {
    pub actor: Option<KeyHolder>,
    pub request_id: Option<String>,
    pub message: Option<String>,
}

impl ChangeContext {
    pub fn actor_id(&self) -> Option<Uuid> {
        self.actor.as_ref().map(|a| a.id)
    }
}

/// Who made a change: the API key used.
#[derive(Debug, Clone, Serialize, serde::Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Actor {
    pub key_id: Uuid,
    #[schema(example = "NEN curator J. de Vries")]
    pub name: String,
}

/// One change of a record.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(example = json!({
    "seq": 1042,
    "kind": "initiative",
    "recordId": "01938b1e-7f00-7aaa-8000-000000000001",
    "action": "updated",
    "actor": {"keyId": "01938b1e-7f00-7aaa-8000-0000000000a1", "name": "NEN curator"},
    "at": "2026-11-28T10:15:00Z",
    "requestId": "01938b1e-7f00-7aaa-8000-00000000abcd",
    "message": "Status after the final vote",
    "changes": {"status": {"before": "active", "after": "completed"}}
}))]
pub struct HistoryEntry {
    /// Position in the registry-wide sequence of changes.
    pub seq: i64,
    #[schema(example = "initiative")]
    pub kind: String,
    pub record_id: Uuid,
    pub action: HistoryAction,
    /// `null` for changes made outside the API (migrations, the command line).
    pub actor: Option<Actor>,
    pub at: DateTime<Utc>,
    pub request_id: Option<String>,
    /// The `X-Change-Message` sent with the change.
    pub message: Option<String>,
    /// For each changed field (or link, as `<kind>s/<id>`), its value before and after.
    #[schema(value_type = Object)]
    pub changes: Value,
}

/// A page of a record's history, newest first.
#[derive(Debug, Serialize, ToSchema)]
pub struct HistoryPage {
    pub items: Vec<HistoryEntry>,
    /// Cursor for the next (older) page; `null` on the last page.
    #[schema(
        example = "eyJzIjoiaGlzdG9yeSIsImsiOiIxMDQxIiwiaSI6IjAxOTM4YjFlLTdmMDAtN2FhYS04MDAwLTAwMDAwMDAwMDAwMSJ9"
    )]
    pub next: Option<String>,
}
