//! Input tables read from CSV files (`aibubble run --inputs FILE.csv`): a
//! header of field paths, then one row of numbers per path. The engine
//! checks the columns (inputs that may be uncertain) and every value's
//! domain (`Simulation::inputs`); this file only reads the text.
//!
//! A column named [`NOISE_COLUMN`] is not an input: it holds each row's
//! noise index, a whole number (see [`InputTable::with_noise`]).

use std::path::Path;

use crate::engine::InputTable;
use crate::error::{Error, Result};

/// The reserved column of a row's noise index.
pub const NOISE_COLUMN: &str = "noise_stream";

/// Read an input table from a CSV file.
///
/// # Errors
/// [`Error::Io`] when the file cannot be read; as [`parse_csv`] otherwise.
pub fn read_csv(path: &Path) -> Result<InputTable> {
    let text = std::fs::read_to_string(path).map_err(|source| Error::Io {
        path: path.display().to_string(),
        source,
    })?;
    parse_csv(&text, &path.display().to_string())
}

/// Parse the text of an input table: the first non-blank line is the
/// header (field paths, comma-separated), each further non-blank line one
/// path's values. Blank lines are skipped; a trailing `\r` is dropped.
///
/// # Errors
/// [`Error::Parse`] naming the line (1-based) of a row with the wrong
/// number of values, a value that is not a finite number, an empty or
/// repeated column name, or a table with no rows.
pub fn parse_csv(text: &str, name: &str) -> Result<InputTable> {
    let err = |line: usize, message: String| Error::Parse {
        what: format!("input table {name}"),
        message: format!("line {line}: {message}"),
    };
    let mut lines = text
        .lines()
        .enumerate()
        .map(|(i, l)| (i + 1, l.trim_end_matches('\r')))
        .filter(|(_, l)| !l.trim().is_empty());
    let (header_line, header) = lines
        .next()
        .ok_or_else(|| err(1, "no header: expected field paths separated by commas".into()))?;
    let columns: Vec<String> = header
        .split(',')
        .map(|c| c.trim().trim_matches('"').to_string())
        .collect();
    for (j, c) in columns.iter().enumerate() {
        if c.is_empty() {
            return Err(err(header_line, format!("column {} of the header has no name", j + 1)));
        }
        if columns[..j].contains(c) {
            return Err(err(header_line, format!("column {c:?} appears twice")));
        }
    }
    let mut values = Vec::new();
    for (n, line) in lines {
        let cells: Vec<&str> = line.split(',').collect();
        if cells.len() != columns.len() {
            return Err(err(
                n,
                format!(
                    "{} values, expected {} (one per column of the header)",
                    cells.len(),
                    columns.len()
                ),
            ));
        }
        for (c, cell) in columns.iter().zip(cells) {
            let cell = cell.trim();
            let v: f64 = cell
                .parse()
                .map_err(|_| err(n, format!("column {c:?}: {cell:?} is not a number")))?;
            if !v.is_finite() {
                return Err(err(n, format!("column {c:?}: must be finite, got {cell}")));
            }
            if c == NOISE_COLUMN && (v < 0.0 || v.fract() != 0.0 || v >= 2f64.powi(53)) {
                return Err(err(
                    n,
                    format!("column {c:?}: a noise index is a whole number >= 0, got {cell}"),
                ));
            }
            values.push(v);
        }
    }
    if values.is_empty() {
        return Err(err(header_line, "the table has a header but no rows".into()));
    }
    if columns.len() == 1 && columns[0] == NOISE_COLUMN {
        return Err(err(
            header_line,
            format!("the table has only the {NOISE_COLUMN:?} column: it needs at least one input"),
        ));
    }
    // The noise column was checked whole and in range as read.
    with_noise_column(columns, values)
}

