//! The one mapping from the core's error variants to Python exceptions. The
//! exception classes live in `aibubble/errors.py` (so that `ScenarioError`
//! can also be a `ValueError`), imported once with `_core`; this file picks
//! the class for each variant. Every entry point of the bindings runs in
//! [`guard`], so that a Rust panic reaches Python as `InternalError`.

use pyo3::exceptions::{PyRuntimeError, PyTypeError};
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::PyTuple;

use crate::error::{Error, printable};

/// A core error on its way to Python.
pub struct PyAibubbleError(pub Error);

impl From<Error> for PyAibubbleError {
    fn from(e: Error) -> Self {
        PyAibubbleError(e)
    }
}

/// The classes of `aibubble/errors.py` that the bindings raise.
const CLASSES: [&str; 9] = [
    "ScenarioError",
    "ResultsFileError",
    "FileError",
    "ResourceLimitError",
    "NumericalError",
    "SchemaVersionError",
    "ArgumentError",
    "CancelledError",
    "InternalError",
];

/// The classes of [`CLASSES`], imported once.
static LOADED: PyOnceLock<Vec<Py<PyAny>>> = PyOnceLock::new();

/// Import `aibubble.errors` and keep its classes; called when `_core` is
/// imported, so that no error pays for (or fails in) the import.
pub fn load(py: Python<'_>) -> PyResult<()> {
    classes(py).map(|_| ())
}

fn classes(py: Python<'_>) -> PyResult<&'static Vec<Py<PyAny>>> {
    LOADED.get_or_try_init(py, || {
        let module = py.import("aibubble.errors")?;
        CLASSES.iter().map(|c| Ok(module.getattr(*c)?.unbind())).collect()
    })
}

/// One class of `aibubble.errors` by name (one of [`CLASSES`]).
pub fn class<'py>(py: Python<'py>, name: &str) -> PyResult<Bound<'py, PyAny>> {
    let i = CLASSES
        .iter()
        .position(|c| *c == name)
        .ok_or_else(|| PyRuntimeError::new_err(format!("no error class {name}")))?;
    Ok(classes(py)?[i].bind(py).clone())
}

fn raise(class_name: &str, message: String, problems: Option<Vec<(String, String)>>) -> PyErr {
    Python::attach(|py| {
        let made = (|| -> PyResult<PyErr> {
            let cls = class(py, class_name)?;
            let exc = match problems {
                Some(p) => cls.call1((message.clone(), p))?,
                None => cls.call1(PyTuple::new(py, [message.clone()])?)?,
            };
            Ok(PyErr::from_value(exc))
        })();
        made.unwrap_or_else(|e| PyRuntimeError::new_err(format!("{message} (and the error class failed: {e})")))
    })
}

/// `TypeError(message)`: a Python value of the wrong type.
pub fn type_error(message: impl Into<String>) -> PyErr {
    PyTypeError::new_err(message.into())
}

/// The type name of a Python value, for messages.
pub fn type_name(v: &Bound<'_, PyAny>) -> String {
    v.get_type()
        .name()
        .map_or_else(|_| "object".to_string(), |n| n.to_string())
}

impl From<PyAibubbleError> for PyErr {
    fn from(e: PyAibubbleError) -> PyErr {
        let message = e.0.to_string();
        match e.0 {
            Error::Scenario(p) => raise(
                "ScenarioError",
                message,
                // Escaped like the message: they are printed as often as it is.
                Some(
                    p.0.iter()
                        .map(|x| (printable(&x.path).into_owned(), printable(&x.message).into_owned()))
                        .collect(),
                ),
            ),
            Error::ResultsFile { .. } => raise("ResultsFileError", message, None),
            Error::Parse { .. } => raise("ScenarioError", message, Some(Vec::new())),
            Error::Io { .. } | Error::OutputExists { .. } => raise("FileError", message, None),
            Error::ResourceLimit(_) => raise("ResourceLimitError", message, None),
            Error::Numerical { .. } => raise("NumericalError", message, None),
            Error::Schema { .. } => raise("SchemaVersionError", message, None),
            Error::Argument { .. } => raise("ArgumentError", message, None),
            Error::Cancelled { .. } => raise("CancelledError", message, None),
        }
    }
}

/// Run `f`, turning a panic into `aibubble.InternalError` so that no Rust
/// panic reaches Python.
pub fn guard<T>(f: impl FnOnce() -> PyResult<T>) -> PyResult<T> {
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)) {
        Ok(r) => r,
        Err(payload) => Err(internal(payload)),
    }
}

pub fn internal(payload: Box<dyn std::any::Any + Send>) -> PyErr {
    let what = payload
        .downcast_ref::<String>()
        .cloned()
        .or_else(|| payload.downcast_ref::<&str>().map(|s| s.to_string()))
        .unwrap_or_else(|| "unknown panic".into());
    raise("InternalError", format!("internal error (please report): {what}"), None)
}
