//! Merging duplicates: `POST /v1/{kind}/{id}/merge` with `{"into": id}`.
//! The duplicate's links move to the survivor (one link per pair, the
//! stronger role kept), the duplicate becomes a tombstone that answers 308
//! with the survivor's URL, and both histories record the merge.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use chrono::Utc;
use diesel_async::AsyncConnection;
use serde_json::{Value, json};
use utoipa::ToSchema;
use uuid::Uuid;

use super::crud::Resource;
use super::links;
use crate::api::if_match;
use crate::api::respond::record_response;
use crate::api::state::AppState;
use crate::auth::Audience;
use crate::domain::enums::HistoryAction;
use crate::domain::history::ChangeContext;
use crate::domain::input::single_field;
use crate::domain::query::path_id;
use crate::error::{ApiError, ApiResult};
use crate::store::history;
use crate::store::records;

/// Which record a duplicate is merged into.
#[derive(Debug, ToSchema)]
#[schema(example = json!({"into": "01938b1e-7f00-7aaa-8000-000000000002"}))]
pub struct MergeRequest {
    /// The surviving record, of the same kind, live and not merged itself.
    pub into: Uuid,
}

impl MergeRequest {
    fn parse(body: &Value) -> ApiResult<Self> {
        single_field(body, "into").map(|into| Self { into })
    }
}

pub async fn merge<R: Resource>(
    state: web::Data<AppState>,
    request: HttpRequest,
    raw_id: &str,
    body: web::Json<Value>,
) -> ApiResult<HttpResponse> {
    let duplicate = path_id("id", raw_id)?;
    let survivor = MergeRequest::parse(&body)?.into;
    if survivor == duplicate {
        return Err(ApiError::invalid(
            "into",
            "self-merge",
            format!("a {} cannot be merged into itself", R::KIND.noun()),
        ));
    }
    let precondition = if_match::precondition(&request)?;
    let context = ChangeContext::read(&request)?;
    let vocabulary = &state.vocabulary;
    let mut conn = state.conn(Audience::Staff).await?;
    let record = conn
        .transaction(async |conn| {
            // Both locked in id order, so crossing merges cannot deadlock.
            if survivor < duplicate {
                records::lock_link_target(conn, R::KIND, survivor, "into").await?;
                records::lock_live(conn, R::KIND, duplicate, precondition).await?;
            } else {
                records::lock_live(conn, R::KIND, duplicate, precondition).await?;
                records::lock_link_target(conn, R::KIND, survivor, "into").await?;
            }
            // The public would be sent (a 308, the feed's successorId) to
            // a record it cannot see, and so learn that it exists.
            if records::is_public(conn, R::KIND, duplicate).await?
                && !records::is_public(conn, R::KIND, survivor).await?
            {
                return Err(ApiError::Conflict(format!(
                    "the {noun} {duplicate} is public and {survivor} is not: publish {survivor} \
                     first, so that those who follow the merge can see where it leads",
                    noun = R::KIND.noun()
                )));
            }
            let now = Utc::now();
            let moved = links::move_all(conn, R::KIND, duplicate, survivor, now).await?;
            records::drop_revision(conn, duplicate).await?;
            records::bury_merged(conn, R::KIND, duplicate, survivor, now).await?;
            records::touch(conn, R::KIND, &[survivor], now).await?;
            let merged = HistoryAction::Merged;
            let gone = json!({"mergedInto": {"before": null, "after": survivor}});
            history::record(conn, &context, R::KIND, duplicate, merged, gone).await?;
            let absorbed = json!({"mergedFrom": {"before": null, "after": duplicate}});
            history::record(conn, &context, R::KIND, survivor, merged, absorbed).await?;
            for (kind, other) in moved {
                let relinked = json!({
                    format!("{}s/{duplicate}", R::KIND.noun()): {"before": "linked", "after": null},
                    format!("{}s/{survivor}", R::KIND.noun()): {"before": null, "after": "linked"}
                });
                history::record(conn, &context, kind, other, merged, relinked).await?;
            }
            records::find::<R>(conn, vocabulary, survivor, Audience::Staff).await
        })
        .await?;
    Ok(record_response(
        StatusCode::OK,
        R::version(&record),
        &record,
    ))
}