/// An input table from its columns and row-major values, a column named
/// [`NOISE_COLUMN`] taken out as the rows' noise indices (the table of
/// `simulate(inputs=...)` in Python; a CSV file's, after its checks).
///
/// # Errors
/// [`Error::Argument`] (`inputs`) naming the row of a noise index that is
/// not a whole number in `[0, 2^53)`, or a table with the noise column
/// alone; those of [`InputTable::new`].
pub fn with_noise_column(mut columns: Vec<String>, values: Vec<f64>) -> Result<InputTable> {
    let Some(k) = columns.iter().position(|c| c == NOISE_COLUMN) else {
        return InputTable::new(columns, values);
    };
    let w = columns.len();
    if !values.len().is_multiple_of(w) {
        return InputTable::new(columns, values); // its error: values that do not fill rows
    }
    if w == 1 {
        return Err(Error::argument(
            "inputs",
            format!("the table has only the {NOISE_COLUMN:?} column: it needs at least one input"),
        ));
    }
    let mut noise = Vec::with_capacity(values.len() / w);
    for (row, r) in values.chunks_exact(w).enumerate() {
        let v = r[k];
        if !(v >= 0.0 && v.fract() == 0.0 && v < 2f64.powi(53)) {
            return Err(Error::argument(
                "inputs",
                format!("row {row}: column {NOISE_COLUMN:?}: a noise index is a whole number >= 0, got {v}"),
            ));
        }
        noise.push(v as u64);
    }
    let values = values
        .chunks_exact(w)
        .flat_map(|r| r.iter().enumerate().filter(|(j, _)| *j != k).map(|(_, v)| *v))
        .collect();
    columns.remove(k);
    InputTable::new(columns, values)?.with_noise(noise)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_table_is_read_row_by_row() {
        let t = parse_csv("a.b, c.d\r\n1,2\n\n3, 4.5\n", "t.csv").unwrap();
        assert_eq!(t.columns, ["a.b", "c.d"]);
        assert_eq!(t.values, [1.0, 2.0, 3.0, 4.5]);
        assert_eq!(t.rows(), 2);
        assert_eq!(t.noise, None);
        let t = parse_csv("a.b,noise_stream,c.d\n1,7,2\n3,0,4.5\n", "t.csv").unwrap();
        assert_eq!(t.columns, ["a.b", "c.d"]);
        assert_eq!(t.values, [1.0, 2.0, 3.0, 4.5]);
        assert_eq!(t.noise, Some(vec![7, 0]));
    }

    #[test]
    fn malformed_tables_name_the_line() {
        for (text, says) in [
            ("a,b\n1,2\n3\n", "line 3: 1 values, expected 2"),
            ("a,b\n1,x\n", "line 2: column \"b\": \"x\" is not a number"),
            ("a,b\n1,NaN\n", "line 2: column \"b\": must be finite"),
            ("a,,b\n1,2,3\n", "line 1: column 2 of the header has no name"),
            ("a,a\n1,2\n", "line 1: column \"a\" appears twice"),
            ("a\n", "no rows"),
            (
                "a,noise_stream\n1,2\n\n1,-1\n",
                "line 4: column \"noise_stream\": a noise index is a whole number >= 0, got -1",
            ),
            (
                "a,noise_stream\n1,2.5\n",
                "line 2: column \"noise_stream\": a noise index",
            ),
            ("noise_stream\n1\n", "only the \"noise_stream\" column"),
            ("", "no header"),
        ] {
            let e = parse_csv(text, "t.csv").unwrap_err().to_string();
            assert!(e.contains(says) && e.contains("t.csv"), "{text:?}: {e}");
        }
    }

    #[test]
    fn a_noise_column_of_given_values_becomes_the_noise_indices() {
        let cols = |names: &[&str]| names.iter().map(|c| c.to_string()).collect::<Vec<_>>();
        let t = with_noise_column(cols(&["a", "noise_stream"]), vec![1.0, 7.0, 2.0, 0.0]).unwrap();
        assert_eq!(
            (t.columns.clone(), t.values.clone(), t.noise),
            (cols(&["a"]), vec![1.0, 2.0], Some(vec![7, 0]))
        );
        let plain = with_noise_column(cols(&["a"]), vec![1.0, 2.0]).unwrap();
        assert_eq!(plain.noise, None);
        for (v, says) in [(-1.0, "row 1"), (2.5, "row 1"), (f64::NAN, "row 1")] {
            let e = with_noise_column(cols(&["a", "noise_stream"]), vec![1.0, 0.0, 2.0, v]).unwrap_err();
            assert!(
                e.to_string().contains(says) && e.to_string().contains("noise_stream"),
                "{e}"
            );
        }
        assert!(with_noise_column(cols(&["noise_stream"]), vec![1.0]).is_err());
    }
}
