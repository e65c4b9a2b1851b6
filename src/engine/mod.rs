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
mod runner;
mod shocks;

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use rayon::prelude::*;

use crate::error::{Error, Problem, Problems, Result};
use crate::results::Results;
use crate::scenario::Scenario;
use crate::stats::Sketch;

pub use crate::results::SeriesId;
pub use compiled::Compiled;
use layout::RowLayout;
use runner::{PathOut, PathRunner};

/// Paths per batch: the unit of work, of progress reports and of cancellation checks.
pub const BATCH: u64 = 256;
/// At most this many paths in one run.
pub const MAX_PATHS: u64 = 1 << 40;
/// At most this many bytes for the per-path table and stored paths of one call.
pub const MAX_BYTES: u64 = 16 << 30;

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

/// A cancellation token, checked between batches. Clones share the flag.
#[derive(Clone, Debug, Default)]
pub struct CancelToken(Arc<AtomicBool>);

impl CancelToken {
    pub fn new() -> Self {
        Self::default()
    }
    pub fn cancel(&self) {
        self.0.store(true, Ordering::SeqCst);
    }
    pub fn is_cancelled(&self) -> bool {
        self.0.load(Ordering::Relaxed)
    }
}

/// Input values per path instead of draws (for sensitivity designs): row
/// `p` holds the values of path `p`, one column per field path.
#[derive(Clone, Debug, PartialEq)]
pub struct InputTable {
    pub columns: Vec<String>,
    /// Row-major, `rows x columns.len()`.
    pub values: Vec<f64>,
}

