//! The topic vocabulary. It is seeded by migrations and read-only through the
//! API, so the service loads it once at start-up and validates against memory.

use std::collections::HashMap;

use serde::Serialize;
use utoipa::ToSchema;

use super::input::{FieldError, FromJson, ObjectReader};
use super::values::Slug;

/// Text that is always present in both languages.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct Bilingual {
    #[schema(example = "Algorithmic bias")]
    pub en: String,
    #[schema(example = "Bias van algoritmes")]
    pub nl: String,
}

/// A theme records are tagged with.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({
    "slug": "algorithmic-bias",
    "label": {"en": "Algorithmic bias", "nl": "Bias van algoritmes"},
    "description": {
        "en": "Detecting and mitigating unfair differences in model performance between groups of patients.",
        "nl": "Opsporen en verminderen van ongelijke prestaties van modellen tussen groepen patiënten."
    },
    "parent": null,
    "children": []
}))]
pub struct Topic {
    /// Kebab-case identifier, used in URLs and filters.
    pub slug: String,
    pub label: Bilingual,
    pub description: Bilingual,
    /// The broader topic this one belongs to.
    pub parent: Option<String>,
    /// Narrower topics, in display order.
    pub children: Vec<String>,
}

/// A topic as embedded in records.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct TopicRef {
    #[schema(example = "algorithmic-bias")]
    pub slug: String,
    pub label: Bilingual,
}

#[derive(Debug, Default)]
pub struct Vocabulary {
    topics: Vec<Topic>,
    by_slug: HashMap<String, usize>,
}

impl Vocabulary {
    /// Builds the vocabulary from topics in display order; children are
    /// derived from the parents.
    pub fn new(mut topics: Vec<Topic>) -> Self {
        let by_slug: HashMap<String, usize> = topics
            .iter()
            .enumerate()
            .map(|(i, t)| (t.slug.clone(), i))
            .collect();
        let links: Vec<(usize, String)> = topics
            .iter()
            .filter_map(|t| {
                let parent = by_slug.get(t.parent.as_deref()?)?;
                Some((*parent, t.slug.clone()))
            })
            .collect();
        for (parent, child) in links {
            topics[parent].children.push(child);
        }
        Self { topics, by_slug }
    }

    pub fn all(&self) -> &[Topic] {
        &self.topics
    }

    pub fn get(&self, slug: &str) -> Option<&Topic> {
        self.by_slug.get(slug).map(|&i| &self.topics[i])
    }

    /// The embedded form of a topic; `None` for a slug the vocabulary lacks.
    pub fn reference(&self, slug: &str) -> Option<TopicRef> {
        self.get(slug).map(|t| TopicRef {
            slug: t.slug.clone(),
            label: t.label.clone(),
        })
    }

    /// The embedded forms of topics, in vocabulary order.
    pub fn references(&self, slugs: impl IntoIterator<Item = String>) -> Vec<TopicRef> {
        let mut positions: Vec<usize> = slugs
            .into_iter()
            .filter_map(|slug| self.by_slug.get(&slug).copied())
            .collect();
        positions.sort_unstable();
        positions.dedup();
        positions
            .into_iter()
            .map(|i| TopicRef {
                slug: self.topics[i].slug.clone(),
                label: self.topics[i].label.clone(),
            })
            .collect()
    }

    /// Checks a slug given in a query parameter or body.
    pub fn known(&self, slug: Slug) -> Result<Slug, FieldError> {
        if self.by_slug.contains_key(slug.as_str()) {
            Ok(slug)
        } else {
            Err(FieldError::new(
                "unknown-topic",
                format!("'{}' is not a topic; see GET /v1/topics", slug.as_str()),
            ))
        }
    }
}

impl ObjectReader<'_> {
    /// Reads a list of topic slugs, each checked against the vocabulary.
    pub fn topics(
        &mut self,
        field: &str,
        vocabulary: &Vocabulary,
        at_least_one: bool,
    ) -> Vec<Slug> {
        let mut known = self.list_with(field, 50, |value| {
            vocabulary
                .known(Slug::from_json(value)?)
                .map_err(|e| vec![e])
        });
        // Topics are a set, stored and read back in slug order; sorted here
        // too, the same set given in another order is no change.
        known.sort_by(|a, b| a.as_str().cmp(b.as_str()));
        if at_least_one && known.is_empty() && !self.has_errors_for(field) {
            self.error(field, "required", "needs at least one topic");
        }
        known
    }
}
