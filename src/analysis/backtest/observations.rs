//! Observations files (`aibubble backtest --observations FILE.csv`): dated,
//! sourced values of the engine's recorded series. A header naming the
//! columns (any order): `date`, `output`, `value` and `source` required,
//! `lab`, `segment`, `unit` and `notes` optional; then one observation a
//! line. Fields may be quoted (`"a, b"`, with `""` for a quote).
//!
//! Dates are `YYYY-MM-DD` or `YYYY-MM` (the first of the month), at calendar
//! time `year + (month - 1) / 12 + (day - 1) / (12 days_in_month)`, so that the
//! first of every month falls on a monthly step. This file reads the text;
//! [`Observations::check`] checks the rows against a scenario.

use std::path::Path;

use serde::Serialize;

use crate::error::{Error, Result};
use crate::results::{Per, Series};
use crate::scenario::Scenario;

/// The columns an observations file may have.
const COLUMNS: [&str; 8] = ["date", "output", "lab", "segment", "value", "unit", "source", "notes"];
/// The columns it must have.
const REQUIRED: [&str; 4] = ["date", "output", "value", "source"];

/// The open share of tokens in a segment: `1 - closed_share` of that segment.
pub const OPEN_SHARE: &str = "open_share";

/// One dated observation of a series.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Observation {
    /// The line of the file it was read from (1-based).
    pub line: usize,
    /// The date as written (`2024-06` or `2024-06-15`).
    pub date: String,
    /// Its calendar time (decimal years).
    pub time: f64,
    /// The series: a recorded series' name ([`Series::name`]) or `open_share`.
    pub output: String,
    /// The lab, for a series kept per lab.
    pub lab: Option<String>,
    /// The segment, for a series kept per segment.
    pub segment: Option<String>,
    /// The observed value, in the series' unit.
    pub value: f64,
    /// The unit as written (informative).
    pub unit: String,
    /// Where the value comes from, with its date.
    pub source: String,
    /// Anything else.
    pub notes: String,
}

/// The observations of one file.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Observations {
    /// The file's name, for messages.
    pub name: String,
    /// The rows, in file order.
    pub rows: Vec<Observation>,
}

impl Observations {
    /// Read an observations file.
    ///
    /// # Errors
    /// [`Error::Io`] when the file cannot be read; as [`Observations::parse`] otherwise.
    pub fn read(path: &Path) -> Result<Observations> {
        let text = std::fs::read_to_string(path).map_err(|source| Error::Io {
            path: path.display().to_string(),
            source,
        })?;
        Observations::parse(&text, &path.display().to_string())
    }

    /// Parse the text of an observations file.
    ///
    /// # Errors
    /// [`Error::Parse`] naming the file and the line (1-based): a missing,
    /// unknown or repeated column, a row with the wrong number of fields, an
    /// unterminated quote, a malformed date, a value that is not a finite
    /// number, an empty output or source, or a file with no observations.
    pub fn parse(text: &str, name: &str) -> Result<Observations> {
        let mut lines = text
            .lines()
            .enumerate()
            .map(|(i, l)| (i + 1, l.trim_end_matches('\r')))
            .filter(|(_, l)| !l.trim().is_empty());
        let (header_line, header) = lines.next().ok_or_else(|| {
            parse_error(
                name,
                1,
                "no header: expected date,output,lab,segment,value,unit,source,notes",
            )
        })?;
        let columns: Vec<String> = fields(header)
            .map_err(|m| parse_error(name, header_line, &m))?
            .into_iter()
            .map(|c| c.trim().to_ascii_lowercase())
            .collect();
        for (j, c) in columns.iter().enumerate() {
            if !COLUMNS.contains(&c.as_str()) {
                let m = format!("unknown column {c:?} (columns: {})", COLUMNS.join(", "));
                return Err(parse_error(name, header_line, &m));
            }
            if columns[..j].contains(c) {
                return Err(parse_error(name, header_line, &format!("column {c:?} appears twice")));
            }
        }
        if let Some(missing) = REQUIRED.iter().find(|r| !columns.iter().any(|c| c == *r)) {
            return Err(parse_error(name, header_line, &format!("no {missing:?} column")));
        }
        let mut rows = Vec::new();
        for (n, line) in lines {
            let cells = fields(line).map_err(|m| parse_error(name, n, &m))?;
            if cells.len() != columns.len() {
                let m = format!(
                    "{} fields, expected {} (one per column of the header)",
                    cells.len(),
                    columns.len()
                );
                return Err(parse_error(name, n, &m));
            }
            let get = |c: &str| {
                columns
                    .iter()
                    .position(|x| x == c)
                    .map(|j| cells[j].trim().to_string())
                    .unwrap_or_default()
            };
            let row = row(n, &get).map_err(|m| parse_error(name, n, &m))?;
            rows.push(row);
        }
        if rows.is_empty() {
            return Err(parse_error(
                name,
                header_line,
                "the file has a header but no observations",
            ));
        }
        Ok(Observations {
            name: name.to_string(),
            rows,
        })
    }

