//! `POST /v1/imports`: NDJSON records, written by `registry::imports`.

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
    let mut conn = state.conn(Audience::Staff).await?;
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
