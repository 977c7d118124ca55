//! The topic filter every list shares: `topic=` (repeatable) and
//! `topicMatch=any|all`. A topic matches its narrower topics too, through the
//! record's `topic_closure` (its topics with all their ancestors).

use super::Conditions;
use crate::domain::enums::TopicMatch;
use crate::domain::query::QueryReader;
use crate::domain::topics::Vocabulary;
use crate::domain::values::Slug;
use crate::sql::Bind;

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TopicFilter {
    topics: Vec<String>,
    all: bool,
}

impl TopicFilter {
    pub fn read(query: &mut QueryReader, vocabulary: &Vocabulary) -> Self {
        let topics = query.many("topic", |raw| vocabulary.known(Slug::parse(raw)?));
        let matching = query
            .one("topicMatch", TopicMatch::parse)
            .unwrap_or(TopicMatch::Any);
        Self {
            topics: topics.iter().map(|t| t.as_str().to_owned()).collect(),
            all: matching == TopicMatch::All,
        }
    }

    pub fn add_to(&self, conditions: &mut Conditions) {
        if !self.topics.is_empty() {
            let operator = if self.all { "@>" } else { "&&" };
            conditions.push(
                "topic",
                format!("r.topic_closure {operator} #0::text[]"),
                vec![Bind::Texts(self.topics.clone())],
            );
        }
    }
}
