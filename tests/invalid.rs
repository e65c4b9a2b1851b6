//! The invalid-scenario corpus (`tests/invalid/`): every file breaks one rule
//! of docs/equations.md §9 (or of the file format) and must be rejected with an
//! error that names the field path and the offending value, without a panic.
//!
//! A TOML file documents its expected error in leading comments:
//!
//! ```toml
//! # expect: segments.enterprise.switching: must be in [0, 365], got -0.3
//! # problems: 2        (optional; default 1 for a rule violation)
//! ```
//!
//! Every `# expect:` line must appear in the error's Display. JSON files have
//! no comments, so their expectations live in [`JSON_EXPECT`].
//!
//! The corpus files are `tests/data/minimal.toml` with one change each, so
//! [`minimal_scenario_is_valid`] proves that each failure comes from that change.
//! Most say so literally: `extends = "../data/minimal.toml"` and the change
//! in `[overrides]` by field path. The others are copies of it with the one
//! change an override cannot express: a syntax error, a non-finite number
//! (TOML's `nan` and `inf`), a key deleted, an entry added or duplicated.

use std::collections::BTreeSet;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};

use aibubble::{Error, Scenario};
use serde_json::json;

/// Expected error texts of the JSON files of the corpus: (file name, texts, problems).
const JSON_EXPECT: &[(&str, &[&str], Option<usize>)] = &[
    (
        "json_malformed.json",
        &["cannot parse JSON scenario", "trailing comma", "line 7"],
        None,
    ),
    ("json_truncated.json", &["cannot parse JSON scenario", "EOF"], None),
    (
        "json_number_out_of_range.json",
        &["cannot parse JSON scenario", "number out of range"],
        None,
    ),
    (
        "json_string_mark.json",
        &["labs.openai.mark: invalid type: string \"157\""],
        Some(1),
    ),
    (
        "json_string_weight.json",
        &["labs.openai.weights.enterprise: invalid type: string \"0.5\""],
        Some(1),
    ),
    (
        "json_unknown_key.json",
        &["segments.enterprise.switch_rate: unknown field `switch_rate`"],
        Some(1),
    ),
    (
        "json_switching_negative.json",
        &["segments.enterprise.switching: must be in [0, 365], got -0.3"],
        Some(1),
    ),
    ("json_null_number.json", &["gap.half_life: invalid type: null"], Some(1)),
    (
        "json_duplicate_lab.json",
        &["labs.openai: duplicate id \"openai\""],
        Some(1),
    ),
];

fn corpus_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/invalid")
}

fn corpus_files() -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(corpus_dir())
        .expect("tests/invalid exists")
        .map(|e| e.expect("directory entry").path())
        .filter(|p| p.is_file())
        .collect();
    files.sort();
    files
}

/// Expected texts and problem count of one corpus file.
fn expectations(path: &Path) -> (Vec<String>, Option<usize>) {
    let name = path.file_name().unwrap().to_str().unwrap();
    match path.extension().and_then(|e| e.to_str()) {
        Some("toml") => {
            let text = std::fs::read_to_string(path).unwrap();
            assert!(
                text.starts_with("# expect: "),
                "{name}: the first line must be `# expect: <error text>`"
            );
            let mut expect = Vec::new();
            let mut count = None;
            for line in text.lines().take_while(|l| l.starts_with('#')) {
                if let Some(e) = line.strip_prefix("# expect: ") {
                    expect.push(e.to_string());
                } else if let Some(n) = line.strip_prefix("# problems: ") {
                    count = Some(n.trim().parse().expect("# problems: N"));
                }
            }
            (expect, count)
        }
        Some("json") => {
            let (_, texts, count) = JSON_EXPECT
                .iter()
                .find(|(f, _, _)| *f == name)
                .unwrap_or_else(|| panic!("{name}: add its expected error to JSON_EXPECT"));
            (texts.iter().map(|s| s.to_string()).collect(), *count)
        }
        _ => panic!("{name}: the corpus holds .toml and .json files only"),
    }
}

/// Load a file, proving that loading returns instead of panicking.
fn load(path: &Path) -> Result<Scenario, Error> {
    catch_unwind(AssertUnwindSafe(|| Scenario::from_file(path)))
        .unwrap_or_else(|_| panic!("{}: Scenario::from_file panicked", path.display()))
}

