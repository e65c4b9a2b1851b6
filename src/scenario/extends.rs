//! Scenarios as differences: a document may name a base with
//! `extends = "baseline"` (a preset) or `extends = "other.toml"` (a regular
//! file named `*.toml` or `*.json`, relative to the document's own
//! directory, read by the rules of [`super::read`]), and list what differs:
//!
//! ```toml
//! extends = "baseline"
//! name = "ft_bubble"
//! description = "..."
//!
//! [overrides]                     # by field path, as `--set` takes them
//! "gap.half_life" = { dist = "triangular", lo = 0.1, mode = 0.2, hi = 0.3 }
//! "events.big_tech_switch.hazard" = 0.25
//!
//! [sources]                       # the citations of what changed
//! "gap.half_life" = "assumption: ..."
//! ```
//!
//! Text without a file (`from_toml_str`, Python's `from_dict`) has no
//! directory: it may extend presets only, unless its caller names a base
//! directory (`Scenario::from_toml_str_in`).
//!
//! The base is resolved first (it may extend another, but not itself); the
//! document's other top-level keys replace the base's (`sources` merge by
//! path), then the overrides apply with the machinery of `--set`. A base's
//! citation of an overridden path is dropped unless the document gives one:
//! it no longer describes the value.

use std::path::{Path, PathBuf};

use serde_json::{Map, Value};

use super::{Format, parse_value, paths, presets, read};
use crate::error::{Error, Problem, Problems, Result};

/// Where a document came from, to find what it extends and to name it.
#[derive(Clone, Debug)]
pub enum Origin {
    /// A preset, by name: it may extend other presets only.
    Preset(String),
    /// A file: it may extend presets, or files relative to its directory.
    File(PathBuf),
    /// Text or a value from code: it may extend presets, and files
    /// relative to the base directory if one is given.
    Inline(Option<PathBuf>),
}

impl Origin {
    fn describe(&self) -> String {
        match self {
            Origin::Preset(p) => format!("preset `{p}`"),
            Origin::File(f) => format!("`{}`", f.display()),
            Origin::Inline(_) => "the scenario given without a file".into(),
        }
    }

    fn key(&self) -> String {
        match self {
            Origin::Preset(p) => format!("preset:{p}"),
            Origin::File(f) => format!("file:{}", f.canonicalize().unwrap_or_else(|_| f.clone()).display()),
            Origin::Inline(_) => "inline".into(),
        }
    }
}

/// The overrides a resolved document applied, with who applied them (for messages).
#[derive(Clone, Debug, Default)]
pub struct Applied {
    pub overrides: Vec<(String, String)>,
}

impl Applied {
    /// Add to a problem the document whose override set its path.
    pub fn annotate(&self, problems: Vec<Problem>) -> Vec<Problem> {
        problems
            .into_iter()
            .map(|mut p| {
                // No allocation per pair: a file may hold 500,000 overrides.
                let by = self.overrides.iter().rev().find(|(path, _)| {
                    p.path
                        .strip_prefix(path.as_str())
                        .is_some_and(|rest| rest.is_empty() || rest.starts_with('.') || rest.starts_with('['))
                });
                if let Some((_, who)) = by {
                    p.message = format!("{} (set by the overrides of {who})", p.message);
                }
                p
            })
            .collect()
    }
}

/// Resolve `extends` and `overrides` of a document into a complete one.
///
/// # Errors
/// An unknown or unreadable base, a cycle, or an override that names no
/// field: a scenario error naming the document and the path.
pub fn resolve(value: Value, origin: &Origin) -> Result<(Value, Applied)> {
    let mut chain = Vec::new();
    let mut applied = Applied::default();
    let v = resolve_in(value, origin, &mut chain, &mut applied)?;
    Ok((v, applied))
}

