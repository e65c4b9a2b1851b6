//! Non-finite numbers (`nan`, `inf`) in a scenario document.
//!
//! The generic JSON form of a scenario cannot hold them: they would turn into
//! `null`, which reads as an absent optional field. They are found before a
//! document becomes JSON, by one walker that serves every reader whose
//! format has them: the TOML reader and the Python binding (a dict given to
//! `Scenario.from_dict`, the overrides given to `replace`). Each is reported
//! with its field path in the grammar of docs/equations.md §10 (lists of things
//! with an `id` addressed by id, other lists by index) as
//! `must be finite, got NaN` (or `inf`, `-inf`).

use serde_json::{Number, Value};

use crate::error::{Error, Problem, Problems, Result};

use super::Scenario;

/// What the walker sees of one node of a document tree.
pub enum Node<'a, T> {
    /// A floating-point number (the only kind that can be non-finite).
    Float(f64),
    /// A string (an `id` of a list element, say).
    Str(&'a str),
    /// A table: its keys and values, in order.
    Table(Vec<(&'a str, &'a T)>),
    /// A list.
    Array(&'a [T]),
    /// Anything else: integers, booleans, null, dates.
    Other,
}

/// A document tree the walker can look into.
pub trait Tree: Sized {
    /// What this node is.
    fn node(&self) -> Node<'_, Self>;
}

impl Tree for toml::Value {
    fn node(&self) -> Node<'_, Self> {
        match self {
            toml::Value::Float(x) => Node::Float(*x),
            toml::Value::String(s) => Node::Str(s),
            toml::Value::Table(t) => Node::Table(t.iter().map(|(k, v)| (k.as_str(), v)).collect()),
            toml::Value::Array(a) => Node::Array(a),
            _ => Node::Other,
        }
    }
}

/// Every non-finite number of a document, with its field path.
pub fn find<T: Tree>(root: &T) -> Vec<Problem> {
    let mut out = Vec::new();
    walk(root, &mut String::new(), &mut out);
    out
}

/// Collect every non-finite float (`nan`, `inf`) of a TOML table with its
/// field path, the table sitting at `path`.
pub(super) fn non_finite_table(t: &toml::Table, path: &mut String, out: &mut Vec<Problem>) {
    entries(t.iter().map(|(k, v)| (k.as_str(), v)), path, out);
}

fn entries<'a, T: Tree + 'a>(
    items: impl IntoIterator<Item = (&'a str, &'a T)>,
    path: &mut String,
    out: &mut Vec<Problem>,
) {
    for (k, v) in items {
        let len = path.len();
        if !path.is_empty() {
            path.push('.');
        }
        path.push_str(k);
        walk(v, path, out);
        path.truncate(len);
    }
}

fn walk<T: Tree>(v: &T, path: &mut String, out: &mut Vec<Problem>) {
    match v.node() {
        Node::Float(x) if !x.is_finite() => {
            out.push(Problem::new(path.clone(), format!("must be finite, got {x}")));
        }
        Node::Table(t) => entries(t, path, out),
        Node::Array(a) => {
            // Lists of things with an id are addressed by id (docs/equations.md §10).
            let ids: Option<Vec<&str>> = a.iter().map(id).collect();
            for (i, e) in a.iter().enumerate() {
                let len = path.len();
                match &ids {
                    Some(ids) => {
                        path.push('.');
                        path.push_str(ids[i]);
                    }
                    None => path.push_str(&format!("[{i}]")),
                }
                walk(e, path, out);
                path.truncate(len);
            }
        }
        _ => {}
    }
}

/// The string `id` of a table.
fn id<T: Tree>(v: &T) -> Option<&str> {
    match v.node() {
        Node::Table(t) => t
            .into_iter()
            .find(|(k, _)| *k == "id")
            .and_then(|(_, v)| match v.node() {
                Node::Str(s) => Some(s),
                _ => None,
            }),
        _ => None,
    }
}

/// A document built outside serde (by the Python binding from a dict): the
/// values of JSON, and floats that JSON cannot hold.
#[derive(Clone, Debug, PartialEq)]
pub enum Doc {
    /// No value (Python's `None`).
    Null,
    /// A boolean.
    Bool(bool),
    /// An integer.
    Int(Number),
    /// A floating-point number, finite or not.
    Float(f64),
    /// A string.
    Str(String),
    /// A table: keys and values, in order.
    Table(Vec<(String, Doc)>),
    /// A list.
    List(Vec<Doc>),
}

