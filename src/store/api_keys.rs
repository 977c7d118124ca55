//! API keys in the database: creation, listing, revocation, and looking up
//! the key a request presents. Only SHA-256 hashes of tokens are stored.

use chrono::{DateTime, Utc};
use diesel::dsl::now;
use diesel::prelude::*;
use diesel::sql_types::{Bytea, Text, Timestamptz, Uuid as SqlUuid};
use diesel::{QueryableByName, sql_query};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::auth::{KeyHolder, NewToken, Role, is_well_formed, token_hash};
use crate::error::{ApiError, ApiResult};
use crate::schema::api_keys;
use crate::sql::coalesce;

/// An API key as admins see it. The token itself is only in the answer to
/// its creation.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(example = json!({
    "id": "01938b1e-7f00-7aaa-8000-0000000000a1",
    "name": "Portal of the Dutch AI coalition",
    "role": "reader",
    "tokenPrefix": "aimd_Xq3v9Z",
    "createdAt": "2026-11-28T10:00:00Z",
    "expiresAt": "2027-11-28T00:00:00Z",
    "revokedAt": null,
    "lastUsedAt": "2026-11-28T12:31:07Z"
}))]
pub struct ApiKey {
    pub id: Uuid,
    /// Who or what the key is for.
    pub name: String,
    pub role: Role,
    /// The first characters of the token, to tell keys apart.
    pub token_prefix: String,
    pub created_at: DateTime<Utc>,
    pub expires_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
    /// When the key was last used, to within a minute.
    pub last_used_at: Option<DateTime<Utc>>,
}

#[derive(Queryable, Selectable)]
#[diesel(table_name = api_keys, check_for_backend(diesel::pg::Pg))]
struct ApiKeyRow {
    id: Uuid,
    name: String,
    role: Role,
    token_prefix: String,
    created_at: DateTime<Utc>,
    expires_at: Option<DateTime<Utc>>,
    revoked_at: Option<DateTime<Utc>>,
    last_used_at: Option<DateTime<Utc>>,
}

impl From<ApiKeyRow> for ApiKey {
    fn from(row: ApiKeyRow) -> Self {
        Self {
            id: row.id,
            name: row.name,
            role: row.role,
            token_prefix: row.token_prefix,
            created_at: row.created_at,
            expires_at: row.expires_at,
            revoked_at: row.revoked_at,
            last_used_at: row.last_used_at,
        }
    }
}

/// A new key with its token, which is shown this once.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(example = json!({
    "id": "01938b1e-7f00-7aaa-8000-0000000000a1",
    "name": "Portal of the Dutch AI coalition",
    "role": "reader",
    "tokenPrefix": "aimd_Xq3v9Z",
    "createdAt": "2026-11-28T10:00:00Z",
    "expiresAt": "2027-11-28T00:00:00Z",
    "revokedAt": null,
    "lastUsedAt": null,
    "token": "aimd_Xq3v9ZkR2m8cPq0wYt7LbN4sJd6fHg1aVe5uTi9oKzQ"
}))]
pub struct CreatedApiKey {
    #[serde(flatten)]
    pub key: ApiKey,
    /// The secret to send as `Authorization: Bearer <token>`. It is not
    /// stored and cannot be shown again.
    #[schema(example = "aimd_Xq3v9ZkR2m8cPq0wYt7LbN4sJd6fHg1aVe5uTi9oKzQ")]
    pub token: String,
}

pub async fn create(
    conn: &mut AsyncPgConnection,
    name: &str,
    role: Role,
    expires_at: Option<DateTime<Utc>>,
) -> ApiResult<CreatedApiKey> {
    let token = NewToken::generate()?;
    let key: ApiKeyRow = diesel::insert_into(api_keys::table)
        .values((
            api_keys::id.eq(Uuid::now_v7()),
            api_keys::name.eq(name),
            api_keys::role.eq(role.as_str()),
            api_keys::token_prefix.eq(&token.shown_prefix),
            api_keys::token_hash.eq(&token.hash),
            api_keys::created_at.eq(now),
            api_keys::expires_at.eq(expires_at),
        ))
        .returning(ApiKeyRow::as_returning())
        .get_result(conn)
        .await?;
    Ok(CreatedApiKey {
        key: key.into(),
        token: token.token,
    })
}

/// Every key, oldest first: there are few.
pub async fn list(conn: &mut AsyncPgConnection) -> ApiResult<Vec<ApiKey>> {
    let rows: Vec<ApiKeyRow> = api_keys::table
        .order(api_keys::id)
        .select(ApiKeyRow::as_select())
        .load(conn)
        .await?;
    Ok(rows.into_iter().map(ApiKey::from).collect())
}

pub async fn get(conn: &mut AsyncPgConnection, id: Uuid) -> ApiResult<ApiKey> {
    api_keys::table
        .find(id)
        .select(ApiKeyRow::as_select())
        .get_result(conn)
        .await
        .optional()?
        .map(ApiKey::from)
        .ok_or_else(|| not_found(id))
}

/// Revokes a key (from now on it is refused); revoking twice keeps the
/// first time.
pub async fn revoke(conn: &mut AsyncPgConnection, id: Uuid) -> ApiResult<ApiKey> {
    diesel::update(api_keys::table.find(id))
        .set(api_keys::revoked_at.eq(coalesce(
            api_keys::revoked_at,
            now.into_sql::<Timestamptz>().nullable(),
        )))
        .returning(ApiKeyRow::as_returning())
        .get_result(conn)
        .await
        .optional()?
        .map(ApiKey::from)
        .ok_or_else(|| not_found(id))
}

fn not_found(id: Uuid) -> ApiError {
    ApiError::NotFound(format!("no API key has id {id}"))
}

#[derive(QueryableByName)]
struct Presented {
    #[diesel(sql_type = SqlUuid)]
    id: Uuid,
    #[diesel(sql_type = Text)]
    name: String,
    #[diesel(sql_type = Text)]
    role: Role,
    #[diesel(sql_type = Text)]
    refusal: String,
}

/// The holder of the key a request presents, or a 401 saying why not. The
/// reason is generic for unknown tokens, so probing learns nothing.
pub async fn authenticate(conn: &mut AsyncPgConnection, token: &str) -> ApiResult<KeyHolder> {
    if !is_well_formed(token) {
        return Err(ApiError::Unauthorized(
            "the bearer token is not an API key of this registry".to_owned(),
        ));
    }
    // Marks the key used at most once a minute, so reads do not become
    // a write per request.
    let found: Option<Presented> = sql_query(
        "WITH key AS (SELECT id, name, role, CASE WHEN revoked_at IS NOT NULL THEN 'revoked' \
                WHEN expires_at <= now() THEN 'expired' ELSE '' END AS refusal, last_used_at \
             FROM api_keys WHERE token_hash = $1), \
         used AS (UPDATE api_keys SET last_used_at = now() FROM key \
             WHERE api_keys.id = key.id AND key.refusal = '' \
               AND (key.last_used_at IS NULL OR key.last_used_at < now() - interval '1 minute')) \
         SELECT id, name, role, refusal FROM key",
    )
    .bind::<Bytea, _>(token_hash(token))
    .get_result(conn)
    .await
    .optional()?;
    match found {
        None => Err(ApiError::Unauthorized(
            "the API key is not known".to_owned(),
        )),
        Some(key) if !key.refusal.is_empty() => Err(ApiError::Unauthorized(format!(
            "the API key '{}' was {}",
            key.name, key.refusal
        ))),
        Some(key) => Ok(KeyHolder {
            id: key.id,
            name: key.name,
            role: key.role,
        }),
    }
}