fn resolve_in(value: Value, origin: &Origin, chain: &mut Vec<String>, applied: &mut Applied) -> Result<Value> {
    let Value::Object(mut doc) = value else {
        return Ok(value);
    };
    let extends = doc.remove("extends");
    let overrides = doc.remove("overrides");
    let Some(extends) = extends else {
        if overrides.is_some() {
            return Err(Error::problem(
                "overrides",
                "a scenario with overrides must name its base with `extends`",
            ));
        }
        return Ok(Value::Object(doc));
    };
    let Value::String(base_name) = extends else {
        return Err(Error::problem(
            "extends",
            format!("must name a preset or a file, got {extends}"),
        ));
    };
    chain.push(origin.key());
    let (base_text, base_origin) = load_base(&base_name, origin)?;
    if chain.contains(&base_origin.key()) {
        return Err(Error::problem(
            "extends",
            format!(
                "{} extends {}, which extends it back: a cycle",
                origin.describe(),
                base_origin.describe()
            ),
        ));
    }
    let format = match &base_origin {
        Origin::File(p) => Format::of_path(p),
        _ => Format::Toml,
    };
    let base_value = parse_value(&base_text, format).map_err(|e| in_base(e, &base_origin))?;
    let Value::Object(mut merged) = resolve_in(base_value, &base_origin, chain, applied)? else {
        return Err(Error::problem(
            "extends",
            format!("{} is not a scenario table", base_origin.describe()),
        ));
    };
    chain.pop();

    // The document's own keys replace the base's; sources merge by path.
    let own_sources = doc.remove("sources");
    for (k, v) in doc {
        merged.insert(k, v);
    }
    let mut sources = match merged.remove("sources") {
        Some(Value::Object(m)) => m,
        _ => Map::new(),
    };
    // Overrides, in listed order, as `--set` applies them.
    let mut root = Value::Object(merged);
    let mut problems = Vec::new();
    if let Some(overrides) = overrides {
        let Value::Object(list) = overrides else {
            return Err(Error::problem("overrides", "must be a table of field paths and values"));
        };
        let who = origin.describe();
        for (path, v) in list {
            match paths::set(&mut root, &path, v) {
                Ok(()) => {
                    sources.retain(|k, _| {
                        !k.strip_prefix(path.as_str())
                            .is_some_and(|rest| rest.is_empty() || rest.starts_with('.'))
                    });
                    applied.overrides.push((path, who.clone()));
                }
                Err(msg) => problems.push(Problem::new(
                    path.clone(),
                    format!(
                        "in the overrides of {who}: {}",
                        msg.trim_start_matches(&format!("{path}: "))
                    ),
                )),
            }
        }
    }
    if !problems.is_empty() {
        return Err(Error::Scenario(Problems(problems)));
    }
    if let Some(Value::Object(own)) = own_sources {
        sources.extend(own);
    }
    if let Value::Object(m) = &mut root {
        m.insert("sources".into(), Value::Object(sources));
    }
    Ok(root)
}

/// The text and origin of a base named by `extends`: a preset, or a
/// scenario file next to the document (never any other file: its content
/// could end up quoted in a message).
fn load_base(name: &str, from: &Origin) -> Result<(String, Origin)> {
    if presets::names().contains(&name) {
        return Ok((presets::text(name)?.to_string(), Origin::Preset(name.into())));
    }
    let presets = presets::names().join(", ");
    let holder = from.describe();
    let refuse = |why: String| Error::problem("extends", format!("`{name}` {why} (extended by {holder})"));
    let dir = match from {
        Origin::Preset(_) => {
            return Err(refuse(format!(
                "is no preset ({presets}), and a preset may only extend presets"
            )));
        }
        Origin::File(f) => f.parent().map(Path::to_path_buf).unwrap_or_default(),
        Origin::Inline(Some(dir)) => dir.clone(),
        Origin::Inline(None) => {
            return Err(refuse(format!(
                "is neither a preset ({presets}) nor allowed as a file: text given without a file may \
                 extend presets only, unless a base directory is given (Rust: from_toml_str_in or \
                 from_json_str_in; Python: base_dir=)"
            )));
        }
    };
    let path = dir.join(name);
    if !read::has_scenario_extension(&path) {
        return Err(refuse(format!(
            "is neither a preset ({presets}) nor a scenario file (a name ending in .toml or .json)"
        )));
    }
    let text = read::read_scenario_file(&path).map_err(|e| {
        refuse(format!(
            "is neither a preset ({presets}) nor a readable scenario file: {}: {e}",
            path.display()
        ))
    })?;
    Ok((text, Origin::File(path)))
}

/// A base's parse error, naming the base.
fn in_base(e: Error, base: &Origin) -> Error {
    match e {
        Error::Parse { what, message } => Error::Parse {
            what: format!("{what} (base {})", base.describe()),
            message,
        },
        other => other,
    }
}
