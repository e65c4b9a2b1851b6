//! `keep_years`: with it, each lab's yearly revenue and FCF are kept per
//! path; without, each year's mean and sd come from exact sums over the
//! paths. The two agree to 1e-12, everything else is bit for bit the same,
//! and either mode gives the same bits whatever the threads or path split.

use std::path::Path;

use aibubble::results::{LabPaths, Results};
use aibubble::{Error, Scenario, Simulation, merge};

fn run(s: &Scenario, paths: u64, keep: bool) -> Results {
    Simulation::new(s)
        .unwrap()
        .paths(paths)
        .seed(5)
        .store_paths(2)
        .keep_years(keep)
        .run()
        .unwrap()
}

/// Everything but the yearly columns (and the flag that says whether they are kept).
fn without_years(r: &Results) -> Results {
    let mut r = r.clone();
    r.keep_years = false;
    for lab in &mut r.labs {
        lab.revenue.clear();
        lab.fcf.clear();
    }
    r
}

fn rel(a: f64, b: f64) -> f64 {
    if a == b {
        0.0
    } else {
        (a - b).abs() / a.abs().max(b.abs())
    }
}

#[test]
fn kept_and_summed_years_agree_and_nothing_else_moves() {
    let s = Scenario::preset("baseline").unwrap();
    let kept = run(&s, 700, true);
    let summed = run(&s, 700, false);
    assert!(kept.keep_years && !summed.keep_years);
    assert_eq!(kept.labs[0].revenue.len(), kept.years.len());
    assert!(summed.labs.iter().all(|l| l.revenue.is_empty() && l.fcf.is_empty()));
    // Inputs, metrics, events, PV of savings, sketches, stored paths and
    // the exact moments: the same bits.
    assert_eq!(without_years(&kept), summed);
    let (a, b) = (kept.summary(), summed.summary());
    let mut worst: f64 = 0.0;
    for (la, lb) in a.labs.iter().zip(&b.labs) {
        for (ya, yb) in la.revenue.iter().chain(&la.fcf).zip(lb.revenue.iter().chain(&lb.fcf)) {
            assert_eq!((ya.year, ya.n), (yb.year, yb.n));
            assert!(ya.quantiles.is_some() && yb.quantiles.is_none());
            for (x, y) in [(ya.mean, yb.mean), (ya.sd, yb.sd), (ya.se, yb.se)] {
                worst = worst.max(rel(x, y));
            }
        }
    }
    assert!(worst <= 1e-12, "per-year moments differ by {worst:e} relative");
    // The rest of the summary does not depend on the mode.
    let strip = |mut s: aibubble::summary::Summary| {
        for l in &mut s.labs {
            l.revenue.clear();
            l.fcf.clear();
        }
        s
    };
    // (As JSON: NaN, a statistic over no path, is null there and equal.)
    assert_eq!(strip(a).to_json(), strip(b).to_json());
}

/// The exact moments against the columns they summarise.
#[test]
fn the_moments_are_those_of_the_columns() {
    let s = Scenario::preset("ft_bubble").unwrap();
    let r = run(&s, 300, true);
    for lab in &r.labs {
        for (c, m) in lab
            .revenue
            .iter()
            .chain(&lab.fcf)
            .zip(lab.revenue_moments.iter().chain(&lab.fcf_moments))
        {
            let n = c.values.len() as f64;
            let mean = c.values.iter().sum::<f64>() / n;
            let sd = (c.values.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0)).sqrt();
            assert_eq!(m.n, c.values.len() as u64);
            assert!(rel(m.mean(), mean) <= 1e-12, "{}: {} vs {mean}", lab.id, m.mean());
            assert!(
                rel(m.sd(), sd) <= 1e-12 || (m.sd() - sd).abs() <= 1e-12 * mean.abs(),
                "{}",
                lab.id
            );
            let (lo, hi) = c
                .values
                .iter()
                .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), x| (a.min(*x), b.max(*x)));
            assert_eq!((m.min(), m.max()), (lo, hi));
        }
    }
}

