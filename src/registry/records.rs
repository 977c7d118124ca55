//! Creating, editing and deleting a record of any kind, with its history,
//! its editors (for four eyes) and, for published records, its pending
//! revision.

use chrono::{DateTime, Utc};
use diesel_async::AsyncPgConnection;
use serde::Serialize;
use serde_json::Value;
use uuid::Uuid;

use crate::domain::enums::{HistoryAction, PublicationStatus};
use crate::domain::history::ChangeContext;
use crate::domain::input::merge_patch;
use crate::domain::topics::Vocabulary;
use crate::error::{ApiError, ApiResult};
use crate::store::history;
use crate::store::links;
use crate::store::records::{self, Kind, Precondition, StoredKind};

/// What a merge patch did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Edit {
    /// The patched record equals the one it was applied to.
    Unchanged,
    /// The live record changed.
    Updated,
    /// The record is published: the change became its pending revision.
    Revised,
}

fn to_json(draft: &impl Serialize) -> ApiResult<Value> {
    serde_json::to_value(draft).map_err(ApiError::internal)
}

/// Stores a new record under `id`, with its history entry and its first
/// editor.
pub async fn create<R: StoredKind>(
    conn: &mut AsyncPgConnection,
    context: &ChangeContext,
    id: Uuid,
    draft: &R::Draft,
) -> ApiResult<Uuid> {
    let id = R::insert(conn, id, draft).await?;
    records::note_editor(conn, R::KIND, id, context.actor_id()).await?;
    let changes = history::diff(&Value::Null, &to_json(draft)?);
    history::record(conn, context, R::KIND, id, HistoryAction::Created, changes).await?;
    Ok(id)
}

/// Applies a JSON Merge Patch (RFC 7396) to a live record. The patched
/// document is parsed as a whole, exactly like a new record; a patch that
/// changes nothing changes nothing. A published record keeps what the
/// public sees: the edit becomes (or amends) its pending revision, unless
/// `publish` applies it directly (an import that publishes, which the
/// caller has cleared with four eyes).
pub async fn merge_patch_record<R: StoredKind>(
    conn: &mut AsyncPgConnection,
    vocabulary: &Vocabulary,
    context: &ChangeContext,
    id: Uuid,
    precondition: Precondition,
    patch: &Value,
    publish: bool,
) -> ApiResult<Edit> {
    records::lock_live(conn, R::KIND, id, precondition).await?;
    let (status, _) = records::publication(conn, R::KIND, id).await?;
    let live = to_json(&R::load_draft(conn, id).await?)?;
    let pending = match status {
        PublicationStatus::Published => records::pending_revision(conn, id).await?,
        _ => None,
    };
    let before = pending.unwrap_or(live);
    let current = R::parse_draft(&before, vocabulary)?;
    let mut document = before.clone();
    merge_patch(&mut document, patch);
    let patched = R::parse_draft(&document, vocabulary)?;
    if patched == current {
        return Ok(Edit::Unchanged);
    }
    let after = to_json(&patched)?;
    let changes = history::diff(&before, &after);
    let edit = if status == PublicationStatus::Published && !publish {
        records::propose_revision(conn, R::KIND, id, after, Utc::now()).await?;
        Edit::Revised
    } else {
        R::update(conn, id, &patched).await?;
        if status == PublicationStatus::Published {
            records::drop_revision(conn, id).await?;
        }
        Edit::Updated
    };
    let action = match edit {
        Edit::Revised => HistoryAction::Revised,
        _ => HistoryAction::Updated,
    };
    records::note_editor(conn, R::KIND, id, context.actor_id()).await?;
    history::record(conn, context, R::KIND, id, action, changes).await?;
    Ok(edit)
}

/// Turns a live record into a tombstone and removes its links, each
/// recorded in the history of the record on the other end.
pub async fn delete<R: StoredKind>(
    conn: &mut AsyncPgConnection,
    context: &ChangeContext,
    id: Uuid,
    precondition: Precondition,
) -> ApiResult<()> {
    records::lock_live(conn, R::KIND, id, precondition).await?;
    let before = to_json(&R::load_draft(conn, id).await?)?;
    let now = Utc::now();
    detach_links(conn, context, R::KIND, id, now).await?;
    records::bury(conn, R::KIND, id, now).await?;
    let changes = history::diff(&before, &Value::Null);
    history::record(conn, context, R::KIND, id, HistoryAction::Deleted, changes).await
}

/// Removes every link of a record that is going (deletion, erasure), each
/// recorded in the history of the record on the other end.
pub async fn detach_links(
    conn: &mut AsyncPgConnection,
    context: &ChangeContext,
    kind: Kind,
    id: Uuid,
    at: DateTime<Utc>,
) -> ApiResult<()> {
    for detached in links::detach_all(conn, kind, id, at).await? {
        let change = history::link_change(kind, id, &detached.terms, &Value::Null);
        let action = HistoryAction::Unlinked;
        history::record(conn, context, detached.kind, detached.id, action, change).await?;
    }
    Ok(())
}
