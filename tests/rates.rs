//! The rates (unit 1/year) and their domains: a rate beyond its bound is a
//! scenario error naming the field, whether a number or a distribution
//! that can draw beyond it; the largest rates the domains allow run in
//! bounded time and change the results. (Before the bounds, a release rate
//! of 1e12 a year never finished, and one of 1e25 ran as if it were 0.)

use std::time::{Duration, Instant};

use aibubble::internals::Num;
use aibubble::{Error, Scenario, Simulation};
use serde_json::{Value, json};

fn baseline() -> Scenario {
    Scenario::preset("baseline").unwrap()
}

/// Every input counted per year that the domains cap at 365, by field path in `baseline`.
const CAPPED: [&str; 9] = [
    "gap.release_rate",
    "attractiveness.jump_rate",
    "events.big_tech_switch.hazard",
    "events.open_killer_app.hazard",
    "prices.adjustment_speed",
    "segments.consumer.switching",
    "segments.enterprise.switching",
    "segments.frontier.switching",
    "valuation.discount_rate",
];

/// The problem of `baseline` with `path` set to `value`, as text (a drawn
/// input set to a number also loses its rank correlations, another problem).
fn problem(path: &str, value: Value) -> String {
    match baseline().with_overrides([(path, value)]) {
        Err(Error::Scenario(p)) => {
            assert_eq!(p.0[0].path, path, "{p}");
            assert!(p.0[1..].iter().all(|q| q.path.starts_with("correlation.inputs")), "{p}");
            p.to_string()
        }
        other => panic!("{path}: expected a scenario error, got {other:?}"),
    }
}

#[test]
fn rates_beyond_their_bounds_are_scenario_errors_naming_the_field() {
    // The discount rate has no upper bound (a larger rate only discounts more).
    for path in &CAPPED[..8] {
        for value in [1e12, 1e25, 1e308, 366.0] {
            let msg = problem(path, json!(value));
            assert!(
                msg.contains(&format!("{path}: must be in [0, 365], got {}", Num(value))),
                "{msg}"
            );
        }
        // 365 itself is allowed.
        baseline().with(path, 365.0).unwrap();
    }
    assert!(baseline().with("valuation.discount_rate", 1e12).is_ok());
    for path in [
        "prices.closed_decline",
        "prices.ratio_drift",
        "segments.consumer.growth_0",
        "segments.frontier.growth_inf",
        "labs.openai.drift",
    ] {
        let msg = problem(path, json!(11.0));
        assert!(msg.contains(&format!("{path}: must be in [-10, 10], got 11")), "{msg}");
        let msg = problem(path, json!(-1e12));
        assert!(
            msg.contains(&format!("{path}: must be in [-10, 10], got {}", Num(-1e12))),
            "{msg}"
        );
    }
    let msg = problem("labs.openai.growth_trailing", json!(20.0));
    assert!(
        msg.contains("labs.openai.growth_trailing: must be in (0, 10], got 20"),
        "{msg}"
    );
}

#[test]
fn a_rate_distribution_must_stay_within_the_bound() {
    let msg = problem(
        "attractiveness.jump_rate",
        json!({"dist": "uniform", "lo": 1.0, "hi": 1000.0}),
    );
    assert!(
        msg.contains("attractiveness.jump_rate: must be in [0, 365], but uniform")
            && msg.contains("can draw values in [1, 1000]; truncate it with min/max"),
        "{msg}"
    );
    // An unbounded family must be truncated inside [0, 365].
    let msg = problem("gap.release_rate", json!({"dist": "lognormal", "mean": 6.0, "sd": 2.0}));
    assert!(
        msg.contains("gap.release_rate: must be in [0, 365], but lognormal"),
        "{msg}"
    );
    let ok = json!({"dist": "lognormal", "mean": 6.0, "sd": 2.0, "min": 0.5, "max": 365.0});
    baseline().with_overrides([("gap.release_rate", ok)]).unwrap();
}

/// `baseline` with every capped count, hazard and speed at `rate` (the
/// switching and hazards only where it is not 0, so that the events and
/// shares still have their baseline meaning when comparing with 0).
fn with_rates(rate: f64, steps: u32, horizon: f64) -> Scenario {
    let mut o: Vec<(&str, Value)> = vec![
        ("steps_per_year", json!(steps)),
        ("horizon", json!(horizon)),
        ("gap.release_rate", json!(rate)),
        ("attractiveness.jump_rate", json!(rate)),
    ];
    if rate > 0.0 {
        o.extend(CAPPED[2..8].iter().map(|p| (*p, json!(rate))));
    }
    baseline().with_overrides(o).unwrap()
}

#[test]
fn the_largest_rates_finish_and_change_the_results() {
    // Quarterly steps: the most jumps a period (365 / 4 = 91.25 on average,
    // lognormal gap jumps drawn one by one, normal attractiveness jumps at
    // once); then the finest grid (364 steps a year: 365 per year is about
    // one jump a step, 2 years).
    for (steps, horizon, paths) in [(4, 10.0, 256), (364, 2.0, 32)] {
        let t0 = Instant::now();
        let most = Simulation::new(&with_rates(365.0, steps, horizon))
            .unwrap()
            .paths(paths)
            .seed(5)
            .run()
            .unwrap();
        let took = t0.elapsed();
        let none = Simulation::new(&with_rates(0.0, steps, horizon))
            .unwrap()
            .paths(paths)
            .seed(5)
            .run()
            .unwrap();
        eprintln!("{steps} steps a year, {horizon} years, {paths} paths at 365 a year: {took:?}");
        assert_eq!(most.len() as u64, paths);
        assert_ne!(most, none, "{steps} steps: rates of 365 and 0 gave the same results");
        // The gap is pushed out by 365 releases a year of baseline's jumps.
        let gap = |r: &aibubble::Results| r.series[0].quarters.last().unwrap().quantile(0.5);
        assert!(gap(&most) > gap(&none) + 10.0, "gap {} vs {}", gap(&most), gap(&none));
    }
}

/// A CLI run that should end at once: its output, or a failure if it is still
/// running after `limit` (the issue: `--set gap.release_rate=1e12` never ended).
fn cli_within(args: &[&str], limit: Duration) -> std::process::Output {
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_aibubble"))
        .args(args)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let t0 = Instant::now();
    while child.try_wait().unwrap().is_none() {
        if t0.elapsed() > limit {
            child.kill().unwrap();
            let _ = child.wait();
            panic!("aibubble {args:?} still running after {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    child.wait_with_output().unwrap()
}

#[cfg(feature = "cli")]
#[test]
fn the_cli_refuses_huge_rates_at_once() {
    for set in [
        "gap.release_rate=1e12",
        "attractiveness.jump_rate=1e12",
        "gap.release_rate=1e25",
        "attractiveness.jump_rate=1e308",
    ] {
        // Validation takes milliseconds; a minute only guards against a hang.
        let o = cli_within(
            &["run", "baseline", "--paths", "1", "--set", set],
            Duration::from_secs(60),
        );
        let err = String::from_utf8_lossy(&o.stderr);
        let (path, value) = set.split_once('=').unwrap();
        let value = Num(value.parse().unwrap());
        assert_eq!(o.status.code(), Some(3), "{set}: {err}");
        assert!(
            err.contains(&format!("{path}: must be in [0, 365], got {value}")),
            "{set}: {err}"
        );
    }
}
