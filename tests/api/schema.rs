//! `src/schema.rs` is diesel's view of the database; it must be what the
//! migrations create: every table, every column with its type and
//! nullability, every primary key.

use std::collections::BTreeMap;

use diesel::sql_query;
use diesel::sql_types::{Bool, Text};
use diesel_async::RunQueryDsl;

use crate::support::spawn;

/// table -> (primary key, column -> diesel type).
type Tables = BTreeMap<String, (Vec<String>, BTreeMap<String, String>)>;

/// The `diesel::table!` blocks of `src/schema.rs`.
fn declared() -> Tables {
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/src/schema.rs"))
        .expect("src/schema.rs");
    let mut tables = Tables::new();
    let mut current: Option<String> = None;
    for line in text.lines().map(str::trim) {
        if let Some((name, key)) = line.split_once(" (").filter(|_| line.ends_with(") {")) {
            let key = key.trim_end_matches(") {");
            let key = key.split(", ").map(str::to_owned).collect();
            tables.insert(name.to_owned(), (key, BTreeMap::new()));
            current = Some(name.to_owned());
        } else if let (Some(table), Some((column, kind))) = (&current, line.split_once(" -> ")) {
            let kind = kind.trim_end_matches(',').to_owned();
            tables
                .get_mut(table)
                .unwrap()
                .1
                .insert(column.to_owned(), kind);
        } else if line == "}" {
            current = None;
        }
    }
    tables
}

#[derive(diesel::QueryableByName)]
struct Column {
    #[diesel(sql_type = Text)]
    table_name: String,
    #[diesel(sql_type = Text)]
    column_name: String,
    #[diesel(sql_type = Text)]
    udt_name: String,
    #[diesel(sql_type = Bool)]
    nullable: bool,
    #[diesel(sql_type = Bool)]
    in_key: bool,
}

/// The diesel type `diesel print-schema` (with `src/schema.patch`) gives a
/// PostgreSQL type.
fn diesel_type(udt: &str, nullable: bool) -> String {
    let base = match udt.strip_prefix('_') {
        Some(element) => format!("Array<{}>", diesel_type(element, false)),
        None => match udt {
            "uuid" => "Uuid",
            "text" => "Text",
            "timestamptz" => "Timestamptz",
            "date" => "Date",
            "int4" => "Int4",
            "int8" => "Int8",
            "bool" => "Bool",
            "bytea" => "Bytea",
            "jsonb" => "Jsonb",
            "tsvector" => "Tsvector",
            other => panic!("no diesel type known for {other}: extend this test"),
        }
        .to_owned(),
    };
    if nullable {
        format!("Nullable<{base}>")
    } else {
        base
    }
}

#[actix_web::test]
async fn the_schema_module_is_what_the_migrations_create() {
    let app = spawn().await;
    let mut conn = app.connection().await;
    let columns: Vec<Column> = sql_query(
        "SELECT c.table_name::text, c.column_name::text, c.udt_name::text, \
           c.is_nullable = 'YES' AS nullable, \
           EXISTS (SELECT 1 FROM information_schema.key_column_usage k \
             JOIN information_schema.table_constraints t ON t.constraint_name = k.constraint_name \
              AND t.table_name = k.table_name AND t.constraint_type = 'PRIMARY KEY' \
             WHERE k.table_name = c.table_name AND k.column_name = c.column_name) AS in_key \
         FROM information_schema.columns c \
         JOIN information_schema.tables t ON t.table_name = c.table_name \
          AND t.table_schema = c.table_schema AND t.table_type = 'BASE TABLE' \
         WHERE c.table_schema = 'public' AND c.table_name <> '__diesel_schema_migrations' \
         ORDER BY c.table_name, c.ordinal_position",
    )
    .load(&mut conn)
    .await
    .expect("columns");
    let mut created = Tables::new();
    for column in columns {
        let entry = created.entry(column.table_name).or_default();
        if column.in_key {
            entry.0.push(column.column_name.clone());
        }
        let kind = diesel_type(&column.udt_name, column.nullable);
        entry.1.insert(column.column_name, kind);
    }
    let declared = declared();
    assert!(created.len() >= 19, "{} tables", created.len());
    let regenerate = "regenerate it with `diesel print-schema --database-url <a database the \
                      migrations made> > src/schema.rs` (diesel.toml applies src/schema.patch)";
    for (table, (key, columns)) in &created {
        let Some((declared_key, declared_columns)) = declared.get(table) else {
            panic!("src/schema.rs lacks the table {table}; {regenerate}");
        };
        let mut key = key.clone();
        let mut declared_key = declared_key.clone();
        key.sort();
        declared_key.sort();
        assert_eq!(key, declared_key, "{table}'s primary key; {regenerate}");
        assert_eq!(columns, declared_columns, "{table}'s columns; {regenerate}");
    }
    let extra: Vec<&String> = declared
        .keys()
        .filter(|t| !created.contains_key(*t))
        .collect();
    assert!(
        extra.is_empty(),
        "src/schema.rs has tables the migrations do not make: {extra:?}"
    );
}

/// A closed vocabulary read from the database maps back to its value, and
/// a value the type does not know is an error rather than a guess.
#[actix_web::test]
async fn a_stored_value_outside_its_vocabulary_is_an_error() {
    use aimd_registry::domain::enums::Scope;

    #[derive(diesel::QueryableByName)]
    struct Stored {
        #[diesel(sql_type = Text)]
        scope: Scope,
    }
    let app = spawn().await;
    let mut conn = app.connection().await;
    let known: Stored = sql_query("SELECT 'european' AS scope")
        .get_result(&mut conn)
        .await
        .expect("a known value");
    assert_eq!(known.scope, Scope::European);
    let unknown = sql_query("SELECT 'galactic' AS scope")
        .get_result::<Stored>(&mut conn)
        .await;
    let error = unknown
        .err()
        .expect("an unknown value is refused")
        .to_string();
    assert!(error.contains("'galactic'"), "{error}");
}
