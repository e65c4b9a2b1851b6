//! Where the repricing comes from: each preset's change in the closed labs'
//! mean fair value and P(pop) against `moat_holds`, split into channels by
//! switching model v2's mechanisms on one at a time, in this order, in both
//! the preset and moat_holds, on common random numbers (same seed, same
//! draws):
//!
//! 1. usage share: the preset's own inputs (gap, prices, switching,
//!    substitution, event hazards) with every mechanism below off;
//! 2. price pressure: `prices.premium_sensitivity` and the events'
//!    `price_pressure` effects;
//! 3. margin pass-through: `prices.pass_through` (off: 0);
//! 4. the events' preference shifts: their `brand_premium` and `switching`
//!    effects;
//! 5. marks: the marked labs' mature multiple, model v2.1's steady value at
//!    the current margin (off: `mature_multiple = "given"`, a software
//!    comparable of 4.8-12x revenue); marks move P(pop), not fair value.
//!
//! A channel's row is how much more that mechanism reprices in the preset
//! than in moat_holds: (preset with it − preset without) − (moat_holds with
//! it − moat_holds without). The rows add up to the total difference.
//!
//! `cargo run --release --example channels` (AIBUBBLE_PATHS sets the paths)

mod common;

use aibubble::{Scenario, Simulation, Summary};
use common::{header, paths};
use serde_json::{Value, json};

/// The marked labs (xAI has no mark: its marks value xAI with X).
const LABS: [&str; 3] = ["openai", "anthropic", "mistral"];

/// Which mechanisms are on.
#[derive(Clone, Copy)]
struct On {
    pressure: bool,
    pass_through: bool,
    preferences: bool,
    marks: bool,
}

const OFF: On = On {
    pressure: false,
    pass_through: false,
    preferences: false,
    marks: false,
};

/// `s` with the mechanisms that `on` leaves off switched off.
fn with(s: &Scenario, on: On) -> Result<Scenario, aibubble::Error> {
    let mut v = s.to_value();
    if !on.pressure {
        v["prices"]["premium_sensitivity"] = json!(0.0);
        drop_effects(&mut v, |t| t == "price_pressure");
    }
    if !on.pass_through {
        v["prices"]["pass_through"] = json!(0.0);
    }
    if !on.preferences {
        drop_effects(&mut v, |t| t.ends_with(".brand_premium") || t.ends_with(".switching"));
    }
    if !on.marks {
        for lab in v["labs"].as_array_mut().expect("labs") {
            if lab.get("mature_multiple") == Some(&json!("steady")) {
                lab["mature_multiple"] = json!("given");
                lab["multiple_inf"] = json!({ "dist": "triangular", "lo": 4.8, "mode": 8.4, "hi": 12.0 });
            }
        }
    }
    Scenario::from_value(v)
}

fn drop_effects(v: &mut Value, target: impl Fn(&str) -> bool) {
    for e in v["events"].as_array_mut().into_iter().flatten() {
        if let Some(effects) = e["effects"].as_array_mut() {
            effects.retain(|f| !target(f[0].as_str().unwrap_or("")));
        }
    }
}

/// The closed labs' mean sector fair value and each marked closed lab's P(pop).
fn measure(s: &Scenario, n: u64, seed: u64) -> Result<(f64, [f64; 3]), aibubble::Error> {
    let summary: Summary = Simulation::new(s)?.paths(n).seed(seed).run()?.summary();
    let pop = LABS.map(|id| summary.lab(id).and_then(|l| l.p_pop).unwrap_or(f64::NAN));
    Ok((summary.sector.fair_value.mean, pop))
}

fn row(name: &str, d: (f64, [f64; 3])) {
    println!(
        "| {name} | {:+.0} | {:+.3} | {:+.3} | {:+.3} |",
        d.0, d.1[0], d.1[1], d.1[2]
    );
}

fn diff(a: (f64, [f64; 3]), b: (f64, [f64; 3])) -> (f64, [f64; 3]) {
    (a.0 - b.0, [0, 1, 2].map(|i| a.1[i] - b.1[i]))
}

/// The mechanisms switched on one at a time, in the order of the channels.
const STEPS: [On; 5] = [
    OFF,
    On { pressure: true, ..OFF },
    On {
        pressure: true,
        pass_through: true,
        ..OFF
    },
    On {
        pressure: true,
        pass_through: true,
        preferences: true,
        marks: false,
    },
    On {
        pressure: true,
        pass_through: true,
        preferences: true,
        marks: true,
    },
];

const CHANNELS: [&str; 5] = [
    "usage share",
    "price pressure",
    "margin pass-through",
    "events' preference shifts",
    "marks",
];

/// The scenario measured at each step of `STEPS`.
fn steps(s: &Scenario, n: u64, seed: u64) -> Result<Vec<(f64, [f64; 3])>, aibubble::Error> {
    STEPS.iter().map(|on| measure(&with(s, *on)?, n, seed)).collect()
}

fn main() -> Result<(), aibubble::Error> {
    let (n, seed) = (paths(), 1);
    header(
        "Where the repricing comes from: each preset against moat_holds, by channel",
        n,
        seed,
    );
    let moat = steps(&Scenario::preset("moat_holds")?, n, seed)?;
    let m = moat[4];
    println!(
        "moat_holds: closed sector mean fair value {:.0} bn; P(pop) OpenAI {:.3}, Anthropic {:.3}, Mistral {:.3}\n",
        m.0, m.1[0], m.1[1], m.1[2]
    );
    for name in [
        "baseline",
        "open_parity",
        "big_tech_switch",
        "open_killer_app",
        "ft_bubble",
    ] {
        let x = steps(&Scenario::preset(name)?, n, seed)?;
        println!("**{name}** against moat_holds\n");
        println!("| channel | mean sector fair value, USD bn | P(pop) OpenAI | P(pop) Anthropic | P(pop) Mistral |");
        println!("|---|---|---|---|---|");
        row(CHANNELS[0], diff(x[0], moat[0]));
        for k in 1..STEPS.len() {
            row(CHANNELS[k], diff(diff(x[k], x[k - 1]), diff(moat[k], moat[k - 1])));
        }
        row("**total**", diff(x[4], moat[4]));
        println!();
    }
    Ok(())
}
