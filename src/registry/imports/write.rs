//! Writing an import in one transaction: records first (through the
//! registry's write flow), then their links.

use crate::domain::matches::PossibleDuplicate;
use crate::registry::publication::refuse_without_source;
use std::collections::HashMap;

use super::parse::{Line, LinkLine, LinkTerms, Parsed, parse, under};
use super::{ImportOptions, ImportOutcome, ImportReport, ImportedRecord};
use crate::store::imports::{DryRun, claim_new_id, find_by_keys, resolve, serialise_import};

use chrono::Utc;
use diesel_async::{AsyncConnection, AsyncPgConnection};
use uuid::Uuid;

use crate::auth::Caller;
use crate::domain::enums::{HistoryAction, PublicationStatus};
use crate::domain::history::ChangeContext;
use crate::domain::links::LinkOutcome;
use crate::domain::topics::Vocabulary;
use crate::error::{ApiError, ApiResult, InvalidParam};
use crate::registry::links::{
    self, Affiliations, InitiativeExperts, InitiativeOrganisations, RelatedInitiatives,
};
use crate::registry::{self, records::Edit};
use crate::store::history;
use crate::store::records::{self, Kind, Precondition, StoredKind};

/// Writes one record: creates it, changes it, or finds it as it is.
/// A line that matches a record changes the fields it gives, through the
/// same merge patch as `PATCH`; for a published record the result is its
/// pending revision unless the import publishes.
async fn write_record<R: StoredKind>(
    conn: &mut AsyncPgConnection,
    context: &ChangeContext,
    vocabulary: &Vocabulary,
    parsed: &Parsed<R>,
    options: ImportOptions,
) -> ApiResult<(Uuid, ImportOutcome, Vec<PossibleDuplicate>)> {
    let publish = options.publish;
    let keys = R::external_keys(&parsed.draft);
    let existing = match parsed.id {
        Some(id) if records::ever_existed(conn, R::KIND, id).await? => Some(id),
        // An id the registry never had creates the record under it, so that
        // an export loads into another registry (or a file with fixed ids,
        // like the demo data, loads again) without duplicates.
        Some(id) => {
            claim_new_id(conn, R::KIND, id).await?;
            None
        }
        None => find_by_keys::<R>(conn, &keys).await?,
    };
    let mut duplicates = Vec::new();
    let identified = parsed.id.is_some() || !keys.is_empty();
    if existing.is_none() && !identified && !parsed.create_anyway && !options.create_duplicates {
        duplicates = R::likely_duplicates(conn, &parsed.draft).await?;
        if !duplicates.is_empty() && !options.dry_run {
            return Err(possible_duplicate::<R>(&duplicates));
        }
    }
    let (id, outcome) = match existing {
        None => {
            let new_id = parsed.id.unwrap_or_else(Uuid::now_v7);
            let id = registry::records::create::<R>(conn, context, new_id, &parsed.draft).await?;
            (id, ImportOutcome::Created)
        }
        Some(id) => {
            let edit = registry::records::merge_patch_record::<R>;
            let any = Precondition::any();
            match edit(conn, vocabulary, context, id, any, &parsed.fields, publish).await? {
                Edit::Unchanged => return Ok((id, ImportOutcome::Unchanged, duplicates)),
                Edit::Updated | Edit::Revised => (id, ImportOutcome::Updated),
            }
        }
    };
    if publish {
        // Only what the line created or changed gets here (an unchanged
        // record returned above), so publishing would approve the caller's
        // own change.
        if !options.self_approval {
            return Err(ApiError::Forbidden(format!(
                "four eyes: publishing on import would approve changes you made to this {}; \
                 import without publish=true and let another editor approve them",
                R::KIND.noun()
            )));
        }
        let (status, _) = records::publication(conn, R::KIND, id).await?;
        if status != PublicationStatus::Published {
            // A record the line created is as the line wrote it.
            let created = (outcome == ImportOutcome::Created).then_some(&parsed.draft);
            refuse_without_source::<R>(conn, id, created).await?;
            // Publishing is a review of the whole record.
            records::set_publication(
                conn,
                R::KIND,
                id,
                PublicationStatus::Published,
                Utc::now(),
                true,
                true,
            )
            .await?;
            let changes = serde_json::json!({"publicationStatus": {"before": status.as_str(), "after": "published"}});
            history::record(conn, context, R::KIND, id, HistoryAction::Approved, changes).await?;
        }
    }
    Ok((id, outcome, duplicates))
}

/// The refusal of a line that looks like an existing record.
fn possible_duplicate<R: StoredKind>(found: &[PossibleDuplicate]) -> ApiError {
    let named: Vec<String> = found
        .iter()
        .map(|d| format!("'{}' ({}, score {})", d.name, d.id, d.score))
        .collect();
    ApiError::InvalidInput(vec![InvalidParam::new(
        "",
        "possible-duplicate",
        format!(
            "looks like the existing {} {}; give it an id or external key to update it, \
             or \"createAnyway\": true (or createDuplicates=true on the request) to create it anyway",
            R::KIND.noun(),
            named.join(", ")
        ),
    )])
}

/// A line written, with what the links phase needs of it.
type Written<'a> = (
    Kind,
    usize,
    Vec<String>,
    &'a Vec<LinkLine>,
    ApiResult<(Uuid, ImportOutcome, Vec<PossibleDuplicate>)>,
);

