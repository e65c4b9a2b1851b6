//! The layers of the crate import one way (docs/architecture.md): each
//! module may use only modules of a lower layer (or its own). Read from the
//! sources: every `crate::<module>` path in `src/` (the front ends,
//! `src/cli/`, `src/bin` and `src/python`, sit on top and may use anything).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Layer of each top-level module, lowest first.
const LAYERS: &[(&str, u8)] = &[
    ("error", 0),
    ("linalg", 1),
    ("stats", 1),
    ("rng", 1),
    ("dist", 2),
    ("scenario", 3),
    ("model", 4),
    ("valuation", 4),
    ("results", 5),
    ("summary", 6),
    ("engine", 6),
    ("output", 7),
    ("net", 7),
    ("workbook", 7),
    ("analysis", 8),
];

fn files(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

/// The top-level module a source file belongs to (`None` for lib.rs and the front ends).
fn module_of(src: &Path, file: &Path) -> Option<String> {
    let rel = file.strip_prefix(src).unwrap();
    let first = rel.components().next()?.as_os_str().to_string_lossy().to_string();
    let name = first.trim_end_matches(".rs").to_string();
    (!matches!(name.as_str(), "lib" | "bin" | "cli" | "python")).then_some(name)
}

/// The modules a file refers to through `crate::`.
fn uses(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for (i, _) in text.match_indices("crate::") {
        let name: String = text[i + 7..]
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect();
        // The root's re-exports (`crate::Error` is `error::Error`) count as
        // their modules.
        match name.as_str() {
            "" => {}
            "Error" | "Result" | "Problem" => out.push("error".into()),
            "Simulation" | "CancelToken" | "InputTable" | "Observer" | "NoObserver" | "MemoryEstimate" | "BATCH"
            | "MAX_PATHS" => out.push("engine".into()),
            "Dist" | "DistKind" | "Uncertain" => out.push("dist".into()),
            "Scenario" | "Override" => out.push("scenario".into()),
            "Results" => out.push("results".into()),
            "Summary" => out.push("summary".into()),
            _ => out.push(name),
        }
    }
    out
}

#[test]
fn layers_import_one_way() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let rank: BTreeMap<&str, u8> = LAYERS.iter().copied().collect();
    let mut all = Vec::new();
    files(&src, &mut all);
    let mut seen = BTreeMap::new();
    for file in all {
        let Some(module) = module_of(&src, &file) else { continue };
        let own = *rank
            .get(module.as_str())
            .unwrap_or_else(|| panic!("{module} has no layer in LAYERS (and docs/architecture.md)"));
        let text = std::fs::read_to_string(&file).unwrap();
        for dep in uses(&text) {
            if dep == module {
                continue;
            }
            let theirs = *rank
                .get(dep.as_str())
                .unwrap_or_else(|| panic!("{}: unknown module {dep}", file.display()));
            assert!(
                theirs < own,
                "{} ({module}, layer {own}) uses {dep} (layer {theirs}): layers must import downward only",
                file.display()
            );
            seen.insert((module.clone(), dep), ());
        }
    }
    // The check looked at real imports.
    assert!(seen.contains_key(&("engine".to_string(), "model".to_string())));
    assert!(seen.contains_key(&("model".to_string(), "scenario".to_string())));
}

#[test]
fn the_architecture_doc_names_every_layer() {
    let doc = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/architecture.md")).unwrap();
    for (m, _) in LAYERS {
        assert!(doc.contains(&format!("`{m}")), "docs/architecture.md does not name {m}");
    }
}

/// The engine's files, lowest first: each may use only files of a lower
/// layer. The runner (a directory) counts as one; [`RUNNER`] orders its
/// files. The items of the engine's `mod.rs` (`InputTable`, `BATCH`,
/// `CancelToken`) are the module's own vocabulary, usable by every file.
const ENGINE: &[(&str, u8)] = &[
    ("shocks", 0),
    ("schedule", 0),
    ("compiled", 1),
    ("layout", 2),
    ("memory", 3),
    ("sink", 3),
    ("runner", 4),
    ("assemble", 4),
];

