//! Back-tests against a distribution known in closed form: a deterministic
//! scenario whose only uncertain input is today's gap, `G_0 ~ N(20, 2)`.
//! With no noise and no jumps the gap recursion is exact exponential decay,
//! `G_k = G_inf + (G_0 - G_inf) exp(-kappa t_k)`, so the gap at `t` is normal
//! with mean `G_inf + (20 - G_inf) e^{-kappa t}` and sd `2 e^{-kappa t}`; an
//! observation at its q-quantile must get percentile q within Monte Carlo
//! error. Also: bad observations give errors naming the line, and the report
//! does not depend on the thread count.

use aibubble::Scenario;
use aibubble::analysis::Runs;
use aibubble::analysis::backtest::{Observations, backtest};
use statrs::distribution::{ContinuousCDF, Normal};

const G_INF: f64 = 2.0;
const HALF_LIFE: f64 = 1.0;
const MEAN: f64 = 20.0;
const SD: f64 = 2.0;

fn scenario() -> Scenario {
    let text = std::fs::read_to_string("tests/data/minimal.toml").unwrap();
    let text = text.replacen(
        "initial = 4.0",
        &format!("initial = {{ dist = \"normal\", mean = {MEAN}, sd = {SD} }}"),
        1,
    );
    let s = Scenario::from_toml_str(&text).unwrap();
    assert_eq!((s.start_year(), s.horizon(), s.steps_per_year), (2026.0, 10.0, 12));
    s
}

/// The gap's q-quantile at `t` years after the start.
fn gap_quantile(t: f64, q: f64) -> f64 {
    let decay = (-(std::f64::consts::LN_2 / HALF_LIFE) * t).exp();
    Normal::new(G_INF + (MEAN - G_INF) * decay, SD * decay)
        .unwrap()
        .inverse_cdf(q)
}

const HEADER: &str = "date,output,lab,segment,value,unit,source,notes\n";

#[test]
fn percentiles_match_a_distribution_known_in_closed_form() {
    // (date, years after the start, quantile)
    let points = [
        ("2026-01", 0.0, 0.5),
        ("2026-07", 0.5, 0.05),
        ("2027-01", 1.0, 0.25),
        ("2028-04-01", 2.25, 0.75),
        ("2029-01", 3.0, 0.95),
        ("2030-07", 4.5, 0.995),
        ("2031-01", 5.0, 0.3),
        ("2036-01", 10.0, 0.6),
    ];
    let mut text = HEADER.to_string();
    for (date, t, q) in points {
        text += &format!("{date},gap,,,{},months,closed form,q = {q}\n", gap_quantile(t, q));
    }
    let obs = Observations::parse(&text, "closed_form.csv").unwrap();
    let n = 20_000;
    let bt = backtest(&scenario(), &obs, &Runs::new(n, 7)).unwrap();
    assert_eq!(bt.rows.len(), points.len());
    for (row, (date, t, q)) in bt.rows.iter().zip(points) {
        let se = (q * (1.0 - q) / n as f64).sqrt();
        assert!(
            (row.percentile_se - se).abs() < 0.2 * se + 1e-4,
            "{date}: se {}",
            row.percentile_se
        );
        assert!(
            (row.percentile - q).abs() < 4.0 * se,
            "{date}: percentile {} vs {q} (se {se})",
            row.percentile
        );
        assert_eq!(row.step, (t * 12.0_f64).round() as usize, "{date}");
        // The bands are the closed form's quantiles, within a few SE of a quantile.
        let sd = SD * (-(std::f64::consts::LN_2 / HALF_LIFE) * t).exp();
        let tol = 4.0 * sd / (n as f64).sqrt() * 3.0;
        assert!((row.p50 - gap_quantile(t, 0.5)).abs() < tol, "{date}: p50 {}", row.p50);
        assert!(
            (row.p5 - gap_quantile(t, 0.05)).abs() < 2.0 * tol,
            "{date}: p5 {}",
            row.p5
        );
        assert!(
            (row.p95 - gap_quantile(t, 0.95)).abs() < 2.0 * tol,
            "{date}: p95 {}",
            row.p95
        );
        assert_eq!(
            row.in_90,
            row.p5 <= row.observation.value && row.observation.value <= row.p95
        );
    }
    // q = 0.05, 0.95 and 0.995 sit on or outside the 90% band's edges: the
    // interior ones are inside, the 0.995 one outside the 90% band.
    assert!(bt.rows[0].in_90 && bt.rows[2].in_90 && bt.rows[3].in_90 && bt.rows[6].in_90 && bt.rows[7].in_90);
    assert!(!bt.rows[5].in_90 && bt.rows[5].in_99 == (bt.rows[5].percentile <= 0.995));
    let s = &bt.summary;
    assert_eq!(s.n, points.len());
    assert_eq!(s.pit.iter().sum::<usize>(), points.len());
    let inside = bt.rows.iter().filter(|r| r.in_90).count();
    assert_eq!(s.in_90.share, inside as f64 / points.len() as f64);
    let p = s.in_90.share;
    assert!((s.in_90.se - (p * (1.0 - p) / points.len() as f64).sqrt()).abs() < 1e-15);
    // The PIT bins: the median in bin 5, q = 0.25 in bin 2, q = 0.995 in bin 9.
    for (row, (_, _, q)) in bt.rows.iter().zip(points) {
        if (q * 10.0 - (q * 10.0).round()).abs() > 0.3 {
            let bin = ((row.percentile * 10.0) as usize).min(9);
            assert!(s.pit[bin] > 0, "q {q}");
        }
    }
}

