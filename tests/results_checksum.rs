//! The results file's checksum covers every byte of the document but itself:
//! every single flipped bit and every edited field (the scenario, the input
//! names, the seed, a sketch's offset, ...) is refused at load, not read back
//! as other results.

use aibubble::{Error, Results, Scenario, Simulation};
use serde_json::Value;

/// A tiny run (few paths, a short horizon, one stored path), so that its file
/// is small enough to damage at every bit.
fn tiny() -> Results {
    let s = Scenario::from_file(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/frozen.toml"))
        .unwrap()
        .with_overrides([("horizon", 0.5.into()), ("steps_per_year", 4.into())])
        .unwrap();
    Simulation::new(&s)
        .unwrap()
        .paths(3)
        .seed(5)
        .store_paths(1)
        .run()
        .unwrap()
}

/// Whether loading `bytes` is refused as a damaged or foreign results file
/// (text that is not UTF-8 cannot be given to `from_json`: Python's `load`
/// refuses it with `ResultsFileError` before).
fn refused(bytes: &[u8]) -> Result<(), String> {
    let Ok(text) = std::str::from_utf8(bytes) else {
        return Ok(());
    };
    match Results::from_json(text) {
        Err(Error::ResultsFile { .. } | Error::Schema { .. }) => Ok(()),
        Err(e) => Err(format!("refused with another error: {e}")),
        Ok(_) => Err("loaded".into()),
    }
}

#[test]
fn every_flipped_bit_is_refused() {
    let text = tiny().to_json();
    let mut bytes = text.clone().into_bytes();
    assert!(Results::from_json(&text).is_ok(), "the control does not load");
    let started = std::time::Instant::now();
    let mut failures = Vec::new();
    for i in 0..bytes.len() {
        for bit in 0..8 {
            bytes[i] ^= 1 << bit;
            if let Err(why) = refused(&bytes) {
                failures.push(format!("byte {i} bit {bit}: {why}"));
            }
            bytes[i] ^= 1 << bit;
        }
    }
    eprintln!(
        "{} bits of a {}-byte file flipped in {:?}",
        8 * bytes.len(),
        bytes.len(),
        started.elapsed()
    );
    assert!(
        failures.is_empty(),
        "{} not refused: {:?}",
        failures.len(),
        &failures[..failures.len().min(10)]
    );
}

/// Every leaf of the JSON tree with its pointer (`/labs/0/id`).
fn leaves(v: &Value, at: String, out: &mut Vec<String>) {
    match v {
        Value::Object(m) => m.iter().for_each(|(k, x)| leaves(x, format!("{at}/{k}"), out)),
        Value::Array(a) if !a.is_empty() => a
            .iter()
            .enumerate()
            .for_each(|(i, x)| leaves(x, format!("{at}/{i}"), out)),
        _ => out.push(at),
    }
}

/// Another value of the same kind and form: a number stays an integer or a
/// float, base64 stays base64 of as many bytes (its first character changed).
fn changed(v: &Value) -> Value {
    let base64 = |s: &str| {
        s.len() >= 8 && s.len().is_multiple_of(4) && s.bytes().all(|b| b.is_ascii_alphanumeric() || b"+/=".contains(&b))
    };
    match v {
        Value::Null => Value::from(0),
        Value::Bool(b) => Value::Bool(!b),
        Value::Number(n) if n.is_u64() => Value::from(n.as_u64().unwrap() ^ 1),
        Value::Number(n) if n.is_i64() => Value::from(n.as_i64().unwrap() + 40),
        Value::Number(n) => Value::from(n.as_f64().unwrap() * 1.5 + 1.0),
        Value::String(s) if base64(s) => {
            let first = if s.starts_with('A') { "B" } else { "A" };
            Value::String(format!("{first}{}", &s[1..]))
        }
        Value::String(s) => Value::String(format!("{s}x")),
        Value::Array(_) => Value::Array(vec![Value::from(1)]),
        Value::Object(_) => Value::Object(serde_json::Map::new()),
    }
}

#[test]
fn every_edited_field_is_refused() {
    let text = tiny().to_json();
    let doc: Value = serde_json::from_str(&text).unwrap();
    // The control: unedited, the tree serialises back to the file byte for
    // byte, so what is refused below is the edit and nothing else.
    assert_eq!(serde_json::to_string(&doc).unwrap(), text);
    let mut pointers = Vec::new();
    leaves(&doc, String::new(), &mut pointers);
    assert!(pointers.len() > 100, "{} leaves", pointers.len());
    eprintln!("{} leaves edited", pointers.len());
    let mut failures = Vec::new();
    for p in &pointers {
        let mut edited = doc.clone();
        let leaf = edited.pointer_mut(p).unwrap();
        *leaf = changed(leaf);
        let edited = serde_json::to_string(&edited).unwrap();
        assert_ne!(edited, text, "{p}: not changed");
        // Refused by the checksum, before anything else is looked at (an
        // edited version is a Schema error, as for a file of that version).
        match Results::from_json(&edited) {
            // `changed` flips the version's lowest bit.
            Err(Error::Schema { found, .. })
                if p == "/schema_version" && found == aibubble::results::SCHEMA_VERSION ^ 1 => {}
            Err(e @ Error::ResultsFile { .. }) if e.to_string().contains("checksum") => {}
            Err(e) => failures.push(format!("{p}: refused with {e}")),
            Ok(_) => failures.push(format!("{p}: loaded")),
        }
    }
    assert!(
        failures.is_empty(),
        "{} edits not refused: {failures:?}",
        failures.len()
    );
}

#[test]
fn the_edits_of_the_issue_are_refused_naming_the_checksum() {
    let text = tiny().to_json();
    let doc: Value = serde_json::from_str(&text).unwrap();
    let offset = doc["series"][0]["quarters"][0]["positive"]["offset"].as_i64().unwrap();
    let edits: [(&str, Value); 5] = [
        ("/series/0/quarters/0/positive/offset", Value::from(offset + 40)),
        ("/seed", Value::from(6)),
        ("/inputs/0/name", Value::from("gap.long_run")),
        ("/scenario/name", Value::from("other")),
        ("/scenario/horizon", Value::from(0.25)),
    ];
    for (p, value) in edits {
        let mut edited = doc.clone();
        *edited.pointer_mut(p).unwrap_or_else(|| panic!("{p}")) = value;
        let err = Results::from_json(&serde_json::to_string(&edited).unwrap()).unwrap_err();
        assert!(
            matches!(err, Error::ResultsFile { .. }) && err.to_string().contains("checksum"),
            "{p}: {err}"
        );
    }
}

#[test]
fn a_file_of_the_previous_schema_is_a_schema_error() {
    // Version 2 checksummed only the columns: such a file fails the new
    // checksum, and says which version it is.
    let text = tiny().to_json();
    let v2 = text.replacen(
        &format!("\"schema_version\":{}", aibubble::results::SCHEMA_VERSION),
        "\"schema_version\":2",
        1,
    );
    assert!(matches!(
        Results::from_json(&v2),
        Err(Error::Schema { found: 2, supported: 4 })
    ));
}
