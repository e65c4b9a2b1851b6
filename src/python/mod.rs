//! Python bindings: the only place pyo3 appears. A private `_core` module
//! with thin wrappers; `python/aibubble/` builds the public API on top.

mod analysis;
mod backtest;
mod calibrate;
mod compare;
mod doc;
mod errors;
mod executor;
mod results;
mod scenario;

use std::ffi::CString;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use pyo3::exceptions::PyRuntimeWarning;
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyInt, PyList, PyString, PyTuple};

use crate::analysis::implied as im;
use crate::engine::{CancelToken, InputTable, Observer, Simulation};
use errors::{PyAibubbleError, guard, internal, type_error, type_name};
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

/// Runs `work` on a thread of its own with the GIL released, and every
/// [`POLL`] checks for a signal (Ctrl-C) and calls `tick` on the calling
/// thread: a signal or an error of `tick` cancels `token` (which `work`'s
/// runs watch) and is raised once `work` has stopped.
pub(super) fn interruptible<T: Send>(
    py: Python<'_>,
    token: &CancelToken,
    work: impl FnOnce() -> T + Send,
    mut tick: impl FnMut(Python<'_>) -> PyResult<()> + Send,
) -> PyResult<T> {
    let mut interrupt: Option<PyErr> = None;
    let outcome = py.detach(|| {
        std::thread::scope(|scope| {
            let worker = scope.spawn(work);
            while !worker.is_finished() {
                std::thread::sleep(POLL);
                Python::attach(|py| {
                    if let Err(e) = py.check_signals().and_then(|()| match interrupt {
                        None => tick(py),
                        Some(_) => Ok(()),
                    }) {
                        token.cancel();
                        interrupt.get_or_insert(e);
                    }
                });
            }
            worker.join()
        })
    });
    match interrupt {
        Some(e) => Err(e),
        None => outcome.map_err(internal),
    }
}

/// The largest value of the core's unsigned 64-bit arguments, as text.
const U64_LIMIT: &str = "2**64";

/// An int argument in `[minimum, 2**64)`: `ArgumentError` naming it when
/// outside, `TypeError` when not an int (`bool` is not; numpy's integers are).
fn uint(name: &str, v: &Bound<'_, PyAny>, minimum: u64) -> PyResult<u64> {
    let not_int = || type_error(format!("{name} must be an int, got {}", type_name(v)));
    if v.is_instance_of::<PyBool>() {
        return Err(not_int());
    }
    let int = if v.is_instance_of::<PyInt>() {
        v.clone()
    } else if v.hasattr("__index__")? {
        v.call_method0("__index__").map_err(|_| not_int())?
    } else {
        return Err(not_int());
    };
    let bad = |message: String| -> PyErr { PyAibubbleError(crate::Error::argument(name, message)).into() };
    if int.lt(minimum)? {
        return Err(bad(format!("must be >= {minimum}, got {int}")));
    }
    int.extract::<u64>()
        .map_err(|_| bad(format!("must be < {U64_LIMIT}, got {int}")))
}

/// The memory limit of a run: bytes, or text such as `8G`.
fn memory_limit(v: &Bound<'_, PyAny>) -> PyResult<u64> {
    if let Ok(text) = v.cast::<PyString>() {
        crate::engine::parse_size(&text.to_cow()?)
            .map_err(|m| PyAibubbleError(crate::Error::argument("max_memory", m)).into())
    } else if v.is_instance_of::<PyInt>() || v.hasattr("__index__")? {
        uint("max_memory", v, 1)
    } else {
        Err(type_error(format!(
            "max_memory must be an int (bytes) or a str such as \"8G\", got {}",
            type_name(v)
        )))
    }
}

/// `(start, end)` of a path range: a tuple or list of two ints.
fn range(v: &Bound<'_, PyAny>) -> PyResult<(u64, u64)> {
    let pair = if v.is_instance_of::<PyTuple>() || v.is_instance_of::<PyList>() {
        v.try_iter()?.collect::<PyResult<Vec<_>>>()?
    } else {
        Vec::new()
    };
    match pair.as_slice() {
        [start, end] => Ok((uint("path_range[0]", start, 0)?, uint("path_range[1]", end, 0)?)),
        _ => Err(type_error(format!(
            "path_range must be a (start, end) tuple, got {}",
            type_name(v)
        ))),
    }
}

/// Run a scenario with the GIL released. Arguments are checked here:
/// `ArgumentError` names one out of range, `TypeError` one of the wrong
/// type; `threads` beyond the cores available warns (`RuntimeWarning`) and
/// is capped. Ctrl-C cancels the run (within a step of each path) and raises
/// `KeyboardInterrupt`; `progress(done, total)` is called from the calling
/// thread as batches finish.
#[pyfunction]
#[pyo3(
    signature = (scenario, paths, seed, threads=None, path_range=None, store_paths=None, progress=None, max_memory=None, inputs=None, keep_years=false),
    text_signature = "(scenario, paths, seed, threads=None, path_range=None, store_paths=0, progress=None, max_memory=None, inputs=None, keep_years=False)"
)]
#[allow(clippy::too_many_arguments)]
fn simulate(
    py: Python<'_>,
    scenario: &PyScenario,
    paths: &Bound<'_, PyAny>,
    seed: &Bound<'_, PyAny>,
    threads: Option<&Bound<'_, PyAny>>,
    path_range: Option<&Bound<'_, PyAny>>,
    store_paths: Option<&Bound<'_, PyAny>>,
    progress: Option<Py<PyAny>>,
    max_memory: Option<&Bound<'_, PyAny>>,
    inputs: Option<(Vec<String>, numpy::PyReadonlyArray1<'_, f64>)>,
    keep_years: bool,
) -> PyResult<PyResults> {
    guard(|| {
        // An input table: its columns and its values, row-major.
        let table = inputs
            .map(|(columns, values)| -> PyResult<InputTable> {
                let values = values.as_slice().map_err(|e| type_error(e.to_string()))?.to_vec();
                // A `noise_stream` column sets each row's process-noise stream.
                crate::analysis::input_table::with_noise_column(columns, values).map_err(|e| PyAibubbleError(e).into())
            })
            .transpose()?;
        let paths = uint("paths", paths, 1)?;
        let seed = uint("seed", seed, 0)?;
        let store_paths = store_paths.map_or(Ok(0), |v| uint("store_paths", v, 0))?;
        let threads = threads.map(|v| uint("threads", v, 1)).transpose()?;
        let max_memory = max_memory.map(memory_limit).transpose()?;
        let (start, end) = path_range.map(range).transpose()?.unwrap_or((0, paths));

        let counter = Counter(AtomicU64::new(0));
        let token = CancelToken::new();
        let mut sim = Simulation::new(&scenario.inner)
            .map_err(PyAibubbleError)?
            .paths(paths)
            .seed(seed)
            .store_paths(store_paths)
            .keep_years(keep_years)
            .observer(&counter)
            .cancel_token(token.clone());
        if let Some(t) = threads {
            sim = sim.threads(usize::try_from(t).unwrap_or(usize::MAX));
            let used = sim.threads_used();
            if t > used as u64 {
                let message =
                    CString::new(format!("threads={t} capped at {used}, the cores available")).expect("no NUL");
                // Level 2: the caller of the facade's `simulate`.
                PyErr::warn(py, &py.get_type::<PyRuntimeWarning>(), &message, 2)?;
            }
        }
        if let Some(b) = max_memory {
            sim = sim.max_memory(b);
        }
        if let Some(t) = &table {
            sim = sim.inputs(t).map_err(PyAibubbleError)?;
        }
        if (start, end) != (0, paths) {
            sim = sim.range(start, end);
        }
        let total = end.saturating_sub(start);
        let mut reported = 0;
        let outcome = interruptible(
            py,
            &token,
            move || sim.run(),
            |py| {
                let done = counter.0.load(Ordering::Relaxed);
                match progress.as_ref().filter(|_| done > reported) {
                    Some(cb) => {
                        reported = done;
                        cb.call1(py, (done, total)).map(drop)
                    }
                    None => Ok(()),
                }
            },
        )?;
        let results = outcome.map_err(PyAibubbleError)?;
        if let Some(cb) = &progress {
            cb.call1(py, (total, total))?;
        }
        Ok(PyResults { inner: results })
    })
}

/// The reverse DCF (`aibubble implied`): one input's root, or the
/// investor's page without `input`, as the JSON of the CLI's `--json` (a
/// list of rows). Runs with the GIL released; Ctrl-C cancels the runs and
/// raises `KeyboardInterrupt`.
#[pyfunction]
#[pyo3(signature = (scenario, lab, input, target, bracket, paths, seed, runner=None))]
#[allow(clippy::too_many_arguments)]
fn implied(
    py: Python<'_>,
    scenario: &PyScenario,
    lab: String,
    input: Option<String>,
    target: &str,
    bracket: Option<(f64, f64)>,
    paths: &Bound<'_, PyAny>,
    seed: &Bound<'_, PyAny>,
    runner: Option<Py<PyAny>>,
) -> PyResult<String> {
    guard(|| {
        let token = CancelToken::new();
        let (remote, e) = executor::executor(runner);
        let options = im::Options {
            paths: uint("paths", paths, 1)?,
            seed: uint("seed", seed, 0)?,
            target: im::Target::parse(target).map_err(PyAibubbleError)?,
            bracket,
            cancel: Some(token.clone()),
            executor: remote,
            ..im::Options::default()
        };
        let s = &scenario.inner;
        let work = || match &input {
            Some(i) => im::implied(s, &lab, i, &options).map(|r| vec![im::PageRow::Root(Box::new(r))]),
            None => im::investor_page(s, &lab, &options),
        };
        // With a runner (Python, which sees Ctrl-C itself), the search runs
        // here with the GIL held.
        let outcome = match &e {
            Some(_) => work(),
            None => interruptible(py, &token, work, |_| Ok(()))?,
        };
        let rows = executor::finish(&e, outcome)?;
        serde_json::to_string(&rows).map_err(|e| internal(Box::new(e.to_string())))
    })
}

/// The command line, as the `aibubble` console script and `python -m
/// aibubble` run it: `argv` with the program name first; returns the exit
/// status. Runs with the GIL released, and handles Ctrl-C, SIGTERM and
/// SIGHUP itself (the process then exits with the CLI's status), so it is
/// meant for a process of its own, not for a notebook.
#[pyfunction]
fn cli_main(py: Python<'_>, argv: Vec<String>) -> PyResult<u8> {
    guard(|| Ok(py.detach(|| crate::cli::main(argv))))
}

/// The cores this process may use: the most threads a run uses.
#[pyfunction]
fn available_cores() -> PyResult<usize> {
    guard(|| Ok(std::thread::available_parallelism().map_or(1, |n| n.get())))
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
    m.add_function(wrap_pyfunction!(cli_main, m)?)?;
    m.add_function(wrap_pyfunction!(analysis::sweep, m)?)?;
    m.add_function(wrap_pyfunction!(analysis::tornado, m)?)?;
    m.add_function(wrap_pyfunction!(backtest::backtest, m)?)?;
    m.add_function(wrap_pyfunction!(analysis::sobol, m)?)?;
    m.add_function(wrap_pyfunction!(analysis::sobol_indices, m)?)?;
    m.add_function(wrap_pyfunction!(implied, m)?)?;
    m.add_function(wrap_pyfunction!(compare::compare, m)?)?;
    m.add_function(wrap_pyfunction!(compare::channels, m)?)?;
    m.add_function(wrap_pyfunction!(calibrate::calibrate, m)?)?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    m.add("LAB_METRICS", crate::results::LAB_METRICS.to_vec())?;
    m.add(
        "SERIES",
        crate::results::Series::ALL.iter().map(|s| s.name()).collect::<Vec<_>>(),
    )?;
    m.add("SERIES_QUANTILES", crate::results::SERIES_QUANTILES.to_vec())?;
    m.add("OUTPUTS", outputs())?;
    Ok(())
}

/// The outputs' vocabulary as rows `(name, kind, per, unit, label, meaning,
/// quantiles, accuracy)`: every lab metric (kind `lab_metric`, per lab, its
/// quantiles `exact`, accuracy 0), then every series (quantiles from a
/// `relative` or `absolute` sketch, [`Series::scale`](crate::results::Series::scale),
/// and its accuracy: a fraction of the value, or in the series' unit).
fn outputs() -> Vec<[String; 8]> {
    use crate::results::{LabMetric, Per, Series};
    let metrics = LabMetric::ALL.map(|m| {
        [
            m.name(),
            "lab_metric",
            Per::Lab.name(),
            m.unit(),
            m.label(),
            m.meaning(),
            "exact",
            "0",
        ]
        .map(String::from)
    });
    let series = Series::ALL.map(|s| {
        let accuracy = s.scale().accuracy().to_string();
        [
            s.name(),
            "series",
            s.per().name(),
            s.unit(),
            s.label(),
            s.meaning(),
            s.scale().kind(),
            accuracy.as_str(),
        ]
        .map(String::from)
    });
    metrics.into_iter().chain(series).collect()
}
