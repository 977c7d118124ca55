//! The history of every record: one entry per change, written in the
//! transaction that makes the change, with who made it, when, in which
//! request, why (`X-Change-Message`), and the before and after values of
//! what changed.

use crate::auth::Audience;
use std::future::{Ready, ready};

use actix_web::dev::Payload;
use actix_web::http::header::HeaderName;
use actix_web::{FromRequest, HttpMessage, HttpRequest, HttpResponse, web};
use chrono::{DateTime, Utc};
use diesel::sql_types::{BigInt, Jsonb, Nullable, Text, Timestamptz, Uuid as SqlUuid};
use diesel::{QueryableByName, sql_query};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use serde::Serialize;
use serde_json::{Map, Value, json};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::api::middleware::RequestId;
use crate::api::page::{Cursor, PageRequest, encode_cursor};
use crate::api::query::{QueryReader, path_id};
use crate::api::state::AppState;
use crate::auth::{Caller, KeyHolder};
use crate::domain::enums::HistoryAction;
use crate::error::{ApiError, ApiResult};
use crate::store::records::{self, Kind};

pub const CHANGE_MESSAGE: HeaderName = HeaderName::from_static("x-change-message");
const MAX_MESSAGE_CHARS: usize = 1000;
/// Marks cursors of history pages, whose key is the last `seq` handed out.
const CURSOR_SORT: &str = "history";

/// Who is making a change, in which request, and why.
#[derive(Debug, Clone)]
pub struct ChangeContext {
    pub actor: Option<KeyHolder>,
    pub request_id: Option<String>,
    pub message: Option<String>,
}

impl ChangeContext {
    pub fn read(request: &HttpRequest) -> ApiResult<Self> {
        let message = match request.headers().get(CHANGE_MESSAGE) {
            None => None,
            Some(value) => {
                let text = std::str::from_utf8(value.as_bytes())
                    .ok()
                    .map(str::trim)
                    .filter(|t| t.chars().count() <= MAX_MESSAGE_CHARS)
                    .ok_or_else(|| {
                        ApiError::invalid(
                            "X-Change-Message",
                            "invalid-message",
                            format!("must be UTF-8 text of at most {MAX_MESSAGE_CHARS} characters"),
                        )
                    })?;
                (!text.is_empty()).then(|| text.to_owned())
            }
        };
        let extensions = request.extensions();
        Ok(Self {
            actor: extensions.get::<Caller>().and_then(|c| c.key().cloned()),
            request_id: extensions.get::<RequestId>().map(|r| r.0.clone()),
            message,
        })
    }
}

impl ChangeContext {
    pub fn actor_id(&self) -> Option<Uuid> {
        self.actor.as_ref().map(|a| a.id)
    }
}

impl FromRequest for ChangeContext {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(request: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(Self::read(request))
    }
}

/// The `X-Change-Message` header that [`ChangeContext`] reads, as the spec
/// documents it.
pub fn change_message_header() -> utoipa::openapi::path::Parameter {
    use utoipa::openapi::{ObjectBuilder, Type};
    crate::api::openapi::parameters::header_parameter(
        "X-Change-Message",
        false,
        "Why the change is made; kept with it in the record's history",
        ObjectBuilder::new()
            .schema_type(Type::String)
            .max_length(Some(MAX_MESSAGE_CHARS)),
        "Title corrected after the 2026 revision".into(),
    )
}

/// The fields that differ between two JSON objects, as
/// `{"field": {"before": …, "after": …}}`.
pub fn diff(before: &Value, after: &Value) -> Value {
    let empty = Map::new();
    let before = before.as_object().unwrap_or(&empty);
    let after = after.as_object().unwrap_or(&empty);
    let mut changes = Map::new();
    for key in before
        .keys()
        .chain(after.keys().filter(|k| !before.contains_key(*k)))
    {
        let old = before.get(key).unwrap_or(&Value::Null);
        let new = after.get(key).unwrap_or(&Value::Null);
        if old != new {
            changes.insert(key.clone(), json!({"before": old, "after": new}));
        }
    }
    Value::Object(changes)
}

/// The change of one link, keyed by the other record: `{"organisations/<id>": {"before": …, "after": …}}`.
pub fn link_change(other_kind: Kind, other: Uuid, before: &Value, after: &Value) -> Value {
    json!({ format!("{}s/{other}", other_kind.noun()): {"before": before, "after": after} })
}

/// Writes one history entry.
pub async fn record(
    conn: &mut AsyncPgConnection,
    context: &ChangeContext,
    kind: Kind,
    id: Uuid,
    action: HistoryAction,
    changes: Value,
) -> ApiResult<()> {
    sql_query(
        "INSERT INTO history (kind, record_id, action, actor_key_id, actor_name, at, request_id, message, changes) \
         VALUES ($1, $2, $3, $4, $5, now(), $6, $7, $8)",
    )
    .bind::<Text, _>(kind.noun())
    .bind::<SqlUuid, _>(id)
    .bind::<Text, _>(action.as_str())
    .bind::<Nullable<SqlUuid>, _>(context.actor.as_ref().map(|a| a.id))
    .bind::<Nullable<Text>, _>(context.actor.as_ref().map(|a| a.name.as_str()))
    .bind::<Nullable<Text>, _>(context.request_id.as_deref())
    .bind::<Nullable<Text>, _>(context.message.as_deref())
    .bind::<Jsonb, _>(changes)
    .execute(conn)
    .await?;
    Ok(())
}

