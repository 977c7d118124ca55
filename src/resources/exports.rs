//! `/v1/exports/{kind}`: every record the caller may see, streamed as NDJSON
//! (one record per line, as `GET` shows it) or CSV (`Accept: text/csv`, links
//! flattened). The export reads one snapshot in a read-only transaction, in
//! batches by id, and hands each batch to the response through a small
//! bounded channel, so memory stays constant whatever the size. The
//! `Change-Position` header is the change-feed position the snapshot
//! includes: follow `/v1/changes?after=` from there and nothing is missed.

use crate::api::access::{Allowed, least};
use actix_web::http::header::{self, HeaderName};
use actix_web::web::Bytes;
use actix_web::{HttpRequest, HttpResponse, get, web};
use diesel::sql_types::{BigInt, Uuid as SqlUuid};
use diesel::{QueryableByName, sql_query};
use diesel_async::{AsyncPgConnection, RunQueryDsl, SimpleAsyncConnection};
use serde_json::Value;
use tokio::sync::{mpsc, oneshot};
use uuid::Uuid;

use crate::api::crud::Resource;
use crate::api::state::AppState;
use crate::auth::Audience;
use crate::domain::experts::Expert;
use crate::domain::initiatives::Initiative;
use crate::domain::organisations::Organisation;
use crate::domain::query::QueryReader;
use crate::error::{ApiError, ApiResult};
use crate::store::discovery::Found;

pub const CHANGE_POSITION: HeaderName = HeaderName::from_static("change-position");
const BATCH: i64 = 500;
/// Batches in flight between the database and the client.
const BUFFERED_BATCHES: usize = 2;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Ndjson,
    Csv,
}

impl Format {
    /// From `Accept`: CSV when asked for, NDJSON otherwise (also for `*/*`,
    /// JSON or no header); anything else is 406.
    fn from_request(request: &HttpRequest) -> ApiResult<Self> {
        let Some(accept) = request
            .headers()
            .get(header::ACCEPT)
            .and_then(|a| a.to_str().ok())
        else {
            return Ok(Self::Ndjson);
        };
        let types: Vec<&str> = accept
            .split(',')
            .map(|t| t.split(';').next().unwrap_or_default().trim())
            .collect();
        if types.contains(&"text/csv") {
            Ok(Self::Csv)
        } else if types.iter().any(|t| {
            matches!(
                *t,
                "application/x-ndjson" | "application/json" | "*/*" | "application/*" | "text/*"
            )
        }) {
            Ok(Self::Ndjson)
        } else {
            Err(ApiError::NotAcceptable(
                "exports are NDJSON (application/x-ndjson) or CSV (text/csv)".to_owned(),
            ))
        }
    }

    fn content_type(self) -> &'static str {
        match self {
            Self::Ndjson => "application/x-ndjson",
            Self::Csv => "text/csv; charset=utf-8",
        }
    }
}

