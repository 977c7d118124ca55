//! `/v1/api-keys`: admins create, list and revoke the keys clients use.

use crate::api::access::{Allowed, least};
use crate::auth::Audience;
use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, delete, get, post, web};
use chrono::Utc;
use serde::Serialize;
use serde_json::Value;
use utoipa::ToSchema;

use crate::auth::Role;
use crate::domain::input::ObjectReader;
use crate::domain::query::{QueryReader, path_id};
use crate::domain::values::{Text, Timestamp};
use crate::error::ApiResult;
use crate::store::api_keys::{self, ApiKey, CreatedApiKey};

/// Every API key.
#[derive(Serialize, ToSchema)]
pub struct ApiKeyList {
    /// Oldest first, revoked and expired ones included.
    pub items: Vec<ApiKey>,
}

/// As long as the `api_keys` table allows.
type KeyName = Text<200>;

/// A new key: who it is for, its role, and optionally when it expires.
#[derive(ToSchema)]
#[schema(rename_all = "camelCase", example = json!({"name": "Portal of the Dutch AI coalition", "role": "reader", "expiresAt": "2027-11-28T00:00:00Z"}))]
pub struct ApiKeyDraft {
    /// Who or what the key is for.
    #[schema(value_type = String, min_length = 1, max_length = 200)]
    pub name: KeyName,
    pub role: Role,
    /// When the key stops working; in the future. Absent: it does not expire.
    #[schema(value_type = Option<chrono::DateTime<Utc>>, required = false)]
    pub expires_at: Option<Timestamp>,
}

impl ApiKeyDraft {
    fn parse(body: &Value) -> ApiResult<Self> {
        let mut reader = ObjectReader::new(body, &["name", "role", "expiresAt"])?;
        let name = reader.required("name");
        let role = reader.required("role");
        let expires_at: Option<Timestamp> = reader.optional("expiresAt");
        if expires_at.is_some_and(|t| t.0 <= Utc::now()) {
            reader.error("expiresAt", "in-the-past", "must be in the future");
        }
        reader.finish(|| {
            Some(Self {
                name: name?,
                role: role?,
                expires_at,
            })
        })
    }
}

/// List API keys
///
/// Every key: its name, role, token prefix, creation, last use, expiry and revocation; never a token or its hash.
#[utoipa::path(
    tag = "api-keys",
    operation_id = "listApiKeys",
    responses((status = 200, description = "Every key, without tokens", body = ApiKeyList))
)]
#[get("/api-keys")]
pub async fn list_api_keys(
    Allowed { state, .. }: Allowed<least::Admin>,
    request: HttpRequest,
) -> ApiResult<HttpResponse> {
    QueryReader::new(request.query_string(), &[]).finish()?;
    let mut conn = state.conn(Audience::Staff).await?;
    let items = api_keys::list(&mut conn).await?;
    Ok(HttpResponse::Ok().json(ApiKeyList { items }))
}

/// Create an API key
///
/// The answer holds the token, once: only its hash is stored.
#[utoipa::path(
    tag = "api-keys",
    operation_id = "createApiKey",
    request_body(content = ApiKeyDraft, content_type = "application/json"),
    responses((status = 201, description = "Created; the token is in the body and cannot be shown again", body = CreatedApiKey, headers(("Location" = String, description = "The key's URL"))))
)]
#[post("/api-keys")]
pub async fn create_api_key(
    Allowed { state, .. }: Allowed<least::Admin>,
    body: web::Json<Value>,
) -> ApiResult<HttpResponse> {
    let draft = ApiKeyDraft::parse(&body)?;
    let mut conn = state.conn(Audience::Staff).await?;
    let expires_at = draft.expires_at.map(|t| t.0);
    let created = api_keys::create(&mut conn, draft.name.as_str(), draft.role, expires_at).await?;
    Ok(HttpResponse::Created()
        .insert_header((header::LOCATION, format!("/v1/api-keys/{}", created.key.id)))
        .json(created))
}

/// Get an API key
///
/// One key: its name, role, token prefix, creation, last use, expiry and revocation; never its token or its hash.
#[utoipa::path(
    tag = "api-keys",
    operation_id = "getApiKey",
    params(("id" = Uuid, Path, description = "The key's id, as listed by `GET /v1/api-keys`")),
    responses((status = 200, description = "The key, without its token", body = ApiKey))
)]
#[get("/api-keys/{id}")]
pub async fn get_api_key(
    Allowed { state, .. }: Allowed<least::Admin>,
    id: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let id = path_id("id", &id)?;
    let mut conn = state.conn(Audience::Staff).await?;
    Ok(HttpResponse::Ok().json(api_keys::get(&mut conn, id).await?))
}

/// Revoke an API key
///
/// The key is refused from now on; it stays listed with `revokedAt`.
#[utoipa::path(
    tag = "api-keys",
    operation_id = "revokeApiKey",
    params(("id" = Uuid, Path, description = "The key's id, as listed by `GET /v1/api-keys`")),
    responses((status = 200, description = "The revoked key", body = ApiKey))
)]
#[delete("/api-keys/{id}")]
pub async fn revoke_api_key(
    Allowed { state, .. }: Allowed<least::Admin>,
    id: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let id = path_id("id", &id)?;
    let mut conn = state.conn(Audience::Staff).await?;
    let revoked = api_keys::revoke(&mut conn, id).await?;
    // Other instances stop accepting it within `key_ring::REUSE`.
    state.keys.forget_all();
    Ok(HttpResponse::Ok().json(revoked))
}
