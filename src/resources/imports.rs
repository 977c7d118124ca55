//! Bulk import: NDJSON, one record per line, each with its `kind`. Every
//! line is checked with the API's own rules first; only when all are valid
//! is anything written, all in one transaction. Records match existing ones
//! by `id` (a new record takes the id a line gives) or by external key (organisations: ROR id or website; experts:
//! ORCID or e-mail; initiatives: website), so importing a file again changes nothing.
//! Links name their other end by id or by external key, also of records in
//! the same file. `POST /v1/imports` and `aimd-registry import`.

use crate::http::access::{Allowed, least};
use std::collections::HashMap;

use actix_web::http::header;
use actix_web::web::Bytes;
use actix_web::{HttpRequest, HttpResponse, post};
use chrono::Utc;
use diesel::sql_types::{Array, BigInt, Text, Uuid as SqlUuid};
use diesel::{QueryableByName, sql_query};
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl, SimpleAsyncConnection};
use serde::Serialize;
use serde_json::{Map, Value};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::crud::Resource;
use super::experts::Experts;
use super::history::{self, ChangeContext};
use super::initiatives::Initiatives;
use super::links::{
    self, AffiliationTerms, Affiliations, InitiativeExperts, InitiativeOrganisations, LinkKind,
    RelatedInitiatives,
};
use super::organisations::Organisations;
use super::records::{self, Kind, Precondition};
use crate::auth::{Caller, Role};
use crate::domain::enums::{
    ExpertRole, HistoryAction, HitType, OrganisationRole, PublicationStatus, Relation,
};
use crate::domain::topics::Vocabulary;
use crate::error::{ApiError, ApiResult, InvalidParam};
use crate::http::query::{QueryReader, parse_flag};
use crate::registry::{self, records::Edit};

/// Import bodies may be larger than other requests.
pub const MAX_IMPORT_BYTES: usize = 32 * 1024 * 1024;
const NDJSON: &str = "application/x-ndjson";
/// The advisory lock key imports serialise on.
const IMPORT_LOCK: i64 = 0x6169_6d64_696d_7074;

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
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "kebab-case")]
pub enum ImportOutcome {
    Created,
    Updated,
    Unchanged,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ImportedRecord {
    /// The line of the file, counting from 1.
    pub line: usize,
    pub kind: HitType,
    pub id: Uuid,
    pub outcome: ImportOutcome,
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

/// The import's query parameters.
#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ImportQuery {
    /// Check everything and report what would happen, writing nothing.
    #[param(rename = "dryRun", example = true)]
    pub dry_run: Option<bool>,
    /// Publish the imported records at once (editors only; otherwise they are drafts).
    #[param(example = false)]
    pub publish: Option<bool>,
}

/// A link as a line writes it: the field it is in, its position there, the
/// other end's reference and the link's terms.
struct LinkLine {
    field: &'static str,
    index: usize,
    reference: String,
    terms: LinkTerms,
}

/// A link's terms, read by the rules of the link's own `PUT`.
enum LinkTerms {
    Affiliation(AffiliationTerms),
    Organisation(OrganisationRole),
    Expert(ExpertRole),
    Related(Relation),
}

impl LinkTerms {
    fn parse(kind: Kind, field: &str, terms: &Value) -> ApiResult<Self> {
        Ok(match (kind, field) {
            (Kind::Expert, _) => Self::Affiliation(Affiliations::parse(terms)?),
            (_, "organisations") => Self::Organisation(InitiativeOrganisations::parse(terms)?),
            (_, "experts") => Self::Expert(InitiativeExperts::parse(terms)?),
            _ => Self::Related(RelatedInitiatives::parse(terms)?),
        })
    }

    /// The kind of record at the link's other end.
    fn target(&self) -> Kind {
        match self {
            Self::Affiliation(_) | Self::Organisation(_) => Kind::Organisation,
            Self::Expert(_) => Kind::Expert,
            Self::Related(_) => Kind::Initiative,
        }
    }
}

struct Parsed<R: Resource> {
    line: usize,
    id: Option<Uuid>,
    /// The record as the line writes it, for a new record.
    draft: R::Draft,
    /// The line's own fields, applied as a merge patch to a record it matches.
    fields: Value,
    links: Vec<LinkLine>,
}

enum Line {
    Organisation(Parsed<Organisations>),
    Expert(Parsed<Experts>),
    Initiative(Parsed<Initiatives>),
}

/// The link fields each kind may carry.
fn link_fields(kind: Kind) -> &'static [&'static str] {
    match kind {
        Kind::Organisation => &[],
        Kind::Expert => &["affiliations"],
        Kind::Initiative => &["organisations", "experts", "related"],
    }
}

