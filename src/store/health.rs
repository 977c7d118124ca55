//! The statement readiness runs: is the database there, migrated, and
//! where is the change feed.

use diesel::sql_types::{BigInt, Nullable, Text};
use diesel::{QueryableByName, sql_query};
use diesel_async::{AsyncPgConnection, RunQueryDsl};

use crate::error::ApiResult;

/// What readiness reads from the database, in one round trip.
#[derive(Debug, QueryableByName)]
pub struct DatabaseState {
    /// The newest migration applied (diesel's version: the directory
    /// name's date and number).
    #[diesel(sql_type = Nullable<Text>)]
    pub migration: Option<String>,
    /// The position of the last change committed.
    #[diesel(sql_type = BigInt)]
    pub position: i64,
}

pub async fn database_state(conn: &mut AsyncPgConnection) -> ApiResult<DatabaseState> {
    let state = sql_query(
        "SELECT (SELECT max(version) FROM __diesel_schema_migrations) AS migration, \
                (SELECT position FROM change_counter) AS position",
    )
    .get_result(conn)
    .await?;
    Ok(state)
}
