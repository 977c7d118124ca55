//! A registry archive: the whole registry as one NDJSON file, for moving it
//! to another PostgreSQL (another major version, another host) without
//! `pg_dump`'s tools. `aimd-registry backup` reads it from one snapshot
//! while the registry serves; `aimd-registry restore` writes it into a new
//! database in one transaction. Records keep their ids, versions and
//! histories, the change feed its positions, keys their hashes, webhook
//! subscriptions their outbox: a restored registry goes on where the
//! archived one was. The search index is not in it; it is built at start.
//!
//! The file: a first line `{"archive": Header}`, then one line per row
//! `{"table": …, "row": {…}}`, tables in an order that keeps references
//! valid, then `{"end": {"rows": {table: count}}}`, without which a restore
//! refuses the file as cut short.

use std::collections::BTreeMap;
use std::io::{BufRead, Write};

use chrono::{DateTime, Utc};
use diesel_async::AsyncPgConnection;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::error::{ApiError, ApiResult};
use crate::store::archive::{self, TABLES, Table};
use crate::sync::snapshot;

/// What the first line names the file.
pub const FORMAT: &str = "aimd-registry-archive";
/// The layout of the lines; a restore reads only its own.
pub const FORMAT_VERSION: u32 = 1;

/// Rows written back per statement.
const BATCH: usize = 1000;

#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Header {
    pub format: String,
    pub format_version: u32,
    /// The newest migration of the archived database: the schema the rows
    /// are in.
    pub migration: String,
    /// The change-feed position the snapshot includes.
    pub position: i64,
    pub taken_at: DateTime<Utc>,
}

#[derive(Debug, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct End {
    rows: BTreeMap<String, i64>,
}

#[derive(Serialize)]
struct HeaderLine<'a> {
    archive: &'a Header,
}

#[derive(Serialize)]
struct EndLine<'a> {
    end: &'a End,
}

/// A line after the header, as a restore reads it.
#[derive(Deserialize)]
#[serde(untagged)]
enum Line {
    Row { table: String, row: Value },
    End { end: End },
}

/// What an archive held.
#[derive(Debug)]
pub struct Summary {
    pub header: Header,
    pub rows: i64,
}

/// Writes an archive of the connected registry to `out`, from one snapshot.
pub async fn back_up(conn: &mut AsyncPgConnection, out: &mut impl Write) -> ApiResult<Summary> {
    let position = snapshot::begin(conn).await?;
    let outcome = back_up_snapshot(conn, position, out).await;
    snapshot::end(conn).await;
    outcome
}

async fn back_up_snapshot(
    conn: &mut AsyncPgConnection,
    position: i64,
    out: &mut impl Write,
) -> ApiResult<Summary> {
    archive::check_tables_known(conn).await?;
    let migration = archive::migration(conn)
        .await?
        .ok_or_else(|| ApiError::internal("the database has no migrations applied"))?;
    let header = Header {
        format: FORMAT.to_owned(),
        format_version: FORMAT_VERSION,
        migration,
        position,
        taken_at: Utc::now(),
    };
    let written = |e: std::io::Error| ApiError::internal(format!("cannot write the archive: {e}"));
    let mut line =
        serde_json::to_string(&HeaderLine { archive: &header }).map_err(ApiError::internal)?;
    line.push('\n');
    out.write_all(line.as_bytes()).map_err(written)?;
    let mut end = End::default();
    for table in TABLES {
        let count = archive::read_rows(conn, table, async |lines| {
            for line in lines {
                out.write_all(line.as_bytes()).map_err(written)?;
                out.write_all(b"\n").map_err(written)?;
            }
            Ok(())
        })
        .await?;
        end.rows.insert(table.name.to_owned(), count);
    }
    let mut line = serde_json::to_string(&EndLine { end: &end }).map_err(ApiError::internal)?;
    line.push('\n');
    out.write_all(line.as_bytes()).map_err(written)?;
    out.flush().map_err(written)?;
    Ok(Summary {
        header,
        rows: end.rows.values().sum(),
    })
}

/// Restores an archive into the connected registry, which must be migrated
/// to the archive's migration and hold nothing yet; all or nothing.
pub async fn restore(conn: &mut AsyncPgConnection, input: impl BufRead) -> ApiResult<Summary> {
    let mut lines = input.lines().enumerate();
    let header = read_header(lines.next())?;
    let here = archive::migration(conn).await?.unwrap_or_default();
    if header.migration != here {
        return Err(ApiError::Conflict(format!(
            "the archive was taken at migration {}, this registry is at {here}: restore it \
             with the release that took it, then upgrade",
            header.migration
        )));
    }
    let restored = async {
        archive::begin_restore(conn).await?;
        let rows = restore_rows(conn, lines).await?;
        archive::finish_restore(conn).await?;
        Ok(rows)
    };
    match restored.await {
        Ok(rows) => Ok(Summary { header, rows }),
        Err(error) => {
            // Nothing of a refused restore stays, and the connection is
            // left outside any transaction.
            archive::abandon_restore(conn).await;
            Err(error)
        }
    }
}

