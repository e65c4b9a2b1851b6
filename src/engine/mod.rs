//! The Monte Carlo engine: paths in fixed batches over rayon, each path on
//! its own sub-streams (see [`crate::rng`]), so results do not depend on the
//! thread count or on how the path range is split.
//!
//! Memory is O(paths x (labs + inputs)) for the per-path table, plus
//! fixed-size sketches for the time series, plus full paths for the first
//! `store_paths` paths only.

mod assemble;
pub mod compiled;
mod layout;
mod memory;
mod runner;
mod schedule;
mod shocks;
mod sink;

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use rayon::prelude::*;

use crate::error::{Error, Problem, Problems, Result};
use crate::results::{Results, SeriesId};
use crate::scenario::Scenario;
use crate::stats::{MomentsAccumulator, Sketch};

pub use compiled::Compiled;
use layout::RowLayout;
use runner::{PathRunner, Stop};
use sink::{TableSink, YearMomentsSink};

/// Paths per batch: the unit of work and of progress reports.
pub const BATCH: u64 = 256;
/// At most this many paths in one run.
pub const MAX_PATHS: u64 = 1 << 40;

pub use memory::{Bytes, LimitSource, MemoryEstimate, parse_size};

/// The environment variable with a memory limit for runs (`8G`, `512M`),
/// used when the caller sets none.
pub const MAX_MEMORY_ENV: &str = "AIBUBBLE_MAX_MEMORY";

/// Receives progress as batches finish. Called from worker threads.
pub trait Observer: Sync {
    /// `done` of `total` paths of this call have finished.
    fn progress(&self, done: u64, total: u64) {
        let _ = (done, total);
    }
}

/// An observer that ignores everything.
#[derive(Clone, Copy, Debug, Default)]
pub struct NoObserver;
impl Observer for NoObserver {}

/// A cancellation token, checked at every step of every path. Clones share the flag.
#[derive(Clone, Debug, Default)]
pub struct CancelToken(Arc<AtomicBool>);

impl CancelToken {
    /// A token that is not cancelled.
    pub fn new() -> Self {
        Self::default()
    }
    /// Ask every run holding this token (or a clone) to stop: each worker
    /// stops its path at the next step, batches not yet started are
    /// skipped, and a run that did not finish every path returns
    /// [`Error::Cancelled`].
    pub fn cancel(&self) {
        self.0.store(true, Ordering::SeqCst);
    }
    /// Whether [`CancelToken::cancel`] has been called on it or a clone.
    pub fn is_cancelled(&self) -> bool {
        self.0.load(Ordering::Relaxed)
    }
}

/// Input values per path instead of draws (for sensitivity designs): row
/// `p` holds the values of path `p`, one column per field path.
///
/// Optionally a noise column: row `p` then draws its process noise (the
/// sub-streams of the gap, prices, demand, each lab and each event) as path
/// `noise[p]` would, instead of as path `p`, so that two rows can share or
/// renew their noise like any input (Sobol designs). Inputs that are not
/// columns of the table are still drawn at `p`, and errors still name `p`.
#[derive(Clone, Debug, PartialEq)]
pub struct InputTable {
    /// The field path of each column: inputs that may be uncertain, each once.
    pub columns: Vec<String>,
    /// Row-major, `rows x columns.len()`.
    pub values: Vec<f64>,
    /// The path index of each row's process noise (None: the row's own index).
    pub noise: Option<Vec<u64>>,
}

impl InputTable {
    /// A table of `values.len() / columns.len()` rows.
    ///
    /// # Errors
    /// [`Error::Argument`] when there are no columns or `values` does not
    /// fill whole rows. The columns and values are checked against the
    /// scenario by [`Simulation::inputs`] and [`Simulation::run`].
    pub fn new(columns: Vec<String>, values: Vec<f64>) -> Result<Self> {
        if columns.is_empty() || !values.len().is_multiple_of(columns.len()) {
            return Err(Error::argument(
                "inputs",
                format!("{} values do not fill rows of {} columns", values.len(), columns.len()),
            ));
        }
        Ok(InputTable {
            columns,
            values,
            noise: None,
        })
    }
    /// The same table, row `p` drawing its process noise as path `noise[p]`.
    ///
    /// # Errors
    /// [`Error::Argument`] when `noise` does not have one index per row.
    pub fn with_noise(mut self, noise: Vec<u64>) -> Result<Self> {
        if noise.len() as u64 != self.rows() {
            return Err(Error::argument(
                "noise_stream",
                format!("{} noise indices for a table of {} rows", noise.len(), self.rows()),
            ));
        }
        self.noise = Some(noise);
        Ok(self)
    }
    /// Number of rows (paths covered).
    pub fn rows(&self) -> u64 {
        (self.values.len() / self.columns.len()) as u64
    }
    fn row(&self, p: u64) -> &[f64] {
        let w = self.columns.len();
        &self.values[p as usize * w..(p as usize + 1) * w]
    }
    fn noise_index(&self, p: u64) -> u64 {
        self.noise.as_ref().map_or(p, |n| n[p as usize])
    }
}

