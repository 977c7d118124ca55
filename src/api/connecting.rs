//! Suggestions that connect people and work: `/v1/initiatives/{id}/suggested-experts`
//! and `/v1/experts/{id}/suggested-initiatives`. The ranking is
//! `registry::connecting`'s; here only the query and the page.

use actix_web::{HttpRequest, HttpResponse, get, web};

use crate::api::access::{Allowed, least};
use crate::api::respond::page_response;
use crate::auth::Audience;
use crate::domain::page::{Page, PageParams, PageRequest};
use crate::domain::query::{QueryReader, path_id};
use crate::domain::suggestions::{SuggestedExpert, SuggestedInitiative};
use crate::error::ApiResult;
use crate::registry::connecting;

const PAGE_KEYS: &[&str] = &["limit", "cursor"];

fn page(request: &HttpRequest) -> ApiResult<PageRequest> {
    let mut query = QueryReader::new(request.query_string(), PAGE_KEYS);
    let page = PageRequest::read(&mut query);
    if let Some(cursor) = &page.cursor
        && cursor.sort != connecting::SORT
    {
        query.error("cursor", "invalid-cursor", "belongs to another list");
    }
    query.finish()?;
    Ok(page)
}

/// Suggest experts to invite
///
/// Experts not yet linked to the initiative, ranked by how well they fit:
/// shared topics (a broader or narrower topic counts half), affiliation with
/// an organisation that takes part, working with its experts in other
/// initiatives, being based in a country it covers and speaking its language.
/// Each comes with a score in 0..1 and the reasons, as codes and in words.
/// Staff see experts without a public profile too, marked
/// `publicProfile: false`.
#[utoipa::path(
    tag = "connecting",
    operation_id = "listSuggestedExperts",
    params(
        ("id" = Uuid, Path, description = "The initiative's id", example = "01938000-0000-7000-8000-000000003057"),
        PageParams
    ),
    responses((status = 200, description = "A page of experts, best first; `Link: <...>; rel=\"next\"` points at the next one", body = Page<SuggestedExpert>, headers(("Link" = String, description = "RFC 8288 link to the next page, when there is one"))))
)]
#[get("/initiatives/{id}/suggested-experts")]
pub async fn suggested_experts(
    Allowed { state, .. }: Allowed<least::Curator>,
    request: HttpRequest,
    id: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let id = path_id("id", &id)?;
    let page = page(&request)?;
    let audience = Audience::of_request(&request);
    let mut conn = state.read_conn(audience).await?;
    let found =
        connecting::experts_for_initiative(&mut conn, &state.vocabulary, id, audience, &page)
            .await?;
    Ok(page_response(&request, found))
}

/// Suggest initiatives to join
///
/// Active and planned initiatives the expert is not linked to, ranked by
/// shared topics (a broader or narrower topic counts half), organisations of
/// the expert's that take part, colleagues who work in them and language;
/// a European or international initiative with no participant (organisation
/// or expert) from the expert's country ranks higher, one with one or two a
/// little higher. Each comes with a score in 0..1 and the reasons. The
/// public sees only public records, and counts only public participants.
#[utoipa::path(
    tag = "connecting",
    operation_id = "listSuggestedInitiatives",
    params(
        ("id" = Uuid, Path, description = "The expert's id", example = "01938000-0000-7000-8000-000000002002"),
        PageParams
    ),
    responses((status = 200, description = "A page of initiatives, best first; `Link: <...>; rel=\"next\"` points at the next one", body = Page<SuggestedInitiative>, headers(("Link" = String, description = "RFC 8288 link to the next page, when there is one"))))
)]
#[get("/experts/{id}/suggested-initiatives")]
pub async fn suggested_initiatives(
    Allowed { state, .. }: Allowed<least::Public>,
    request: HttpRequest,
    id: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let id = path_id("id", &id)?;
    let page = page(&request)?;
    let audience = Audience::of_request(&request);
    let mut conn = state.read_conn(audience).await?;
    let found =
        connecting::initiatives_for_expert(&mut conn, &state.vocabulary, id, audience, &page)
            .await?;
    Ok(page_response(&request, found))
}
