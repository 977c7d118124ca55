//! A record's history over HTTP: the change context a request carries
//! (its caller, request id and `X-Change-Message`) and the history pages.
//! Entries are written by `store::history` in the change's transaction.

use std::future::{Ready, ready};

use actix_web::dev::Payload;
use actix_web::http::header::HeaderName;
use actix_web::{FromRequest, HttpMessage, HttpRequest, HttpResponse, web};

use crate::api::middleware::RequestId;
use crate::api::state::AppState;
use crate::auth::{Audience, Caller};
use crate::domain::history::{ChangeContext, HistoryPage};
use crate::domain::page::{PageRequest, cut};
use crate::domain::query::{QueryReader, path_id};
use crate::error::{ApiError, ApiResult};
use crate::store::history;
use crate::store::records::{self, Kind};

pub const CHANGE_MESSAGE: HeaderName = HeaderName::from_static("x-change-message");
const MAX_MESSAGE_CHARS: usize = 1000;
/// Marks cursors of history pages, whose key is the last `seq` handed out.
const CURSOR_SORT: &str = "history";

impl ChangeContext {
    /// The context of a change made by this request.
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
    crate::api::openapi::parameters::own_value_header(
        "X-Change-Message",
        false,
        "Why the change is made; kept with it in the record's history",
        ObjectBuilder::new()
            .schema_type(Type::String)
            .max_length(Some(MAX_MESSAGE_CHARS)),
        "Title corrected after the 2026 revision",
    )
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
    let mut items = history::page(&mut conn, id, before, limit + 1).await?;
    let next = cut(&mut items, limit, CURSOR_SORT, |last| {
        (Some(last.seq.to_string()), id)
    });
    let mut response = HttpResponse::Ok();
    if let Some(cursor) = &next {
        response.insert_header((
            actix_web::http::header::LINK,
            crate::api::respond::next_link(&request, cursor),
        ));
    }
    Ok(response.json(HistoryPage { items, next }))
}
