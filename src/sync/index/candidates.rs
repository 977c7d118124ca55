//! The first stage of suggestions: from the index, the records of a kind
//! whose own topics match most of a set of topics (whole, or one step
//! broader or narrower, as the store scores them), preferring those with
//! some other values (a country, languages, European and international scope).
//! The store then scores only these, with what links them, so that a
//! popular topic costs a few hundred candidates, not tens of thousands.

use std::collections::HashMap;
use std::collections::hash_map::Entry;
use tantivy::collector::TopDocs;
use tantivy::query::{
    BooleanQuery, BoostQuery, ConstScoreQuery, Occur, Query, TermQuery, TermSetQuery,
};
use tantivy::schema::{Field, IndexRecordOption};

use tantivy::columnar::Column;
use tantivy::{DocAddress, DocId, Score, SegmentReader, Term};
use uuid::Uuid;

use super::{Reading, index_error};
use crate::auth::Audience;
use crate::domain::suggestions::{FULL_ACTIVITY, TopicReach};
use crate::error::{ApiError, ApiResult};
use crate::store::records::Kind;

pub use crate::store::suggestions::Pooled;

/// Candidates handed to the store, at most.
pub const POOL: usize = 300;
/// What taking part in initiatives adds to an expert's rank here (as much
/// as a neighbouring topic), on the store's log scale.
const ACTIVITY: f32 = 0.5;

/// What to look for.
struct Wanted<'a> {
    pub kind: Kind,
    pub audience: Audience,
    /// Topics counting whole, and those one step broader or narrower, half.
    pub own: &'a [String],
    pub related: &'a [String],
    /// Values that make a candidate a little more likely: (field, values,
    /// weight).
    pub preferred: Vec<(Field, Vec<String>, f32)>,
    /// Values a candidate must have one of, when given.
    pub required: Option<(Field, Vec<String>)>,
    /// Experts: among equals, those taking part in more initiatives first.
    pub by_activity: bool,
    /// The record suggestions are for: those already linked to it take no
    /// place in the pool.
    pub linked_to: Uuid,
}

fn weighted(term: Term, weight: f32) -> Box<dyn Query> {
    Box::new(BoostQuery::new(
        Box::new(ConstScoreQuery::new(
            Box::new(TermQuery::new(term, IndexRecordOption::Basic)),
            1.0,
        )),
        weight,
    ))
}

/// Experts to consider inviting to an initiative with these topics,
/// countries and working languages: those on its topics, the ones based in
/// its countries and speaking its languages first among equals.
pub fn experts(
    reading: &Reading,
    audience: Audience,
    initiative: Uuid,
    topics: &TopicReach,
    countries: &[String],
    languages: &[String],
) -> ApiResult<Vec<Pooled>> {
    let f = reading.fields();
    on_topics(
        reading,
        &Wanted {
            kind: Kind::Expert,
            audience,
            own: &topics.own,
            related: &topics.related,
            preferred: vec![
                (f.country, countries.to_vec(), 0.25),
                (f.language, languages.to_vec(), 0.1),
            ],
            required: None,
            by_activity: true,
            linked_to: initiative,
        },
    )
}

/// Active and planned initiatives for an expert with these topics to
/// consider joining; European and international ones first among equals
/// when the expert has a country (where it may be missing).
pub fn initiatives(
    reading: &Reading,
    audience: Audience,
    expert: Uuid,
    topics: &TopicReach,
    has_country: bool,
) -> ApiResult<Vec<Pooled>> {
    let f = reading.fields();
    let abroad = vec!["european".to_owned(), "international".to_owned()];
    on_topics(
        reading,
        &Wanted {
            kind: Kind::Initiative,
            audience,
            own: &topics.own,
            related: &topics.related,
            preferred: if has_country {
                vec![(f.scope, abroad, 0.4)]
            } else {
                Vec::new()
            },
            required: Some((f.status, vec!["active".to_owned(), "planned".to_owned()])),
            by_activity: false,
            linked_to: expert,
        },
    )
}

