//! `/v1/search`: one search across initiatives, organisations and experts,
//! ranked together, with a highlighted snippet per hit.

use crate::api::access::{Allowed, least};
use actix_web::{HttpRequest, HttpResponse, get};
use diesel::QueryableByName;
use diesel::sql_types::{Double, Text, Uuid as SqlUuid};
use diesel_async::RunQueryDsl;
use serde::Serialize;
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::api::respond::page_response;
use crate::auth::Audience;
use crate::domain::enums::HitType;
use crate::domain::page::{Cursor, Page, PageParams, PageRequest, encode_cursor};
use crate::domain::query::QueryReader;
use crate::domain::search::SearchText;
use crate::error::{ApiError, ApiResult};
use crate::sql::{Bind, Sql};
use crate::store::discovery::Total;
use crate::store::discovery::text::{prepare, text_match};

/// (type, table, display name, English text, Dutch text) over `r`;
/// the snippet comes from whichever text shows a match.
fn columns(
    hit: HitType,
) -> (
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
) {
    match hit {
        HitType::Initiative => (
            "initiative",
            "initiatives",
            "coalesce(r.title_en, r.title_nl)",
            "coalesce(r.summary_en, r.title_en)",
            "coalesce(r.summary_nl, r.title_nl)",
        ),
        HitType::Organisation => (
            "organisation",
            "organisations",
            "r.name",
            "coalesce(r.description_en, r.name)",
            "r.description_nl",
        ),
        HitType::Expert => (
            "expert",
            "experts",
            "r.given_name || ' ' || r.family_name",
            "coalesce(r.bio_en, r.given_name || ' ' || r.family_name)",
            "r.bio_nl",
        ),
    }
}

/// One search result.
#[derive(Debug, Serialize, ToSchema, QueryableByName)]
#[schema(example = json!({
    "type": "initiative",
    "id": "01938b1e-7f00-7aaa-8000-000000000002",
    "title": "Federated learning for medical imaging",
    "snippet": "Privacy-preserving <mark>federated</mark> <mark>learning</mark> across Dutch hospitals",
    "score": 0.87
}))]
pub struct SearchHit {
    #[serde(rename = "type")]
    #[diesel(sql_type = Text)]
    #[schema(value_type = HitType)]
    pub hit_type: String,
    #[diesel(sql_type = SqlUuid)]
    pub id: Uuid,
    /// The initiative's title (English, else Dutch), or the organisation's or expert's name.
    #[diesel(sql_type = Text)]
    pub title: String,
    /// An excerpt with the matching words in `<mark>` elements; the rest is
    /// HTML-escaped, so the snippet can be inserted as HTML.
    #[diesel(sql_type = Text)]
    pub snippet: String,
    /// Relevance: higher is better. Comparable across types within one search.
    #[diesel(sql_type = Double)]
    pub score: f64,
}

/// The search's query parameters.
#[derive(IntoParams)]
#[into_params(parameter_in = Query, style = Form)]
pub struct SearchQuery {
    /// Search text: words (all must match), "quoted phrases", -exclusions,
    /// `or`. Accents and case are ignored, words match as prefixes, names and
    /// acronyms also match with typos.
    #[param(example = "\"federated learning\" -radiology")]
    pub q: String,
    /// Kinds of record to search (default: all).
    #[param(rename = "type", explode, example = json!(["initiative", "organisation"]))]
    pub types: Option<Vec<HitType>>,
}

const SEARCH_KEYS: &[&str] = &["q", "type", "limit", "cursor"];
/// Marks around matched words in snippets, replaced by `<mark>` after
/// escaping; stored text never holds control characters.
const MARK_START: &str = "\u{1}";
const MARK_END: &str = "\u{2}";

fn html_snippet(raw: &str) -> String {
    let mut escaped = String::with_capacity(raw.len() + 16);
    for c in raw.chars() {
        match c {
            '<' => escaped.push_str("&lt;"),
            '>' => escaped.push_str("&gt;"),
            '&' => escaped.push_str("&amp;"),
            '"' => escaped.push_str("&quot;"),
            '\'' => escaped.push_str("&#39;"),
            c => escaped.push(c),
        }
    }
    escaped
        .replace(MARK_START, "<mark>")
        .replace(MARK_END, "</mark>")
}

