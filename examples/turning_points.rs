//! What a turning point does: in `big_tech_switch` a major technology company
//! moves its products from closed to open models at an uncertain date. Split
//! the paths by whether it happened within three years and compare each
//! closed lab's fair value against its mark.
//!
//! `cargo run --release --example turning_points`

mod common;

use aibubble::{Scenario, Simulation, stats};
use common::{paths, pct};

fn main() -> Result<(), aibubble::Error> {
    let scenario = Scenario::preset("big_tech_switch")?;
    let results = Simulation::new(&scenario)?.paths(paths()).seed(7).run()?;
    let event = results.events.first().expect("big_tech_switch has an event");
    let name = &scenario.events[0].name;
    let early: Vec<bool> = event.values.iter().map(|t| *t <= 3.0).collect();
    let share = early.iter().filter(|e| **e).count() as f64 / early.len() as f64;
    println!(
        "Turning point: {name}. It happens within 3 years on {} of paths.\n",
        pct(share)
    );
    println!(
        "{:<12} {:>26} {:>26}",
        "lab", "median phi, it happened", "median phi, it did not"
    );
    for lab in results.labs.iter().filter(|l| l.has_mark()) {
        let phi = lab.metric("phi").expect("phi");
        let pick = |want: bool| {
            let v: Vec<f64> = phi
                .iter()
                .zip(&early)
                .filter(|(_, e)| **e == want)
                .map(|(x, _)| *x)
                .collect();
            stats::quantile_sorted(&stats::sorted(&v), 0.5)
        };
        println!("{:<12} {:>26.2} {:>26.2}", lab.name, pick(true), pick(false));
    }
    println!("\nphi = fair value / latest mark; below 1 the mark is not earned.");
    Ok(())
}