#[test]
fn minimal_scenario_is_valid() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/minimal.toml");
    let s = Scenario::from_file(&path).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(s.labs.len(), 2);
    assert!(s.problems().is_empty());
}

#[test]
fn every_corpus_file_is_rejected_with_its_documented_error() {
    let files = corpus_files();
    assert!(files.len() >= 100, "corpus has only {} files", files.len());
    let mut failures = Vec::new();
    for path in &files {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let (expect, count) = expectations(path);
        assert!(!expect.is_empty(), "{name}: no expectation");
        let err = match load(path) {
            Ok(_) => {
                failures.push(format!("{name}: accepted"));
                continue;
            }
            Err(e) => e,
        };
        let shown = err.to_string();
        for e in &expect {
            if !shown.contains(e.as_str()) {
                failures.push(format!("{name}: expected {e:?} in\n    {shown}"));
            }
        }
        if let Some(problems) = err.problems() {
            let want = count.unwrap_or(1);
            if problems.len() != want {
                failures.push(format!(
                    "{name}: {} problems, expected {want}:\n    {shown}",
                    problems.len()
                ));
            }
            for p in problems {
                assert!(!p.message.is_empty(), "{name}: a problem without a message");
            }
        } else if let Some(n) = count {
            failures.push(format!(
                "{name}: expected {n} problems, got a non-scenario error: {shown}"
            ));
        }
        assert!(
            !shown.contains("panicked") && !shown.contains("unreachable"),
            "{name}: {shown}"
        );
        // Segments, labs and events are named by id, not by position (the
        // position is only used when the id itself is the problem).
        for list in ["segments[", "labs[", "events["] {
            if shown.contains(list) && !expect.iter().any(|e| e.contains(list)) {
                failures.push(format!("{name}: a positional path in\n    {shown}"));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} files:\n{}",
        failures.len(),
        files.len(),
        failures.join("\n")
    );
}

#[test]
fn json_side_table_matches_the_directory() {
    let on_disk: BTreeSet<String> = corpus_files()
        .iter()
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    let listed: BTreeSet<String> = JSON_EXPECT.iter().map(|(f, _, _)| f.to_string()).collect();
    assert_eq!(on_disk, listed);
}

/// The same rule broken in TOML, in JSON, through the string parsers and
/// through the generic form gives the same problem.
#[test]
fn every_entry_point_reports_the_same_problem() {
    let minimal = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/minimal.toml");
    let text = std::fs::read_to_string(minimal)
        .unwrap()
        .replace("switching = 0.5", "switching = -0.3");
    let from_file = Scenario::from_file(corpus_dir().join("domain_switching_negative.toml")).unwrap_err();
    let expect = "segments.enterprise.switching: must be in [0, 365], got -0.3";
    let from_str = Scenario::from_toml_str(&text).unwrap_err();
    assert!(from_str.to_string().contains(expect), "{from_str}");
    assert!(from_file.to_string().contains(expect), "{from_file}");
    let value = aibubble::scenario::parse_value(&text, aibubble::scenario::Format::Toml).unwrap();
    let unchecked = Scenario::from_value_unchecked(&value).expect("types are fine");
    let problems = unchecked.problems();
    assert_eq!(problems.len(), 1);
    assert_eq!(problems[0].path, "segments.enterprise.switching");
    assert_eq!(problems[0].message, "must be in [0, 365], got -0.3");
    let json_text = unchecked.to_json();
    let from_json = Scenario::from_json_str(&json_text).unwrap_err();
    assert_eq!(from_json.problems(), Some(&problems[..]));
}

#[test]
fn missing_file_is_an_io_error_naming_the_path() {
    let path = corpus_dir().join("no_such_file.toml");
    let err = load(&path).unwrap_err();
    assert!(matches!(err, Error::Io { .. }), "{err:?}");
    assert!(err.to_string().contains("no_such_file.toml"), "{err}");
}

/// A file with several problems lists all of them, each with its path.
#[test]
fn every_problem_is_reported() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/many_problems.toml");
    let err = load(&path).unwrap_err();
    let expected = [
        "steps_per_year: must be a multiple of 4 in [4, 365], got 10",
        "valuation.pop_threshold: must be in (0, 1), got 1.5",
        "gap.half_life: must be > 0, got 0",
        "prices.ratio_0: must be > 0, got -0.17",
        "segments.enterprise.closed_share_0: must be in (0, 1), got 1.2",
        "segments.enterprise.switching: must be in [0, 365], got -0.3",
        "labs.alpha.committed: must be in [0, 1], got 1.5",
        "labs.alpha.mark: must be > 0, got -500",
        "labs.alpha.plan[2]: plan years must be strictly increasing, got 2027 after 2028",
        "labs.gamma.weights.retail: unknown segment `retail` (known: enterprise)",
        "events.shock.date: must be after start_year 2026, got 2025",
        "events.shock.effects[0]: `price_ratio` takes mul or set, got add",
        "correlation.process: must be symmetric",
    ];
    let problems = err.problems().expect("a scenario error");
    let shown = err.to_string();
    assert_eq!(problems.len(), expected.len(), "{shown}");
    assert!(
        shown.starts_with(&format!("{} problems in scenario:", expected.len())),
        "{shown}"
    );
    for e in expected {
        assert!(shown.contains(e), "missing {e:?} in\n{shown}");
    }
    // One line per problem, each with its path.
    assert_eq!(shown.lines().count(), expected.len() + 1);
    for p in problems {
        assert!(!p.path.is_empty(), "{p}");
        assert!(shown.contains(&format!("\n  {}: {}", p.path, p.message)));
    }
}

