//! Python bindings: the only place pyo3 appears. A private `_core` module
//! with thin wrappers; `python/aibubble/` builds the public API on top.

mod doc;
mod errors;
mod results;
mod scenario;

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use pyo3::prelude::*;

use crate::engine::{CancelToken, Observer, Simulation};
use errors::{PyAibubbleError, guard, internal};
use results::PyResults;
use scenario::PyScenario;

/// Counts finished paths for the polling thread that feeds progress bars.
struct Counter(AtomicU64);
impl Observer for Counter {
    fn progress(&self, done: u64, _total: u64) {
        self.0.fetch_max(done, Ordering::Relaxed);
    }
}

/// How often the waiting thread checks for Ctrl-C and reports progress.
const POLL: Duration = Duration::from_millis(40);

/// Run a scenario with the GIL released. Ctrl-C cancels the run between
/// batches and raises `KeyboardInterrupt`; `progress(done, total)` is called
/// from the calling thread as batches finish.
#[pyfunction]
#[pyo3(signature = (scenario, paths, seed, threads=None, start=None, end=None, store_paths=0, progress=None, max_memory=None))]
#[allow(clippy::too_many_arguments)]
fn simulate(
    py: Python<'_>,
    scenario: &PyScenario,
    paths: u64,
    seed: u64,
    threads: Option<usize>,
    start: Option<u64>,
    end: Option<u64>,
    store_paths: u64,
    progress: Option<Py<PyAny>>,
    max_memory: Option<u64>,
) -> PyResult<PyResults> {
    guard(|| {
        let counter = Counter(AtomicU64::new(0));
        let token = CancelToken::new();
        let mut sim = Simulation::new(&scenario.inner)
            .map_err(PyAibubbleError)?
            .paths(paths)
            .seed(seed)
            .store_paths(store_paths)
            .observer(&counter)
            .cancel_token(token.clone());
        if let Some(t) = threads {
            sim = sim.threads(t);
        }
        if let Some(b) = max_memory {
            sim = sim.max_memory(b);
        }
        let (s, e) = (start.unwrap_or(0), end.unwrap_or(paths));
        if (s, e) != (0, paths) {
            sim = sim.range(s, e);
        }
        let total = e.saturating_sub(s);
        let mut interrupt: Option<PyErr> = None;
        let outcome = py.detach(|| {
            std::thread::scope(|scope| {
                let worker = scope.spawn(move || sim.run());
                let mut reported = 0;
                while !worker.is_finished() {
                    std::thread::sleep(POLL);
                    Python::attach(|py| {
                        if let Err(e) = py.check_signals() {
                            token.cancel();
                            interrupt.get_or_insert(e);
                        }
                        let done = counter.0.load(Ordering::Relaxed);
                        if let Some(cb) = progress.as_ref().filter(|_| done > reported && interrupt.is_none()) {
                            reported = done;
                            if let Err(e) = cb.call1(py, (done, total)) {
                                token.cancel();
                                interrupt.get_or_insert(e);
                            }
                        }
                    });
                }
                worker.join()
            })
        });
        if let Some(e) = interrupt {
            return Err(e);
        }
        let results = outcome.map_err(internal)?.map_err(PyAibubbleError)?;
        if let Some(cb) = &progress {
            cb.call1(py, (total, total))?;
        }
        Ok(PyResults { inner: results })
    })
}

/// The cores this process may use: the most threads a run uses.
#[pyfunction]
fn available_cores() -> PyResult<usize> {
    guard(|| Ok(std::thread::available_parallelism().map_or(1, |n| n.get())))
}

/// A memory size in bytes from text such as `8G` or `512M`.
#[pyfunction]
fn parse_size(text: &str) -> PyResult<u64> {
    guard(|| {
        crate::engine::parse_size(text).map_err(|m| PyAibubbleError(crate::Error::argument("max_memory", m)).into())
    })
}

#[pymodule]
fn _core(m: &Bound<'_, PyModule>) -> PyResult<()> {
    errors::load(m.py())?;
    m.add_class::<PyScenario>()?;
    m.add_class::<PyResults>()?;
    m.add_function(wrap_pyfunction!(simulate, m)?)?;
    m.add_function(wrap_pyfunction!(scenario::presets, m)?)?;
    m.add_function(wrap_pyfunction!(results::merge, m)?)?;
    m.add_function(wrap_pyfunction!(available_cores, m)?)?;
    m.add_function(wrap_pyfunction!(parse_size, m)?)?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    m.add("LAB_METRICS", crate::results::LAB_METRICS.to_vec())?;
    m.add(
        "SERIES",
        crate::results::Series::ALL.iter().map(|s| s.name()).collect::<Vec<_>>(),
    )?;
    m.add("SERIES_QUANTILES", crate::results::SERIES_QUANTILES.to_vec())?;
    Ok(())
}