#[test]
fn a_mark_today_is_its_drawn_value() {
    // At t = 0 a lab's market value is its mark, a fixed number here: every
    // path equals it, so an observation of it has percentile 0.5 (ties
    // count half) and one above it percentile 1.
    let text =
        format!("{HEADER}2026-01,market_value,alpha,,500,USD bn,mark,\n2026-01,market_value,alpha,,501,USD bn,mark,\n");
    let obs = Observations::parse(&text, "m.csv").unwrap();
    let bt = backtest(&scenario(), &obs, &Runs::new(200, 1)).unwrap();
    assert_eq!(bt.rows[0].percentile, 0.5);
    assert_eq!(bt.rows[0].percentile_se, (0.25_f64 / 200.0).sqrt());
    assert!(bt.rows[0].in_90 && bt.rows[0].in_99);
    assert_eq!(bt.rows[1].percentile, 1.0);
    assert!(!bt.rows[1].in_99);
    assert_eq!(bt.summary.pit[5] + bt.summary.pit[9], 2);
}

#[test]
fn observations_the_scenario_cannot_place_name_their_line() {
    let s = scenario();
    for (row, says) in [
        ("2027-01,revenue,omega,,1,,s,", "unknown lab \"omega\""),
        ("2027-01,closed_share,,retail,0.5,,s,", "unknown segment \"retail\""),
        ("2027-01,open_share,,retail,0.5,,s,", "unknown segment \"retail\""),
        ("2027-01,valuation,alpha,,1,,s,", "unknown output \"valuation\""),
        ("2027-01,revenue,,,1,,s,", "revenue is kept per lab"),
        ("2027-01,closed_share,alpha,,1,,s,", "closed_share is kept per segment"),
        ("2027-01,gap,alpha,,1,,s,", "gap is one series for the run"),
        ("2027-01,market_value,gamma,,1,,s,", "lab \"gamma\" has no mark"),
        (
            "2036-02,gap,,,1,,s,",
            "date 2036-02 is outside the run's horizon 2026..2036",
        ),
        ("2025-12,gap,,,1,,s,", "date 2025-12 is outside the run's horizon"),
        ("2027-01,gap,,,one,,s,", "value \"one\" is not a finite number"),
    ] {
        let text = format!("{HEADER}2027-01,gap,,,5,,s,\n{row}\n");
        let e = Observations::parse(&text, "bad.csv")
            .and_then(|o| backtest(&s, &o, &Runs::new(10, 1)))
            .unwrap_err()
            .to_string();
        assert!(
            e.contains(says) && e.contains("bad.csv") && e.contains("line 3"),
            "{row}: {e}"
        );
    }
}

#[test]
fn the_report_does_not_depend_on_threads_and_reads_the_runs_paths() {
    let s = Scenario::preset("baseline").unwrap();
    let text = format!(
        "{HEADER}2026-06,revenue,openai,,25,,s,\n2027-01,open_share,,consumer,0.25,,s,\n2028-01,market_value,anthropic,,400,,s,\n2026-03,price_ratio,,,0.15,,s,\n"
    );
    let obs = Observations::parse(&text, "t.csv").unwrap();
    let report = |threads| {
        let mut r = Runs::new(300, 3);
        r.threads = Some(threads);
        backtest(&s, &obs, &r).unwrap()
    };
    let one = report(1);
    assert_eq!(one, report(2));
    // The same paths as one plain run: the median of the stored series
    // equals a full run's per-path values at that step.
    let full = aibubble::Simulation::new(&s)
        .unwrap()
        .paths(300)
        .seed(3)
        .store_paths(300)
        .run()
        .unwrap();
    let id = aibubble::results::SeriesId {
        variable: "revenue".into(),
        lab: Some("openai".into()),
        segment: None,
    };
    let mut at5: Vec<f64> = full
        .stored_series(&id)
        .unwrap()
        .chunks_exact(full.steps + 1)
        .map(|p| p[5])
        .collect();
    at5.sort_by(f64::total_cmp);
    assert_eq!(one.rows[0].p50, aibubble::stats::quantile_sorted(&at5, 0.5));
}
