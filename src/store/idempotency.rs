//! Safe retries of creations: a `POST` with an `Idempotency-Key` header is
//! remembered (the header is read in `api::idempotency`) (per API key) with a hash of its body and the answer it got.
//! A retry with the same key and body within 24 hours gets that answer again
//! and creates nothing; the same key with another body is refused (422).
//! Claims are made in the creating transaction, so of two concurrent
//! requests with one key the second waits for the first and then replays it.

use diesel::sql_types::{BigInt, Bytea, Nullable, Text, Uuid as SqlUuid};
use diesel::{QueryableByName, sql_query};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use serde_json::Value;
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::error::{ApiError, ApiResult, InvalidParam};

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
        sql_query(
            "DELETE FROM idempotency_keys WHERE key_id = $1 AND idempotency = $2 \
             AND created_at < now() - interval '24 hours'",
        )
        .bind::<SqlUuid, _>(self.key_id)
        .bind::<Text, _>(&self.idempotency)
        .execute(conn)
        .await?;
        let claimed = sql_query(
            "INSERT INTO idempotency_keys (key_id, idempotency, route, request_hash, created_at) \
             VALUES ($1, $2, $3, $4, now()) ON CONFLICT DO NOTHING",
        )
        .bind::<SqlUuid, _>(self.key_id)
        .bind::<Text, _>(&self.idempotency)
        .bind::<Text, _>(&self.route)
        .bind::<Bytea, _>(&self.request_hash)
        .execute(conn)
        .await?;
        if claimed == 1 {
            return Ok(None);
        }
        let earlier: Earlier = sql_query(
            "SELECT route, request_hash, location, version, body FROM idempotency_keys \
             WHERE key_id = $1 AND idempotency = $2",
        )
        .bind::<SqlUuid, _>(self.key_id)
        .bind::<Text, _>(&self.idempotency)
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
        sql_query(
            "UPDATE idempotency_keys SET location = $3, version = $4, body = $5 \
             WHERE key_id = $1 AND idempotency = $2",
        )
        .bind::<SqlUuid, _>(self.key_id)
        .bind::<Text, _>(&self.idempotency)
        .bind::<Text, _>(&answer.location)
        .bind::<BigInt, _>(answer.version)
        .bind::<Text, _>(&answer.body)
        .execute(conn)
        .await?;
        Ok(())
    }
}

/// Forgets what the creation of `location` sent and got (erasure): its
/// retries are refused with 410 from then on, until the key expires.
pub async fn forget_answers(conn: &mut AsyncPgConnection, location: &str) -> ApiResult<()> {
    sql_query(
        "UPDATE idempotency_keys SET request_hash = '', body = NULL, version = NULL \
         WHERE location = $1",
    )
    .bind::<Text, _>(location)
    .execute(conn)
    .await?;
    Ok(())
}

#[derive(QueryableByName)]
struct Earlier {
    #[diesel(sql_type = Text)]
    route: String,
    #[diesel(sql_type = Bytea)]
    request_hash: Vec<u8>,
    #[diesel(sql_type = Nullable<Text>)]
    location: Option<String>,
    #[diesel(sql_type = Nullable<BigInt>)]
    version: Option<i64>,
    #[diesel(sql_type = Nullable<Text>)]
    body: Option<String>,
}
