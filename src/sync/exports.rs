//! Exports: every record an audience may see, as NDJSON (one record per
//! line, as `GET` shows it), CSV (links flattened) or JSON-LD (one
//! `@graph`, see `domain::linked_data`). An export reads one
//! snapshot in a read-only transaction, in batches by id, and hands each
//! batch on through a small bounded channel, so memory stays constant
//! whatever the size. The snapshot's change-feed position comes first:
//! follow the feed from there and nothing is missed. Served by
//! `api::exports` and `aimd-registry export`.

use diesel_async::AsyncPgConnection;
use serde_json::Value;
use tokio::sync::{mpsc, oneshot};

use crate::auth::Audience;
use crate::domain::linked_data::{self, Site};
use crate::domain::topics::Vocabulary;
use crate::error::{ApiError, ApiResult};
use crate::store::records::StoredKind;
use crate::sync::snapshot;

/// Batches in flight between the database and the reader.
pub const BUFFERED_BATCHES: usize = 2;

/// An export's format; the command line's `--format` and the API's
/// `format` spell it alike.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, serde::Serialize, utoipa::ToSchema,
)]
#[serde(rename_all = "kebab-case")]
#[schema(as = ExportFormat)]
pub enum Format {
    Ndjson,
    Csv,
    JsonLd,
}

impl Format {
    /// As `format=` and `--format` spell it.
    pub fn name(self) -> &'static str {
        match self {
            Self::Ndjson => "ndjson",
            Self::Csv => "csv",
            Self::JsonLd => "json-ld",
        }
    }

    pub fn content_type(self) -> &'static str {
        match self {
            Self::Ndjson => "application/x-ndjson",
            Self::Csv => "text/csv; charset=utf-8",
            Self::JsonLd => linked_data::MEDIA_TYPE,
        }
    }
}

/// What to export, for whom, and how.
#[derive(Debug, Clone, Copy)]
pub struct Export<'a> {
    pub vocabulary: &'a Vocabulary,
    pub audience: Audience,
    pub format: Format,
    /// The base of JSON-LD ids.
    pub site: &'a Site,
}

/// An export written to `out` (the command line's `export`).
/// Returns the change-feed position it includes.
pub async fn write_to<K: StoredKind>(
    conn: &mut AsyncPgConnection,
    export: &Export<'_>,
    out: &mut impl std::io::Write,
) -> ApiResult<i64> {
    let (position_tx, position_rx) = oneshot::channel();
    let (chunks_tx, chunks_rx) = mpsc::channel(BUFFERED_BATCHES);
    let producer = async {
        let outcome = stream::<K>(conn, export, position_tx, &chunks_tx).await;
        drop(chunks_tx);
        outcome
    };
    // Owning the receiver, the consumer closes the channel when it stops
    // (say, on a closed pipe), which stops the producer too.
    let consumer = async {
        let mut chunks = chunks_rx;
        while let Some(chunk) = chunks.recv().await {
            out.write_all(chunk?.as_bytes())
                .map_err(ApiError::internal)?;
        }
        Ok::<_, ApiError>(())
    };
    let (produced, consumed) = tokio::join!(producer, consumer);
    produced?;
    consumed?;
    position_rx
        .await
        .map_err(|_| ApiError::internal("the export stopped before it began"))?
}

/// Streams one snapshot of the `K` records `audience` may see into
/// `chunks`, after sending its change-feed position on `position_tx`; the
/// read-only transaction ends with it, however it ends.
pub async fn stream<K: StoredKind>(
    conn: &mut AsyncPgConnection,
    export: &Export<'_>,
    position_tx: oneshot::Sender<ApiResult<i64>>,
    chunks: &mpsc::Sender<ApiResult<String>>,
) -> ApiResult<()> {
    let outcome = stream_snapshot::<K>(conn, export, position_tx, chunks).await;
    snapshot::end(conn).await;
    outcome
}

async fn stream_snapshot<K: StoredKind>(
    conn: &mut AsyncPgConnection,
    export: &Export<'_>,
    position_tx: oneshot::Sender<ApiResult<i64>>,
    chunks: &mpsc::Sender<ApiResult<String>>,
) -> ApiResult<()> {
    let started = snapshot::begin(conn).await;
    let failed = started.is_err();
    let _ = position_tx.send(started);
    if failed {
        return Ok(());
    }
    let format = export.format;
    let (opening, closing) = match format {
        Format::Ndjson => (String::new(), ""),
        Format::Csv => (csv_line(K::CSV_COLUMNS.iter().map(|c| (*c).to_owned())), ""),
        Format::JsonLd => linked_data::graph_frame(),
    };
    if !opening.is_empty() && chunks.send(Ok(opening)).await.is_err() {
        return Ok(());
    }
    let mut first = true;
    snapshot::in_batches::<K>(conn, export.vocabulary, export.audience, async |records| {
        let mut chunk = String::new();
        for record in &records {
            let value = serde_json::to_value(record).map_err(ApiError::internal)?;
            match format {
                Format::Ndjson => {
                    chunk.push_str(&value.to_string());
                    chunk.push('\n');
                }
                Format::Csv => {
                    chunk.push_str(&csv_line(K::CSV_COLUMNS.iter().map(|c| cell(&value, c))));
                }
                Format::JsonLd => {
                    if !std::mem::take(&mut first) {
                        chunk.push(',');
                    }
                    let node = linked_data::record(K::KIND.hit(), &value, export.site);
                    chunk.push_str(&node.to_string());
                }
            }
        }
        // A closed channel: the client went away.
        Ok(chunks.send(Ok(chunk)).await.is_ok())
    })
    .await?;
    if !closing.is_empty() {
        // A closed channel here too only means the client went away.
        let _ = chunks.send(Ok(closing.to_owned())).await;
    }
    Ok(())
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
/// quoted, quotes doubled; lines end in CRLF. Fields a spreadsheet would
/// run as formulas are [`neutralised`].
fn csv_line(fields: impl Iterator<Item = String>) -> String {
    let mut line = fields
        .map(neutralised)
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

/// A spreadsheet reads a cell that starts with `=`, `+`, `-`, `@`, a tab
/// or a carriage return as a formula (CSV injection). Such a cell gets an
/// apostrophe in front, which spreadsheets show as text; so does a cell
/// that already starts with one, so that a reader removes exactly one
/// leading apostrophe, always, and gets the value back.
fn neutralised(field: String) -> String {
    if field.starts_with(['=', '+', '-', '@', '\t', '\r', '\'']) {
        format!("'{field}")
    } else {
        field
    }
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

    #[test]
    fn cells_a_spreadsheet_would_run_are_neutralised() {
        let line = csv_line(
            [
                "=HYPERLINK(\"https://example.org\")",
                "+31 20 123",
                "-x",
                "@SUM(A1)",
                "\tTab",
                "'quoted",
                "plain",
                "a=b",
            ]
            .map(str::to_owned)
            .into_iter(),
        );
        assert_eq!(
            line,
            "\"'=HYPERLINK(\"\"https://example.org\"\")\",'+31 20 123,'-x,'@SUM(A1),'\tTab,''quoted,plain,a=b\r\n"
        );
    }
}
