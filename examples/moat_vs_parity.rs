//! Two ends of the debate: the closed labs' moat holds (`moat_holds`) or open
//! models reach parity (`open_parity`). Same seed, so the paths differ only
//! by the open-model dynamics.
//!
//! `cargo run --release --example moat_vs_parity`

mod common;

use aibubble::{Scenario, Simulation};
use common::{header, paths, pct};

fn main() -> Result<(), aibubble::Error> {
    let (n, seed) = (paths(), 1);
    header(
        "The moat holds, or open models reach parity: the marked labs against their marks",
        n,
        seed,
    );
    println!("phi p50, mean: median and mean of fair value / latest mark; P(FV=0): probability that fair");
    println!("value is zero (limited liability binds); P(phi<0.5): probability that fair value is");
    println!("below half the mark; P(pop): probability that a quarter-end market mark falls below half");
    println!("the latest mark within the horizon. The sector adds the closed labs with a mark.\n");
    println!(
        "{:<14} {:>10} {:>9} {:>9} {:>9} {:>11} {:>9}",
        "scenario", "lab", "phi p50", "mean", "P(FV=0)", "P(phi<0.5)", "P(pop)"
    );
    for name in ["moat_holds", "open_parity"] {
        let s = Simulation::new(&Scenario::preset(name)?)?
            .paths(n)
            .seed(seed)
            .run()?
            .summary();
        for lab in s.labs.iter().filter(|l| l.phi.is_some()) {
            let phi = lab.phi.expect("marked");
            println!(
                "{:<14} {:>10} {:>9.2} {:>9.2} {:>9} {:>11} {:>9}",
                name,
                lab.id,
                phi.stats.p50,
                phi.stats.mean,
                pct(lab.p_zero),
                pct(phi.p_below_half),
                pct(lab.p_pop.unwrap_or(f64::NAN))
            );
        }
        println!(
            "{:<14} {:>10} {:>9.2} {:>9.2} {:>9} {:>11}\n",
            name,
            "sector",
            s.sector.phi.stats.p50,
            s.sector.phi.stats.mean,
            "",
            pct(s.sector.phi.p_below_half)
        );
    }
    Ok(())
}
