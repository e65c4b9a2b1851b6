//! The field-path grammar of docs/equations.md §10: dotted, id-keyed paths such as
//! `segments.enterprise.switching` or `labs.openai.weights.consumer`. Lists of
//! things with an `id` (segments, labs, events) are addressed by id; other
//! lists by index in brackets (`labs.openai.plan[1]`).
//!
//! Paths act on the generic JSON form of a scenario, so one implementation
//! serves overrides (`--set`, Python `replace`) and error messages.

use serde_json::Value;

/// Split a path into its parts: `a.b[2].c` gives `a`, `b`, `[2]`, `c`.
fn parts(path: &str) -> Result<Vec<Part<'_>>, String> {
    if path.is_empty() {
        return Err("empty field path".into());
    }
    let mut out = Vec::new();
    for dotted in path.split('.') {
        let (name, mut rest) = match dotted.find('[') {
            Some(i) => (&dotted[..i], &dotted[i..]),
            None => (dotted, ""),
        };
        if name.is_empty() && rest.is_empty() {
            return Err(format!("field path `{path}` has an empty part"));
        }
        if !name.is_empty() {
            out.push(Part::Key(name));
        }
        while !rest.is_empty() {
            let close = rest
                .find(']')
                .ok_or_else(|| format!("field path `{path}`: unclosed `[`"))?;
            let index = rest[1..close]
                .parse::<usize>()
                .map_err(|_| format!("field path `{path}`: `{}` is not an index", &rest[1..close]))?;
            out.push(Part::Index(index));
            rest = &rest[close + 1..];
            if !rest.is_empty() && !rest.starts_with('[') {
                return Err(format!("field path `{path}`: unexpected `{rest}`"));
            }
        }
    }
    Ok(out)
}

#[derive(Debug)]
enum Part<'a> {
    Key(&'a str),
    Index(usize),
}

/// Whether a JSON value is a list of objects keyed by `id`.
fn is_id_list(v: &Value) -> bool {
    matches!(v, Value::Array(a) if a.iter().all(|e| e.get("id").is_some_and(Value::is_string)))
}

fn step<'a>(cur: &'a Value, part: &Part, path: &str, done: &str) -> Result<&'a Value, String> {
    match (part, cur) {
        (Part::Key(k), Value::Object(m)) => m.get(*k).ok_or_else(|| not_found(path, done, k, cur)),
        (Part::Key(k), Value::Array(a)) if is_id_list(cur) => a
            .iter()
            .find(|e| e["id"] == **k)
            .ok_or_else(|| not_found(path, done, k, cur)),
        (Part::Index(i), Value::Array(a)) => a
            .get(*i)
            .ok_or_else(|| format!("{path}: index {i} is out of range ({} items)", a.len())),
        _ => Err(format!("{path}: `{done}` has no parts below it")),
    }
}

fn step_mut<'a>(cur: &'a mut Value, part: &Part, path: &str, done: &str) -> Result<&'a mut Value, String> {
    // Find the position with a shared borrow, then take the mutable one.
    step(cur, part, path, done)?;
    let index = match (part, &*cur) {
        (Part::Key(k), Value::Array(a)) => a.iter().position(|e| e["id"] == **k),
        (Part::Index(i), _) => Some(*i),
        _ => None,
    };
    Ok(match (part, cur, index) {
        (Part::Key(k), Value::Object(m), _) => m.get_mut(*k).expect("found above"),
        (_, Value::Array(a), Some(i)) => &mut a[i],
        _ => unreachable!("step succeeded"),
    })
}

fn not_found(path: &str, done: &str, key: &str, parent: &Value) -> String {
    let known: Vec<String> = match parent {
        Value::Object(m) => m.keys().cloned().collect(),
        Value::Array(a) => a.iter().filter_map(|e| e["id"].as_str().map(String::from)).collect(),
        _ => Vec::new(),
    };
    let under = if done.is_empty() {
        String::new()
    } else {
        format!(" under `{done}`")
    };
    if known.is_empty() {
        format!("{path}: no `{key}`{under}")
    } else {
        format!("{path}: no `{key}`{under} (known: {})", known.join(", "))
    }
}

