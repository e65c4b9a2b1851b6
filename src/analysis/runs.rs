//! How an analysis runs its scenarios: every run with the same paths and
//! seed, so that runs share their random numbers (common random numbers),
//! with the caller's threads, memory limit and cancel token.

use crate::engine::{CancelToken, Simulation};
use crate::error::Result;
use crate::results::Results;
use crate::scenario::Scenario;

/// The settings every run of an analysis shares.
#[derive(Clone, Debug)]
pub struct Runs {
    /// Paths of each run.
    pub paths: u64,
    /// The seed of every run.
    pub seed: u64,
    /// Worker threads (None: all cores).
    pub threads: Option<usize>,
    /// The memory limit of each run, bytes (None: the default).
    pub max_memory: Option<u64>,
    /// Stops the runs when cancelled.
    pub cancel: Option<CancelToken>,
}

impl Runs {
    /// Runs of `paths` paths on `seed`, on all cores, with no limit but the default.
    pub fn new(paths: u64, seed: u64) -> Runs {
        Runs {
            paths,
            seed,
            threads: None,
            max_memory: None,
            cancel: None,
        }
    }

    /// One run of `scenario`.
    ///
    /// # Errors
    /// Those of [`Simulation::new`] and [`Simulation::run`].
    pub fn run(&self, scenario: &Scenario) -> Result<Results> {
        let mut sim = Simulation::new(scenario)?.paths(self.paths).seed(self.seed);
        if let Some(t) = self.threads {
            sim = sim.threads(t);
        }
        if let Some(m) = self.max_memory {
            sim = sim.max_memory(m);
        }
        if let Some(c) = &self.cancel {
            sim = sim.cancel_token(c.clone());
        }
        sim.run()
    }
}