/// Who made a change: the API key used.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Actor {
    pub key_id: Uuid,
    #[schema(example = "NEN curator J. de Vries")]
    pub name: String,
}

/// One change of a record.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(example = json!({
    "seq": 1042,
    "kind": "initiative",
    "recordId": "01938b1e-7f00-7aaa-8000-000000000001",
    "action": "updated",
    "actor": {"keyId": "01938b1e-7f00-7aaa-8000-0000000000a1", "name": "NEN curator"},
    "at": "2026-11-28T10:15:00Z",
    "requestId": "01938b1e-7f00-7aaa-8000-00000000abcd",
    "message": "Status after the final vote",
    "changes": {"status": {"before": "active", "after": "completed"}}
}))]
pub struct HistoryEntry {
    /// Position in the registry-wide sequence of changes.
    pub seq: i64,
    #[schema(example = "initiative")]
    pub kind: String,
    pub record_id: Uuid,
    pub action: HistoryAction,
    /// `null` for changes made outside the API (migrations, the command line).
    pub actor: Option<Actor>,
    pub at: DateTime<Utc>,
    pub request_id: Option<String>,
    /// The `X-Change-Message` sent with the change.
    pub message: Option<String>,
    /// For each changed field (or link, as `<kind>s/<id>`), its value before and after.
    #[schema(value_type = Object)]
    pub changes: Value,
}

/// A page of a record's history, newest first.
#[derive(Debug, Serialize, ToSchema)]
pub struct HistoryPage {
    pub items: Vec<HistoryEntry>,
    /// Cursor for the next (older) page; `null` on the last page.
    #[schema(
        example = "eyJzIjoiaGlzdG9yeSIsImsiOiIxMDQxIiwiaSI6IjAxOTM4YjFlLTdmMDAtN2FhYS04MDAwLTAwMDAwMDAwMDAwMSJ9"
    )]
    pub next: Option<String>,
}

#[derive(QueryableByName)]
struct EntryRow {
    #[diesel(sql_type = BigInt)]
    seq: i64,
    #[diesel(sql_type = Text)]
    kind: String,
    #[diesel(sql_type = SqlUuid)]
    record_id: Uuid,
    #[diesel(sql_type = Text)]
    action: HistoryAction,
    #[diesel(sql_type = Nullable<SqlUuid>)]
    actor_key_id: Option<Uuid>,
    #[diesel(sql_type = Nullable<Text>)]
    actor_name: Option<String>,
    #[diesel(sql_type = Timestamptz)]
    at: DateTime<Utc>,
    #[diesel(sql_type = Nullable<Text>)]
    request_id: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    message: Option<String>,
    #[diesel(sql_type = Jsonb)]
    changes: Value,
}

impl From<EntryRow> for HistoryEntry {
    fn from(row: EntryRow) -> Self {
        Self {
            seq: row.seq,
            kind: row.kind,
            record_id: row.record_id,
            action: row.action,
            actor: row.actor_key_id.map(|key_id| Actor {
                key_id,
                name: row.actor_name.unwrap_or_default(),
            }),
            at: row.at,
            request_id: row.request_id,
            message: row.message,
            changes: row.changes,
        }
    }
}

/// `GET /v1/{kind}/{id}/history`: newest first, by keyset on `seq`.
pub async fn list(
    state: web::Data<AppState>,
    request: HttpRequest,
    kind: Kind,
    raw_id: &str,
) -> ApiResult<HttpResponse> {
    let id = path_id("id", raw_id)?;
    let mut query = QueryReader::new(request.query_string(), &["limit", "cursor"]);
    let page = PageRequest::read(&mut query);
    query.finish()?;
    let limit = page.limit;
    let before = match page.cursor {
        None => None,
        Some(cursor) => Some(
            cursor
                .key
                .and_then(|k| k.parse::<i64>().ok())
                .filter(|_| cursor.sort == CURSOR_SORT && cursor.id == id)
                .ok_or_else(|| {
                    ApiError::invalid(
                        "cursor",
                        "invalid-cursor",
                        "is not a cursor of this record's history",
                    )
                })?,
        ),
    };
    let mut conn = state.conn(Audience::Staff).await?;
    if !records::ever_existed(&mut conn, kind, id).await? {
        return Err(records::not_found(kind, id));
    }
    let rows: Vec<EntryRow> = sql_query(
        "SELECT seq, kind, record_id, action, actor_key_id, actor_name, at, request_id, message, changes \
         FROM history WHERE record_id = $1 AND seq < $2 ORDER BY seq DESC LIMIT $3",
    )
    .bind::<SqlUuid, _>(id)
    .bind::<BigInt, _>(before.unwrap_or(i64::MAX))
    .bind::<BigInt, _>(limit + 1)
    .load(&mut conn)
    .await?;
    let mut items: Vec<HistoryEntry> = rows.into_iter().map(HistoryEntry::from).collect();
    let more = items.len() > usize::try_from(limit).unwrap_or(usize::MAX);
    items.truncate(usize::try_from(limit).unwrap_or(usize::MAX));
    let next = more.then(|| items.last()).flatten().map(|last| {
        encode_cursor(&Cursor {
            sort: CURSOR_SORT.to_owned(),
            key: Some(last.seq.to_string()),
            id,
        })
    });
    let mut response = HttpResponse::Ok();
    if let Some(cursor) = &next {
        response.insert_header((
            actix_web::http::header::LINK,
            crate::api::page::next_link(&request, cursor),
        ));
    }
    Ok(response.json(HistoryPage { items, next }))
}
