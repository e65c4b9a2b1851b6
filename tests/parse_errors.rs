//! Parse errors of scenario files name the file, give line and column, and
//! quote at most a short excerpt of the offending line, however long the
//! line or deep the nesting.

use std::path::{Path, PathBuf};

use aibubble::{Error, Scenario};

/// The longest message accepted: the path and a short excerpt fit, a
/// quoted 34 KB line does not.
const MAX_MESSAGE: usize = 300;

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p
}

/// The parse error of a file, checked to be short and to name the file.
fn parse_error(path: &Path) -> String {
    let Err(e) = Scenario::from_file(path) else {
        panic!("{} parsed", path.display());
    };
    assert!(matches!(e, Error::Parse { .. }), "not a parse error: {e:?}");
    let m = e.to_string();
    assert!(m.len() < MAX_MESSAGE, "{} bytes: {m}", m.len());
    assert!(m.contains(&path.display().to_string()), "no file name in {m}");
    assert!(!m.contains('\n'), "more than one line: {m}");
    m
}

#[test]
fn json_in_a_toml_file_gives_a_short_message() {
    let tmp = tempfile::tempdir().unwrap();
    let json = serde_json::to_string(&Scenario::preset("baseline").unwrap().to_value()).unwrap();
    assert!(json.len() > 10_000 && !json.contains('\n'), "not one long line");
    let m = parse_error(&write(tmp.path(), "baseline.toml", &json));
    assert!(m.contains("cannot parse TOML scenario"), "{m}");
    assert!(m.contains("line 1, column "), "{m}");
    assert!(m.contains("looks like JSON"), "{m}");
    assert!(m.contains("{\"name\""), "no excerpt of the line: {m}");
}

#[test]
fn a_long_json_line_is_quoted_around_the_error_only() {
    let tmp = tempfile::tempdir().unwrap();
    let mut json = serde_json::to_string(&Scenario::preset("baseline").unwrap().to_value()).unwrap();
    // Between two keys past the middle, so that the error is there.
    let at = json.len() / 2 + json[json.len() / 2..].find(",\"").unwrap() + 1;
    json.insert_str(at, "@@@");
    let m = parse_error(&write(tmp.path(), "broken.json", &json));
    assert!(m.contains("cannot parse JSON scenario"), "{m}");
    assert!(m.contains("@@@"), "the excerpt misses the error: {m}");
    assert!(m.contains('…'), "the excerpt is not marked as cut: {m}");
    let column = json[..at].chars().count() + 1;
    assert!(
        m.contains(&format!("line 1, column {column}")),
        "want column {column}: {m}"
    );
}

#[test]
fn line_and_column_point_at_the_error() {
    let tmp = tempfile::tempdir().unwrap();
    let m = parse_error(&write(tmp.path(), "bad.toml", "name = \"x\"\n\n[gap\nhalf_life = 2\n"));
    assert!(m.contains("line 3, column 5: unclosed table"), "{m}");
    assert!(m.ends_with("; at `[gap`"), "{m}");
    let m = parse_error(&write(
        tmp.path(),
        "bad.json",
        "{\n  \"name\": \"x\",\n  \"gap\": nope\n}\n",
    ));
    assert!(
        m.contains("line 3, column 11: expected ident; at `  \"gap\": nope`"),
        "{m}"
    ); // the `o` of `nope`
}

#[test]
fn multibyte_text_around_the_error_is_cut_on_character_boundaries() {
    let tmp = tempfile::tempdir().unwrap();
    let text = format!("name = \"{}\" é @ {}\n", "é".repeat(100), "ü".repeat(100));
    let m = parse_error(&write(tmp.path(), "accents.toml", &text));
    assert!(m.contains("line 1, column "), "{m}");
    let json = format!("{{\"name\": \"{}\" ü {}}}", "é".repeat(100), "ü".repeat(100));
    parse_error(&write(tmp.path(), "accents.json", &json));
}

#[test]
fn deep_nesting_fails_cleanly() {
    let tmp = tempfile::tempdir().unwrap();
    let n = 100_000;
    let docs = [
        ("brackets.toml", format!("a = {}{}\n", "[".repeat(n), "]".repeat(n))),
        ("unclosed.toml", "[".repeat(n)),
        ("tables.toml", format!("a = {}1{}\n", "{b = ".repeat(n), "}".repeat(n))),
        ("objects.json", format!("{}1{}", "{\"a\":".repeat(n), "}".repeat(n))),
        ("arrays.json", format!("{}{}", "[".repeat(n), "]".repeat(n))),
    ];
    for (name, text) in docs {
        let m = parse_error(&write(tmp.path(), name, &text));
        assert!(m.contains("line 1, column "), "{name}: {m}");
    }
}
