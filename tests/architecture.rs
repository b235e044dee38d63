//! The areas of `src/` (its top-level modules: `domain`, `store`, `index`, `api`, …) import
//! each other in one direction only, as the README's "Architecture" section draws them: a
//! cycle between two areas fails this test and names the files that close it. Test modules
//! (`#[cfg(test)] mod …` and `tests.rs` files) are left out: a test may use anything.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Area → area it imports → files that do.
type Edges = BTreeMap<String, BTreeMap<String, BTreeSet<String>>>;

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

/// The source without `#[cfg(test)] mod name { … }` blocks and `//` comments.
fn without_tests_and_comments(src: &str) -> String {
    let mut out = String::with_capacity(src.len());
    let mut rest = src;
    while let Some(at) = rest.find("#[cfg(test)]") {
        out.push_str(&rest[..at]);
        let after = &rest[at + "#[cfg(test)]".len()..];
        let trimmed = after.trim_start();
        let is_mod = trimmed.starts_with("mod ") || trimmed.starts_with("pub mod ");
        match (is_mod, trimmed.find(['{', ';'])) {
            (true, Some(i)) if trimmed.as_bytes()[i] == b'{' => {
                let body = &trimmed[i + 1..];
                let mut depth = 1;
                let mut end = body.len();
                for (j, c) in body.char_indices() {
                    match c {
                        '{' => depth += 1,
                        '}' => {
                            depth -= 1;
                            if depth == 0 {
                                end = j + 1;
                                break;
                            }
                        }
                        _ => {}
                    }
                }
                rest = &body[end..];
            }
            (true, Some(i)) => rest = &trimmed[i + 1..],
            _ => rest = after,
        }
    }
    out.push_str(rest);
    out.lines()
        .map(|l| l.split("//").next().unwrap_or(""))
        .collect::<Vec<_>>()
        .join("\n")
}

fn edges(src_dir: &Path) -> Edges {
    let mut files = Vec::new();
    rust_files(src_dir, &mut files);
    let mut edges = Edges::new();
    for file in files {
        let rel = file.strip_prefix(src_dir).unwrap();
        if rel.file_name().is_some_and(|n| n == "tests.rs") {
            continue;
        }
        let first = rel
            .components()
            .next()
            .unwrap()
            .as_os_str()
            .to_string_lossy();
        let area = first.trim_end_matches(".rs").to_string();
        if area == "lib" || area == "main" {
            continue;
        }
        let text = without_tests_and_comments(&std::fs::read_to_string(&file).unwrap());
        for (at, _) in text.match_indices("crate::") {
            let target: String = text[at + "crate::".len()..]
                .chars()
                .take_while(|c| c.is_ascii_lowercase() || *c == '_')
                .collect();
            if !target.is_empty() && target != area {
                edges
                    .entry(area.clone())
                    .or_default()
                    .entry(target)
                    .or_default()
                    .insert(rel.display().to_string());
            }
        }
    }
    edges
}

/// Every area reachable from `from`.
fn reachable(edges: &Edges, from: &str) -> BTreeSet<String> {
    let mut seen = BTreeSet::new();
    let mut todo = vec![from.to_string()];
    while let Some(a) = todo.pop() {
        for b in edges.get(&a).into_iter().flat_map(|m| m.keys()) {
            if seen.insert(b.clone()) {
                todo.push(b.clone());
            }
        }
    }
    seen
}

#[test]
fn areas_import_each_other_in_one_direction() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let edges = edges(&src);
    // The README's layering: these must hold whatever else changes.
    for (lower, upper) in [
        ("domain", "store"),
        ("store", "directory"),
        ("index", "directory"),
        ("index", "api"),
        ("auth", "api"),
        ("directory", "api"),
    ] {
        assert!(
            reachable(&edges, upper).contains(lower),
            "{upper} no longer imports {lower}: is this test's map of the areas still right?"
        );
    }
    let mut cycles = Vec::new();
    for (a, targets) in &edges {
        for (b, files) in targets {
            if a < b && reachable(&edges, b).contains(a) {
                let back = edges
                    .get(b)
                    .and_then(|m| m.get(a))
                    .map(|f| format!(" ({b} -> {a}: {f:?})"))
                    .unwrap_or_default();
                cycles.push(format!("{a} -> {b} {files:?} leads back to {a}{back}"));
            }
        }
    }
    assert!(
        cycles.is_empty(),
        "import cycles between areas:\n{}",
        cycles.join("\n")
    );
}

#[test]
fn the_check_sees_a_cycle() {
    let mut edges = Edges::new();
    for (a, b) in [("auth", "api"), ("api", "auth")] {
        edges
            .entry(a.into())
            .or_default()
            .entry(b.into())
            .or_default()
            .insert(format!("{a}/mod.rs"));
    }
    assert!(reachable(&edges, "api").contains("api"));
    let stripped = without_tests_and_comments(
        "use crate::a;\n#[cfg(test)]\nmod tests {\n use crate::b; { }\n}\n// crate::c\nuse crate::d;",
    );
    assert!(stripped.contains("crate::a") && stripped.contains("crate::d"));
    assert!(!stripped.contains("crate::b") && !stripped.contains("crate::c"));
}
