//! The statement behind `GET /v1/reviews/due`: every live, unarchived
//! record of the kinds asked for, with the reasons it is due for review,
//! keeping those with any, walked by id. It reads every such record of the
//! kinds asked for and counts all that are due: a report for staff, not a
//! public list. On the benchmark dataset (150,000 records, all due on a
//! far day) a page takes 0.5 s for initiatives, 0.8 s for all kinds; on a
//! registry of hundreds, milliseconds.

use chrono::{DateTime, Utc};
use diesel::QueryableByName;
use diesel::sql_types::{Array, BigInt, Nullable, Text, Timestamptz, Uuid as SqlUuid};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use crate::domain::enums::{DueReason, HitType, PublicationStatus};
use crate::domain::reviews::{DueFilter, ReviewPeriod};
use crate::error::{ApiError, ApiResult};
use crate::sql::{Bind, Placeholder, Sql};
use crate::store::records::Kind;

/// A due record as the statement reads it.
#[derive(Debug, QueryableByName)]
pub struct DueRow {
    #[diesel(sql_type = Text)]
    pub kind: String,
    #[diesel(sql_type = SqlUuid)]
    pub id: Uuid,
    #[diesel(sql_type = Text)]
    pub name: String,
    #[diesel(sql_type = Text)]
    pub publication_status: PublicationStatus,
    #[diesel(sql_type = Nullable<Timestamptz>)]
    pub last_reviewed_at: Option<DateTime<Utc>>,
    #[diesel(sql_type = Timestamptz)]
    pub content_changed_at: DateTime<Utc>,
    #[diesel(sql_type = Array<Text>)]
    reasons: Vec<String>,
    #[diesel(sql_type = BigInt)]
    pub total: i64,
}

impl DueRow {
    pub fn kind(&self) -> ApiResult<HitType> {
        HitType::parse(&self.kind).map_err(|_| ApiError::internal("a due record of no kind"))
    }

    pub fn reasons(&self) -> ApiResult<Vec<DueReason>> {
        self.reasons
            .iter()
            .map(|r| DueReason::parse(r).map_err(|_| ApiError::internal("an unknown due reason")))
            .collect()
    }
}

struct Binds {
    on: Placeholder,
    days: Placeholder,
    topics: Placeholder,
    scopes: Placeholder,
}

/// The due records of one kind, as a `SELECT` of the union.
fn push_kind(sql: &mut Sql, kind: Kind, filter: &DueFilter, b: &Binds) {
    let (noun, name) = match kind {
        Kind::Initiative => ("'initiative'", "coalesce(r.title_en, r.title_nl)"),
        Kind::Organisation => ("'organisation'", "r.name"),
        Kind::Expert => ("'expert'", "r.given_name || ' ' || r.family_name"),
    };
    sql.push("SELECT ")
        .push(noun)
        .push("::text AS kind, r.id, ")
        .push(name)
        .push(
            " AS name, r.publication_status, r.last_reviewed_at, r.content_changed_at, \
             array_remove(ARRAY[CASE WHEN coalesce(r.last_reviewed_at, r.created_at) < ",
        )
        .push(&b.on)
        .push("::date - ")
        .push(&b.days)
        .push("::int THEN 'not-reviewed' END, ");
    if kind == Kind::Initiative {
        sql.push("CASE WHEN r.end_date < ").push(&b.on).push(
            "::date AND r.status IN ('active', 'planned') THEN 'ended-but-open' END, \
                 CASE WHEN jsonb_array_length(r.sources) = 0 THEN 'no-source' END, ",
        );
    }
    // Sources consulted before the record's own fields last changed, if
    // they changed after it was written: what was checked is not what it
    // says now.
    sql.push(
        "CASE WHEN r.content_changed_at > r.created_at AND (SELECT max((s.value ->> 'consultedOn')::date) \
         FROM jsonb_array_elements(r.sources) s) < r.content_changed_at::date \
         THEN 'sources-outdated' END], NULL) AS reasons FROM ",
    )
    .push(kind.table())
    .push(" r WHERE r.deleted_at IS NULL AND r.publication_status <> 'archived'");
    if !filter.topics.is_empty() {
        sql.push(" AND r.topic_closure && ").push(&b.topics);
    }
    if !filter.scopes.is_empty() {
        sql.push(" AND r.scope = ANY(").push(&b.scopes).push(")");
    }
}

/// A page of the records due for review on `filter.on`, by id, with the
/// total over all pages.
pub async fn due(
    conn: &mut AsyncPgConnection,
    filter: &DueFilter,
    period: ReviewPeriod,
) -> ApiResult<Vec<DueRow>> {
    let mut sql = Sql::new("WITH due AS (SELECT * FROM (");
    let b = Binds {
        on: sql.bind(Bind::Date(filter.on)),
        days: sql.bind(Bind::Int(i64::from(period.0))),
        topics: sql.bind(Bind::Texts(filter.topics.clone())),
        scopes: sql.bind(Bind::Texts(
            filter
                .scopes
                .iter()
                .map(|s| s.as_str().to_owned())
                .collect(),
        )),
    };
    let kinds: Vec<Kind> = [Kind::Initiative, Kind::Organisation, Kind::Expert]
        .into_iter()
        .filter(|k| filter.includes(k.hit()))
        .collect();
    if kinds.is_empty() {
        return Ok(Vec::new());
    }
    for (n, kind) in kinds.into_iter().enumerate() {
        if n > 0 {
            sql.push(" UNION ALL ");
        }
        push_kind(&mut sql, kind, filter, &b);
    }
    sql.push(") d WHERE cardinality(d.reasons) > 0) SELECT d.*, (SELECT count(*) FROM due) AS total FROM due d");
    if let Some(cursor) = &filter.page.cursor {
        sql.push(" WHERE d.id > ").push_bind(Bind::Uuid(cursor.id));
    }
    sql.push(" ORDER BY d.id LIMIT ")
        .push_bind(Bind::Int(filter.page.limit + 1));
    Ok(sql.into_query().load(conn).await?)
}
