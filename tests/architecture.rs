//! The crate's modules import each other without cycles: a module graph
//! of `src/` (files as nodes, `crate::…` paths as edges, resolved to the
//! longest module that exists) must have no strongly connected component
//! of more than one file.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

type Module = Vec<String>;

fn modules(src: &Path) -> BTreeMap<Module, String> {
    let mut found = BTreeMap::new();
    let mut folders = vec![src.to_path_buf()];
    while let Some(folder) = folders.pop() {
        for entry in std::fs::read_dir(&folder).unwrap().flatten() {
            let path = entry.path();
            if path.is_dir() {
                folders.push(path);
                continue;
            }
            if path.extension().is_none_or(|e| e != "rs") {
                continue;
            }
            let relative = path.strip_prefix(src).unwrap().with_extension("");
            let mut module: Module = relative
                .components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect();
            if matches!(module.last().map(String::as_str), Some("mod" | "lib")) {
                module.pop();
            }
            found.insert(module, std::fs::read_to_string(&path).unwrap());
        }
    }
    found
}

/// The `crate::a::b` paths a file names, with `crate::a::{b, c::d}` expanded.
fn crate_paths(text: &str) -> Vec<Module> {
    let mut paths = Vec::new();
    let mut rest = text;
    while let Some(at) = rest.find("crate::") {
        rest = &rest[at + "crate::".len()..];
        let end = rest
            .find(|c: char| !(c.is_alphanumeric() || c == '_' || c == ':'))
            .unwrap_or(rest.len());
        let base: Module = rest[..end]
            .split("::")
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .collect();
        if rest[end..].starts_with('{') {
            let group = &rest[end + 1..rest[end..].find('}').map_or(rest.len(), |i| end + i)];
            for item in group.split(',') {
                let item = item.split(" as ").next().unwrap().trim();
                let mut path = base.clone();
                path.extend(
                    item.split("::")
                        .filter(|s| !s.is_empty() && *s != "self")
                        .map(str::to_owned),
                );
                paths.push(path);
            }
        }
        paths.push(base);
    }
    paths
}

fn graph(modules: &BTreeMap<Module, String>) -> BTreeMap<Module, BTreeSet<Module>> {
    let mut edges: BTreeMap<Module, BTreeSet<Module>> = BTreeMap::new();
    for (module, text) in modules {
        let targets = edges.entry(module.clone()).or_default();
        for path in crate_paths(text) {
            if let Some(target) = (1..=path.len())
                .rev()
                .map(|n| path[..n].to_vec())
                .find(|candidate| modules.contains_key(candidate))
                .filter(|target| target != module)
            {
                targets.insert(target);
            }
        }
    }
    edges
}

/// The modules each module reaches, itself excluded unless by a cycle.
fn cycles(edges: &BTreeMap<Module, BTreeSet<Module>>) -> Vec<Module> {
    let mut in_cycles = Vec::new();
    for start in edges.keys() {
        let mut seen = BTreeSet::new();
        let mut stack: Vec<&Module> = edges[start].iter().collect();
        while let Some(next) = stack.pop() {
            if next == start {
                in_cycles.push(start.clone());
                break;
            }
            if seen.insert(next.clone()) {
                stack.extend(edges.get(next).into_iter().flatten());
            }
        }
    }
    in_cycles
}

#[test]
fn the_modules_of_src_import_each_other_without_cycles() {
    let modules = modules(&Path::new(env!("CARGO_MANIFEST_DIR")).join("src"));
    assert!(modules.len() > 50, "{} modules", modules.len());
    let edges = graph(&modules);
    assert!(edges.values().map(BTreeSet::len).sum::<usize>() > 200);
    let cyclic: Vec<String> = cycles(&edges).iter().map(|m| m.join("/")).collect();
    assert!(
        cyclic.is_empty(),
        "these modules are in import cycles (a module imports one that, through others, imports it): {cyclic:?}"
    );
}

#[test]
fn a_cycle_is_found() {
    let mut modules = BTreeMap::new();
    modules.insert(
        vec!["a".to_owned()],
        "use crate::b::{Thing, c::Other};".to_owned(),
    );
    modules.insert(vec!["b".to_owned()], "use crate::a;".to_owned());
    modules.insert(vec!["b".to_owned(), "c".to_owned()], String::new());
    modules.insert(vec!["d".to_owned()], "use crate::a::X;".to_owned());
    let edges = graph(&modules);
    assert_eq!(edges[&vec!["a".to_owned()]].len(), 2);
    let cyclic = cycles(&edges);
    assert_eq!(cyclic, vec![vec!["a".to_owned()], vec!["b".to_owned()]]);
}