fn under(line: usize, prefix: &str, error: ApiError) -> Vec<InvalidParam> {
    let place = |name: &str| {
        if prefix.is_empty() {
            format!("{line}/{name}")
        } else {
            format!("{line}/{prefix}/{name}")
        }
    };
    match error {
        ApiError::InvalidInput(params) | ApiError::Unprocessable(params, _) => params
            .into_iter()
            .map(|p| InvalidParam::new(place(&p.name), &p.code, p.reason))
            .collect(),
        other => vec![InvalidParam::new(place("body"), "invalid", other.detail())],
    }
}

fn parse_record<R: Resource>(
    line: usize,
    mut object: Map<String, Value>,
    vocabulary: &Vocabulary,
    errors: &mut Vec<InvalidParam>,
) -> Option<Parsed<R>> {
    let id = match object.remove("id") {
        None | Some(Value::Null) => None,
        Some(Value::String(raw)) => match Uuid::try_parse(raw.trim()) {
            Ok(id) if !id.is_nil() => Some(id),
            _ => {
                errors.push(InvalidParam::new(
                    format!("{line}/id"),
                    "invalid-id",
                    format!("'{raw}' is not a UUID (other than the nil UUID)"),
                ));
                None
            }
        },
        Some(_) => {
            errors.push(InvalidParam::new(
                format!("{line}/id"),
                "wrong-type",
                "must be a UUID string",
            ));
            None
        }
    };
    let mut links = Vec::new();
    for field in link_fields(R::KIND) {
        let Some(value) = object.remove(*field) else {
            continue;
        };
        let Value::Array(items) = value else {
            errors.push(InvalidParam::new(
                format!("{line}/{field}"),
                "wrong-type",
                "must be an array of links",
            ));
            continue;
        };
        for (index, item) in items.into_iter().enumerate() {
            let Value::Object(mut terms) = item else {
                errors.push(InvalidParam::new(
                    format!("{line}/{field}/{index}"),
                    "wrong-type",
                    "must be an object",
                ));
                continue;
            };
            let reference = match terms.remove("ref") {
                Some(Value::String(r)) if !r.trim().is_empty() => r.trim().to_owned(),
                _ => {
                    errors.push(InvalidParam::new(
                        format!("{line}/{field}/{index}/ref"),
                        "required",
                        "names the other record: its id or external key",
                    ));
                    continue;
                }
            };
            let terms = match LinkTerms::parse(R::KIND, field, &Value::Object(terms)) {
                Ok(terms) => terms,
                Err(e) => {
                    errors.extend(under(line, &format!("{field}/{index}"), e));
                    continue;
                }
            };
            links.push(LinkLine {
                field,
                index,
                reference,
                terms,
            });
        }
    }
    let fields = Value::Object(object);
    match R::parse_draft(&fields, vocabulary) {
        Ok(draft) => Some(Parsed {
            line,
            id,
            draft,
            fields,
            links,
        }),
        Err(e) => {
            errors.extend(under(line, "", e));
            None
        }
    }
}

/// Reads and checks every line; all problems at once, each named
/// `<line>/<field>`.
fn parse(text: &str, vocabulary: &Vocabulary) -> ApiResult<Vec<Line>> {
    let mut errors = Vec::new();
    let mut lines = Vec::new();
    for (index, raw) in text.lines().enumerate() {
        let line = index + 1;
        if raw.trim().is_empty() {
            continue;
        }
        let mut object = match serde_json::from_str::<Value>(raw) {
            Ok(Value::Object(object)) => object,
            Ok(_) => {
                errors.push(InvalidParam::new(
                    format!("{line}"),
                    "not-an-object",
                    "each line must be one JSON object",
                ));
                continue;
            }
            Err(e) => {
                errors.push(InvalidParam::new(
                    format!("{line}"),
                    "invalid-json",
                    e.to_string(),
                ));
                continue;
            }
        };
        let kind = object.remove("kind");
        let parsed = match kind.as_ref().and_then(Value::as_str) {
            Some("organisation") => {
                parse_record::<Organisations>(line, object, vocabulary, &mut errors)
                    .map(Line::Organisation)
            }
            Some("expert") => {
                parse_record::<Experts>(line, object, vocabulary, &mut errors).map(Line::Expert)
            }
            Some("initiative") => {
                parse_record::<Initiatives>(line, object, vocabulary, &mut errors)
                    .map(Line::Initiative)
            }
            _ => {
                errors.push(InvalidParam::new(
                    format!("{line}/kind"),
                    "unknown-value",
                    "must be one of: organisation, expert, initiative",
                ));
                None
            }
        };
        lines.extend(parsed);
    }
    if !errors.is_empty() {
        return Err(ApiError::InvalidInput(errors));
    }
    if lines.is_empty() {
        return Err(ApiError::BadRequest(
            "the import holds no records".to_owned(),
        ));
    }
    Ok(lines)
}

