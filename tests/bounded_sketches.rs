//! Shares and margins sketched with absolute accuracy through the engine
//! (issue 16): the same sketches whatever the thread count or the split of
//! the paths, the scale each series declares, a JSON round trip, a results
//! file whose sketch is on the wrong scale refused, and sketches whose size
//! does not grow with N.

use aibubble::stats::{SKETCH_BUCKETS, SKETCH_WIDTH, Scale, Sketch, quantile_sorted, sorted};
use aibubble::{BATCH, Results, Scenario, Simulation, merge};

fn baseline() -> Scenario {
    Scenario::preset("baseline").unwrap()
}

fn run(s: &Scenario, paths: u64, threads: usize, range: Option<(u64, u64)>) -> Results {
    let mut sim = Simulation::new(s).unwrap().paths(paths).seed(21).threads(threads);
    if let Some((a, b)) = range {
        sim = sim.range(a, b);
    }
    sim.run().unwrap()
}

#[test]
fn bounded_sketches_are_the_same_for_any_thread_count_and_split() {
    let s = baseline();
    let n = 3 * BATCH + 17;
    let one = run(&s, n, 1, None);
    let two = run(&s, n, 2, None);
    assert_eq!(one.series, two.series);
    let parts = vec![
        run(&s, n, 2, Some((BATCH + 5, n))),
        run(&s, n, 1, Some((0, 40))),
        run(&s, n, 2, Some((40, BATCH + 5))),
    ];
    let whole = merge(parts).unwrap();
    assert_eq!(whole.series, one.series);
    // And through the JSON, as the Dask merge goes.
    let back = Results::from_json(&one.to_json()).unwrap();
    assert_eq!(back, one);
    let mut bounded = 0;
    for s in &one.series {
        for sk in &s.quarters {
            assert_eq!(sk.scale(), s.id.scale(), "{}", s.id);
        }
        bounded += usize::from(s.id.scale() != Scale::RELATIVE);
    }
    // Three segments' closed shares, the closed spend share, ten margins.
    assert_eq!(bounded, 3 + 1 + 10);
}

/// Every bounded quantile of a run is within `SKETCH_WIDTH` of numpy's over
/// the run's own full paths.
#[test]
fn bounded_quantiles_of_a_run_are_within_their_accuracy() {
    let s = baseline();
    let n = 2_000;
    let r = Simulation::new(&s)
        .unwrap()
        .paths(n)
        .seed(3)
        .store_paths(n)
        .run()
        .unwrap();
    let (per, ns) = (r.steps + 1, r.series.len());
    let stride = r.steps_per_year / 4;
    for (si, ser) in r.series.iter().enumerate() {
        if ser.id.scale() == Scale::RELATIVE {
            continue;
        }
        for (q, sk) in ser.quarters.iter().enumerate() {
            let xs: Vec<f64> = (0..n as usize)
                .map(|p| r.stored[p * ns * per + si * per + q * stride])
                .collect();
            let xs = sorted(&xs);
            for p in [0.05, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95] {
                let (est, exact) = (sk.quantile(p), quantile_sorted(&xs, p));
                assert!(
                    (est - exact).abs() <= SKETCH_WIDTH,
                    "{} q{q} p{p}: {est} vs {exact}",
                    ser.id
                );
            }
        }
    }
}

#[test]
fn a_sketch_on_the_wrong_scale_is_refused() {
    let mut r = run(&baseline(), 200, 1, None);
    let i = r
        .series
        .iter()
        .position(|s| s.id.variable == "closed_spend_share")
        .unwrap();
    let mut relative = Sketch::new();
    (0..200).for_each(|_| relative.insert(0.9));
    r.series[i].quarters[2] = relative;
    let err = r.check_consistent().unwrap_err();
    assert!(
        err.contains("closed_spend_share at quarter 2") && err.contains("scale"),
        "{err}"
    );
    // Written (with a checksum that matches) and read back: refused too.
    assert!(Results::from_json(&r.to_json()).is_err());
}

/// A hundred times the paths: the bounded sketches stay within their range's
/// buckets and grow by a handful.
#[test]
fn bounded_sketch_size_does_not_grow_with_n() {
    let s = baseline();
    let buckets = |r: &Results| -> Vec<usize> {
        r.series
            .iter()
            .filter(|s| s.id.scale() != Scale::RELATIVE)
            .map(|s| s.quarters.iter().map(Sketch::buckets).max().unwrap())
            .collect()
    };
    let small = buckets(&run(&s, 500, 2, None));
    let large = buckets(&run(&s, 50_000, 2, None));
    for (a, b) in small.iter().zip(&large) {
        assert!(*b <= 2 * SKETCH_BUCKETS, "{b}");
        assert!(*b <= a + a / 2 + 50, "{a} buckets at 500 paths, {b} at 50,000");
    }
}