/// Where a top-level module of `src/` sits: domain (with the error type and
/// `auth`: roles, callers, audiences, tokens) at the bottom, then the store,
/// then the use cases (registry) with sync beside them, then the API, and on
/// top the application that wires them (the crate root, configuration,
/// logging, the demo loader). `None`: a module no layer claims, which the
/// test refuses.
fn layer(module: &Module) -> Option<(&'static str, u8)> {
    Some(match module.first().map(String::as_str) {
        Some("domain" | "error" | "auth") => ("domain", 0),
        Some("store" | "schema" | "sql" | "db") => ("store", 1),
        Some("registry") => ("registry", 2),
        Some("sync") => ("sync", 2),
        Some("api") => ("api", 3),
        None | Some("main" | "config" | "logging" | "demo") => ("app", 4),
        Some(_) => return None,
    })
}

/// What each layer must not name, as it is written in the code: crates by
/// their path (`awc::`), and the means of running SQL. The API may hold
/// connections and open transactions (`diesel_async`) but runs no SQL; the
/// registry runs in a transaction but runs no SQL either.
const FORBIDDEN: &[(&str, &[&str])] = &[
    (
        "domain",
        &[
            "actix_web::",
            "actix_http::",
            "awc::",
            "diesel::",
            "diesel_async::",
        ],
    ),
    ("store", &["actix_web::", "actix_http::", "awc::"]),
    (
        "registry",
        &[
            "actix_web::",
            "actix_http::",
            "awc::",
            "diesel::",
            "sql_query",
            "crate::sql",
            "RunQueryDsl",
            "batch_execute",
        ],
    ),
    ("sync", &["actix_web::", "actix_http::"]),
    (
        "api",
        &[
            "diesel::",
            "sql_query",
            "crate::sql",
            "RunQueryDsl",
            "batch_execute",
        ],
    ),
];

/// Imports against the layers, forbidden crates, and modules without a layer.
fn violations(modules: &BTreeMap<Module, String>) -> Vec<String> {
    let edges = graph(modules);
    let mut found = Vec::new();
    for (from, targets) in &edges {
        let Some((from_layer, from_rank)) = layer(from) else {
            found.push(format!("{} is in no layer", from.join("/")));
            continue;
        };
        for to in targets {
            let edge = format!("{} -> {}", from.join("/"), to.join("/"));
            let Some((to_layer, to_rank)) = layer(to) else {
                continue;
            };
            let sideways = from_rank == to_rank && from_layer != to_layer;
            if to_rank > from_rank || sideways {
                found.push(format!("{edge} ({from_layer} must not import {to_layer})"));
            }
        }
    }
    for (module, text) in modules {
        let Some((name, _)) = layer(module) else {
            continue;
        };
        let names = FORBIDDEN
            .iter()
            .find(|(layer, _)| *layer == name)
            .map_or(&[][..], |(_, names)| *names);
        for forbidden in names {
            if text.contains(forbidden) {
                found.push(format!("{} uses {forbidden}", module.join("/")));
            }
        }
    }
    found
}

/// Every module is in a layer; no layer imports one above it or beside it,
/// or names a crate it must not know.
#[test]
fn layers_import_downwards_only() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let modules = modules(&src);
    let found = violations(&modules);
    assert!(
        found.is_empty(),
        "imports against the layers (see docs/architecture.md, \"Where does X go\"): {found:#?}"
    );
}

#[test]
fn an_upward_import_a_forbidden_crate_and_a_stray_module_are_found() {
    let mut modules = BTreeMap::new();
    modules.insert(vec!["store".to_owned()], "use crate::api::X;".to_owned());
    modules.insert(vec!["api".to_owned()], "diesel::sql_query(\"\")".to_owned());
    modules.insert(
        vec!["registry".to_owned()],
        "use crate::sync::Y;".to_owned(),
    );
    modules.insert(vec!["sync".to_owned()], String::new());
    modules.insert(
        vec!["domain".to_owned()],
        "use crate::config::Z;".to_owned(),
    );
    modules.insert(vec!["config".to_owned()], String::new());
    modules.insert(vec!["resources".to_owned()], String::new());
    let found = violations(&modules);
    assert_eq!(
        found,
        vec![
            "domain -> config (domain must not import app)".to_owned(),
            "registry -> sync (registry must not import sync)".to_owned(),
            "resources is in no layer".to_owned(),
            "store -> api (store must not import api)".to_owned(),
            "api uses diesel::".to_owned(),
            "api uses sql_query".to_owned(),
        ]
    );
}

