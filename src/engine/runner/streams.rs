//! The path's sub-streams (docs/equations.md §0): one each for the gap, the
//! prices and the demand, one per lab and one per event, keyed so that a
//! path's draws do not depend on the other paths or on the thread running it.

use crate::rng::{Stream, stream};

use crate::engine::compiled::Compiled;

/// The sub-streams of one path.
pub(super) struct Streams {
    pub gap: Stream,
    pub prices: Stream,
    pub demand: Stream,
    pub labs: Vec<Stream>,
    pub events: Vec<Stream>,
}

impl Streams {
    /// Placeholder streams with room for every lab and event (set by [`Streams::reset`]).
    pub fn new(c: &Compiled, seed: u64) -> Self {
        let any = stream(seed, 0, 0);
        Streams {
            gap: any.clone(),
            prices: any.clone(),
            demand: any,
            labs: Vec::with_capacity(c.scenario.labs.len()),
            events: Vec::with_capacity(c.events.len()),
        }
    }

    /// The streams of path `noise`.
    pub fn reset(&mut self, c: &Compiled, seed: u64, noise: u64) {
        self.gap = stream(seed, noise, c.gap_key);
        self.prices = stream(seed, noise, c.prices_key);
        self.demand = stream(seed, noise, c.demand_key);
        self.labs.clear();
        self.labs.extend(c.lab_keys.iter().map(|k| stream(seed, noise, *k)));
        self.events.clear();
        self.events.extend(c.events.iter().map(|e| stream(seed, noise, e.key)));
    }
}
