//! Calibration from data for the facade (`aibubble.calibrate`): the
//! calibration as JSON, which the facade turns into DataFrames. The fit
//! releases the GIL.

use std::path::PathBuf;

use pyo3::prelude::*;

use super::errors::{PyAibubbleError, guard};
use crate::analysis::calibrate as cal;

/// The calibration of the releases file at `path` (see `analysis::calibrate`), as JSON.
#[pyfunction]
#[pyo3(signature = (path, as_of=None))]
pub fn calibrate(py: Python<'_>, path: PathBuf, as_of: Option<String>) -> PyResult<String> {
    guard(|| {
        let out = py
            .detach(|| cal::calibrate(&path, as_of.as_deref()))
            .map_err(PyAibubbleError)?;
        Ok(serde_json::to_string(&out).expect("a calibration serializes"))
    })
}