#[derive(QueryableByName)]
struct Found {
    #[diesel(sql_type = SqlUuid)]
    id: Uuid,
}

/// A live record of kind `R` with one of `keys` in its external-key columns.
async fn find_by_keys<R: Resource>(
    conn: &mut AsyncPgConnection,
    keys: &[String],
) -> ApiResult<Option<Uuid>> {
    if keys.is_empty() {
        return Ok(None);
    }
    let matches: Vec<String> = R::EXTERNAL_KEY_COLUMNS
        .iter()
        .map(|c| format!("{c} = ANY($1)"))
        .collect();
    let found: Vec<Found> = sql_query(format!(
        "SELECT id FROM {} WHERE deleted_at IS NULL AND ({}) ORDER BY id LIMIT 1",
        R::TABLE.table,
        matches.join(" OR ")
    ))
    .bind::<Array<Text>, _>(keys)
    .load(conn)
    .await?;
    Ok(found.into_iter().next().map(|f| f.id))
}

/// Refuses a new record's id that another kind of record already has, so
/// that an id names one record across the registry.
async fn claim_new_id(conn: &mut AsyncPgConnection, kind: Kind, id: Uuid) -> ApiResult<()> {
    for other in [Kind::Organisation, Kind::Expert, Kind::Initiative] {
        if other != kind && records::ever_existed(conn, other, id).await? {
            // Named relative to the line, like the line's other problems.
            return Err(ApiError::InvalidInput(vec![InvalidParam::new(
                "id",
                "taken",
                format!("{id} is the id of an {}", other.noun()),
            )]));
        }
    }
    Ok(())
}

/// Writes one record: creates it, changes it, or finds it as it is.
/// A line that matches a record changes the fields it gives, through the
/// same merge patch as `PATCH`; for a published record the result is its
/// pending revision unless the import publishes.
async fn write_record<R: Resource>(
    conn: &mut AsyncPgConnection,
    context: &ChangeContext,
    vocabulary: &Vocabulary,
    parsed: &Parsed<R>,
    options: ImportOptions,
) -> ApiResult<(Uuid, ImportOutcome)> {
    let publish = options.publish;
    let existing = match parsed.id {
        Some(id) if records::ever_existed(conn, R::KIND, id).await? => Some(id),
        // An id the registry never had creates the record under it, so that
        // an export loads into another registry (or a file with fixed ids,
        // like the demo data, loads again) without duplicates.
        Some(id) => {
            claim_new_id(conn, R::KIND, id).await?;
            None
        }
        None => find_by_keys::<R>(conn, &R::external_keys(&parsed.draft)).await?,
    };
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
                Edit::Unchanged => return Ok((id, ImportOutcome::Unchanged)),
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
            records::set_publication(
                conn,
                R::KIND,
                id,
                PublicationStatus::Published,
                Utc::now(),
                true,
            )
            .await?;
            let changes = serde_json::json!({"publicationStatus": {"before": status.as_str(), "after": "published"}});
            history::record(conn, context, R::KIND, id, HistoryAction::Approved, changes).await?;
        }
    }
    Ok((id, outcome))
}

/// A line written, with what the links phase needs of it.
type Written<'a> = (
    Kind,
    usize,
    Vec<String>,
    &'a Vec<LinkLine>,
    ApiResult<(Uuid, ImportOutcome)>,
);

async fn write_line<'a, R: Resource>(
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

/// The id a link reference names: an id, or an external key of a record of
/// `kind` in the file or in the registry.
async fn resolve(
    conn: &mut AsyncPgConnection,
    kind: Kind,
    reference: &str,
    in_file: &HashMap<(Kind, String), Uuid>,
) -> ApiResult<Option<Uuid>> {
    if let Ok(id) = Uuid::try_parse(reference) {
        return Ok(records::ever_existed(conn, kind, id).await?.then_some(id));
    }
    match kind {
        Kind::Organisation => resolve_key::<Organisations>(conn, reference, in_file).await,
        Kind::Expert => resolve_key::<Experts>(conn, reference, in_file).await,
        Kind::Initiative => resolve_key::<Initiatives>(conn, reference, in_file).await,
    }
}

