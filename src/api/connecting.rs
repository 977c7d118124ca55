//! Connecting people and work: suggestions (`/v1/initiatives/{id}/suggested-experts`,
//! `/v1/experts/{id}/suggested-initiatives`, ranked by `registry::connecting`)
//! and similar records (`/v1/initiatives/{id}/similar`,
//! `/v1/organisations/{id}/similar`, found by `sync::index::similar`); here
//! only the query and the page.

use actix_web::{HttpRequest, HttpResponse, get, web};

use crate::api::access::{Allowed, least};
use crate::api::consistency::{self, with_position};
use crate::api::crud::Resource;
use crate::api::linked_data;
use crate::api::negotiation::prefers_over_json;
use crate::api::respond::page_response;
use crate::auth::Audience;
use crate::domain::experts::Expert;
use crate::domain::graph::{GRAPHML, Network, graphml};
use crate::domain::initiatives::Initiative;
use crate::domain::initiatives::InitiativeFilterQuery;
use crate::domain::list::ListRequest;
use crate::domain::page::{Page, PageParams, PageRequest};
use crate::domain::query::{QueryReader, path_id};
use crate::domain::similar::{SimilarInitiative, SimilarOrganisation};
use crate::domain::suggestions::TopicReach;
use crate::domain::suggestions::{SuggestedExpert, SuggestedInitiative};
use crate::error::ApiResult;
use crate::registry::connecting;
use crate::store::initiatives::Initiatives;
use crate::store::records::StoredKind;
use crate::sync::index::candidates;
use crate::sync::index::{network, similar};

const PAGE_KEYS: &[&str] = &["limit", "cursor"];

fn page(request: &HttpRequest, sort: &str) -> ApiResult<PageRequest> {
    let mut query = QueryReader::new(request.query_string(), PAGE_KEYS);
    let page = PageRequest::read_for(&mut query, sort);
    if let Some(cursor) = &page.cursor
        && cursor.sort == sort
        && cursor
            .key
            .as_deref()
            .and_then(|key| key.parse::<f64>().ok())
            .is_none_or(|score| !score.is_finite())
    {
        query.error(
            "cursor",
            "invalid-cursor",
            "is not a cursor this API handed out",
        );
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
    let (index, position) = consistency::index_for(&state, &request).await?;
    let mut conn = state.read_conn(audience).await?;
    let pool = |initiative: &Initiative, topics: &TopicReach, languages: &[String]| {
        candidates::experts(
            &index,
            audience,
            initiative.id,
            topics,
            &initiative.countries,
            languages,
        )
    };
    let found =
        connecting::experts_for_initiative(&mut conn, &state.vocabulary, id, audience, &page, pool)
            .await?;
    Ok(with_position(page_response(&request, found), position))
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
    let (index, position) = consistency::index_for(&state, &request).await?;
    let mut conn = state.read_conn(audience).await?;
    let pool = |expert: &Expert, topics: &TopicReach| {
        candidates::initiatives(
            &index,
            audience,
            expert.id,
            topics,
            expert.country.is_some(),
        )
    };
    let found =
        connecting::initiatives_for_expert(&mut conn, &state.vocabulary, id, audience, &page, pool)
            .await?;
    Ok(with_position(page_response(&request, found), position))
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

/// Initiatives a network shows when the request does not say.
const NETWORK_INITIATIVES: &str = "100";

/// The network
///
/// Initiatives, the organisations and experts that take part in them, and
/// the links among them all (taking part, affiliations, relations between
/// initiatives), as Cytoscape.js elements JSON, or GraphML with
/// `Accept: application/graphml+xml`. Each node has its degree and its
/// betweenness (normalised, within this network: how much it bridges the
/// others; computed with rustworkx-core's Brandes algorithm). Takes the
/// initiative list's filters and `q`. A broad filter stays fast because the
/// network shows one page of the initiative list (in the list's order:
/// relevance with `q`, else creation), `limit` initiatives (default 100, at
/// most 200) with everything linked to them; `initiatives` says how many
/// matched and how many are shown, and `next` (and the `Link` header) gives
/// the next page. The public sees only public records.
#[utoipa::path(
    tag = "connecting",
    operation_id = "getNetwork",
    params(
        InitiativeFilterQuery,
        ("limit" = Option<i64>, Query, description = "Initiatives in this network, 1 to 200 (default 100).", minimum = 1, maximum = 200, example = 100),
        ("cursor" = Option<String>, Query, description = "The `next` cursor of the previous network page; opaque."),
        ("Accept" = Option<String>, Header, description = "`application/json` (default) or `application/graphml+xml` (for example `application/graphml+xml`)")
    ),
    responses(
        (status = 200, description = "The network", headers(("Link" = String, description = "RFC 8288 link to the next page of initiatives, when there is one"), ("Change-Position" = i64, description = "The change-feed position the answer reflects")),
            content(
                (Network = "application/json"),
                (String = "application/graphml+xml", example = json!("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<graphml xmlns=\"http://graphml.graphdrawing.org/xmlns\">…</graphml>\n"))
            )),
        (status = 406, description = "Neither JSON nor GraphML is acceptable", body = crate::error::Problem, content_type = "application/problem+json")
    )
)]
#[get("/network")]
pub async fn get_network(
    Allowed { state, .. }: Allowed<least::Public>,
    request: HttpRequest,
) -> ApiResult<HttpResponse> {
    let as_graphml = prefers_over_json(&request, GRAPHML)?;
    let vocabulary = &state.vocabulary;
    let keys: Vec<&str> = Initiatives::FILTER_KEYS
        .iter()
        .chain(&["q", "limit", "cursor"])
        .copied()
        .collect();
    let mut query_string = request.query_string().to_owned();
    if !url::form_urlencoded::parse(query_string.as_bytes()).any(|(k, _)| k == "limit") {
        if !query_string.is_empty() {
            query_string.push('&');
        }
        query_string.push_str("limit=");
        query_string.push_str(NETWORK_INITIATIVES);
    }
    let query = QueryReader::new(&query_string, &keys);
    let audience = Audience::of_request(&request);
    let list = ListRequest::read(query, &Initiatives::LIST, audience, |q| {
        Initiatives::read_filter(q, vocabulary)
    })?;
    let (index, position) = consistency::index_for(&state, &request).await?;
    let mut conn = state.read_conn(audience).await?;
    Initiatives::check_filter(&mut conn, &list.filter).await?;
    let found: Network = network::network(&index, &mut conn, vocabulary, &list).await?;
    let mut response = if as_graphml {
        HttpResponse::Ok()
            .content_type(GRAPHML)
            .body(graphml(&found))
    } else {
        HttpResponse::Ok().json(&found)
    };
    if let Some(cursor) = &found.next {
        let link = crate::api::respond::next_link(&request, cursor);
        if let Ok(value) = actix_web::http::header::HeaderValue::from_str(&link) {
            response
                .headers_mut()
                .insert(actix_web::http::header::LINK, value);
        }
    }
    Ok(with_position(linked_data::varies(response), position))
}
