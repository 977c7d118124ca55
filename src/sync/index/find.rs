//! A list's page, total and facet counts, answered by the index: the
//! records of one kind that the audience may see, under the list's filters
//! and search text, in the requested order from the cursor on.
//!
//! One pass collects the page (the best `limit + 1` under the sort, after
//! the cursor) and the total; facets whose own filter is not active are
//! counted in the same pass, each other facet in a pass of its own without
//! its filter (counts "under the other filters").

use std::cmp::Ordering;
use std::collections::{BTreeMap, BinaryHeap, HashMap};

use chrono::{DateTime, NaiveDate};
use tantivy::collector::{Collector, SegmentCollector};
use tantivy::columnar::{Column, StrColumn, TermOrdHit};
use tantivy::query::{BooleanQuery, ConstScoreQuery, Occur, Query, TermQuery};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::{DocAddress, DocId, Score, SegmentOrdinal, SegmentReader, Term};
use uuid::Uuid;

use super::filters::{Clause, IndexFilter};
use super::{Reading, index_error};
use crate::auth::Audience;
use crate::domain::list::{FacetSpec, Found, ListRequest, SortKey, SortSpec};
use crate::domain::page::{Cursor, FacetCount, cut};
use crate::domain::topics::Vocabulary;
use crate::error::{ApiError, ApiResult};
use crate::store::records::Kind;

/// What a list shows besides the records themselves.
pub struct Listed {
    /// Up to `limit + 1` ids with their sort keys: one more when there is more.
    pub found: Vec<Found>,
    pub total: i64,
    pub facets: Option<BTreeMap<String, Vec<FacetCount>>>,
}

impl Listed {
    /// Keeps the page's ids (drops the one past the page) and returns them
    /// with the cursor of the next page, when there is one.
    pub fn page(&mut self, sort: &str, limit: i64) -> (Vec<Uuid>, Option<String>) {
        let next = cut(&mut self.found, limit, sort, |last| {
            (last.sort_key.clone(), last.id)
        });
        (self.found.iter().map(|f| f.id).collect(), next)
    }
}

/// Answers a list request of `kind` from the index.
pub fn list<F: IndexFilter>(
    reading: &Reading,
    kind: Kind,
    request: &ListRequest<F>,
    vocabulary: &Vocabulary,
) -> ApiResult<Listed> {
    let fields = reading.fields();
    let clauses = request.filter.clauses(fields, request.audience);
    let text = request.search.as_ref().map(|t| reading.text_query(t));
    let set = |except: Option<&str>| {
        selection(
            reading,
            kind,
            request.audience,
            &clauses,
            except,
            text.as_deref(),
        )
    };
    let order = Order::of(&request.sort, request.audience);
    let page = PageCollector {
        order,
        after: request.page.cursor.clone(),
        wanted: usize::try_from(request.page.limit + 1).unwrap_or(usize::MAX),
    };
    let filtered = |name: &str| clauses.iter().any(|c| c.name == name);
    let (together, apart): (Vec<&FacetSpec>, Vec<&FacetSpec>) = request
        .facets
        .iter()
        .partition(|facet| !filtered(facet.name));
    let searcher = reading.searcher();
    let counter = FacetCounter::of(together.iter().map(|f| f.name))?;
    let ((ranked, total), mut counts) = searcher
        .search(&set(None), &(page, counter))
        .map_err(index_error)?;
    for facet in apart {
        let counter = FacetCounter::of([facet.name])?;
        let apart = searcher
            .search(&set(Some(facet.name)), &counter)
            .map_err(index_error)?;
        counts.extend(apart);
    }
    let facets = (!request.facets.is_empty()).then(|| {
        request
            .facets
            .iter()
            .map(|facet| {
                let counted = counts.remove(facet.name).unwrap_or_default();
                let topics = facet.topics;
                (
                    facet.name.to_owned(),
                    facet_counts(counted, topics, vocabulary),
                )
            })
            .collect()
    });
    let found = ranked
        .into_iter()
        .map(|r| Found {
            id: r.id,
            sort_key: r.sort_key,
        })
        .collect();
    Ok(Listed {
        found,
        total: i64::try_from(total).unwrap_or(i64::MAX),
        facets,
    })
}

