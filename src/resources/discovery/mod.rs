//! Finding records: the SQL behind every list's filters, full-text search,
//! sort orders, keyset pages, totals and facet counts. It selects ids (and
//! sort keys) only; each resource then loads its records for those ids.
//!
//! The SQL is assembled from literals in this crate and the resources'
//! specs; every client value is a bind parameter.

pub mod text;
pub mod topic_filter;

use std::collections::BTreeMap;

use diesel::QueryableByName;
use diesel::sql_types::{BigInt, Nullable, Text, Uuid as SqlUuid};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use self::text::{TableSearch, TextMatch, text_match};
use crate::domain::input::FieldError;
use crate::domain::search::SearchText;
use crate::domain::topics::Vocabulary;
use crate::error::ApiResult;
use crate::http::page::{Cursor, FacetCount, PageRequest};
use crate::http::query::QueryReader;
use crate::sql::{Bind, Sql};

/// The query keys every list accepts besides its own filters.
pub const LIST_KEYS: &[&str] = &["q", "sort", "facets", "limit", "cursor"];

/// A sort order a list offers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SortSpec {
    /// As written in `sort=`, e.g. `-updatedAt`.
    pub name: &'static str,
    pub key: SortKey,
    pub descending: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SortKey {
    /// Creation order (the time-ordered id alone).
    Id,
    /// The relevance of a text search.
    Relevance,
    /// A column or expression over `r`, and the type its text form casts back to.
    Expr {
        sql: &'static str,
        cast: &'static str,
    },
}

pub const BY_CREATION: SortSpec = SortSpec {
    name: "createdAt",
    key: SortKey::Id,
    descending: false,
};
pub const BY_RELEVANCE: SortSpec = SortSpec {
    name: "relevance",
    key: SortKey::Relevance,
    descending: true,
};
pub const BY_UPDATE: SortSpec = SortSpec {
    name: "-updatedAt",
    key: SortKey::Expr {
        sql: "r.updated_at",
        cast: "timestamptz",
    },
    descending: true,
};

