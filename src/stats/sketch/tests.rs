use rand::{RngExt, SeedableRng};
use rand_distr::StandardNormal;
use rand_xoshiro::Xoshiro256PlusPlus;

use super::*;
use crate::stats::quantile_sorted;

/// Share-like values: `logistic(logit(centre) + spread z)`, z standard normal.
fn shares(n: usize, centre: f64, spread: f64, seed: u64) -> Vec<f64> {
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed);
    let logit = (centre / (1.0 - centre)).ln();
    (0..n)
        .map(|_| {
            let z: f64 = rng.sample(StandardNormal);
            1.0 / (1.0 + (-(logit + spread * z)).exp())
        })
        .collect()
}

fn sketch_of(scale: Scale, xs: &[f64]) -> Sketch {
    let mut sk = Sketch::with_scale(scale);
    xs.iter().for_each(|x| sk.insert(*x));
    sk
}

const QS: [f64; 9] = [0.05, 0.1, 0.25, 0.4, 0.5, 0.6, 0.75, 0.9, 0.95];

/// Within the range, every quantile is within `SKETCH_WIDTH` of numpy's
/// (type 7) over the exact values, at every N.
#[test]
fn bounded_sketch_is_within_its_absolute_accuracy_of_numpy() {
    for (n, seed) in [(10, 1), (101, 2), (1_000, 3), (10_000, 4), (200_000, 5)] {
        for (centre, spread) in [(0.95, 0.8), (0.5, 2.0), (0.02, 0.3)] {
            let xs = shares(n, centre, spread, seed);
            let sk = sketch_of(Scale::SHARE, &xs);
            let s = crate::stats::sorted(&xs);
            for q in QS {
                let (est, exact) = (sk.quantile(q), quantile_sorted(&s, q));
                assert!(
                    (est - exact).abs() <= SKETCH_WIDTH,
                    "n={n} centre={centre} q={q}: {est} vs {exact}"
                );
            }
        }
    }
    // Margins, some below 0.
    let xs: Vec<f64> = shares(5_000, 0.5, 1.0, 6).iter().map(|u| 1.6 * u - 0.8).collect();
    let sk = sketch_of(Scale::MARGIN, &xs);
    let s = crate::stats::sorted(&xs);
    for q in QS {
        assert!((sk.quantile(q) - quantile_sorted(&s, q)).abs() <= SKETCH_WIDTH, "q={q}");
    }
}

/// Values outside the range keep the relative accuracy, and the order of
/// ranks runs through both parts.
#[test]
fn bounded_sketch_takes_values_outside_its_range_with_relative_accuracy() {
    // Margins from -5 to 0.99: a fifth below -1.
    let xs: Vec<f64> = (0..10_000).map(|i| -5.0 + 5.99 * (i as f64 / 9_999.0)).collect();
    let sk = sketch_of(Scale::MARGIN, &xs);
    assert_eq!(sk.count(), 10_000);
    for q in QS {
        let exact = xs[(q * 9_999.0).floor() as usize];
        let est = sk.quantile(q);
        let tol = if exact < -1.0 {
            SKETCH_ALPHA * exact.abs()
        } else {
            SKETCH_WIDTH + 6e-4
        };
        assert!((est - exact).abs() <= tol, "q={q}: {est} vs {exact}");
    }
    assert_eq!(sk.quantile(0.0), sk.quantile(0.0).min(-1.0));
}

/// Shifting every value by a tenth of a bucket moves the median by about
/// that much each time, not by whole buckets now and then (no staircase).
#[test]
fn bounded_quantiles_move_smoothly() {
    let base = shares(20_000, 0.95, 0.6, 7);
    let step = SKETCH_WIDTH / 10.0;
    let medians: Vec<f64> = (0..50)
        .map(|k| {
            let xs: Vec<f64> = base.iter().map(|x| (x - 0.05 + k as f64 * step).min(1.0)).collect();
            sketch_of(Scale::SHARE, &xs).quantile(0.5)
        })
        .collect();
    let moves: Vec<f64> = medians.windows(2).map(|w| w[1] - w[0]).collect();
    // Every move is forward and below 3 steps; the relative sketch's would
    // be 0 or a bucket (2% of 0.9, 180 steps).
    assert!(moves.iter().all(|d| *d > 0.0 && *d < 3.0 * step), "{moves:?}");
}