#[test]
fn deterministic_mode_has_sd_exactly_zero_without_keep_years() {
    let file = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/deterministic_v2.toml");
    let s = Scenario::from_file(file).unwrap();
    let r = run(&s, 40, false);
    let summary = r.summary();
    let lab = &summary.labs[0];
    assert!(lab.revenue.iter().any(|y| y.mean != 0.0));
    for y in lab
        .revenue
        .iter()
        .chain(&lab.fcf)
        .chain(summary.labs.iter().flat_map(|l| &l.revenue))
    {
        assert_eq!((y.sd, y.se), (0.0, 0.0), "year {}", y.year);
    }
    // Every path's value is the mean, bit for bit.
    let kept = run(&s, 40, true);
    for (c, y) in kept.labs[0].revenue.iter().zip(&lab.revenue) {
        assert!(c.values.iter().all(|x| x.to_bits() == y.mean.to_bits()));
    }
}

#[test]
fn threads_and_splits_give_the_same_bits_in_both_modes() {
    let s = Scenario::preset("baseline").unwrap();
    for keep in [false, true] {
        let sim = || Simulation::new(&s).unwrap().paths(900).seed(3).keep_years(keep);
        let one = sim().threads(1).run().unwrap();
        let two = sim().threads(2).run().unwrap();
        let parts = vec![
            sim().range(600, 900).run().unwrap(),
            sim().range(0, 257).threads(1).run().unwrap(),
            sim().range(257, 600).run().unwrap(),
        ];
        let merged = merge(parts).unwrap();
        assert_eq!(one, two, "keep_years {keep}: 1 vs 2 threads");
        assert_eq!(one, merged, "keep_years {keep}: split and merged");
        assert_eq!(one.to_json(), merged.to_json());
        let back = Results::from_json(&merged.to_json()).unwrap();
        assert_eq!(back, one);
    }
}

#[test]
fn parts_of_different_modes_do_not_merge() {
    let s = Scenario::preset("baseline").unwrap();
    let sim = |keep| Simulation::new(&s).unwrap().paths(600).seed(3).keep_years(keep);
    let a = sim(true).range(0, 300).run().unwrap();
    let b = sim(false).range(300, 600).run().unwrap();
    let err = merge(vec![a, b]).unwrap_err();
    assert!(err.to_string().contains("keep_years"), "{err}");
}

#[test]
fn per_year_quantiles_and_values_without_keep_years_are_errors_naming_it() {
    let s = Scenario::preset("baseline").unwrap();
    let r = run(&s, 300, false);
    let y = r.summary().labs[0].revenue[0];
    match y.quantiles() {
        Err(Error::Argument { name, message }) => {
            assert_eq!(name, "keep_years");
            assert!(message.contains("--keep-years"), "{message}");
        }
        other => panic!("expected an argument error, got {other:?}"),
    }
    let lab: &LabPaths = &r.labs[0];
    assert!(matches!(lab.year_values("revenue", 0), Err(Error::Argument { ref name, .. }) if name == "keep_years"));
    // With keep_years both are there.
    let kept = run(&s, 300, true);
    let q = kept.summary().labs[0].revenue[0].quantiles().unwrap();
    assert!(q.p5 <= q.p50 && q.p50 <= q.p95);
    assert_eq!(kept.labs[0].year_values("fcf", 1).unwrap().len(), 300);
    // The summary's JSON has no per-year quantiles without it (never a NaN).
    let json: serde_json::Value = serde_json::from_str(&r.summary().to_json()).unwrap();
    let year = &json["labs"][0]["revenue"][0];
    assert!(year.get("p50").is_none() && year["mean"].is_number(), "{year}");
}

#[test]
fn the_memory_estimate_counts_years_only_when_kept() {
    let s = Scenario::preset("baseline").unwrap();
    let r = run(&s, 10, true);
    let labs = s.labs.len() as u64;
    let years = r.years.len() as u64;
    let sim = |keep| {
        Simulation::new(&s)
            .unwrap()
            .paths(1_000_000)
            .threads(1)
            .keep_years(keep)
    };
    let (without, with) = (sim(false).memory_estimate(), sim(true).memory_estimate());
    let row = r.inputs.len() as u64 + labs * 9 + s.events.len() as u64 + 1;
    assert_eq!(without.outputs, row);
    assert_eq!(with.outputs, row + 2 * labs * years);
    assert_eq!(with.table - without.table, 1_000_000 * 2 * labs * years * 8);
    // baseline: most of the table was the yearly flows.
    assert!(without.table * 2 < with.table, "{without} vs {with}");
}