/// The rest of `text` after a Rust string literal at its start, or `None`
/// when it does not start with one.
fn after_literal(text: &str) -> Option<&str> {
    let mut chars = text.char_indices();
    if chars.next()?.1 != '"' {
        return None;
    }
    let mut escaped = false;
    for (at, c) in chars {
        match c {
            '\\' if !escaped => escaped = true,
            '"' if !escaped => return Some(&text[at + 1..]),
            _ => escaped = false,
        }
    }
    None
}

/// Where a file hands text to diesel as SQL other than a string literal on
/// its own, or could make SQL text out of a `String`: only `sql.rs` may,
/// since its sealed `Fragment` is made of literals, placeholders and quoted
/// identifiers alone.
fn unchecked_sql(modules: &BTreeMap<Module, String>) -> Vec<String> {
    let mut found = Vec::new();
    for (module, text) in modules {
        if module == &vec!["sql".to_owned()] {
            continue;
        }
        let mut flag = |at: usize, what: &str| {
            let line = text[..at].matches('\n').count() + 1;
            found.push(format!("{}:{line} {what}", module.join("/")));
        };
        for needle in ["sql_query(", "batch_execute("] {
            for (at, _) in text.match_indices(needle) {
                let literal_alone = after_literal(text[at + needle.len()..].trim_start())
                    .is_some_and(|rest| {
                        let rest = rest.trim_start();
                        let rest = rest.strip_prefix(',').unwrap_or(rest);
                        rest.trim_start().starts_with(')')
                    });
                if !literal_alone {
                    flag(at, needle);
                }
            }
        }
        for needle in ["push_sql(", "sql(", "sql::<", ".leak(", "SqlPart for"] {
            for (at, _) in text.match_indices(needle) {
                // `sql(`/`sql::<` as a name of its own (diesel's `dsl::sql`),
                // not the end of another (`into_sql::<T>`, `push_sql(`).
                let standalone = !needle.starts_with("sql")
                    || !text[..at].ends_with(|c: char| c.is_alphanumeric() || c == '_' || c == '!');
                if standalone {
                    flag(at, needle);
                }
            }
        }
    }
    found
}

/// Statements are literals, diesel's typed DSL, or built by `sql::Sql` /
/// `sql!` from fragments; text made with `format!` cannot reach the database.
#[test]
fn statement_text_is_a_literal_or_built_from_fragments() {
    let modules = modules(&Path::new(env!("CARGO_MANIFEST_DIR")).join("src"));
    let found = unchecked_sql(&modules);
    assert!(
        found.is_empty(),
        "SQL text that is neither a literal nor a sql::Fragment: {found:#?}"
    );
}

#[test]
fn sql_from_format_is_found() {
    let mut modules = BTreeMap::new();
    let store = [
        r#"sql_query("SELECT \"1\"");"#,
        r#"sql_query(format!("SELECT {x}"));"#,
        r#"sql_query("SELECT ".to_owned() + &x);"#,
        r#"conn.batch_execute(&setup);"#,
        r#"conn.batch_execute("ROLLBACK");"#,
        r#"let t: &'static str = name.leak();"#,
        r#"sql_query("SELECT 2",)"#,
        r#"let y = x.into_sql::<Text>(); let z = sql::<Text>(&text);"#,
    ];
    modules.insert(vec!["store".to_owned()], store.join("\n"));
    modules.insert(vec!["sql".to_owned()], "sql_query(self.text)".to_owned());
    assert_eq!(
        unchecked_sql(&modules),
        vec![
            "store:2 sql_query(".to_owned(),
            "store:3 sql_query(".to_owned(),
            "store:4 batch_execute(".to_owned(),
            "store:8 sql::<".to_owned(),
            "store:6 .leak(".to_owned(),
        ]
    );
}