    /// Check every row against `scenario`: a known output, the lab or the
    /// segment it needs (and no other), a lab with a mark for
    /// `market_value`, and a date inside the run's horizon.
    ///
    /// # Errors
    /// [`Error::Parse`] naming the file, the line and the bad value.
    pub fn check(&self, scenario: &Scenario) -> Result<()> {
        let start = scenario.start_year();
        let end = start + scenario.horizon();
        for o in &self.rows {
            let fail = |m: String| Err(parse_error(&self.name, o.line, &m));
            let Some(per) = per(&o.output) else {
                let names: Vec<&str> = Series::ALL.iter().map(|s| s.name()).chain([OPEN_SHARE]).collect();
                return fail(format!("unknown output {:?} (outputs: {})", o.output, names.join(", ")));
            };
            let labs = || {
                scenario
                    .labs
                    .iter()
                    .map(|l| l.id.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            let segments = || {
                scenario
                    .segments
                    .iter()
                    .map(|s| s.id.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            match (per, &o.lab, &o.segment) {
                (Per::Run, None, None) => {}
                (Per::Run, _, _) => {
                    return fail(format!(
                        "{} is one series for the run: give no lab or segment",
                        o.output
                    ));
                }
                (Per::Segment, None, Some(s)) => {
                    if !scenario.segments.iter().any(|g| g.id == *s) {
                        return fail(format!("unknown segment {s:?} (segments: {})", segments()));
                    }
                }
                (Per::Segment, _, _) => {
                    return fail(format!("{} is kept per segment: give a segment and no lab", o.output));
                }
                (Per::Lab | Per::MarkedLab, Some(l), None) => match scenario.lab(l) {
                    None => return fail(format!("unknown lab {l:?} (labs: {})", labs())),
                    Some(lab) if per == Per::MarkedLab && lab.mark.is_none() => {
                        return fail(format!("lab {l:?} has no mark, so no {} series", o.output));
                    }
                    Some(_) => {}
                },
                (Per::Lab | Per::MarkedLab, _, _) => {
                    return fail(format!("{} is kept per lab: give a lab and no segment", o.output));
                }
            }
            let k = step(scenario, o.time);
            if k < 0 || k > scenario.steps() as i64 {
                return fail(format!(
                    "date {} is outside the run's horizon {start}..{end} (start_year + horizon)",
                    o.date
                ));
            }
        }
        Ok(())
    }
}

/// The step nearest calendar time `t`: `round((t - start_year) n)` (may lie
/// outside `0..=K`).
pub fn step(scenario: &Scenario, t: f64) -> i64 {
    ((t - scenario.start_year()) * scenario.steps_per_year as f64).round() as i64
}

/// What an output is kept for; `None` for an unknown output.
fn per(output: &str) -> Option<Per> {
    if output == OPEN_SHARE {
        return Some(Per::Segment);
    }
    Series::ALL.iter().find(|s| s.name() == output).map(|s| s.per())
}

fn parse_error(name: &str, line: usize, message: &str) -> Error {
    Error::Parse {
        what: format!("observations {name}"),
        message: format!("line {line}: {message}"),
    }
}

/// One row's fields, read by column name.
fn row(line: usize, get: &dyn Fn(&str) -> String) -> std::result::Result<Observation, String> {
    let date = get("date");
    let time = date_time(&date).ok_or_else(|| format!("date {date:?} is not YYYY-MM-DD or YYYY-MM"))?;
    let output = get("output");
    if output.is_empty() {
        return Err("no output".into());
    }
    let text = get("value");
    let value: f64 = text
        .parse()
        .ok()
        .filter(|v: &f64| v.is_finite())
        .ok_or_else(|| format!("value {text:?} is not a finite number"))?;
    let source = get("source");
    if source.is_empty() {
        return Err("no source: every observation needs one".into());
    }
    let optional = |c: &str| Some(get(c)).filter(|s| !s.is_empty());
    Ok(Observation {
        line,
        date,
        time,
        output,
        lab: optional("lab"),
        segment: optional("segment"),
        value,
        unit: get("unit"),
        source,
        notes: get("notes"),
    })
}

/// The calendar time of `YYYY-MM-DD` or `YYYY-MM`; `None` when malformed.
pub fn date_time(date: &str) -> Option<f64> {
    let parts: Vec<&str> = date.split('-').collect();
    let num = |s: &str, len: usize| {
        (s.len() == len && s.bytes().all(|b| b.is_ascii_digit()))
            .then(|| s.parse::<u32>().ok())
            .flatten()
    };
    let (year, month) = (num(parts.first()?, 4)?, num(parts.get(1)?, 2)?);
    if !(1..=12).contains(&month) {
        return None;
    }
    let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
    let days = [31, if leap { 29 } else { 28 }, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month as usize - 1];
    let day = match parts.len() {
        2 => 1,
        3 => num(parts[2], 2).filter(|d| (1..=days).contains(d))?,
        _ => return None,
    };
    Some(year as f64 + (month - 1) as f64 / 12.0 + (day - 1) as f64 / (12.0 * days as f64))
}

/// The fields of one CSV line: commas separate, double quotes enclose a
/// field that may hold commas, `""` inside quotes is a quote.
fn fields(line: &str) -> std::result::Result<Vec<String>, String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut chars = line.chars().peekable();
    let mut quoted = false;
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                chars.next();
                cur.push('"');
            }
            (true, '"') => quoted = false,
            (true, c) => cur.push(c),
            (false, '"') if cur.trim().is_empty() => {
                cur.clear();
                quoted = true;
            }
            (false, ',') => out.push(std::mem::take(&mut cur)),
            (false, c) => cur.push(c),
        }
    }
    if quoted {
        return Err("unterminated quote (a field may not span lines)".into());
    }
    out.push(cur);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoted_fields_and_dates_are_read() {
        let text = "date,output,lab,value,source\n2024-07,revenue,openai,3.4,\"Altman, all-hands [2024-06] [S]\"\n\
                    2025-02-15,gap,,5.5,\"a \"\"quoted\"\" source\"\n";
        let o = Observations::parse(text, "o.csv").unwrap();
        assert_eq!(o.rows.len(), 2);
        assert_eq!(o.rows[0].source, "Altman, all-hands [2024-06] [S]");
        assert_eq!(o.rows[0].time, 2024.5);
        assert_eq!(o.rows[0].lab.as_deref(), Some("openai"));
        assert_eq!(o.rows[1].source, "a \"quoted\" source");
        assert_eq!(o.rows[1].lab, None);
        assert!((o.rows[1].time - (2025.0 + 1.0 / 12.0 + 14.0 / (12.0 * 28.0))).abs() < 1e-12);
        assert_eq!(o.rows[1].line, 3);
    }

