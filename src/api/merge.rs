//! `POST /v1/{kind}/{id}/merge` with `{"into": id}` (`registry::merge`).

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use diesel_async::AsyncConnection;
use serde_json::Value;

use crate::api::crud::Resource;
use crate::api::if_match;
use crate::api::respond::record_response;
use crate::api::state::AppState;
use crate::auth::Audience;
use crate::domain::history::ChangeContext;
use crate::domain::merge::MergeRequest;
use crate::domain::query::path_id;
use crate::error::ApiResult;
use crate::registry;
use crate::store::records;

pub async fn merge<R: Resource>(
    state: web::Data<AppState>,
    request: HttpRequest,
    raw_id: &str,
    body: web::Json<Value>,
) -> ApiResult<HttpResponse> {
    let duplicate = path_id("id", raw_id)?;
    let survivor = MergeRequest::parse(&body)?.into;
    registry::merge::refuse_self_merge(R::KIND, duplicate, survivor)?;
    let precondition = if_match::precondition(&request)?;
    let context = ChangeContext::read(&request)?;
    let vocabulary = &state.vocabulary;
    let mut conn = state.conn(Audience::Staff).await?;
    let record = conn
        .transaction(async |conn| {
            registry::merge::merge(conn, &context, R::KIND, duplicate, survivor, precondition)
                .await?;
            records::find::<R>(conn, vocabulary, survivor, Audience::Staff).await
        })
        .await?;
    Ok(record_response(
        StatusCode::OK,
        R::version(&record),
        &record,
    ))
}
