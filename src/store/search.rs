//! The statement behind `/v1/search`: one search across initiatives,
//! organisations and experts, ranked together, with a highlighted snippet
//! per hit.

use diesel::QueryableByName;
use diesel::sql_types::{Double, Text, Uuid as SqlUuid};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use crate::domain::enums::HitType;
use crate::domain::page::{Cursor, Page, PageRequest, encode_cursor};
use crate::domain::search::SearchText;
use crate::domain::search_hits::SearchHit;
use crate::error::ApiResult;
use crate::sql::{Bind, Fragment, Sql, sql};
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

/// A hit as the statement returns it, its snippet marked with control
/// characters.
#[derive(QueryableByName)]
struct HitRow {
    #[diesel(sql_type = Text)]
    hit_type: String,
    #[diesel(sql_type = SqlUuid)]
    id: Uuid,
    #[diesel(sql_type = Text)]
    title: String,
    #[diesel(sql_type = Text)]
    snippet: String,
    #[diesel(sql_type = Double)]
    score: f64,
}

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

/// A page of hits for `text` among records of `types`, best first.
pub async fn search(
    conn: &mut AsyncPgConnection,
    text: &SearchText,
    types: &[HitType],
    page: &PageRequest,
) -> ApiResult<Page<SearchHit>> {
    let mut prepared = prepare(conn, text).await?;
    let mut union = Sql::default();
    let mut parts = Vec::new();
    let mut counted = Vec::new();
    let mut highlight_query = None;
    for hit_type in types {
        let (kind, table, title, english, dutch) = columns(*hit_type);
        let matched = text_match(&mut union, &prepared.for_table(conn, table).await?);
        parts.push(sql!(
            "SELECT '",
            kind,
            "'::text AS kind, r.id, ",
            title,
            " AS title, ",
            english,
            " AS text_en, ",
            dutch,
            " AS text_nl, ",
            matched.score,
            " AS score FROM ",
            table,
            " r WHERE r.deleted_at IS NULL AND ",
            &matched.condition
        ));
        counted.push(sql!(
            "SELECT r.id FROM ",
            table,
            " r WHERE r.deleted_at IS NULL AND ",
            matched.condition
        ));
        highlight_query = highlight_query.or(matched.tsquery);
    }
    let union_sql = Fragment::join(parts, " UNION ALL ");

    let total: Total = union
        .clone()
        .suffixed(sql!(
            "SELECT count(*) AS total FROM (",
            Fragment::join(counted, " UNION ALL "),
            ") hits"
        ))
        .into_query()
        .get_result(conn)
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
            sql!(
                " WHERE hits.score < ",
                &s,
                "::float8 OR (hits.score = ",
                &s,
                "::float8 AND hits.id > ",
                i,
                ")"
            )
        }
        _ => Fragment::default(),
    };
    let limit = sql.bind(Bind::Int(page.limit + 1));
    let options = sql.bind(Bind::Text(format!(
        "StartSel={MARK_START}, StopSel={MARK_END}, MaxWords=30, MinWords=12, MaxFragments=1"
    )));
    let highlight = match &highlight_query {
        Some(tsquery) => {
            let english = sql!(
                "ts_headline('aimd_en', page.text_en, ",
                tsquery,
                ", ",
                &options,
                ")"
            );
            let dutch = sql!(
                "ts_headline('aimd_nl', page.text_nl, ",
                tsquery,
                ", ",
                &options,
                ")"
            );
            sql!(
                "CASE WHEN page.text_nl IS NOT NULL AND strpos(",
                &english,
                ", '",
                MARK_START,
                "') = 0 AND strpos(",
                &dutch,
                ", '",
                MARK_START,
                "') > 0 THEN ",
                &dutch,
                " ELSE ",
                &english,
                " END"
            )
        }
        None => sql!("left(coalesce(page.text_en, page.text_nl), 200)"),
    };
    let sql = sql.suffixed(sql!(
        "SELECT page.kind AS hit_type, page.id, page.title, ",
        highlight,
        " AS snippet, page.score FROM (SELECT * FROM (",
        union_sql,
        ") hits",
        keyset,
        " ORDER BY hits.score DESC, hits.id ASC LIMIT ",
        limit,
        ") page ORDER BY page.score DESC, page.id ASC"
    ));
    let mut hits: Vec<HitRow> = sql.into_query().load(conn).await?;
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
    let items = hits
        .into_iter()
        .map(|hit| SearchHit {
            snippet: html_snippet(&hit.snippet),
            hit_type: hit.hit_type,
            id: hit.id,
            title: hit.title,
            score: hit.score,
        })
        .collect();
    Ok(Page {
        items,
        next,
        total: total.total,
        facets: None,
    })
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
