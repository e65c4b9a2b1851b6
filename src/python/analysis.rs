//! The analysis layer's sweeps, tornados and Sobol indices for the facade
//! (`aibubble.sweep`, `aibubble.tornado`, `aibubble.sobol`): each returns
//! its result as JSON, which the facade turns into a DataFrame. The runs
//! release the GIL, and Ctrl-C cancels them and raises `KeyboardInterrupt`;
//! given a `runner` (the facade's Dask runner), the runs are its tasks.

use std::sync::Arc;

use pyo3::prelude::*;

use super::errors::{PyAibubbleError, guard};
use super::executor::{PyExecutor, executor, finish};
use super::scenario::PyScenario;
use super::{interruptible, uint};
use crate::analysis::Method;
use crate::analysis::Runs;
use crate::analysis::sobol as sobols;
use crate::analysis::sweep as sweeps;
use crate::analysis::tornado as tornados;
use crate::engine::CancelToken;

/// The runs' settings from Python's arguments (every analysis function's),
/// with a cancel token for [`detached`], and the executor of `runner` if
/// given (kept to raise its exception, see [`finish`]).
pub(super) fn runs(
    paths: &Bound<'_, PyAny>,
    seed: &Bound<'_, PyAny>,
    threads: Option<&Bound<'_, PyAny>>,
    runner: Option<Py<PyAny>>,
) -> PyResult<(Runs, Option<Arc<PyExecutor>>)> {
    let mut r = Runs::new(uint("paths", paths, 1)?, uint("seed", seed, 0)?);
    r.threads = threads
        .map(|t| uint("threads", t, 1).map(|t| usize::try_from(t).unwrap_or(usize::MAX)))
        .transpose()?;
    r.cancel = Some(CancelToken::new());
    let (remote, e) = executor(runner);
    r.executor = remote;
    Ok((r, e))
}

/// `work` (an analysis on `runs`) with the GIL released; Ctrl-C cancels
/// `runs`' token and raises `KeyboardInterrupt` once the runs have stopped.
/// With an executor, `work` runs here with the GIL held: its runner is
/// Python, which sees Ctrl-C itself.
pub(super) fn detached<T: Send>(py: Python<'_>, runs: &Runs, work: impl FnOnce() -> T + Send) -> PyResult<T> {
    if runs.executor.is_some() {
        return Ok(work());
    }
    let token = runs.cancel.clone().unwrap_or_default();
    interruptible(py, &token, work, |_| Ok(()))
}

/// A sweep of `input` over `values` (see `analysis::sweep`), as JSON.
#[pyfunction]
#[pyo3(signature = (scenario, input, values, paths, seed, net=false, threads=None))]
#[allow(clippy::too_many_arguments)]
pub fn sweep(
    py: Python<'_>,
    scenario: &PyScenario,
    input: String,
    values: Vec<f64>,
    paths: &Bound<'_, PyAny>,
    seed: &Bound<'_, PyAny>,
    net: bool,
    threads: Option<&Bound<'_, PyAny>>,
) -> PyResult<String> {
    guard(|| {
        let (r, _) = runs(paths, seed, threads, None)?;
        let s = &scenario.inner;
        let out = detached(py, &r, || sweeps::sweep(s, &input, &values, &r, net))?.map_err(PyAibubbleError)?;
        Ok(serde_json::to_string(&out).expect("a sweep serializes"))
    })
}

/// A tornado of `output` (see `analysis::tornado`), as JSON.
#[pyfunction]
#[pyo3(signature = (scenario, output, method, paths, seed, inputs=Vec::new(), threads=None, runner=None))]
#[allow(clippy::too_many_arguments)]
pub fn tornado(
    py: Python<'_>,
    scenario: &PyScenario,
    output: String,
    method: String,
    paths: &Bound<'_, PyAny>,
    seed: &Bound<'_, PyAny>,
    inputs: Vec<String>,
    threads: Option<&Bound<'_, PyAny>>,
    runner: Option<Py<PyAny>>,
) -> PyResult<String> {
    guard(|| {
        let (r, e) = runs(paths, seed, threads, runner)?;
        let method = Method::parse(&method).map_err(PyAibubbleError)?;
        let s = &scenario.inner;
        let out = finish(
            &e,
            detached(py, &r, || tornados::tornado(s, &output, method, &inputs, &r))?,
        )?;
        Ok(serde_json::to_string(&out).expect("a tornado serializes"))
    })
}

/// Sobol indices of `output` (see `analysis::sobol`), as JSON, with the
/// design's outputs under `design` (`a`, `b`, `ab`).
#[pyfunction]
#[pyo3(signature = (scenario, output, paths, seed, bootstrap, groups=Vec::new(), group_correlated=false, threads=None, runner=None))]
#[allow(clippy::too_many_arguments)]
pub fn sobol(
    py: Python<'_>,
    scenario: &PyScenario,
    output: String,
    paths: &Bound<'_, PyAny>,
    seed: &Bound<'_, PyAny>,
    bootstrap: &Bound<'_, PyAny>,
    groups: Vec<String>,
    group_correlated: bool,
    threads: Option<&Bound<'_, PyAny>>,
    runner: Option<Py<PyAny>>,
) -> PyResult<String> {
    guard(|| {
        let (r, e) = runs(paths, seed, threads, runner)?;
        let resamples = usize::try_from(uint("bootstrap", bootstrap, 2)?).unwrap_or(usize::MAX);
        let grouping = sobols::Grouping {
            prefixes: groups,
            correlated: group_correlated,
        };
        let s = &scenario.inner;
        let out = finish(
            &e,
            detached(py, &r, || sobols::sobol(s, &output, &grouping, resamples, &r))?,
        )?;
        let mut v = serde_json::to_value(&out).expect("a Sobol result serializes");
        v["design"] = serde_json::json!({"a": out.design.a, "b": out.design.b, "ab": out.design.ab});
        Ok(v.to_string())
    })
}

/// The indices of a design's outputs (see `analysis::sobol::indices`): per
/// group, (S1, its SE, lo, hi, ST, its SE, lo, hi).
#[pyfunction]
#[pyo3(signature = (a, b, ab, bootstrap, seed))]
pub fn sobol_indices(
    py: Python<'_>,
    a: Vec<f64>,
    b: Vec<f64>,
    ab: Vec<Vec<f64>>,
    bootstrap: &Bound<'_, PyAny>,
    seed: &Bound<'_, PyAny>,
) -> PyResult<Vec<[f64; 8]>> {
    guard(|| {
        let resamples = usize::try_from(uint("bootstrap", bootstrap, 2)?).unwrap_or(usize::MAX);
        let seed = uint("seed", seed, 0)?;
        let design = sobols::Design { a, b, ab };
        let out = py
            .detach(|| sobols::indices(&design, resamples, seed))
            .map_err(PyAibubbleError)?;
        Ok(out
            .iter()
            .map(|e| [e.s1.0, e.s1.1, e.s1.2, e.s1.3, e.st.0, e.st.1, e.st.2, e.st.3])
            .collect())
    })
}
