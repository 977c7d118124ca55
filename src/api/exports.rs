//! `/v1/exports/{kind}`: every record the caller may see, streamed as NDJSON
//! (one record per line, as `GET` shows it), CSV (`Accept: text/csv`, links
//! flattened) or JSON-LD (`Accept: application/ld+json`, one `@graph`); or
//! as `format=ndjson|csv|json-ld` says, for links that cannot set `Accept`. The export reads one snapshot in a read-only transaction, in
//! batches by id, and hands each batch to the response through a small
//! bounded channel, so memory stays constant whatever the size. The
//! `Change-Position` header is the change-feed position the snapshot
//! includes: follow `/v1/changes?after=` from there and nothing is missed.

use actix_web::http::header::HeaderName;
use actix_web::web::Bytes;
use actix_web::{HttpRequest, HttpResponse, get, web};
use tokio::sync::{mpsc, oneshot};

use crate::api::access::{Allowed, least};
use crate::api::linked_data::audience as linked_data_audience;
use crate::api::negotiation::Accept;
use crate::api::state::AppState;
use crate::domain::experts::Expert;
use crate::domain::initiatives::Initiative;
use crate::domain::input::FieldError;
use crate::domain::linked_data;
use crate::domain::organisations::Organisation;
use crate::domain::query::QueryReader;
use crate::error::{ApiError, ApiResult};
use crate::store::records::StoredKind;
use crate::sync::exports::{BUFFERED_BATCHES, Export, Format, stream};

pub const CHANGE_POSITION: HeaderName = HeaderName::from_static("change-position");

/// From the `format` key when given, else from `Accept`: CSV or JSON-LD
/// when asked for, NDJSON otherwise (also for `*/*`, JSON or no header);
/// anything else is 406.
fn format_of(request: &HttpRequest) -> ApiResult<Format> {
    let mut query = QueryReader::new(request.query_string(), &["format"]);
    let named = query.one("format", |raw| {
        <Format as clap::ValueEnum>::from_str(raw, false)
            .map_err(|_| FieldError::new("unknown-format", "must be ndjson, csv or json-ld"))
    });
    query.finish()?;
    if let Some(format) = named {
        return Ok(format);
    }
    let Some(accept) = Accept::of(request) else {
        return Ok(Format::Ndjson);
    };
    // Each format's weight, whether it is named, and its rank by default.
    let candidates = [
        (
            Format::Ndjson,
            &["application/x-ndjson", "application/json"][..],
        ),
        (Format::Csv, &["text/csv"][..]),
        (Format::JsonLd, &[linked_data::MEDIA_TYPE][..]),
    ];
    candidates
        .iter()
        .enumerate()
        .filter_map(|(rank, (format, media))| {
            let weight = media
                .iter()
                .filter_map(|m| accept.weight(m))
                .fold(None, |best: Option<f32>, w| {
                    Some(best.map_or(w, |b| b.max(w)))
                })?;
            let named = media.iter().any(|m| accept.names(m));
            (weight > 0.0).then_some((weight, named, rank, *format))
        })
        .max_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)).then(b.2.cmp(&a.2)))
        .map(|(_, _, _, format)| format)
        .ok_or_else(|| {
            ApiError::NotAcceptable(
                "exports are NDJSON (application/x-ndjson), CSV (text/csv) or JSON-LD \
                 (application/ld+json)"
                    .to_owned(),
            )
        })
}

