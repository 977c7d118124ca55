//! `/v1/changes`: the change feed. Every change of a record is an event with
//! a position; positions follow commit order (see the migration), so a
//! client that asks again from the last position it saw never misses an
//! event and never sees one twice. The public and readers see the feed as
//! they see the registry: a record becoming public is `created`, ceasing to
//! be public is `deleted`, and edits waiting for review are not news.

use actix_web::{HttpRequest, HttpResponse, get};
use utoipa::IntoParams;

use crate::api::access::{Allowed, least};
use crate::auth::Audience;
use crate::domain::enums::HitType;
use crate::domain::input::FieldError;
use crate::domain::query::{QueryReader, parse_limit};
use crate::error::ApiResult;
use crate::sync::changes::{self, ChangePage};

const DEFAULT_LIMIT: i64 = 100;
const MAX_LIMIT: i64 = 1000;

/// The feed's query parameters.
#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ChangeQuery {
    /// The position after which to start; 0 (the default) is the beginning.
    #[param(minimum = 0, example = 1041)]
    pub after: Option<i64>,
    /// Events per answer, 1 to 1000 (default 100).
    #[param(minimum = 1, maximum = 1000, example = 100)]
    pub limit: Option<i64>,
    /// Only events of this kind of record.
    #[param(example = "initiative")]
    pub kind: Option<HitType>,
}

fn parse_position(raw: &str) -> Result<i64, FieldError> {
    raw.trim()
        .parse::<i64>()
        .ok()
        .filter(|p| *p >= 0)
        .ok_or_else(|| {
            FieldError::new(
                "invalid-position",
                "must be a position (a whole number, 0 or more)",
            )
        })
}

/// Follow the change feed
///
/// Events (`created`, `updated`, `deleted`, `merged` with `successorId`) in
/// the order their transactions committed, from `after` on. Poll with the
/// `next` of the previous answer: nothing is missed or repeated. Together
/// with an export (which says at which position it was taken) this keeps a
/// copy of the registry exact. What a caller sees follows what they may
/// see: for the public and readers a record that is published (or regains
/// consent) is `created`, one archived, unpublished or deleted is
/// `deleted`, and edits waiting for review produce nothing until approved.
#[utoipa::path(
    tag = "changes",
    operation_id = "listChanges",
    params(ChangeQuery),
    responses((status = 200, description = "Events after the given position", body = ChangePage))
)]
#[get("/changes")]
pub async fn list_changes(
    Allowed { state, .. }: Allowed<least::Public>,
    request: HttpRequest,
) -> ApiResult<HttpResponse> {
    let mut query = QueryReader::new(request.query_string(), &["after", "limit", "kind"]);
    let after = query.one("after", parse_position).unwrap_or(0);
    let limit = query
        .one("limit", |raw| parse_limit(raw, MAX_LIMIT))
        .unwrap_or(DEFAULT_LIMIT);
    let kind = query.one("kind", HitType::parse);
    query.finish()?;
    let audience = Audience::of_request(&request);
    let staff = audience == Audience::Staff;
    let mut conn = state.conn(audience).await?;
    let page = changes::after(&mut conn, after, kind, limit, staff).await?;
    Ok(HttpResponse::Ok().json(page))
}
