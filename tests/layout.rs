//! The code layout the README promises, read from the source: no module of `src/` imports one
//! that imports it back (top-level modules, and the files inside each module's directory), and
//! no file of `src/cli/` names another (what two commands share is in `cli/mod.rs` or the
//! library). Paths are read from the text: `crate::x`, `crate::{x, ...}` and, between sibling
//! files, `super::x`; comments are skipped.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

/// Every `.rs` file under `dir`.
fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap().flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == "rs") {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

/// The file's text without its comments.
fn code(path: &Path) -> String {
    without_comments(&std::fs::read_to_string(path).unwrap())
}

/// `text` without line comments and doc comments.
fn without_comments(text: &str) -> String {
    text.lines()
        .map(|l| match l.find("//") {
            Some(i) => &l[..i],
            None => l,
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// The names that follow `prefix` in `text`: `prefix::name` and each first name of a
/// `prefix::{a, b::c}` group.
fn names_after(text: &str, prefix: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let ident = |s: &str| -> String {
        s.chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect()
    };
    let mut rest = text;
    while let Some(i) = rest.find(prefix) {
        let before = rest[..i].chars().last();
        rest = &rest[i + prefix.len()..];
        if before.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_') {
            continue;
        }
        if let Some(group) = rest.strip_prefix('{') {
            let body = &group[..group.find('}').unwrap_or(group.len())];
            out.extend(body.split(',').map(|p| ident(p.trim())));
        } else {
            out.insert(ident(rest));
        }
    }
    out.retain(|n| !n.is_empty());
    out
}

/// The sets of nodes that reach one another (more than one node each).
fn cycles(graph: &BTreeMap<String, BTreeSet<String>>) -> Vec<BTreeSet<String>> {
    let reach = |from: &String| {
        let mut seen = BTreeSet::new();
        let mut stack = vec![from.clone()];
        while let Some(n) = stack.pop() {
            for m in graph.get(&n).into_iter().flatten() {
                if seen.insert(m.clone()) {
                    stack.push(m.clone());
                }
            }
        }
        seen
    };
    let reaches: BTreeMap<&String, BTreeSet<String>> =
        graph.keys().map(|k| (k, reach(k))).collect();
    let mut out: Vec<BTreeSet<String>> = Vec::new();
    for (a, from_a) in &reaches {
        let comp: BTreeSet<String> = from_a
            .iter()
            .filter(|b| reaches.get(b).is_some_and(|r| r.contains(*a)))
            .cloned()
            .collect();
        if comp.len() > 1 && !out.contains(&comp) {
            out.push(comp);
        }
    }
    out
}

/// The top-level module a file of `src/` belongs to (`index` for `src/index/client.rs`).
fn top_module(path: &Path) -> String {
    let rel = path.strip_prefix(src()).unwrap();
    let first = rel
        .components()
        .next()
        .unwrap()
        .as_os_str()
        .to_string_lossy();
    first.trim_end_matches(".rs").to_string()
}

#[test]
fn no_module_imports_one_that_imports_it_back() {
    let files = rust_files(&src());
    let modules: BTreeSet<String> = files
        .iter()
        .map(|f| top_module(f))
        .filter(|m| m != "lib" && m != "main")
        .collect();
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for f in &files {
        let m = top_module(f);
        if !modules.contains(&m) {
            continue;
        }
        let deps = names_after(&code(f), "crate::");
        graph
            .entry(m.clone())
            .or_default()
            .extend(deps.into_iter().filter(|d| modules.contains(d) && *d != m));
    }
    assert!(graph.len() > 10, "read {graph:?}");
    assert_eq!(cycles(&graph), Vec::<BTreeSet<String>>::new(), "{graph:#?}");

    // Inside each module's directory: its files, through `super::` and `crate::module::`.
    for m in &modules {
        let dir = src().join(m);
        if !dir.is_dir() {
            continue;
        }
        let siblings: BTreeSet<String> = std::fs::read_dir(&dir)
            .unwrap()
            .flatten()
            .filter_map(|e| {
                let name = e.file_name().to_string_lossy().into_owned();
                name.strip_suffix(".rs")
                    .filter(|n| *n != "mod")
                    .map(str::to_string)
            })
            .collect();
        let mut files_graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        for s in &siblings {
            let text = code(&dir.join(format!("{s}.rs")));
            let mut deps = names_after(&text, "super::");
            deps.extend(names_after(&text, &format!("crate::{m}::")));
            deps.retain(|d| siblings.contains(d) && d != s);
            if m == "cli" {
                assert!(
                    deps.is_empty(),
                    "src/cli/{s}.rs names {deps:?}: what commands share belongs in cli/mod.rs or the library"
                );
            }
            files_graph.insert(s.clone(), deps);
        }
        assert_eq!(
            cycles(&files_graph),
            Vec::<BTreeSet<String>>::new(),
            "the files of src/{m}/: {files_graph:#?}"
        );
    }
}

#[test]
fn the_reader_finds_paths_and_cycles() {
    let text = without_comments(
        "use crate::{index, lock::Lock};\nlet x = crate::platform::Target::host();\n\
         // crate::commented\nuse super::{a, b::c};",
    );
    let text = text.as_str();
    assert_eq!(
        names_after(text, "crate::"),
        ["index", "lock", "platform"].map(String::from).into()
    );
    assert_eq!(
        names_after(text, "super::"),
        ["a", "b"].map(String::from).into()
    );
    let g: BTreeMap<String, BTreeSet<String>> = [
        ("a", vec!["b"]),
        ("b", vec!["c"]),
        ("c", vec!["a"]),
        ("d", vec!["a"]),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v.into_iter().map(String::from).collect()))
    .collect();
    assert_eq!(cycles(&g), vec![["a", "b", "c"].map(String::from).into()]);
}
