//! Records due for review: those not reviewed for longer than the
//! deployment's period, initiatives whose end date has passed while they
//! are still active or planned, and records whose sources are missing or
//! older than their last change.

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::domain::enums::{DueReason, HitType, PublicationStatus, Scope};
use crate::domain::page::PageRequest;
use crate::domain::query::QueryReader;
use crate::domain::topics::Vocabulary;
use crate::domain::values::{Date, Slug};

/// How long a record may go without a review; 12 months unless the
/// deployment says otherwise (`AIMD_REVIEW_PERIOD_DAYS`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReviewPeriod(pub u32);

impl Default for ReviewPeriod {
    fn default() -> Self {
        Self(365)
    }
}

impl DueReason {
    pub fn text(self, period: ReviewPeriod) -> String {
        match self {
            Self::NotReviewed => format!("not reviewed in the last {} days", period.0),
            Self::EndedButOpen => {
                "its end date has passed but it is still active or planned".into()
            }
            Self::NoSource => "it cites no source".into(),
            Self::SourcesOutdated => {
                "its newest source was consulted before the record last changed".into()
            }
        }
    }
}

/// One reason, as a code and in words.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReviewReason {
    #[schema(example = "ended-but-open")]
    pub code: DueReason,
    #[schema(example = "its end date has passed but it is still active or planned")]
    pub text: String,
}

/// A record due for review, with why.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(example = json!({
    "kind": "initiative",
    "id": "01938000-0000-7000-8000-000000003035",
    "name": "Standardisation request M/593",
    "publicationStatus": "published",
    "lastReviewedAt": null,
    "contentChangedAt": "2026-12-01T10:00:00Z",
    "reasons": [{"code": "not-reviewed", "text": "not reviewed in the last 365 days"}]
}))]
pub struct DueRecord {
    pub kind: HitType,
    pub id: Uuid,
    /// An initiative's title (English, else Dutch), an organisation's or
    /// expert's name.
    pub name: String,
    pub publication_status: PublicationStatus,
    pub last_reviewed_at: Option<DateTime<Utc>>,
    /// When the record's own fields last changed (not its links).
    pub content_changed_at: DateTime<Utc>,
    pub reasons: Vec<ReviewReason>,
}

/// Which records to look at, and on what day.
#[derive(Debug, Clone)]
pub struct DueFilter {
    pub kinds: Vec<HitType>,
    /// Records on any of these topics or their narrower topics.
    pub topics: Vec<String>,
    /// Initiatives of these scopes only (and so no other kinds).
    pub scopes: Vec<Scope>,
    pub on: NaiveDate,
    pub page: PageRequest,
}

pub const DUE_KEYS: &[&str] = &["kind", "topic", "scope", "on", "limit", "cursor"];
/// The cursor's sort name: due records are walked by id.
pub const DUE_SORT: &str = "due";

impl DueFilter {
    pub fn read(query: &mut QueryReader, vocabulary: &Vocabulary, today: NaiveDate) -> Self {
        let kinds = query.many("kind", HitType::parse);
        let topics = query
            .many("topic", |raw| vocabulary.known(Slug::parse(raw)?))
            .iter()
            .map(|t| t.as_str().to_owned())
            .collect();
        let scopes = query.many("scope", Scope::parse);
        let on = query.one("on", Date::parse).map_or(today, |d| d.0);
        let page = PageRequest::read_for(query, DUE_SORT);
        Self {
            kinds,
            topics,
            scopes,
            on,
            page,
        }
    }

    /// Whether records of `kind` are looked at.
    pub fn includes(&self, kind: HitType) -> bool {
        (self.kinds.is_empty() || self.kinds.contains(&kind))
            && (self.scopes.is_empty() || kind == HitType::Initiative)
    }
}

/// The query of `GET /v1/reviews/due`, for the spec.
#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DueQuery {
    /// Only records of this kind (repeatable).
    #[param(example = json!(["initiative"]))]
    pub kind: Option<Vec<HitType>>,
    /// Only records on this topic or a narrower one (repeatable).
    #[param(example = json!(["clinical-validation"]))]
    pub topic: Option<Vec<String>>,
    /// Only initiatives of this scope (repeatable).
    #[param(example = json!(["european"]))]
    pub scope: Option<Vec<Scope>>,
    /// The day to judge on (default today): what will be due then.
    #[param(value_type = Option<String>, format = Date, example = "2027-06-30")]
    pub on: Option<NaiveDate>,
}
