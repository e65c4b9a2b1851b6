//! Python values to scenario documents ([`Doc`]): what `json.dumps` takes
//! (dicts and other mappings with string keys, lists, tuples, strings, ints,
//! floats, booleans, `None`), with floats kept as they are so that the core
//! names every `nan` and `inf` (`crate::scenario::nonfinite`).

use pyo3::prelude::*;
use pyo3::types::{PyBool, PyDict, PyFloat, PyInt, PyList, PyMapping, PyString, PyTuple};
use serde_json::Number;

use super::errors::{PyAibubbleError, type_error, type_name};
use crate::scenario::nonfinite::Doc;

/// How deeply a document may nest (serde_json's limit for JSON text).
const MAX_DEPTH: usize = 128;

/// The entries of a mapping, in order.
pub type Entries<'py> = Vec<(String, Bound<'py, PyAny>)>;

/// A mapping with string keys as `(key, value)` pairs; `None` when `v` is
/// not a mapping.
pub fn mapping<'py>(v: &Bound<'py, PyAny>, at: &str) -> PyResult<Option<Entries<'py>>> {
    let items: Vec<(Bound<'py, PyAny>, Bound<'py, PyAny>)> = if let Ok(d) = v.cast::<PyDict>() {
        d.iter().collect()
    } else if let Ok(m) = v.cast::<PyMapping>() {
        m.items()?.iter().map(|kv| kv.extract()).collect::<PyResult<_>>()?
    } else {
        return Ok(None);
    };
    items
        .into_iter()
        .map(|(k, v)| match k.cast::<PyString>() {
            Ok(s) => Ok((s.to_cow()?.into_owned(), v)),
            Err(_) => Err(type_error(format!(
                "{}keys are strings, got {} {}",
                prefix(at),
                type_name(&k),
                k.repr().map_or_else(|_| "?".into(), |r| r.to_string())
            ))),
        })
        .collect::<PyResult<_>>()
        .map(Some)
}

fn prefix(at: &str) -> String {
    if at.is_empty() {
        String::new()
    } else {
        format!("{at}: ")
    }
}

/// The document of a Python value found at `at` (a path for messages).
pub fn to_doc(v: &Bound<'_, PyAny>, at: &str) -> PyResult<Doc> {
    walk(v, at, 0)
}

fn walk(v: &Bound<'_, PyAny>, at: &str, depth: usize) -> PyResult<Doc> {
    if depth > MAX_DEPTH {
        return Err(PyAibubbleError(crate::Error::Parse {
            what: "scenario".into(),
            message: format!("{}nested more than {MAX_DEPTH} levels deep", prefix(at)),
        })
        .into());
    }
    let join = |k: &str| {
        if at.is_empty() {
            k.to_string()
        } else {
            format!("{at}.{k}")
        }
    };
    Ok(if v.is_none() {
        Doc::Null
    } else if let Ok(b) = v.cast::<PyBool>() {
        Doc::Bool(b.is_true())
    } else if v.is_instance_of::<PyInt>() {
        if let Ok(i) = v.extract::<i64>() {
            Doc::Int(Number::from(i))
        } else if let Ok(u) = v.extract::<u64>() {
            Doc::Int(Number::from(u))
        } else {
            // Beyond 64 bits, like JSON text read by the core: a float, infinite past f64.
            let negative = v.lt(0)?;
            Doc::Float(
                v.extract::<f64>()
                    .unwrap_or(if negative { f64::NEG_INFINITY } else { f64::INFINITY }),
            )
        }
    } else if let Ok(x) = v.cast::<PyFloat>() {
        Doc::Float(x.value())
    } else if let Ok(s) = v.cast::<PyString>() {
        Doc::Str(s.to_cow()?.into_owned())
    } else if v.is_instance_of::<PyList>() || v.is_instance_of::<PyTuple>() {
        let mut out = Vec::new();
        for (i, e) in v.try_iter()?.enumerate() {
            out.push(walk(&e?, &format!("{at}[{i}]"), depth + 1)?);
        }
        Doc::List(out)
    } else if let Some(items) = mapping(v, at)? {
        let mut out = Vec::with_capacity(items.len());
        for (k, e) in items {
            let d = walk(&e, &join(&k), depth + 1)?;
            out.push((k, d));
        }
        Doc::Table(out)
    } else {
        return Err(type_error(format!(
            "{}a scenario holds dicts, lists, strings, numbers, booleans and None, not {}",
            prefix(at),
            type_name(v)
        )));
    })
}