pub async fn export<K>(state: web::Data<AppState>, request: HttpRequest) -> ApiResult<HttpResponse>
where
    K: StoredKind + 'static,
{
    let format = format_of(&request)?;
    let audience = linked_data_audience(&request, format == Format::JsonLd);
    let (position_tx, position_rx) = oneshot::channel();
    let (chunks_tx, chunks_rx) = mpsc::channel(BUFFERED_BATCHES);
    actix_web::rt::spawn(async move {
        let mut conn = match state.read_conn(audience).await {
            Ok(conn) => conn,
            Err(error) => {
                let _ = position_tx.send(Err(error));
                return;
            }
        };
        let export = Export {
            vocabulary: &state.vocabulary,
            audience,
            format,
            site: &state.policy.site,
        };
        let started = std::time::Instant::now();
        let outcome = stream::<K>(&mut conn, &export, position_tx, &chunks_tx).await;
        let labels = [
            ("kind", K::KIND.table()),
            ("format", format.name()),
            (
                "outcome",
                if outcome.is_ok() {
                    "streamed"
                } else {
                    "failed"
                },
            ),
        ];
        metrics::counter!("aimd_exports_total", &labels).increment(1);
        metrics::histogram!("aimd_export_duration_seconds", &labels)
            .record(started.elapsed().as_secs_f64());
        if let Err(error) = outcome {
            let _ = chunks_tx.send(Err(error)).await;
        }
    });
    let position = position_rx
        .await
        .map_err(|_| ApiError::internal("the export stopped before it began"))??;
    let body = futures_util::stream::unfold(chunks_rx, |mut rx| async move {
        rx.recv().await.map(|chunk| (chunk.map(Bytes::from), rx))
    });
    Ok(HttpResponse::Ok()
        .content_type(format.content_type())
        .insert_header((CHANGE_POSITION, position.to_string()))
        .streaming(body))
}

/// Export all organisations
///
/// Every organisation the caller may see, streamed: NDJSON by default (one
/// record per line, exactly as `GET` shows it), CSV with `Accept: text/csv`
/// (columns in the first line; lists joined with `;`, links as `id:role`,
/// topics as slugs; a cell starting with `=`, `+`, `-`, `@`, a tab, a
/// carriage return or an apostrophe gets an apostrophe in front, so a
/// spreadsheet opens it as text), JSON-LD with `Accept: application/ld+json`
/// (one `@graph` of schema.org nodes, as the records' JSON-LD). `format`
/// does the same for a link. `Change-Position` is the change-feed position
/// the export includes: follow `/v1/changes?after=` from there.
#[utoipa::path(
    tag = "exports",
    operation_id = "exportOrganisations",
    params(
        ("Accept" = Option<String>, Header, description = "`application/x-ndjson` (default), `text/csv` or `application/ld+json`", example = "text/csv"),
        ("format" = Option<Format>, Query, description = "The format, for links that cannot set `Accept`; wins over `Accept` (for example `csv`)")
    ),
    responses(
        (status = 200, description = "The organisations", headers(("Change-Position" = i64, description = "The change-feed position this export includes")),
            content(
                (Organisation = "application/x-ndjson"),
                (String = "text/csv", example = json!("id,name,...\r\n0193...,...\r\n")),
                (Object = "application/ld+json", example = json!({"@context": {"@vocab": "https://schema.org/"}, "@graph": [{"@id": "https://registry.example.nl/v1/organisations/01938000-0000-7000-8000-000000001001", "@type": "Organization", "name": "Royal Netherlands Standardization Institute"}]}))
            )),
        (status = 406, description = "Neither NDJSON, CSV nor JSON-LD is acceptable", body = crate::error::Problem, content_type = "application/problem+json")
    )
)]
#[get("/exports/organisations")]
pub async fn export_organisations(
    Allowed { state, .. }: Allowed<least::Public>,
    request: HttpRequest,
) -> ApiResult<HttpResponse> {
    export::<crate::store::organisations::Organisations>(state, request).await
}