/// Search everything
///
/// Initiatives, organisations and experts in one ranked list. Each hit has
/// its type, id, title or name, a highlighted snippet and a score.
#[utoipa::path(
    tag = "search",
    operation_id = "search",
    params(SearchQuery, PageParams),
    responses((status = 200, description = "Hits, best first", body = Page<SearchHit>))
)]
#[get("/search")]
pub async fn search(
    Allowed { state, .. }: Allowed<least::Public>,
    request: HttpRequest,
) -> ApiResult<HttpResponse> {
    let mut query = QueryReader::new(request.query_string(), SEARCH_KEYS);
    let text = query.one("q", SearchText::parse);
    let mut types = query.many("type", HitType::parse);
    let page = PageRequest::read(&mut query);
    if text.is_none() && !query.has_error("q") {
        query.error("q", "required", "is required");
    }
    if let Some(cursor) = &page.cursor
        && cursor.sort != "relevance"
    {
        query.error("cursor", "invalid-cursor", "belongs to another list");
    }
    query.finish()?;
    let text = text.ok_or_else(|| ApiError::internal("q was checked above"))?;
    if types.is_empty() {
        types = HitType::ALL.to_vec();
    }

    let audience = Audience::of_request(&request);
    let mut conn = state.conn(audience).await?;
    let mut prepared = prepare(&mut conn, &text).await?;
    let mut union = Sql::default();
    let mut parts = Vec::new();
    let mut counted = Vec::new();
    let mut highlight_query = None;
    for hit_type in &types {
        let (kind, table, title, english, dutch) = columns(*hit_type);
        let matched = text_match(&mut union, &prepared.for_table(&mut conn, table).await?);
        parts.push(format!(
            "SELECT '{kind}'::text AS kind, r.id, {title} AS title, {english} AS text_en, \
             {dutch} AS text_nl, {score} AS score \
             FROM {table} r WHERE r.deleted_at IS NULL AND {condition}",
            score = matched.score,
            condition = matched.condition
        ));
        counted.push(format!(
            "SELECT r.id FROM {table} r WHERE r.deleted_at IS NULL AND {}",
            matched.condition
        ));
        highlight_query = highlight_query.or(matched.tsquery);
    }
    let union_sql = parts.join(" UNION ALL ");

    let total: Total = union
        .clone()
        .suffixed(&format!(
            "SELECT count(*) AS total FROM ({}) hits",
            counted.join(" UNION ALL ")
        ))
        .into_query()
        .get_result(&mut conn)
        .await?;

    let mut sql = union;
    let keyset = match &page.cursor {
        Some(Cursor {
            key: Some(score),
            id,
            ..
        }) => {
            let s = sql.bind(Bind::Text(score.clone()));
            let i = sql.bind(Bind::Uuid(*id));
            format!(
                " WHERE hits.score < {s}::float8 OR (hits.score = {s}::float8 AND hits.id > {i})"
            )
        }
        _ => String::new(),
    };
    let limit = sql.bind(Bind::Int(page.limit + 1));
    let options = sql.bind(Bind::Text(format!(
        "StartSel={MARK_START}, StopSel={MARK_END}, MaxWords=30, MinWords=12, MaxFragments=1"
    )));
    let highlight = match &highlight_query {
        Some(tsquery) => {
            let english = format!("ts_headline('aimd_en', page.text_en, {tsquery}, {options})");
            let dutch = format!("ts_headline('aimd_nl', page.text_nl, {tsquery}, {options})");
            format!(
                "CASE WHEN page.text_nl IS NOT NULL AND strpos({english}, '{MARK_START}') = 0 \
                 AND strpos({dutch}, '{MARK_START}') > 0 THEN {dutch} ELSE {english} END"
            )
        }
        None => "left(coalesce(page.text_en, page.text_nl), 200)".to_owned(),
    };
    let sql = sql.suffixed(&format!(
        "SELECT page.kind AS hit_type, page.id, page.title, {highlight} AS snippet, page.score FROM \
         (SELECT * FROM ({union_sql}) hits{keyset} ORDER BY hits.score DESC, hits.id ASC LIMIT {limit}) page \
         ORDER BY page.score DESC, page.id ASC"
    ));
    let mut hits: Vec<SearchHit> = sql.into_query().load(&mut conn).await?;
    let limit = usize::try_from(page.limit).unwrap_or(usize::MAX);
    let next = (hits.len() > limit)
        .then(|| {
            hits.truncate(limit);
            hits.last().map(|last| {
                encode_cursor(&Cursor {
                    sort: "relevance".to_owned(),
                    key: Some(format_score(last.score)),
                    id: last.id,
                })
            })
        })
        .flatten();
    for hit in &mut hits {
        hit.snippet = html_snippet(&hit.snippet);
    }
    Ok(page_response(
        &request,
        Page {
            items: hits,
            next,
            total: total.total,
            facets: None,
        },
    ))
}

/// A score as text that PostgreSQL reads back as the same `float8`.
fn format_score(score: f64) -> String {
    // Rust prints the shortest text that round-trips, as PostgreSQL does.
    format!("{score:?}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snippets_escape_html_but_keep_marks() {
        assert_eq!(
            html_snippet("a <b> & \u{1}bias\u{2}"),
            "a &lt;b&gt; &amp; <mark>bias</mark>"
        );
    }
}