fn read_header(first: Option<(usize, std::io::Result<String>)>) -> ApiResult<Header> {
    let text = match first {
        Some((_, Ok(text))) => text,
        Some((_, Err(e))) => return Err(unreadable(1, e)),
        None => return Err(ApiError::BadRequest("the archive is empty".to_owned())),
    };
    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    struct First {
        archive: Header,
    }
    let header = serde_json::from_str::<First>(&text)
        .map_err(|e| {
            ApiError::BadRequest(format!("line 1: not the header of an {FORMAT} file ({e})"))
        })?
        .archive;
    if header.format != FORMAT || header.format_version != FORMAT_VERSION {
        return Err(ApiError::BadRequest(format!(
            "line 1: this build reads {FORMAT} version {FORMAT_VERSION}, not {} version {}",
            header.format, header.format_version
        )));
    }
    Ok(header)
}

fn unreadable(line: usize, e: std::io::Error) -> ApiError {
    ApiError::BadRequest(format!("line {line}: cannot be read ({e})"))
}

/// The rows of one table waiting to be written.
struct Pending {
    table: &'static Table,
    rows: Vec<Value>,
    count: i64,
}

async fn flush(conn: &mut AsyncPgConnection, pending: &mut Pending) -> ApiResult<()> {
    if pending.rows.is_empty() {
        return Ok(());
    }
    let rows = Value::Array(std::mem::take(&mut pending.rows)).to_string();
    archive::write_rows(conn, pending.table, rows).await
}

async fn restore_rows(
    conn: &mut AsyncPgConnection,
    mut lines: impl Iterator<Item = (usize, std::io::Result<String>)>,
) -> ApiResult<i64> {
    let mut counts: BTreeMap<String, i64> = BTreeMap::new();
    let mut current: Option<(usize, Pending)> = None;
    while let Some((index, text)) = lines.next() {
        let number = index + 1;
        let text = text.map_err(|e| unreadable(number, e))?;
        let line = serde_json::from_str::<Line>(&text).map_err(|_| {
            ApiError::BadRequest(format!(
                "line {number}: neither a row ({{\"table\", \"row\"}}) nor the end line"
            ))
        })?;
        match line {
            Line::Row { table, row } => {
                let Some(order) = TABLES.iter().position(|t| t.name == table) else {
                    return Err(ApiError::BadRequest(format!(
                        "line {number}: '{table}' is not a table an archive holds"
                    )));
                };
                match &mut current {
                    Some((at, _)) if *at > order => {
                        return Err(ApiError::BadRequest(format!(
                            "line {number}: a row of '{table}' after rows of '{}'; an archive \
                             holds each table once, in order",
                            TABLES[*at].name
                        )));
                    }
                    Some((at, pending)) if *at < order => {
                        flush(conn, pending).await?;
                        counts.insert(pending.table.name.to_owned(), pending.count);
                        current = None;
                    }
                    _ => {}
                }
                let (_, pending) = current.get_or_insert_with(|| {
                    (
                        order,
                        Pending {
                            table: &TABLES[order],
                            rows: Vec::new(),
                            count: 0,
                        },
                    )
                });
                pending.rows.push(row);
                pending.count += 1;
                if pending.rows.len() >= BATCH {
                    flush(conn, pending).await?;
                }
            }
            Line::End { end } => {
                if let Some((_, pending)) = &mut current {
                    flush(conn, pending).await?;
                    counts.insert(pending.table.name.to_owned(), pending.count);
                }
                let rows = check_counts(number, &end, &counts)?;
                if let Some((after, _)) =
                    lines.find(|(_, text)| text.as_ref().map_or(true, |t| !t.trim().is_empty()))
                {
                    return Err(ApiError::BadRequest(format!(
                        "line {}: the archive goes on after its end line",
                        after + 1
                    )));
                }
                return Ok(rows);
            }
        }
    }
    Err(ApiError::BadRequest(
        "the archive ends without its end line: it was cut short".to_owned(),
    ))
}

/// The end line's counts must be the rows read: a file that lost or
/// gained lines between them is refused.
fn check_counts(number: usize, end: &End, read: &BTreeMap<String, i64>) -> ApiResult<i64> {
    if let Some(unknown) = end
        .rows
        .keys()
        .find(|name| !TABLES.iter().any(|t| t.name == *name))
    {
        return Err(ApiError::BadRequest(format!(
            "line {number}: the end line counts rows of '{unknown}', not a table an archive holds"
        )));
    }
    for table in TABLES {
        let said = end.rows.get(table.name).copied().unwrap_or(0);
        let found = read.get(table.name).copied().unwrap_or(0);
        if said != found {
            return Err(ApiError::BadRequest(format!(
                "line {number}: the end line counts {said} rows of '{}', the file holds {found}",
                table.name
            )));
        }
    }
    Ok(read.values().sum())
}
