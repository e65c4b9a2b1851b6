//! Sobol indices (src/analysis/sobol.rs): the estimator against the
//! Ishigami function's analytic indices, and the engine's design on
//! scenarios whose answer is known.

use std::f64::consts::PI;

use aibubble::Scenario;
use aibubble::analysis::Runs;
use aibubble::analysis::sobol::{Design, Grouping, indices, sobol};
use rand::RngExt;

fn data(name: &str) -> Scenario {
    Scenario::from_file(format!("{}/tests/data/{name}", env!("CARGO_MANIFEST_DIR"))).unwrap()
}

/// Ishigami, a = 7, b = 0.1 (Ishigami and Homma 1990).
fn ishigami(x: [f64; 3]) -> f64 {
    x[0].sin() + 7.0 * x[1].sin().powi(2) + 0.1 * x[2].powi(4) * x[0].sin()
}

#[test]
fn ishigami_indices_match_their_analytic_values_within_four_bootstrap_ses() {
    let n = 4096;
    let mut rng = aibubble::internals::rng::named_stream(11, 0, "ishigami");
    let mut draw = || -> Vec<[f64; 3]> { (0..n).map(|_| [0; 3].map(|_| rng.random_range(-PI..PI))).collect() };
    let (a, b) = (draw(), draw());
    let ab = (0..3)
        .map(|g| {
            a.iter()
                .zip(&b)
                .map(|(ra, rb)| {
                    let mut x = *ra;
                    x[g] = rb[g];
                    ishigami(x)
                })
                .collect()
        })
        .collect();
    let design = Design {
        a: a.iter().map(|x| ishigami(*x)).collect(),
        b: b.iter().map(|x| ishigami(*x)).collect(),
        ab,
    };
    let est = indices(&design, 200, 3).unwrap();
    let s1 = [0.3139, 0.4424, 0.0];
    let st = [0.5576, 0.4424, 0.2437];
    for g in 0..3 {
        let e = est[g];
        assert!(e.s1.1 > 0.0 && e.s1.1 < 0.05, "x{}: S1 se {}", g + 1, e.s1.1);
        assert!(
            (e.s1.0 - s1[g]).abs() < 4.0 * e.s1.1,
            "x{}: S1 {:?} vs {}",
            g + 1,
            e.s1,
            s1[g]
        );
        assert!(
            (e.st.0 - st[g]).abs() < 4.0 * e.st.1,
            "x{}: ST {:?} vs {}",
            g + 1,
            e.st,
            st[g]
        );
        assert!(e.s1.2 <= e.s1.0 && e.s1.0 <= e.s1.3 && e.st.2 <= e.st.0 && e.st.0 <= e.st.3);
    }
    // The same resamples from the same seed; others from another.
    assert_eq!(indices(&design, 200, 3).unwrap(), est);
    assert_ne!(indices(&design, 200, 4).unwrap()[0].s1.1, est[0].s1.1);
}

#[test]
fn bad_designs_are_refused() {
    let d = |a: Vec<f64>, b: Vec<f64>| Design {
        a,
        b,
        ab: vec![vec![1.0, 2.0]],
    };
    for (design, says) in [
        (d(vec![1.0, 2.0], vec![1.0]), "at least 2 rows"),
        (d(vec![1.0, f64::NAN], vec![1.0, 2.0]), "not finite"),
        (
            Design {
                a: vec![1.0; 2],
                b: vec![1.0; 2],
                ab: vec![vec![1.0; 2]],
            },
            "constant",
        ),
    ] {
        let e = indices(&design, 10, 1).unwrap_err().to_string();
        assert!(e.contains(says), "{e}");
    }
}

