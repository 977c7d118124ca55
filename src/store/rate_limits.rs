//! The statements that share rate-limit counts between instances.

use diesel::sql_types::{Array, BigInt, Bool, Text, Uuid as SqlUuid};
use diesel::{QueryableByName, sql_query};
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use crate::error::ApiResult;

/// Requests of one caller in one window (by its start, in Unix seconds).
#[derive(Debug, Clone, PartialEq, Eq, QueryableByName)]
pub struct Counted {
    #[diesel(sql_type = Text)]
    pub caller: String,
    #[diesel(sql_type = BigInt)]
    pub window_start: i64,
    #[diesel(sql_type = BigInt)]
    pub count: i64,
}

#[derive(QueryableByName)]
struct Instances {
    #[diesel(sql_type = BigInt)]
    instances: i64,
}

/// Adds this instance's `counted` requests, says it is alive, and reads
/// back every instance's counts of `callers` in windows from `oldest` on,
/// and how many instances were seen in the last 5 s. With `prune`, windows
/// older than `oldest` and instances silent for a minute are deleted.
/// All in one transaction: either every count is stored, or none is (and
/// the caller gives them back to be sent again).
pub async fn sync(
    conn: &mut AsyncPgConnection,
    instance: Uuid,
    counted: &[Counted],
    callers: &[String],
    oldest: i64,
    prune: bool,
) -> ApiResult<(Vec<Counted>, u64)> {
    conn.transaction(async |conn| {
        let instances: Instances = sql_query(
            "WITH seen AS (INSERT INTO rate_instances (id, seen_at) VALUES ($1, now()) \
                       ON CONFLICT (id) DO UPDATE SET seen_at = now()), \
              pruned AS (DELETE FROM rate_instances \
                         WHERE $2 AND id <> $1 AND seen_at < now() - interval '1 minute') \
         SELECT 1 + count(*) AS instances FROM rate_instances \
         WHERE id <> $1 AND seen_at > now() - interval '5 seconds'",
        )
        .bind::<SqlUuid, _>(instance)
        .bind::<Bool, _>(prune)
        .get_result(conn)
        .await?;
        if !counted.is_empty() {
            let (names, starts, counts): (Vec<&str>, Vec<i64>, Vec<i64>) = counted
                .iter()
                .map(|c| (c.caller.as_str(), c.window_start, c.count))
                .fold(
                    (Vec::new(), Vec::new(), Vec::new()),
                    |(mut n, mut s, mut c), (a, b, d)| {
                        n.push(a);
                        s.push(b);
                        c.push(d);
                        (n, s, c)
                    },
                );
            sql_query(
                "INSERT INTO rate_windows (caller, window_start, count) \
             SELECT * FROM unnest($1::text[], $2::bigint[], $3::bigint[]) \
             ON CONFLICT (caller, window_start) \
             DO UPDATE SET count = rate_windows.count + EXCLUDED.count",
            )
            .bind::<Array<Text>, _>(names)
            .bind::<Array<BigInt>, _>(starts)
            .bind::<Array<BigInt>, _>(counts)
            .execute(conn)
            .await?;
        }
        if prune {
            sql_query("DELETE FROM rate_windows WHERE window_start < $1")
                .bind::<BigInt, _>(oldest)
                .execute(conn)
                .await?;
        }
        let totals = sql_query(
            "SELECT caller, window_start, count FROM rate_windows \
         WHERE caller = ANY($1) AND window_start >= $2",
        )
        .bind::<Array<Text>, _>(callers)
        .bind::<BigInt, _>(oldest)
        .load(conn)
        .await?;
        Ok((totals, u64::try_from(instances.instances).unwrap_or(1)))
    })
    .await
}