/// The records of `kind` that `audience` may see, under `clauses` (but
/// the one named `except`) and matching `text`.
pub(super) fn selection(
    reading: &Reading,
    kind: Kind,
    audience: Audience,
    clauses: &[Clause],
    except: Option<&str>,
    text: Option<&dyn Query>,
) -> BooleanQuery {
    let fields = reading.fields();
    let mut all: Vec<(Occur, Box<dyn Query>)> = vec![filter(term(fields.kind, kind.noun()))];
    if audience == Audience::Public {
        all.push(filter(term_of(Term::from_field_bool(fields.public, true))));
    }
    for clause in clauses {
        if Some(clause.name) != except {
            all.push(filter(clause.query.box_clone()));
        }
    }
    if let Some(text) = text {
        all.push((Occur::Must, text.box_clone()));
    }
    BooleanQuery::new(all)
}

/// A condition that selects without weighing in the ranking.
fn filter(query: Box<dyn Query>) -> (Occur, Box<dyn Query>) {
    (Occur::Must, Box::new(ConstScoreQuery::new(query, 0.0)))
}

fn term(field: Field, value: &str) -> Box<dyn Query> {
    term_of(Term::from_field_text(field, value))
}

fn term_of(term: Term) -> Box<dyn Query> {
    Box::new(TermQuery::new(term, IndexRecordOption::Basic))
}

/// Most frequent first, then by value; topics with their labels.
fn facet_counts(
    counted: HashMap<String, u64>,
    topics: bool,
    vocabulary: &Vocabulary,
) -> Vec<FacetCount> {
    let mut counts: Vec<FacetCount> = counted
        .into_iter()
        .map(|(value, count)| FacetCount {
            label: topics
                .then(|| vocabulary.get(&value).map(|t| t.label.clone()))
                .flatten(),
            value,
            count: i64::try_from(count).unwrap_or(i64::MAX),
        })
        .collect();
    counts.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.value.cmp(&b.value)));
    counts
}

/// The index field a facet counts.
fn facet_field(name: &str) -> ApiResult<&'static str> {
    Ok(match name {
        "scope" => "scope",
        "topic" => "topic",
        "country" => "country",
        "type" => "type",
        "status" => "status",
        "regulation" => "regulation",
        "language" => "language",
        "scope_topic" => "scope_topic",
        other => {
            return Err(ApiError::internal(format!(
                "no index field for facet {other}"
            )));
        }
    })
}

/// How a sort orders records, as the index keeps their keys.
#[derive(Debug, Clone, Copy)]
enum Order {
    /// Creation order: the time-ordered id alone.
    Id,
    /// Best match first.
    Score,
    /// A whole-number fast field, ascending or descending; `missing` is the
    /// value a record without one has, `last` the key it sorts under.
    Number {
        column: &'static str,
        descending: bool,
        kind: NumberKind,
    },
    /// The folded title or name, ascending.
    Text(&'static str),
}

#[derive(Debug, Clone, Copy)]
enum NumberKind {
    /// Microseconds since 1970.
    Time,
    /// A day number; a missing start (`i64::MIN`) sorts after every date.
    Day,
}

impl Order {
    fn of(sort: &SortSpec, audience: Audience) -> Self {
        match sort.key {
            SortKey::Id => Self::Id,
            SortKey::Relevance => Self::Score,
            SortKey::Name => Self::Text("sort_key"),
            SortKey::UpdatedAt => Self::Number {
                column: match audience {
                    Audience::Staff => "updated_at",
                    Audience::Public => "public_updated_at",
                },
                descending: sort.descending,
                kind: NumberKind::Time,
            },
            SortKey::StartDate => Self::Number {
                column: "start_date",
                descending: sort.descending,
                kind: NumberKind::Day,
            },
        }
    }

    /// The rank a record's key has in this order: smaller comes first.
    fn rank(self, value: i64) -> i64 {
        match self {
            Self::Number {
                descending: false,
                kind: NumberKind::Day,
                ..
            } if value == i64::MIN => i64::MAX,
            // Bitwise not reverses the order without overflowing.
            Self::Number {
                descending: true, ..
            } => !value,
            _ => value,
        }
    }

