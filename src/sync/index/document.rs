//! A record, as `GET` shows it to staff, turned into an index document.
//! Contact data and consent details are never indexed: only names, titles,
//! acronyms, summaries, descriptions, biographies and the values lists
//! filter on.

use std::collections::BTreeSet;

use serde_json::Value;
use tantivy::{DateTime, TantivyDocument};

use super::Fields;
use crate::domain::topics::Vocabulary;
use crate::store::records::Kind;

/// The document and whether the public may see the record: published, and
/// for an expert with consent to a public profile.
pub(super) fn of(
    kind: Kind,
    record: &Value,
    fields: &Fields,
    vocabulary: &Vocabulary,
) -> (TantivyDocument, bool) {
    let mut doc = TantivyDocument::default();
    let text = |value: &Value| value.as_str().map(str::to_owned);
    let mut add = |field, value: Option<String>| {
        if let Some(value) = value.filter(|v| !v.is_empty()) {
            doc.add_text(field, value);
        }
    };
    add(fields.id, text(&record["id"]));
    add(fields.kind, Some(kind.noun().to_owned()));
    let (en, nl) = (&fields.name_en, &fields.name_nl);
    match kind {
        Kind::Initiative => {
            add(*en, text(&record["title"]["en"]));
            add(*nl, text(&record["title"]["nl"]));
            add(fields.summary_en, text(&record["summary"]["en"]));
            add(fields.summary_nl, text(&record["summary"]["nl"]));
            add(fields.scope, text(&record["scope"]));
            add(fields.status, text(&record["status"]));
        }
        Kind::Organisation => {
            // A name is in one language or none: both analyzers see it.
            add(*en, text(&record["name"]));
            add(*nl, text(&record["name"]));
            add(fields.body_en, text(&record["description"]["en"]));
            add(fields.body_nl, text(&record["description"]["nl"]));
        }
        Kind::Expert => {
            add(*en, text(&record["name"]));
            add(*nl, text(&record["name"]));
            add(fields.body_en, text(&record["bio"]["en"]));
            add(fields.body_nl, text(&record["bio"]["nl"]));
        }
    }
    add(*en, text(&record["acronym"]));
    add(*nl, text(&record["acronym"]));
    add(fields.record_type, text(&record["type"]));
    for country in strings(&record["countries"]).chain(text(&record["country"])) {
        add(fields.country, Some(country));
    }
    for regulation in strings(&record["regulations"]) {
        add(fields.regulation, Some(regulation));
    }
    for language in strings(&record["languages"]) {
        add(fields.language, Some(language));
    }
    for topic in closure(record, vocabulary) {
        add(fields.topic, Some(topic));
    }
    for link in ["organisations", "experts", "initiatives", "affiliations"] {
        for linked in items(&record[link]).filter_map(|item| text(&item["id"])) {
            add(fields.linked, Some(linked));
        }
    }
    let published = record["publicationStatus"] == "published";
    let consents = kind != Kind::Expert || record["consent"]["publicProfile"] == true;
    let public = published && consents;
    doc.add_bool(fields.public, public);
    if let Some(updated) = record["updatedAt"]
        .as_str()
        .and_then(|t| chrono::DateTime::parse_from_rfc3339(t).ok())
    {
        doc.add_date(
            fields.updated_at,
            DateTime::from_timestamp_micros(updated.timestamp_micros()),
        );
    }
    (doc, public)
}

fn items(value: &Value) -> impl Iterator<Item = &Value> {
    value.as_array().into_iter().flatten()
}

fn strings(value: &Value) -> impl Iterator<Item = String> + '_ {
    items(value).filter_map(|v| v.as_str().map(str::to_owned))
}

/// The record's topics with every broader topic, so that a filter on a
/// topic finds records tagged with a narrower one.
fn closure(record: &Value, vocabulary: &Vocabulary) -> BTreeSet<String> {
    let mut topics = BTreeSet::new();
    for slug in items(&record["topics"]).filter_map(|t| t["slug"].as_str()) {
        let mut next = Some(slug.to_owned());
        while let Some(slug) = next.take() {
            if !topics.insert(slug.clone()) {
                break;
            }
            next = vocabulary.get(&slug).and_then(|t| t.parent.clone());
        }
    }
    topics
}