/// The runner's files, by the data each holds: the streams, the step's
/// values and the tracks below the runner (`mod`), whose impl blocks in
/// `watch` and `phases` sit above it.
const RUNNER: &[(&str, u8)] = &[
    ("streams", 0),
    ("step", 0),
    ("tracks", 0),
    ("mod", 1),
    ("watch", 2),
    ("phases", 3),
];

fn ident(s: &str) -> String {
    s.chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
        .collect()
}

/// The files of a directory that one of its files refers to, `prefixes`
/// being how that file names the directory's module (`super::`,
/// `crate::engine::`...): the name after a prefix if it is a file of the
/// directory, else `mod` (an item of `mod.rs`) when `mod` has a layer.
fn dir_uses(text: &str, prefixes: &[&str], names: &[&str]) -> Vec<String> {
    let mut out = Vec::new();
    for pre in prefixes {
        for (i, _) in text.match_indices(pre) {
            // `super::super::x` is not `super::x`.
            if *pre == "super::" && i >= 7 && &text[i - 7..i] == "super::" {
                continue;
            }
            let after = &text[i + pre.len()..];
            // `super::{a, b::c}` names each of its items.
            let items: Vec<String> = match after.strip_prefix('{') {
                Some(group) => group[..group.find('}').unwrap_or(0)]
                    .split(',')
                    .map(|s| ident(s.trim()))
                    .collect(),
                None => vec![ident(after)],
            };
            for name in items {
                if names.contains(&name.as_str()) {
                    out.push(name);
                } else if !name.is_empty() && name != "super" && names.contains(&"mod") {
                    out.push("mod".into());
                }
            }
        }
    }
    out
}

/// Check that the files of `dir` (the crate's module `crate_path`, e.g.
/// `crate::engine::`) import one way by `layers`; returns the pairs seen.
/// A directory inside `dir` counts as one file.
fn check_dir(dir: &Path, crate_path: &str, layers: &[(&str, u8)]) -> BTreeMap<(String, String), ()> {
    let rank: BTreeMap<&str, u8> = layers.iter().copied().collect();
    let names: Vec<&str> = layers.iter().map(|(n, _)| *n).collect();
    let mut seen = BTreeMap::new();
    let mut all = Vec::new();
    files(dir, &mut all);
    for file in all {
        let rel = file.strip_prefix(dir).unwrap();
        let parts: Vec<String> = rel
            .components()
            .map(|c| c.as_os_str().to_string_lossy().trim_end_matches(".rs").to_string())
            .collect();
        let own = parts[0].clone();
        if own == "mod" && !rank.contains_key("mod") {
            continue;
        }
        let r = *rank
            .get(own.as_str())
            .unwrap_or_else(|| panic!("{} has no layer in tests/layers.rs", file.display()));
        let text = std::fs::read_to_string(&file).unwrap();
        // How this file names `dir`'s module.
        let prefixes: Vec<&str> = match (parts.len(), parts.last().map(String::as_str)) {
            (1, Some("mod")) => vec![crate_path, "self::", "use "],
            (1, _) | (2, Some("mod")) => vec![crate_path, "super::"],
            _ => vec![crate_path, "super::super::"],
        };
        for dep in dir_uses(&text, &prefixes, &names) {
            if dep == own {
                continue;
            }
            let theirs = rank[dep.as_str()];
            assert!(
                theirs < r,
                "{} ({own}, layer {r}) uses {dep} (layer {theirs}): files must import downward only",
                file.display()
            );
            seen.insert((own.clone(), dep), ());
        }
    }
    seen
}

#[test]
fn the_engine_and_its_runner_import_one_way() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let engine = check_dir(&src.join("engine"), "crate::engine::", ENGINE);
    // The runner writes to a sink; the check looked at real imports.
    assert!(engine.contains_key(&("runner".to_string(), "sink".to_string())));
    assert!(engine.contains_key(&("assemble".to_string(), "layout".to_string())));
    let runner = check_dir(&src.join("engine/runner"), "crate::engine::runner::", RUNNER);
    assert!(runner.contains_key(&("phases".to_string(), "mod".to_string())));
    assert!(runner.contains_key(&("mod".to_string(), "tracks".to_string())));
}
