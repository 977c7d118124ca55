//! The review-and-publish workflow shared by the three record kinds:
//! `POST /v1/{kind}/{id}/publication` with a step (submit, approve, reject,
//! archive, restore). Curators submit; editors take the other steps, and
//! never approve a record they changed themselves since it was last
//! approved (four eyes), unless the deployment allows it.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use chrono::Utc;
use diesel_async::AsyncConnection;
use serde_json::{Value, json};
use utoipa::ToSchema;

use super::crud::Resource;
use crate::api::if_match;
use crate::api::respond::record_response;
use crate::api::state::AppState;
use crate::auth::{Audience, Caller};
use crate::domain::enums::{PublicationAction, PublicationStatus};
use crate::domain::history::ChangeContext;
use crate::domain::input::ObjectReader;
use crate::domain::query::path_id;
use crate::domain::values::Text;
use crate::error::{ApiError, ApiResult};
use crate::store::history;
use crate::store::records;

type Message = Text<1000, true>;

/// A workflow step, with an optional message that is kept in the history
/// (it takes the place of `X-Change-Message`).
#[derive(Debug, ToSchema)]
#[schema(example = json!({"action": "approve", "message": "Checked against the Official Journal"}))]
pub struct PublicationStep {
    /// submit: draft → in-review (curator); approve: in-review → published;
    /// reject: in-review → draft; archive: published → archived;
    /// restore: archived → published (editor).
    pub action: PublicationAction,
    /// Why; for a rejection, what to mend.
    #[schema(value_type = Option<String>, max_length = 1000, required = false)]
    pub message: Option<Message>,
}

impl PublicationStep {
    fn parse(body: &Value) -> ApiResult<Self> {
        let mut reader = ObjectReader::new(body, &["action", "message"])?;
        let action = reader.required("action");
        let message = reader.optional("message");
        reader.finish(|| {
            Some(Self {
                action: action?,
                message,
            })
        })
    }
}

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
    let needed = step.action.needs();
    if !caller.has(needed) {
        return Err(ApiError::Forbidden(format!(
            "'{}' needs the role '{}' or higher",
            step.action.as_str(),
            needed.as_str()
        )));
    }
    let allow_self_approval = state.policy.allow_self_approval;
    let vocabulary = &state.vocabulary;
    let mut conn = state.conn(Audience::Staff).await?;
    let record = conn
        .transaction(async |conn| {
            records::lock_live(conn, R::KIND, id, precondition).await?;
            let (status, editors) = records::publication(conn, R::KIND, id).await?;
            let pending = match (status, step.action) {
                (PublicationStatus::Published, PublicationAction::Approve | PublicationAction::Reject) => {
                    records::pending_revision(conn, id).await?
                }
                _ => None,
            };
            // On a published record, approve and reject decide its pending revision.
            let next = if pending.is_some() { Some(status) } else { status.after(step.action) };
            let next = next.ok_or_else(|| {
                ApiError::Conflict(format!(
                    "the {} is {}; '{}' applies to {}",
                    R::KIND.noun(),
                    status.as_str(),
                    step.action.as_str(),
                    applies_to(step.action)
                ))
            })?;
            let approver = context.actor_id();
            if step.action == PublicationAction::Approve
                && !allow_self_approval
                && approver.is_some_and(|a| editors.contains(&a))
            {
                return Err(ApiError::Forbidden(format!(
                    "four eyes: you changed this {} since it was last approved, so another editor must approve it",
                    R::KIND.noun()
                )));
            }
            let applies_revision = pending.is_some() && step.action == PublicationAction::Approve;
            let changes = match pending {
                Some(revision) => {
                    records::drop_revision(conn, id).await?;
                    if step.action == PublicationAction::Approve {
                        let live = serde_json::to_value(R::load_draft(conn, id).await?)
                            .map_err(ApiError::internal)?;
                        R::update(conn, id, &R::parse_draft(&revision, vocabulary)?).await?;
                        history::diff(&live, &revision)
                    } else {
                        json!({})
                    }
                }
                None => json!({"publicationStatus": {"before": status.as_str(), "after": next.as_str()}}),
            };
            // Applying a revision gave the record its new version already.
            let new_version = !applies_revision;
            records::set_publication(conn, R::KIND, id, next, Utc::now(), new_version).await?;
            history::record(conn, &context, R::KIND, id, step.action.recorded_as(), changes)
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

/// The states a step applies to, for the problem's detail.
fn applies_to(action: PublicationAction) -> String {
    let from: Vec<&str> = PublicationStatus::ALL
        .iter()
        .filter(|s| s.after(action).is_some())
        .map(|s| s.as_str())
        .collect();
    format!("{} records", from.join(" or "))
}
