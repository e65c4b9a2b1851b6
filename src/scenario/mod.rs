//! Scenarios: serde types, reading and writing TOML and JSON, field-path
//! overrides, validation (docs/equations.md §9) and the embedded presets.

mod diff;
mod extends;
pub mod fields;
mod freeze;
pub mod inputs;
pub mod nonfinite;
pub mod paths;
pub mod presets;
pub mod read;
mod targets;
mod types;
mod validate;

use std::path::{Path, PathBuf};

use serde_json::Value;

pub use diff::{FieldDiff, diff_values};
pub use extends::Origin;
pub use fields::{Field, Slot, SlotLayout};
pub use inputs::{Domain, InputSpec, Presence, Section};
use nonfinite::non_finite_table;
pub use targets::Target;
pub use types::*;

use crate::error::{Error, Result};

/// A value for [`Scenario::set`]: a number, a distribution, or any value
/// of the JSON form (a plan, a list of effects, a class name).
#[derive(Clone, Debug, PartialEq)]
pub enum Override {
    /// A plain number; it must be finite.
    Number(f64),
    /// A number or a distribution.
    Uncertain(Uncertain),
    /// Any value of the JSON form, set as given.
    Json(Value),
}

impl From<f64> for Override {
    fn from(x: f64) -> Self {
        Override::Number(x)
    }
}

impl From<crate::dist::Dist> for Override {
    fn from(d: crate::dist::Dist) -> Self {
        Override::Uncertain(Uncertain::Dist(d))
    }
}

impl From<Uncertain> for Override {
    fn from(u: Uncertain) -> Self {
        Override::Uncertain(u)
    }
}

impl From<Value> for Override {
    fn from(v: Value) -> Self {
        Override::Json(v)
    }
}

impl From<&str> for Override {
    fn from(s: &str) -> Self {
        Override::Json(Value::String(s.to_string()))
    }
}

impl Override {
    /// The JSON form; a non-finite number is an error naming the path (the
    /// JSON form has no NaN or infinity).
    fn into_value(self, path: &str) -> Result<Value> {
        match self {
            Override::Number(x) if !x.is_finite() => Err(Error::problem(
                path,
                format!("must be finite, got {}", crate::error::Num(x)),
            )),
            Override::Number(x) => Ok(Value::from(x)),
            Override::Uncertain(u) => {
                let v = serde_json::to_value(&u).expect("inputs serialise");
                if v.is_null() || v.as_object().is_some_and(|o| o.values().any(Value::is_null)) {
                    return Err(Error::problem(path, format!("must be finite, got {u}")));
                }
                Ok(v)
            }
            Override::Json(v) => Ok(v),
        }
    }
}

/// Keys model v2 renamed, reported with their new name (a v1 file needs
/// only these renamed and v1's settings: docs/equations.md, "Model v2, and
/// the settings that give v1").
fn renamed_in_v2(value: &Value) -> Result<()> {
    let mut problems = Vec::new();
    for seg in value.get("segments").and_then(Value::as_array).into_iter().flatten() {
        if seg.get("beta_price").is_some() {
            let id = seg.get("id").and_then(Value::as_str).unwrap_or("?");
            problems.push(crate::error::Problem::new(
                format!("segments.{id}.beta_price"),
                format!(
                    "renamed `substitution` in model v2 (the elasticity of substitution between closed and \
                     open work, which plays v1's beta_price): write segments.{id}.substitution"
                ),
            ));
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(Error::Scenario(crate::error::Problems(problems)))
    }
}

/// The format of a scenario document.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// TOML, the format of presets and of files for people.
    Toml,
    /// JSON, the generic form.
    Json,
}

impl Format {
    /// The format a file name implies: `.json` is JSON, anything else TOML
    /// (a scenario file is named `.toml` or `.json`, see [`read`]).
    pub fn of_path(path: &Path) -> Format {
        match path.extension().and_then(|e| e.to_str()) {
            Some(e) if e.eq_ignore_ascii_case("json") => Format::Json,
            _ => Format::Toml,
        }
    }
}

