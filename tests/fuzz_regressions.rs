//! The inputs the fuzzer (and its hand-driven extremes) found, replayed:
//! each scenario either runs two paths to finite results or stops with a
//! named error, and each damaged results file is refused; never a panic,
//! an abort or a run that exhausts memory. See `fuzz/regressions/README.md`.

use std::path::Path;

use aibubble::{Error, Results, Scenario, Simulation};

#[test]
fn every_fuzz_regression_fails_cleanly_or_runs() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/regressions");
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
