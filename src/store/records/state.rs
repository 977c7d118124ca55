//! Whether a record is there: locks with their 404, 410 and 412 answers,
//! liveness checks, tombstones and version bumps.

use chrono::{DateTime, Utc};

use diesel::sql_types::{Array, Bool, Int8, Nullable, Text, Timestamptz, Uuid as SqlUuid};
use diesel::{OptionalExtension, QueryableByName, sql_query};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use crate::error::{ApiError, ApiResult, InvalidParam};
use crate::sql::sql;

use super::{Kind, Precondition, gone, not_found};

#[derive(QueryableByName)]
struct RecordState {
    #[diesel(sql_type = Bool)]
    deleted: bool,
    #[diesel(sql_type = Int8)]
    version: i64,
}

/// The record's state; `lock` holds its row for the rest of the transaction.
async fn state(
    conn: &mut AsyncPgConnection,
    kind: Kind,
    id: Uuid,
    lock: bool,
) -> ApiResult<Option<RecordState>> {
    // The table name comes from a closed enum, never from input.
    let statement = sql!(
        "SELECT deleted_at IS NOT NULL AS deleted, version FROM ",
        kind.table(),
        " WHERE id = $1",
        if lock { " FOR UPDATE" } else { "" }
    );
    let rows: Vec<RecordState> = statement.query().bind::<SqlUuid, _>(id).load(conn).await?;
    Ok(rows.into_iter().next())
}

/// Locks a record for the rest of the transaction, answering 404 when it
/// never existed, 410 when it was deleted and 412 when `If-Match` is stale.
pub async fn lock_live(
    conn: &mut AsyncPgConnection,
    kind: Kind,
    id: Uuid,
    precondition: Precondition,
) -> ApiResult<()> {
    match state(conn, kind, id, true).await? {
        None => Err(not_found(kind, id)),
        Some(s) if s.deleted => Err(gone(kind, id)),
        Some(s) => precondition.check(kind.noun(), s.version),
    }
}

/// Locks a record whose personal data is to be erased: live or deleted,
/// but not erased already (410) or never created (404).
pub async fn lock_for_erasure(
    conn: &mut AsyncPgConnection,
    kind: Kind,
    id: Uuid,
    precondition: Precondition,
) -> ApiResult<()> {
    let statement = sql!(
        "SELECT erased_at IS NOT NULL AS deleted, version FROM ",
        kind.table(),
        " WHERE id = $1 FOR UPDATE"
    );
    let found: Vec<RecordState> = statement.query().bind::<SqlUuid, _>(id).load(conn).await?;
    match found.into_iter().next() {
        None => Err(not_found(kind, id)),
        Some(s) if s.deleted => Err(ApiError::Gone(format!(
            "the personal data of {} {id} was erased already",
            kind.noun()
        ))),
        Some(s) => precondition.check(kind.noun(), s.version),
    }
}

/// Locks the other end of a link, answering 422 (naming `param`) when that
/// record is missing or deleted: the request is well-formed, but it asks to
/// link to something that cannot be linked.
pub async fn lock_link_target(
    conn: &mut AsyncPgConnection,
    kind: Kind,
    id: Uuid,
    param: &str,
) -> ApiResult<()> {
    let (code, reason) = match state(conn, kind, id, true).await? {
        None => ("not-found", format!("no {} has id {id}", kind.noun())),
        Some(s) if s.deleted => ("deleted", format!("the {} {id} was deleted", kind.noun())),
        Some(_) => return Ok(()),
    };
    Err(ApiError::Unprocessable(
        vec![InvalidParam::new(param, code, reason.clone())],
        reason,
    ))
}

#[derive(QueryableByName)]
struct LiveId {
    #[diesel(sql_type = SqlUuid)]
    id: Uuid,
}

/// Checks that ids given as a filter name live records, so a filter on a
/// record that does not exist is a 400 rather than an empty list.
pub async fn check_filter_ids(
    conn: &mut AsyncPgConnection,
    kind: Kind,
    param: &str,
    ids: &[Uuid],
) -> ApiResult<()> {
    if ids.is_empty() {
        return Ok(());
    }
    let statement = sql!(
        "SELECT id FROM ",
        kind.table(),
        " WHERE id = ANY($1) AND deleted_at IS NULL"
    );
    let live: Vec<LiveId> = statement
        .query()
        .bind::<Array<SqlUuid>, _>(ids)
        .load(conn)
        .await?;
    let missing: Vec<InvalidParam> = ids
        .iter()
        .filter(|id| !live.iter().any(|l| l.id == **id))
        .map(|id| {
            InvalidParam::new(
                param,
                "unknown-record",
                format!("no live {} has id {id}", kind.noun()),
            )
        })
        .collect();
    if missing.is_empty() {
        Ok(())
    } else {
        Err(ApiError::InvalidInput(missing))
    }
}

