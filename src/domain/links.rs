//! What a link write asks for and what it did.

use crate::domain::values::{Date, Role};

/// Whether a link PUT made a new link, changed one, or found it as asked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkOutcome {
    Created,
    Updated,
    Unchanged,
}

/// An expert's affiliation as a client writes it.
#[derive(Debug, Clone, PartialEq)]
pub struct AffiliationTerms {
    pub role: Option<Role>,
    pub since: Option<Date>,
    pub until: Option<Date>,
}
