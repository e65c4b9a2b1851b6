//! Fuzz target: scenario text in, through parsing, validation, overrides, a
//! tiny run and the results' outputs. Any `Err` is fine; a panic, abort, timeout
//! or out-of-memory is a finding (see docs/fuzzing.md).
//!
//! Input layout: `[header byte][text]` or `[header byte][text]\0[path]=[value]`.
//! - header byte: even means TOML, odd means JSON (the seeds use `\n` for TOML
//!   and `\t` for JSON, so a seed file is itself a valid document);
//! - text: the scenario document (also fed to `Results::from_json`; results
//!   that load are summarised and written out like a run's);
//! - after the last NUL byte, if any: one override `path=value`, the value
//!   read as on the command line (`--set path=value`).
//!
//! The text is also written to a file and read by the CLI's reader, in a
//! directory where `extends` can reach a preset-like file, a FIFO, a file
//! over the size cap, `/dev/zero`, a directory and a file that is no
//! scenario (see `tests/fuzz/reader.rs`): a block is a timeout, a finding.
#![no_main]

// Shared with the test suite (`tests/fuzz_regressions.rs`); kept under
// tests/ so that the published crate, which leaves out this package, has it.
#[path = "../../tests/fuzz/reader.rs"]
mod reader;

use std::sync::OnceLock;

use aibubble::scenario::{Format, parse_override, parse_value};
use aibubble::{Results, Scenario, Simulation};
use libfuzzer_sys::fuzz_target;

/// Runs longer than this many steps are skipped to keep each input fast.
const MAX_STEPS: usize = 2_000;

fuzz_target!(|data: &[u8]| {
    let Some((&header, rest)) = data.split_first() else {
        return;
    };
    let Ok(rest) = std::str::from_utf8(rest) else {
        return;
    };
    let format = if header % 2 == 1 { Format::Json } else { Format::Toml };
    let (text, over) = match rest.rsplit_once('\0') {
        Some((text, over)) => (text, Some(over)),
        None => (rest, None),
    };

    // The raw text as a results file: parse and check, then write out.
    if let Ok(results) = Results::from_json(text) {
        outputs(&results);
    }

    // The CLI's reader, `extends` and all, on the text as a file.
    static CASES: OnceLock<reader::Cases> = OnceLock::new();
    let cases = CASES.get_or_init(|| reader::Cases::new(reader::cases_dir()));
    if let Some(s) = cases.read(text, format) {
        run(&s);
    }

    let Ok(value) = parse_value(text, format) else {
        return;
    };
    let Ok(scenario) = Scenario::from_value(value) else {
        return;
    };
    // Serialising a valid scenario must not panic.
    let _ = scenario.to_toml();
    let _ = scenario.to_json();
    run(&scenario);

    // One override, as `--set path=value` would give it.
    if let Some((path, value)) = over.and_then(|o| o.split_once('=')) {
        if let Ok(v) = parse_override(path, value)
            && let Ok(changed) = scenario.with_overrides([(path, v)])
        {
            run(&changed);
        }
        let _ = scenario.get(path);
    }
});

/// Two paths on one thread, then the finiteness check and the outputs.
fn run(s: &Scenario) {
    if s.steps() > MAX_STEPS {
        return;
    }
    let Ok(sim) = Simulation::new(s) else {
        return;
    };
    if let Ok(results) = sim.paths(2).seed(1).threads(1).run() {
        check_finite(&results);
        outputs(&results);
    }
}

/// What the CLI and Python write from results: the summary, the results
/// file, and the CSV tables of `run --out` (time-series quantiles come from
/// the sketches).
fn outputs(results: &Results) {
    let _ = results.summary().to_json();
    let _ = results.to_json();
    let _ = results.series_csv();
    let _ = results.per_path_csv();
}

/// Outputs that apply to every lab on every path must be finite: a NaN or an
/// infinity there is a numerical failure that `run` should have reported as
/// `Err(Error::Numerical)`. Set `AIBUBBLE_FUZZ_ALLOW_NONFINITE=1` to skip this
/// check (to look for other findings while this one is open).
fn check_finite(results: &Results) {
    static SKIP: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    if *SKIP.get_or_init(|| std::env::var_os("AIBUBBLE_FUZZ_ALLOW_NONFINITE").is_some()) {
        return;
    }
    for lab in &results.labs {
        for name in ["fair_value", "pv"] {
            let v = lab.metric(name).unwrap_or_default();
            assert!(
                v.iter().all(|x| x.is_finite()),
                "non-finite {name} of lab {}: {v:?}",
                lab.id
            );
        }
        for c in lab.revenue.iter().chain(&lab.fcf) {
            assert!(
                c.values.iter().all(|x| x.is_finite()),
                "non-finite {} of lab {}: {:?}",
                c.name,
                lab.id,
                c.values
            );
        }
    }
}
