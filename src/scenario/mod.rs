//! Scenarios: serde types, reading and writing TOML and JSON, field-path
//! overrides, validation (MODEL section 9) and the embedded presets.

pub mod fields;
pub mod paths;
pub mod presets;
mod types;
mod validate;

use std::path::Path;

use serde_json::Value;

pub use fields::{Domain, Field};
pub use types::*;

use crate::error::{Error, Result};

/// The format of a scenario document.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Toml,
    Json,
}

impl Format {
    /// The format a file name implies: `.json` is JSON, anything else TOML.
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
        Format::Json => serde_json::from_str(text).map_err(|e| Error::Parse {
            what: "JSON scenario".into(),
            message: e.to_string(),
        }),
        Format::Toml => {
            let t: toml::Table = toml::from_str(text).map_err(|e| Error::Parse {
                what: "TOML scenario".into(),
                message: e.to_string().trim_end().to_string(),
            })?;
            serde_json::to_value(t).map_err(|e| Error::Parse {
                what: "TOML scenario".into(),
                message: e.to_string(),
            })
        }
    }
}

/// Parse a TOML value written on a command line (`830`, `"x"`,
/// `{ dist = "normal", mean = 3, sd = 1 }`, `[[2026, 10]]`); a bare word is a string.
pub fn parse_override_value(text: &str) -> Value {
    match toml::from_str::<toml::Table>(&format!("v = {text}")) {
        Ok(mut t) => serde_json::to_value(t.remove("v").expect("key v")).unwrap_or(Value::String(text.into())),
        Err(_) => Value::String(text.to_string()),
    }
}

impl Scenario {
    /// Build from the generic JSON form, then validate.
    pub fn from_value(value: Value) -> Result<Scenario> {
        let s = Self::from_value_unchecked(&value)?;
        s.validate()?;
        Ok(s)
    }

    /// Build from the generic JSON form without the rules of section 9
    /// (types and unknown keys are still checked).
    pub fn from_value_unchecked(value: &Value) -> Result<Scenario> {
        serde_path_to_error::deserialize(value).map_err(|e| {
            let path = paths::from_serde_path(value, e.path());
            let inner = e.into_inner().to_string();
            Error::problem(if path == "." { String::new() } else { path }, inner)
        })
    }

    /// Parse and validate a scenario written as TOML.
    pub fn from_toml_str(text: &str) -> Result<Scenario> {
        Self::from_value(parse_value(text, Format::Toml)?)
    }

    /// Parse and validate a scenario written as JSON.
    pub fn from_json_str(text: &str) -> Result<Scenario> {
        Self::from_value(parse_value(text, Format::Json)?)
    }

    /// Read and validate a scenario file (`.json` as JSON, otherwise TOML).
    pub fn from_file(path: impl AsRef<Path>) -> Result<Scenario> {
        let path = path.as_ref();
        let text = std::fs::read_to_string(path).map_err(|source| Error::Io {
            path: path.display().to_string(),
            source,
        })?;
        Self::from_value(parse_value(&text, Format::of_path(path))?)
    }

    /// The generic JSON form (defaulted fields left out).
    pub fn to_value(&self) -> Value {
        serde_json::to_value(self).expect("scenarios serialise")
    }

    /// The scenario as TOML; `from_toml_str` reads it back to an equal scenario.
    pub fn to_toml(&self) -> String {
        toml::to_string(self).expect("scenarios serialise to TOML")
    }

    /// The scenario as pretty JSON.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).expect("scenarios serialise to JSON")
    }

    /// A copy with every defaulted field written out (for `show --expanded`).
    pub fn to_value_expanded(&self) -> Value {
        fields::expand_defaults(self, self.to_value())
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
        let value = self.to_value_expanded();
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
    }
}
