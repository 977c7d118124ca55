//! Erasure of an expert's personal data (GDPR art. 17). The person's data
//! leaves the live record, every link, the search indexes and word
//! dictionary, what an `Idempotency-Key` remembered of their creation, and
//! every history entry about them (replaced by a redaction marker). What
//! remains is a tombstone id answering 410.

use chrono::Utc;
use diesel_async::AsyncPgConnection;
use serde_json::json;
use uuid::Uuid;

use crate::auth::{Caller, Role};
use crate::domain::enums::HistoryAction;
use crate::domain::history::ChangeContext;
use crate::error::{ApiError, ApiResult};
use crate::registry;
use crate::store::erasure;
use crate::store::history;
use crate::store::idempotency;
use crate::store::records::{self, Kind, Precondition};

/// Erasure is for admins; checked before anything is read, so callers may
/// also ask it first.
pub fn refuse_unless_admin(caller: &Caller) -> ApiResult<()> {
    if !caller.has(Role::Admin) {
        return Err(ApiError::Forbidden(
            "erasing an expert's personal data needs the role 'admin'".to_owned(),
        ));
    }
    Ok(())
}

/// Erases the expert `id` (at `precondition`); admins only. The change's
/// message is not kept, since the reason may name the person.
pub async fn erase_expert(
    conn: &mut AsyncPgConnection,
    context: &ChangeContext,
    caller: &Caller,
    id: Uuid,
    precondition: Precondition,
) -> ApiResult<()> {
    refuse_unless_admin(caller)?;
    let context = ChangeContext {
        message: None,
        ..context.clone()
    };
    records::lock_for_erasure(conn, Kind::Expert, id, precondition).await?;
    let now = Utc::now();
    registry::records::detach_links(conn, &context, Kind::Expert, id, now).await?;
    erasure::scrub(conn, id, now).await?;
    records::drop_revision(conn, id).await?;
    erasure::redact_history(conn, id).await?;
    idempotency::forget_answers(conn, &format!("/v1/experts/{id}")).await?;
    let erased = HistoryAction::Erased;
    history::record(conn, &context, Kind::Expert, id, erased, json!({})).await
}
