//! Finding what a line or a link names: a record by id, or by an external
//! key, in the registry or in the same file.

use std::collections::HashMap;

use diesel::sql_types::{Array, Text, Uuid as SqlUuid};
use diesel::{QueryableByName, sql_query};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use crate::api::crud::Resource;
use crate::error::{ApiError, ApiResult, InvalidParam};
use crate::store::experts::Experts;
use crate::store::initiatives::Initiatives;
use crate::store::organisations::Organisations;
use crate::store::records::{self, Kind};

#[derive(QueryableByName)]
pub(super) struct Found {
    #[diesel(sql_type = SqlUuid)]
    pub(super) id: Uuid,
}

/// A live record of kind `R` with one of `keys` in its external-key columns.
pub(super) async fn find_by_keys<R: Resource>(
    conn: &mut AsyncPgConnection,
    keys: &[String],
) -> ApiResult<Option<Uuid>> {
    if keys.is_empty() {
        return Ok(None);
    }
    let matches: Vec<String> = R::EXTERNAL_KEY_COLUMNS
        .iter()
        .map(|c| format!("{c} = ANY($1)"))
        .collect();
    let found: Vec<Found> = sql_query(format!(
        "SELECT id FROM {} WHERE deleted_at IS NULL AND ({}) ORDER BY id LIMIT 1",
        R::TABLE.table,
        matches.join(" OR ")
    ))
    .bind::<Array<Text>, _>(keys)
    .load(conn)
    .await?;
    Ok(found.into_iter().next().map(|f| f.id))
}

/// Refuses a new record's id that another kind of record already has, so
/// that an id names one record across the registry.
pub(super) async fn claim_new_id(
    conn: &mut AsyncPgConnection,
    kind: Kind,
    id: Uuid,
) -> ApiResult<()> {
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
pub(super) async fn resolve(
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
pub(super) async fn resolve_key<R: Resource>(
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
