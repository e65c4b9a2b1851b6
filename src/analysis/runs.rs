//! How an analysis runs its scenarios: every run with the same paths and
//! seed, so that runs share their random numbers (common random numbers),
//! with the caller's threads, memory limit and cancel token.

use crate::engine::{CancelToken, InputTable, Simulation};
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
        self.run_with(scenario, None)
    }

    /// One run of `scenario`, its inputs from `table` where given (the
    /// other inputs drawn as usual, on the same random numbers).
    ///
    /// # Errors
    /// Those of [`Simulation::new`], [`Simulation::inputs`] and [`Simulation::run`].
    pub fn run_with(&self, scenario: &Scenario, table: Option<&InputTable>) -> Result<Results> {
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
        if let Some(t) = table {
            sim = sim.inputs(t)?;
        }
        sim.run()
    }
}

/// A number for a table: a probability (a statistic named `p_...`) to 3
/// decimals, anything else (USD bn, phi) to 3 significant-ish places.
pub(crate) fn number(statistic: &str, x: f64, signed: bool) -> String {
    let probability = statistic.rsplit('.').next().is_some_and(|m| m.starts_with("p_"));
    let phi = statistic.contains(".phi.");
    match (probability || phi, signed) {
        (true, true) => format!("{x:+.3}"),
        (true, false) => format!("{x:.3}"),
        (false, true) => format!("{x:+.0}"),
        (false, false) => format!("{x:.0}"),
    }
}

/// An estimate for a table: `value ± se` (no `±` for a median), or
/// `undefined` over no defined path.
pub(crate) fn cell(statistic: &str, e: &super::Estimate, signed: bool) -> String {
    if !e.is_defined() {
        return "undefined".into();
    }
    match e.se {
        Some(se) => format!(
            "{} ± {}",
            number(statistic, e.value, signed),
            number(statistic, se, false)
        ),
        None => number(statistic, e.value, signed),
    }
}
