//! `_core.Scenario`: a validated scenario, exchanged with Python as JSON text
//! (the facade turns it into dicts).

use pyo3::prelude::*;

use super::errors::{PyAibubbleError, guard};
use crate::scenario::{Format, Scenario, parse_value, presets as preset_list};

#[pyclass(name = "Scenario", module = "aibubble._core", frozen)]
#[derive(Clone)]
pub struct PyScenario {
    pub inner: Scenario,
}

fn from_text(text: &str, format: Format) -> PyResult<PyScenario> {
    let value = parse_value(text, format).map_err(PyAibubbleError)?;
    Ok(PyScenario {
        inner: Scenario::from_value(value).map_err(PyAibubbleError)?,
    })
}

#[pymethods]
impl PyScenario {
    #[staticmethod]
    fn preset(name: &str) -> PyResult<Self> {
        guard(|| {
            Ok(PyScenario {
                inner: Scenario::preset(name).map_err(PyAibubbleError)?,
            })
        })
    }

    /// Parse TOML text.
    #[staticmethod]
    fn from_toml_str(text: &str) -> PyResult<Self> {
        guard(|| from_text(text, Format::Toml))
    }

    /// Parse JSON text.
    #[staticmethod]
    fn from_json_str(text: &str) -> PyResult<Self> {
        guard(|| from_text(text, Format::Json))
    }

    /// Read a file as TOML (`format="toml"`) or JSON (`format="json"`).
    #[staticmethod]
    fn from_file(path: std::path::PathBuf, format: &str) -> PyResult<Self> {
        guard(|| {
            let format = match format {
                "toml" => Format::Toml,
                "json" => Format::Json,
                other => {
                    return Err(PyAibubbleError(crate::Error::argument(
                        "format",
                        format!("\"toml\" or \"json\", got {other:?}"),
                    ))
                    .into());
                }
            };
            Ok(PyScenario {
                inner: Scenario::from_file_as(&path, format).map_err(PyAibubbleError)?,
            })
        })
    }

    #[getter]
    fn name(&self) -> PyResult<String> {
        guard(|| Ok(self.inner.name.clone()))
    }

    fn to_json(&self) -> PyResult<String> {
        guard(|| Ok(self.inner.to_json()))
    }

    /// JSON with every defaulted field written out.
    fn to_json_expanded(&self) -> PyResult<String> {
        guard(|| Ok(serde_json::to_string(&self.inner.to_value_expanded()).expect("json")))
    }

    fn to_toml(&self) -> PyResult<String> {
        guard(|| Ok(self.inner.to_toml()))
    }

    /// A new scenario with field paths replaced: `overrides` is a JSON object
    /// `{path: value}`.
    fn replace(&self, overrides_json: &str) -> PyResult<Self> {
        guard(|| {
            let map: serde_json::Map<String, serde_json::Value> = serde_json::from_str(overrides_json)
                .map_err(|e| PyAibubbleError(crate::Error::argument("overrides", e.to_string())))?;
            let inner = self
                .inner
                .with_overrides(map.iter().map(|(k, v)| (k.as_str(), v.clone())))
                .map_err(PyAibubbleError)?;
            Ok(PyScenario { inner })
        })
    }

    fn validate(&self) -> PyResult<()> {
        guard(|| self.inner.validate().map_err(|e| PyAibubbleError(e).into()))
    }

    /// Every scalar input: `(path, value as JSON, unit, domain, drawn)`.
    fn fields(&self) -> PyResult<Vec<FieldRow>> {
        guard(|| {
            Ok(self
                .inner
                .fields()
                .into_iter()
                .map(|f| {
                    (
                        f.path.clone(),
                        serde_json::to_string(f.value).expect("json"),
                        f.unit.to_string(),
                        f.domain.describe(),
                        f.value.fixed_value().is_none(),
                    )
                })
                .collect())
        })
    }

    /// The value at a field path, as JSON.
    fn get(&self, path: &str) -> PyResult<String> {
        guard(|| {
            let v = self.inner.get(path).map_err(PyAibubbleError)?;
            Ok(serde_json::to_string(&v).expect("json"))
        })
    }

    fn __eq__(&self, other: &Self) -> PyResult<bool> {
        guard(|| Ok(self.inner == other.inner))
    }

    fn __reduce__(&self, py: Python<'_>) -> PyResult<(Py<PyAny>, (String,))> {
        guard(|| {
            let ctor = py
                .import("aibubble._core")?
                .getattr("Scenario")?
                .getattr("from_json_str")?;
            Ok((ctor.unbind(), (self.inner.to_json(),)))
        })
    }
}

/// One row of [`PyScenario::fields`].
type FieldRow = (String, String, String, String, bool);

/// Names of the presets.
#[pyfunction]
pub fn presets() -> PyResult<Vec<&'static str>> {
    guard(|| Ok(preset_list::names()))
}
