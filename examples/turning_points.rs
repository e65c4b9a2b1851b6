//! What a turning point does. In `ft_bubble` each turning point (a major
//! technology company moving its products to open models; a breakout consumer
//! app on a fully open model) may happen at any time. Split the paths by
//! whether it happened within the first two years and compare each marked
//! lab's mean fair value against its mark (phi) on the two sides.
//!
//! `cargo run --release --example turning_points`

mod common;

use aibubble::{Scenario, Simulation, stats};
use common::{header, paths, pct};

const WITHIN_YEARS: f64 = 2.0;

/// Mean phi: with limited liability many paths sit at 0, so the mean shows
/// shifts that a median of 0 would hide.
fn mean(v: &[f64]) -> f64 {
    stats::moments(v).mean
}

fn main() -> Result<(), aibubble::Error> {
    let (n, seed) = (paths(), 7);
    header("What each turning point of ft_bubble does to each marked lab", n, seed);
    println!("mean phi: the mean over paths of fair value / latest mark (below 1: the mark is not earned),");
    println!("on the paths where the turning point happened within {WITHIN_YEARS} years, and on the others.");
    let scenario = Scenario::preset("ft_bubble")?;
    let results = Simulation::new(&scenario)?.paths(n).seed(seed).run()?;
    for (event, spec) in results.events.iter().zip(&scenario.events) {
        let early: Vec<bool> = event.values.iter().map(|t| *t <= WITHIN_YEARS).collect();
        let share = early.iter().filter(|e| **e).count() as f64 / early.len() as f64;
        println!(
            "\nTurning point: {}.\nIt happens within {WITHIN_YEARS} years on {} of paths.",
            spec.name,
            pct(share)
        );
        println!("{:<12} {:>22} {:>22}", "lab", "mean phi if it did", "mean phi if not");
        for lab in results.labs.iter().filter(|l| l.has_mark()) {
            let phi = lab.metric("phi").expect("phi");
            let side = |want: bool| -> Vec<f64> {
                phi.iter()
                    .zip(&early)
                    .filter(|(_, e)| **e == want)
                    .map(|(x, _)| *x)
                    .collect()
            };
            println!(
                "{:<12} {:>22.2} {:>22.2}",
                lab.name,
                mean(&side(true)),
                mean(&side(false))
            );
        }
    }
    Ok(())
}