/// The deterministic scenario with one uncertain input: the fair value
/// depends on it alone, so its indices are 1 and the noise's exactly 0.
#[test]
fn one_input_without_noise_takes_the_whole_variance() {
    let text = std::fs::read_to_string(format!(
        "{}/tests/data/deterministic_v2.toml",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap();
    let text = text.replacen(
        "discount_rate = 0.1\n",
        "discount_rate = { dist = \"triangular\", lo = 0.08, mode = 0.1, hi = 0.14 }\n",
        1,
    );
    let s = Scenario::from_toml_str(&text).unwrap();
    let r = sobol(
        &s,
        "labs.alpha.fair_value",
        &Grouping::default(),
        100,
        &Runs::new(256, 3),
    )
    .unwrap();
    assert_eq!(r.rows.len(), 2);
    let (x, noise) = (&r.rows[0], &r.rows[1]);
    assert_eq!(x.group, "valuation.discount_rate");
    assert_eq!(noise.group, "noise");
    assert!((x.s1 - 1.0).abs() < 4.0 * x.s1_se.max(1e-9), "{x:?}");
    assert!((x.st - 1.0).abs() < 4.0 * x.st_se.max(1e-9), "{x:?}");
    assert_eq!((noise.s1, noise.st), (0.0, 0.0));
    assert_eq!(r.evaluations, 256 * 4);
    assert_eq!(r.output, "labs.alpha.fair_value");
    assert!(!r.correlated);
}

/// The deterministic scenario with demand noise and one uncertain input
/// that alpha's fair value does not read (beta's starting cash): the noise
/// takes the whole variance, the input exactly none.
#[test]
fn noise_alone_takes_the_whole_variance() {
    let text = std::fs::read_to_string(format!(
        "{}/tests/data/deterministic_v2.toml",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap();
    let text = text
        .replacen("price_index = \"ces\"\n", "price_index = \"ces\"\nsigma = 0.2\n", 1)
        .replacen(
            "cash_0 = 4.0\n",
            "cash_0 = { dist = \"uniform\", lo = 2.0, hi = 6.0 }\n",
            1,
        );
    let s = Scenario::from_toml_str(&text).unwrap();
    let r = sobol(
        &s,
        "labs.alpha.fair_value",
        &Grouping::default(),
        100,
        &Runs::new(256, 4),
    )
    .unwrap();
    let (x, noise) = (&r.rows[0], &r.rows[1]);
    assert_eq!((x.group.as_str(), noise.group.as_str()), ("labs.beta.cash_0", "noise"));
    assert_eq!((x.s1, x.st), (0.0, 0.0));
    assert!(
        (noise.s1 - 1.0).abs() < 4.0 * noise.s1_se && noise.s1_se < 0.2,
        "{noise:?}"
    );
    assert!(
        (noise.st - 1.0).abs() < 4.0 * noise.st_se && noise.st_se < 0.2,
        "{noise:?}"
    );
}

#[test]
fn the_design_is_the_same_on_one_thread_and_two_and_shows_the_noise() {
    let s = data("frozen.toml");
    let run = |threads| {
        let mut runs = Runs::new(300, 9);
        runs.threads = Some(threads);
        sobol(&s, "labs.alpha.fair_value", &Grouping::default(), 50, &runs).unwrap()
    };
    let one = run(1);
    assert_eq!(one, run(2));
    assert_eq!(one.design, run(2).design);
    let names: Vec<&str> = one.rows.iter().map(|r| r.group.as_str()).collect();
    assert_eq!(names.last(), Some(&"noise"));
    assert!(names.contains(&"gap.initial") && names.contains(&"valuation.discount_rate"));
    // The noise moves a fair value: its total index is well above zero.
    let noise = one.rows.last().unwrap();
    assert!(noise.st > 4.0 * noise.st_se, "{noise:?}");
    // frozen correlates gap.initial with gap.half_life: flagged, unless grouped.
    assert!(one.correlated);
    assert_eq!(one.correlated_inputs, ["gap.initial", "gap.half_life"]);
}

#[test]
fn correlated_blocks_and_prefixes_group_inputs() {
    let s = data("frozen.toml");
    let grouping = Grouping {
        prefixes: vec!["valuation.".into()],
        correlated: true,
    };
    let r = sobol(&s, "labs.alpha.phi", &grouping, 20, &Runs::new(40, 1)).unwrap();
    assert!(!r.correlated && r.correlated_inputs.is_empty());
    let block = r.rows.iter().find(|x| x.group == "gap.initial+gap.half_life").unwrap();
    assert_eq!(block.inputs, ["gap.initial", "gap.half_life"]);
    let val = r.rows.iter().find(|x| x.group == "valuation.").unwrap();
    assert_eq!(val.inputs, ["valuation.discount_rate"]);
    assert_eq!(r.evaluations, 40 * (r.rows.len() as u64 + 2));
}

#[test]
fn bad_requests_are_named() {
    let s = data("frozen.toml");
    let runs = Runs::new(40, 1);
    let prefix = |p: &str| Grouping {
        prefixes: vec![p.into()],
        correlated: false,
    };
    for (output, grouping, paths, says) in [
        ("labs.alpha.fair_valu", Grouping::default(), 40, "fair_valu"),
        ("labs.nope.fair_value", Grouping::default(), 40, "no lab \"nope\""),
        (
            "labs.alpha.fair_value.p50",
            Grouping::default(),
            40,
            "is a median, not a per-path output",
        ),
        (
            "labs.alpha.fair_value",
            prefix("gap.long_run"),
            40,
            "names no uncertain input",
        ),
        (
            "labs.alpha.fair_value",
            prefix("nothing."),
            40,
            "names no input of the scenario",
        ),
        (
            "labs.alpha.fair_value",
            Grouping::default(),
            10,
            "at least 20 base rows",
        ),
    ] {
        let mut r = runs.clone();
        r.paths = paths;
        let e = sobol(&s, output, &grouping, 20, &r).unwrap_err().to_string();
        assert!(e.contains(says), "{output}: {e}");
    }
}
