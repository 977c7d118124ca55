//! Finding records: the SQL behind every list's filters, full-text search,
//! sort orders, keyset pages, totals and facet counts. It selects ids (and
//! sort keys) only; each kind's `StoredKind::load` then loads the records.
//!
//! The SQL is assembled with `sql!` from literals and the kinds'
//! `TableSpec`s; every client value is a bind parameter.

pub mod text;
pub mod topic_filter;

use std::collections::BTreeMap;

use diesel::QueryableByName;
use diesel::sql_types::{BigInt, Nullable, Text, Uuid as SqlUuid};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use self::text::{TableSearch, TextMatch, text_match};
use crate::auth::Audience;
use crate::domain::input::FieldError;
use crate::domain::page::{Cursor, FacetCount, PageRequest};
use crate::domain::query::QueryReader;
use crate::domain::search::SearchText;
use crate::domain::topics::Vocabulary;
use crate::error::ApiResult;
use crate::sql::{Bind, Fragment, Placeholder, Sql, sql};

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

impl SortKey {
    /// Whether `key`, read from a cursor, is what this sort hands out: the
    /// text form of its key's type. Checked before any SQL, so an edited
    /// cursor is a 400 and never a failed cast.
    fn accepts(self, key: &str) -> bool {
        if key.contains('\0') {
            return false;
        }
        match self {
            Self::Id => false,
            Self::Relevance => key.parse::<f64>().is_ok(),
            Self::Expr { cast, .. } => match cast {
                "timestamptz" => {
                    chrono::DateTime::parse_from_str(key, "%Y-%m-%d %H:%M:%S%.f%#z").is_ok()
                }
                // Records without a date sort last, under an infinite one.
                "date" => {
                    matches!(key, "infinity" | "-infinity")
                        || chrono::NaiveDate::parse_from_str(key, "%Y-%m-%d").is_ok()
                }
                "text" => true,
                _ => false,
            },
        }
    }
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
    pub fn from(&self) -> Fragment {
        sql!(self.table, " r")
    }
}

/// A resource's filters, as SQL conditions over the alias `r`.
pub trait SetFilter {
    /// Every active filter, named after its query key.
    fn conditions(&self) -> Conditions;
}

/// One active filter: SQL text over `r` with `#0`, `#1`… standing for its
/// values, which are bound only when the condition is written into a
/// statement (a facet leaves its own filter out, and PostgreSQL refuses
/// parameters a statement does not use).
#[derive(Debug, Clone)]
pub struct Condition {
    pub name: &'static str,
    template: Fragment,
    binds: Vec<Bind>,
}

impl Condition {
    pub fn new(name: &'static str, template: Fragment, binds: Vec<Bind>) -> Self {
        Self {
            name,
            template,
            binds,
        }
    }

    /// Binds the values into `sql` and returns the condition's text.
    pub fn write(&self, sql: &mut Sql) -> Fragment {
        let placeholders: Vec<Placeholder> = self
            .binds
            .iter()
            .map(|bind| sql.bind(bind.clone()))
            .collect();
        sql!("(", self.template.fill(&placeholders), ")")
    }
}

/// A filter's active conditions.
#[derive(Debug, Clone, Default)]
pub struct Conditions(pub Vec<Condition>);

impl Conditions {
    /// `column = ANY(values)`.
    pub fn any_text(&mut self, name: &'static str, column: &'static str, values: Vec<String>) {
        if !values.is_empty() {
            self.push(name, sql!(column, " = ANY(#0)"), vec![Bind::Texts(values)]);
        }
    }

    /// `array column && values`: the record has any of the values.
    pub fn overlaps(&mut self, name: &'static str, column: &'static str, values: Vec<String>) {
        if !values.is_empty() {
            self.push(
                name,
                sql!(column, " && #0::text[]"),
                vec![Bind::Texts(values)],
            );
        }
    }

