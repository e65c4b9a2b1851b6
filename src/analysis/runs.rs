//! How an analysis runs its scenarios: every run with the same paths and
//! seed, so that runs share their random numbers (common random numbers),
//! with the caller's threads, memory limit, cancel token and observer,
//! here or, given an [`Executor`], elsewhere (the Python bindings' Dask
//! cluster).

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
    /// Runs the runs elsewhere (None: here, with `threads`).
    pub executor: Option<Remote>,
    /// Keep each year's per-path values ([`Simulation::keep_years`]), for
    /// a tool that places a value among them.
    pub keep_years: bool,
}

/// One run asked of an [`Executor`]: `scenario` on `paths` paths and
/// `seed`, its inputs from `table` where given.
#[derive(Clone, Copy, Debug)]
pub struct Job<'a> {
    /// The scenario.
    pub scenario: &'a Scenario,
    /// Paths of the run.
    pub paths: u64,
    /// Its seed.
    pub seed: u64,
    /// The input table, if any.
    pub table: Option<&'a InputTable>,
    /// Keep each year's per-path values.
    pub keep_years: bool,
}

/// Runs jobs somewhere else than this thread (a cluster), all of a batch
/// at once if it can. Each answer must be the [`Results`] the engine gives
/// for that job bit for bit (as split runs merged in path order are), so
/// that an analysis gives the same answer whoever runs it.
pub trait Executor: Send + Sync {
    /// The results of `jobs`, in their order.
    ///
    /// # Errors
    /// The errors of the runs, or of the executor itself.
    fn run(&self, jobs: &[Job<'_>]) -> Result<Vec<Results>>;
}

/// A shared [`Executor`], as analysis settings hold it.
#[derive(Clone)]
pub struct Remote(pub Arc<dyn Executor>);

impl fmt::Debug for Remote {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Remote(..)")
    }
}

impl Remote {
    /// The results of `jobs` from the executor, checked to be one per job.
    ///
    /// # Errors
    /// Those of the executor; [`crate::Error::Argument`] if it answers with
    /// another number of results.
    pub fn run(&self, jobs: &[Job<'_>]) -> Result<Vec<Results>> {
        let out = self.0.run(jobs)?;
        if out.len() != jobs.len() {
            return Err(crate::Error::argument(
                "executor",
                format!("answered {} results for {} runs", out.len(), jobs.len()),
            ));
        }
        Ok(out)
    }
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
            executor: None,
            keep_years: false,
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
    /// only when there is one); on the executor if there is one (whose own
    /// progress shows there).
    ///
    /// # Errors
    /// Those of [`Runs::run_with`] or of the executor.
    pub fn run_as(&self, scenario: &Scenario, table: Option<&InputTable>, what: fmt::Arguments<'_>) -> Result<Results> {
        if self.executor.is_some() {
            return Ok(self.run_many(&[(scenario, table)])?.remove(0));
        }
        let mut sim = self.simulation(scenario)?;
        if let Some(t) = table {
            sim = sim.inputs(t)?;
        }
        self.finish(sim, what)
    }

    /// Several runs, each of a scenario and maybe an input table: on the
    /// executor as one batch, or here one after the other.
    ///
    /// # Errors
    /// Those of [`Runs::run_with`] or of the executor.
    pub fn run_many(&self, runs: &[(&Scenario, Option<&InputTable>)]) -> Result<Vec<Results>> {
        self.run_many_as(runs, |i| format!("run {}/{}", i + 1, runs.len()))
    }

    /// [`Runs::run_many`], run `i` named `what(i)` to the observer (called
    /// only when there is one).
    ///
    /// # Errors
    /// Those of [`Runs::run_many`].
    pub fn run_many_as(
        &self,
        runs: &[(&Scenario, Option<&InputTable>)],
        what: impl Fn(usize) -> String,
    ) -> Result<Vec<Results>> {
        match &self.executor {
            Some(e) => {
                let jobs: Vec<Job<'_>> = runs
                    .iter()
                    .map(|&(scenario, table)| Job {
                        scenario,
                        paths: self.paths,
                        seed: self.seed,
                        table,
                        keep_years: self.keep_years,
                    })
                    .collect();
                e.run(&jobs)
            }
            None => runs
                .iter()
                .enumerate()
                .map(|(i, &(s, t))| match &self.observer {
                    Some(_) => self.run_as(s, t, format_args!("{}", what(i))),
                    None => self.run_as(s, t, format_args!("run")),
                })
                .collect(),
        }
    }

    /// A simulation of `scenario` with these paths, seed, threads, memory
    /// limit and cancel token (the observer comes with [`Runs::finish`]).
    ///
    /// # Errors
    /// Those of [`Simulation::new`].
    pub(crate) fn simulation<'a>(&self, scenario: &Scenario) -> Result<Simulation<'a>> {
        let mut sim = Simulation::new(scenario)?
            .paths(self.paths)
            .seed(self.seed)
            .keep_years(self.keep_years);
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

#[cfg(test)]
mod tests {
    use std::sync::Mutex;

    use super::*;
    use crate::analysis::{Method, implied, sobol, tornado};

    /// An executor that runs each job here in two path ranges and merges
    /// them, as the Dask runner does, and records the batches' sizes.
    #[derive(Default)]
    struct Halves(Mutex<Vec<usize>>);

    impl Executor for Halves {
        fn run(&self, jobs: &[Job<'_>]) -> Result<Vec<Results>> {
            self.0.lock().unwrap().push(jobs.len());
            jobs.iter()
                .map(|j| {
                    let cut = j.paths / 3;
                    let parts = [(0, cut), (cut, j.paths)]
                        .iter()
                        .map(|&(a, b)| {
                            let mut sim = Simulation::new(j.scenario)?
                                .paths(j.paths)
                                .seed(j.seed)
                                .range(a, b)
                                .keep_years(j.keep_years);
                            if let Some(t) = j.table {
                                sim = sim.inputs(t)?;
                            }
                            sim.run()
                        })
                        .collect::<Result<Vec<_>>>()?;
                    crate::results::merge(parts)
                })
                .collect()
        }
    }

    fn remote() -> (Remote, Arc<Halves>) {
        let h = Arc::new(Halves::default());
        (Remote(h.clone()), h)
    }

    #[test]
    fn an_executor_in_ranges_gives_the_local_answers_in_batches() {
        let s = Scenario::preset("ft_bubble").unwrap();
        let local = Runs::new(300, 4);
        let (e, seen) = remote();
        let elsewhere = Runs {
            executor: Some(e.clone()),
            ..local.clone()
        };
        let inputs = ["valuation.discount_rate".to_string()];
        let out = "labs.openai.fair_value.mean";
        let a = tornado::tornado(&s, out, Method::Runs, &inputs, &local).unwrap();
        let b = tornado::tornado(&s, out, Method::Runs, &inputs, &elsewhere).unwrap();
        assert_eq!(serde_json::to_string(&a).unwrap(), serde_json::to_string(&b).unwrap());
        // The base run and the p10 and p90 runs: one batch.
        assert_eq!(*seen.0.lock().unwrap(), vec![3]);

        let grouping = sobol::Grouping {
            prefixes: vec!["labs".into(), "valuation".into()],
            correlated: false,
        };
        let a = sobol::sobol(&s, "labs.openai.fair_value", &grouping, 10, &local).unwrap();
        let b = sobol::sobol(&s, "labs.openai.fair_value", &grouping, 10, &elsewhere).unwrap();
        assert_eq!(a.design.ab, b.design.ab);
        assert_eq!(serde_json::to_string(&a).unwrap(), serde_json::to_string(&b).unwrap());

        // A shifted input: each run of the search carries an input table.
        let s = Scenario::preset("baseline").unwrap();
        let options = implied::Options {
            paths: 300,
            seed: 4,
            target: implied::Target::Median,
            ..implied::Options::default()
        };
        let input = "segments.consumer.growth_0";
        let a = implied::implied(&s, "openai", input, &options).unwrap();
        let b = implied::implied(
            &s,
            "openai",
            input,
            &implied::Options {
                executor: Some(e),
                ..options.clone()
            },
        )
        .unwrap();
        assert_eq!(a, b);
        assert_eq!(b.how, implied::How::Shift);
        assert!(a.runs > 5 && seen.0.lock().unwrap().ends_with(&vec![1; a.runs]));
    }
}
