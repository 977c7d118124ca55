//! Safe retries of creations: a `POST` with an `Idempotency-Key` header is
//! remembered per API key with a hash of its body and the answer it got
//! (the header is read in `api::idempotency`).
//! A retry with the same key and body within 24 hours gets that answer again
//! and creates nothing; the same key with another body is refused (422).
//! Claims are made in the creating transaction, so of two concurrent
//! requests with one key the second waits for the first and then replays it.

use diesel::dsl::{IntervalDsl, now};
use diesel::prelude::*;
use diesel::sql_types::Timestamptz;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use serde_json::Value;
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::error::{ApiError, ApiResult, InvalidParam};
use crate::schema::idempotency_keys as keys;

/// A client's idempotency key, scoped to its API key and the route.
pub struct Claim {
    key_id: Uuid,
    idempotency: String,
    route: String,
    request_hash: Vec<u8>,
}

/// A remembered answer to a creation.
pub struct Remembered {
    pub location: String,
    pub version: i64,
    /// The JSON body exactly as first sent, so that its ETag is the same.
    pub body: String,
}

impl Claim {
    /// A claim of `idempotency` (the header's value, checked) by the API key
    /// `key_id` for a request to `route` with `body`.
    pub fn new(key_id: Uuid, idempotency: &str, route: String, body: &Value) -> ApiResult<Self> {
        let canonical = serde_json::to_vec(body).map_err(ApiError::internal)?;
        Ok(Self {
            key_id,
            idempotency: idempotency.to_owned(),
            route,
            request_hash: Sha256::digest(&canonical).to_vec(),
        })
    }

    /// Claims the key for this request, or returns the answer a first
    /// request with it got.
    pub async fn claim(&self, conn: &mut AsyncPgConnection) -> ApiResult<Option<Remembered>> {
        let this = keys::key_id
            .eq(self.key_id)
            .and(keys::idempotency.eq(&self.idempotency));
        diesel::delete(
            keys::table
                .filter(this.and(keys::created_at.lt(now.into_sql::<Timestamptz>() - 24.hours()))),
        )
        .execute(conn)
        .await?;
        let claimed = diesel::insert_into(keys::table)
            .values((
                keys::key_id.eq(self.key_id),
                keys::idempotency.eq(&self.idempotency),
                keys::route.eq(&self.route),
                keys::request_hash.eq(&self.request_hash),
                keys::created_at.eq(now),
            ))
            .on_conflict_do_nothing()
            .execute(conn)
            .await?;
        if claimed == 1 {
            return Ok(None);
        }
        let earlier: Earlier = keys::table
            .filter(this)
            .select(Earlier::as_select())
            .get_result(conn)
            .await?;
        if earlier.route == self.route && earlier.request_hash.is_empty() {
            return Err(ApiError::Gone(
                "the record this Idempotency-Key created has since been erased; it is not \
                 created again under this key"
                    .to_owned(),
            ));
        }
        if earlier.route != self.route || earlier.request_hash != self.request_hash {
            let reason = "was used within the last 24 hours for a different request";
            return Err(ApiError::Unprocessable(
                vec![InvalidParam::new("Idempotency-Key", "key-reused", reason)],
                format!("this Idempotency-Key {reason}; use a new key for a new request"),
            ));
        }
        match (earlier.location, earlier.version, earlier.body) {
            (Some(location), Some(version), Some(body)) => Ok(Some(Remembered {
                location,
                version,
                body,
            })),
            _ => Err(ApiError::internal(
                "an idempotency key was claimed without an answer",
            )),
        }
    }

    /// Remembers the answer, in the transaction that created the record.
    pub async fn remember(
        &self,
        conn: &mut AsyncPgConnection,
        answer: &Remembered,
    ) -> ApiResult<()> {
        let this = keys::key_id
            .eq(self.key_id)
            .and(keys::idempotency.eq(&self.idempotency));
        diesel::update(keys::table.filter(this))
            .set((
                keys::location.eq(&answer.location),
                keys::version.eq(answer.version),
                keys::body.eq(&answer.body),
            ))
            .execute(conn)
            .await?;
        Ok(())
    }
}

/// Forgets what the creation of `location` sent and got (erasure): its
/// retries are refused with 410 from then on, until the key expires.
pub async fn forget_answers(conn: &mut AsyncPgConnection, location: &str) -> ApiResult<()> {
    diesel::update(keys::table.filter(keys::location.eq(location)))
        .set((
            keys::request_hash.eq(Vec::<u8>::new()),
            keys::body.eq(None::<String>),
            keys::version.eq(None::<i64>),
        ))
        .execute(conn)
        .await?;
    Ok(())
}

#[derive(Queryable, Selectable)]
#[diesel(table_name = keys, check_for_backend(diesel::pg::Pg))]
struct Earlier {
    route: String,
    request_hash: Vec<u8>,
    location: Option<String>,
    version: Option<i64>,
    body: Option<String>,
}