/// Parse a document into the generic JSON form used by field paths.
pub fn parse_value(text: &str, format: Format) -> Result<Value> {
    match format {
        Format::Json => serde_json::from_str(text).map_err(|e| json_error(text, &e)),
        Format::Toml => {
            let t: toml::Table = toml::from_str(text).map_err(|e| toml_error(text, &e))?;
            // The generic form cannot hold `nan` or `inf` (they would turn
            // into `null`, read as an absent optional field): report them here.
            let mut problems = Vec::new();
            non_finite_table(&t, &mut String::new(), &mut problems);
            if !problems.is_empty() {
                return Err(Error::Scenario(crate::error::Problems(problems)));
            }
            serde_json::to_value(t).map_err(|e| Error::Parse {
                what: "TOML scenario".into(),
                message: e.to_string(),
            })
        }
    }
}

/// Longest excerpt of the offending line that a parse error quotes, in
/// characters: a JSON file is often one line of tens of KB, and quoting it
/// whole buries the message.
const EXCERPT_CHARS: usize = 60;
/// Longest parser message kept, in characters.
const MESSAGE_CHARS: usize = 120;

/// A TOML syntax error as a short message: the parser's own text, where it
/// is (line, column) and an excerpt of that line, instead of toml's
/// rendering, which quotes the whole line.
fn toml_error(text: &str, e: &toml::de::Error) -> Error {
    let mut message = brief(e.message());
    if let Some(span) = e.span() {
        message = locate(text, span.start, &message);
    }
    if text.trim_start().starts_with('{') {
        message.push_str(" (this looks like JSON: name the file .json)");
    }
    Error::Parse {
        what: "TOML scenario".into(),
        message,
    }
}

/// A JSON syntax error as a short message, like [`toml_error`].
fn json_error(text: &str, e: &serde_json::Error) -> Error {
    let full = e.to_string();
    // serde_json appends the position to its message; it is given separately below.
    let position = format!(" at line {} column {}", e.line(), e.column());
    let mut message = brief(full.strip_suffix(&position).unwrap_or(&full));
    if e.line() > 0 {
        message = locate(text, json_offset(text, e.line(), e.column()), &message);
    }
    Error::Parse {
        what: "JSON scenario".into(),
        message,
    }
}

/// The byte offset of serde_json's position: `column` counts the bytes of
/// line `line` (1-based) up to and including the offending one.
fn json_offset(text: &str, line: usize, column: usize) -> usize {
    let start: usize = text.split_inclusive('\n').take(line - 1).map(str::len).sum();
    let mut at = (start + column.saturating_sub(1)).min(text.len());
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    at
}

/// `line L, column C: message; at `excerpt``: where byte `offset` of `text`
/// is, with at most [`EXCERPT_CHARS`] characters of its line around it.
fn locate(text: &str, offset: usize, message: &str) -> String {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let line_start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
    let line_end = text[offset..].find('\n').map_or(text.len(), |i| offset + i);
    let line_no = text[..line_start].matches('\n').count() + 1;
    let line: Vec<char> = text[line_start..line_end].trim_end_matches('\r').chars().collect();
    let column = text[line_start..offset].chars().count();
    // A window around the column, shifted left when the column is near the end.
    let from = column
        .saturating_sub(EXCERPT_CHARS / 2)
        .min(line.len().saturating_sub(EXCERPT_CHARS));
    let to = (from + EXCERPT_CHARS).min(line.len());
    // Escaped like every message's text from input (a tab shows as `\t`).
    let mut excerpt = crate::error::printable(&line[from..to].iter().collect::<String>()).into_owned();
    if from > 0 {
        excerpt.insert(0, '…');
    }
    if to < line.len() {
        excerpt.push('…');
    }
    format!("line {line_no}, column {}: {message}; at `{excerpt}`", column + 1)
}

/// A parser message on one line and at most [`MESSAGE_CHARS`] characters.
fn brief(message: &str) -> String {
    let one_line = message.split_whitespace().collect::<Vec<_>>().join(" ");
    match one_line.char_indices().nth(MESSAGE_CHARS) {
        Some((cut, _)) => format!("{}…", &one_line[..cut]),
        None => one_line,
    }
}

