//! The duplicate finder for experts: what a curator knows, and the candidates.

use serde::Serialize;
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::domain::matches::MatchReason;
use crate::domain::query::QueryReader;
use crate::domain::values::{Email, Name, Orcid};
use crate::error::ApiResult;

/// What a curator knows about an expert they are about to create.
#[derive(Debug, Clone)]
pub struct ExpertProbe {
    pub name: Option<Name>,
    pub orcid: Option<Orcid>,
    pub email: Option<Email>,
}

pub const PROBE_KEYS: &[&str] = &["name", "orcid", "email"];

impl ExpertProbe {
    pub fn from_query(query: &str) -> ApiResult<Self> {
        let mut q = QueryReader::new(query, PROBE_KEYS);
        let probe = Self {
            name: q.one("name", Name::parse),
            orcid: q.one("orcid", Orcid::parse),
            email: q.one("email", Email::parse),
        };
        if probe.name.is_none() && probe.orcid.is_none() && probe.email.is_none() && !q.has_errors()
        {
            q.error(
                "name",
                "required",
                "give at least one of name, orcid and email",
            );
        }
        q.finish()?;
        Ok(probe)
    }
}

/// The duplicate finder's query parameters.
#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ExpertProbeQuery {
    /// Given and family name as the curator would write them; typos are fine.
    #[param(example = "Anna de Vries")]
    pub name: Option<String>,
    /// ORCID iD, bare or as a URL.
    #[param(example = "0000-0002-1825-0097")]
    pub orcid: Option<String>,
    /// Compared without regard to case.
    #[param(example = "anna.devries@example.org")]
    pub email: Option<String>,
}

/// A possible duplicate of the expert described.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "01938b1e-7f00-7aaa-8000-000000000003",
    "name": "Anna de Vries",
    "orcid": "0000-0002-1825-0097",
    "country": "NL",
    "score": 1.0,
    "reasons": ["same-orcid", "similar-name"]
}))]
pub struct ExpertCandidate {
    pub id: Uuid,
    pub name: String,
    pub orcid: Option<String>,
    pub country: Option<String>,
    /// How likely a duplicate, 0..1: 1 for the same ORCID iD.
    #[schema(minimum = 0, maximum = 1)]
    pub score: f64,
    pub reasons: Vec<MatchReason>,
}

/// Candidates, best first.
#[derive(Debug, Serialize, ToSchema)]
pub struct ExpertMatches {
    pub items: Vec<ExpertCandidate>,
}
