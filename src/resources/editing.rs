//! The write paths the three record kinds share: JSON Merge Patch (RFC 7396)
//! and deletion into a tombstone. Each runs inside the caller's transaction.

use std::future::Future;

use chrono::Utc;
use diesel_async::AsyncPgConnection;
use serde::Serialize;
use serde_json::Value;
use uuid::Uuid;

use super::links;
use super::records::{self, Kind, Precondition};
use crate::domain::input::merge_patch;
use crate::domain::topics::Vocabulary;
use crate::error::{ApiError, ApiResult};

/// A record kind's client-written form ("draft"), which a merge patch edits.
pub trait Draft: Sized + PartialEq + Serialize + Send + Sync {
    const KIND: Kind;

    fn from_json(body: &Value, vocabulary: &Vocabulary) -> ApiResult<Self>;

    fn load(conn: &mut AsyncPgConnection, id: Uuid) -> impl Future<Output = ApiResult<Self>> + Send;

    fn store(&self, conn: &mut AsyncPgConnection, id: Uuid) -> impl Future<Output = ApiResult<()>> + Send;
}

/// Applies a merge patch to a live record. The patched document is validated
/// as a whole, exactly like a new record; a patch that changes nothing leaves
/// the version alone.
pub async fn apply_merge_patch<D: Draft>(
    conn: &mut AsyncPgConnection,
    vocabulary: &Vocabulary,
    id: Uuid,
    patch: &Value,
    precondition: Precondition,
) -> ApiResult<()> {
    records::lock_live(conn, D::KIND, id, precondition).await?;
    let current = D::load(conn, id).await?;
    let mut document = serde_json::to_value(&current).map_err(ApiError::internal)?;
    merge_patch(&mut document, patch);
    let patched = D::from_json(&document, vocabulary)?;
    if patched != current {
        patched.store(conn, id).await?;
    }
    Ok(())
}

/// Turns a live record into a tombstone and removes its links.
pub async fn delete(conn: &mut AsyncPgConnection, kind: Kind, id: Uuid, precondition: Precondition) -> ApiResult<()> {
    records::lock_live(conn, kind, id, precondition).await?;
    links::detach_all(conn, kind, id).await?;
    records::bury(conn, kind, id, Utc::now()).await
}