pub async fn export<R>(state: web::Data<AppState>, request: HttpRequest) -> ApiResult<HttpResponse>
where
    R: Resource + 'static,
{
    QueryReader::new(request.query_string(), &[]).finish()?;
    let format = Format::from_request(&request)?;
    let audience = Audience::of_request(&request);
    let (position_tx, position_rx) = oneshot::channel();
    let (chunks_tx, chunks_rx) = mpsc::channel(BUFFERED_BATCHES);
    actix_web::rt::spawn(async move {
        let mut conn = match state.conn(audience).await {
            Ok(conn) => conn,
            Err(error) => {
                let _ = position_tx.send(Err(error));
                return;
            }
        };
        let outcome =
            stream::<R>(&mut conn, &state, audience, format, position_tx, &chunks_tx).await;
        // Read-only: ending the transaction either way changes nothing.
        let _ = conn.batch_execute("ROLLBACK").await;
        if let Err(error) = outcome {
            let _ = chunks_tx.send(Err(error)).await;
        }
    });
    let position = position_rx
        .await
        .map_err(|_| ApiError::internal("the export stopped before it began"))??;
    let body = futures_util::stream::unfold(chunks_rx, |mut rx| async move {
        rx.recv().await.map(|chunk| (chunk, rx))
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
/// topics as slugs). `Change-Position` is the change-feed position the
/// export includes: follow `/v1/changes?after=` from there.
#[utoipa::path(
    tag = "exports",
    operation_id = "exportOrganisations",
    params(("Accept" = Option<String>, Header, description = "`application/x-ndjson` (default) or `text/csv`", example = "text/csv")),
    responses(
        (status = 200, description = "The organisations", headers(("Change-Position" = i64, description = "The change-feed position this export includes")),
            content(
                (Organisation = "application/x-ndjson"),
                (String = "text/csv", example = json!("id,name,...\r\n0193...,...\r\n"))
            )),
        (status = 406, description = "Neither NDJSON nor CSV is acceptable", body = crate::error::Problem, content_type = "application/problem+json")
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
/// topics as slugs). `Change-Position` is the change-feed position the
/// export includes: follow `/v1/changes?after=` from there.
#[utoipa::path(
    tag = "exports",
    operation_id = "exportExperts",
    params(("Accept" = Option<String>, Header, description = "`application/x-ndjson` (default) or `text/csv`", example = "text/csv")),
    responses(
        (status = 200, description = "The experts", headers(("Change-Position" = i64, description = "The change-feed position this export includes")),
            content(
                (Expert = "application/x-ndjson"),
                (String = "text/csv", example = json!("id,name,...\r\n0193...,...\r\n"))
            )),
        (status = 406, description = "Neither NDJSON nor CSV is acceptable", body = crate::error::Problem, content_type = "application/problem+json")
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
/// topics as slugs). `Change-Position` is the change-feed position the
/// export includes: follow `/v1/changes?after=` from there.
#[utoipa::path(
    tag = "exports",
    operation_id = "exportInitiatives",
    params(("Accept" = Option<String>, Header, description = "`application/x-ndjson` (default) or `text/csv`", example = "text/csv")),
    responses(
        (status = 200, description = "The initiatives", headers(("Change-Position" = i64, description = "The change-feed position this export includes")),
            content(
                (Initiative = "application/x-ndjson"),
                (String = "text/csv", example = json!("id,name,...\r\n0193...,...\r\n"))
            )),
        (status = 406, description = "Neither NDJSON nor CSV is acceptable", body = crate::error::Problem, content_type = "application/problem+json")
    )
)]
#[get("/exports/initiatives")]
pub async fn export_initiatives(
    Allowed { state, .. }: Allowed<least::Public>,
    request: HttpRequest,
) -> ApiResult<HttpResponse> {
    export::<crate::store::initiatives::Initiatives>(state, request).await
}

/// The same export, written to `out` (the command line's `export`).
/// Returns the change-feed position it includes.
pub async fn write_to<R: Resource>(
    state: &AppState,
    audience: Audience,
    format: Format,
    out: &mut impl std::io::Write,
) -> ApiResult<i64> {
    let mut conn = state.conn(audience).await?;
    let (position_tx, position_rx) = oneshot::channel();
    let (chunks_tx, chunks_rx) = mpsc::channel(BUFFERED_BATCHES);
    let producer = async {
        let outcome =
            stream::<R>(&mut conn, state, audience, format, position_tx, &chunks_tx).await;
        drop(chunks_tx);
        outcome
    };
    // Owning the receiver, the consumer closes the channel when it stops
    // (say, on a closed pipe), which stops the producer too.
    let consumer = async {
        let mut chunks = chunks_rx;
        while let Some(chunk) = chunks.recv().await {
            out.write_all(&chunk?).map_err(ApiError::internal)?;
        }
        Ok::<_, ApiError>(())
    };
    let (produced, consumed) = tokio::join!(producer, consumer);
    let _ = conn.batch_execute("ROLLBACK").await;
    produced?;
    consumed?;
    position_rx
        .await
        .map_err(|_| ApiError::internal("the export stopped before it began"))?
}

#[derive(QueryableByName)]
struct Position {
    #[diesel(sql_type = BigInt)]
    position: i64,
}

async fn stream<R: Resource>(
    conn: &mut AsyncPgConnection,
    state: &AppState,
    audience: Audience,
    format: Format,
    position_tx: oneshot::Sender<ApiResult<i64>>,
    chunks: &mpsc::Sender<ApiResult<Bytes>>,
) -> ApiResult<()> {
    let started = async {
        conn.batch_execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
            .await?;
        let position: Position = sql_query("SELECT position FROM change_counter")
            .get_result(conn)
            .await?;
        Ok::<_, ApiError>(position.position)
    }
    .await;
    let failed = started.is_err();
    let _ = position_tx.send(started);
    if failed {
        return Ok(());
    }
    if format == Format::Csv {
        let header = csv_line(R::CSV_COLUMNS.iter().map(|c| (*c).to_owned()));
        if chunks.send(Ok(Bytes::from(header))).await.is_err() {
            return Ok(());
        }
    }
    let select = format!(
        "SELECT r.id, NULL::text AS sort_key FROM {} r WHERE r.deleted_at IS NULL \
         AND r.id > $1 ORDER BY r.id LIMIT $2",
        R::TABLE.table
    );
    let mut after = Uuid::nil();
    loop {
        let found: Vec<Found> = sql_query(&select)
            .bind::<SqlUuid, _>(after)
            .bind::<BigInt, _>(BATCH)
            .load(conn)
            .await?;
        let Some(last) = found.last() else {
            return Ok(());
        };
        after = last.id;
        let ids: Vec<Uuid> = found.iter().map(|f| f.id).collect();
        let records = R::load(conn, &state.vocabulary, &ids, audience).await?;
        let records = crate::store::discovery::in_found_order(&found, records, R::id);
        let mut chunk = String::new();
        for record in &records {
            let value = serde_json::to_value(record).map_err(ApiError::internal)?;
            match format {
                Format::Ndjson => {
                    chunk.push_str(&value.to_string());
                    chunk.push('\n');
                }
                Format::Csv => {
                    chunk.push_str(&csv_line(R::CSV_COLUMNS.iter().map(|c| cell(&value, c))));
                }
            }
        }
        if chunks.send(Ok(Bytes::from(chunk))).await.is_err() {
            // The client went away.
            return Ok(());
        }
    }
}

/// One CSV field from a record: `title.en` walks into objects; lists are
/// joined with `;`, linked records written as `id:role` (or `id:relation`),
/// topics as their slugs.
pub fn cell(record: &Value, column: &str) -> String {
    let value = column.split('.').fold(record, |v, key| &v[key]);
    match value {
        Value::Array(items) => items.iter().map(item).collect::<Vec<_>>().join(";"),
        other => scalar(other),
    }
}

fn item(value: &Value) -> String {
    match value {
        Value::Object(object) => {
            let key = object
                .get("slug")
                .or_else(|| object.get("id"))
                .map(scalar)
                .unwrap_or_default();
            match object.get("role").or_else(|| object.get("relation")) {
                Some(term) if !term.is_null() => format!("{key}:{}", scalar(term)),
                _ => key,
            }
        }
        other => scalar(other),
    }
}

fn scalar(value: &Value) -> String {
    match value {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// A CSV record (RFC 4180): fields with commas, quotes or line breaks are
/// quoted, quotes doubled; lines end in CRLF.
fn csv_line(fields: impl Iterator<Item = String>) -> String {
    let mut line = fields
        .map(|f| {
            if f.contains([',', '"', '\n', '\r']) {
                format!("\"{}\"", f.replace('"', "\"\""))
            } else {
                f
            }
        })
        .collect::<Vec<_>>()
        .join(",");
    line.push_str("\r\n");
    line
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn records_flatten_into_csv_cells() {
        let record = json!({
            "title": {"en": "AI Act, the \"regulation\"", "nl": null},
            "topics": [{"slug": "privacy", "label": {}}, {"slug": "ethics", "label": {}}],
            "organisations": [{"id": "a", "name": "NEN", "role": "lead"}],
            "countries": ["NL", "BE"],
            "version": 3
        });
        assert_eq!(cell(&record, "title.en"), "AI Act, the \"regulation\"");
        assert_eq!(cell(&record, "title.nl"), "");
        assert_eq!(cell(&record, "topics"), "privacy;ethics");
        assert_eq!(cell(&record, "organisations"), "a:lead");
        assert_eq!(cell(&record, "countries"), "NL;BE");
        assert_eq!(cell(&record, "version"), "3");
        assert_eq!(
            csv_line(
                [
                    "AI Act, the \"regulation\"".to_owned(),
                    "x\ny".to_owned(),
                    "plain".to_owned()
                ]
                .into_iter()
            ),
            "\"AI Act, the \"\"regulation\"\"\",\"x\ny\",plain\r\n"
        );
    }
}
