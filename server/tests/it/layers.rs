//! The code's layers, checked from the source: no two top-level modules of `server/src` or
//! `app/src` use each other (directly or round a longer loop), and the server's services never
//! reach up into the HTTP layer.
//!
//! A module's uses are the `crate::name` paths in its files (comments skipped); `super::` stays
//! inside the module. The server's layers are [`LAYERS`]: storage (and xlsx, metrics, http_client) → auth → error → services
//! (accounts, residents, directory, cases, devices, map, ingest, live) → backend (server
//! functions) → state → api (handlers take the `AppState`) → http, cli, demo, simulate.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The source without comments (line and block), so that prose naming a module is no use.
fn code_only(src: &str) -> String {
    let mut out = String::with_capacity(src.len());
    let mut chars = src.chars().peekable();
    let (mut in_str, mut depth) = (false, 0usize);
    while let Some(c) = chars.next() {
        if depth > 0 {
            if c == '*' && chars.peek() == Some(&'/') {
                chars.next();
                depth -= 1;
            } else if c == '/' && chars.peek() == Some(&'*') {
                chars.next();
                depth += 1;
            }
            continue;
        }
        if in_str {
            out.push(c);
            if c == '\\' {
                if let Some(n) = chars.next() {
                    out.push(n);
                }
            } else if c == '"' {
                in_str = false;
            }
            continue;
        }
        match (c, chars.peek()) {
            ('/', Some('/')) => {
                for n in chars.by_ref() {
                    if n == '\n' {
                        out.push('\n');
                        break;
                    }
                }
            }
            ('/', Some('*')) => {
                chars.next();
                depth = 1;
            }
            ('"', _) => {
                in_str = true;
                out.push(c);
            }
            _ => out.push(c),
        }
    }
    out
}

/// Edges between the top-level modules of the crate rooted at `src`.
fn module_graph(src: &Path) -> BTreeMap<String, BTreeSet<String>> {
    let mut files = Vec::new();
    rust_files(src, &mut files);
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for file in files {
        let rel = file.strip_prefix(src).unwrap();
        let first = rel.components().next().unwrap().as_os_str().to_string_lossy().to_string();
        let module = first.trim_end_matches(".rs").to_string();
        if module == "lib" || module == "main" {
            continue;
        }
        let code = code_only(&std::fs::read_to_string(&file).unwrap());
        let uses = graph.entry(module.clone()).or_default();
        let mut rest = code.as_str();
        while let Some(at) = rest.find("crate::") {
            rest = &rest[at + "crate::".len()..];
            // `crate::{a, b::c}` names several.
            let names: Vec<String> = if let Some(group) = rest.strip_prefix('{') {
                let end = group.find('}').unwrap_or(group.len());
                group[..end].split(',').map(|s| s.trim().split("::").next().unwrap_or("").to_string()).collect()
            } else {
                vec![rest.chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect()]
            };
            for name in names {
                if !name.is_empty() && name != module && name != "self" {
                    uses.insert(name);
                }
            }
        }
    }
    graph
}

/// A loop in the graph, if there is one.
fn find_cycle(graph: &BTreeMap<String, BTreeSet<String>>) -> Option<Vec<String>> {
    fn visit(n: &str, g: &BTreeMap<String, BTreeSet<String>>, path: &mut Vec<String>, done: &mut BTreeSet<String>) -> Option<Vec<String>> {
        if let Some(i) = path.iter().position(|p| p == n) {
            let mut cycle = path[i..].to_vec();
            cycle.push(n.to_string());
            return Some(cycle);
        }
        if done.contains(n) {
            return None;
        }
        path.push(n.to_string());
        for next in g.get(n).into_iter().flatten() {
            if let Some(c) = visit(next, g, path, done) {
                return Some(c);
            }
        }
        path.pop();
        done.insert(n.to_string());
        None
    }
    let mut done = BTreeSet::new();
    graph.keys().find_map(|n| visit(n, graph, &mut Vec::new(), &mut done))
}

fn crate_src(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..").join(name).join("src")
}

#[test]
fn no_two_modules_of_the_server_or_the_app_use_each_other() {
    for krate in ["server", "app"] {
        let graph = module_graph(&crate_src(krate));
        assert!(graph.len() >= 8, "{krate}: read the modules ({graph:?})");
        if let Some(cycle) = find_cycle(&graph) {
            panic!("{krate}/src has a module cycle: {}", cycle.join(" → "));
        }
    }
}

/// The server's layers, bottom up: a module may use its own layer and those below.
const LAYERS: [&[&str]; 8] = [
    &["storage", "xlsx", "metrics", "http_client", "site"],
    &["auth"],
    &["error"],
    &["accounts", "residents", "directory", "cases", "calls", "devices", "map", "plans", "flood", "supervision", "imports", "kpis", "open311", "ingest", "live"],
    &["backend"],
    &["state"],
    &["api"],
    &["http", "cli", "demo", "simulate"],
];

fn layer_of(module: &str) -> usize {
    LAYERS.iter().position(|l| l.contains(&module)).unwrap_or_else(|| panic!("module {module} has no layer in layers.rs: add it"))
}

#[test]
fn each_server_module_uses_only_its_own_layer_and_those_below() {
    let graph = module_graph(&crate_src("server"));
    for (module, uses) in &graph {
        for used in uses {
            assert!(layer_of(used) <= layer_of(module), "{module} (layer {}) uses {used} (layer {})", layer_of(module), layer_of(used));
        }
    }
}

#[test]
fn the_services_know_nothing_of_http() {
    let src = crate_src("server");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let below_the_api = LAYERS[..4].iter().flat_map(|l| l.iter()).filter(|m| **m != "auth").collect::<Vec<_>>();
    let mut checked = 0;
    for file in files {
        let rel = file.strip_prefix(&src).unwrap();
        let module = rel.components().next().unwrap().as_os_str().to_string_lossy().trim_end_matches(".rs").to_string();
        if below_the_api.contains(&&module.as_str()) {
            let code = code_only(&std::fs::read_to_string(&file).unwrap());
            assert!(!code.contains("axum"), "{} uses axum: services answer ServiceError and let the API answer HTTP", rel.display());
            checked += 1;
        }
    }
    assert!(checked >= 20, "read the services' files ({checked})");
}

#[test]
fn a_cycle_is_found_when_there_is_one() {
    let mut g: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    g.entry("a".into()).or_default().insert("b".into());
    g.entry("b".into()).or_default().insert("c".into());
    assert_eq!(find_cycle(&g), None);
    g.entry("c".into()).or_default().insert("a".into());
    assert_eq!(find_cycle(&g).unwrap(), ["a", "b", "c", "a"]);
    assert_eq!(code_only("x // crate::api\ny /* crate::http */ z \"//\" crate::cases"), "x \ny  z \"//\" crate::cases");
}
