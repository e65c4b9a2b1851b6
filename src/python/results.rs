//! `_core.Results`: numpy arrays out (converted only here), JSON for the
//! summary and for saving.

use numpy::ndarray::Array2;
use numpy::{IntoPyArray, PyArray1, PyArray2};
use pyo3::prelude::*;

use super::errors::{PyAibubbleError, guard};
use crate::results::SeriesId;
use crate::results::{Column, Results, SERIES_QUANTILES};

#[pyclass(name = "Results", module = "aibubble._core", frozen)]
pub struct PyResults {
    pub inner: Results,
}

type Quantiles<'py> = (Vec<f64>, Bound<'py, PyArray2<f64>>);

#[pymethods]
impl PyResults {
    #[staticmethod]
    fn from_json(py: Python<'_>, text: &str) -> PyResult<Self> {
        guard(|| {
            let inner = py.detach(|| Results::from_json(text)).map_err(PyAibubbleError)?;
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

    /// The net statistics against the run of the frozen-competition
    /// counterfactual on the same seed and paths, as JSON (`Results::net`).
    fn net_json(&self, py: Python<'_>, frozen: &PyResults) -> PyResult<String> {
        guard(|| {
            let net = py.detach(|| self.inner.net(&frozen.inner)).map_err(PyAibubbleError)?;
            Ok(serde_json::to_string(&net).expect("net statistics serialise"))
        })
    }

    #[getter]
    fn paths(&self) -> PyResult<u64> {
        guard(|| Ok(self.inner.paths))
    }
    #[getter]
    fn start(&self) -> PyResult<u64> {
        guard(|| Ok(self.inner.start))
    }
    #[getter]
    fn end(&self) -> PyResult<u64> {
        guard(|| Ok(self.inner.end))
    }
    #[getter]
    fn seed(&self) -> PyResult<u64> {
        guard(|| Ok(self.inner.seed))
    }
    #[getter]
    fn steps(&self) -> PyResult<usize> {
        guard(|| Ok(self.inner.steps))
    }
    #[getter]
    fn steps_per_year(&self) -> PyResult<usize> {
        guard(|| Ok(self.inner.steps_per_year))
    }
    #[getter]
    fn start_year(&self) -> PyResult<f64> {
        guard(|| Ok(self.inner.scenario.start_year()))
    }
    #[getter]
    fn scenario_json(&self) -> PyResult<String> {
        guard(|| Ok(self.inner.scenario.to_json()))
    }
    #[getter]
    fn lab_ids(&self) -> PyResult<Vec<String>> {
        guard(|| Ok(self.inner.labs.iter().map(|l| l.id.clone()).collect()))
    }
    /// Whether the run kept each year's revenue and FCF per path (`keep_years`).
    #[getter]
    fn keep_years(&self) -> PyResult<bool> {
        guard(|| Ok(self.inner.keep_years))
    }
    #[getter]
    fn years(&self) -> PyResult<Vec<(i32, f64)>> {
        guard(|| Ok(self.inner.years.iter().map(|y| (y.year, y.fraction)).collect()))
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
                    let yearly = metric.starts_with("revenue.") || metric.starts_with("fcf.");
                    if known_lab && yearly && !self.inner.keep_years {
                        let what = format!("the per-path {metric} of lab {lab:?}");
                        return Err(PyAibubbleError(crate::results::keep_years_needed(&what)).into());
                    }
                    let msg = if known_lab {
                        format!("no per-path metric {metric:?} for lab {lab:?}")
                    } else {
                        format!("unknown lab {lab:?} (labs: {})", self.lab_ids()?.join(", "))
                    };
                    Err(PyAibubbleError(crate::Error::argument("metric", msg)).into())
                }
            }
        })
    }

    /// Series whose sketches collapsed their smallest magnitudes.
    fn collapsed_series(&self) -> PyResult<Vec<String>> {
        guard(|| Ok(self.inner.collapsed_series().iter().map(|s| s.to_string()).collect()))
    }

    /// Present value of the savings moved to users, per path.
    fn pv_savings<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyArray1<f64>>> {
        guard(|| Ok(self.inner.pv_savings.clone().into_pyarray(py)))
    }

    /// Event firing times (years after the start): `(ids, 2-D array)`.
    fn events<'py>(&self, py: Python<'py>) -> PyResult<(Vec<String>, Bound<'py, PyArray2<f64>>)> {
        guard(|| table(py, columns(&self.inner.events)))
    }

    /// Quantiles of one series at every quarter end: `(times, array quarters x 5)`.
    #[pyo3(signature = (variable, lab=None, segment=None))]
    fn quantiles<'py>(
        &self,
        py: Python<'py>,
        variable: &str,
        lab: Option<String>,
        segment: Option<String>,
    ) -> PyResult<Quantiles<'py>> {
        guard(|| {
            let id = self.series_id(variable, lab, segment)?;
            let rows: Vec<_> = self.inner.series_rows().into_iter().filter(|r| *r.id == id).collect();
            let times = rows.iter().map(|r| r.time).collect();
            let flat: Vec<f64> = rows.iter().flat_map(|r| r.quantiles).collect();
            let arr = Array2::from_shape_vec((rows.len(), SERIES_QUANTILES.len()), flat).expect("shape");
            Ok((times, arr.into_pyarray(py)))
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
            let id = self.series_id(variable, lab, segment)?;
            let data = self.inner.stored_series(&id).expect("a recorded series");
            let arr = Array2::from_shape_vec((self.inner.stored_count(), self.inner.steps + 1), data).expect("shape");
            Ok(arr.into_pyarray(py))
        })
    }

    fn __len__(&self) -> PyResult<usize> {
        guard(|| Ok(self.inner.len()))
    }

    fn __eq__(&self, other: &Self) -> PyResult<bool> {
        guard(|| Ok(self.inner == other.inner))
    }

    fn __reduce__(&self, py: Python<'_>) -> PyResult<(Py<PyAny>, (String,))> {
        guard(|| {
            let ctor = py.import("aibubble._core")?.getattr("Results")?.getattr("from_json")?;
            Ok((ctor.unbind(), (self.to_json(py)?,)))
        })
    }
}

impl PyResults {
    /// A recorded series, or `ArgumentError` listing the series.
    fn series_id(&self, variable: &str, lab: Option<String>, segment: Option<String>) -> PyResult<SeriesId> {
        let id = SeriesId {
            variable: variable.into(),
            lab,
            segment,
        };
        if self.inner.series.iter().any(|s| s.id == id) {
            return Ok(id);
        }
        let known: Vec<String> = self.inner.series.iter().map(|s| s.id.to_string()).collect();
        Err(PyAibubbleError(crate::Error::argument(
            "variable",
            format!("no series {id}; series: {}", known.join(", ")),
        ))
        .into())
    }
}

/// `variable`, `variable(lab=...)` or `variable(segment=...)`.
fn columns(cols: &[Column]) -> Vec<(String, &[f64])> {
    cols.iter().map(|c| (c.name.clone(), c.values.as_slice())).collect()
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