/// A configured run of a scenario.
///
/// ```
/// # use aibubble::{Scenario, Simulation};
/// let s = Scenario::preset("baseline")?;
/// let whole = Simulation::new(&s)?.paths(600).seed(1).run()?;
/// let a = Simulation::new(&s)?.paths(600).seed(1).range(0, 250).run()?;
/// let b = Simulation::new(&s)?.paths(600).seed(1).range(250, 600).run()?;
/// assert_eq!(aibubble::merge(vec![a, b])?, whole);
/// # Ok::<(), aibubble::Error>(())
/// ```
pub struct Simulation<'a> {
    compiled: Compiled,
    paths: u64,
    seed: u64,
    range: Option<(u64, u64)>,
    threads: Option<usize>,
    store_paths: u64,
    table: Option<&'a InputTable>,
    observer: &'a dyn Observer,
    cancel: Option<CancelToken>,
    max_memory: Option<u64>,
    keep_years: bool,
}

/// What each worker thread collects: the time-series sketches and the
/// yearly flows' exact moments.
#[derive(Default)]
struct Collected {
    sketches: Vec<Sketch>,
    moments: Vec<MomentsAccumulator>,
}

impl<'a> Simulation<'a> {
    /// Validate and compile a scenario. Defaults: 100,000 paths, seed 42.
    pub fn new(scenario: &Scenario) -> Result<Simulation<'a>> {
        Ok(Simulation {
            compiled: Compiled::new(scenario, None)?,
            paths: 100_000,
            seed: 42,
            range: None,
            threads: None,
            store_paths: 0,
            table: None,
            observer: &NoObserver,
            cancel: None,
            max_memory: None,
            keep_years: false,
        })
    }
    /// Number of paths `N` of the whole run.
    pub fn paths(mut self, n: u64) -> Self {
        self.paths = n;
        self
    }
    /// The seed of every path's sub-streams (default 42): the same scenario,
    /// seed and path count give the same results bit for bit.
    pub fn seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }
    /// Run only paths `[start, end)` of the `N`-path run.
    pub fn range(mut self, start: u64, end: u64) -> Self {
        self.range = Some((start, end));
        self
    }
    /// Use a pool of this many threads for this run (default: rayon's global
    /// pool), at most the available cores: more would only add contention.
    /// See [`Simulation::threads_used`].
    pub fn threads(mut self, threads: usize) -> Self {
        self.threads = Some(threads);
        self
    }

    /// The worker threads the run will use: the requested count capped at
    /// [`std::thread::available_parallelism`], or rayon's global pool.
    pub fn threads_used(&self) -> usize {
        match self.threads {
            Some(t) => t.min(cores()),
            None => rayon::current_num_threads(),
        }
    }

    /// Refuse the run with [`Error::ResourceLimit`] if it would need more
    /// than this many bytes (see [`Simulation::memory_estimate`]). Without
    /// it, `AIBUBBLE_MAX_MEMORY` applies when set; the memory available on
    /// the machine always does.
    pub fn max_memory(mut self, bytes: u64) -> Self {
        self.max_memory = Some(bytes);
        self
    }

    /// What the run would need: the per-path table, stored paths, sketches
    /// and buffers. Checked against the limit before anything is allocated.
    pub fn memory_estimate(&self) -> MemoryEstimate {
        let (start, end) = self.range.unwrap_or((0, self.paths));
        let n = end.saturating_sub(start);
        let stored = self.store_paths.min(end).saturating_sub(start);
        MemoryEstimate::new(&self.compiled, n, stored, self.threads_used(), self.keep_years)
    }
    /// Keep each lab's revenue and FCF of every calendar year per path
    /// (default false): what per-year quantiles and per-path yearly values
    /// need. Without it, each year's mean and sd come from exact sums over
    /// the paths, and the per-path table is `2 x labs x years` columns
    /// smaller (most of it at long horizons).
    pub fn keep_years(mut self, keep: bool) -> Self {
        self.keep_years = keep;
        self
    }
    /// Keep full paths (every step) for the paths with the lowest indices.
    pub fn store_paths(mut self, n: u64) -> Self {
        self.store_paths = n;
        self
    }
    /// Take input values from a table instead of drawing them.
    pub fn inputs(mut self, table: &'a InputTable) -> Result<Self> {
        self.compiled = Compiled::new(&self.compiled.scenario, Some(table))?;
        self.table = Some(table);
        Ok(self)
    }
    /// Report progress to `observer` as batches finish.
    pub fn observer(mut self, observer: &'a dyn Observer) -> Self {
        self.observer = observer;
        self
    }
    /// Check `token` at every step of every path: once it is cancelled, the
    /// paths in progress stop at their next step, batches not yet started
    /// are skipped and the run returns [`Error::Cancelled`]. (A run that is
    /// not cancelled gives the same results bit for bit: the check only aborts.)
    pub fn cancel_token(mut self, token: CancelToken) -> Self {
        self.cancel = Some(token);
        self
    }

    fn check(&self) -> Result<(u64, u64)> {
        let (start, end) = self.range.unwrap_or((0, self.paths));
        if self.paths == 0 || self.paths > MAX_PATHS {
            return Err(Error::argument(
                "paths",
                format!("must be in 1..={MAX_PATHS}, got {}", self.paths),
            ));
        }
        if start >= end || end > self.paths {
            return Err(Error::argument(
                "path_range",
                format!("needs start < end <= paths = {}, got [{start}, {end})", self.paths),
            ));
        }
        if self.threads == Some(0) {
            return Err(Error::argument("threads", "must be >= 1, got 0"));
        }
        self.check_memory()?;
        if let Some(t) = self.table {
            if t.rows() < end {
                return Err(Error::argument(
                    "inputs",
                    format!("the input table has {} rows, the run needs {end}", t.rows()),
                ));
            }
            let failures = self.compiled.table_domain_failures((start..end).map(|p| t.row(p)));
            let problems: Vec<Problem> = t
                .columns
                .iter()
                .enumerate()
                .filter(|(j, _)| failures[*j].0 > 0)
                .map(|(j, c)| {
                    let f = self.compiled.table_fields[j];
                    let (count, first) = failures[j];
                    Problem::new(
                        c.clone(),
                        format!(
                            "{} on every path, got values outside on {count} path(s), first {}",
                            self.compiled.domains[f].describe(),
                            crate::error::Num(first),
                        ),
                    )
                })
                .collect();
            if !problems.is_empty() {
                return Err(Error::Scenario(Problems(problems)));
            }
        }
        Ok((start, end))
    }

    /// The memory estimate against the smallest of the caller's limit
    /// (or `AIBUBBLE_MAX_MEMORY`) and what the system can give.
    fn check_memory(&self) -> Result<()> {
        let user = match self.max_memory {
            Some(b) => Some(b),
            None => match std::env::var(MAX_MEMORY_ENV) {
                Ok(text) => Some(parse_size(&text).map_err(|m| Error::argument(MAX_MEMORY_ENV, m))?),
                Err(_) => None,
            },
        };
        let need = self.memory_estimate();
        if let Some((limit, source)) = memory::limit(user)
            && need.total() > limit
        {
            return Err(Error::ResourceLimit(format!(
                "this run needs about {need}, more than {source} ({}); run fewer paths, \
                 split the path range into parts and merge them, or keep fewer full paths",
                Bytes(limit)
            )));
        }
        Ok(())
    }

    /// Run the paths and collect the results.
    ///
    /// # Examples
    /// ```
    /// use aibubble::{Scenario, Simulation};
    /// let scenario = Scenario::preset("baseline")?;
    /// let results = Simulation::new(&scenario)?.paths(1_000).seed(7).run()?;
    /// assert_eq!(results.len(), 1_000);
    /// # Ok::<(), aibubble::Error>(())
    /// ```
    ///
    /// # Errors
    /// Invalid arguments, a resource limit, a numerical failure on a path
    /// (the lowest failing path, whatever the thread count), or
    /// [`Error::Cancelled`] when the token was cancelled.
    pub fn run(self) -> Result<Results> {
        let (start, end) = self.check()?;
        let c = &self.compiled;
        let n = (end - start) as usize;
        let width = RowLayout::new(c).table_width(self.keep_years);
        // The final columns, written in place by the batches: one copy of
        // the per-path table at any time (zeroed pages are committed as written).
        let mut table: Vec<Vec<f64>> = (0..width).map(|_| vec![0.0; n]).collect();
        let n_stored = self.store_paths.min(end).saturating_sub(start) as usize;
        let mut stored = vec![0.0; n_stored * c.series.len() * (c.steps + 1)];
        let collected = match self.threads.map(|t| t.min(cores())) {
            Some(t) => rayon::ThreadPoolBuilder::new()
                .num_threads(t)
                .build()
                .map_err(|e| Error::ResourceLimit(format!("cannot start {t} threads: {e}")))?
                .install(|| self.run_batches(start, end, &mut table, &mut stored)),
            None => self.run_batches(start, end, &mut table, &mut stored),
        }?;
        let span = assemble::Span {
            seed: self.seed,
            paths: self.paths,
            start,
            end,
            store_paths: self.store_paths,
            keep_years: self.keep_years,
        };
        Ok(assemble::results(
            c,
            span,
            assemble::Written {
                table,
                stored,
                sketches: collected.sketches,
                moments: collected.moments.iter().map(MomentsAccumulator::to_moments).collect(),
            },
        ))
    }

    /// Every batch of `[start, end)` on the current rayon pool, writing into
    /// `table` (one column per output, path `start` first) and `stored`;
    /// returns the time-series sketches and the yearly flows' moments.
    ///
    /// Sketches and moments are merged per worker thread, so their memory
    /// does not grow with the number of batches (merging is exact and order-free). After a
    /// failure, batches above the failing one are skipped and those below
    /// still run, so the error reported is the lowest failing path.
    fn run_batches(&self, start: u64, end: u64, table: &mut [Vec<f64>], stored: &mut [f64]) -> Result<Collected> {
        let c = &self.compiled;
        let layout = RowLayout::new(c);
        let n_sketch = c.series.len() * c.quarters();
        let n_moments = 2 * layout.year_values();
        let stored_len = c.series.len() * (c.steps + 1);
        let total = end - start;
        let done = AtomicU64::new(0);
        let first_failure = AtomicU64::new(u64::MAX);
        let cancel = self.cancel.clone().unwrap_or_default();
        // Each series' sketches start on its scale (relative, or a bounded range).
        let fresh = SeriesId::empty_sketches(&c.series, c.quarters());
        let per_thread: Vec<Mutex<Collected>> = (0..rayon::current_num_threads())
            .map(|_| Mutex::new(Collected::default()))
            .collect();
        let views = batch_views(start, end, self.store_paths, stored_len, table, stored);
        let outs: Vec<Option<Result<()>>> = views
            .into_par_iter()
            .enumerate()
            .map_init(
                || PathRunner::new(c, self.seed, cancel.clone()),
                |runner, (bi, mut view)| {
                    if cancel.is_cancelled() || bi as u64 > first_failure.load(Ordering::Relaxed) {
                        return None;
                    }
                    let (a, b) = view.paths;
                    let n_batch = (b - a) as usize;
                    let mut quarters = vec![0.0; n_sketch * n_batch];
                    let mut moments = vec![MomentsAccumulator::new(); n_moments];
                    let mut stored_paths = view.stored.chunks_exact_mut(stored_len.max(1));
                    for p in a..b {
                        let j = (p - a) as usize;
                        let table = TableSink {
                            layout,
                            columns: &mut view.columns,
                            quarters: &mut quarters,
                            n_quarters: c.quarters(),
                            paths: n_batch,
                            j,
                            stored: stored_paths.next(),
                            per: c.steps + 1,
                        };
                        let mut sink = (table, YearMomentsSink { moments: &mut moments });
                        let (given, noise) = self.table.map_or((None, p), |t| (Some(t.row(p)), t.noise_index(p)));
                        match runner.run(p, noise, given, &mut sink) {
                            Ok(()) => {}
                            // The batch is incomplete: skipped, as those not started.
                            Err(Stop::Cancelled) => return None,
                            Err(Stop::Failed(e)) => {
                                first_failure.fetch_min(bi as u64, Ordering::Relaxed);
                                return Some(Err(e));
                            }
                        }
                    }
                    let thread = rayon::current_thread_index().unwrap_or(0) % per_thread.len();
                    let mut mine = per_thread[thread].lock().unwrap_or_else(|e| e.into_inner());
                    if mine.sketches.is_empty() {
                        mine.sketches.clone_from(&fresh);
                        mine.moments.resize(n_moments, MomentsAccumulator::new());
                    }
                    for (sketch, values) in mine.sketches.iter_mut().zip(quarters.chunks_exact(n_batch)) {
                        values.iter().for_each(|x| sketch.insert(*x));
                    }
                    for (m, b) in mine.moments.iter_mut().zip(&moments) {
                        m.merge(b);
                    }
                    drop(mine);
                    let d = done.fetch_add(b - a, Ordering::Relaxed) + (b - a);
                    self.observer.progress(d, total);
                    Some(Ok(()))
                },
            )
            .collect();
        let mut finished = 0;
        let mut skipped = false;
        for (bi, out) in outs.into_iter().enumerate() {
            match out {
                Some(Ok(())) => finished += (BATCH * (bi as u64 + 1)).min(total) - BATCH * bi as u64,
                // Batches below the first failure all ran, so the first error
                // in batch order is the lowest failing path.
                Some(Err(e)) => return Err(e),
                None => skipped = true,
            }
        }
        if skipped {
            return Err(Error::Cancelled { done: finished, total });
        }
        // Merge into the first thread's set, dropping each other set once
        // merged: at most the per-thread sets are alive at once, never a
        // fresh set beside them (at long horizons the sets are most of the
        // run's memory).
        let mut sets = per_thread
            .into_iter()
            .map(|slot| slot.into_inner().unwrap_or_else(|e| e.into_inner()))
            .filter(|set| !set.sketches.is_empty());
        let mut all = sets.next().unwrap_or_else(|| Collected {
            sketches: fresh,
            moments: vec![MomentsAccumulator::new(); n_moments],
        });
        for part in sets {
            for (s, o) in all.sketches.iter_mut().zip(&part.sketches) {
                s.merge(o);
            }
            for (m, o) in all.moments.iter_mut().zip(&part.moments) {
                m.merge(o);
            }
        }
        Ok(all)
    }
}

