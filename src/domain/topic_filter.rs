//! The topic filter every list shares: `topic=` (repeatable) and
//! `topicMatch=any|all`, read from the query string. A topic matches its
//! narrower topics too (`sync::index::filters` says how).

use crate::domain::enums::TopicMatch;
use crate::domain::query::QueryReader;
use crate::domain::topics::Vocabulary;
use crate::domain::values::Slug;

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TopicFilter {
    pub(crate) topics: Vec<String>,
    pub(crate) all: bool,
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
}
