//! `GET /v1/reviews/due`: the records staff should check again, with why
//! (`store::reviews`). A record leaves the list when it is approved or
//! confirmed (`POST /v1/{kind}/{id}/publication` with `confirm`), or mended.

use actix_web::{HttpRequest, HttpResponse, get};
use chrono::Utc;

use crate::api::access::{Allowed, least};
use crate::api::respond::page_response;
use crate::auth::Audience;
use crate::domain::page::{Page, PageParams, cut};
use crate::domain::query::QueryReader;
use crate::domain::reviews::{DUE_KEYS, DUE_SORT, DueFilter, DueQuery, DueRecord, ReviewReason};
use crate::error::ApiResult;
use crate::store::reviews;

/// List records due for review
///
/// Records (drafts and published ones; not archived) that need checking,
/// each with its reasons: not reviewed (approved or confirmed) for longer
/// than the deployment's period (`not-reviewed`, 365 days unless
/// `AIMD_REVIEW_PERIOD_DAYS` says otherwise); initiatives whose `endDate`
/// has passed while their status is still active or planned
/// (`ended-but-open`) or that cite no source (`no-source`); records whose
/// fields changed after their newest source was consulted
/// (`sources-outdated`). `on` asks what is, or will be, due on another day.
/// Ordered by id, paged like every list.
#[utoipa::path(
    tag = "reviews",
    operation_id = "listDueReviews",
    params(DueQuery, PageParams),
    responses((status = 200, description = "A page of records due for review; `Link: <...>; rel=\"next\"` points at the next one", body = Page<DueRecord>, headers(("Link" = String, description = "RFC 8288 link to the next page, when there is one"))))
)]
#[get("/reviews/due")]
pub async fn due_reviews(
    Allowed { state, .. }: Allowed<least::Curator>,
    request: HttpRequest,
) -> ApiResult<HttpResponse> {
    let mut query = QueryReader::new(request.query_string(), DUE_KEYS);
    let filter = DueFilter::read(&mut query, &state.vocabulary, Utc::now().date_naive());
    query.finish()?;
    let period = state.policy.review_period;
    let mut conn = state.conn(Audience::Staff).await?;
    let mut rows = reviews::due(&mut conn, &filter, period).await?;
    let total = rows.first().map_or(0, |row| row.total);
    let next = cut(&mut rows, filter.page.limit, DUE_SORT, |last| {
        (None, last.id)
    });
    let items = rows
        .iter()
        .map(|row| {
            Ok(DueRecord {
                kind: row.kind()?,
                id: row.id,
                name: row.name.clone(),
                publication_status: row.publication_status,
                last_reviewed_at: row.last_reviewed_at,
                content_changed_at: row.content_changed_at,
                reasons: row
                    .reasons()?
                    .into_iter()
                    .map(|code| ReviewReason {
                        code,
                        text: code.text(period),
                    })
                    .collect(),
            })
        })
        .collect::<ApiResult<Vec<_>>>()?;
    Ok(page_response(
        &request,
        Page {
            items,
            next,
            total,
            facets: None,
        },
    ))
}
