//! `PUT` and `DELETE` of the four kinds of link (`registry::links`).

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use diesel_async::AsyncConnection;
use serde_json::Value;
use uuid::Uuid;

use crate::api::if_match;
use crate::api::respond::record_response;
use crate::api::state::AppState;
use crate::auth::{Audience, Caller};
use crate::domain::history::ChangeContext;
use crate::domain::links::LinkOutcome;
use crate::domain::query::path_id;
use crate::error::{ApiError, ApiResult};
use crate::registry::links::{LinkKind, apply, unlink};
use crate::store::records::{self, StoredKind};

fn ids<L: LinkKind>(path: &(String, String)) -> ApiResult<(Uuid, Uuid)> {
    Ok((path_id("id", &path.0)?, path_id(L::TARGET_PARAM, &path.1)?))
}

/// `PUT` a link: creates it (201) or sets its terms (200), and answers with
/// the owner as it now reads.
pub async fn put<L: LinkKind>(
    state: web::Data<AppState>,
    request: HttpRequest,
    path: web::Path<(String, String)>,
    body: web::Json<Value>,
) -> ApiResult<HttpResponse> {
    let (owner, target) = ids::<L>(&path)?;
    let terms = L::parse(&body)?;
    let precondition = if_match::precondition(&request)?;
    let context = ChangeContext::read(&request)?;
    let caller = Caller::of_request(&request);
    let vocabulary = &state.vocabulary;
    let mut conn = state.conn(Audience::Staff).await?;
    let (outcome, record) = conn
        .transaction(async |conn| {
            let outcome = apply::<L>(
                conn,
                &context,
                &caller,
                (owner, target),
                precondition,
                &terms,
            )
            .await?;
            Ok::<_, ApiError>((
                outcome,
                records::find::<L::Owner>(conn, vocabulary, owner, Audience::Staff).await?,
            ))
        })
        .await?;
    let status = if outcome == LinkOutcome::Created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok(record_response(status, L::Owner::version(&record), &record))
}

/// `DELETE` a link (204); 404 when there is none.
pub async fn delete<L: LinkKind>(
    state: web::Data<AppState>,
    request: HttpRequest,
    path: web::Path<(String, String)>,
) -> ApiResult<HttpResponse> {
    let (owner, target) = ids::<L>(&path)?;
    let precondition = if_match::precondition(&request)?;
    let context = ChangeContext::read(&request)?;
    let caller = Caller::of_request(&request);
    let mut conn = state.conn(Audience::Staff).await?;
    conn.transaction(async |conn| {
        unlink::<L>(conn, &context, &caller, (owner, target), precondition).await
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
}
