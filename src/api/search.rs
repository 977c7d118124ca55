//! `/v1/search`, answered by the search index (`sync::index::search`).

use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpRequest, HttpResponse, get};

use crate::api::access::{Allowed, least};
use crate::api::consistency::{self, with_position};
use crate::api::respond::page_response;
use crate::auth::Audience;
use crate::domain::display_language::DisplayLanguage;
use crate::domain::enums::HitType;
use crate::domain::page::{Page, PageParams, PageRequest};
use crate::domain::query::QueryReader;
use crate::domain::search::SearchText;
use crate::domain::search_hits::{SearchHit, SearchQuery};
use crate::error::{ApiError, ApiResult};
use crate::sync::index;

const SEARCH_KEYS: &[&str] = &["q", "type", "lang", "limit", "cursor"];

/// Search everything
///
/// Initiatives, organisations and experts in one ranked list. Each hit has
/// its type, id, title or name, a highlighted snippet and a score.
#[utoipa::path(
    tag = "search",
    operation_id = "search",
    params(
        SearchQuery,
        ("Accept-Language" = Option<String>, Header, description = "Preferred languages (RFC 9110), when `lang` is not given: of `en` and `nl`, the one with the highest weight; English when neither is named", example = "nl-NL, nl;q=0.9, en;q=0.8"),
        PageParams
    ),
    responses((status = 200, description = "Hits, best first", body = Page<SearchHit>, headers(
        ("Content-Language" = String, description = "The language of the hits' titles and snippets (`en` or `nl`), where a record has text in it"),
        ("Vary" = String, description = "`Accept-Language` (and `Origin` for cross-origin requests): the answer depends on them")
    )))
)]
#[get("/search")]
pub async fn search(
    Allowed { state, .. }: Allowed<least::Public>,
    request: HttpRequest,
) -> ApiResult<HttpResponse> {
    let mut query = QueryReader::new(request.query_string(), SEARCH_KEYS);
    let text = query.one("q", SearchText::parse);
    let mut types = query.many("type", HitType::parse);
    let asked = query.one("lang", DisplayLanguage::parse);
    let page = PageRequest::read_for(&mut query, "relevance");
    if text.is_none() && !query.has_error("q") {
        query.error("q", "required", "is required");
    }
    query.finish()?;
    let text = text.ok_or_else(|| ApiError::internal("q was checked above"))?;
    if types.is_empty() {
        types = HitType::ALL.to_vec();
    }

    let language = asked.unwrap_or_else(|| {
        DisplayLanguage::negotiate(
            request
                .headers()
                .get(header::ACCEPT_LANGUAGE)
                .and_then(|v| v.to_str().ok()),
        )
    });
    let audience = Audience::of_request(&request);
    let (index, position) = consistency::index_for(&state, &request).await?;
    let found = index::search::search(&index, audience, &text, &types, &page, language)?;
    let mut response = with_position(page_response(&request, found), position);
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_LANGUAGE,
        HeaderValue::from_static(language.as_str()),
    );
    headers.append(header::VARY, HeaderValue::from_static("Accept-Language"));
    Ok(response)
}
