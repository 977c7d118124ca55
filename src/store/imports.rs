//! The statements of an import (`registry::imports`): serialising imports,
//! finding what a line or a link names (a record by id, or by an external
//! key, in the registry or in the same file), and a dry run's rollback.

use std::collections::HashMap;

use diesel::sql_types::{Array, BigInt, Text, Uuid as SqlUuid};
use diesel::{QueryableByName, sql_query};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use crate::error::{ApiError, ApiResult, InvalidParam};
use crate::sql::{Fragment, sql};
use crate::store::experts::Experts;
use crate::store::initiatives::Initiatives;
use crate::store::organisations::Organisations;
use crate::store::records::{self, Kind, StoredKind};

/// The advisory lock key imports serialise on.
const IMPORT_LOCK: i64 = 0x6169_6d64_696d_7074;
/// The longest an import's statements, and its commit, may take.
const IMPORT_STATEMENT_TIMEOUT: &str = "600s";

/// Makes the transaction's import the only one running, and gives it (and
/// its commit) the import's time, not a single statement's.
pub async fn serialise_import(conn: &mut AsyncPgConnection) -> ApiResult<()> {
    // Imports run one at a time, so two imports of the same lines cannot
    // both miss the other's record when they look its keys up; the unique
    // indexes on the keys catch any other writer. A large import commits
    // many deferred trigger runs (the public view, webhooks) at once.
    sql_query("SELECT pg_advisory_xact_lock($1), set_config('statement_timeout', $2, true)")
        .bind::<BigInt, _>(IMPORT_LOCK)
        .bind::<Text, _>(IMPORT_STATEMENT_TIMEOUT)
        .execute(conn)
        .await?;
    Ok(())
}

/// How a dry run's transaction ends: always rolled back, with its outcome
/// or its error.
pub enum DryRun<T> {
    Done(T),
    Failed(ApiError),
}

impl<T> From<diesel::result::Error> for DryRun<T> {
    fn from(error: diesel::result::Error) -> Self {
        Self::Failed(error.into())
    }
}

#[derive(QueryableByName)]
struct KeyMatch {
    #[diesel(sql_type = SqlUuid)]
    pub id: Uuid,
}

/// A live record of kind `R` with one of `keys` in its external-key columns.
pub async fn find_by_keys<R: StoredKind>(
    conn: &mut AsyncPgConnection,
    keys: &[String],
) -> ApiResult<Option<Uuid>> {
    if keys.is_empty() {
        return Ok(None);
    }
    let matches = R::EXTERNAL_KEY_COLUMNS
        .iter()
        .map(|column| sql!(*column, " = ANY($1)"));
    let found: Vec<KeyMatch> = sql!(
        "SELECT id FROM ",
        R::KIND.table(),
        " WHERE deleted_at IS NULL AND (",
        Fragment::join(matches, " OR "),
        ") ORDER BY id LIMIT 1"
    )
    .query()
    .bind::<Array<Text>, _>(keys)
    .load(conn)
    .await?;
    Ok(found.into_iter().next().map(|f| f.id))
}

/// Refuses a new record's id that another kind of record already has, so
/// that an id names one record across the registry.
pub async fn claim_new_id(conn: &mut AsyncPgConnection, kind: Kind, id: Uuid) -> ApiResult<()> {
    for other in [Kind::Organisation, Kind::Expert, Kind::Initiative] {
        if other != kind && records::ever_existed(conn, other, id).await? {
            // Named relative to the line, like the line's other problems.
            return Err(ApiError::InvalidInput(vec![InvalidParam::new(
                "id",
                "taken",
                format!("{id} is the id of an {}", other.noun()),
            )]));
        }
    }
    Ok(())
}

/// The id a link reference names: an id, or an external key of a record of
/// `kind` in the file or in the registry.
pub async fn resolve(
    conn: &mut AsyncPgConnection,
    kind: Kind,
    reference: &str,
    in_file: &HashMap<(Kind, String), Uuid>,
) -> ApiResult<Option<Uuid>> {
    if let Ok(id) = Uuid::try_parse(reference) {
        return Ok(records::ever_existed(conn, kind, id).await?.then_some(id));
    }
    match kind {
        Kind::Organisation => resolve_key::<Organisations>(conn, reference, in_file).await,
        Kind::Expert => resolve_key::<Experts>(conn, reference, in_file).await,
        Kind::Initiative => resolve_key::<Initiatives>(conn, reference, in_file).await,
    }
}

/// A record of kind `R` with `reference` as an external key, in the file or
/// in the registry.
pub async fn resolve_key<R: StoredKind>(
    conn: &mut AsyncPgConnection,
    reference: &str,
    in_file: &HashMap<(Kind, String), Uuid>,
) -> ApiResult<Option<Uuid>> {
    let keys = R::reference_keys(reference);
    if let Some(id) = keys.iter().find_map(|k| in_file.get(&(R::KIND, k.clone()))) {
        return Ok(Some(*id));
    }
    find_by_keys::<R>(conn, &keys).await
}
