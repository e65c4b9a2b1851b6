//! The inputs the fuzzer (and its hand-driven extremes) found, replayed:
//! each scenario either runs two paths to finite results or stops with a
//! named error, and each damaged results file is refused; never a panic,
//! an abort or a run that exhausts memory. See `tests/fuzz/regressions/README.md`.

use std::path::Path;

use aibubble::{Error, Results, Scenario, Simulation};

#[test]
fn every_fuzz_regression_fails_cleanly_or_runs() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fuzz/regressions");
    let mut seen = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        match path.extension().and_then(|e| e.to_str()) {
            Some("toml") => {
                // Rates of 1e6 a year are now outside their domains: refused
                // by validation, naming the field, which is a clean end too.
                let s = match Scenario::from_file(&path) {
                    Ok(s) => s,
                    Err(Error::Scenario(p)) => {
                        assert!(p.0.iter().all(|q| !q.path.is_empty()), "{name}: {p}");
                        seen += 1;
                        continue;
                    }
                    Err(other) => panic!("{name}: {other}"),
                };
                let run = Simulation::new(&s).unwrap().paths(2).seed(1).threads(1).run();
                match run {
                    Ok(r) => {
                        for lab in r.summary().labs {
                            assert!(lab.fair_value.mean.is_finite(), "{name}: {}", lab.id);
                        }
                    }
                    Err(Error::Numerical { variable, .. }) => assert!(!variable.is_empty(), "{name}"),
                    Err(other) => panic!("{name}: unexpected {other}"),
                }
            }
            Some("json") => {
                let text = std::fs::read_to_string(&path).unwrap();
                let err = Results::from_json(&text).expect_err(&name);
                assert!(
                    matches!(err, Error::ResultsFile { .. } | Error::Schema { .. }),
                    "{name}: {err}"
                );
            }
            _ => continue,
        }
        seen += 1;
    }
    assert!(seen >= 7, "{seen} regressions");
}

/// The fuzz target's second reader (`tests/fuzz/reader.rs`, the
/// same code): the CLI's scenario reader on files that `extends` a
/// preset-like file, a FIFO, a file over the cap, `/dev/zero`, a
/// directory and a file that is no scenario. Only the first is read; every
/// other is an error at once, quoting nothing of `secret.txt`.
#[cfg(feature = "cli")]
#[path = "fuzz/reader.rs"]
mod reader;

#[cfg(feature = "cli")]
#[test]
fn the_cli_reader_follows_extends_only_to_scenario_files() {
    use aibubble::scenario::Format;
    use std::sync::mpsc;
    use std::time::Duration;

    let cases = std::sync::Arc::new(reader::Cases::new(reader::cases_dir()));
    let mut texts: Vec<(String, Format, bool)> = Vec::new();
    for name in reader::NAMES
        .iter()
        .copied()
        .chain(["/dev/zero", "dir.toml/../base.toml", "missing.toml"])
    {
        let ok = name.ends_with("base.toml");
        let toml = format!("extends = {name:?}\nname = \"x\"\n[overrides]\n\"gap.floor\" = -2.0\n");
        texts.push((toml, Format::Toml, ok));
        let json = format!("{{\"extends\": {name:?}, \"overrides\": {{\"gap.floor\": -2.0}}}}");
        texts.push((json, Format::Json, ok));
    }
    // The target's seeds for these cases (a leading newline means TOML, a tab
    // JSON). They are the fuzz package's (fuzz/), which `cargo package` leaves
    // out of the published crate: there (a crate with its Cargo.toml.orig)
    // only the cases above run; in the repository the seeds must be there.
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let packaged = root.join("Cargo.toml.orig").is_file();
    let seeds = root.join("fuzz/corpus/scenario");
    let mut seen = 0;
    for entry in std::fs::read_dir(&seeds).into_iter().flatten().filter(|_| !packaged) {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        if let Some(rest) = name.strip_prefix("seed-extends-") {
            let text = std::fs::read_to_string(&path).unwrap();
            let format = if text.starts_with('\t') {
                Format::Json
            } else {
                Format::Toml
            };
            texts.push((text[1..].to_string(), format, rest == "base.toml"));
            seen += 1;
        }
    }
    assert!(packaged || seen >= 8, "{seen} seeds in {}", seeds.display());
    for (text, format, ok) in texts {
        let (tx, rx) = mpsc::channel();
        let (c, t) = (cases.clone(), text.clone());
        std::thread::spawn(move || {
            let _ = tx.send(c.read(&t, format).map(|s| s.get("gap.floor").unwrap()));
        });
        let got = rx
            .recv_timeout(Duration::from_secs(20))
            .unwrap_or_else(|_| panic!("blocked on {text:?}"));
        if ok {
            assert_eq!(got, Some(serde_json::json!(-2.0)), "{text:?}");
        } else {
            assert_eq!(got, None, "{text:?} was read");
        }
    }
}
