//! The topic filter as a condition: a topic matches its narrower topics too,
//! through the record's `topic_closure` (its topics with all their ancestors).

use super::Conditions;
use crate::domain::topic_filter::TopicFilter;
use crate::sql::{Bind, sql};

impl TopicFilter {
    pub fn add_to(&self, conditions: &mut Conditions) {
        if !self.topics.is_empty() {
            let operator = if self.all { "@>" } else { "&&" };
            conditions.push(
                "topic",
                sql!("r.topic_closure ", operator, " #0::text[]"),
                vec![Bind::Texts(self.topics.clone())],
            );
        }
    }
}
