//! Progress, cancellation, input tables and argument checks of the engine.

use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

use aibubble::BATCH;
use aibubble::{CancelToken, Error, InputTable, Observer, Scenario, Simulation};

fn frozen() -> Scenario {
    Scenario::from_file(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/frozen.toml")).unwrap()
}

struct Recorder(Mutex<Vec<(u64, u64)>>);
impl Observer for Recorder {
    fn progress(&self, done: u64, total: u64) {
        self.0.lock().unwrap().push((done, total));
    }
}

#[test]
fn observer_sees_every_batch_up_to_the_total() {
    let rec = Recorder(Mutex::new(Vec::new()));
    let n = 5 * BATCH + 17;
    Simulation::new(&frozen())
        .unwrap()
        .paths(n)
        .seed(1)
        .observer(&rec)
        .run()
        .unwrap();
    let seen = rec.0.into_inner().unwrap();
    assert_eq!(seen.len() as u64, n.div_ceil(BATCH));
    assert!(seen.iter().all(|(_, t)| *t == n));
    assert_eq!(seen.iter().map(|(d, _)| *d).max(), Some(n));
}

/// Cancels the run once the first batch has finished.
struct CancelAfterFirst {
    token: CancelToken,
    batches: AtomicU64,
}
impl Observer for CancelAfterFirst {
    fn progress(&self, _done: u64, _total: u64) {
        self.batches.fetch_add(1, Ordering::SeqCst);
        self.token.cancel();
    }
}

#[test]
fn cancellation_skips_the_batches_not_started() {
    let token = CancelToken::new();
    let obs = CancelAfterFirst {
        token: token.clone(),
        batches: AtomicU64::new(0),
    };
    let n = 200 * BATCH;
    let err = Simulation::new(&frozen())
        .unwrap()
        .paths(n)
        .seed(1)
        .threads(2)
        .observer(&obs)
        .cancel_token(token)
        .run()
        .unwrap_err();
    match err {
        Error::Cancelled { done, total } => {
            assert_eq!(total, n);
            // At most one batch in flight per thread when the flag is seen.
            assert!(done <= 2 * BATCH, "done {done}");
        }
        other => panic!("expected Cancelled, got {other}"),
    }
    assert!(obs.batches.load(Ordering::SeqCst) <= 2);
}

/// Cancelling a run of one batch whose paths are long (100 years at 364
/// steps a year, about 70 ms a path here) stops it within a step of each
/// path: the batch is abandoned (none done, `Cancelled`), where before the
/// token was only read between batches and the run finished. The latency
/// from `cancel` to the return is measured (a few ms here) and bounded by
/// 0.5 s, the interactive target, far above it even on a loaded machine.
#[test]
fn cancellation_stops_inside_a_batch_and_inside_a_path() {
    let s = Scenario::preset("baseline")
        .unwrap()
        .with_overrides([
            ("horizon", serde_json::json!(100.0)),
            ("steps_per_year", serde_json::json!(364)),
        ])
        .unwrap();
    for threads in [1, 2] {
        // One whole batch: about 18 s on one thread here, 9 s on two.
        let token = CancelToken::new();
        let sim = Simulation::new(&s)
            .unwrap()
            .paths(BATCH)
            .seed(3)
            .threads(threads)
            .cancel_token(token.clone());
        let (out, latency) = std::thread::scope(|scope| {
            let run = scope.spawn(move || {
                let out = sim.run();
                (out, std::time::Instant::now())
            });
            std::thread::sleep(std::time::Duration::from_millis(300));
            let cancelled = std::time::Instant::now();
            token.cancel();
            let (out, ended) = run.join().unwrap();
            (out, ended.saturating_duration_since(cancelled))
        });
        eprintln!("{threads} thread(s): cancel to return {latency:?}");
        match out {
            Err(Error::Cancelled { done, total }) => assert_eq!((done, total), (0, BATCH)),
            Err(other) => panic!("expected Cancelled, got {other}"),
            Ok(r) => panic!(
                "the run finished its {} paths {latency:?} after the cancel: the token was not read inside the batch",
                r.len()
            ),
        }
        assert!(latency < std::time::Duration::from_millis(500), "{latency:?}");
    }
}

/// A run that is not cancelled gives the same results whatever the token:
/// the per-step check only aborts.
#[test]
fn an_unused_token_changes_nothing() {
    let run = |token: Option<CancelToken>| {
        let mut sim = Simulation::new(&frozen()).unwrap().paths(700).seed(4).store_paths(3);
        if let Some(t) = token {
            sim = sim.cancel_token(t);
        }
        sim.run().unwrap()
    };
    assert_eq!(run(None), run(Some(CancelToken::new())));
}

#[test]
fn input_table_replaces_draws_and_is_checked_per_path() {
    let s = frozen();
    let cols = vec!["gap.initial".to_string(), "segments.consumer.switching".to_string()];
    let values: Vec<f64> = (0..40).flat_map(|p| [1.0 + p as f64 * 0.1, 0.5]).collect();
    let table = InputTable::new(cols, values).unwrap();
    let r = Simulation::new(&s)
        .unwrap()
        .inputs(&table)
        .unwrap()
        .paths(40)
        .seed(2)
        .run()
        .unwrap();
    let gap = &r.inputs.iter().find(|c| c.name == "gap.initial").unwrap().values;
    assert_eq!(gap[3], 1.0 + 3.0 * 0.1);
    let sw = &r
        .inputs
        .iter()
        .find(|c| c.name == "segments.consumer.switching")
        .unwrap()
        .values;
    assert!(sw.iter().all(|x| *x == 0.5));

    // Negative switching on 3 paths: one problem naming the field and the count.
    let bad: Vec<f64> = (0..40)
        .flat_map(|p| [3.0, if p % 13 == 0 { -1.0 } else { 0.5 }])
        .collect();
    let table = InputTable::new(
        vec!["gap.initial".to_string(), "segments.consumer.switching".to_string()],
        bad,
    )
    .unwrap();
    let err = Simulation::new(&s)
        .unwrap()
        .inputs(&table)
        .unwrap()
        .paths(40)
        .run()
        .unwrap_err();
    let msg = err.to_string();
    assert!(msg.contains("segments.consumer.switching"), "{msg}");
    assert!(msg.contains("on 4 path(s)"), "{msg}");
    assert_eq!(err.problems().unwrap().len(), 1);

    let unknown = InputTable::new(vec!["gap.nope".into()], vec![1.0]).unwrap();
    assert!(Simulation::new(&s).unwrap().inputs(&unknown).is_err());
    let short = InputTable::new(vec!["gap.initial".into()], vec![1.0; 5]).unwrap();
    let err = Simulation::new(&s)
        .unwrap()
        .inputs(&short)
        .unwrap()
        .paths(10)
        .run()
        .unwrap_err();
    assert!(err.to_string().contains("5 rows"), "{err}");
}

#[test]
fn bad_arguments_are_errors_not_panics() {
    let s = frozen();
    let sim = || Simulation::new(&s).unwrap();
    assert!(matches!(sim().paths(0).run(), Err(Error::Argument { .. })));
    assert!(matches!(sim().paths(10).range(5, 5).run(), Err(Error::Argument { .. })));
    assert!(matches!(
        sim().paths(10).range(5, 11).run(),
        Err(Error::Argument { .. })
    ));
    assert!(matches!(sim().paths(10).threads(0).run(), Err(Error::Argument { .. })));
    assert!(matches!(sim().paths(1 << 39).run(), Err(Error::ResourceLimit(_))));
}

#[test]
fn results_round_trip_through_json_and_damaged_files_are_refused() {
    let r = Simulation::new(&frozen())
        .unwrap()
        .paths(50)
        .seed(3)
        .store_paths(2)
        .run()
        .unwrap();
    let text = r.to_json();
    assert_eq!(aibubble::Results::from_json(&text).unwrap(), r);

    // A column one value short: a parse error naming the column, not a panic later.
    let mut damaged = r.clone();
    damaged.labs[0].metrics[0].values.pop();
    let err = aibubble::Results::from_json(&damaged.to_json()).unwrap_err();
    assert!(matches!(err, Error::ResultsFile { .. }), "{err}");
    assert!(err.to_string().contains("fair_value"), "{err}");

    let version = format!("\"schema_version\":{}", aibubble::results::SCHEMA_VERSION);
    assert!(text.contains(&version));
    let newer = text.replacen(&version, "\"schema_version\":7", 1);
    assert!(matches!(
        aibubble::Results::from_json(&newer),
        Err(Error::Schema { found: 7, .. })
    ));

    // A value edited by hand (a fair value made NaN) fails the checksum.
    let mut edited = r.clone();
    edited.labs[0].metrics[0].values[3] = f64::NAN;
    let text_edited = edited.to_json();
    let forged = text_edited.replacen(&edited.checksum(), &r.checksum(), 1);
    let err = aibubble::Results::from_json(&forged).unwrap_err();
    assert!(matches!(err, Error::ResultsFile { .. }), "{err}");
    assert!(err.to_string().contains("checksum"), "{err}");
    // And a file without a checksum is not taken for one of ours.
    let bare = text.replacen(&format!("\"checksum\":\"{}\",", r.checksum()), "", 1);
    assert!(
        aibubble::Results::from_json(&bare)
            .unwrap_err()
            .to_string()
            .contains("no checksum")
    );
}

/// A scenario whose consumer elasticity is drawn so that some paths
/// overflow: the reported failure is the lowest failing path, named, and the
/// same whatever the thread count or the path range.
#[test]
fn non_finite_values_are_numerical_errors_naming_the_lowest_failing_path() {
    let s = frozen()
        .with_overrides([(
            "segments.consumer.elasticity",
            serde_json::json!({"dist": "uniform", "lo": 0.0, "hi": 4000.0}),
        )])
        .unwrap();
    let fail = |threads: usize, range: Option<(u64, u64)>| {
        let mut sim = Simulation::new(&s).unwrap().paths(3 * BATCH).seed(9).threads(threads);
        if let Some((a, b)) = range {
            sim = sim.range(a, b);
        }
        match sim.run().unwrap_err() {
            Error::Numerical {
                variable,
                path,
                step,
                value,
                ..
            } => (variable, path, step, value.is_finite()),
            other => panic!("expected Numerical, got {other}"),
        }
    };
    let one = fail(1, None);
    assert_eq!(one, fail(2, None));
    assert!(!one.3, "the value reported is the non-finite one");
    assert!(
        one.0.starts_with("segments.consumer.") || one.0.starts_with("labs."),
        "{one:?}"
    );
    // A range that starts after that path fails at a later one.
    let later = fail(2, Some((one.1 + 1, 3 * BATCH)));
    assert!(later.1 > one.1, "{later:?} after {one:?}");
    let msg = Simulation::new(&s)
        .unwrap()
        .paths(3 * BATCH)
        .seed(9)
        .run()
        .unwrap_err()
        .to_string();
    assert!(
        msg.contains(&format!("path {}", one.1)) && msg.contains(&one.0),
        "{msg}"
    );
}

/// A committed plan of 1e308 a year drains cash past the largest f64: the
/// error names the lab's cash on path 0 instead of reporting a "-" fair value.
#[test]
fn an_overflowing_cash_balance_is_named() {
    let s = frozen()
        .with_overrides([("labs.alpha.plan", serde_json::json!([[2026.0, 1e308]]))])
        .unwrap();
    let e = Simulation::new(&s).unwrap().paths(10).seed(1).run().unwrap_err();
    assert!(
        matches!(&e, Error::Numerical { variable, path: 0, value, .. }
            if variable == "labs.alpha.cash" && *value == f64::NEG_INFINITY),
        "{e}"
    );
    assert!(e.to_string().contains("labs.alpha.cash = -inf"), "{e}");
}

/// Values over a hundred orders of magnitude (a huge but finite
/// elasticity) run in bounded memory: every sketch store keeps at most its
/// bucket budget and the collapse is reported.
#[test]
fn sketches_stay_bounded_on_extreme_but_finite_runs() {
    let s = frozen()
        .with_overrides([("segments.consumer.elasticity", serde_json::json!(60.0))])
        .unwrap();
    let r = Simulation::new(&s).unwrap().paths(600).seed(2).run().unwrap();
    let max = r
        .series
        .iter()
        .flat_map(|s| s.quarters.iter().map(|q| q.buckets()))
        .max()
        .unwrap();
    assert!(max <= 2 * aibubble::stats::SKETCH_BUCKETS, "{max} buckets");
    assert!(!r.collapsed_series().is_empty());
    assert_eq!(r.summary().collapsed_series.len(), r.collapsed_series().len());
}

/// A noise column moves a row's process noise and nothing else: 0..n
/// reproduces the plain run bit for bit (inputs from the run's own draws),
/// two rows with the same noise index and inputs give the same path, and a
/// row given another row's noise index and inputs gives that row's outputs.
#[test]
fn a_noise_column_sets_each_rows_process_streams() {
    let s = Scenario::preset("baseline").unwrap();
    let n = 40u64;
    let plain = Simulation::new(&s).unwrap().paths(n).seed(5).run().unwrap();
    let cols: Vec<String> = plain.inputs.iter().map(|c| c.name.clone()).collect();
    let row = |p: usize| plain.inputs.iter().map(move |c| c.values[p]);
    let values: Vec<f64> = (0..n as usize).flat_map(row).collect();
    let run = |t: &InputTable| {
        Simulation::new(&s)
            .unwrap()
            .inputs(t)
            .unwrap()
            .paths(n)
            .seed(5)
            .run()
            .unwrap()
    };
    let same = InputTable::new(cols.clone(), values.clone())
        .unwrap()
        .with_noise((0..n).collect())
        .unwrap();
    assert_eq!(run(&same), plain);

    // Every row takes path 7's inputs and noise: every row is path 7.
    let seven: Vec<f64> = (0..n).flat_map(|_| row(7)).collect();
    let r = run(&InputTable::new(cols.clone(), seven)
        .unwrap()
        .with_noise(vec![7; n as usize])
        .unwrap());
    let fv = |r: &aibubble::Results, p: usize| {
        r.lab("openai")
            .unwrap()
            .metrics
            .iter()
            .find(|m| m.name == "fair_value")
            .unwrap()
            .values[p]
    };
    for p in 0..n as usize {
        assert_eq!(fv(&r, p).to_bits(), fv(&plain, 7).to_bits(), "row {p}");
    }
    // A path's inputs with another path's noise: another fair value (the noise matters).
    let k = (0..n as usize).find(|p| fv(&plain, *p) > 0.0).unwrap();
    let mixed = InputTable::new(cols.clone(), (0..n).flat_map(|_| row(k)).collect())
        .unwrap()
        .with_noise((n..2 * n).collect())
        .unwrap();
    let m = run(&mixed);
    assert!((0..n as usize).any(|p| fv(&m, p) != fv(&plain, k)));

    let err = InputTable::new(cols, values)
        .unwrap()
        .with_noise(vec![0; 3])
        .unwrap_err();
    assert!(
        err.to_string().contains("3 noise indices for a table of 40 rows"),
        "{err}"
    );
}
