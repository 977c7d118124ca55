//! Merging duplicates: the duplicate's links move to the survivor (one link
//! per pair, the stronger role kept), the duplicate becomes a tombstone that
//! answers 308 with the survivor's URL, and both histories record the merge.

use chrono::Utc;
use diesel_async::AsyncPgConnection;
use serde_json::json;
use uuid::Uuid;

use crate::domain::enums::HistoryAction;
use crate::domain::history::ChangeContext;
use crate::error::{ApiError, ApiResult};
use crate::store::history;
use crate::store::links;
use crate::store::records::{self, Kind, Precondition};

/// A record cannot be merged into itself; checked before anything else is
/// read, so callers may also ask it first.
pub fn refuse_self_merge(kind: Kind, duplicate: Uuid, survivor: Uuid) -> ApiResult<()> {
    if survivor == duplicate {
        return Err(ApiError::invalid(
            "into",
            "self-merge",
            format!("a {} cannot be merged into itself", kind.noun()),
        ));
    }
    Ok(())
}

/// Merges the `kind` record `duplicate` (at `precondition`) into `survivor`.
pub async fn merge(
    conn: &mut AsyncPgConnection,
    context: &ChangeContext,
    kind: Kind,
    duplicate: Uuid,
    survivor: Uuid,
    precondition: Precondition,
) -> ApiResult<()> {
    refuse_self_merge(kind, duplicate, survivor)?;
    // Both locked in id order, so crossing merges cannot deadlock.
    if survivor < duplicate {
        records::lock_link_target(conn, kind, survivor, "into").await?;
        records::lock_live(conn, kind, duplicate, precondition).await?;
    } else {
        records::lock_live(conn, kind, duplicate, precondition).await?;
        records::lock_link_target(conn, kind, survivor, "into").await?;
    }
    // The public would be sent (a 308, the feed's successorId) to
    // a record it cannot see, and so learn that it exists.
    if records::is_public(conn, kind, duplicate).await?
        && !records::is_public(conn, kind, survivor).await?
    {
        return Err(ApiError::Conflict(format!(
            "the {noun} {duplicate} is public and {survivor} is not: publish {survivor} \
             first, so that those who follow the merge can see where it leads",
            noun = kind.noun()
        )));
    }
    let now = Utc::now();
    let moved = links::move_all(conn, kind, duplicate, survivor, now).await?;
    records::drop_revision(conn, duplicate).await?;
    records::bury_merged(conn, kind, duplicate, survivor, now).await?;
    records::touch(conn, kind, &[survivor], now).await?;
    let merged = HistoryAction::Merged;
    let gone = json!({"mergedInto": {"before": null, "after": survivor}});
    history::record(conn, context, kind, duplicate, merged, gone).await?;
    let absorbed = json!({"mergedFrom": {"before": null, "after": duplicate}});
    history::record(conn, context, kind, survivor, merged, absorbed).await?;
    for (other_kind, other) in moved {
        let relinked = json!({
            format!("{}s/{duplicate}", kind.noun()): {"before": "linked", "after": null},
            format!("{}s/{survivor}", kind.noun()): {"before": null, "after": "linked"}
        });
        history::record(conn, context, other_kind, other, merged, relinked).await?;
    }
    Ok(())
}
