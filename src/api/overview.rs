//! `/v1/overview`, answered by the search index (`sync::index::overview`).

use actix_web::{HttpRequest, HttpResponse, get};

use crate::api::access::{Allowed, least};
use crate::api::consistency::{self, with_position};
use crate::api::crud::Resource;
use crate::auth::Audience;
use crate::domain::initiatives::InitiativeFilterQuery;
use crate::domain::list::ListRequest;
use crate::domain::overview::Overview;
use crate::domain::query::QueryReader;
use crate::error::ApiResult;
use crate::store::initiatives::Initiatives;
use crate::store::records::StoredKind;
use crate::sync::index;

/// Overview of the registry
///
/// The matrix the sector asked for: initiatives per topic × scope (national,
/// European, international) with row and column totals, initiatives per
/// country, experts per topic and organisations per type. Accepts the
/// initiative list's filters and `q`, which narrow the initiative figures.
#[utoipa::path(
    tag = "overview",
    operation_id = "getOverview",
    params(InitiativeFilterQuery),
    responses((status = 200, description = "The overview", body = Overview))
)]
#[get("/overview")]
pub async fn overview(
    Allowed { state, .. }: Allowed<least::Public>,
    request: HttpRequest,
) -> ApiResult<HttpResponse> {
    let vocabulary = &state.vocabulary;
    let keys: Vec<&str> = Initiatives::FILTER_KEYS
        .iter()
        .chain(&["q"])
        .copied()
        .collect();
    let query = QueryReader::new(request.query_string(), &keys);
    let audience = Audience::of_request(&request);
    let list = ListRequest::read(query, &Initiatives::LIST, audience, |q| {
        Initiatives::read_filter(q, vocabulary)
    })?;
    let mut conn = state.conn(audience).await?;
    Initiatives::check_filter(&mut conn, &list.filter).await?;
    drop(conn);
    let (index, position) = consistency::index_for(&state, &request).await?;
    let overview = index::overview::overview(&index, vocabulary, &list)?;
    Ok(with_position(HttpResponse::Ok().json(overview), position))
}
