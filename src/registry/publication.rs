//! The review-and-publish workflow shared by the three record kinds: a step
//! (submit, approve, reject, archive, restore, confirm). Curators submit and
//! confirm that a published record is still accurate; editors take the
//! other steps, and never approve a record they changed themselves since it
//! was last approved (four eyes), unless the deployment allows it.
//! Publishing and confirming are reviews: they move the record's
//! `lastReviewedAt`.

use chrono::Utc;
use diesel_async::AsyncPgConnection;
use serde_json::json;
use uuid::Uuid;

use crate::auth::Caller;
use crate::domain::enums::{PublicationAction, PublicationStatus};
use crate::domain::history::ChangeContext;
use crate::domain::publication::PublicationStep;
use crate::domain::topics::Vocabulary;
use crate::error::{ApiError, ApiResult};
use crate::store::history;
use crate::store::records::{self, Precondition, StoredKind};

/// Whether an editor may approve what they changed themselves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SelfApproval(pub bool);

/// Curators submit; the other steps need an editor. Checked before anything
/// is read, so callers may also ask it first.
pub fn refuse_unless_allowed(caller: &Caller, step: &PublicationStep) -> ApiResult<()> {
    let needed = step.action.needs();
    if !caller.has(needed) {
        return Err(ApiError::Forbidden(format!(
            "'{}' needs the role '{}' or higher",
            step.action.as_str(),
            needed.as_str()
        )));
    }
    Ok(())
}

/// Takes `step` on the record `id`, with its history entry; on a published
/// record, approve and reject decide its pending revision.
#[allow(clippy::too_many_arguments)]
pub async fn take_step<R: StoredKind>(
    conn: &mut AsyncPgConnection,
    vocabulary: &Vocabulary,
    context: &ChangeContext,
    caller: &Caller,
    id: Uuid,
    precondition: Precondition,
    step: &PublicationStep,
    self_approval: SelfApproval,
) -> ApiResult<()> {
    refuse_unless_allowed(caller, step)?;
    records::lock_live(conn, R::KIND, id, precondition).await?;
    let (status, editors) = records::publication(conn, R::KIND, id).await?;
    let pending = match (status, step.action) {
        (PublicationStatus::Published, PublicationAction::Approve | PublicationAction::Reject) => {
            records::pending_revision(conn, id).await?
        }
        _ => None,
    };
    // On a published record, approve and reject decide its pending revision.
    let next = if pending.is_some() {
        Some(status)
    } else {
        status.after(step.action)
    };
    let next = next.ok_or_else(|| {
        ApiError::Conflict(format!(
            "the {} is {}; '{}' applies to {}",
            R::KIND.noun(),
            status.as_str(),
            step.action.as_str(),
            applies_to(step.action)
        ))
    })?;
    let now = Utc::now();
    if step.action == PublicationAction::Confirm {
        // Checked, still accurate: no content changes, but what every
        // reader sees (when it was last reviewed) does.
        records::confirm_reviewed(conn, R::KIND, id, now).await?;
        return history::record(
            conn,
            context,
            R::KIND,
            id,
            step.action.recorded_as(),
            json!({}),
        )
        .await;
    }
    // The revision an approval applies, read once: it is what goes live.
    let approved_revision = match (&pending, step.action) {
        (Some(revision), PublicationAction::Approve) => Some(R::parse_draft(revision, vocabulary)?),
        _ => None,
    };
    if step.action == PublicationAction::Approve {
        refuse_without_source::<R>(conn, id, approved_revision.as_ref()).await?;
    }
    let approver = context.actor_id();
    if step.action == PublicationAction::Approve
        && !self_approval.0
        && approver.is_some_and(|a| editors.contains(&a))
    {
        return Err(ApiError::Forbidden(format!(
            "four eyes: you changed this {} since it was last approved, so another editor must approve it",
            R::KIND.noun()
        )));
    }
    let applies_revision = approved_revision.is_some();
    let changes = match pending {
        Some(revision) => {
            records::drop_revision(conn, id).await?;
            if let Some(approved) = &approved_revision {
                let live = serde_json::to_value(R::load_draft(conn, id).await?)
                    .map_err(ApiError::internal)?;
                R::update(conn, id, approved).await?;
                history::diff(&live, &revision)
            } else {
                json!({})
            }
        }
        None => json!({"publicationStatus": {"before": status.as_str(), "after": next.as_str()}}),
    };
    // Applying a revision gave the record its new version already.
    let new_version = !applies_revision;
    // Publishing is a review of the whole record. Approving a revision is
    // a review of the change only, and the public must not learn from the
    // record's review date that a change they cannot see (contact data)
    // was approved.
    let reviewed = step.action == PublicationAction::Approve && !applies_revision;
    records::set_publication(conn, R::KIND, id, next, now, new_version, reviewed).await?;
    history::record(
        conn,
        context,
        R::KIND,
        id,
        step.action.recorded_as(),
        changes,
    )
    .await?;
    Ok(())
}

/// An initiative is published only with a source its facts can be checked
/// against. `going_live` is what is published when the caller holds it
/// (a revision, a record just created); otherwise the stored record is
/// read, for the kinds that need a source only.
pub async fn refuse_without_source<R: StoredKind>(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    going_live: Option<&R::Draft>,
) -> ApiResult<()> {
    if !R::NEEDS_SOURCE {
        return Ok(());
    }
    let stored;
    let draft = match going_live {
        Some(draft) => draft,
        None => {
            stored = R::load_draft(conn, id).await?;
            &stored
        }
    };
    if R::sources(draft).is_empty() {
        return Err(ApiError::Conflict(format!(
            "an {} needs at least one source in `sources` before it can be published",
            R::KIND.noun()
        )));
    }
    Ok(())
}

/// The states a step applies to, for the problem's detail.
fn applies_to(action: PublicationAction) -> String {
    let from: Vec<&str> = PublicationStatus::ALL
        .iter()
        .filter(|s| s.after(action).is_some())
        .map(|s| s.as_str())
        .collect();
    format!("{} records", from.join(" or "))
}
