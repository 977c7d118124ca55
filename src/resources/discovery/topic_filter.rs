//! The topic filter every list shares: `topic=` (repeatable) and
//! `topicMatch=any|all`. A topic matches its descendants too.

use super::conditions;
use crate::domain::enums::TopicMatch;
use crate::domain::topics::Vocabulary;
use crate::domain::values::Slug;
use crate::http::query::QueryReader;
use crate::sql::Sql;

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TopicFilter {
    /// Each requested topic with its descendants.
    families: Vec<Vec<String>>,
    all: bool,
}

pub const TOPIC_KEYS: &[&str] = &["topic", "topicMatch"];

impl TopicFilter {
    pub fn read(query: &mut QueryReader, vocabulary: &Vocabulary) -> Self {
        let topics = query.many("topic", |raw| vocabulary.known(Slug::parse(raw)?));
        let matching = query
            .one("topicMatch", TopicMatch::parse)
            .unwrap_or(TopicMatch::Any);
        Self {
            families: topics
                .iter()
                .map(|t| vocabulary.family(t.as_str()))
                .collect(),
            all: matching == TopicMatch::All,
        }
    }

    pub fn push(&self, sql: &mut Sql, topic_table: (&str, &str), except: Option<&str>) {
        if except != Some("topic") {
            conditions::topics(sql, topic_table, &self.families, self.all);
        }
    }
}
