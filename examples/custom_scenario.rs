//! Build a scenario in code, override one field by its path, and run it.
//! A toy market: one segment, one closed lab with a mark, one open lab.
//!
//! `cargo run --release --example custom_scenario`

mod common;

use std::collections::BTreeMap;

use aibubble::scenario::{Class, Gap, Lab, Prices, Segment, Valuation};
use aibubble::{Dist, Scenario, Simulation, Uncertain};
use common::{paths, pct};

fn lab(id: &str, class: Class, mark: Option<f64>) -> Lab {
    Lab {
        id: id.into(),
        name: id.to_uppercase(),
        class,
        weights: BTreeMap::from([("api".to_string(), Uncertain::Fixed(1.0))]),
        capture: 1.0.into(),
        drift: 0.0.into(),
        gross_margin_0: 0.5.into(),
        gross_margin_inf: 0.6.into(),
        margin_tau: 3.0.into(),
        opex_ratio: 0.2.into(),
        committed: 0.5.into(),
        research_intensity: 0.3.into(),
        plan: if mark.is_some() {
            vec![[2026.0, 20.0], [2030.0, 60.0]]
        } else {
            vec![]
        },
        cash_0: 30.0.into(),
        mark: mark.map(Uncertain::Fixed),
        growth_trailing: mark.map(|_| 1.0.into()),
        multiple_inf: mark.map(|_| 8.0.into()),
    }
}

fn main() -> Result<(), aibubble::Error> {
    let scenario = Scenario {
        name: "toy".into(),
        description: "One API market, one closed and one open lab".into(),
        start_year: 2026.0,
        steps_per_year: 12,
        horizon: 10.0,
        valuation: Valuation {
            discount_rate: Dist::triangular(0.10, 0.12, 0.16).into(),
            terminal_growth: 0.03,
            pop_threshold: 0.5,
        },
        gap: Gap {
            initial: Dist::uniform(1.0, 6.0).into(),
            long_run: 0.0.into(),
            half_life: 1.0.into(),
            sigma: 1.0.into(),
            release_rate: 0.0.into(),
            jump_mean: 0.0.into(),
            jump_sd: 0.0.into(),
            floor: 0.0,
        },
        prices: Prices {
            closed_decline: 0.1.into(),
            sigma_closed: 0.1.into(),
            ratio_0: (1.0 / 6.0).into(),
            ratio_drift: 0.0.into(),
            sigma_ratio: 0.1.into(),
        },
        demand: Default::default(),
        attractiveness: Default::default(),
        segments: vec![Segment {
            id: "api".into(),
            name: "API".into(),
            spend_0: 30.0.into(),
            closed_share_0: 0.8.into(),
            growth_0: 0.8.into(),
            growth_inf: 0.1.into(),
            growth_tau: 3.0.into(),
            elasticity: 1.11.into(),
            beta_quality: 0.5.into(),
            beta_price: 0.4.into(),
            switching: 0.5.into(),
            brand_premium: None,
        }],
        labs: vec![
            lab("closedco", Class::Closed, Some(400.0)),
            lab("openco", Class::Open, None),
        ],
        events: vec![],
        correlation: Default::default(),
        sources: BTreeMap::from([("gap.initial".to_string(), "assumption: toy example".to_string())]),
    };
    scenario.validate()?;
    let n = paths();
    for switching in [0.0, 2.0] {
        let s = scenario.with_overrides([("segments.api.switching", switching.into())])?;
        let summary = Simulation::new(&s)?.paths(n).seed(3).run()?.summary();
        let lab = summary.lab("closedco").expect("lab");
        let phi = lab.phi.expect("marked");
        println!(
            "switching = {switching}: ClosedCo median fair value {:.0} bn against a 400 bn mark; P(phi < 0.5) {}",
            lab.fair_value.p50,
            pct(phi.p_below_half)
        );
    }
    Ok(())
}
