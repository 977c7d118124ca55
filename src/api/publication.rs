//! `POST /v1/{kind}/{id}/publication`: a step of the review-and-publish
//! workflow (`registry::publication`).

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use diesel_async::AsyncConnection;
use serde_json::Value;

use crate::api::crud::Resource;
use crate::api::if_match;
use crate::api::respond::record_response;
use crate::api::state::AppState;
use crate::auth::{Audience, Caller};
use crate::domain::history::ChangeContext;
use crate::domain::publication::PublicationStep;
use crate::domain::query::path_id;
use crate::error::ApiResult;
use crate::registry::publication::{SelfApproval, refuse_unless_allowed, take_step};
use crate::store::records;

pub async fn act<R: Resource>(
    state: web::Data<AppState>,
    request: HttpRequest,
    raw_id: &str,
    body: web::Json<Value>,
) -> ApiResult<HttpResponse> {
    let id = path_id("id", raw_id)?;
    let step = PublicationStep::parse(&body)?;
    let precondition = if_match::precondition(&request)?;
    let mut context = ChangeContext::read(&request)?;
    if let Some(message) = &step.message {
        context.message = Some(message.as_str().to_owned());
    }
    let caller = Caller::of_request(&request);
    refuse_unless_allowed(&caller, &step)?;
    let self_approval = SelfApproval(state.policy.allow_self_approval);
    let vocabulary = &state.vocabulary;
    let mut conn = state.conn(Audience::Staff).await?;
    let record = conn
        .transaction(async |conn| {
            take_step::<R>(
                conn,
                vocabulary,
                &context,
                &caller,
                id,
                precondition,
                &step,
                self_approval,
            )
            .await?;
            records::find::<R>(conn, vocabulary, id, Audience::Staff).await
        })
        .await?;
    Ok(record_response(
        StatusCode::OK,
        R::version(&record),
        &record,
    ))
}
