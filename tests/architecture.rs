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
            if matches!(
                module.last().map(String::as_str),
                Some("mod" | "lib" | "main")
            ) {
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

/// The layers that exist keep their dependencies: the domain knows neither
/// HTTP nor SQL, and the registry and store know no HTTP. (The rest of
/// `src/` is still to be sorted into layers; see docs/architecture.md.)
#[test]
fn layers_do_not_reach_for_frameworks_they_must_not_know() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let forbidden: &[(&str, &[&str])] = &[
        ("domain", &["actix_web", "actix_http", "awc", "diesel"]),
        ("registry", &["actix_web", "actix_http", "awc"]),
        ("store", &["actix_web", "actix_http", "awc"]),
    ];
    let modules = modules(&src);
    let mut found = Vec::new();
    for (layer, crates) in forbidden {
        for (module, text) in modules
            .iter()
            .filter(|(m, _)| m.first().map(String::as_str) == Some(*layer))
        {
            for name in *crates {
                if text.contains(&format!("{name}::")) {
                    found.push(format!("{} uses {name}", module.join("/")));
                }
            }
        }
    }
    assert!(found.is_empty(), "{found:?}");
    assert!(
        modules
            .keys()
            .any(|m| m.first().map(String::as_str) == Some("registry"))
    );
}