    /// A rank as the cursor writes it.
    fn key_text(self, rank: i64) -> Option<String> {
        let Self::Number {
            descending, kind, ..
        } = self
        else {
            return None;
        };
        let value = if descending { !rank } else { rank };
        Some(match kind {
            NumberKind::Time => DateTime::from_timestamp_micros(value)?
                .format("%Y-%m-%d %H:%M:%S%.6f+00")
                .to_string(),
            NumberKind::Day if value == i64::MIN => "-infinity".to_owned(),
            NumberKind::Day if value == i64::MAX => "infinity".to_owned(),
            NumberKind::Day => NaiveDate::from_num_days_from_ce_opt(i32::try_from(value).ok()?)?
                .format("%Y-%m-%d")
                .to_string(),
        })
    }

    /// The rank of a cursor's key (already checked to be well formed).
    fn rank_of_key(self, key: &str) -> Option<i64> {
        let Self::Number { kind, .. } = self else {
            return None;
        };
        let value = match (kind, key) {
            (NumberKind::Day, "-infinity") => i64::MIN,
            // A missing start sorts last in both directions.
            (NumberKind::Day, "infinity") => i64::MIN,
            (NumberKind::Day, day) => {
                let day = NaiveDate::parse_from_str(day, "%Y-%m-%d").ok()?;
                super::document::day_number(day)
            }
            (NumberKind::Time, time) => DateTime::parse_from_str(time, "%Y-%m-%d %H:%M:%S%.f%#z")
                .ok()?
                .timestamp_micros(),
        };
        Some(self.rank(value))
    }
}

/// A record's place in the order: its key, then its id.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Rank {
    None,
    Number(i64),
    /// The negated score, so that the best match is smallest.
    Score(f32),
    /// A text key's ordinal in one segment's dictionary.
    Ordinal(u64),
    Text(String),
}

impl Rank {
    fn compare(&self, other: &Self) -> Ordering {
        match (self, other) {
            (Self::Number(a), Self::Number(b)) => a.cmp(b),
            (Self::Score(a), Self::Score(b)) => a.total_cmp(b),
            (Self::Ordinal(a), Self::Ordinal(b)) => a.cmp(b),
            (Self::Text(a), Self::Text(b)) => a.cmp(b),
            _ => Ordering::Equal,
        }
    }
}

#[derive(Debug, Clone)]
pub(super) struct Hit {
    rank: Rank,
    id: u128,
    /// Where the document is, to read its stored fields.
    doc: DocId,
}

impl PartialEq for Hit {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}
impl Eq for Hit {}
impl PartialOrd for Hit {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Hit {
    fn cmp(&self, other: &Self) -> Ordering {
        self.rank
            .compare(&other.rank)
            .then_with(|| self.id.cmp(&other.id))
    }
}

/// One record of a page: its id, its key as a cursor writes it, its score
/// (for a search) and where its document is.
pub(super) struct Ranked {
    pub id: Uuid,
    pub sort_key: Option<String>,
    pub score: f32,
    pub address: DocAddress,
}

/// Collects the page after the cursor and counts every match.
pub(super) struct PageCollector {
    order: Order,
    after: Option<Cursor>,
    wanted: usize,
}

impl PageCollector {
    /// The best `wanted` by score, after the cursor.
    pub(super) fn by_score(after: Option<Cursor>, wanted: usize) -> Self {
        Self {
            order: Order::Score,
            after,
            wanted,
        }
    }
}

pub(super) struct PageSegment {
    segment: SegmentOrdinal,
    order: Order,
    ids: (Column<u64>, Column<u64>),
    numbers: Option<Column<i64>>,
    texts: Option<StrColumn>,
    /// Only records ranked after this one belong to the page.
    after: Option<Hit>,
    wanted: usize,
    best: BinaryHeap<Hit>,
    total: u64,
}

impl Collector for PageCollector {
    type Fruit = (Vec<Ranked>, u64);
    type Child = PageSegment;

