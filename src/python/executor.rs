//! An [`Executor`] that hands an analysis's runs to a Python callable (the
//! facade's Dask runner, `aibubble.dask`): the analysis then runs on the
//! calling thread with the GIL held, and the callable's own exception
//! (a task's error, `KeyboardInterrupt`) is raised as it is.

use std::sync::{Arc, Mutex};

use numpy::IntoPyArray;
use pyo3::prelude::*;

use super::errors::PyAibubbleError;
use super::results::PyResults;
use crate::analysis::runs::{Executor, Job, Remote};
use crate::error::{Error, Result};
use crate::results::Results;

/// The column that carries a table's noise indices to Python, as
/// `simulate(inputs=...)` reads it back.
const NOISE_COLUMN: &str = "noise_stream";

/// `runner(jobs) -> [Results]`, each job a tuple `(scenario_json, paths,
/// seed, columns, values)` (`columns` and `values`, the input table
/// row-major with its noise as a `noise_stream` column, or both None).
pub(super) struct PyExecutor {
    runner: Py<PyAny>,
    /// The runner's exception, kept to be raised as it is.
    error: Mutex<Option<PyErr>>,
}

impl Executor for PyExecutor {
    fn run(&self, jobs: &[Job<'_>]) -> Result<Vec<Results>> {
        Python::attach(|py| self.call(py, jobs)).map_err(|e| {
            let paths = jobs.iter().map(|j| j.paths).sum();
            *self.error.lock().unwrap_or_else(|p| p.into_inner()) = Some(e);
            // Stands for the runner's exception, which `finish` raises.
            Error::Cancelled { done: 0, total: paths }
        })
    }
}

impl PyExecutor {
    fn call(&self, py: Python<'_>, jobs: &[Job<'_>]) -> PyResult<Vec<Results>> {
        let mut args = Vec::with_capacity(jobs.len());
        for j in jobs {
            let (columns, values) = match j.table {
                None => (None, None),
                Some(t) => {
                    let mut columns = t.columns.clone();
                    let w = columns.len();
                    let values = match &t.noise {
                        None => t.values.clone(),
                        Some(noise) => {
                            columns.push(NOISE_COLUMN.to_string());
                            let mut v = Vec::with_capacity(t.values.len() + noise.len());
                            for (row, n) in t.values.chunks(w).zip(noise) {
                                v.extend_from_slice(row);
                                // Exact: indices are below 2**53 (paths are).
                                v.push(*n as f64);
                            }
                            v
                        }
                    };
                    (Some(columns), Some(values.into_pyarray(py)))
                }
            };
            args.push((j.scenario.to_json(), j.paths, j.seed, columns, values, j.keep_years));
        }
        let out = self.runner.call1(py, (args,))?;
        let parts: Vec<PyRef<'_, PyResults>> = out.extract(py)?;
        Ok(parts.iter().map(|p| p.inner.clone()).collect())
    }
}

/// The executor of `runner`, if given: `(for the analysis, to read its error back)`.
pub(super) fn executor(runner: Option<Py<PyAny>>) -> (Option<Remote>, Option<Arc<PyExecutor>>) {
    match runner {
        None => (None, None),
        Some(runner) => {
            let e = Arc::new(PyExecutor {
                runner,
                error: Mutex::new(None),
            });
            (Some(Remote(e.clone())), Some(e))
        }
    }
}

/// An analysis's outcome for Python: the runner's own exception if it
/// raised one, else the analysis's error.
pub(super) fn finish<T>(e: &Option<Arc<PyExecutor>>, out: Result<T>) -> PyResult<T> {
    out.map_err(|err| {
        e.as_ref()
            .and_then(|e| e.error.lock().unwrap_or_else(|p| p.into_inner()).take())
            .unwrap_or_else(|| PyAibubbleError(err).into())
    })
}
