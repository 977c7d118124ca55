//! The statements of a registry archive (`sync::archive`): every row of
//! every table that holds state, read from one snapshot, and written back
//! verbatim into a registry that has none.
//!
//! Rows go back as they were, triggers off: the change feed, histories and
//! denormalised columns are restored, not recomputed, so positions and
//! versions stay what they were.

use diesel::sql_types::{BigInt, Nullable, Text};
use diesel::{QueryableByName, sql_query};
use diesel_async::{AsyncPgConnection, RunQueryDsl, SimpleAsyncConnection};

use crate::error::{ApiError, ApiResult};
use crate::sql::{Bind, Fragment, Sql, sql};

/// A table an archive holds. `tree` names, for a table whose rows refer
/// to rows of the same table, its key and the referring column: such rows
/// are read parents first, so that each batch written back refers only to
/// rows already there.
pub struct Table {
    pub name: &'static str,
    tree: Option<(&'static str, &'static str)>,
}

const fn table(name: &'static str) -> Table {
    Table { name, tree: None }
}

const fn tree(name: &'static str, key: &'static str, parent: &'static str) -> Table {
    Table {
        name,
        tree: Some((key, parent)),
    }
}

/// Every table that holds the registry's state, each after the tables it
/// refers to.
pub const TABLES: &[Table] = &[
    tree("topics", "slug", "parent_slug"),
    table("api_keys"),
    tree("organisations", "id", "merged_into"),
    table("organisation_topics"),
    tree("experts", "id", "merged_into"),
    table("expert_topics"),
    table("affiliations"),
    tree("initiatives", "id", "merged_into"),
    table("initiative_topics"),
    table("initiative_organisations"),
    table("initiative_experts"),
    table("initiative_relations"),
    table("pending_revisions"),
    table("history"),
    table("idempotency_keys"),
    table("change_counter"),
    table("changes"),
    table("webhook_subscriptions"),
    table("webhook_deliveries"),
];

/// Tables an archive leaves out: the migrations' own record (the restoring
/// build applies its migrations) and the rate-limit windows, which are
/// transient and unlogged.
const LEFT_OUT: &[&str] = &[
    "__diesel_schema_migrations",
    "rate_windows",
    "rate_instances",
];

/// Tables that hold something only once the registry is in use: a
/// registry with rows in any of them is not restored over.
const IN_USE: &[&str] = &[
    "organisations",
    "experts",
    "initiatives",
    "api_keys",
    "history",
    "changes",
    "webhook_subscriptions",
];

#[derive(QueryableByName)]
struct Name {
    #[diesel(sql_type = Text)]
    name: String,
}

#[derive(QueryableByName)]
struct Line {
    #[diesel(sql_type = Text)]
    line: String,
}

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    count: i64,
}

#[derive(QueryableByName)]
struct Migration {
    #[diesel(sql_type = Nullable<Text>)]
    migration: Option<String>,
}

/// The newest migration the connected database has applied.
pub async fn migration(conn: &mut AsyncPgConnection) -> ApiResult<Option<String>> {
    let found: Migration =
        sql_query("SELECT max(version) AS migration FROM __diesel_schema_migrations")
            .get_result(conn)
            .await?;
    Ok(found.migration)
}

/// Fails, naming them, when the database has tables this build would
/// neither archive nor knowingly leave out: a migration added a table and
/// `TABLES` was not told, and an archive without it would lose its rows.
pub async fn check_tables_known(conn: &mut AsyncPgConnection) -> ApiResult<()> {
    let found: Vec<Name> = sql_query(
        "SELECT c.relname::text AS name FROM pg_class c \
         JOIN pg_namespace n ON n.oid = c.relnamespace \
         WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') ORDER BY 1",
    )
    .load(conn)
    .await?;
    let unknown: Vec<String> = found
        .into_iter()
        .map(|t| t.name)
        .filter(|name| !LEFT_OUT.contains(&name.as_str()) && !TABLES.iter().any(|t| t.name == name))
        .collect();
    if unknown.is_empty() {
        Ok(())
    } else {
        Err(ApiError::internal(format!(
            "the database has tables an archive would not hold: {}; \
             this build does not know them, so it takes no archive of this database",
            unknown.join(", ")
        )))
    }
}

/// Hands every row of `table`, as a JSON archive line, to `each` in
/// batches; returns how many there were. Runs inside the snapshot's
/// transaction, through a cursor, so memory stays one batch.
pub async fn read_rows(
    conn: &mut AsyncPgConnection,
    table: &Table,
    mut each: impl AsyncFnMut(Vec<String>) -> ApiResult<()>,
) -> ApiResult<i64> {
    let name = Fragment::identifier(table.name);
    let quoted = |n: &str| Fragment::identifier(n);
    let rows = match table.tree {
        None => sql!("SELECT * FROM ", &name, " t"),
        Some((key, parent)) => sql!(
            "WITH RECURSIVE ordered AS (SELECT t.",
            quoted(key),
            " AS k, 0 AS depth FROM ",
            &name,
            " t WHERE t.",
            quoted(parent),
            " IS NULL UNION ALL SELECT t.",
            quoted(key),
            ", o.depth + 1 FROM ",
            &name,
            " t JOIN ordered o ON t.",
            quoted(parent),
            " = o.k) SELECT t.* FROM ",
            &name,
            " t JOIN ordered o ON o.k = t.",
            quoted(key),
            " ORDER BY o.depth"
        ),
    };
    let mut declare =
        Sql::new("DECLARE archive_rows NO SCROLL CURSOR FOR SELECT '{\"table\":' || to_json(");
    declare.push_bind(Bind::Text(table.name.to_owned()));
    declare.push("::text)::text || ',\"row\":' || row_to_json(r)::text || '}' AS line FROM (");
    declare.push(rows);
    declare.push(") r");
    declare.into_query().execute(conn).await?;
    let mut count = 0;
    loop {
        let batch: Vec<Line> = sql_query("FETCH 1000 FROM archive_rows").load(conn).await?;
        if batch.is_empty() {
            break;
        }
        count += batch.len() as i64;
        each(batch.into_iter().map(|l| l.line).collect()).await?;
    }
    conn.batch_execute("CLOSE archive_rows").await?;
    let all: Count = sql!("SELECT count(*) AS count FROM ", &name)
        .query()
        .get_result(conn)
        .await?;
    if all.count != count {
        return Err(ApiError::internal(format!(
            "{} has {} rows, of which {count} are reachable from a root: \
             the rows that refer to each other in a circle are not archived",
            table.name, all.count
        )));
    }
    Ok(count)
}