/// Where a facet's values come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FacetSource {
    /// A scalar column of the record.
    Column(&'static str),
    /// An array column of the record; each element counts.
    Array(&'static str),
    /// The record's topics, counted with their ancestors (a record tagged
    /// `human-oversight` counts for `trust-in-ai` too).
    Topics,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FacetSpec {
    /// The facet's name, which is also the name of the filter it mirrors.
    pub name: &'static str,
    pub source: FacetSource,
}

/// A resource's table as the discovery queries see it.
pub struct TableSpec {
    pub table: &'static str,
    pub sorts: &'static [SortSpec],
    pub facets: &'static [FacetSpec],
}

impl TableSpec {
    /// The table with the alias every discovery query uses.
    pub fn from(&self) -> String {
        format!("{} r", self.table)
    }
}

/// A resource's filters, as SQL conditions over the alias `r`.
pub trait SetFilter {
    /// Appends ` AND ...` for every active filter except the one named
    /// `except` (facets count under all the *other* filters).
    fn push_conditions(&self, sql: &mut Sql, except: Option<&str>);
}

/// What a list request asks for besides its filters.
#[derive(Debug, Clone)]
pub struct ListRequest<F> {
    pub filter: F,
    pub search: Option<SearchText>,
    pub sort: SortSpec,
    pub facets: Vec<FacetSpec>,
    pub page: PageRequest,
}

impl<F> ListRequest<F> {
    /// Reads `q`, `sort`, `facets`, `limit` and `cursor`, the filter having
    /// been read by `read_filter`. Unknown keys were refused by the reader.
    pub fn read(
        mut query: QueryReader,
        spec: &TableSpec,
        read_filter: impl FnOnce(&mut QueryReader) -> F,
    ) -> ApiResult<Self> {
        let filter = read_filter(&mut query);
        let search = query.one("q", SearchText::parse);
        let sort = query.one("sort", |raw| parse_sort(raw, spec.sorts));
        let facets = query
            .one("facets", |raw| parse_facets(raw, spec.facets))
            .unwrap_or_default();
        let page = PageRequest::read(&mut query);
        let sort = sort.unwrap_or(if search.is_some() {
            BY_RELEVANCE
        } else {
            BY_CREATION
        });
        if sort.key == SortKey::Relevance && search.is_none() {
            query.error(
                "sort",
                "needs-query",
                "sorting by relevance needs a search query (q)",
            );
        }
        if let Some(cursor) = &page.cursor
            && cursor.sort != sort.name
        {
            query.error(
                "cursor",
                "invalid-cursor",
                "belongs to a walk in another sort order",
            );
        }
        query.finish()?;
        Ok(Self {
            filter,
            search,
            sort,
            facets,
            page,
        })
    }
}

fn parse_sort(raw: &str, sorts: &[SortSpec]) -> Result<SortSpec, FieldError> {
    sorts
        .iter()
        .find(|s| s.name == raw.trim())
        .copied()
        .ok_or_else(|| {
            let names: Vec<&str> = sorts.iter().map(|s| s.name).collect();
            FieldError::new(
                "unknown-value",
                format!("'{raw}' is not one of: {}", names.join(", ")),
            )
        })
}

fn parse_facets(raw: &str, facets: &[FacetSpec]) -> Result<Vec<FacetSpec>, FieldError> {
    let mut chosen = Vec::new();
    for name in raw.split(',').map(str::trim).filter(|n| !n.is_empty()) {
        let facet = facets.iter().find(|f| f.name == name).ok_or_else(|| {
            let names: Vec<&str> = facets.iter().map(|f| f.name).collect();
            FieldError::new(
                "unknown-value",
                format!("'{name}' is not one of: {}", names.join(", ")),
            )
        })?;
        if !chosen.contains(facet) {
            chosen.push(*facet);
        }
    }
    Ok(chosen)
}

/// `FROM <from> WHERE <live> <filters> <search>`, shared by every query over
/// the filtered set; `from` names the table with the alias `r` (and may join
/// more). Returns the text match, when there is a search.
pub fn push_set(
    sql: &mut Sql,
    from: &str,
    filter: &impl SetFilter,
    search: Option<&TableSearch>,
    except: Option<&str>,
) -> Option<TextMatch> {
    sql.push(" FROM ")
        .push(from)
        .push(" WHERE r.deleted_at IS NULL");
    filter.push_conditions(sql, except);
    let matched = search.map(|text| text_match(sql, text));
    if let Some(m) = &matched {
        sql.push(" AND ").push(&m.condition);
    }
    matched
}

#[derive(QueryableByName)]
pub struct Found {
    #[diesel(sql_type = SqlUuid)]
    pub id: Uuid,
    #[diesel(sql_type = Nullable<Text>)]
    pub sort_key: Option<String>,
}

/// One page of ids in the requested order, plus one extra when there is more.
pub async fn find_page<F: SetFilter>(
    conn: &mut AsyncPgConnection,
    spec: &TableSpec,
    request: &ListRequest<F>,
    search: Option<&TableSearch>,
) -> ApiResult<Vec<Found>> {
    // The select list needs the score expression, which refers to the binds
    // of the search: build the set first, then put the select list in front.
    let mut set = Sql::default();
    let matched = push_set(&mut set, &spec.from(), &request.filter, search, None);
    let key = match request.sort.key {
        SortKey::Id => None,
        SortKey::Relevance => matched.as_ref().map(|m| (m.score.clone(), "float8")),
        SortKey::Expr { sql, cast } => Some((sql.to_owned(), cast)),
    };
    let mut sql = set.prefixed(&match &key {
        Some((expr, _)) => format!("SELECT r.id, ({expr})::text AS sort_key"),
        None => "SELECT r.id, NULL::text AS sort_key".to_owned(),
    });
    if let Some(cursor) = &request.page.cursor {
        push_keyset(
            &mut sql,
            key.as_ref().map(|(e, c)| (e.as_str(), *c)),
            request.sort.descending,
            cursor,
        );
    }
    let direction = if request.sort.descending {
        "DESC"
    } else {
        "ASC"
    };
    match &key {
        Some((expr, _)) => sql.push(&format!(" ORDER BY {expr} {direction}, r.id ASC")),
        None => sql.push(" ORDER BY r.id ASC"),
    };
    sql.push(" LIMIT ")
        .push_bind(Bind::Int(request.page.limit + 1));
    Ok(sql.into_query().load(conn).await?)
}

/// Rows after the cursor: keys sort in `direction`, ties by ascending id.
fn push_keyset(sql: &mut Sql, key: Option<(&str, &str)>, descending: bool, cursor: &Cursor) {
    let id = sql.bind(Bind::Uuid(cursor.id));
    match (key, &cursor.key) {
        (Some((expr, cast)), Some(value)) => {
            let value = sql.bind(Bind::Text(value.clone()));
            let op = if descending { "<" } else { ">" };
            sql.push(&format!(
                " AND (({expr}) {op} {value}::{cast} OR (({expr}) = {value}::{cast} AND r.id > {id}))"
            ));
        }
        _ => {
            sql.push(&format!(" AND r.id > {id}"));
        }
    }
}

#[derive(QueryableByName)]
struct Total {
    #[diesel(sql_type = BigInt)]
    total: i64,
}

/// How many records the filters and search select.
pub async fn count<F: SetFilter>(
    conn: &mut AsyncPgConnection,
    spec: &TableSpec,
    request: &ListRequest<F>,
    search: Option<&TableSearch>,
) -> ApiResult<i64> {
    let mut set = Sql::default();
    push_set(&mut set, &spec.from(), &request.filter, search, None);
    let sql = set.prefixed("SELECT count(*) AS total");
    let total: Total = sql.into_query().get_result(conn).await?;
    Ok(total.total)
}

#[derive(QueryableByName)]
struct ValueCount {
    #[diesel(sql_type = Text)]
    value: String,
    #[diesel(sql_type = BigInt)]
    count: i64,
}

/// Counts per value of each requested facet, each under the other filters.
pub async fn facets<F: SetFilter>(
    conn: &mut AsyncPgConnection,
    spec: &TableSpec,
    request: &ListRequest<F>,
    search: Option<&TableSearch>,
    vocabulary: &Vocabulary,
) -> ApiResult<Option<BTreeMap<String, Vec<FacetCount>>>> {
    if request.facets.is_empty() {
        return Ok(None);
    }
    let mut all = BTreeMap::new();
    for facet in &request.facets {
        let mut set = Sql::default();
        let from = match facet.source {
            FacetSource::Topics => format!(
                "{} CROSS JOIN LATERAL unnest(r.topic_closure) AS v(value)",
                spec.from()
            ),
            FacetSource::Array(column) => {
                format!(
                    "{} CROSS JOIN LATERAL unnest({column}) AS v(value)",
                    spec.from()
                )
            }
            _ => spec.from(),
        };
        push_set(&mut set, &from, &request.filter, search, Some(facet.name));
        let sql = match facet.source {
            FacetSource::Column(column) => set
                .prefixed(&format!(
                    "SELECT {column}::text AS value, count(*) AS count"
                ))
                .suffixed(&format!(" AND {column} IS NOT NULL GROUP BY 1")),
            FacetSource::Array(_) | FacetSource::Topics => set
                .prefixed("SELECT v.value::text AS value, count(*) AS count")
                .suffixed(" GROUP BY 1"),
        };
        let mut counts: Vec<ValueCount> = sql.into_query().load(conn).await?;
        counts.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.value.cmp(&b.value)));
        let counts = counts
            .into_iter()
            .map(|c| FacetCount {
                label: matches!(facet.source, FacetSource::Topics)
                    .then(|| vocabulary.get(&c.value).map(|t| t.label.clone()))
                    .flatten(),
                value: c.value,
                count: c.count,
            })
            .collect();
        all.insert(facet.name.to_owned(), counts);
    }
    Ok(Some(all))
}