/// Merging is exact and order-free, and equals one sketch of every value,
/// inserted in any order.
#[test]
fn bounded_merge_is_exact_and_order_free() {
    let mut xs = shares(30_000, 0.9, 1.5, 8);
    // Some outside the range, on both sides.
    xs.extend([-0.3, -1e-12, 1.0, 1.7, 0.0, -0.0]);
    let whole = sketch_of(Scale::SHARE, &xs);
    let reversed: Vec<f64> = xs.iter().rev().copied().collect();
    assert_eq!(sketch_of(Scale::SHARE, &reversed), whole);
    let mut parts = [
        Sketch::with_scale(Scale::SHARE),
        Sketch::with_scale(Scale::SHARE),
        Sketch::with_scale(Scale::SHARE),
    ];
    for (i, x) in xs.iter().enumerate() {
        parts[(i * 31 + i / 7) % 3].insert(*x);
    }
    let mut a = parts[0].clone();
    a.merge(&parts[1]);
    a.merge(&parts[2]);
    let mut b = parts[2].clone();
    b.merge(&parts[1]);
    b.merge(&parts[0]);
    assert_eq!(a, whole);
    assert_eq!(b, whole);
    for q in QS {
        assert_eq!(a.quantile(q).to_bits(), whole.quantile(q).to_bits());
    }
}

/// The bounded part holds at most the range's buckets whatever N; with a
/// fixed distribution, 100 times the values adds few buckets.
#[test]
fn bounded_sketch_size_does_not_grow_with_n() {
    let small = sketch_of(Scale::SHARE, &shares(2_000, 0.5, 3.0, 9));
    let large = sketch_of(Scale::SHARE, &shares(200_000, 0.5, 3.0, 10));
    assert!(large.buckets() <= SKETCH_BUCKETS, "{}", large.buckets());
    assert!(
        large.buckets() <= small.buckets() + 10,
        "{} vs {}",
        large.buckets(),
        small.buckets()
    );
    let all: Vec<f64> = (0..=40_000).map(|i| i as f64 / 20_000.0 - 1.0).collect();
    let margin = sketch_of(Scale::MARGIN, &all);
    assert_eq!(margin.buckets(), 4_096);
    assert!(!margin.collapsed());
}

#[test]
fn sketches_round_trip_through_json_and_bad_ranges_are_refused() {
    for scale in [Scale::RELATIVE, Scale::SHARE, Scale::MARGIN] {
        let xs = shares(1_000, 0.7, 1.0, 11);
        let sk = sketch_of(scale, &xs);
        let json = serde_json::to_string(&sk).unwrap();
        let back: Sketch = serde_json::from_str(&json).unwrap();
        assert_eq!(back, sk);
        assert_eq!(back.scale(), scale);
        assert_eq!(back.check(1_000), Ok(()));
    }
    // A relative sketch is written as before bounded scales existed.
    let json = serde_json::to_string(&sketch_of(Scale::RELATIVE, &[0.5])).unwrap();
    assert!(!json.contains("linear"), "{json}");
    let sk = sketch_of(Scale::SHARE, &[0.5, 0.25]);
    let json = serde_json::to_string(&sk).unwrap();
    for (from, to) in [
        ("\"width\":0.00048828125", "\"width\":0.001"),
        ("\"hi\":1.0", "\"hi\":1e9"),
        ("\"lo\":0.0", "\"lo\":0.5"),
        ("\"offset\":512", "\"offset\":2047"),
    ] {
        assert!(json.contains(from), "{json}");
        let bad: Sketch = serde_json::from_str(&json.replace(from, to)).unwrap();
        assert!(bad.check(2).is_err(), "{to}");
    }
}

