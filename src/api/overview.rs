//! `/v1/overview` and `/v1/overview/participation`, answered by the search
//! index (`sync::index::overview`, `sync::index::participation`), as JSON or
//! as an SVG heat map (`domain::heatmap`) for an `<img>`.

use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpRequest, HttpResponse, get};

use crate::api::access::{Allowed, least};
use crate::api::consistency::{self, with_position};
use crate::api::crud::Resource;
use crate::api::linked_data;
use crate::api::negotiation::prefers_over_json;
use crate::auth::Audience;
use crate::domain::display_language::DisplayLanguage;
use crate::domain::heatmap;
use crate::domain::initiatives::InitiativeFilterQuery;
use crate::domain::list::ListRequest;
use crate::domain::overview::Overview;
use crate::domain::participation::Participation;
use crate::domain::query::QueryReader;
use crate::domain::values::Country;
use crate::error::{ApiError, ApiResult};
use crate::store::initiatives::Initiatives;
use crate::store::records::StoredKind;
use crate::sync::index;

/// The language of the heat map's labels: `lang`, else `Accept-Language`.
fn language(request: &HttpRequest, asked: Option<DisplayLanguage>) -> DisplayLanguage {
    asked.unwrap_or_else(|| {
        DisplayLanguage::negotiate(
            request
                .headers()
                .get(header::ACCEPT_LANGUAGE)
                .and_then(|v| v.to_str().ok()),
        )
    })
}

/// An SVG answer, cacheable by a browser's `<img>` like any other GET.
fn svg_response(body: String, language: DisplayLanguage) -> HttpResponse {
    let mut response = HttpResponse::Ok()
        .content_type(heatmap::MEDIA_TYPE)
        .insert_header((header::CONTENT_LANGUAGE, language.as_str()))
        .body(body);
    response
        .headers_mut()
        .append(header::VARY, HeaderValue::from_static("Accept-Language"));
    response
}

/// Overview of the registry
///
/// The matrix the sector asked for: initiatives per topic × scope (national,
/// European, international) with row and column totals, initiatives per
/// country, experts per topic and organisations per type. Accepts the
/// initiative list's filters and `q`, which narrow the initiative figures.
/// With `Accept: image/svg+xml` the topic × scope matrix is an SVG heat map
/// for an `<img>`, labelled in the language of `lang` or `Accept-Language`.
#[utoipa::path(
    tag = "overview",
    operation_id = "getOverview",
    params(
        InitiativeFilterQuery,
        ("lang" = Option<DisplayLanguage>, Query, description = "The heat map's labels: `en` or `nl` (else by `Accept-Language`)", example = "nl"),
        ("Accept" = Option<String>, Header, description = "`application/json` (default) or `image/svg+xml` (for example `image/svg+xml`)")
    ),
    responses(
        (status = 200, description = "The overview", content(
            (Overview = "application/json"),
            (String = "image/svg+xml", example = json!("<svg xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" …><title id=\"heatmap-title\">Initiatives on AI in medical devices per topic and scope</title>…</svg>"))
        )),
        (status = 406, description = "Neither JSON nor SVG is acceptable", body = crate::error::Problem, content_type = "application/problem+json")
    )
)]
#[get("/overview")]
pub async fn overview(
    Allowed { state, .. }: Allowed<least::Public>,
    request: HttpRequest,
) -> ApiResult<HttpResponse> {
    let vocabulary = &state.vocabulary;
    let as_svg = prefers_over_json(&request, heatmap::MEDIA_TYPE)?;
    let keys: Vec<&str> = Initiatives::FILTER_KEYS
        .iter()
        .chain(&["q", "lang"])
        .copied()
        .collect();
    let mut query = QueryReader::new(request.query_string(), &keys);
    let asked = query.one("lang", DisplayLanguage::parse);
    let audience = Audience::of_request(&request);
    let list = ListRequest::read(query, &Initiatives::LIST, audience, |q| {
        Initiatives::read_filter(q, vocabulary)
    })?;
    let mut conn = state.conn(audience).await?;
    Initiatives::check_filter(&mut conn, &list.filter).await?;
    drop(conn);
    let (index, position) = consistency::index_for(&state, &request).await?;
    let overview = index::overview::overview(&index, vocabulary, &list)?;
    let response = if as_svg {
        let language = language(&request, asked);
        svg_response(heatmap::overview(&overview, language), language)
    } else {
        HttpResponse::Ok().json(overview)
    };
    Ok(with_position(linked_data::varies(response), position))
}

/// Where a country takes part, and where it is missing
///
/// For each topic × scope cell: how many initiatives there are and how
/// many have a participant (an organisation or an expert) from `country`;
/// and the largest European and international initiatives (by their number
/// of participants) without one. With `Accept: image/svg+xml`, the same
/// as an SVG heat map for an `<img>` (labels by `lang` or
/// `Accept-Language`). The public's counts include only public records:
/// an expert without consent counts for no country.
#[utoipa::path(
    tag = "overview",
    operation_id = "getParticipation",
    params(
        ("country" = String, Query, description = "The participants' country, ISO 3166-1 alpha-2", example = "NL"),
        ("lang" = Option<DisplayLanguage>, Query, description = "Titles and the heat map's labels: `en` or `nl` (else by `Accept-Language`)", example = "nl"),
        ("Accept" = Option<String>, Header, description = "`application/json` (default) or `image/svg+xml` (for example `image/svg+xml`)")
    ),
    responses(
        (status = 200, description = "The country's participation", content(
            (Participation = "application/json"),
            (String = "image/svg+xml", example = json!("<svg xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" …><title id=\"heatmap-title\">Participation from NL per topic and scope</title>…</svg>"))
        )),
        (status = 406, description = "Neither JSON nor SVG is acceptable", body = crate::error::Problem, content_type = "application/problem+json")
    )
)]
#[get("/overview/participation")]
pub async fn participation(
    Allowed { state, .. }: Allowed<least::Public>,
    request: HttpRequest,
) -> ApiResult<HttpResponse> {
    let as_svg = prefers_over_json(&request, heatmap::MEDIA_TYPE)?;
    let mut query = QueryReader::new(request.query_string(), &["country", "lang"]);
    let country = query.one("country", Country::parse);
    let asked = query.one("lang", DisplayLanguage::parse);
    if country.is_none() && !query.has_error("country") {
        query.error("country", "required", "is required");
    }
    query.finish()?;
    let country = country.ok_or_else(|| ApiError::internal("country was checked above"))?;
    let language = language(&request, asked);
    let audience = Audience::of_request(&request);
    let (index, position) = consistency::index_for(&state, &request).await?;
    let found: Participation = index::participation::participation(
        &index,
        &state.vocabulary,
        audience,
        country.as_str(),
        language,
    )?;
    let response = if as_svg {
        svg_response(heatmap::participation(&found, language), language)
    } else {
        let mut response = HttpResponse::Ok().json(found);
        response.headers_mut().insert(
            header::CONTENT_LANGUAGE,
            HeaderValue::from_static(language.as_str()),
        );
        response
            .headers_mut()
            .append(header::VARY, HeaderValue::from_static("Accept-Language"));
        response
    };
    Ok(with_position(linked_data::varies(response), position))
}
