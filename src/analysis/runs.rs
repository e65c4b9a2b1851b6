//! How an analysis runs its scenarios: every run with the same paths and
//! seed, so that runs share their random numbers (common random numbers),
//! with the caller's threads, memory limit, cancel token and observer.

use std::fmt;
use std::sync::Arc;

use crate::engine::{CancelToken, InputTable, Observer, Simulation};
use crate::error::Result;
use crate::results::Results;
use crate::scenario::Scenario;

/// Told how an analysis's runs progress: which run (`what`, in the tool's
/// words: `value 3/7`) and how many of its paths are done. Called from the
/// engine's worker threads, as [`Observer`] is.
pub trait RunObserver: Sync + Send {
    /// `done` of `total` paths of the run `what` have finished.
    fn progress(&self, what: &str, done: u64, total: u64);
}

/// A shared [`RunObserver`] (a type of its own so that [`Runs`] stays `Debug`).
#[derive(Clone)]
pub struct Watch(pub Arc<dyn RunObserver>);

impl fmt::Debug for Watch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Watch(..)")
    }
}

/// The engine's [`Observer`] of one run: the analysis's observer with the
/// run's name.
struct Named<'a> {
    to: &'a dyn RunObserver,
    what: String,
}

impl Observer for Named<'_> {
    fn progress(&self, done: u64, total: u64) {
        self.to.progress(&self.what, done, total);
    }
}

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
    /// Told of each run's progress (None: no one; the runs are the same
    /// bit for bit either way).
    pub observer: Option<Watch>,
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
            observer: None,
        }
    }

    /// One run of `scenario`.
    ///
    /// # Errors
    /// Those of [`Simulation::new`] and [`Simulation::run`].
    pub fn run(&self, scenario: &Scenario) -> Result<Results> {
        self.run_as(scenario, None, format_args!("run"))
    }

    /// One run of `scenario`, its inputs from `table` where given (the
    /// other inputs drawn as usual, on the same random numbers).
    ///
    /// # Errors
    /// Those of [`Simulation::new`], [`Simulation::inputs`] and [`Simulation::run`].
    pub fn run_with(&self, scenario: &Scenario, table: Option<&InputTable>) -> Result<Results> {
        self.run_as(scenario, table, format_args!("run"))
    }

    /// [`Runs::run_with`], the run named `what` to the observer (formatted
    /// only when there is one).
    ///
    /// # Errors
    /// Those of [`Runs::run_with`].
    pub fn run_as(&self, scenario: &Scenario, table: Option<&InputTable>, what: fmt::Arguments<'_>) -> Result<Results> {
        let mut sim = self.simulation(scenario)?;
        if let Some(t) = table {
            sim = sim.inputs(t)?;
        }
        self.finish(sim, what)
    }

    /// A simulation of `scenario` with these paths, seed, threads, memory
    /// limit and cancel token (the observer comes with [`Runs::finish`]).
    ///
    /// # Errors
    /// Those of [`Simulation::new`].
    pub(crate) fn simulation<'a>(&self, scenario: &Scenario) -> Result<Simulation<'a>> {
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
        Ok(sim)
    }

    /// Run `sim`, telling the observer (if any) of it as `what`.
    ///
    /// # Errors
    /// Those of [`Simulation::run`].
    pub(crate) fn finish(&self, sim: Simulation<'_>, what: fmt::Arguments<'_>) -> Result<Results> {
        match &self.observer {
            None => sim.run(),
            Some(Watch(o)) => {
                let named = Named {
                    to: o.as_ref(),
                    what: what.to_string(),
                };
                sim.observer(&named).run()
            }
        }
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
