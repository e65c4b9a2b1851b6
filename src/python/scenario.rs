//! `_core.Scenario`: a validated scenario, exchanged with Python as JSON text
//! (the facade turns it into dicts) or built from dicts (`from_dict`,
//! `replace`), checked here for non-finite numbers.

use pyo3::prelude::*;
use serde_json::Value;

use super::doc::{mapping, to_doc};
use super::errors::{PyAibubbleError, guard, type_error, type_name};
use crate::scenario::nonfinite::Doc;
use crate::scenario::{Format, Scenario, parse_value, presets as preset_list};

#[pyclass(name = "Scenario", module = "aibubble._core", frozen)]
#[derive(Clone)]
pub struct PyScenario {
    pub inner: Scenario,
}

/// Text without a file: `extends` may name files only under `base_dir`.
fn from_text(text: &str, format: Format, base_dir: Option<std::path::PathBuf>) -> PyResult<PyScenario> {
    let inner = match (base_dir, format) {
        (None, _) => Scenario::from_value(parse_value(text, format).map_err(PyAibubbleError)?),
        (Some(dir), Format::Toml) => Scenario::from_toml_str_in(text, dir),
        (Some(dir), Format::Json) => Scenario::from_json_str_in(text, dir),
    };
    Ok(PyScenario {
        inner: inner.map_err(PyAibubbleError)?,
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

    /// Parse TOML text; `extends` may name files only under `base_dir`.
    #[staticmethod]
    #[pyo3(signature = (text, base_dir=None))]
    fn from_toml_str(text: &str, base_dir: Option<std::path::PathBuf>) -> PyResult<Self> {
        guard(|| from_text(text, Format::Toml, base_dir))
    }

    /// Parse JSON text; `extends` may name files only under `base_dir`.
    #[staticmethod]
    #[pyo3(signature = (text, base_dir=None))]
    fn from_json_str(text: &str, base_dir: Option<std::path::PathBuf>) -> PyResult<Self> {
        guard(|| from_text(text, Format::Json, base_dir))
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

    /// Build from a dict shaped like the JSON form: dicts (any mapping with
    /// string keys), lists, tuples, strings, numbers, booleans and `None`.
    /// Every `nan` or `inf` is a scenario problem named by its field path.
    #[staticmethod]
    fn from_dict(d: &Bound<'_, PyAny>) -> PyResult<Self> {
        guard(|| {
            if mapping(d, "")?.is_none() {
                return Err(type_error(format!("expected a mapping, got {}", type_name(d))));
            }
            let inner = Scenario::from_doc(to_doc(d, "")?).map_err(PyAibubbleError)?;
            Ok(PyScenario { inner })
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

    /// A new scenario with field paths replaced: `overrides` maps paths to
    /// values (numbers, distribution dicts, ...); every `nan` or `inf` is a
    /// scenario problem named by its path.
    fn replace(&self, overrides: &Bound<'_, PyAny>) -> PyResult<Self> {
        guard(|| {
            let Some(items) = mapping(overrides, "overrides (field paths)")? else {
                return Err(type_error(format!(
                    "overrides must be a mapping of field paths, got {}",
                    type_name(overrides)
                )));
            };
            let mut table = Vec::with_capacity(items.len());
            for (path, v) in items {
                let d = to_doc(&v, &path)?;
                table.push((path, d));
            }
            let inner = match Doc::Table(table).into_json().map_err(PyAibubbleError)? {
                serde_json::Value::Object(m) => self
                    .inner
                    .with_overrides(m.iter().map(|(k, v)| (k.as_str(), v.clone()))),
                _ => unreachable!("a table gives an object"),
            }
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
                        serde_json::to_string(&f.value).expect("json"),
                        f.unit.to_string(),
                        f.domain.describe(),
                        f.value.fixed_value().is_none(),
                    )
                })
                .collect())
        })
    }

    /// How an analysis moves an input (`analysis::implied::movement`), as
    /// JSON: `{input, how, today, bracket, unit}`.
    fn movement(&self, path: &str) -> PyResult<String> {
        guard(|| {
            let m = crate::analysis::implied::movement(&self.inner, path).map_err(PyAibubbleError)?;
            Ok(serde_json::to_string(&m).expect("json"))
        })
    }

    /// An input's value with its central value at `x`
    /// (`analysis::implied::moved`), as JSON: a number or a distribution.
    fn moved(&self, path: &str, x: f64) -> PyResult<String> {
        guard(|| {
            let v = crate::analysis::implied::moved(&self.inner, path, x).map_err(PyAibubbleError)?;
            Ok(serde_json::to_string(&v).expect("json"))
        })
    }

    /// The value at a field path, as JSON.
    fn get(&self, path: &str) -> PyResult<String> {
        guard(|| {
            let v = self.inner.get(path).map_err(PyAibubbleError)?;
            Ok(serde_json::to_string(&v).expect("json"))
        })
    }

    /// The field paths whose values differ between two scenarios, each with
    /// both values as JSON (`None` where a scenario has no such field):
    /// `(path, self, other)`, sorted by path. Both are compared with every
    /// defaulted field written out; a distribution is one value.
    fn diff(&self, other: &PyScenario) -> PyResult<Vec<Diff>> {
        guard(|| Ok(diff(&self.inner, &other.inner)))
    }

    /// `freeze(S)`: the scenario with competition frozen (docs/equations.md §11).
    fn freeze_competition(&self) -> PyResult<Self> {
        guard(|| {
            Ok(PyScenario {
                inner: self.inner.freeze_competition(),
            })
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

/// One row of [`PyScenario::diff`].
type Diff = (String, Option<String>, Option<String>);

/// The core's [`Scenario::diff`], each value as JSON text.
fn diff(a: &Scenario, b: &Scenario) -> Vec<Diff> {
    let json = |v: Option<Value>| v.map(|v| serde_json::to_string(&v).expect("json"));
    a.diff(b).into_iter().map(|d| (d.path, json(d.a), json(d.b))).collect()
}

/// Names of the presets.
#[pyfunction]
pub fn presets() -> PyResult<Vec<&'static str>> {
    guard(|| Ok(preset_list::names()))
}