#[derive(QueryableByName)]
struct Visible {
    #[diesel(sql_type = Bool)]
    public: bool,
}

/// Whether the public sees a record: live and published (for experts, with
/// consent to a public profile).
pub async fn is_public(conn: &mut AsyncPgConnection, kind: Kind, id: Uuid) -> ApiResult<bool> {
    let found: Vec<Visible> = sql!(
        "SELECT coalesce(is_public, false) AND deleted_at IS NULL AS public FROM ",
        kind.table(),
        " WHERE id = $1"
    )
    .query()
    .bind::<SqlUuid, _>(id)
    .load(conn)
    .await?;
    Ok(found.iter().any(|v| v.public))
}

/// Whether a record was ever created (deleted ones included).
pub async fn ever_existed(conn: &mut AsyncPgConnection, kind: Kind, id: Uuid) -> ApiResult<bool> {
    Ok(state(conn, kind, id, false).await?.is_some())
}

#[derive(QueryableByName)]
struct Absence {
    #[diesel(sql_type = Bool)]
    deleted: bool,
    #[diesel(sql_type = Nullable<SqlUuid>)]
    merged_into: Option<Uuid>,
}

/// Why a record is not there to read: merged into another (308 to it),
/// deleted (410), or never was or not published (404: the public does not
/// learn of unpublished records). Asked through `aimd_record_absence`,
/// which the public's connections may call although they cannot read
/// tombstones.
pub async fn absence(conn: &mut AsyncPgConnection, kind: Kind, id: Uuid) -> ApiResult<ApiError> {
    let found: Option<Absence> =
        sql_query("SELECT deleted, merged_into FROM aimd_record_absence($1, $2)")
            .bind::<Text, _>(kind.table())
            .bind::<SqlUuid, _>(id)
            .get_result(conn)
            .await
            .optional()?;
    Ok(match found {
        Some(Absence {
            merged_into: Some(survivor),
            ..
        }) => ApiError::Merged {
            location: format!("{}/{survivor}", kind.collection()),
        },
        Some(absence) if absence.deleted => gone(kind, id),
        _ => not_found(kind, id),
    })
}

/// Turns `duplicate` into a tombstone that redirects to `survivor`, and
/// points earlier merges into it there too, so a redirect is one hop.
pub async fn bury_merged(
    conn: &mut AsyncPgConnection,
    kind: Kind,
    duplicate: Uuid,
    survivor: Uuid,
    at: DateTime<Utc>,
) -> ApiResult<()> {
    sql!(
        "UPDATE ",
        kind.table(),
        " SET merged_into = $2, deleted_at = coalesce(deleted_at, $3), updated_at = $3, \
         version = version + (id = $1)::int WHERE id = $1 OR merged_into = $1"
    )
    .query()
    .bind::<SqlUuid, _>(duplicate)
    .bind::<SqlUuid, _>(survivor)
    .bind::<Timestamptz, _>(at)
    .execute(conn)
    .await?;
    Ok(())
}

/// Marks records as changed: a link to or from them was added, changed or
/// removed, which changes how they read.
pub async fn touch(
    conn: &mut AsyncPgConnection,
    kind: Kind,
    ids: &[Uuid],
    at: DateTime<Utc>,
) -> ApiResult<()> {
    if ids.is_empty() {
        return Ok(());
    }
    let statement = sql!(
        "UPDATE ",
        kind.table(),
        " SET version = version + 1, updated_at = $2 WHERE id = ANY($1) AND deleted_at IS NULL"
    );
    statement
        .query()
        .bind::<Array<SqlUuid>, _>(ids)
        .bind::<Timestamptz, _>(at)
        .execute(conn)
        .await?;
    Ok(())
}

/// Turns a record into a tombstone.
pub async fn bury(
    conn: &mut AsyncPgConnection,
    kind: Kind,
    id: Uuid,
    at: DateTime<Utc>,
) -> ApiResult<()> {
    let statement = sql!(
        "UPDATE ",
        kind.table(),
        " SET deleted_at = $2, updated_at = $2, version = version + 1 WHERE id = $1"
    );
    statement
        .query()
        .bind::<SqlUuid, _>(id)
        .bind::<Nullable<Timestamptz>, _>(Some(at))
        .execute(conn)
        .await?;
    Ok(())
}
