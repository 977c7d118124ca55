//! The participation view from the index: initiatives per topic × scope,
//! and of those with a participant from a country (the index holds each
//! initiative's participants' countries, for staff and for the public);
//! the largest European and international initiatives without one, by
//! their number of participants. No database.

use std::collections::BTreeMap;

use tantivy::collector::TopDocs;
use tantivy::query::{BooleanQuery, Occur, Query, TermQuery};
use tantivy::schema::{IndexRecordOption, Value};
use tantivy::{Order, TantivyDocument, Term};
use uuid::Uuid;

use super::filters::Clause;
use super::find::{FacetCounter, selection};
use super::{Reading, index_error};
use crate::auth::Audience;
use crate::domain::display_language::DisplayLanguage;
use crate::domain::enums::Scope;
use crate::domain::participation::{
    Cell, LARGEST_WITHOUT, Missing, Participation, ParticipationRow, ScopeCells,
};
use crate::domain::topics::{TopicRef, Vocabulary};
use crate::error::{ApiError, ApiResult};
use crate::store::records::Kind;

/// `scope` and `scope/topic` counts of the initiatives `clauses` select.
fn counts(
    reading: &Reading,
    audience: Audience,
    clauses: &[Clause],
) -> ApiResult<BTreeMap<String, BTreeMap<String, u64>>> {
    let query = selection(reading, Kind::Initiative, audience, clauses, None, None);
    let counted = reading
        .searcher()
        .search(&query, &FacetCounter::of(["scope", "scope_topic"])?)
        .map_err(index_error)?;
    Ok(counted
        .into_iter()
        .map(|(facet, values)| (facet.to_owned(), values.into_iter().collect()))
        .collect())
}

pub fn participation(
    reading: &Reading,
    vocabulary: &Vocabulary,
    audience: Audience,
    country: &str,
    language: DisplayLanguage,
) -> ApiResult<Participation> {
    let fields = reading.fields();
    let (country_field, participants_field) = match audience {
        Audience::Public => (fields.public_participant_country, "public_participants"),
        Audience::Staff => (fields.participant_country, "participants"),
    };
    let from_country = || -> Box<dyn Query> {
        Box::new(TermQuery::new(
            Term::from_field_text(country_field, country),
            IndexRecordOption::Basic,
        ))
    };
    let all = counts(reading, audience, &[])?;
    let with = counts(
        reading,
        audience,
        &[Clause {
            name: "participantCountry",
            query: from_country(),
        }],
    )?;
    let count = |facets: &BTreeMap<String, BTreeMap<String, u64>>, facet: &str, value: &str| {
        facets
            .get(facet)
            .and_then(|values| values.get(value))
            .map_or(0, |n| i64::try_from(*n).unwrap_or(i64::MAX))
    };
    let cell = |facet: &str, value: &str| Cell {
        initiatives: count(&all, facet, value),
        with_participant: count(&with, facet, value),
    };
    let scopes = |prefix: &dyn Fn(Scope) -> (String, &'static str)| {
        let mut cells = ScopeCells::default();
        for scope in Scope::ALL {
            let (value, facet) = prefix(*scope);
            *cells.get_mut(*scope) = cell(facet, &value);
        }
        cells
    };
    let by_scope = scopes(&|scope| (scope.as_str().to_owned(), "scope"));
    let by_topic_and_scope = vocabulary
        .all()
        .iter()
        .map(|topic| ParticipationRow {
            topic: TopicRef {
                slug: topic.slug.clone(),
                label: topic.label.clone(),
            },
            parent: topic.parent.clone(),
            scopes: scopes(&|scope| (format!("{}/{}", scope.as_str(), topic.slug), "scope_topic")),
        })
        .collect();
    let total = by_scope
        .in_order()
        .iter()
        .fold(Cell::default(), |sum, (_, c)| Cell {
            initiatives: sum.initiatives + c.initiatives,
            with_participant: sum.with_participant + c.with_participant,
        });

    let searcher = reading.searcher();
    let mut largest_without = Vec::new();
    for scope in [Scope::European, Scope::International] {
        let of_scope = Clause {
            name: "scope",
            query: Box::new(TermQuery::new(
                Term::from_field_text(fields.scope, scope.as_str()),
                IndexRecordOption::Basic,
            )),
        };
        let selected = selection(reading, Kind::Initiative, audience, &[of_scope], None, None);
        let without = BooleanQuery::new(vec![
            (Occur::Must, Box::new(selected) as Box<dyn Query>),
            (Occur::MustNot, from_country()),
        ]);
        let top = searcher
            .search(
                &without,
                &TopDocs::with_limit(LARGEST_WITHOUT)
                    .order_by_u64_field(participants_field, Order::Desc),
            )
            .map_err(index_error)?;
        for (participants, address) in top {
            let doc: TantivyDocument = searcher.doc(address).map_err(index_error)?;
            let text = |field| {
                doc.get_first(field)
                    .and_then(|v| v.as_str())
                    .map(str::to_owned)
            };
            let id = text(fields.id)
                .and_then(|id| Uuid::try_parse(&id).ok())
                .ok_or_else(|| ApiError::internal("an index document without its id"))?;
            let title = match language {
                DisplayLanguage::En => text(fields.title_en),
                DisplayLanguage::Nl => text(fields.title_nl),
            };
            largest_without.push(Missing {
                id,
                title: title.unwrap_or_default(),
                scope,
                participants: participants.unwrap_or(0),
            });
        }
    }
    largest_without.sort_by(|a, b| {
        b.participants
            .cmp(&a.participants)
            .then_with(|| a.title.cmp(&b.title))
            .then_with(|| a.id.cmp(&b.id))
    });
    largest_without.truncate(LARGEST_WITHOUT);
    Ok(Participation {
        country: country.to_owned(),
        total,
        by_scope,
        by_topic_and_scope,
        largest_without,
    })
}
