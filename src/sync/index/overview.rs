//! `/v1/overview` answered by the index: the matrix of initiatives per
//! topic × scope (narrower topics count in broader ones), per scope and
//! per country, over the initiatives the list's filters and `q` select;
//! experts per topic; organisations per type. Three searches, each
//! counting fast fields; no database.

use std::collections::BTreeMap;

use tantivy::collector::Count;

use super::filters::IndexFilter;
use super::find::{FacetCounter, FacetCounts, selection};
use super::{Reading, index_error};
use crate::domain::enums::OrganisationType;
use crate::domain::initiatives::InitiativeFilter;
use crate::domain::list::ListRequest;
use crate::domain::overview::{
    CountryCount, ExpertOverview, InitiativeOverview, OrganisationOverview, Overview, ScopeCounts,
    TopicCount, TopicRow, TypeCount, stored,
};
use crate::domain::topics::{TopicRef, Vocabulary};
use crate::error::ApiResult;
use crate::store::records::Kind;

/// Counts per value of `facets` over the records of `kind` the audience
/// may see under `list`'s filters and search (initiatives only), and how
/// many records that is.
fn counts(
    reading: &Reading,
    kind: Kind,
    list: &ListRequest<InitiativeFilter>,
    facets: &[&str],
) -> ApiResult<(FacetCounts, usize)> {
    let narrowed = kind == Kind::Initiative;
    let clauses = if narrowed {
        list.filter.clauses(reading.fields(), list.audience)
    } else {
        Vec::new()
    };
    let text = list
        .search
        .as_ref()
        .filter(|_| narrowed)
        .map(|t| reading.text_query(t));
    let query = selection(
        reading,
        kind,
        list.audience,
        &clauses,
        None,
        text.as_deref(),
    );
    let (counted, total) = reading
        .searcher()
        .search(&query, &(FacetCounter::of(facets.iter().copied())?, Count))
        .map_err(index_error)?;
    Ok((counted, total))
}

fn take(all: &mut FacetCounts, facet: &str) -> BTreeMap<String, i64> {
    all.remove(facet)
        .unwrap_or_default()
        .into_iter()
        .map(|(value, count)| (value, i64::try_from(count).unwrap_or(i64::MAX)))
        .collect()
}

/// The overview of the initiatives `list` selects, with the experts' and
/// organisations' figures, as `list.audience` may see them.
pub fn overview(
    reading: &Reading,
    vocabulary: &Vocabulary,
    list: &ListRequest<InitiativeFilter>,
) -> ApiResult<Overview> {
    let figures = ["scope", "country", "scope_topic"];
    let (mut initiatives, _) = counts(reading, Kind::Initiative, list, &figures)?;
    let matrix = take(&mut initiatives, "scope_topic");
    let scopes = take(&mut initiatives, "scope");
    let countries = take(&mut initiatives, "country");
    let (mut experts, expert_total) = counts(reading, Kind::Expert, list, &["topic"])?;
    let expert_topics = take(&mut experts, "topic");
    let expert_total = i64::try_from(expert_total).unwrap_or(i64::MAX);
    let (mut organisations, _) = counts(reading, Kind::Organisation, list, &["type"])?;
    let organisation_types = take(&mut organisations, "type");

    let mut rows: BTreeMap<&str, ScopeCounts> = BTreeMap::new();
    for (pair, count) in &matrix {
        let (scope, topic) = pair.split_once('/').unwrap_or((pair, ""));
        rows.entry(topic).or_default().add(scope, *count)?;
    }
    let mut by_scope = ScopeCounts::default();
    for (scope, count) in &scopes {
        by_scope.add(scope, *count)?;
    }
    let by_topic_and_scope = vocabulary
        .all()
        .iter()
        .map(|topic| {
            let scopes = rows.get(topic.slug.as_str()).cloned().unwrap_or_default();
            TopicRow {
                topic: TopicRef {
                    slug: topic.slug.clone(),
                    label: topic.label.clone(),
                },
                parent: topic.parent.clone(),
                total: scopes.national + scopes.european + scopes.international,
                scopes,
            }
        })
        .collect();
    let mut by_country: Vec<CountryCount> = countries
        .into_iter()
        .map(|(country, count)| CountryCount { country, count })
        .collect();
    by_country.sort_by(|x, y| {
        y.count
            .cmp(&x.count)
            .then_with(|| x.country.cmp(&y.country))
    });
    let mut by_type = organisation_types
        .iter()
        .map(|(organisation_type, count)| {
            Ok(TypeCount {
                organisation_type: stored(organisation_type, OrganisationType::parse)?,
                count: *count,
            })
        })
        .collect::<ApiResult<Vec<TypeCount>>>()?;
    by_type.sort_by(|x, y| {
        y.count.cmp(&x.count).then_with(|| {
            x.organisation_type
                .as_str()
                .cmp(y.organisation_type.as_str())
        })
    });

    let overview = Overview {
        initiatives: InitiativeOverview {
            total: by_scope.national + by_scope.european + by_scope.international,
            by_topic_and_scope,
            by_scope,
            by_country,
        },
        experts: ExpertOverview {
            total: expert_total,
            by_topic: vocabulary
                .all()
                .iter()
                .map(|t| TopicCount {
                    topic: TopicRef {
                        slug: t.slug.clone(),
                        label: t.label.clone(),
                    },
                    count: expert_topics.get(t.slug.as_str()).copied().unwrap_or(0),
                })
                .collect(),
        },
        organisations: OrganisationOverview {
            total: by_type.iter().map(|t| t.count).sum(),
            by_type,
        },
    };
    Ok(overview)
}
