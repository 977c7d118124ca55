//! A record, as the index reads it, turned into an index document. Contact
//! data and consent details are never read: only names, titles, acronyms,
//! summaries, descriptions, biographies and the values lists filter on.

use chrono::{Datelike, NaiveDate};
use tantivy::TantivyDocument;

use super::Fields;
use crate::store::index_rows::IndexRow;
use crate::store::records::Kind;

pub(super) fn of(kind: Kind, row: &IndexRow, fields: &Fields) -> TantivyDocument {
    let mut doc = TantivyDocument::default();
    let mut add = |field, value: Option<&str>| {
        if let Some(value) = value.filter(|v| !v.is_empty()) {
            doc.add_text(field, value);
        }
    };
    add(fields.id, Some(&row.id.to_string()));
    add(fields.kind, Some(kind.noun()));
    add(fields.name_en, row.name_en.as_deref());
    add(fields.name_nl, row.name_nl.as_deref());
    add(fields.name_en, row.acronym.as_deref());
    add(fields.name_nl, row.acronym.as_deref());
    for name in [&row.name_en, &row.name_nl, &row.acronym] {
        add(fields.name_plain, name.as_deref());
    }
    add(fields.title_en, first([&row.name_en, &row.name_nl]));
    add(fields.title_nl, first([&row.name_nl, &row.name_en]));
    add(
        fields.text_en,
        first([&row.summary_en, &row.body_en, &row.name_en]),
    );
    add(
        fields.text_nl,
        first([&row.summary_nl, &row.body_nl, &row.name_nl]),
    );
    add(fields.summary_en, row.summary_en.as_deref());
    add(fields.summary_nl, row.summary_nl.as_deref());
    add(fields.body_en, row.body_en.as_deref());
    add(fields.body_nl, row.body_nl.as_deref());
    add(fields.scope, row.scope.as_deref());
    add(fields.status, row.status.as_deref());
    add(fields.record_type, row.record_type.as_deref());
    for (field, values) in [
        (fields.country, &row.countries),
        (fields.regulation, &row.regulations),
        (fields.language, &row.languages),
        (fields.topic, &row.topics),
        (fields.own_topic, &row.own_topics),
    ] {
        for value in values {
            add(field, Some(value));
        }
    }
    if let Some(scope) = &row.scope {
        for topic in &row.topics {
            add(fields.scope_topic, Some(&format!("{scope}/{topic}")));
        }
    }
    for linked in &row.linked {
        add(fields.linked, Some(&linked.to_string()));
    }
    for value in &row.context {
        add(fields.context, Some(value));
    }
    for value in &row.public_context {
        add(fields.public_context, Some(value));
    }
    for country in &row.participant_countries {
        add(fields.participant_country, Some(country));
    }
    for country in &row.public_participant_countries {
        add(fields.public_participant_country, Some(country));
    }
    let count = |n: i64| u64::try_from(n).unwrap_or(0);
    doc.add_u64(fields.participants, count(row.participants));
    doc.add_u64(fields.public_participants, count(row.public_participants));
    doc.add_text(fields.sort_key, &row.sort_key);
    let (high, low) = row.id.as_u64_pair();
    doc.add_u64(fields.id_high, high);
    doc.add_u64(fields.id_low, low);
    doc.add_bool(fields.public, row.public);
    doc.add_i64(
        fields.start_date,
        row.start_date.map_or(i64::MIN, day_number),
    );
    doc.add_i64(fields.end_date, row.end_date.map_or(i64::MAX, day_number));
    doc.add_i64(fields.updated_at, row.updated_at.timestamp_micros());
    doc.add_i64(
        fields.public_updated_at,
        row.public_updated_at.timestamp_micros(),
    );
    doc
}

/// The first of `texts` that is there.
fn first<const N: usize>(texts: [&Option<String>; N]) -> Option<&str> {
    texts.into_iter().flatten().next().map(String::as_str)
}

/// Days since 0001-01-01 (day 1), the form dates are indexed in.
pub(super) fn day_number(date: NaiveDate) -> i64 {
    i64::from(date.num_days_from_ce())
}
