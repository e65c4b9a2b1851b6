//! The releases file (`data/models.csv`): read, checked row by row, and cut
//! at an as-of date. Every malformed row is an [`Error::Parse`] naming the
//! line, the column and the value.

use std::path::Path;

use crate::error::{Error, Result};

/// The columns a releases file must have (others are kept out of the fits).
pub const COLUMNS: [&str; 9] = [
    "release_date",
    "model",
    "lab",
    "weights",
    "score",
    "input_price_usd_per_mtok",
    "output_price_usd_per_mtok",
    "price_source_url",
    "score_source_url",
];

/// One release: a row of the file.
#[derive(Debug, Clone, PartialEq)]
pub struct Release {
    /// Line of the file (1-based; the header is line 1).
    pub line: usize,
    /// `YYYY-MM-DD`.
    pub date: String,
    /// The date as a decimal year (day of the year over the year's length).
    pub t: f64,
    /// Model name.
    pub model: String,
    /// Lab name.
    pub lab: String,
    /// Open weights (`open`) or closed (`closed`).
    pub open: bool,
    /// Capability score (one index for the whole file), when measured.
    pub score: Option<f64>,
    /// List price per million input tokens, USD.
    pub input_price: Option<f64>,
    /// List price per million output tokens, USD.
    pub output_price: Option<f64>,
}

impl Release {
    /// The blended list price, 3 input tokens to 1 output token, when both are known.
    pub fn blended(&self) -> Option<f64> {
        Some((3.0 * self.input_price? + self.output_price?) / 4.0)
    }
}

/// Days from 1970-01-01 of a civil date (proleptic Gregorian).
fn days(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// `YYYY-MM-DD` as a decimal year, or `None` when it is not a valid date.
pub fn year_of(text: &str) -> Option<f64> {
    let b = text.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let num = |s: &str| {
        s.bytes()
            .all(|c| c.is_ascii_digit())
            .then(|| s.parse::<i64>().ok())
            .flatten()
    };
    let (y, m, d) = (num(&text[..4])?, num(&text[5..7])?, num(&text[8..])?);
    if !(1..=12).contains(&m) || d < 1 {
        return None;
    }
    let next = if m == 12 { days(y + 1, 1, 1) } else { days(y, m + 1, 1) };
    if days(y, m, 1) + d > next {
        return None;
    }
    let start = days(y, 1, 1);
    let length = days(y + 1, 1, 1) - start;
    Some(y as f64 + (days(y, m, d) - start) as f64 / length as f64)
}

/// The fields of one CSV record (RFC 4180 quotes; a quote inside a quoted
/// field is doubled). `None` when a quote is left open.
fn fields(line: &str) -> Option<Vec<String>> {
    let mut out = vec![String::new()];
    let mut quoted = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match (c, quoted) {
            ('"', true) if chars.peek() == Some(&'"') => {
                chars.next();
                out.last_mut()?.push('"');
            }
            ('"', _) => quoted = !quoted,
            (',', false) => out.push(String::new()),
            _ => out.last_mut()?.push(c),
        }
    }
    (!quoted).then_some(out)
}

/// Read and check a releases file.
///
/// # Errors
///
/// [`Error::Io`] when the file cannot be read; as [`parse`] otherwise.
pub fn read(path: &Path) -> Result<Vec<Release>> {
    let text = std::fs::read_to_string(path).map_err(|source| Error::Io {
        path: path.display().to_string(),
        source,
    })?;
    parse(&text, &path.display().to_string())
}

/// Check a releases file's text (`name` is what errors call it).
///
/// # Errors
///
/// [`Error::Parse`] naming the line (1-based), the column and the value of
/// the first malformed field: a missing column, a date that is not
/// `YYYY-MM-DD`, weights other than `open`/`closed`, a score or price that
/// is not a finite number (prices must be positive), a price without its
/// `price_source_url`, a score without its `score_source_url`.
pub fn parse(text: &str, name: &str) -> Result<Vec<Release>> {
    let err = |line: usize, message: String| Error::Parse {
        what: format!("releases file {name}"),
        message: format!("line {line}: {message}"),
    };
    let mut lines = text.lines().enumerate().map(|(i, l)| (i + 1, l.trim_end_matches('\r')));
    let (_, head) = lines.next().ok_or_else(|| err(1, "empty file (no header)".into()))?;
    let head = fields(head).ok_or_else(|| err(1, "unclosed quote in the header".into()))?;
    let mut at = [0usize; COLUMNS.len()];
    for (k, col) in COLUMNS.iter().enumerate() {
        at[k] = head
            .iter()
            .position(|h| h.trim() == *col)
            .ok_or_else(|| err(1, format!("no column {col:?} in the header")))?;
    }
    let mut out = Vec::new();
    for (n, line) in lines {
        if line.trim().is_empty() {
            continue;
        }
        let f = fields(line).ok_or_else(|| err(n, "unclosed quote".into()))?;
        if f.len() != head.len() {
            return Err(err(
                n,
                format!("{} fields where the header has {}", f.len(), head.len()),
            ));
        }
        let get = |k: usize| f[at[k]].trim();
        let bad = |k: usize, why: &str| err(n, format!("column {}: {:?} {why}", COLUMNS[k], get(k)));
        let number = |k: usize, positive: bool| -> Result<Option<f64>> {
            if get(k).is_empty() {
                return Ok(None);
            }
            match get(k).parse::<f64>() {
                Ok(x) if x.is_finite() && (!positive || x > 0.0) => Ok(Some(x)),
                _ if positive => Err(bad(k, "is not a positive number")),
                _ => Err(bad(k, "is not a finite number")),
            }
        };
        let t = year_of(get(0)).ok_or_else(|| bad(0, "is not a date YYYY-MM-DD"))?;
        let open = match get(3) {
            "open" => true,
            "closed" => false,
            _ => return Err(bad(3, "is not open or closed")),
        };
        let score = number(4, false)?;
        let (input_price, output_price) = (number(5, true)?, number(6, true)?);
        if (input_price.is_some() || output_price.is_some()) && get(7).is_empty() {
            let k = if input_price.is_some() { 5 } else { 6 };
            return Err(bad(7, &format!("is empty: the price {} needs its source", get(k))));
        }
        if score.is_some() && get(8).is_empty() {
            return Err(bad(8, &format!("is empty: the score {} needs its source", get(4))));
        }
        out.push(Release {
            line: n,
            date: get(0).to_string(),
            t,
            model: get(1).to_string(),
            lab: get(2).to_string(),
            open,
            score,
            input_price,
            output_price,
        });
    }
    Ok(out)
}

