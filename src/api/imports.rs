//! `POST /v1/imports`: NDJSON records (or a JSON array of them), written
//! by `registry::imports`.

use actix_web::http::header;
use actix_web::web::Bytes;
use actix_web::{HttpRequest, HttpResponse, post};
use utoipa::IntoParams;

use crate::api::access::{Allowed, least};
use crate::auth::{Audience, Caller, Role};
use crate::domain::history::ChangeContext;
use crate::domain::query::{QueryReader, parse_flag};
use crate::error::{ApiError, ApiResult};
use crate::registry::imports::{ImportOptions, ImportReport, run};

/// Import bodies may be larger than other requests.
pub const MAX_IMPORT_BYTES: usize = 32 * 1024 * 1024;
const NDJSON: &str = "application/x-ndjson";
const JSON: &str = "application/json";

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
    /// Create records that look like existing ones (see below) instead of
    /// refusing their lines.
    #[param(rename = "createDuplicates", example = false)]
    pub create_duplicates: Option<bool>,
}

/// Import records
///
/// NDJSON (`Content-Type: application/x-ndjson`), one record per line, or
/// the same records as a JSON array (`application/json`, for clients that
/// cannot send NDJSON; a record's position in the array, from 1, names it
/// as a line number does). Each record has its `kind` (`organisation`, `expert`, `initiative`), the fields of a
/// create, an optional `id`, and links: initiatives' `organisations`,
/// `experts` and `related`, experts' `affiliations`, each an array of
/// `{"ref": <id or external key>, ...terms}` (the terms of the link's own
/// `PUT`). External keys: an organisation's ROR id or website, an expert's
/// ORCID, an initiative's website. Every line is checked first and every
/// problem reported as `<line>/<field>`; nothing is written unless all are
/// valid, and then everything is written in one transaction, recorded in
/// the history as the caller's change. Imported records are drafts unless
/// an editor asks `publish=true`. A line without `id` or external key that
/// the duplicate finder matches with a score of 0.8 or more (same website
/// domain, acronym, a very similar name; organisations and experts) is
/// refused (`possible-duplicate`) unless the line says `"createAnyway":
/// true` or the request `createDuplicates=true`; a dry run lists such
/// lines' `possibleDuplicates` instead.
#[utoipa::path(
    tag = "imports",
    operation_id = "importRecords",
    params(ImportQuery),
    request_body(description = "One record per line (NDJSON), or an array of the same records (JSON)", content(
        (String = "application/x-ndjson",
            example = json!("{\"kind\": \"organisation\", \"name\": \"NEN\", \"type\": \"standards-body\", \"country\": \"NL\", \"website\": \"https://www.nen.nl/\"}\n{\"kind\": \"initiative\", \"title\": {\"en\": \"NEN expert group AI and medical devices\"}, \"scope\": \"national\", \"countries\": [\"NL\"], \"type\": \"expert-network\", \"organisations\": [{\"ref\": \"https://www.nen.nl/\", \"role\": \"secretariat\"}]}")),
        (Vec<Object> = "application/json",
            example = json!([{"kind": "organisation", "name": "NEN", "type": "standards-body", "country": "NL", "website": "https://www.nen.nl/"}, {"kind": "initiative", "title": {"en": "NEN expert group AI and medical devices"}, "scope": "national", "countries": ["NL"], "type": "expert-network", "organisations": [{"ref": "https://www.nen.nl/", "role": "secretariat"}]}]))
    )),
    responses((status = 200, description = "What was written (or, with dryRun, what would be)", body = ImportReport))
)]
#[post("/imports")]
pub async fn import_records(
    Allowed { state, .. }: Allowed<least::Curator>,
    request: HttpRequest,
    body: Bytes,
) -> ApiResult<HttpResponse> {
    let mut query = QueryReader::new(
        request.query_string(),
        &["dryRun", "publish", "createDuplicates"],
    );
    let dry_run = query.one("dryRun", parse_flag).unwrap_or(false);
    let publish = query.one("publish", parse_flag).unwrap_or(false);
    let create_duplicates = query.one("createDuplicates", parse_flag).unwrap_or(false);
    query.finish()?;
    let media_type = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|c| c.to_str().ok())
        .map(|c| {
            c.split(';')
                .next()
                .unwrap_or_default()
                .trim()
                .to_ascii_lowercase()
        });
    let is_json = match media_type.as_deref() {
        Some(NDJSON) => false,
        Some(JSON) => true,
        _ => {
            return Err(ApiError::UnsupportedMediaType(format!(
                "send the records as {NDJSON} (one per line) or {JSON} (an array)"
            )));
        }
    };
    let caller = Caller::of_request(&request);
    if publish && !caller.has(Role::Editor) {
        return Err(ApiError::Forbidden(
            "publishing on import needs the role 'editor' or higher".to_owned(),
        ));
    }
    let text = std::str::from_utf8(&body)
        .map_err(|_| ApiError::BadRequest("the body is not UTF-8 text".to_owned()))?;
    let lines;
    let text = if is_json {
        lines = array_as_lines(text)?;
        lines.as_str()
    } else {
        text
    };
    let mut context = ChangeContext::read(&request)?;
    context.message.get_or_insert_with(|| "import".to_owned());
    let mut conn = state.conn(Audience::Staff).await?;
    let started = std::time::Instant::now();
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
            create_duplicates,
        },
    )
    .await;
    let outcome = match (&report, dry_run) {
        (Err(_), _) => "refused",
        (Ok(_), true) => "dry_run",
        (Ok(_), false) => "written",
    };
    metrics::counter!("aimd_imports_total", "outcome" => outcome).increment(1);
    metrics::histogram!("aimd_import_duration_seconds", "outcome" => outcome)
        .record(started.elapsed().as_secs_f64());
    Ok(HttpResponse::Ok().json(report?))
}

/// A JSON array of records as the NDJSON the importer reads: one record
/// per line, in order, so that the n-th record is line n.
fn array_as_lines(text: &str) -> ApiResult<String> {
    let records: Vec<serde_json::Value> = serde_json::from_str(text).map_err(|e| {
        ApiError::BadRequest(format!(
            "with Content-Type {JSON}, send an array of records: {e}"
        ))
    })?;
    let lines: Vec<String> = records.iter().map(serde_json::Value::to_string).collect();
    Ok(lines.join("\n"))
}
