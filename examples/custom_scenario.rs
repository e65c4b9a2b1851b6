//! Build a scenario in code, set inputs by field path, and run it.
//! A toy market: one segment, one closed lab with a mark, one open lab.
//!
//! The scenario is written in its JSON form (the same fields as a TOML file,
//! `aibubble show baseline --json`); inputs left out take their defaults.
//! `Scenario::set` then changes one input at a time, by field path, to a
//! number or a distribution, validating as it goes.
//!
//! `cargo run --release --example custom_scenario`

mod common;

use aibubble::{Dist, Scenario, Simulation};
use common::{header, paths, pct};
use serde_json::json;

fn lab(id: &str, class: &str, mark: Option<f64>) -> serde_json::Value {
    let mut lab = json!({
        "id": id, "name": id.to_uppercase(), "class": class,
        "weights": {"api": 1.0},
        "gross_margin_0": 0.5, "gross_margin_inf": 0.6, "margin_tau": 3.0,
        "opex_ratio": 0.2, "committed": 0.5, "research_intensity": 0.3, "cash_0": 30.0,
    });
    if let Some(v0) = mark {
        lab["mark"] = json!(v0);
        lab["growth_trailing"] = json!(1.0);
        lab["multiple_inf"] = json!(8.0);
        lab["mark_basis"] = json!("revenue");
        lab["plan"] = json!([[2026.0, 20.0], [2030.0, 60.0]]);
    }
    lab
}

fn main() -> Result<(), aibubble::Error> {
    let mut scenario = Scenario::from_value(json!({
        "name": "toy",
        "description": "One API market, one closed and one open lab",
        "valuation": {"discount_rate": 0.12, "terminal_growth": 0.03, "terminal": "steady"},
        "gap": {"initial": 3.0, "long_run": 0.0, "half_life": 1.0, "sigma": 1.0},
        "prices": {"closed_decline": 0.1, "sigma_closed": 0.1, "ratio_0": 1.0 / 6.0, "sigma_ratio": 0.1},
        "segments": [{
            "id": "api", "name": "API", "spend_0": 30.0, "closed_share_0": 0.8,
            "growth_0": 0.8, "growth_inf": 0.1, "growth_tau": 3.0, "elasticity": 1.11,
            "beta_quality": 0.5, "substitution": 0.4, "switching": 0.5,
        }],
        "labs": [lab("closedco", "closed", Some(400.0)), lab("openco", "open", None)],
        "sources": {"gap.initial": "assumption: toy example"},
    }))?;
    // Inputs by field path: a number, or a distribution drawn per path.
    scenario.set("valuation.discount_rate", Dist::triangular(0.10, 0.12, 0.16))?;
    scenario.set("gap.initial", Dist::uniform(1.0, 6.0))?;

    let n = paths();
    let seed = 3;
    header(
        "A toy market: does faster switching to open models sink the closed lab?",
        n,
        seed,
    );
    println!("switching: the segment's switching speed per year (0: usage never moves to open models).");
    println!("FV p50: ClosedCo's median fair value (USD bn) against its 400 bn mark.");
    println!("P(phi<0.5): the probability that fair value is below half the mark.\n");
    for switching in [0.0, 2.0] {
        let s = scenario.with("segments.api.switching", switching)?;
        let summary = Simulation::new(&s)?.paths(n).seed(seed).run()?.summary();
        let lab = summary.lab("closedco").expect("lab");
        let phi = lab.phi.expect("marked");
        println!(
            "switching = {switching}: FV p50 {:.0} bn, P(phi<0.5) {}",
            lab.fair_value.p50,
            pct(phi.p_below_half)
        );
    }
    Ok(())
}
