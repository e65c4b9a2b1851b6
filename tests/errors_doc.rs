//! `docs/errors.md` against the code: every variant of `aibubble::Error`
//! has one row, and the row's Python class and CLI exit status are the ones
//! the bindings and the command line use. Read from the sources themselves,
//! so that a new variant, class or status cannot be forgotten in the docs.

use std::collections::BTreeMap;
use std::path::Path;

fn read(rel: &str) -> String {
    std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(rel)).unwrap()
}

/// The variants of `pub enum Error` in `src/error.rs`.
fn variants() -> Vec<String> {
    let src = read("src/error.rs");
    let body = src
        .split("pub enum Error {")
        .nth(1)
        .unwrap()
        .split("\n}")
        .next()
        .unwrap();
    body.lines()
        .filter_map(|l| {
            let t = l.strip_prefix("    ")?;
            let name: String = t.chars().take_while(|c| c.is_ascii_alphanumeric()).collect();
            (!name.is_empty() && name.chars().next().unwrap().is_ascii_uppercase()).then_some(name)
        })
        .collect()
}

/// `variant -> text` from the arms of a `match` in a source file: each line
/// holding `Error::Variant` and, after `=>`, what `extract` picks.
fn arms(src: &str, extract: impl Fn(&str) -> Option<String>) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    let lines: Vec<&str> = src.lines().collect();
    for (i, line) in lines.iter().enumerate() {
        if !line.contains("=>") && !line.trim_end().ends_with("raise(") {
            continue;
        }
        // The arm's result may be on the next line (`=> raise(\n "Class"`).
        let result = format!("{} {}", line, lines.get(i + 1).unwrap_or(&""));
        let Some(value) = extract(result.split("=>").nth(1).unwrap_or("")) else {
            continue;
        };
        for part in line.split("Error::").skip(1) {
            let name: String = part.chars().take_while(|c| c.is_ascii_alphanumeric()).collect();
            out.insert(name, value.clone());
        }
    }
    out
}

/// The rows of the table in `docs/errors.md`: variant -> (Python class, exit status).
fn documented() -> BTreeMap<String, (String, String)> {
    read("docs/errors.md")
        .lines()
        .filter(|l| l.starts_with("| `"))
        .map(|l| {
            let cells: Vec<&str> = l.split('|').map(str::trim).collect();
            let name = cells[1].trim_matches('`').to_string();
            let class = cells[2].split('`').nth(1).unwrap().to_string();
            (name, (class, cells[3].to_string()))
        })
        .collect()
}

#[test]
fn every_variant_has_a_row() {
    let doc = documented();
    let code = variants();
    assert!(code.len() >= 10, "{code:?}");
    let mut doc_names: Vec<&String> = doc.keys().collect();
    let mut code_names: Vec<&String> = code.iter().collect();
    doc_names.sort();
    code_names.sort();
    assert_eq!(
        doc_names, code_names,
        "docs/errors.md and src/error.rs list different variants"
    );
}

#[test]
fn python_classes_match_the_bindings() {
    let quoted = |s: &str| s.split('"').nth(1).map(String::from);
    let bound = arms(&read("src/python/errors.rs"), quoted);
    for (variant, (class, _)) in documented() {
        assert_eq!(
            bound.get(&variant),
            Some(&class),
            "{variant}: src/python/errors.rs raises another class"
        );
    }
    let exported = read("python/aibubble/errors.py");
    for (_, (class, _)) in documented() {
        assert!(
            exported.contains(&format!("class {class}(")),
            "{class} is not in errors.py"
        );
    }
}

#[test]
fn exit_statuses_match_the_cli() {
    let number = |s: &str| {
        let digits: String = s.trim().chars().take_while(|c| c.is_ascii_digit()).collect();
        (!digits.is_empty()).then_some(digits)
    };
    let src = read("src/cli/mod.rs");
    let body = src.split("fn exit_code(").nth(1).unwrap().split("\n}").next().unwrap();
    let codes = arms(body, number);
    for (variant, (_, status)) in documented() {
        assert_eq!(
            codes.get(&variant),
            Some(&status),
            "{variant}: the CLI exits with another status"
        );
    }
    let help = src.split("const EXIT_STATUS").nth(1).unwrap();
    for (_, (_, status)) in documented() {
        assert!(
            help.contains(&format!("\n  {status} ")),
            "exit status {status} not in --help"
        );
    }
}