/// The releases dated before `as_of` (`YYYY-MM-DD`), and the cut as a decimal year.
///
/// # Errors
///
/// [`Error::Argument`] `as_of` when it is not a date.
pub fn before(releases: &[Release], as_of: &str) -> Result<(Vec<Release>, f64)> {
    let cut = year_of(as_of).ok_or_else(|| Error::argument("as_of", format!("{as_of:?} is not a date YYYY-MM-DD")))?;
    Ok((releases.iter().filter(|r| r.t < cut).cloned().collect(), cut))
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEAD: &str = "release_date,model,lab,weights,score_index,score,input_price_usd_per_mtok,output_price_usd_per_mtok,price_source_url,score_source_url,notes";

    fn one(row: &str) -> Result<Vec<Release>> {
        parse(
            &format!("{HEAD}\n2024-01-02,A,L,open,ECI,120,1,2,http://p,http://s,\n{row}\n"),
            "t.csv",
        )
    }

    #[test]
    fn dates_are_decimal_years() {
        assert_eq!(year_of("2024-01-01"), Some(2024.0));
        assert_eq!(year_of("2025-07-02"), Some(2025.0 + 182.0 / 365.0));
        assert_eq!(year_of("2024-02-29"), Some(2024.0 + 59.0 / 366.0));
        for bad in [
            "2025-02-29",
            "2025-13-01",
            "2025-1-01",
            "25-01-01",
            "2025-00-10",
            "2025-01-32",
        ] {
            assert_eq!(year_of(bad), None, "{bad}");
        }
    }

    #[test]
    fn a_good_row_is_read_with_quotes() {
        let r = one("2024-03-04,\"B, large\",M,closed,\"ECI, x\",130.5,,,,http://s,\"a \"\"note\"\"\"").unwrap();
        assert_eq!(r.len(), 2);
        assert_eq!(
            (r[1].model.as_str(), r[1].open, r[1].score, r[1].line),
            ("B, large", false, Some(130.5), 3)
        );
        assert_eq!(r[1].blended(), None);
        assert_eq!(r[0].blended(), Some(1.25));
    }

    #[test]
    fn malformed_rows_name_line_column_and_value() {
        let cases = [
            (
                "2024-13-01,B,M,open,E,1,,,,http://s,",
                "line 3: column release_date: \"2024-13-01\"",
            ),
            (
                "2024-03-01,B,M,open,E,abc,,,,http://s,",
                "line 3: column score: \"abc\" is not a finite number",
            ),
            (
                "2024-03-01,B,M,shared,E,1,,,,http://s,",
                "line 3: column weights: \"shared\" is not open or closed",
            ),
            (
                "2024-03-01,B,M,open,E,1,2,3,,http://s,",
                "line 3: column price_source_url: \"\" is empty: the price 2",
            ),
            (
                "2024-03-01,B,M,open,E,1,-2,3,http://p,http://s,",
                "line 3: column input_price_usd_per_mtok: \"-2\"",
            ),
            ("2024-03-01,B,M,open,E,1,,,,,", "line 3: column score_source_url"),
            ("2024-03-01,B,M,open,E,1,,,", "line 3: 9 fields where the header has 11"),
            ("2024-03-01,\"B,M,open,E,1,,,,,", "line 3: unclosed quote"),
        ];
        for (row, want) in cases {
            let e = one(row).unwrap_err();
            assert!(matches!(e, Error::Parse { .. }), "{e}");
            assert!(e.to_string().contains(want), "{row}: {e}");
            assert!(e.to_string().contains("t.csv"), "{e}");
        }
        let e = parse("release_date,model\n", "t.csv").unwrap_err();
        assert!(e.to_string().contains("line 1: no column \"lab\""), "{e}");
    }

    #[test]
    fn as_of_keeps_rows_dated_before() {
        let r = one("2024-03-04,B,M,closed,E,130,,,,http://s,").unwrap();
        let (kept, cut) = before(&r, "2024-03-04").unwrap();
        assert_eq!((kept.len(), cut), (1, 2024.0 + 63.0 / 366.0));
        assert_eq!(before(&r, "2024-03-05").unwrap().0.len(), 2);
        assert!(matches!(before(&r, "March").unwrap_err(), Error::Argument { .. }));
    }
}