/// A parse error of `path`'s text, naming the file.
fn in_file(e: Error, path: &Path) -> Error {
    match e {
        Error::Parse { what, message } => Error::Parse {
            what: format!("{what} {}", path.display()),
            message,
        },
        other => other,
    }
}

/// Parse a TOML value written on a command line (`830`, `"x"`,
/// `{ dist = "normal", mean = 3, sd = 1 }`, `[[2026, 10]]`); a bare word is a string.
/// A value holding `nan` or `inf` stays a string (the generic form has no
/// non-finite numbers), so that it is rejected rather than read as absent;
/// [`parse_override`] says why instead.
pub fn parse_override_value(text: &str) -> Value {
    match toml::from_str::<toml::Table>(&format!("v = {text}")) {
        Ok(t) => {
            let mut problems = Vec::new();
            non_finite_table(&t, &mut String::new(), &mut problems);
            if !problems.is_empty() {
                return Value::String(text.to_string());
            }
            serde_json::to_value(&t["v"]).unwrap_or(Value::String(text.into()))
        }
        Err(_) => Value::String(text.to_string()),
    }
}

/// Parse a `--set` value for field path `path`, as [`parse_override_value`]
/// does, but with a `nan` or an infinity in it (`nan`, `inf`, `-inf`, in
/// TOML or Rust spelling, alone or inside a distribution) reported as a
/// problem at its path: `gap.sigma: must be finite, got NaN`.
///
/// # Errors
/// [`Error::Scenario`] with one problem per non-finite number.
pub fn parse_override(path: &str, text: &str) -> Result<Value> {
    if let Some(x) = text.trim().parse::<f64>().ok().filter(|x| !x.is_finite()) {
        return Err(Error::problem(
            path,
            format!("must be finite, got {}", crate::error::Num(x)),
        ));
    }
    if let Ok(t) = toml::from_str::<toml::Table>(&format!("v = {text}")) {
        let mut problems = Vec::new();
        non_finite_table(&t, &mut String::new(), &mut problems);
        if !problems.is_empty() {
            for p in &mut problems {
                // `v`, `v.mean`, `v[0]`: the value's own place is `path`.
                p.path = format!("{path}{}", p.path.strip_prefix('v').unwrap_or(&p.path));
            }
            return Err(Error::Scenario(crate::error::Problems(problems)));
        }
    }
    Ok(parse_override_value(text))
}

/// Write the JSON form of a scenario as TOML for people: sections as tables,
/// distributions and weights as inline tables, `sources` last.
pub fn value_to_toml(value: &Value) -> String {
    use toml_edit::{Item, Table};
    fn inline(t: &mut Table) {
        for (key, item) in t.iter_mut() {
            match item {
                Item::Table(sub) if sub.contains_key("dist") || key == "weights" => {
                    let mut it = std::mem::take(sub).into_inline_table();
                    it.fmt();
                    *item = Item::Value(toml_edit::Value::InlineTable(it));
                }
                Item::Table(sub) => inline(sub),
                Item::ArrayOfTables(a) => a.iter_mut().for_each(inline),
                _ => {}
            }
        }
    }
    let mut doc = toml_edit::ser::to_document(value).expect("scenarios serialise to TOML");
    let root = doc.as_table_mut();
    // Nested objects come out inline; make sections real tables first.
    let keys: Vec<String> = root.iter().map(|(k, _)| k.to_string()).collect();
    for k in keys {
        let item = root.get_mut(&k).expect("key");
        if let Some(t) = item.as_inline_table() {
            *item = Item::Table(t.clone().into_table());
        } else if let Some(a) = item
            .as_array()
            .filter(|a| a.iter().all(|v| v.is_inline_table()) && !a.is_empty())
        {
            let mut tables = toml_edit::ArrayOfTables::new();
            for v in a.iter() {
                tables.push(v.as_inline_table().expect("inline").clone().into_table());
            }
            *item = Item::ArrayOfTables(tables);
        }
    }
    inline(root);
    escape_strings(root);
    doc.to_string()
}