    /// The record is linked, through `table`, to any of `ids`.
    pub fn linked(
        &mut self,
        name: &'static str,
        (table, own, other): (&'static str, &'static str, &'static str),
        ids: &[Uuid],
    ) {
        if !ids.is_empty() {
            self.push(
                name,
                sql!(
                    "r.id IN (SELECT ",
                    own,
                    " FROM ",
                    table,
                    " WHERE ",
                    other,
                    " = ANY(#0))"
                ),
                vec![Bind::Uuids(ids.to_vec())],
            );
        }
    }

    pub fn push(&mut self, name: &'static str, template: Fragment, binds: Vec<Bind>) {
        self.0.push(Condition::new(name, template, binds));
    }
}

/// What a list request asks for besides its filters.
#[derive(Debug, Clone)]
pub struct ListRequest<F> {
    pub filter: F,
    /// Who is asking, which decides the records they may see.
    pub audience: Audience,
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
        audience: Audience,
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
        } else if let Some(key) = page.cursor.as_ref().and_then(|c| c.key.as_deref())
            && !sort.key.accepts(key)
        {
            query.error(
                "cursor",
                "invalid-cursor",
                "is not a cursor this API handed out",
            );
        }
        query.finish()?;
        Ok(Self {
            filter,
            audience,
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
    from: &Fragment,
    filter: &impl SetFilter,
    search: Option<&TableSearch>,
    except: Option<&str>,
) -> Option<TextMatch> {
    sql.push(" FROM ")
        .push(from)
        .push(" WHERE r.deleted_at IS NULL");
    for condition in filter.conditions().0 {
        if Some(condition.name) != except {
            let text = condition.write(sql);
            sql.push(" AND ").push(text);
        }
    }
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
        SortKey::Expr { sql, cast } => Some((sql!(sql), cast)),
    };
    let mut sql = set.prefixed(match &key {
        Some((expr, _)) => sql!("SELECT r.id, (", expr, ")::text AS sort_key"),
        None => sql!("SELECT r.id, NULL::text AS sort_key"),
    });
    if let Some(cursor) = &request.page.cursor {
        push_keyset(
            &mut sql,
            key.as_ref().map(|(e, c)| (e, *c)),
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
        Some((expr, _)) => sql.push(sql!(" ORDER BY ", expr, " ", direction, ", r.id ASC")),
        None => sql.push(" ORDER BY r.id ASC"),
    };
    sql.push(" LIMIT ")
        .push_bind(Bind::Int(request.page.limit + 1));
    Ok(sql.into_query().load(conn).await?)
}

/// Rows after the cursor: keys sort in `direction`, ties by ascending id.
fn push_keyset(
    sql: &mut Sql,
    key: Option<(&Fragment, &'static str)>,
    descending: bool,
    cursor: &Cursor,
) {
    let id = sql.bind(Bind::Uuid(cursor.id));
    match (key, &cursor.key) {
        (Some((expr, cast)), Some(value)) => {
            let value = sql.bind(Bind::Text(value.clone()));
            let op = if descending { "<" } else { ">" };
            let key = sql!("(", expr, ")");
            let value = sql!(&value, "::", cast);
            sql.push(sql!(
                " AND (",
                &key,
                " ",
                op,
                " ",
                &value,
                " OR (",
                &key,
                " = ",
                &value,
                " AND r.id > ",
                id,
                "))"
            ));
        }
        _ => {
            sql.push(sql!(" AND r.id > ", id));
        }
    }
}

#[derive(QueryableByName)]
pub struct Total {
    #[diesel(sql_type = BigInt)]
    pub total: i64,
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
struct FacetRow {
    #[diesel(sql_type = Text)]
    facet: String,
    #[diesel(sql_type = Text)]
    value: String,
    #[diesel(sql_type = BigInt)]
    count: i64,
}

/// Counts per value of each requested facet, each under the other filters,
/// in one scan: the rows that fail at most one faceted filter are read once
/// (with a flag per faceted filter), and each facet counts the rows whose
/// *other* flags hold.
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
    let mut sql = Sql::default();
    let mut base_where = vec![sql!("r.deleted_at IS NULL")];
    let mut flags: Vec<(&str, Fragment)> = Vec::new();
    for condition in request.filter.conditions().0 {
        let text = condition.write(&mut sql);
        if request.facets.iter().any(|f| f.name == condition.name) {
            flags.push((condition.name, text));
        } else {
            base_where.push(text);
        }
    }
    if let Some(search) = search {
        base_where.push(text_match(&mut sql, search).condition);
    }
    if flags.len() > 1 {
        let failures = flags.iter().map(|(_, f)| sql!("(NOT ", f, ")::int"));
        base_where.push(sql!(Fragment::join(failures, " + "), " <= 1"));
    }
    let mut columns: Vec<Fragment> = request
        .facets
        .iter()
        .enumerate()
        .map(|(i, facet)| {
            let column = match facet.source {
                FacetSource::Column(column) | FacetSource::Array(column) => column,
                FacetSource::Topics => "r.topic_closure",
            };
            sql!(column, " AS ", Fragment::numbered("c", i))
        })
        .collect();
    columns.extend(
        flags
            .iter()
            .enumerate()
            .map(|(k, (_, f))| sql!(f, " AS ", Fragment::numbered("f", k))),
    );
    let counts = request.facets.iter().enumerate().map(|(i, facet)| {
        let others = flags
            .iter()
            .enumerate()
            .filter(|(_, (name, _))| *name != facet.name)
            .map(|(k, _)| Fragment::numbered("f", k));
        let only = Fragment::join(others, " AND ");
        let only = if only.as_str().is_empty() {
            sql!("TRUE")
        } else {
            only
        };
        let column = Fragment::numbered("c", i);
        match facet.source {
            FacetSource::Column(_) => sql!(
                "SELECT '",
                facet.name,
                "'::text AS facet, ",
                &column,
                "::text AS value, count(*) AS count FROM base WHERE ",
                &column,
                " IS NOT NULL AND ",
                only,
                " GROUP BY 2"
            ),
            FacetSource::Array(_) | FacetSource::Topics => sql!(
                "SELECT '",
                facet.name,
                "'::text AS facet, v.value::text AS value, count(*) AS count \
                 FROM base CROSS JOIN LATERAL unnest(base.",
                column,
                ") AS v(value) WHERE ",
                only,
                " GROUP BY 2"
            ),
        }
    });
    let sql = sql.suffixed(sql!(
        "WITH base AS MATERIALIZED (SELECT ",
        Fragment::join(columns, ", "),
        " FROM ",
        spec.from(),
        " WHERE ",
        Fragment::join(base_where, " AND "),
        ") ",
        Fragment::join(counts, " UNION ALL ")
    ));
    let rows: Vec<FacetRow> = sql.into_query().load(conn).await?;
    let mut all: BTreeMap<String, Vec<FacetCount>> = request
        .facets
        .iter()
        .map(|f| (f.name.to_owned(), Vec::new()))
        .collect();
    for row in rows {
        let is_topic = request
            .facets
            .iter()
            .any(|f| f.name == row.facet && f.source == FacetSource::Topics);
        let label = is_topic
            .then(|| vocabulary.get(&row.value).map(|t| t.label.clone()))
            .flatten();
        if let Some(counts) = all.get_mut(&row.facet) {
            counts.push(FacetCount {
                value: row.value,
                label,
                count: row.count,
            });
        }
    }
    for counts in all.values_mut() {
        counts.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.value.cmp(&b.value)));
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