fn frozen() -> Scenario {
    Scenario::from_file(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/frozen.toml")).expect("frozen is valid")
}

#[test]
fn override_breaking_a_rule_names_the_path() {
    let err = frozen()
        .with_overrides([("segments.enterprise.switching", json!(-0.3))])
        .unwrap_err();
    let problems = err.problems().expect("a scenario error");
    assert_eq!(problems.len(), 1, "{err}");
    assert_eq!(problems[0].path, "segments.enterprise.switching");
    assert!(
        err.to_string()
            .contains("segments.enterprise.switching: must be in [0, 365], got -0.3"),
        "{err}"
    );
}

#[test]
fn override_with_an_unknown_id_lists_the_known_ids() {
    let err = frozen()
        .with_overrides([("segments.retail.switching", json!(1.0))])
        .unwrap_err();
    let shown = err.to_string();
    assert_eq!(err.problems().unwrap()[0].path, "segments.retail.switching");
    assert!(shown.contains("segments.retail.switching"), "{shown}");
    assert!(shown.contains("`retail`"), "{shown}");
    assert!(shown.contains("known: consumer, enterprise"), "{shown}");

    let err = frozen().with_overrides([("labs.delta.mark", json!(10.0))]).unwrap_err();
    let shown = err.to_string();
    assert!(shown.contains("labs.delta.mark"), "{shown}");
    assert!(shown.contains("known: alpha, beta, gamma"), "{shown}");

    let err = frozen().with_overrides([("nope.x", json!(1))]).unwrap_err();
    assert!(err.to_string().contains("nope.x"), "{err}");
}

#[test]
fn override_problems_are_all_reported() {
    let err = frozen()
        .with_overrides([
            ("segments.retail.switching", json!(1.0)),
            ("labs.delta.mark", json!(10.0)),
            ("gap..initial", json!(1.0)),
        ])
        .unwrap_err();
    let paths: Vec<&str> = err.problems().unwrap().iter().map(|p| p.path.as_str()).collect();
    assert_eq!(paths, ["segments.retail.switching", "labs.delta.mark", "gap..initial"]);
}

#[test]
fn override_of_the_wrong_type_names_the_id_keyed_path() {
    let err = frozen()
        .with_overrides([("labs.beta.mark", json!("lots"))])
        .unwrap_err();
    let shown = err.to_string();
    assert!(
        shown.contains("labs.beta.mark: invalid type: string \"lots\""),
        "{shown}"
    );
    assert!(!shown.contains("labs[1]"), "{shown}");

    let err = frozen().with_overrides([("gap.halflife", json!(1.0))]).unwrap_err();
    assert!(err.to_string().contains("halflife"), "{err}");
}

#[test]
fn valid_override_changes_the_value_and_passes_validation() {
    let base = frozen();
    let s = base
        .with_overrides([
            ("labs.alpha.mark", json!(1000.0)),
            ("segments.enterprise.switching", json!(0.8)),
            ("gap.long_run", json!({"dist": "normal", "mean": 2.0, "sd": 0.5})),
        ])
        .unwrap_or_else(|e| panic!("{e}"));
    s.validate().unwrap();
    assert_eq!(s.lab("alpha").unwrap().mark, Some(1000.0.into()));
    assert_eq!(s.segment("enterprise").unwrap().switching, Some(0.8.into()));
    assert_eq!(
        s.get("gap.long_run").unwrap(),
        json!({"dist": "normal", "mean": 2.0, "sd": 0.5})
    );
    assert_eq!(s.get("labs.alpha.mark").unwrap(), json!(1000.0));
    // Nothing else moved.
    let mut back = s.clone();
    back.labs[0].mark = base.labs[0].mark.clone();
    back.segments[1].switching = base.segments[1].switching.clone();
    back.gap.long_run = base.gap.long_run.clone();
    assert_eq!(back, base);
    // An override to the same value gives an equal scenario.
    assert_eq!(base.with_overrides([("labs.alpha.mark", json!(500.0))]).unwrap(), base);
}

fn minimal() -> Scenario {
    Scenario::from_file(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/minimal.toml")).expect("valid")
}

/// Through the Rust API a non-finite number is one problem at its own path,
/// with no knock-on message about the bounds it enters.
#[test]
fn non_finite_values_through_the_api() {
    let mut s = minimal();
    s.valuation.terminal_growth = Some(f64::NAN);
    s.labs[0].mark = Some(f64::INFINITY.into());
    let problems = s.problems();
    let shown: Vec<String> = problems.iter().map(ToString::to_string).collect();
    assert_eq!(
        shown,
        [
            "valuation.terminal_growth: must be finite, got NaN",
            "labs.alpha.mark: must be finite, got inf"
        ]
    );
}

/// `nan` on a command line is rejected, not read as an absent optional field
/// (which would silently drop a mark or calibrate a brand premium).
#[test]
fn non_finite_override_is_rejected() {
    use aibubble::scenario::parse_override_value;
    for (path, text) in [
        ("segments.enterprise.brand_premium", "nan"),
        ("labs.alpha.mark", "inf"),
        (
            "gap.half_life",
            "{ dist = \"lognormal\", mean = 1.0, sd = 0.4, max = nan }",
        ),
    ] {
        let err = frozen()
            .with_overrides([(path, parse_override_value(text))])
            .unwrap_err();
        let problems = err.problems().expect("a scenario error");
        assert_eq!(problems.len(), 1, "{err}");
        assert_eq!(problems[0].path, path, "{err}");
        let word = if text.contains("nan") { "nan" } else { "inf" };
        assert!(err.to_string().contains(word), "{err}");
    }
}

/// `get` answers for what an absent entry implies, though `show --expanded`
/// does not write it (that would change the scenario read back).
#[test]
fn get_answers_for_implied_defaults() {
    let s = minimal();
    assert!(s.correlation.process.is_none());
    assert_eq!(
        s.get("correlation.process").unwrap(),
        json!([
            [1.0, 0.0, 0.0, 0.0],
            [0.0, 1.0, 0.0, 0.0],
            [0.0, 0.0, 1.0, 0.0],
            [0.0, 0.0, 0.0, 1.0]
        ])
    );
    assert_eq!(s.get("valuation.pop_threshold").unwrap(), json!(0.5));
    assert_eq!(s.get("labs.gamma.capture").unwrap(), json!(0.3));
    assert_eq!(s.get("labs.alpha.capture").unwrap(), json!(1.0));
    let expanded = s.to_value_expanded();
    assert!(expanded["correlation"].get("process").is_none());
    assert_eq!(Scenario::from_value(expanded).unwrap(), s);
    let err = s.get("labs.omega.capture").unwrap_err();
    assert!(err.to_string().contains("known: alpha, gamma"), "{err}");
}