/// Starts a restore's transaction: refuses a registry in use, empties the
/// tables the migrations filled (the topic vocabulary, the feed's
/// counter) and turns their triggers off until [`finish_restore`].
pub async fn begin_restore(conn: &mut AsyncPgConnection) -> ApiResult<()> {
    conn.batch_execute("BEGIN").await?;
    for name in IN_USE {
        let any: Count = sql!(
            "SELECT count(*) AS count FROM (SELECT 1 FROM ",
            Fragment::identifier(name),
            " LIMIT 1) r"
        )
        .query()
        .get_result(conn)
        .await?;
        if any.count > 0 {
            return Err(ApiError::Conflict(format!(
                "this registry is in use ({name} has rows): an archive is restored only into \
                 a new database, or one no registry has written to"
            )));
        }
    }
    let all = Fragment::join(TABLES.iter().map(|t| Fragment::identifier(t.name)), ", ");
    sql!("TRUNCATE ", &all).execute_batch(conn).await?;
    for t in TABLES {
        sql!(
            "ALTER TABLE ",
            Fragment::identifier(t.name),
            " DISABLE TRIGGER USER"
        )
        .execute_batch(conn)
        .await?;
    }
    Ok(())
}

/// Writes a batch of one table's archived rows (a JSON array), as they
/// were: columns the database computes are computed again.
pub async fn write_rows(
    conn: &mut AsyncPgConnection,
    table: &Table,
    rows: String,
) -> ApiResult<()> {
    let columns: Vec<Name> = sql_query(
        "SELECT column_name::text AS name FROM information_schema.columns \
         WHERE table_schema = 'public' AND table_name = $1 AND is_generated = 'NEVER' \
         ORDER BY ordinal_position",
    )
    .bind::<Text, _>(table.name)
    .load(conn)
    .await?;
    let columns = Fragment::join(columns.iter().map(|c| Fragment::identifier(&c.name)), ", ");
    let name = Fragment::identifier(table.name);
    let mut insert = Sql::new(sql!(
        "INSERT INTO ",
        &name,
        " (",
        &columns,
        ") OVERRIDING SYSTEM VALUE SELECT ",
        &columns,
        " FROM json_populate_recordset(NULL::",
        &name,
        ", "
    ));
    insert.push_bind(Bind::Text(rows));
    insert.push("::json)");
    insert.into_query().execute(conn).await?;
    Ok(())
}

/// Ends a restore: triggers back on, identity sequences past the rows
/// restored, and the commit.
pub async fn finish_restore(conn: &mut AsyncPgConnection) -> ApiResult<()> {
    for t in TABLES {
        sql!(
            "ALTER TABLE ",
            Fragment::identifier(t.name),
            " ENABLE TRIGGER USER"
        )
        .execute_batch(conn)
        .await?;
    }
    let sequences: Vec<Sequence> = sql_query(
        "SELECT table_name::text AS table_name, column_name::text AS column_name \
         FROM information_schema.columns \
         WHERE table_schema = 'public' AND (is_identity = 'YES' OR column_default LIKE 'nextval(%')",
    )
    .load(conn)
    .await?;
    for s in sequences {
        let table = Fragment::identifier(&s.table_name);
        let column = Fragment::identifier(&s.column_name);
        let mut reset = Sql::new("SELECT setval(pg_get_serial_sequence(");
        reset.push_bind(Bind::Text(s.table_name.clone()));
        reset.push(", ");
        reset.push_bind(Bind::Text(s.column_name.clone()));
        reset.push(sql!(
            "), coalesce((SELECT max(",
            &column,
            ") FROM ",
            &table,
            "), 1), (SELECT count(*) > 0 FROM ",
            &table,
            "))"
        ));
        reset.into_query().execute(conn).await?;
    }
    // Transaction ids of the archived cluster mean nothing in this one, and
    // one that happened to match a new transaction would be taken for it:
    // they only ever matter inside the transaction that wrote them.
    conn.batch_execute(
        "UPDATE changes SET tx = NULL WHERE tx IS NOT NULL; \
         UPDATE organisations SET public_changed_tx = NULL WHERE public_changed_tx IS NOT NULL; \
         UPDATE experts SET public_changed_tx = NULL WHERE public_changed_tx IS NOT NULL; \
         UPDATE initiatives SET public_changed_tx = NULL WHERE public_changed_tx IS NOT NULL; \
         COMMIT",
    )
    .await?;
    Ok(())
}

/// Ends a restore that failed: nothing of it stays.
pub async fn abandon_restore(conn: &mut AsyncPgConnection) {
    let _ = conn.batch_execute("ROLLBACK").await;
}

#[derive(QueryableByName)]
struct Sequence {
    #[diesel(sql_type = Text)]
    table_name: String,
    #[diesel(sql_type = Text)]
    column_name: String,
}