/// Puts records in the order their ids were found.
pub fn in_found_order<T>(found: &[Found], records: Vec<T>, id_of: impl Fn(&T) -> Uuid) -> Vec<T> {
    let mut by_id: std::collections::HashMap<Uuid, T> =
        records.into_iter().map(|r| (id_of(&r), r)).collect();
    found.iter().filter_map(|f| by_id.remove(&f.id)).collect()
}

/// The wire texts of filter values.
pub fn texts<T>(values: &[T], text: impl Fn(&T) -> &str) -> Vec<String> {
    values.iter().map(|v| text(v).to_owned()).collect()
}

/// Conditions shared by several resources' filters.
pub mod conditions {
    use super::*;

    /// `r.<column> = ANY($n)` for a list of text values.
    pub fn any_text(sql: &mut Sql, column: &str, values: Vec<String>) {
        if !values.is_empty() {
            let p = sql.bind(Bind::Texts(values));
            sql.push(&format!(" AND {column} = ANY({p})"));
        }
    }

    /// `<array column> && $n`: the record has any of the values.
    pub fn overlaps(sql: &mut Sql, column: &str, values: Vec<String>) {
        if !values.is_empty() {
            let p = sql.bind(Bind::Texts(values));
            sql.push(&format!(" AND {column} && {p}::text[]"));
        }
    }

    /// The record is linked, through `table`, to any of `ids`.
    pub fn linked(sql: &mut Sql, table: &str, own: &str, other: &str, ids: &[Uuid]) {
        if !ids.is_empty() {
            let p = sql.bind(Bind::Uuids(ids.to_vec()));
            sql.push(&format!(
                " AND r.id IN (SELECT {own} FROM {table} WHERE {other} = ANY({p}))"
            ));
        }
    }
}