/// A record of kind `R` with `reference` as an external key, in the file or
/// in the registry.
async fn resolve_key<R: Resource>(
    conn: &mut AsyncPgConnection,
    reference: &str,
    in_file: &HashMap<(Kind, String), Uuid>,
) -> ApiResult<Option<Uuid>> {
    let keys = R::reference_keys(reference);
    if let Some(id) = keys.iter().find_map(|k| in_file.get(&(R::KIND, k.clone()))) {
        return Ok(Some(*id));
    }
    find_by_keys::<R>(conn, &keys).await
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
    Ok(outcome != links::LinkOutcome::Unchanged)
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
        // Imports run one at a time, so two imports of the same lines cannot
        // both miss the other's record when they look its keys up; the
        // unique indexes on the keys catch any other writer.
        sql_query("SELECT pg_advisory_xact_lock($1)")
            .bind::<BigInt, _>(IMPORT_LOCK)
            .execute(conn)
            .await?;
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
            let (id, outcome) = result.map_err(|e| match e {
                ApiError::Forbidden(detail) => {
                    ApiError::Forbidden(format!("line {number}: {detail}"))
                }
                other => ApiError::InvalidInput(under(number, "", other)),
            })?;
            for key in keys {
                in_file.insert((kind, key), id);
            }
            match outcome {
                ImportOutcome::Created => report.created += 1,
                ImportOutcome::Updated => report.updated += 1,
                ImportOutcome::Unchanged => report.unchanged += 1,
            }
            let kind_name = match kind {
                Kind::Organisation => HitType::Organisation,
                Kind::Expert => HitType::Expert,
                Kind::Initiative => HitType::Initiative,
            };
            report.records.push(ImportedRecord {
                line: number,
                kind: kind_name,
                id,
                outcome,
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
                                ApiError::InvalidInput(under(
                                    number,
                                    &format!("{}/{}", link.field, link.index),
                                    e,
                                ))
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
        conn.batch_execute("BEGIN").await?;
        let report = work(conn).await;
        conn.batch_execute("ROLLBACK").await?;
        report
    } else {
        conn.transaction(work).await
    }
}

/// Import records
///
/// NDJSON (`Content-Type: application/x-ndjson`), one record per line with
/// its `kind` (`organisation`, `expert`, `initiative`), the fields of a
/// create, an optional `id`, and links: initiatives' `organisations`,
/// `experts` and `related`, experts' `affiliations`, each an array of
/// `{"ref": <id or external key>, ...terms}` (the terms of the link's own
/// `PUT`). External keys: an organisation's ROR id or website, an expert's
/// ORCID, an initiative's website. Every line is checked first and every
/// problem reported as `<line>/<field>`; nothing is written unless all are
/// valid, and then everything is written in one transaction, recorded in
/// the history as the caller's change. Imported records are drafts unless
/// an editor asks `publish=true`.
#[utoipa::path(
    tag = "imports",
    operation_id = "importRecords",
    params(ImportQuery),
    request_body(content = String, content_type = "application/x-ndjson", description = "One record per line",
        example = json!("{\"kind\": \"organisation\", \"name\": \"NEN\", \"type\": \"standards-body\", \"country\": \"NL\", \"website\": \"https://www.nen.nl/\"}\n{\"kind\": \"initiative\", \"title\": {\"en\": \"NEN expert group AI and medical devices\"}, \"scope\": \"national\", \"countries\": [\"NL\"], \"type\": \"expert-network\", \"organisations\": [{\"ref\": \"https://www.nen.nl/\", \"role\": \"secretariat\"}]}")),
    responses((status = 200, description = "What was written (or, with dryRun, what would be)", body = ImportReport))
)]
#[post("/imports")]
pub async fn import_records(
    Allowed { state, .. }: Allowed<least::Curator>,
    request: HttpRequest,
    body: Bytes,
) -> ApiResult<HttpResponse> {
    let mut query = QueryReader::new(request.query_string(), &["dryRun", "publish"]);
    let dry_run = query.one("dryRun", parse_flag).unwrap_or(false);
    let publish = query.one("publish", parse_flag).unwrap_or(false);
    query.finish()?;
    let is_ndjson = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|c| c.to_str().ok())
        .is_some_and(|c| c.split(';').next().unwrap_or_default().trim() == NDJSON);
    if !is_ndjson {
        return Err(ApiError::UnsupportedMediaType(format!(
            "send the records as {NDJSON}"
        )));
    }
    let caller = Caller::of_request(&request);
    if publish && !caller.has(Role::Editor) {
        return Err(ApiError::Forbidden(
            "publishing on import needs the role 'editor' or higher".to_owned(),
        ));
    }
    let text = std::str::from_utf8(&body)
        .map_err(|_| ApiError::BadRequest("the body is not UTF-8 text".to_owned()))?;
    let mut context = ChangeContext::read(&request)?;
    context.message.get_or_insert_with(|| "import".to_owned());
    let mut conn = state.conn().await?;
    let report = run(
        &mut conn,
        &state.vocabulary,
        text,
        &context,
        &caller,
        ImportOptions {
            dry_run,
            publish,
            self_approval: state.policy.allow_self_approval,
        },
    )
    .await?;
    Ok(HttpResponse::Ok().json(report))
}