/// Rewrite every string value a terminal could act on (a control
/// character, a bidirectional override) as a basic string with `\uXXXX`
/// escapes: toml_edit escapes only what TOML requires (not C1 or DEL) and
/// writes literal strings, which cannot escape, raw. The value is unchanged.
fn escape_strings(table: &mut toml_edit::Table) {
    use crate::error::unsafe_char;
    use toml_edit::{Item, Value};
    fn basic(s: &str) -> String {
        let mut out = String::from("\"");
        for c in s.chars() {
            match c {
                '"' => out.push_str("\\\""),
                '\\' => out.push_str("\\\\"),
                c if unsafe_char(c) => out.push_str(&format!("\\u{:04X}", u32::from(c))),
                c => out.push(c),
            }
        }
        out.push('"');
        out
    }
    fn value(v: &mut Value) {
        match v {
            Value::String(f) if f.value().chars().any(unsafe_char) => {
                let decor = f.decor().clone();
                // Parsing keeps the text as its representation.
                *v = basic(f.value()).parse().expect("a basic string parses");
                *v.decor_mut() = decor;
            }
            Value::Array(a) => a.iter_mut().for_each(value),
            Value::InlineTable(t) => t.iter_mut().for_each(|(_, v)| value(v)),
            _ => {}
        }
    }
    for (_, item) in table.iter_mut() {
        match item {
            Item::Value(v) => value(v),
            Item::Table(t) => escape_strings(t),
            Item::ArrayOfTables(a) => a.iter_mut().for_each(escape_strings),
            Item::None => {}
        }
    }
}

impl Scenario {
    /// Drop every input written as its default (see [`Section::drop_defaults`]).
    fn drop_written_defaults(&mut self) {
        Section::drop_defaults(self);
        self.valuation.drop_defaults();
        self.gap.drop_defaults();
        self.prices.drop_defaults();
        self.demand.drop_defaults();
        self.attractiveness.drop_defaults();
        self.segments.iter_mut().for_each(Section::drop_defaults);
        self.labs.iter_mut().for_each(Section::drop_defaults);
        self.events.iter_mut().for_each(Section::drop_defaults);
    }

    /// Build from the generic JSON form, then validate.
    pub fn from_value(value: Value) -> Result<Scenario> {
        Self::build(value, &Origin::Inline(None))
    }

    /// Resolve what a document extends, build it and check every rule;
    /// problems on overridden paths name the document that set them.
    pub(crate) fn build(value: Value, origin: &Origin) -> Result<Scenario> {
        let (value, applied) = extends::resolve(value, origin)?;
        let named = |e: Error| match e {
            Error::Scenario(p) => Error::Scenario(crate::error::Problems(applied.annotate(p.0))),
            e => e,
        };
        let s = Self::deserialize(&value).map_err(named)?;
        s.validate().map_err(named)?;
        Ok(s)
    }

    /// Build from the generic JSON form without the rules of section 9
    /// (types and unknown keys are still checked; `extends` is resolved).
    pub fn from_value_unchecked(value: &Value) -> Result<Scenario> {
        let (value, _) = extends::resolve(value.clone(), &Origin::Inline(None))?;
        Self::deserialize(&value)
    }

    /// The serde step: types and unknown keys, errors at their field paths.
    fn deserialize(value: &Value) -> Result<Scenario> {
        renamed_in_v2(value)?;
        let mut s: Scenario = serde_path_to_error::deserialize(value).map_err(|e| {
            let path = paths::from_serde_path(value, e.path());
            let inner = e.into_inner().to_string();
            Error::problem(if path == "." { String::new() } else { path }, inner)
        })?;
        s.drop_written_defaults();
        Ok(s)
    }

    /// Parse and validate a scenario written as TOML. Text has no
    /// directory, so its `extends` may name presets only (see
    /// [`Scenario::from_toml_str_in`]).
    ///
    /// # Examples
    /// ```
    /// use aibubble::Scenario;
    /// let text = Scenario::preset("baseline")?.to_toml();
    /// let s = Scenario::from_toml_str(&text)?;
    /// assert_eq!(s, Scenario::preset("baseline")?);
    /// # Ok::<(), aibubble::Error>(())
    /// ```
    ///
    /// # Errors
    /// [`Error::Parse`] with the line and column when the text is not
    /// TOML; [`Error::Scenario`] listing every problem otherwise (a
    /// non-finite number, an unknown key, a value of the wrong type, a rule
    /// of docs/equations.md §9, an `extends` naming a file).
    pub fn from_toml_str(text: &str) -> Result<Scenario> {
        Self::from_value(parse_value(text, Format::Toml)?)
    }

