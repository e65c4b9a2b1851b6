//! The back-test for Python (`aibubble.backtest`): the observations come as
//! CSV text (the facade writes a DataFrame out as CSV), the result goes back
//! as JSON for `python/aibubble/_backtest.py`. The run releases the GIL;
//! Ctrl-C cancels it.

use pyo3::prelude::*;

use super::analysis::{detached, runs};
use super::errors::{PyAibubbleError, guard};
use super::scenario::PyScenario;
use crate::analysis::backtest::{Observations, backtest as run_backtest};

/// `backtest(scenario, text, name, paths, seed, threads)`: the observations
/// of CSV `text` (named `name` in messages) against `scenario`, as JSON.
#[pyfunction]
#[pyo3(signature = (scenario, text, name, paths, seed, threads=None))]
pub fn backtest(
    py: Python<'_>,
    scenario: &PyScenario,
    text: String,
    name: String,
    paths: &Bound<'_, PyAny>,
    seed: &Bound<'_, PyAny>,
    threads: Option<&Bound<'_, PyAny>>,
) -> PyResult<String> {
    guard(|| {
        let (r, _) = runs(paths, seed, threads, None)?;
        let obs = Observations::parse(&text, &name).map_err(PyAibubbleError)?;
        let s = &scenario.inner;
        let out = detached(py, &r, || run_backtest(s, &obs, &r))?.map_err(PyAibubbleError)?;
        Ok(serde_json::to_string(&out).expect("a back-test serializes"))
    })
}
