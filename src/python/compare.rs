//! The analysis layer's tools for Python (`crate::analysis`): each returns
//! its whole result as JSON, which `python/aibubble/_compare.py` turns into
//! a DataFrame. The runs release the GIL; Ctrl-C cancels them.

use pyo3::prelude::*;

use super::analysis::{detached, runs};
use super::errors::{PyAibubbleError, guard};
use super::executor::finish;
use super::scenario::PyScenario;
use crate::analysis::Base;
use crate::analysis::channels::{CHANNELS, ChannelBase};
use crate::error::Error;

fn json<T: serde::Serialize>(x: &T) -> PyResult<String> {
    serde_json::to_string(x).map_err(|e| PyAibubbleError(Error::argument("json", e.to_string())).into())
}

/// `compare([(name, scenario), ...], statistics, paths, seed, base, threads, runner)`:
/// `base` is None (the first), a scenario's name, or `"frozen"`.
#[pyfunction]
#[pyo3(signature = (scenarios, statistics, paths, seed, base=None, threads=None, runner=None))]
#[allow(clippy::too_many_arguments)]
pub fn compare(
    py: Python<'_>,
    scenarios: Vec<(String, PyRef<'_, PyScenario>)>,
    statistics: Vec<String>,
    paths: &Bound<'_, PyAny>,
    seed: &Bound<'_, PyAny>,
    base: Option<String>,
    threads: Option<&Bound<'_, PyAny>>,
    runner: Option<Py<PyAny>>,
) -> PyResult<String> {
    guard(|| {
        let (runs, e) = runs(paths, seed, threads, runner)?;
        let list: Vec<(String, crate::Scenario)> =
            scenarios.iter().map(|(n, s)| (n.clone(), s.inner.clone())).collect();
        let base = match base.as_deref() {
            None => Base::Scenario(0),
            Some("frozen") => Base::Frozen,
            Some(b) => Base::Scenario(list.iter().position(|(n, _)| n == b).ok_or_else(|| {
                PyAibubbleError(Error::argument(
                    "base",
                    format!("{b:?} is neither \"frozen\" nor the name of a scenario compared"),
                ))
            })?),
        };
        let c = finish(
            &e,
            detached(py, &runs, || crate::analysis::compare(&list, &statistics, &runs, base))?,
        )?;
        json(&c)
    })
}

/// `channels(name, scenario, statistics, paths, seed, base_name, base, threads, runner)`:
/// against frozen when `base` is None.
#[pyfunction]
#[pyo3(signature = (name, scenario, statistics, paths, seed, base_name=None, base=None, threads=None, runner=None))]
#[allow(clippy::too_many_arguments)]
pub fn channels(
    py: Python<'_>,
    name: String,
    scenario: &PyScenario,
    statistics: Vec<String>,
    paths: &Bound<'_, PyAny>,
    seed: &Bound<'_, PyAny>,
    base_name: Option<String>,
    base: Option<PyRef<'_, PyScenario>>,
    threads: Option<&Bound<'_, PyAny>>,
    runner: Option<Py<PyAny>>,
) -> PyResult<String> {
    guard(|| {
        let (runs, e) = runs(paths, seed, threads, runner)?;
        let base = match base {
            None => ChannelBase::Frozen,
            Some(b) => ChannelBase::Scenario(
                base_name.unwrap_or_else(|| b.inner.name.clone()),
                Box::new(b.inner.clone()),
            ),
        };
        let s = scenario.inner.clone();
        let c = finish(
            &e,
            detached(py, &runs, || {
                crate::analysis::channels(&name, &s, &base, &CHANNELS, &statistics, &runs)
            })?,
        )?;
        json(&c)
    })
}
