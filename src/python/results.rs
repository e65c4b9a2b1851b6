//! `_core.Results`: numpy arrays out (converted only here), JSON for the
//! summary and for saving.

use numpy::ndarray::Array2;
use numpy::{IntoPyArray, PyArray1, PyArray2};
use pyo3::prelude::*;

use super::errors::{PyAibubbleError, guard};
use crate::Error;
use crate::engine::SeriesId;
use crate::engine::path::LAB_METRICS;
use crate::results::{Column, Results, SERIES_QUANTILES};

#[pyclass(name = "Results", module = "aibubble._core", frozen)]
pub struct PyResults {
    pub inner: Results,
}

type Series<'py> = (
    Vec<(String, Option<String>, Option<String>)>,
    Vec<f64>,
    Bound<'py, PyArray2<f64>>,
);

#[pymethods]
impl PyResults {
    #[staticmethod]
    fn from_json(py: Python<'_>, text: &str) -> PyResult<Self> {
        guard(|| {
            let inner = py
                .detach(|| Results::from_json(text).and_then(consistent))
                .map_err(PyAibubbleError)?;
            Ok(PyResults { inner })
        })
    }

    /// The full results (for saving and pickling).
    fn to_json(&self, py: Python<'_>) -> PyResult<String> {
        guard(|| Ok(py.detach(|| self.inner.to_json())))
    }

    /// The CLI's `--json` summary.
    fn summary_json(&self, py: Python<'_>) -> PyResult<String> {
        guard(|| Ok(py.detach(|| self.inner.summary().to_json())))
    }

    #[getter]
    fn paths(&self) -> u64 {
        self.inner.paths
    }
    #[getter]
    fn start(&self) -> u64 {
        self.inner.start
    }
    #[getter]
    fn end(&self) -> u64 {
        self.inner.end
    }
    #[getter]
    fn seed(&self) -> u64 {
        self.inner.seed
    }
    #[getter]
    fn steps(&self) -> usize {
        self.inner.steps
    }
    #[getter]
    fn steps_per_year(&self) -> usize {
        self.inner.steps_per_year
    }
    #[getter]
    fn start_year(&self) -> f64 {
        self.inner.scenario.start_year
    }
    #[getter]
    fn scenario_json(&self) -> String {
        self.inner.scenario.to_json()
    }
    #[getter]
    fn lab_ids(&self) -> Vec<String> {
        self.inner.labs.iter().map(|l| l.id.clone()).collect()
    }
    #[getter]
    fn years(&self) -> Vec<(i32, f64)> {
        self.inner.years.iter().map(|y| (y.year, y.fraction)).collect()
    }

    /// Every per-path column: `(names, 2-D array paths x columns)`.
    fn per_path<'py>(&self, py: Python<'py>) -> PyResult<(Vec<String>, Bound<'py, PyArray2<f64>>)> {
        guard(|| table(py, self.inner.per_path_columns()))
    }

    /// Drawn inputs: `(names, 2-D array)`.
    fn inputs<'py>(&self, py: Python<'py>) -> PyResult<(Vec<String>, Bound<'py, PyArray2<f64>>)> {
        guard(|| table(py, columns(&self.inner.inputs)))
    }

    /// One per-path metric of a lab (`fair_value`, `phi`, ..., `revenue.2028`, `fcf.2028`).
    fn distribution<'py>(&self, py: Python<'py>, lab: &str, metric: &str) -> PyResult<Bound<'py, PyArray1<f64>>> {
        guard(|| {
            let name = format!("labs.{lab}.{metric}");
            let cols = self.inner.per_path_columns();
            match cols.iter().find(|(n, _)| *n == name) {
                Some((_, v)) => Ok(v.to_vec().into_pyarray(py)),
                None => {
                    let known_lab = self.inner.lab(lab).is_some();
                    let msg = if known_lab {
                        format!("no per-path metric {metric:?} for lab {lab:?}")
                    } else {
                        format!("unknown lab {lab:?} (labs: {})", self.lab_ids().join(", "))
                    };
                    Err(PyAibubbleError(crate::Error::argument("metric", msg)).into())
                }
            }
        })
    }

    /// Event firing times (years after the start): `(ids, 2-D array)`.
    fn events<'py>(&self, py: Python<'py>) -> PyResult<(Vec<String>, Bound<'py, PyArray2<f64>>)> {
        guard(|| table(py, columns(&self.inner.events)))
    }

    /// Quantiles of every series at every quarter end:
    /// `(ids as (variable, lab, segment), times, array rows x 5)`.
    fn series_quantiles<'py>(&self, py: Python<'py>) -> PyResult<Series<'py>> {
        guard(|| {
            let rows = self.inner.series_rows();
            let ids = rows
                .iter()
                .map(|r| (r.id.variable.clone(), r.id.lab.clone(), r.id.segment.clone()))
                .collect();
            let times = rows.iter().map(|r| r.time).collect();
            let flat: Vec<f64> = rows.iter().flat_map(|r| r.quantiles).collect();
            let arr = Array2::from_shape_vec((rows.len(), SERIES_QUANTILES.len()), flat).expect("shape");
            Ok((ids, times, arr.into_pyarray(py)))
        })
    }

    /// Stored full paths of one series, shape `(n_stored, steps + 1)`.
    #[pyo3(signature = (variable, lab=None, segment=None))]
    fn stored<'py>(
        &self,
        py: Python<'py>,
        variable: &str,
        lab: Option<String>,
        segment: Option<String>,
    ) -> PyResult<Bound<'py, PyArray2<f64>>> {
        guard(|| {
            let id = SeriesId {
                variable: variable.into(),
                lab,
                segment,
            };
            let data = self.inner.stored_series(&id).ok_or_else(|| {
                let known: Vec<String> = self.inner.series.iter().map(|s| series_name(&s.id)).collect();
                PyAibubbleError(crate::Error::argument(
                    "variable",
                    format!("no series {}; series: {}", series_name(&id), known.join(", ")),
                ))
            })?;
            let arr = Array2::from_shape_vec((self.inner.stored_count(), self.inner.steps + 1), data).expect("shape");
            Ok(arr.into_pyarray(py))
        })
    }

    fn __len__(&self) -> usize {
        self.inner.len()
    }

    fn __eq__(&self, other: &Self) -> bool {
        self.inner == other.inner
    }

    fn __reduce__(&self, py: Python<'_>) -> PyResult<(Py<PyAny>, (String,))> {
        let ctor = py.import("aibubble._core")?.getattr("Results")?.getattr("from_json")?;
        Ok((ctor.unbind(), (self.to_json(py)?,)))
    }
}