impl Tree for Doc {
    fn node(&self) -> Node<'_, Self> {
        match self {
            Doc::Float(x) => Node::Float(*x),
            Doc::Str(s) => Node::Str(s),
            Doc::Table(t) => Node::Table(t.iter().map(|(k, v)| (k.as_str(), v)).collect()),
            Doc::List(a) => Node::Array(a),
            _ => Node::Other,
        }
    }
}

impl Doc {
    /// The generic JSON form.
    ///
    /// # Errors
    /// A scenario error naming every non-finite number with its field path.
    pub fn into_json(self) -> Result<Value> {
        let problems = find(&self);
        if !problems.is_empty() {
            return Err(Error::Scenario(Problems(problems)));
        }
        Ok(self.into_json_unchecked())
    }

    fn into_json_unchecked(self) -> Value {
        match self {
            Doc::Null => Value::Null,
            Doc::Bool(b) => Value::Bool(b),
            Doc::Int(n) => Value::Number(n),
            Doc::Float(x) => Number::from_f64(x).map_or(Value::Null, Value::Number),
            Doc::Str(s) => Value::String(s),
            Doc::Table(t) => Value::Object(t.into_iter().map(|(k, v)| (k, v.into_json_unchecked())).collect()),
            Doc::List(a) => Value::Array(a.into_iter().map(Doc::into_json_unchecked).collect()),
        }
    }
}

impl Scenario {
    /// Build and validate a scenario from a document shaped like the JSON form.
    ///
    /// # Errors
    /// A scenario error naming every non-finite number, or else every problem
    /// of [`Scenario::from_value`].
    pub fn from_doc(doc: Doc) -> Result<Scenario> {
        Scenario::from_value(doc.into_json()?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn toml_problems(text: &str) -> Vec<(String, String)> {
        let t: toml::Table = toml::from_str(text).unwrap();
        let mut out = Vec::new();
        non_finite_table(&t, &mut String::new(), &mut out);
        out.into_iter().map(|p| (p.path, p.message)).collect()
    }

    fn table(entries: Vec<(&str, Doc)>) -> Doc {
        Doc::Table(entries.into_iter().map(|(k, v)| (k.to_string(), v)).collect())
    }

    #[test]
    fn toml_paths_are_id_keyed() {
        let text = "a = nan\n[b]\nc = [1.0, -inf]\n[[labs]]\nid = \"x\"\nmark = inf\n";
        assert_eq!(
            toml_problems(text),
            vec![
                ("a".to_string(), "must be finite, got NaN".to_string()),
                ("b.c[1]".to_string(), "must be finite, got -inf".to_string()),
                ("labs.x.mark".to_string(), "must be finite, got inf".to_string()),
            ]
        );
    }

    #[test]
    fn docs_report_like_toml() {
        let doc = table(vec![
            ("a", Doc::Float(f64::NAN)),
            (
                "b",
                table(vec![(
                    "c",
                    Doc::List(vec![Doc::Float(1.0), Doc::Float(f64::NEG_INFINITY)]),
                )]),
            ),
            (
                "labs",
                Doc::List(vec![table(vec![
                    ("id", Doc::Str("x".into())),
                    ("mark", Doc::Float(f64::INFINITY)),
                ])]),
            ),
        ]);
        let Err(Error::Scenario(Problems(p))) = doc.into_json() else {
            panic!("non-finite numbers pass")
        };
        let text = "a = nan\n[b]\nc = [1.0, -inf]\n[[labs]]\nid = \"x\"\nmark = inf\n";
        assert_eq!(
            p.into_iter().map(|p| (p.path, p.message)).collect::<Vec<_>>(),
            toml_problems(text)
        );
    }

    #[test]
    fn finite_docs_become_json() {
        let doc = table(vec![
            ("n", Doc::Null),
            ("b", Doc::Bool(true)),
            ("i", Doc::Int(Number::from(-3))),
            ("x", Doc::Float(0.5)),
            ("s", Doc::Str("t".into())),
            ("l", Doc::List(vec![Doc::Int(Number::from(1))])),
        ]);
        assert_eq!(
            doc.into_json().unwrap(),
            serde_json::json!({"n": null, "b": true, "i": -3, "x": 0.5, "s": "t", "l": [1]})
        );
    }

    #[test]
    fn a_list_without_ids_everywhere_is_indexed() {
        let doc = Doc::List(vec![
            table(vec![("id", Doc::Str("a".into())), ("v", Doc::Float(f64::NAN))]),
            table(vec![("id", Doc::Int(Number::from(2))), ("v", Doc::Float(f64::NAN))]),
        ]);
        let paths: Vec<String> = find(&doc).into_iter().map(|p| p.path).collect();
        assert_eq!(paths, vec!["[0].v", "[1].v"]);
    }
}