/// The cores this process may use (1 when unknown).
fn cores() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

/// The part of the outputs one batch writes: its paths' range of every
/// column, and its stored paths.
struct BatchView<'t> {
    paths: (u64, u64),
    columns: Vec<&'t mut [f64]>,
    stored: &'t mut [f64],
}

/// Split the columns and the stored paths into the disjoint parts of each
/// batch of [`BATCH`] paths, so that batches write in parallel without locks.
fn batch_views<'t>(
    start: u64,
    end: u64,
    store_paths: u64,
    stored_len: usize,
    table: &'t mut [Vec<f64>],
    stored: &'t mut [f64],
) -> Vec<BatchView<'t>> {
    let mut views: Vec<BatchView<'t>> = (start..end)
        .step_by(BATCH as usize)
        .map(|a| BatchView {
            paths: (a, (a + BATCH).min(end)),
            columns: Vec::with_capacity(table.len()),
            stored: &mut [],
        })
        .collect();
    for column in table.iter_mut() {
        let mut rest: &mut [f64] = column;
        for v in views.iter_mut() {
            let (head, tail) = rest.split_at_mut((v.paths.1 - v.paths.0) as usize);
            v.columns.push(head);
            rest = tail;
        }
    }
    let mut rest = stored;
    for v in views.iter_mut() {
        let kept = store_paths.clamp(v.paths.0, v.paths.1) - v.paths.0;
        let (head, tail) = rest.split_at_mut(kept as usize * stored_len);
        v.stored = head;
        rest = tail;
    }
    views
}