/// Export all experts
///
/// Every expert the caller may see, streamed: NDJSON by default (one
/// record per line, exactly as `GET` shows it), CSV with `Accept: text/csv`
/// (columns in the first line; lists joined with `;`, links as `id:role`,
/// topics as slugs; a cell starting with `=`, `+`, `-`, `@`, a tab, a
/// carriage return or an apostrophe gets an apostrophe in front, so a
/// spreadsheet opens it as text), JSON-LD with `Accept: application/ld+json`
/// (one `@graph` of schema.org nodes, as the records' JSON-LD). `format`
/// does the same for a link. `Change-Position` is the change-feed position
/// the export includes: follow `/v1/changes?after=` from there.
#[utoipa::path(
    tag = "exports",
    operation_id = "exportExperts",
    params(
        ("Accept" = Option<String>, Header, description = "`application/x-ndjson` (default), `text/csv` or `application/ld+json`", example = "text/csv"),
        ("format" = Option<Format>, Query, description = "The format, for links that cannot set `Accept`; wins over `Accept` (for example `csv`)")
    ),
    responses(
        (status = 200, description = "The experts", headers(("Change-Position" = i64, description = "The change-feed position this export includes")),
            content(
                (Expert = "application/x-ndjson"),
                (String = "text/csv", example = json!("id,name,...\r\n0193...,...\r\n")),
                (Object = "application/ld+json", example = json!({"@context": {"@vocab": "https://schema.org/"}, "@graph": [{"@id": "https://registry.example.nl/v1/experts/01938000-0000-7000-8000-000000002002", "@type": "Person", "name": "Bram Voorbeeld"}]}))
            )),
        (status = 406, description = "Neither NDJSON, CSV nor JSON-LD is acceptable", body = crate::error::Problem, content_type = "application/problem+json")
    )
)]
#[get("/exports/experts")]
pub async fn export_experts(
    Allowed { state, .. }: Allowed<least::Public>,
    request: HttpRequest,
) -> ApiResult<HttpResponse> {
    export::<crate::store::experts::Experts>(state, request).await
}

/// Export all initiatives
///
/// Every initiative the caller may see, streamed: NDJSON by default (one
/// record per line, exactly as `GET` shows it), CSV with `Accept: text/csv`
/// (columns in the first line; lists joined with `;`, links as `id:role`,
/// topics as slugs; a cell starting with `=`, `+`, `-`, `@`, a tab, a
/// carriage return or an apostrophe gets an apostrophe in front, so a
/// spreadsheet opens it as text), JSON-LD with `Accept: application/ld+json`
/// (one `@graph` of schema.org nodes, as the records' JSON-LD). `format`
/// does the same for a link. `Change-Position` is the change-feed position
/// the export includes: follow `/v1/changes?after=` from there.
#[utoipa::path(
    tag = "exports",
    operation_id = "exportInitiatives",
    params(
        ("Accept" = Option<String>, Header, description = "`application/x-ndjson` (default), `text/csv` or `application/ld+json`", example = "text/csv"),
        ("format" = Option<Format>, Query, description = "The format, for links that cannot set `Accept`; wins over `Accept` (for example `csv`)")
    ),
    responses(
        (status = 200, description = "The initiatives", headers(("Change-Position" = i64, description = "The change-feed position this export includes")),
            content(
                (Initiative = "application/x-ndjson"),
                (String = "text/csv", example = json!("id,name,...\r\n0193...,...\r\n")),
                (Object = "application/ld+json", example = json!({"@context": {"@vocab": "https://schema.org/"}, "@graph": [{"@id": "https://registry.example.nl/v1/initiatives/01938000-0000-7000-8000-000000003057", "@type": "Organization", "name": {"en": "NEN expert group on AI and medical devices", "nl": "NEN-expertgroep AI en medische hulpmiddelen"}}]}))
            )),
        (status = 406, description = "Neither NDJSON, CSV nor JSON-LD is acceptable", body = crate::error::Problem, content_type = "application/problem+json")
    )
)]
#[get("/exports/initiatives")]
pub async fn export_initiatives(
    Allowed { state, .. }: Allowed<least::Public>,
    request: HttpRequest,
) -> ApiResult<HttpResponse> {
    export::<crate::store::initiatives::Initiatives>(state, request).await
}