#[test]
fn sketch_is_within_relative_accuracy_of_the_order_statistic() {
    let xs: Vec<f64> = (0..10_001).map(|i| -50.0 + 0.013 * i as f64 + 1e-3).collect();
    let mut sk = Sketch::new();
    xs.iter().for_each(|x| sk.insert(*x));
    for q in [0.0, 0.05, 0.25, 0.5, 0.75, 0.95, 1.0] {
        let exact = xs[(q * (xs.len() - 1) as f64).floor() as usize];
        let est = sk.quantile(q);
        assert!(
            (est - exact).abs() <= SKETCH_ALPHA * exact.abs() + 1e-12,
            "q={q}: {est} vs {exact}"
        );
    }
}

/// Values over 40 orders of magnitude: every store stays within its
/// bucket budget, the smallest magnitudes collapse, and the result is
/// the same for any insertion order and any split merged back.
#[test]
fn sketch_is_bounded_and_order_free_when_it_collapses() {
    let xs: Vec<f64> = (0..20_000)
        .map(|i| {
            let e = ((i * 7919) % 4001) as f64 / 100.0 - 10.0; // exponents -10..30
            let sign = if i % 5 == 0 { -1.0 } else { 1.0 };
            sign * 10f64.powf(e)
        })
        .collect();
    let mut forward = Sketch::new();
    xs.iter().for_each(|x| forward.insert(*x));
    let mut backward = Sketch::new();
    xs.iter().rev().for_each(|x| backward.insert(*x));
    let mut sorted_in = Sketch::new();
    let mut s = xs.clone();
    s.sort_by(f64::total_cmp);
    s.iter().for_each(|x| sorted_in.insert(*x));
    assert_eq!(forward, backward);
    assert_eq!(forward, sorted_in);
    assert!(forward.collapsed());
    assert!(forward.positive.counts.len() <= SKETCH_BUCKETS);
    assert!(forward.negative.counts.len() <= SKETCH_BUCKETS);
    assert_eq!(forward.count(), xs.len() as u64);
    // Three parts, merged in two orders.
    let mut parts = [Sketch::new(), Sketch::new(), Sketch::new()];
    for (i, x) in xs.iter().enumerate() {
        parts[(i * 31) % 3].insert(*x);
    }
    let mut a = parts[0].clone();
    a.merge(&parts[1]);
    a.merge(&parts[2]);
    let mut b = parts[2].clone();
    b.merge(&parts[0]);
    b.merge(&parts[1]);
    assert_eq!(a, forward);
    assert_eq!(b, forward);
    // The large quantiles keep their relative accuracy.
    let exact = s[(0.95 * (s.len() - 1) as f64).floor() as usize];
    assert!((forward.quantile(0.95) - exact).abs() <= SKETCH_ALPHA * exact.abs());
}

#[test]
fn sketch_within_the_budget_does_not_collapse() {
    let mut sk = Sketch::new();
    for i in 0..1000 {
        sk.insert(1.0 + i as f64);
        sk.insert(-1e-3 * (1.0 + i as f64));
    }
    assert!(!sk.collapsed());
}

#[test]
fn sketch_merge_is_exact() {
    let mut a = Sketch::new();
    let mut b = Sketch::new();
    let mut all = Sketch::new();
    for i in 0..1000 {
        let x = (i as f64 * 0.37).sin() * 100.0;
        if i % 3 == 0 { &mut a } else { &mut b }.insert(x);
        all.insert(x);
    }
    let mut ba = b.clone();
    ba.merge(&a);
    a.merge(&b);
    assert_eq!(a, all);
    assert_eq!(ba.count(), all.count());
    for q in [0.1, 0.5, 0.9] {
        assert_eq!(ba.quantile(q), all.quantile(q));
    }
}