    #[test]
    fn malformed_rows_name_the_line_and_the_value() {
        let h = "date,output,lab,value,source\n";
        for (text, says) in [
            (format!("{h}2024-13,gap,,1,s\n"), "line 2: date \"2024-13\""),
            (format!("{h}\n2024-02-30,gap,,1,s\n"), "line 3: date \"2024-02-30\""),
            (
                format!("{h}2024-01,gap,,x,s\n"),
                "line 2: value \"x\" is not a finite number",
            ),
            (format!("{h}2024-01,gap,,inf,s\n"), "value \"inf\""),
            (format!("{h}2024-01,gap,,1\n"), "line 2: 4 fields, expected 5"),
            (format!("{h}2024-01,gap,,1,\n"), "line 2: no source"),
            (format!("{h}2024-01,gap,,1,\"s\n"), "line 2: unterminated quote"),
            ("date,output,value\n".to_string(), "line 1: no \"source\" column"),
            (
                "date,output,value,source,colour\n".to_string(),
                "unknown column \"colour\"",
            ),
            ("date,date,output,value,source\n".to_string(), "\"date\" appears twice"),
            (h.to_string(), "no observations"),
        ] {
            let e = Observations::parse(&text, "o.csv").unwrap_err().to_string();
            assert!(e.contains(says) && e.contains("o.csv"), "{text:?}: {e}");
        }
    }

    #[test]
    fn dates_fall_on_monthly_steps() {
        assert_eq!(date_time("2024-01"), Some(2024.0));
        assert_eq!(date_time("2024-01-01"), Some(2024.0));
        assert_eq!(date_time("2024-12"), Some(2024.0 + 11.0 / 12.0));
        assert_eq!(date_time("2024-02-29").map(|t| t > 2024.0), Some(true));
        for bad in ["2025-02-29", "24-01", "2024-1", "2024", "2024-01-01-01", "2024-00", "x"] {
            assert_eq!(date_time(bad), None, "{bad}");
        }
    }
}
