//! The tables of a run: every per-path column with its name, the quantiles
//! of every series at every quarter end, and both as CSV (streamed, so that
//! a million paths do not become one string).

use std::io::{self, Write};

use serde::Serialize;

use super::{Results, SeriesId};

/// Quantiles reported for time series.
pub const SERIES_QUANTILES: [f64; 5] = [0.05, 0.25, 0.5, 0.75, 0.95];

/// One row of the time-series quantile table.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SeriesRow<'a> {
    /// Which series.
    pub id: &'a SeriesId,
    /// Calendar time of the quarter end.
    pub time: f64,
    /// Values at [`SERIES_QUANTILES`].
    pub quantiles: [f64; 5],
}

impl Results {
    /// Every per-path column with its name: inputs by field path, then
    /// `labs.<id>.<metric>`, `labs.<id>.revenue.<year>`, `labs.<id>.fcf.<year>`,
    /// `events.<id>.time` and `pv_savings`.
    pub fn per_path_columns(&self) -> Vec<(String, &[f64])> {
        let mut out: Vec<(String, &[f64])> = self
            .inputs
            .iter()
            .map(|c| (c.name.clone(), c.values.as_slice()))
            .collect();
        for lab in &self.labs {
            for c in &lab.metrics {
                out.push((format!("labs.{}.{}", lab.id, c.name), &c.values));
            }
            for c in &lab.revenue {
                out.push((format!("labs.{}.revenue.{}", lab.id, c.name), &c.values));
            }
            for c in &lab.fcf {
                out.push((format!("labs.{}.fcf.{}", lab.id, c.name), &c.values));
            }
        }
        for c in &self.events {
            out.push((format!("events.{}.time", c.name), &c.values));
        }
        out.push(("pv_savings".into(), &self.pv_savings));
        out
    }

    /// Quantiles of every series at every quarter end, from the sketches.
    pub fn series_rows(&self) -> Vec<SeriesRow<'_>> {
        let mut out = Vec::new();
        for s in &self.series {
            for (q, sk) in s.quarters.iter().enumerate() {
                out.push(SeriesRow {
                    id: &s.id,
                    time: self.quarter_times[q],
                    quantiles: SERIES_QUANTILES.map(|p| sk.quantile(p)),
                });
            }
        }
        out
    }

    /// The per-path table as CSV (`path` first). Builds the whole text in
    /// memory; prefer [`Results::write_per_path_csv`] for large runs.
    pub fn per_path_csv(&self) -> String {
        let mut out = Vec::new();
        self.write_per_path_csv(&mut out).expect("writing to a Vec cannot fail");
        String::from_utf8(out).expect("the CSV is UTF-8")
    }

    /// Stream the per-path table as CSV (`path` first) to `w`, row by row,
    /// byte for byte what [`Results::per_path_csv`] returns. At a million
    /// paths the text is several GB, so it should not be built in memory;
    /// give a buffered writer, as this makes many small writes.
    ///
    /// # Errors
    /// The first error of `w`.
    pub fn write_per_path_csv(&self, w: &mut impl Write) -> io::Result<()> {
        let cols = self.per_path_columns();
        w.write_all(b"path")?;
        for (name, _) in &cols {
            write!(w, ",{name}")?;
        }
        w.write_all(b"\n")?;
        for p in 0..self.len() {
            write!(w, "{}", self.start + p as u64)?;
            for (_, v) in &cols {
                write!(w, ",{}", v[p])?;
            }
            w.write_all(b"\n")?;
        }
        Ok(())
    }

    /// The time-series quantiles as CSV.
    pub fn series_csv(&self) -> String {
        let mut out = Vec::new();
        self.write_series_csv(&mut out).expect("writing to a Vec cannot fail");
        String::from_utf8(out).expect("the CSV is UTF-8")
    }

    /// Stream the time-series quantiles as CSV to `w`, byte for byte what
    /// [`Results::series_csv`] returns.
    ///
    /// # Errors
    /// The first error of `w`.
    pub fn write_series_csv(&self, w: &mut impl Write) -> io::Result<()> {
        w.write_all(b"variable,lab,segment,time,p5,p25,p50,p75,p95\n")?;
        for r in self.series_rows() {
            write!(
                w,
                "{},{},{},{}",
                r.id.variable,
                r.id.lab.as_deref().unwrap_or(""),
                r.id.segment.as_deref().unwrap_or(""),
                r.time
            )?;
            for q in r.quantiles {
                write!(w, ",{q}")?;
            }
            w.write_all(b"\n")?;
        }
        Ok(())
    }
}
