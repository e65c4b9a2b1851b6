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
        // `crate::Error` is the root's re-export of `error::Error`.
        match name.as_str() {
            "" => {}
            "Error" | "Result" => out.push("error".into()),
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
