//! Each list's filters as index clauses: the conditions the lists document,
//! over the fields the index keeps. A clause is named after its query key,
//! so a facet can leave its own filter out.

use std::ops::Bound;

use tantivy::Term;
use tantivy::query::{BooleanQuery, Occur, Query, RangeQuery, TermQuery, TermSetQuery};
use tantivy::schema::{Field, IndexRecordOption};
use uuid::Uuid;

use super::Fields;
use super::document::day_number;
use crate::auth::Audience;
use crate::domain::experts::ExpertFilter;
use crate::domain::initiatives::InitiativeFilter;
use crate::domain::organisations::OrganisationFilter;
use crate::domain::topic_filter::TopicFilter;
use crate::domain::values::Country;

/// One active filter.
pub struct Clause {
    pub name: &'static str,
    pub query: Box<dyn Query>,
}

/// A list's filter, as the index answers it.
pub trait IndexFilter {
    /// Every active filter; `audience` decides which of a record's values
    /// count (the public's time of change, the public's initiatives).
    fn clauses(&self, fields: &Fields, audience: Audience) -> Vec<Clause>;
}

#[derive(Default)]
struct Clauses(Vec<Clause>);

impl Clauses {
    /// The record has any of `values` in `field`.
    fn any<S: AsRef<str>>(&mut self, name: &'static str, field: Field, values: &[S]) {
        if !values.is_empty() {
            let terms = values
                .iter()
                .map(|v| Term::from_field_text(field, v.as_ref()));
            self.push(name, Box::new(TermSetQuery::new(terms)));
        }
    }

    /// The record is linked to any of `ids`.
    fn linked(&mut self, name: &'static str, fields: &Fields, ids: &[Uuid]) {
        let ids: Vec<String> = ids.iter().map(Uuid::to_string).collect();
        self.any(name, fields.linked, &ids);
    }

    /// A topic matches its narrower topics: the index holds each record's
    /// topics with their broader ones.
    fn topic(&mut self, fields: &Fields, filter: &TopicFilter) {
        if filter.topics.is_empty() {
            return;
        }
        if !filter.all {
            return self.any("topic", fields.topic, &filter.topics);
        }
        let each = filter.topics.iter().map(|topic| {
            let term = Term::from_field_text(fields.topic, topic);
            let query: Box<dyn Query> = Box::new(TermQuery::new(term, IndexRecordOption::Basic));
            (Occur::Must, query)
        });
        self.push("topic", Box::new(BooleanQuery::new(each.collect())));
    }

    fn push(&mut self, name: &'static str, query: Box<dyn Query>) {
        self.0.push(Clause { name, query });
    }
}

fn countries(values: &[Country]) -> Vec<&str> {
    values.iter().map(Country::as_str).collect()
}

fn texts<T>(values: &[T], text: impl Fn(&T) -> &str) -> Vec<&str> {
    values.iter().map(text).collect()
}

/// When the record last changed, for whom is asking.
fn updated_at(fields: &Fields, audience: Audience) -> Field {
    match audience {
        Audience::Staff => fields.updated_at,
        Audience::Public => fields.public_updated_at,
    }
}

impl IndexFilter for InitiativeFilter {
    fn clauses(&self, fields: &Fields, audience: Audience) -> Vec<Clause> {
        let mut c = Clauses::default();
        c.any("scope", fields.scope, &texts(&self.scope, |s| s.as_str()));
        c.topic(fields, &self.topic);
        c.any("country", fields.country, &countries(&self.country));
        let types = texts(&self.initiative_type, |t| t.as_str());
        c.any("type", fields.record_type, &types);
        c.any(
            "status",
            fields.status,
            &texts(&self.status, |s| s.as_str()),
        );
        let regulations = texts(&self.regulation, |r| r.as_str());
        c.any("regulation", fields.regulation, &regulations);
        c.linked("organisation", fields, &self.organisation);
        c.linked("expert", fields, &self.expert);
        if let Some(day) = self.active_on {
            let day = day_number(day.0);
            let started = RangeQuery::new(
                Bound::Unbounded,
                Bound::Included(Term::from_field_i64(fields.start_date, day)),
            );
            let not_ended = RangeQuery::new(
                Bound::Included(Term::from_field_i64(fields.end_date, day)),
                Bound::Unbounded,
            );
            let both: Vec<(Occur, Box<dyn Query>)> = vec![
                (Occur::Must, Box::new(started)),
                (Occur::Must, Box::new(not_ended)),
            ];
            c.push("activeOn", Box::new(BooleanQuery::new(both)));
        }
        if let Some(since) = self.updated_since {
            let field = updated_at(fields, audience);
            let since = Term::from_field_i64(field, since.timestamp_micros());
            c.push(
                "updatedSince",
                Box::new(RangeQuery::new(Bound::Included(since), Bound::Unbounded)),
            );
        }
        c.0
    }
}

impl IndexFilter for ExpertFilter {
    fn clauses(&self, fields: &Fields, audience: Audience) -> Vec<Clause> {
        let mut c = Clauses::default();
        c.any("country", fields.country, &countries(&self.country));
        c.topic(fields, &self.topic);
        c.linked("organisation", fields, &self.organisation);
        c.linked("initiative", fields, &self.initiative);
        // Scope and topic hold for one and the same initiative: "experts in
        // international initiatives on clinical validation".
        let context = match audience {
            Audience::Staff => fields.context,
            Audience::Public => fields.public_context,
        };
        let scopes = texts(&self.initiative_scope, |s| s.as_str());
        let topics = &self.initiative_topic;
        let wanted: Vec<String> = match (scopes.is_empty(), topics.is_empty()) {
            (true, true) => Vec::new(),
            (false, true) => scopes.iter().map(|s| format!("s:{s}")).collect(),
            (true, false) => topics.iter().map(|t| format!("t:{t}")).collect(),
            (false, false) => scopes
                .iter()
                .flat_map(|s| topics.iter().map(move |t| format!("st:{s}/{t}")))
                .collect(),
        };
        c.any("initiativeScope", context, &wanted);
        let languages = texts(&self.language, |l| l.as_str());
        c.any("language", fields.language, &languages);
        c.0
    }
}

impl IndexFilter for OrganisationFilter {
    fn clauses(&self, fields: &Fields, _audience: Audience) -> Vec<Clause> {
        let mut c = Clauses::default();
        let types = texts(&self.organisation_type, |t| t.as_str());
        c.any("type", fields.record_type, &types);
        c.any("country", fields.country, &countries(&self.country));
        c.topic(fields, &self.topic);
        c.linked("initiative", fields, &self.initiative);
        c.0
    }
}
