//! The terms of an affiliation, as its `PUT` takes them.

use serde_json::Value;
use utoipa::ToSchema;

use crate::domain::input::ObjectReader;
use crate::domain::links::AffiliationTerms;
use crate::domain::values::Date;
use crate::error::ApiResult;

pub const AFFILIATION_FIELDS: &[&str] = &["role", "since", "until"];

/// The body of `PUT /v1/experts/{id}/affiliations/{organisationId}`.
#[derive(Debug, ToSchema)]
#[schema(example = json!({"role": "Senior advisor", "since": "2021-03-01"}))]
pub struct AffiliationInput {
    /// The expert's position at the organisation, in free text.
    #[schema(max_length = 200, example = "Senior advisor")]
    pub role: Option<String>,
    pub since: Option<chrono::NaiveDate>,
    /// On or after `since`.
    pub until: Option<chrono::NaiveDate>,
}

pub fn affiliation_terms(body: &Value) -> ApiResult<AffiliationTerms> {
    let mut r = ObjectReader::new(body, AFFILIATION_FIELDS)?;
    let role = r.optional("role");
    let since: Option<Date> = r.optional("since");
    let until: Option<Date> = r.optional("until");
    if let (Some(since), Some(until)) = (since, until)
        && until < since
    {
        r.error("until", "before-start", "must be on or after 'since'");
    }
    r.finish(|| Some(AffiliationTerms { role, since, until }))
}
