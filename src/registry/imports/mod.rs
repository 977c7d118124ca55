//! Bulk import: NDJSON, one record per line, each with its `kind`. Every
//! line is checked with the API's own rules first; only when all are valid
//! is anything written, all in one transaction. Records match existing ones
//! by `id` (a new record takes the id a line gives) or by external key (organisations: ROR id or website; experts:
//! ORCID or e-mail; initiatives: website), so importing a file again changes nothing.
//! Links name their other end by id or by external key, also of records in
//! the same file. `POST /v1/imports` (`api::imports`) and `aimd-registry import`.

mod parse;
mod write;

use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::domain::enums::HitType;
use crate::domain::matches::PossibleDuplicate;

pub use self::write::run;

/// How an import is run.
#[derive(Debug, Clone, Copy, Default)]
pub struct ImportOptions {
    /// Check and resolve everything, then write nothing.
    pub dry_run: bool,
    /// Publish what the import creates or changes (editors only).
    pub publish: bool,
    /// Publishing may approve the caller's own changes: the operator on the
    /// command line, or a deployment with `AIMD_ALLOW_SELF_APPROVAL`.
    /// Otherwise four eyes hold as for `approve`.
    pub self_approval: bool,
    /// Create records the duplicate finder takes for existing ones (a line
    /// can say so for itself with `"createAnyway": true`).
    pub create_duplicates: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "kebab-case")]
pub enum ImportOutcome {
    Created,
    Updated,
    Unchanged,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ImportedRecord {
    /// The line of the file, counting from 1.
    pub line: usize,
    pub kind: HitType,
    pub id: Uuid,
    pub outcome: ImportOutcome,
    /// A dry run's warning: a line without id or external key that would
    /// create a record the duplicate finder takes for these (score 0.8 and
    /// up). A real import refuses such a line unless it or the request says
    /// to create it anyway.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    #[schema(required = false)]
    pub possible_duplicates: Vec<PossibleDuplicate>,
}

/// What an import did (or, in a dry run, would do).
#[derive(Debug, Default, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(example = json!({"dryRun": false, "created": 2, "updated": 1, "unchanged": 0, "linksChanged": 3,
    "records": [{"line": 1, "kind": "organisation", "id": "01938b1e-7f00-7aaa-8000-000000000001", "outcome": "created"}]}))]
pub struct ImportReport {
    pub dry_run: bool,
    pub created: usize,
    pub updated: usize,
    pub unchanged: usize,
    /// Links created or changed.
    pub links_changed: usize,
    pub records: Vec<ImportedRecord>,
}