async fn write_line<'a, R: StoredKind>(
    conn: &mut AsyncPgConnection,
    context: &ChangeContext,
    vocabulary: &Vocabulary,
    parsed: &'a Parsed<R>,
    options: ImportOptions,
) -> Written<'a> {
    let result = write_record(conn, context, vocabulary, parsed, options).await;
    (
        R::KIND,
        parsed.line,
        R::external_keys(&parsed.draft),
        &parsed.links,
        result,
    )
}

async fn write_link(
    conn: &mut AsyncPgConnection,
    context: &ChangeContext,
    caller: &Caller,
    owner: Uuid,
    terms: &LinkTerms,
    target: Uuid,
) -> ApiResult<bool> {
    let ends = (owner, target);
    let any = Precondition::any();
    let outcome = match terms {
        LinkTerms::Affiliation(t) => {
            links::apply::<Affiliations>(conn, context, caller, ends, any, t).await?
        }
        LinkTerms::Organisation(t) => {
            links::apply::<InitiativeOrganisations>(conn, context, caller, ends, any, t).await?
        }
        LinkTerms::Expert(t) => {
            links::apply::<InitiativeExperts>(conn, context, caller, ends, any, t).await?
        }
        LinkTerms::Related(t) => {
            links::apply::<RelatedInitiatives>(conn, context, caller, ends, any, t).await?
        }
    };
    Ok(outcome != LinkOutcome::Unchanged)
}

/// A line's write failed: what the line says wrong is named after it (and
/// a four-eyes refusal says which line); a database that cannot serve, or
/// a fault of ours, stays what it is (503 with Retry-After, or a logged
/// 500), not a 400 about the line.
fn line_problem(number: usize, place: &str, error: ApiError) -> ApiError {
    match error {
        ApiError::Forbidden(detail) => ApiError::Forbidden(format!("line {number}: {detail}")),
        ApiError::Unavailable(_) | ApiError::Internal(_) => error,
        other => ApiError::InvalidInput(under(number, place, other)),
    }
}

/// Runs an import in one transaction (rolled back for a dry run).
pub async fn run(
    conn: &mut AsyncPgConnection,
    vocabulary: &Vocabulary,
    text: &str,
    context: &ChangeContext,
    caller: &Caller,
    options: ImportOptions,
) -> ApiResult<ImportReport> {
    let lines = parse(text, vocabulary)?;
    let work = async |conn: &mut AsyncPgConnection| {
        serialise_import(conn).await?;
        let mut report = ImportReport {
            dry_run: options.dry_run,
            ..Default::default()
        };
        let mut in_file: HashMap<(Kind, String), Uuid> = HashMap::new();
        let mut written: Vec<(Uuid, &Vec<LinkLine>, usize)> = Vec::new();
        for line in &lines {
            let (kind, number, keys, links, result) = match line {
                Line::Organisation(p) => write_line(conn, context, vocabulary, p, options).await,
                Line::Expert(p) => write_line(conn, context, vocabulary, p, options).await,
                Line::Initiative(p) => write_line(conn, context, vocabulary, p, options).await,
            };
            let (id, outcome, possible_duplicates) =
                result.map_err(|e| line_problem(number, "", e))?;
            for key in keys {
                in_file.insert((kind, key), id);
            }
            match outcome {
                ImportOutcome::Created => report.created += 1,
                ImportOutcome::Updated => report.updated += 1,
                ImportOutcome::Unchanged => report.unchanged += 1,
            }
            report.records.push(ImportedRecord {
                line: number,
                kind: kind.hit(),
                id,
                outcome,
                possible_duplicates,
            });
            written.push((id, links, number));
        }
        let mut unresolved = Vec::new();
        for (owner, links, number) in written {
            for link in links {
                let target_kind = link.terms.target();
                match resolve(conn, target_kind, &link.reference, &in_file).await? {
                    None => unresolved.push(InvalidParam::new(
                        format!("{number}/{}/{}/ref", link.field, link.index),
                        "unknown-reference",
                        format!(
                            "no {} has the id or key '{}'",
                            target_kind.noun(),
                            link.reference
                        ),
                    )),
                    Some(target) => {
                        let changed = write_link(conn, context, caller, owner, &link.terms, target)
                            .await
                            .map_err(|e| {
                                let place = format!("{}/{}", link.field, link.index);
                                line_problem(number, &place, e)
                            })?;
                        report.links_changed += usize::from(changed);
                    }
                }
            }
        }
        if !unresolved.is_empty() {
            return Err(ApiError::InvalidInput(unresolved));
        }
        Ok(report)
    };
    if options.dry_run {
        // Through the transaction manager, so that a dry run cut short (a
        // deadline, a client gone) leaves a connection the pool discards,
        // not one with an open transaction for the next request to commit.
        let rolled_back: Result<(), DryRun<ImportReport>> = conn
            .transaction(async |conn| {
                Err(match work(conn).await {
                    Ok(report) => DryRun::Done(report),
                    Err(error) => DryRun::Failed(error),
                })
            })
            .await;
        match rolled_back {
            Err(DryRun::Done(report)) => Ok(report),
            Err(DryRun::Failed(error)) => Err(error),
            Ok(()) => Err(ApiError::internal("a dry run reached its commit")),
        }
    } else {
        conn.transaction(work).await
    }
}