    /// Parse and validate a scenario written as JSON (`extends` may name
    /// presets only, as for [`Scenario::from_toml_str`]).
    pub fn from_json_str(text: &str) -> Result<Scenario> {
        Self::from_value(parse_value(text, Format::Json)?)
    }

    /// Parse and validate TOML text whose `extends` may also name a
    /// scenario file, relative to `base_dir` (as a file's is to its own
    /// directory).
    ///
    /// # Errors
    /// As [`Scenario::from_toml_str`]; a base that is no preset and no
    /// readable `.toml`/`.json` file under `base_dir` is a scenario error
    /// at `extends`.
    pub fn from_toml_str_in(text: &str, base_dir: impl AsRef<Path>) -> Result<Scenario> {
        let origin = Origin::Inline(Some(base_dir.as_ref().to_path_buf()));
        Self::build(parse_value(text, Format::Toml)?, &origin)
    }

    /// Parse and validate JSON text whose `extends` may also name a file
    /// relative to `base_dir` (see [`Scenario::from_toml_str_in`]).
    ///
    /// # Errors
    /// As [`Scenario::from_toml_str_in`].
    pub fn from_json_str_in(text: &str, base_dir: impl AsRef<Path>) -> Result<Scenario> {
        let origin = Origin::Inline(Some(base_dir.as_ref().to_path_buf()));
        Self::build(parse_value(text, Format::Json)?, &origin)
    }

    /// Read and validate a scenario file (`.json` as JSON, `.toml` as TOML).
    ///
    /// # Errors
    /// [`Error::Io`] naming the path when it is not a scenario file (a
    /// regular file named `*.toml` or `*.json`, at most
    /// [`read::MAX_FILE_BYTES`]) or cannot be read; [`Error::Parse`]
    /// naming the path, line and column (with a short excerpt) when it is
    /// not TOML or JSON; [`Error::Scenario`] listing every problem otherwise.
    pub fn from_file(path: impl AsRef<Path>) -> Result<Scenario> {
        let path = path.as_ref();
        Self::from_file_as(path, Format::of_path(path))
    }

    /// Read and validate a scenario file in the given format, whatever of
    /// `.toml` and `.json` its name ends in.
    ///
    /// # Errors
    /// As [`Scenario::from_file`].
    pub fn from_file_as(path: impl AsRef<Path>, format: Format) -> Result<Scenario> {
        let path = path.as_ref();
        let text = read::read_scenario_file(path).map_err(|source| Error::Io {
            path: path.display().to_string(),
            source,
        })?;
        let value = parse_value(&text, format).map_err(|e| in_file(e, path))?;
        Self::build(value, &Origin::File(PathBuf::from(path)))
    }

    /// The generic JSON form (defaulted fields left out).
    pub fn to_value(&self) -> Value {
        serde_json::to_value(self).expect("scenarios serialise")
    }

    /// The scenario as TOML; `from_toml_str` reads it back to an equal scenario.
    pub fn to_toml(&self) -> String {
        value_to_toml(&self.to_value())
    }