/// The ids of up to [`POOL`] records sharing the topics, most first.
fn on_topics(reading: &Reading, wanted: &Wanted<'_>) -> ApiResult<Vec<Pooled>> {
    let f = reading.fields();
    let mut topics: Vec<(Occur, Box<dyn Query>)> = Vec::new();
    for topic in wanted.own {
        topics.push((
            Occur::Should,
            weighted(Term::from_field_text(f.own_topic, topic), 1.0),
        ));
    }
    for topic in wanted.related {
        topics.push((
            Occur::Should,
            weighted(Term::from_field_text(f.own_topic, topic), 0.5),
        ));
    }
    if topics.is_empty() {
        return Ok(Vec::new());
    }
    let exact = |term: Term| -> Box<dyn Query> {
        Box::new(ConstScoreQuery::new(
            Box::new(TermQuery::new(term, IndexRecordOption::Basic)),
            0.0,
        ))
    };
    let mut clauses: Vec<(Occur, Box<dyn Query>)> = vec![
        (
            Occur::Must,
            exact(Term::from_field_text(f.kind, wanted.kind.noun())),
        ),
        (Occur::Must, Box::new(BooleanQuery::new(topics))),
    ];
    if wanted.audience == Audience::Public {
        clauses.push((Occur::Must, exact(Term::from_field_bool(f.public, true))));
    }
    clauses.push((
        Occur::MustNot,
        exact(Term::from_field_text(
            f.linked,
            &wanted.linked_to.to_string(),
        )),
    ));
    if let Some((field, values)) = &wanted.required {
        let terms = values.iter().map(|v| Term::from_field_text(*field, v));
        clauses.push((
            Occur::Must,
            Box::new(ConstScoreQuery::new(
                Box::new(TermSetQuery::new(terms)),
                0.0,
            )),
        ));
    }
    for (field, values, weight) in &wanted.preferred {
        for value in values {
            clauses.push((
                Occur::Should,
                weighted(Term::from_field_text(*field, value), *weight),
            ));
        }
    }
    let searcher = reading.searcher();
    let query = BooleanQuery::new(clauses);
    let top: Vec<(f32, DocAddress)> = if wanted.by_activity {
        let activity = match wanted.audience {
            Audience::Public => "public_participants",
            Audience::Staff => "participants",
        };
        let ranked = TopDocs::with_limit(POOL).tweak_score(move |segment: &SegmentReader| {
            let counts = segment
                .fast_fields()
                .u64(activity)
                .map(|column| column.first_or_default_col(0))
                .ok();
            move |doc: DocId, score: Score| {
                let active = counts.as_ref().map_or(0, |c| c.get_val(doc));
                let scale = (1.0 + active as f32).ln() / (1.0 + FULL_ACTIVITY as f32).ln();
                score + ACTIVITY * scale.min(1.0)
            }
        });
        searcher.search(&query, &ranked).map_err(index_error)?
    } else {
        let ranked = TopDocs::with_limit(POOL).order_by_score();
        searcher.search(&query, &ranked).map_err(index_error)?
    };
    let activity = match wanted.audience {
        Audience::Public => "public_participants",
        Audience::Staff => "participants",
    };
    // Ids and counts from the fast fields, per segment: reading 300 stored
    // documents would decompress their blocks one by one.
    let mut columns: HashMap<u32, [Column<u64>; 3]> = HashMap::new();
    top.into_iter()
        .map(|(_, address)| {
            let segment = match columns.entry(address.segment_ord) {
                Entry::Occupied(found) => found.into_mut(),
                Entry::Vacant(slot) => {
                    let fast = searcher.segment_reader(address.segment_ord).fast_fields();
                    let column = |name: &str| fast.u64(name).map_err(index_error);
                    slot.insert([column("id_high")?, column("id_low")?, column(activity)?])
                }
            };
            let [high, low, count] = segment
                .each_ref()
                .map(|c| c.first(address.doc_id).unwrap_or(0));
            if high == 0 && low == 0 {
                return Err(ApiError::internal("an index document without its id"));
            }
            Ok(Pooled {
                id: Uuid::from_u64_pair(high, low),
                activity: i64::try_from(count).unwrap_or(i64::MAX),
            })
        })
        .collect()
}