    fn for_segment(
        &self,
        segment: SegmentOrdinal,
        reader: &SegmentReader,
    ) -> tantivy::Result<PageSegment> {
        let fast = reader.fast_fields();
        let ids = (fast.u64("id_high")?, fast.u64("id_low")?);
        let (numbers, texts) = match self.order {
            Order::Number { column, .. } => (Some(fast.i64(column)?), None),
            Order::Text(column) => (None, fast.str(column)?),
            Order::Id | Order::Score => (None, None),
        };
        let after = match &self.after {
            None => None,
            Some(cursor) => cursor_bound(self.order, cursor, texts.as_ref())?,
        };
        Ok(PageSegment {
            segment,
            order: self.order,
            ids,
            numbers,
            texts,
            after,
            wanted: self.wanted,
            best: BinaryHeap::new(),
            total: 0,
        })
    }

    fn requires_scoring(&self) -> bool {
        matches!(self.order, Order::Score)
    }

    fn merge_fruits(
        &self,
        segments: Vec<(Vec<(SegmentOrdinal, Hit)>, u64)>,
    ) -> tantivy::Result<(Vec<Ranked>, u64)> {
        let total = segments.iter().map(|(_, n)| n).sum();
        let mut hits: Vec<(SegmentOrdinal, Hit)> =
            segments.into_iter().flat_map(|(h, _)| h).collect();
        hits.sort_by(|a, b| a.1.cmp(&b.1));
        hits.truncate(self.wanted);
        let ranked = hits
            .into_iter()
            .map(|(segment, hit)| Ranked {
                id: Uuid::from_u128(hit.id),
                address: DocAddress::new(segment, hit.doc),
                score: match hit.rank {
                    Rank::Score(negated) => -negated,
                    _ => 0.0,
                },
                sort_key: match (self.order, hit.rank) {
                    (_, Rank::Text(text)) => Some(text),
                    (_, Rank::Score(negated)) => Some((-negated).to_string()),
                    (order, Rank::Number(rank)) => order.key_text(rank),
                    _ => None,
                },
            })
            .collect();
        Ok((ranked, total))
    }
}

/// Where a cursor's record stands in one segment's order. `Ok(None)` for a
/// cursor without a key means "after this id" with no key to compare.
fn cursor_bound(
    order: Order,
    cursor: &Cursor,
    texts: Option<&StrColumn>,
) -> tantivy::Result<Option<Hit>> {
    let id = cursor.id.as_u128();
    let key = cursor.key.as_deref().unwrap_or_default();
    let rank = match order {
        Order::Id => Rank::None,
        Order::Score => Rank::Score(-key.parse::<f32>().unwrap_or(f32::MAX)),
        Order::Number { .. } => Rank::Number(order.rank_of_key(key).unwrap_or(i64::MAX)),
        Order::Text(_) => {
            let Some(texts) = texts else {
                // No record of this segment has a key: none can follow.
                return Ok(Some(Hit {
                    rank: Rank::Ordinal(u64::MAX),
                    id: u128::MAX,
                    doc: 0,
                }));
            };
            match texts.dictionary().term_ord_or_next(key)? {
                TermOrdHit::Exact(ordinal) => Rank::Ordinal(ordinal),
                // Every key from `next` on sorts after the cursor's.
                TermOrdHit::Next(0) => return Ok(None),
                TermOrdHit::Next(next) => {
                    return Ok(Some(Hit {
                        rank: Rank::Ordinal(next - 1),
                        id: u128::MAX,
                        doc: 0,
                    }));
                }
            }
        }
    };
    Ok(Some(Hit { rank, id, doc: 0 }))
}

impl SegmentCollector for PageSegment {
    type Fruit = (Vec<(SegmentOrdinal, Hit)>, u64);