/// The value at `path`.
pub fn get<'a>(root: &'a Value, path: &str) -> Result<&'a Value, String> {
    let parts = parts(path)?;
    let mut cur = root;
    let mut done = String::new();
    for p in &parts {
        cur = step(cur, p, path, &done)?;
        push_part(&mut done, p);
    }
    Ok(cur)
}

/// Set the value at `path`. The last part may name a key that is absent (an
/// optional field, or a weight for another segment); every earlier part must exist.
pub fn set(root: &mut Value, path: &str, value: Value) -> Result<(), String> {
    let parts = parts(path)?;
    let (last, init) = parts.split_last().expect("non-empty");
    let mut cur = root;
    let mut done = String::new();
    for p in init {
        cur = step_mut(cur, p, path, &done)?;
        push_part(&mut done, p);
    }
    match (last, cur) {
        (Part::Key(k), Value::Object(m)) => {
            m.insert((*k).to_string(), value);
            Ok(())
        }
        (part, cur) => {
            let target = step_mut(cur, part, path, &done)?;
            *target = value;
            Ok(())
        }
    }
}

fn push_part(done: &mut String, p: &Part) {
    match p {
        Part::Key(k) => {
            if !done.is_empty() {
                done.push('.');
            }
            done.push_str(k);
        }
        Part::Index(i) => done.push_str(&format!("[{i}]")),
    }
}

/// Turn a serde path (`labs[2].mark`) into the id-keyed grammar
/// (`labs.openai.mark`) by looking the ids up in the raw document.
pub fn from_serde_path(root: &Value, path: &serde_path_to_error::Path) -> String {
    use serde_path_to_error::Segment;
    let mut out = String::new();
    let mut cur = Some(root);
    for seg in path.iter() {
        match seg {
            Segment::Seq { index } => {
                let elem = cur.and_then(|c| c.get(*index));
                match elem.and_then(|e| e.get("id")).and_then(Value::as_str) {
                    Some(id) if cur.is_some_and(is_id_list) => {
                        out.push('.');
                        out.push_str(id);
                    }
                    _ => out.push_str(&format!("[{index}]")),
                }
                cur = elem;
            }
            Segment::Map { key } => {
                if !out.is_empty() {
                    out.push('.');
                }
                out.push_str(key);
                cur = cur.and_then(|c| c.get(key.as_str()));
            }
            Segment::Enum { .. } | Segment::Unknown => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn doc() -> Value {
        json!({
            "gap": {"initial": 3.0},
            "segments": [{"id": "consumer", "switching": 1.0}, {"id": "enterprise", "switching": 0.5}],
            "labs": [{"id": "openai", "weights": {"consumer": 1.0}, "plan": [[2026.0, 10.0], [2030.0, 50.0]]}]
        })
    }

    #[test]
    fn get_by_id_and_index() {
        let d = doc();
        assert_eq!(get(&d, "segments.enterprise.switching").unwrap(), &json!(0.5));
        assert_eq!(get(&d, "labs.openai.plan[1][1]").unwrap(), &json!(50.0));
        assert_eq!(get(&d, "gap.initial").unwrap(), &json!(3.0));
    }

    #[test]
    fn set_existing_and_new_leaf() {
        let mut d = doc();
        set(&mut d, "segments.consumer.switching", json!(2.0)).unwrap();
        set(&mut d, "labs.openai.weights.enterprise", json!(0.3)).unwrap();
        set(&mut d, "labs.openai.mark", json!(500.0)).unwrap();
        assert_eq!(d["segments"][0]["switching"], json!(2.0));
        assert_eq!(d["labs"][0]["weights"]["enterprise"], json!(0.3));
        assert_eq!(d["labs"][0]["mark"], json!(500.0));
    }

    #[test]
    fn unknown_id_lists_the_known_ones() {
        let mut d = doc();
        let e = set(&mut d, "segments.retail.switching", json!(1.0)).unwrap_err();
        assert!(e.contains("no `retail` under `segments`"), "{e}");
        assert!(e.contains("consumer, enterprise"), "{e}");
        assert!(get(&d, "gap.initial.x").unwrap_err().contains("no parts below"));
        assert!(get(&d, "labs.openai.plan[5]").unwrap_err().contains("out of range"));
        assert!(get(&d, "").is_err());
        assert!(get(&d, "gap..x").is_err());
    }
}
