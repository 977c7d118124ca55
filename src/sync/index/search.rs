//! `/v1/search` answered by the index: one ranked list (BM25) across the
//! kinds asked for, with each hit's title and snippet read from the
//! document itself, so a page of hits needs no database.

use tantivy::query::{BooleanQuery, ConstScoreQuery, Occur, Query, TermQuery, TermSetQuery};
use tantivy::schema::{IndexRecordOption, Value};
use tantivy::{TantivyDocument, Term};

use super::find::PageCollector;
use super::{Reading, index_error};
use crate::auth::Audience;
use crate::domain::display_language::DisplayLanguage;
use crate::domain::enums::HitType;
use crate::domain::page::{Page, PageRequest, cut};
use crate::domain::search::SearchText;
use crate::domain::search_hits::SearchHit;
use crate::error::{ApiError, ApiResult};
use crate::store::records::Kind;

/// A page of hits for `text` among records of `types` that `audience` may
/// see, best first, with titles and snippets in `language` where a record
/// has it.
pub fn search(
    reading: &Reading,
    audience: Audience,
    text: &SearchText,
    types: &[HitType],
    page: &PageRequest,
    language: DisplayLanguage,
) -> ApiResult<Page<SearchHit>> {
    let fields = reading.fields();
    let kinds = types
        .iter()
        .map(|t| Term::from_field_text(fields.kind, Kind::of_hit(*t).noun()));
    let mut all: Vec<(Occur, Box<dyn Query>)> = vec![
        (Occur::Must, reading.text_query(text)),
        (
            Occur::Must,
            Box::new(ConstScoreQuery::new(
                Box::new(TermSetQuery::new(kinds)),
                0.0,
            )),
        ),
    ];
    if audience == Audience::Public {
        let public = Term::from_field_bool(fields.public, true);
        let public = Box::new(TermQuery::new(public, IndexRecordOption::Basic));
        all.push((Occur::Must, Box::new(ConstScoreQuery::new(public, 0.0))));
    }
    let wanted = usize::try_from(page.limit + 1).unwrap_or(usize::MAX);
    let collector = PageCollector::by_score(page.cursor.clone(), wanted);
    let searcher = reading.searcher();
    let (mut ranked, total) = searcher
        .search(&BooleanQuery::new(all), &collector)
        .map_err(index_error)?;
    let next = cut(&mut ranked, page.limit, "relevance", |last| {
        (last.sort_key.clone(), last.id)
    });
    let highlighter = reading.highlighter(text);
    let mut items = Vec::with_capacity(ranked.len());
    for hit in ranked {
        let doc: TantivyDocument = searcher.doc(hit.address).map_err(index_error)?;
        let stored = |field| doc.get_first(field).and_then(|v| v.as_str());
        let kind = stored(fields.kind)
            .and_then(|noun| HitType::parse(noun).ok())
            .ok_or_else(|| ApiError::internal("a search hit without its kind"))?;
        items.push(SearchHit {
            hit_type: kind.as_str().to_owned(),
            id: hit.id,
            title: stored(match language {
                DisplayLanguage::En => fields.title_en,
                DisplayLanguage::Nl => fields.title_nl,
            })
            .unwrap_or_default()
            .to_owned(),
            snippet: highlighter.snippet(stored(fields.text_en), stored(fields.text_nl), language),
            // Shown rounded; the cursor keeps the exact score.
            score: (f64::from(hit.score) * 1e4).round() / 1e4,
        });
    }
    Ok(Page {
        items,
        next,
        total: i64::try_from(total).unwrap_or(i64::MAX),
        facets: None,
    })
}