impl InputTable {
    pub fn new(columns: Vec<String>, values: Vec<f64>) -> Result<Self> {
        if columns.is_empty() || !values.len().is_multiple_of(columns.len()) {
            return Err(Error::argument(
                "inputs",
                format!("{} values do not fill rows of {} columns", values.len(), columns.len()),
            ));
        }
        Ok(InputTable { columns, values })
    }
    pub fn rows(&self) -> u64 {
        (self.values.len() / self.columns.len()) as u64
    }
    fn row(&self, p: u64) -> &[f64] {
        let w = self.columns.len();
        &self.values[p as usize * w..(p as usize + 1) * w]
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
        })
    }
    /// Number of paths `N` of the whole run.
    pub fn paths(mut self, n: u64) -> Self {
        self.paths = n;
        self
    }
    pub fn seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }
    /// Run only paths `[start, end)` of the `N`-path run.
    pub fn range(mut self, start: u64, end: u64) -> Self {
        self.range = Some((start, end));
        self
    }
    /// Use a pool of this many threads for this run (default: rayon's global pool).
    pub fn threads(mut self, threads: usize) -> Self {
        self.threads = Some(threads);
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
    pub fn observer(mut self, observer: &'a dyn Observer) -> Self {
        self.observer = observer;
        self
    }
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
        let layout = RowLayout::new(&self.compiled);
        let stored = self.store_paths.min(end).saturating_sub(start);
        let bytes = 8
            * ((end - start) * layout.width() as u64
                + stored * (self.compiled.series.len() * (self.compiled.steps + 1)) as u64);
        if bytes > MAX_BYTES {
            return Err(Error::ResourceLimit(format!(
                "this run would keep {:.1} GiB of per-path results (limit {} GiB); split the path range",
                bytes as f64 / (1u64 << 30) as f64,
                MAX_BYTES >> 30
            )));
        }
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
                            "{} on every path, got values outside on {count} path(s), first {first}",
                            self.compiled.domains[f].describe(),
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

    /// Run the paths and collect the results.
    ///
    /// # Errors
    /// Invalid arguments, a resource limit, a numerical failure on a path
    /// (the lowest failing path, whatever the thread count), or
    /// [`Error::Cancelled`] when the token was cancelled.
    pub fn run(self) -> Result<Results> {
        let (start, end) = self.check()?;
        let work = || self.run_batches(start, end);
        let (outs, sketches) = match self.threads {
            Some(t) => rayon::ThreadPoolBuilder::new()
                .num_threads(t)
                .build()
                .map_err(|e| Error::ResourceLimit(format!("cannot start {t} threads: {e}")))?
                .install(work),
            None => work(),
        };
        let mut batches = Vec::with_capacity(outs.len());
        let mut skipped = false;
        for out in outs {
            match out {
                Some(Ok(b)) => batches.push(b),
                // Batches run in order of index below the first failure, so
                // the first error in index order is the lowest failing path.
                Some(Err(e)) => return Err(e),
                None => skipped = true,
            }
        }
        if skipped {
            let width = RowLayout::new(&self.compiled).width();
            return Err(Error::Cancelled {
                done: batches.iter().map(|b| (b.rows.len() / width) as u64).sum(),
                total: end - start,
            });
        }
        Ok(assemble::results(
            &self.compiled,
            self.seed,
            self.paths,
            (start, end),
            self.store_paths,
            batches,
            sketches,
        ))
    }

    /// Every batch of `[start, end)` on the current rayon pool: the batches'
    /// outputs in path order (`None` for a batch skipped after a cancel or
    /// after a failure at a lower batch), and the time-series sketches.
    ///
    /// Sketches are merged per worker thread, so their memory does not grow
    /// with the number of batches; merging is exact and order-free.
    fn run_batches(&self, start: u64, end: u64) -> (Vec<Option<Result<assemble::Batch>>>, Vec<Sketch>) {
        let c = &self.compiled;
        let layout = RowLayout::new(c);
        let width = layout.width();
        let n_sketch = c.series.len() * c.quarters();
        let stored_len = c.series.len() * (c.steps + 1);
        let total = end - start;
        let done = AtomicU64::new(0);
        let first_failure = AtomicU64::new(u64::MAX);
        let cancel = self.cancel.clone().unwrap_or_default();
        let per_thread: Vec<Mutex<Vec<Sketch>>> = (0..rayon::current_num_threads())
            .map(|_| Mutex::new(Vec::new()))
            .collect();
        let batches: Vec<(u64, u64)> = (start..end)
            .step_by(BATCH as usize)
            .map(|a| (a, (a + BATCH).min(end)))
            .collect();
        let outs = batches
            .par_iter()
            .enumerate()
            .map_init(
                || PathRunner::new(c, self.seed),
                |runner, (bi, &(a, b))| {
                    if cancel.is_cancelled() || bi as u64 > first_failure.load(Ordering::Relaxed) {
                        return None;
                    }
                    let n_batch = (b - a) as usize;
                    let mut rows = vec![0.0; n_batch * width];
                    let mut quarters = vec![0.0; n_sketch * n_batch];
                    let n_stored = self.store_paths.clamp(a, b) - a;
                    let mut stored = vec![0.0; n_stored as usize * stored_len];
                    for p in a..b {
                        let j = (p - a) as usize;
                        let mut out = PathOut {
                            row: &mut rows[j * width..(j + 1) * width],
                            quarters: &mut quarters,
                            paths: n_batch,
                            j,
                            stored: (p < self.store_paths).then(|| &mut stored[j * stored_len..(j + 1) * stored_len]),
                        };
                        if let Err(e) = runner.run(p, self.table.map(|t| t.row(p)), &mut out) {
                            first_failure.fetch_min(bi as u64, Ordering::Relaxed);
                            return Some(Err(e));
                        }
                    }
                    let thread = rayon::current_thread_index().unwrap_or(0) % per_thread.len();
                    let mut sketches = per_thread[thread].lock().unwrap_or_else(|e| e.into_inner());
                    if sketches.is_empty() {
                        sketches.resize(n_sketch, Sketch::new());
                    }
                    for (sketch, values) in sketches.iter_mut().zip(quarters.chunks_exact(n_batch)) {
                        values.iter().for_each(|x| sketch.insert(*x));
                    }
                    drop(sketches);
                    let d = done.fetch_add(b - a, Ordering::Relaxed) + (b - a);
                    self.observer.progress(d, total);
                    Some(Ok(assemble::Batch { rows, stored }))
                },
            )
            .collect();
        let mut sketches = vec![Sketch::new(); n_sketch];
        for slot in per_thread {
            let part = slot.into_inner().unwrap_or_else(|e| e.into_inner());
            for (s, o) in sketches.iter_mut().zip(&part) {
                s.merge(o);
            }
        }
        (outs, sketches)
    }
}
