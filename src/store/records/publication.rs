//! Publication state, pending revisions and the editors four eyes look at.

use chrono::{DateTime, Utc};

use diesel::sql_types::{Array, Jsonb, Text, Timestamptz, Uuid as SqlUuid};
use diesel::{QueryableByName, sql_query};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use crate::auth::Audience;
use crate::domain::enums::PublicationStatus;
use crate::error::ApiResult;
use crate::sql::sql;

use super::state::touch;
use super::{Kind, not_found};

#[derive(QueryableByName)]
struct Publication {
    #[diesel(sql_type = Text)]
    publication_status: PublicationStatus,
    #[diesel(sql_type = Array<SqlUuid>)]
    editors: Vec<Uuid>,
}

/// A record's publication status and the keys that changed it since it was
/// last approved; `None` when there is no such record.
async fn find_publication(
    conn: &mut AsyncPgConnection,
    kind: Kind,
    id: Uuid,
) -> ApiResult<Option<(PublicationStatus, Vec<Uuid>)>> {
    let found: Vec<Publication> = sql!(
        "SELECT publication_status, editors FROM ",
        kind.table(),
        " WHERE id = $1"
    )
    .query()
    .bind::<SqlUuid, _>(id)
    .load(conn)
    .await?;
    Ok(found
        .into_iter()
        .next()
        .map(|row| (row.publication_status, row.editors)))
}

/// The publication status and editors of a record the caller has locked.
pub async fn publication(
    conn: &mut AsyncPgConnection,
    kind: Kind,
    id: Uuid,
) -> ApiResult<(PublicationStatus, Vec<Uuid>)> {
    find_publication(conn, kind, id)
        .await?
        .ok_or_else(|| not_found(kind, id))
}

/// Whether a record exists and is published.
pub async fn is_published(conn: &mut AsyncPgConnection, kind: Kind, id: Uuid) -> ApiResult<bool> {
    let found = find_publication(conn, kind, id).await?;
    Ok(found.is_some_and(|(status, _)| status == PublicationStatus::Published))
}

/// Moves a record to `status` and gives it a new version (unless the
/// request gave it one already); approval starts a new round of editors.
/// `reviewed`: the step is a review of the whole record, made at `at`.
pub async fn set_publication(
    conn: &mut AsyncPgConnection,
    kind: Kind,
    id: Uuid,
    status: PublicationStatus,
    at: DateTime<Utc>,
    new_version: bool,
    reviewed: bool,
) -> ApiResult<()> {
    let editors = if status == PublicationStatus::Published {
        "'{}'"
    } else {
        "editors"
    };
    let version = if new_version {
        "version + 1"
    } else {
        "version"
    };
    let last_reviewed = if reviewed { "$3" } else { "last_reviewed_at" };
    sql!(
        "UPDATE ",
        kind.table(),
        " SET publication_status = $2, editors = ",
        editors,
        ", version = ",
        version,
        ", last_reviewed_at = ",
        last_reviewed,
        ", updated_at = $3 WHERE id = $1"
    )
    .query()
    .bind::<SqlUuid, _>(id)
    .bind::<Text, _>(status.as_str())
    .bind::<Timestamptz, _>(at)
    .execute(conn)
    .await?;
    Ok(())
}

/// The pending revision as a column of a record load; only staff see it.
pub fn pending_revision_sql(audience: Audience) -> &'static str {
    match audience {
        Audience::Staff => "(SELECT p.draft FROM pending_revisions p WHERE p.record_id = r.id)",
        Audience::Public => "NULL::jsonb",
    }
}

#[derive(QueryableByName)]
struct Pending {
    #[diesel(sql_type = Jsonb)]
    draft: serde_json::Value,
}

/// The pending revision of a published record, if there is one.
pub async fn pending_revision(
    conn: &mut AsyncPgConnection,
    id: Uuid,
) -> ApiResult<Option<serde_json::Value>> {
    let found: Vec<Pending> = sql_query("SELECT draft FROM pending_revisions WHERE record_id = $1")
        .bind::<SqlUuid, _>(id)
        .load(conn)
        .await?;
    Ok(found.into_iter().next().map(|p| p.draft))
}

/// Stores (or replaces) a published record's pending revision.
pub async fn propose_revision(
    conn: &mut AsyncPgConnection,
    kind: Kind,
    id: Uuid,
    draft: serde_json::Value,
    at: DateTime<Utc>,
) -> ApiResult<()> {
    sql_query(
        "INSERT INTO pending_revisions (record_id, kind, draft, updated_at) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (record_id) DO UPDATE SET draft = EXCLUDED.draft, updated_at = EXCLUDED.updated_at",
    )
    .bind::<SqlUuid, _>(id)
    .bind::<Text, _>(kind.noun())
    .bind::<Jsonb, _>(draft)
    .bind::<Timestamptz, _>(at)
    .execute(conn)
    .await?;
    // The new version is news for curators only: the change feed tells the
    // public nothing until the revision is approved.
    sql_query("SELECT set_config('aimd.staff_only_change', 'on', true)")
        .execute(conn)
        .await?;
    touch(conn, kind, &[id], at).await?;
    sql_query("SELECT set_config('aimd.staff_only_change', '', true)")
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn drop_revision(conn: &mut AsyncPgConnection, id: Uuid) -> ApiResult<()> {
    sql_query("DELETE FROM pending_revisions WHERE record_id = $1")
        .bind::<SqlUuid, _>(id)
        .execute(conn)
        .await?;
    Ok(())
}

/// Notes that `editor` changed the record, so that they cannot approve it.
pub async fn note_editor(
    conn: &mut AsyncPgConnection,
    kind: Kind,
    id: Uuid,
    editor: Option<Uuid>,
) -> ApiResult<()> {
    let Some(editor) = editor else {
        return Ok(());
    };
    sql!(
        "UPDATE ",
        kind.table(),
        " SET editors = array_append(editors, $2) WHERE id = $1 AND NOT ($2 = ANY(editors))"
    )
    .query()
    .bind::<SqlUuid, _>(id)
    .bind::<SqlUuid, _>(editor)
    .execute(conn)
    .await?;
    Ok(())
}
