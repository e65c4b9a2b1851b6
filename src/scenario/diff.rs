//! Which inputs differ between two scenarios: every field path whose value
//! differs, with both values, both scenarios compared with every defaulted
//! field written out. Used by the comparison of scenarios
//! (`analysis::compare`) and by Python's `Scenario.diff`.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;
use serde_json::Value;

use super::types::Scenario;

/// One field path whose value differs between two scenarios.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct FieldDiff {
    /// The field path (`prices.premium_sensitivity`, `labs.openai.mark`).
    pub path: String,
    /// Its value in the first scenario (None where it has no such field).
    pub a: Option<Value>,
    /// Its value in the second scenario (None where it has no such field).
    pub b: Option<Value>,
}

impl Scenario {
    /// The field paths whose values differ between this scenario and
    /// `other`, sorted by path, with both values. Both are compared with
    /// every defaulted field written out; a distribution is one value, a
    /// list of things with an id is keyed by id, numbers compare by value
    /// (`1` is `1.0`) and tables whatever their order.
    ///
    /// ```
    /// use aibubble::Scenario;
    /// let a = Scenario::preset("baseline")?;
    /// let d = a.diff(&a.freeze_competition());
    /// assert_eq!(d.len(), 1);
    /// assert_eq!(d[0].path, "counterfactual");
    /// # Ok::<(), aibubble::Error>(())
    /// ```
    pub fn diff(&self, other: &Scenario) -> Vec<FieldDiff> {
        diff_values(&self.to_value_expanded(), &other.to_value_expanded())
    }
}

/// [`Scenario::diff`] of two JSON forms.
pub fn diff_values(a: &Value, b: &Value) -> Vec<FieldDiff> {
    let (mut fa, mut fb) = (BTreeMap::new(), BTreeMap::new());
    flatten(a, &mut String::new(), &mut fa);
    flatten(b, &mut String::new(), &mut fb);
    let paths: BTreeSet<&String> = fa.keys().chain(fb.keys()).collect();
    paths
        .into_iter()
        .filter_map(|p| {
            let (x, y) = (fa.get(p), fb.get(p));
            let equal = match (x, y) {
                (Some(x), Some(y)) => same(x, y),
                (None, None) => true,
                _ => false,
            };
            (!equal).then(|| FieldDiff {
                path: p.clone(),
                a: x.map(|v| (*v).clone()),
                b: y.map(|v| (*v).clone()),
            })
        })
        .collect()
}

/// `(path, leaf)` for every leaf of a scenario's JSON form, in the field-path
/// grammar (`crate::scenario::paths`): lists of things with an id are keyed by
/// id, distributions (tables with `dist`) and other lists are leaves.
fn flatten<'a>(value: &'a Value, path: &mut String, out: &mut BTreeMap<String, &'a Value>) {
    let mut child = |key: &str, v: &'a Value, path: &mut String| {
        let len = path.len();
        if !path.is_empty() {
            path.push('.');
        }
        path.push_str(key);
        flatten(v, path, out);
        path.truncate(len);
    };
    match value {
        Value::Object(m) if !m.contains_key("dist") => {
            for (k, v) in m {
                child(k, v, path);
            }
        }
        Value::Array(a) if !a.is_empty() && a.iter().all(|e| e.get("id").is_some_and(Value::is_string)) => {
            for e in a {
                let id = e["id"].as_str().expect("checked");
                for (k, v) in e.as_object().expect("has an id").iter().filter(|(k, _)| *k != "id") {
                    let len = path.len();
                    path.push('.');
                    path.push_str(id);
                    child(k, v, path);
                    path.truncate(len);
                }
            }
        }
        leaf => {
            out.insert(path.clone(), leaf);
        }
    }
}

/// Equal as values: numbers by value (`1` is `1.0`), tables whatever their order.
fn same(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x.as_f64() == y.as_f64(),
        (Value::Array(x), Value::Array(y)) => x.len() == y.len() && x.iter().zip(y).all(|(x, y)| same(x, y)),
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len() && x.iter().all(|(k, v)| y.get(k).is_some_and(|w| same(v, w)))
        }
        _ => a == b,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn lists_the_differing_paths_with_both_values() {
        let a = Scenario::preset("baseline").unwrap();
        let b = Scenario::preset("ft_bubble").unwrap();
        assert!(a.diff(&a).is_empty());
        let d = a.diff(&b);
        assert!(!d.is_empty());
        assert!(d.windows(2).all(|w| w[0].path < w[1].path));
        assert!(d.iter().any(|f| f.path == "name" && f.a == Some(json!("baseline"))));
        let back = b.diff(&a);
        assert_eq!(back.len(), d.len());
        assert!(back.iter().zip(&d).all(|(x, y)| x.a == y.b && x.b == y.a));
    }

    #[test]
    fn numbers_compare_by_value_and_missing_fields_are_none() {
        let d = diff_values(
            &json!({"x": 1, "y": {"dist": "normal", "mu": 1}, "l": [{"id": "a", "v": 2}]}),
            &json!({"x": 1.0, "y": {"dist": "normal", "mu": 2}, "l": [{"id": "a", "v": 2}, {"id": "b", "v": 3}]}),
        );
        assert_eq!(
            d,
            vec![
                FieldDiff {
                    path: "l.b.v".into(),
                    a: None,
                    b: Some(json!(3))
                },
                FieldDiff {
                    path: "y".into(),
                    a: Some(json!({"dist": "normal", "mu": 1})),
                    b: Some(json!({"dist": "normal", "mu": 2}))
                },
            ]
        );
    }
}
