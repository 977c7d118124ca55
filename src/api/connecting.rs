//! Connecting people and work: suggestions (`/v1/initiatives/{id}/suggested-experts`,
//! `/v1/experts/{id}/suggested-initiatives`, ranked by `registry::connecting`)
//! and similar records (`/v1/initiatives/{id}/similar`,
//! `/v1/organisations/{id}/similar`, found by `sync::index::similar`); here
//! only the query and the page.

use actix_web::{HttpRequest, HttpResponse, get, web};

use crate::api::access::{Allowed, least};
use crate::api::consistency::{self, with_position};
use crate::api::respond::page_response;
use crate::auth::Audience;
use crate::domain::page::{Page, PageParams, PageRequest};
use crate::domain::query::{QueryReader, path_id};
use crate::domain::similar::{SimilarInitiative, SimilarOrganisation};
use crate::domain::suggestions::{SuggestedExpert, SuggestedInitiative};
use crate::error::ApiResult;
use crate::registry::connecting;
use crate::sync::index::similar;

const PAGE_KEYS: &[&str] = &["limit", "cursor"];

fn page(request: &HttpRequest, sort: &str) -> ApiResult<PageRequest> {
    let mut query = QueryReader::new(request.query_string(), PAGE_KEYS);
    let page = PageRequest::read(&mut query);
    if let Some(cursor) = &page.cursor
        && cursor.sort != sort
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
    let page = page(&request, connecting::SORT)?;
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
    let page = page(&request, connecting::SORT)?;
    let audience = Audience::of_request(&request);
    let mut conn = state.read_conn(audience).await?;
    let found =
        connecting::initiatives_for_expert(&mut conn, &state.vocabulary, id, audience, &page)
            .await?;
    Ok(page_response(&request, found))
}

/// Find similar initiatives
///
/// Initiatives like this one: alike in wording (a more-like-this query on
/// the search index over titles and summaries, in English and Dutch), on
/// the same or neighbouring topics, under the same regulations, with the
/// same organisations. Each with a score in 0..1 (wording .4, topics .35,
/// regulations .1, organisations .15) and the reasons. At most 100
/// candidates are compared: the 50 best by wording and the 50 sharing most.
#[utoipa::path(
    tag = "connecting",
    operation_id = "listSimilarInitiatives",
    params(
        ("id" = Uuid, Path, description = "The initiative's id", example = "01938000-0000-7000-8000-000000003057"),
        PageParams
    ),
    responses((status = 200, description = "A page of initiatives, most alike first; `Link: <...>; rel=\"next\"` points at the next one", body = Page<SimilarInitiative>, headers(("Link" = String, description = "RFC 8288 link to the next page, when there is one"))))
)]
#[get("/initiatives/{id}/similar")]
pub async fn similar_initiatives(
    Allowed { state, .. }: Allowed<least::Public>,
    request: HttpRequest,
    id: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let id = path_id("id", &id)?;
    let page = page(&request, similar::SORT)?;
    let audience = Audience::of_request(&request);
    let (index, position) = consistency::index_for(&state, &request).await?;
    let mut conn = state.read_conn(audience).await?;
    let found =
        similar::initiatives(&index, &mut conn, &state.vocabulary, id, audience, &page).await?;
    Ok(with_position(page_response(&request, found), position))
}

/// Find similar organisations
///
/// Organisations like this one: alike in name and description (a
/// more-like-this query on the search index), on the same or neighbouring
/// topics, of the same type, taking part in the same initiatives. Each with
/// a score in 0..1 (wording .4, topics .35, type .1, initiatives .15) and
/// the reasons. At most 100 candidates are compared.
#[utoipa::path(
    tag = "connecting",
    operation_id = "listSimilarOrganisations",
    params(
        ("id" = Uuid, Path, description = "The organisation's id", example = "01938000-0000-7000-8000-000000001001"),
        PageParams
    ),
    responses((status = 200, description = "A page of organisations, most alike first; `Link: <...>; rel=\"next\"` points at the next one", body = Page<SimilarOrganisation>, headers(("Link" = String, description = "RFC 8288 link to the next page, when there is one"))))
)]
#[get("/organisations/{id}/similar")]
pub async fn similar_organisations(
    Allowed { state, .. }: Allowed<least::Public>,
    request: HttpRequest,
    id: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let id = path_id("id", &id)?;
    let page = page(&request, similar::SORT)?;
    let audience = Audience::of_request(&request);
    let (index, position) = consistency::index_for(&state, &request).await?;
    let mut conn = state.read_conn(audience).await?;
    let found =
        similar::organisations(&index, &mut conn, &state.vocabulary, id, audience, &page).await?;
    Ok(with_position(page_response(&request, found), position))
}
