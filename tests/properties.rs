//! Properties that hold for any valid inputs: random scenarios around the
//! frozen test scenario always run, and their outputs respect the model's
//! invariants (limited liability, drawdowns in [0, 1], probabilities with
//! their standard errors, one sketch count per path).

use aibubble::{Scenario, Simulation};
use proptest::prelude::*;
use serde_json::json;

fn frozen() -> Scenario {
    Scenario::from_file(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/frozen.toml")).unwrap()
}

/// Overrides drawn inside each field's domain.
fn overrides() -> impl Strategy<Value = Vec<(&'static str, f64)>> {
    (
        0.0f64..12.0,  // gap.long_run
        0.05f64..5.0,  // gap.half_life: mean of its lognormal
        0.0f64..1.0,   // segments.consumer.switching
        0.0f64..3.0,   // segments.enterprise.elasticity
        0.01f64..0.99, // segments.consumer.closed_share_0
        -0.5f64..1.5,  // prices.closed_decline
        0.0f64..1.0,   // labs.alpha.committed
        0.0f64..2.0,   // events.switch.hazard
        0.05f64..0.95, // valuation.pop_threshold
    )
        .prop_map(|(g, h, sw, el, u, d, chi, hz, pop)| {
            vec![
                ("gap.long_run", g),
                ("gap.half_life", h),
                ("segments.consumer.switching", sw),
                ("segments.enterprise.elasticity", el),
                ("segments.consumer.closed_share_0", u),
                ("prices.closed_decline", d),
                ("labs.alpha.committed", chi),
                ("events.switch.hazard", hz),
                ("valuation.pop_threshold", pop),
            ]
        })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn any_valid_scenario_runs_and_keeps_the_invariants(ov in overrides(), seed in any::<u64>()) {
        // gap.half_life is correlated with gap.initial in frozen.toml, so keep it drawn.
        let s = frozen().with_overrides(ov.iter().map(|(p, v)| {
            if *p == "gap.half_life" {
                (*p, json!({"dist": "lognormal", "mean": v, "sd": v / 2.0}))
            } else {
                (*p, json!(v))
            }
        })).unwrap();
        let n = 200u64;
        let r = Simulation::new(&s)
            .unwrap()
            .paths(n)
            .seed(seed)
            .keep_years(true)
            .run()
            .unwrap();
        for lab in &r.labs {
            let m = |name| lab.metric(name).unwrap();
            for p in 0..r.len() {
                let e = m("fair_value")[p];
                prop_assert!(e.is_finite() && e >= 0.0, "E = {e}");
                let phi = m("phi")[p];
                prop_assert!(phi.is_nan() || phi >= 0.0);
                let dd = m("drawdown")[p];
                prop_assert!(dd.is_nan() || (0.0..=1.0).contains(&dd), "drawdown {dd}");
                prop_assert!(m("funding_need")[p] >= 0.0);
                let pop = m("pop_time")[p];
                prop_assert!(pop.is_nan() || pop > 0.0);
            }
            for c in lab.revenue.iter() {
                prop_assert!(c.values.iter().all(|x| x.is_finite() && *x >= 0.0));
            }
        }
        let summary = r.summary();
        for lab in &summary.labs {
            let p = lab.p_cash_negative;
            prop_assert!((0.0..=1.0).contains(&p));
            prop_assert!((lab.p_cash_negative_se - (p * (1.0 - p) / n as f64).sqrt()).abs() < 1e-15);
        }
        for s in &r.series {
            prop_assert!(s.quarters.iter().all(|q| q.count() == n));
        }
    }
}
