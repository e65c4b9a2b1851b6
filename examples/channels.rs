//! Where the repricing comes from: each preset's closed labs' P(pop),
//! P(FV = 0) and mean fair values against its own frozen-competition
//! counterfactual, split over model v2.1's channels by an exact Shapley
//! decomposition on common random numbers (`aibubble::analysis::channels`;
//! what each channel's "off" is, and the game, are documented there and in
//! docs/analysis.md). The same table as `aibubble channels PRESET`.
//!
//! `cargo run --release --example channels [PRESET...]` (default: every
//! preset but moat_holds; AIBUBBLE_PATHS sets the paths)

mod common;

use aibubble::Scenario;
use aibubble::analysis::Runs;
use aibubble::analysis::channels::{CHANNELS, ChannelBase, channels};
use common::{header, paths};

fn main() -> Result<(), aibubble::Error> {
    let (n, seed) = (paths(), 1);
    header(
        "Where the repricing comes from: each preset against its frozen-competition counterfactual, by channel (Shapley values ± standard errors)",
        n,
        seed,
    );
    let runs = Runs::new(n, seed);
    for name in [
        "baseline",
        "open_parity",
        "big_tech_switch",
        "open_killer_app",
        "ft_bubble",
    ] {
        let s = Scenario::preset(name)?;
        let started = std::time::Instant::now();
        let c = channels(name, &s, &ChannelBase::Frozen, &CHANNELS, &[], &runs)?;
        println!(
            "**{name}** against freeze({name}) ({:.0} s)\n",
            started.elapsed().as_secs_f64()
        );
        println!("{}", c.table());
    }
    Ok(())
}
