//! One consistent read of the registry: a read-only transaction at
//! REPEATABLE READ, the change-feed position it includes, and its records
//! in batches by id. Exports stream one kind from it; the search index
//! reads all three from one.

use diesel::sql_types::{BigInt, Uuid as SqlUuid};
use diesel::{QueryableByName, sql_query};
use diesel_async::{AsyncPgConnection, RunQueryDsl, SimpleAsyncConnection};
use uuid::Uuid;

use crate::auth::Audience;
use crate::domain::list::in_found_order;
use crate::domain::topics::Vocabulary;
use crate::error::ApiResult;
use crate::sql::sql;
use crate::store::records::StoredKind;

const BATCH: i64 = 500;

#[derive(QueryableByName)]
struct Id {
    #[diesel(sql_type = SqlUuid)]
    id: Uuid,
}

#[derive(QueryableByName)]
struct Position {
    #[diesel(sql_type = BigInt)]
    position: i64,
}

/// Starts the snapshot; returns the change-feed position it includes.
pub async fn begin(conn: &mut AsyncPgConnection) -> ApiResult<i64> {
    conn.batch_execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
        .await?;
    feed_position(conn).await
}

/// The position of the last event committed (or, in a snapshot, included).
pub async fn feed_position(conn: &mut AsyncPgConnection) -> ApiResult<i64> {
    let position: Position = sql_query("SELECT position FROM change_counter")
        .get_result(conn)
        .await?;
    Ok(position.position)
}

/// Ends the snapshot. It only read, so ending it either way changes nothing.
pub async fn end(conn: &mut AsyncPgConnection) {
    let _ = conn.batch_execute("ROLLBACK").await;
}

/// Hands every live `K` record `audience` may see to `each`, in batches in
/// id order, until `each` answers `false` or the records run out.
pub async fn in_batches<K: StoredKind>(
    conn: &mut AsyncPgConnection,
    vocabulary: &Vocabulary,
    audience: Audience,
    mut each: impl AsyncFnMut(Vec<K::Record>) -> ApiResult<bool>,
) -> ApiResult<()> {
    let select = sql!(
        "SELECT r.id FROM ",
        K::KIND.table(),
        " r WHERE r.deleted_at IS NULL AND r.id > $1 ORDER BY r.id LIMIT $2"
    );
    let mut after = Uuid::nil();
    loop {
        let found: Vec<Id> = select
            .clone()
            .query()
            .bind::<SqlUuid, _>(after)
            .bind::<BigInt, _>(BATCH)
            .load(conn)
            .await?;
        let Some(last) = found.last() else {
            return Ok(());
        };
        after = last.id;
        let ids: Vec<Uuid> = found.iter().map(|f| f.id).collect();
        let records = K::load(conn, vocabulary, &ids, audience).await?;
        if !each(in_found_order(&ids, records, K::id)).await? {
            return Ok(());
        }
    }
}