    fn collect(&mut self, doc: DocId, score: Score) {
        self.total += 1;
        let high = self.ids.0.first(doc).unwrap_or_default();
        let low = self.ids.1.first(doc).unwrap_or_default();
        let rank = match self.order {
            Order::Id => Rank::None,
            Order::Score => Rank::Score(-score),
            Order::Number { .. } => {
                let value = self.numbers.as_ref().and_then(|c| c.first(doc));
                Rank::Number(self.order.rank(value.unwrap_or_default()))
            }
            Order::Text(_) => Rank::Ordinal(
                self.texts
                    .as_ref()
                    .and_then(|c| c.term_ords(doc).next())
                    .unwrap_or_default(),
            ),
        };
        let hit = Hit {
            rank,
            id: (u128::from(high) << 64) | u128::from(low),
            doc,
        };
        if self.after.as_ref().is_some_and(|after| hit <= *after) {
            return;
        }
        if self.best.len() < self.wanted {
            self.best.push(hit);
        } else if self.best.peek().is_some_and(|worst| hit < *worst) {
            self.best.pop();
            self.best.push(hit);
        }
    }

    fn harvest(self) -> Self::Fruit {
        let mut hits = self.best.into_vec();
        if let Some(texts) = &self.texts {
            let mut text = String::new();
            for hit in &mut hits {
                if let Rank::Ordinal(ordinal) = hit.rank {
                    text.clear();
                    // A failed read leaves the key empty; the order within
                    // this segment was already decided by ordinals.
                    let _ = texts.ord_to_str(ordinal, &mut text);
                    hit.rank = Rank::Text(text.clone());
                }
            }
        }
        let segment = self.segment;
        (hits.into_iter().map(|h| (segment, h)).collect(), self.total)
    }
}

/// Counts, per facet, the records having each value. Facets are named
/// after their filters, and the index's fields after them.
/// Counts per value, per facet.
pub(super) type FacetCounts = HashMap<String, HashMap<String, u64>>;

pub(super) struct FacetCounter {
    columns: Vec<&'static str>,
}

impl FacetCounter {
    pub(super) fn of<'a>(names: impl IntoIterator<Item = &'a str>) -> ApiResult<Self> {
        let columns = names
            .into_iter()
            .map(facet_field)
            .collect::<ApiResult<_>>()?;
        Ok(Self { columns })
    }
}

pub(super) struct FacetSegment {
    columns: Vec<(&'static str, Option<StrColumn>, Vec<u64>)>,
}

impl Collector for FacetCounter {
    type Fruit = FacetCounts;
    type Child = FacetSegment;

    fn for_segment(
        &self,
        _segment: SegmentOrdinal,
        reader: &SegmentReader,
    ) -> tantivy::Result<FacetSegment> {
        let fast = reader.fast_fields();
        let columns = self
            .columns
            .iter()
            .map(|name| {
                let column = fast.str(name)?;
                let counts = vec![0; column.as_ref().map_or(0, |c| c.num_terms())];
                Ok((*name, column, counts))
            })
            .collect::<tantivy::Result<_>>()?;
        Ok(FacetSegment { columns })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(&self, segments: Vec<FacetCounts>) -> tantivy::Result<Self::Fruit> {
        let mut all: FacetCounts = self
            .columns
            .iter()
            .map(|name| ((*name).to_owned(), HashMap::new()))
            .collect();
        for segment in segments {
            for (facet, counts) in segment {
                let merged = all.entry(facet).or_default();
                for (value, count) in counts {
                    *merged.entry(value).or_default() += count;
                }
            }
        }
        Ok(all)
    }
}

impl SegmentCollector for FacetSegment {
    type Fruit = FacetCounts;

    fn collect(&mut self, doc: DocId, _score: Score) {
        for (_, column, counts) in &mut self.columns {
            if let Some(column) = column {
                for ordinal in column.term_ords(doc) {
                    if let Some(count) = usize::try_from(ordinal)
                        .ok()
                        .and_then(|o| counts.get_mut(o))
                    {
                        *count += 1;
                    }
                }
            }
        }
    }

    fn harvest(self) -> Self::Fruit {
        let mut all = HashMap::new();
        for (name, column, counts) in self.columns {
            let mut values = HashMap::new();
            if let Some(column) = column {
                for (ordinal, count) in counts.into_iter().enumerate() {
                    let mut value = String::new();
                    if count > 0
                        && column
                            .ord_to_str(ordinal as u64, &mut value)
                            .unwrap_or(false)
                    {
                        values.insert(value, count);
                    }
                }
            }
            all.insert(name.to_owned(), values);
        }
        all
    }
}