/// `variable`, `variable(lab=...)` or `variable(segment=...)`.
fn series_name(id: &SeriesId) -> String {
    let mut k = id.variable.clone();
    if let Some(l) = &id.lab {
        k += &format!("(lab={l})");
    }
    if let Some(g) = &id.segment {
        k += &format!("(segment={g})");
    }
    k
}

fn columns(cols: &[Column]) -> Vec<(String, &[f64])> {
    cols.iter().map(|c| (c.name.clone(), c.values.as_slice())).collect()
}

/// Check that results read from a file hang together (column lengths, labs
/// and events of the scenario, stored paths, quarters), so that a damaged or
/// hand-edited file is reported as such instead of failing later.
fn consistent(r: Results) -> crate::Result<Results> {
    check(&r).map_err(|message| Error::Parse {
        what: "results".into(),
        message: format!("{message}: not a consistent aibubble results file"),
    })?;
    Ok(r)
}

fn check(r: &Results) -> Result<(), String> {
    if !(r.start < r.end && r.end <= r.paths) {
        return Err(format!("path range [{}, {}) of {} paths", r.start, r.end, r.paths));
    }
    r.scenario.validate().map_err(|e| format!("invalid scenario ({e})"))?;
    let n = r.len();
    let length = |what: &str, c: &Column| {
        if c.values.len() == n {
            Ok(())
        } else {
            Err(format!("{what} {} has {} values for {n} paths", c.name, c.values.len()))
        }
    };
    for c in &r.inputs {
        length("input", c)?;
    }
    let ids = |a: Vec<&str>, b: Vec<&str>, what: &str| {
        if a == b {
            Ok(())
        } else {
            Err(format!("{what} {a:?} differ from the scenario's {b:?}"))
        }
    };
    ids(
        r.labs.iter().map(|l| l.id.as_str()).collect(),
        r.scenario.labs.iter().map(|l| l.id.as_str()).collect(),
        "labs",
    )?;
    ids(
        r.events.iter().map(|c| c.name.as_str()).collect(),
        r.scenario.events.iter().map(|e| e.id.as_str()).collect(),
        "events",
    )?;
    for lab in &r.labs {
        ids(
            lab.metrics.iter().map(|c| c.name.as_str()).collect(),
            LAB_METRICS.to_vec(),
            &format!("metrics of lab {}", lab.id),
        )?;
        if lab.revenue.len() != r.years.len() || lab.fcf.len() != r.years.len() {
            return Err(format!(
                "lab {}: yearly columns do not match {} years",
                lab.id,
                r.years.len()
            ));
        }
        for c in lab.metrics.iter().chain(&lab.revenue).chain(&lab.fcf) {
            length(&format!("lab {}", lab.id), c)?;
        }
    }
    for c in &r.events {
        length("event", c)?;
    }
    if r.pv_savings.len() != n {
        return Err(format!("pv_savings has {} values for {n} paths", r.pv_savings.len()));
    }
    if r.steps_per_year == 0 || r.steps == 0 {
        return Err(format!("{} steps, {} per year", r.steps, r.steps_per_year));
    }
    for s in &r.series {
        if s.quarters.len() != r.quarter_times.len() {
            return Err(format!(
                "series {} has {} quarters, expected {}",
                series_name(&s.id),
                s.quarters.len(),
                r.quarter_times.len()
            ));
        }
    }
    let stored = (r.stored_count() as u128) * (r.series.len() as u128) * (r.steps as u128 + 1);
    if r.stored.len() as u128 != stored {
        return Err(format!("{} stored values, expected {stored}", r.stored.len()));
    }
    Ok(())
}

fn table<'py>(py: Python<'py>, cols: Vec<(String, &[f64])>) -> PyResult<(Vec<String>, Bound<'py, PyArray2<f64>>)> {
    let n = cols.first().map_or(0, |c| c.1.len());
    let mut flat = vec![0.0; n * cols.len()];
    for (j, (_, v)) in cols.iter().enumerate() {
        for (p, x) in v.iter().enumerate() {
            flat[p * cols.len() + j] = *x;
        }
    }
    let arr = Array2::from_shape_vec((n, cols.len()), flat).expect("shape");
    Ok((cols.into_iter().map(|c| c.0).collect(), arr.into_pyarray(py)))
}

/// Join split runs in path order.
#[pyfunction]
pub fn merge(parts: Vec<PyRef<'_, PyResults>>) -> PyResult<PyResults> {
    guard(|| {
        let inner = crate::results::merge(parts.iter().map(|p| p.inner.clone()).collect()).map_err(PyAibubbleError)?;
        Ok(PyResults { inner })
    })
}