    /// The scenario as pretty JSON.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).expect("scenarios serialise to JSON")
    }

    /// A copy with every defaulted field written out (for `show --expanded`);
    /// it reads back to an equal scenario.
    pub fn to_value_expanded(&self) -> Value {
        fields::expand_defaults(self, self.to_value(), false)
    }

    /// Set one input by field path, validated; on error the scenario is
    /// unchanged.
    ///
    /// ```
    /// use aibubble::{Dist, Scenario};
    /// let mut s = Scenario::preset("baseline")?;
    /// s.set("labs.openai.mark", 800.0)?;
    /// s.set("gap.half_life", Dist::lognormal(0.5, 0.2).truncated(Some(0.05), None))?;
    /// assert_eq!(s.get("labs.openai.mark")?, serde_json::json!(800.0));
    /// assert!(s.set("labs.openai.mark", -1.0).is_err());
    /// # Ok::<(), aibubble::Error>(())
    /// ```
    ///
    /// # Errors
    /// A scenario error naming the path: an unknown path, a value of the
    /// wrong type or outside its domain, or any rule the result breaks.
    pub fn set(&mut self, path: &str, value: impl Into<Override>) -> Result<()> {
        let value = value.into().into_value(path)?;
        *self = self.with_overrides([(path, value)])?;
        Ok(())
    }

    /// A copy with one input set by field path (see [`Scenario::set`]).
    ///
    /// # Errors
    /// As [`Scenario::set`].
    pub fn with(&self, path: &str, value: impl Into<Override>) -> Result<Scenario> {
        let value = value.into().into_value(path)?;
        self.with_overrides([(path, value)])
    }

    /// A copy with values replaced by field path, validated.
    ///
    /// # Errors
    /// An unknown path or a value of the wrong type gives a scenario error
    /// naming the path; so does any rule the result breaks.
    pub fn with_overrides<'a>(&self, overrides: impl IntoIterator<Item = (&'a str, Value)>) -> Result<Scenario> {
        let mut value = self.to_value();
        let mut problems = Vec::new();
        for (path, v) in overrides {
            if let Err(msg) = paths::set(&mut value, path, v) {
                problems.push(crate::error::Problem::new(
                    path,
                    msg.trim_start_matches(&format!("{path}: ")).to_string(),
                ));
            }
        }
        if !problems.is_empty() {
            return Err(Error::Scenario(crate::error::Problems(problems)));
        }
        Scenario::from_value(value)
    }

    /// The value at a field path, in the generic JSON form.
    pub fn get(&self, path: &str) -> Result<Value> {
        // Also answers for what absence implies (identity process, zero weights).
        let value = fields::expand_defaults(self, self.to_value(), true);
        paths::get(&value, path)
            .cloned()
            .map_err(|m| Error::problem(path, m.trim_start_matches(&format!("{path}: ")).to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn override_values_parse_as_toml() {
        assert_eq!(parse_override_value("830"), serde_json::json!(830));
        assert_eq!(parse_override_value("0.5"), serde_json::json!(0.5));
        assert_eq!(parse_override_value("closed"), serde_json::json!("closed"));
        assert_eq!(
            parse_override_value("{ dist = \"normal\", mean = 3, sd = 1 }"),
            serde_json::json!({"dist": "normal", "mean": 3, "sd": 1})
        );
        assert_eq!(parse_override_value("[[2026, 10]]"), serde_json::json!([[2026, 10]]));
        assert_eq!(parse_override_value("nan"), serde_json::json!("nan"));
        assert_eq!(parse_override_value("[1.0, -inf]"), serde_json::json!("[1.0, -inf]"));
    }

    #[test]
    fn non_finite_overrides_must_be_finite() {
        let message = |text: &str| parse_override("gap.sigma", text).unwrap_err().to_string();
        for (text, shown) in [
            ("nan", "gap.sigma: must be finite, got NaN"),
            ("NaN", "gap.sigma: must be finite, got NaN"),
            ("inf", "gap.sigma: must be finite, got inf"),
            ("+inf", "gap.sigma: must be finite, got inf"),
            (" -inf ", "gap.sigma: must be finite, got -inf"),
            ("-infinity", "gap.sigma: must be finite, got -inf"),
            (
                "{ dist = \"normal\", mean = nan, sd = 1 }",
                "gap.sigma.mean: must be finite, got NaN",
            ),
            ("[[2026, inf]]", "gap.sigma[0][1]: must be finite, got inf"),
        ] {
            let m = message(text);
            assert!(m.contains(shown), "{text}: {m}");
        }
        assert_eq!(parse_override("gap.sigma", "0.5").unwrap(), serde_json::json!(0.5));
        assert_eq!(parse_override("x", "closed").unwrap(), serde_json::json!("closed"));
    }
}
