//! The late-2025 column's story in numbers: open models at about a sixth of
//! the price close the gap within months, which compresses the closed labs'
//! price premium and, through it, their margins; two turning points (a big
//! technology company moves to open models; a breakout consumer app runs on
//! one) move users and add price pressure. Compared with the market's own
//! story (`baseline`), path for path (same seed: common random numbers).
//! `examples/channels.rs` splits the difference into mechanisms.
//!
//! `cargo run --release --example ft_bubble`

mod common;

use aibubble::{Scenario, Simulation};
use common::{header, paths, pct};

fn main() -> Result<(), aibubble::Error> {
    let (n, seed) = (paths(), 42);
    header(
        "If open models are almost as good for a sixth of the price: ft_bubble against baseline",
        n,
        seed,
    );
    println!("mark: the latest post-money valuation; FV: fair value (DCF, limited liability), its median and");
    println!("mean (many paths end at 0: P(FV=0)); P(pop): probability that a quarter-end market mark falls");
    println!("below half the latest mark. Each cell: baseline -> ft_bubble.\n");
    let base = Simulation::new(&Scenario::preset("baseline")?)?
        .paths(n)
        .seed(seed)
        .run()?
        .summary();
    let ft = Simulation::new(&Scenario::preset("ft_bubble")?)?
        .paths(n)
        .seed(seed)
        .run()?
        .summary();

    println!(
        "{:<12} {:>6} {:>14} {:>14} {:>16} {:>16}",
        "lab", "mark", "FV p50", "FV mean", "P(FV=0)", "P(pop)"
    );
    for lab in ft.labs.iter().filter(|l| l.mark.is_some()) {
        let b = base.lab(&lab.id).expect("same labs");
        let pop = |p: Option<f64>| pct(p.unwrap_or(f64::NAN));
        println!(
            "{:<12} {:>6.0} {:>14} {:>14} {:>16} {:>16}",
            lab.name,
            lab.mark.unwrap_or(f64::NAN),
            format!("{:.0} -> {:.0}", b.fair_value.p50, lab.fair_value.p50),
            format!("{:.0} -> {:.0}", b.fair_value.mean, lab.fair_value.mean),
            format!("{} -> {}", pct(b.p_zero), pct(lab.p_zero)),
            format!("{} -> {}", pop(b.p_pop), pop(lab.p_pop)),
        );
    }
    let (sb, sf) = (&base.sector, &ft.sector);
    println!(
        "\nSector ({}): marks {:.0} bn; median fair value {:.0} bn in baseline, {:.0} bn in ft_bubble.",
        sf.labs.join(", "),
        sf.mark,
        sb.fair_value.p50,
        sf.fair_value.p50
    );
    println!(
        "Value repriced at the median: {:.0} bn. P(sector worth less than half its marks): {} -> {}.",
        sb.fair_value.p50 - sf.fair_value.p50,
        pct(sb.phi.p_below_half),
        pct(sf.phi.p_below_half)
    );
    for e in &ft.events {
        println!(
            "Turning point {:?} fires within the horizon on {} of paths.",
            e.name,
            pct(e.p_fired)
        );
    }
    println!(
        "Value moved to users (PV of savings, median): {:.0} bn in baseline, {:.0} bn in ft_bubble.",
        base.pv_savings.p50, ft.pv_savings.p50
    );
    Ok(())
}
