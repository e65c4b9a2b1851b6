//! Calibration from data (`aibubble calibrate`): the gap process, the price
//! curves, the premium sensitivity and the lab-share release rate fitted to
//! a releases file (`data/models.csv`), each parameter with its standard
//! error, method, rows used and a goodness-of-fit figure.
//!
//! The fits use the two years before the window's end (or less: from the
//! file's first row): the end is the as-of date when one is given (rows
//! dated on or after it are dropped), else the first 1 January after the
//! last release. The frontier's pace also uses the year before. A parameter the rows left cannot identify is a row with no
//! value and a note saying why, never a NaN.
//!
//! - [`data`] reads the file and checks it (errors name line, column, value).
//! - [`gap`] fits the pace, `G_0`, the horizontal lag, `lambda_R` and the
//!   jumps; [`catch_up`] fits `h` and `G_inf`.
//! - [`prices`] fits `d_c`, `rho_0` and `d_rho`; [`premium`] fits `pi_G`.
//! - [`jumps`] fits `lambda_a`; [`ols`] is the least squares they share.

pub mod catch_up;
pub mod data;
pub mod gap;
pub mod jumps;
pub mod ols;
pub mod premium;
pub mod prices;

use std::path::Path;

use serde::Serialize;

use crate::error::Result;
use data::Release;

/// Years of data before the window's end that the fits use.
pub const WINDOW_YEARS: f64 = 2.0;

/// One fitted parameter.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Parameter {
    /// The scenario field it calibrates (`gap.half_life`), or a plain name
    /// (`pace`, `horizontal_lag`) for a quantity no field holds.
    pub parameter: String,
    /// Its symbol in docs/equations.md.
    pub symbol: String,
    /// The estimate; `None` when not identified.
    pub value: Option<f64>,
    /// Its standard error, when there is one.
    pub se: Option<f64>,
    /// Unit.
    pub unit: String,
    /// How it was fitted.
    pub method: String,
    /// Observations used.
    pub n: usize,
    /// The goodness-of-fit figure's name (`R2`, `RMSE`, `log-likelihood`), or empty.
    pub statistic: String,
    /// Its value.
    pub statistic_value: Option<f64>,
    /// Dates of the data used, `YYYY-MM-DD to YYYY-MM-DD` (end excluded).
    pub window: String,
    /// Why a parameter is not identified, or empty.
    pub note: String,
}

impl Parameter {
    #[allow(clippy::too_many_arguments)]
    fn new(
        p: &str,
        sym: &str,
        v: f64,
        se: Option<f64>,
        unit: &str,
        method: &str,
        n: usize,
        stat: &str,
        sv: f64,
        window: &str,
    ) -> Self {
        let finite = |x: f64| Some(x).filter(|x| x.is_finite());
        Parameter {
            parameter: p.into(),
            symbol: sym.into(),
            value: finite(v),
            se: se.and_then(finite),
            unit: unit.into(),
            method: method.into(),
            n,
            statistic: if finite(sv).is_some() {
                stat.into()
            } else {
                String::new()
            },
            statistic_value: finite(sv),
            window: window.into(),
            note: if finite(v).is_some() {
                String::new()
            } else {
                "not identified: not finite".into()
            },
        }
    }

    fn none(p: &str, sym: &str, unit: &str, method: &str, n: usize, window: &str, note: &str) -> Self {
        Parameter {
            parameter: p.into(),
            symbol: sym.into(),
            value: None,
            se: None,
            unit: unit.into(),
            method: method.into(),
            n,
            statistic: String::new(),
            statistic_value: None,
            window: window.into(),
            note: note.into(),
        }
    }
}

/// A parameter of a fit: its field path, symbol and unit.
type Named = (&'static str, &'static str, &'static str);

/// What the parameters of one fit share: how it was fitted, the rows it
/// used, its goodness of fit and its window.
struct Fitted<'a> {
    method: &'a str,
    n: usize,
    statistic: &'a str,
    statistic_value: f64,
    window: &'a str,
}

impl<'a> Fitted<'a> {
    /// A least-squares fit of `n` rows with coefficient of determination `r2`.
    fn ols(method: &'a str, n: usize, r2: f64, window: &'a str) -> Self {
        Fitted {
            method,
            n,
            statistic: "R2",
            statistic_value: r2,
            window,
        }
    }

    /// The parameters `names` at their `(value, se)` `estimates`, in order.
    fn parameters<const N: usize>(&self, names: [Named; N], estimates: [(f64, f64); N]) -> [Parameter; N] {
        let f = self;
        std::array::from_fn(|i| {
            let ((p, sym, unit), (v, se)) = (names[i], estimates[i]);
            Parameter::new(
                p,
                sym,
                v,
                Some(se),
                unit,
                f.method,
                f.n,
                f.statistic,
                f.statistic_value,
                f.window,
            )
        })
    }
}

/// The parameters `names` of a fit by `method` of `n` rows in `window`, not
/// identified: `note` says why.
fn unidentified<const N: usize>(names: [Named; N], method: &str, n: usize, window: &str, note: &str) -> [Parameter; N] {
    names.map(|(p, sym, unit)| Parameter::none(p, sym, unit, method, n, window, note))
}

/// A point of a curve, observed (`data`) or fitted (`fit`), for plotting
/// the calibrated curves over the data.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Curve {
    /// `gap.vertical`, `gap.horizontal_lag`, `eci.closed_frontier`,
    /// `eci.open_best`, `price.closed`, `price.open`.
    pub curve: String,
    /// Decimal year.
    pub t: f64,
    /// Value (months, score points, USD per million tokens).
    pub value: f64,
    /// `data` or `fit`.
    pub kind: String,
}

impl Curve {
    fn new(curve: &str, t: f64, value: f64, kind: &str) -> Self {
        Curve {
            curve: curve.into(),
            t,
            value,
            kind: kind.into(),
        }
    }
}

/// The time window of the fits.
#[derive(Debug, Clone, Copy)]
pub struct Window {
    /// Start, decimal year.
    pub start: f64,
    /// End (excluded), decimal year.
    pub end: f64,
}

impl Window {
    fn text(&self, shift: f64) -> String {
        self.text_from(self.start + shift)
    }

    fn text_from(&self, start: f64) -> String {
        format!("{} to {}", date_of(start), date_of(self.end))
    }
}

/// A decimal year as `YYYY-MM-DD` (the nearest day).
pub fn date_of(t: f64) -> String {
    let y = t.floor() as i64;
    let len = if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 {
        366.0
    } else {
        365.0
    };
    let mut doy = ((t - y as f64) * len).round() as i64;
    let months = [
        31,
        if len > 365.0 { 29 } else { 28 },
        31,
        30,
        31,
        30,
        31,
        31,
        30,
        31,
        30,
        31,
    ];
    if doy >= len as i64 {
        return format!("{}-01-01", y + 1);
    }
    let mut m = 0;
    while doy >= months[m] {
        doy -= months[m];
        m += 1;
    }
    format!("{y:04}-{:02}-{:02}", m + 1, doy + 1)
}

/// A calibration: the parameters, the curves, and the data they came from.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Calibration {
    /// The file.
    pub source: String,
    /// The as-of date, when given.
    pub as_of: Option<String>,
    /// Rows read.
    pub rows_read: usize,
    /// Rows dated before the as-of date.
    pub rows_used: usize,
    /// Date of the last row used.
    pub last_date: Option<String>,
    /// The window's start and end (excluded), `YYYY-MM-DD`.
    pub window: (String, String),
    /// One row per parameter.
    pub parameters: Vec<Parameter>,
    /// The fitted curves and their data.
    pub curves: Vec<Curve>,
}

/// Calibrate from a releases file (see the module's description).
///
/// # Errors
///
/// As [`data::read`]; [`crate::Error::Argument`] `as_of` when it is not a
/// date or leaves no row.
pub fn calibrate(path: &Path, as_of: Option<&str>) -> Result<Calibration> {
    let releases = data::read(path)?;
    calibrate_releases(&releases, &path.display().to_string(), as_of)
}

/// Calibrate from releases already read.
///
/// # Errors
///
/// As [`calibrate`].
pub fn calibrate_releases(all: &[Release], source: &str, as_of: Option<&str>) -> Result<Calibration> {
    let (rows, end) = match as_of {
        Some(d) => data::before(all, d)?,
        None => {
            let last = all.iter().map(|r| r.t).fold(f64::NEG_INFINITY, f64::max);
            (all.to_vec(), last.floor() + 1.0)
        }
    };
    let last = rows.iter().max_by(|a, b| a.t.total_cmp(&b.t));
    let Some(last) = last else {
        return Err(crate::Error::argument(
            "as_of",
            format!("{:?} leaves no row of {source}", as_of.unwrap_or("")),
        ));
    };
    // The window starts no earlier than the file's first row: before it the
    // file has no coverage, and a rate over years without data would be biased low.
    let first = all.iter().map(|r| r.t).fold(f64::INFINITY, f64::min);
    let w = Window {
        start: (end - WINDOW_YEARS).max(first),
        end,
    };
    let (mut parameters, mut curves) = (Vec::new(), Vec::new());
    let state = gap::fit(&rows, &w, &mut parameters, &mut curves);
    prices::fit(&rows, &state, &w, &mut parameters, &mut curves);
    premium::fit(&rows, &state, &w, &mut parameters);
    jumps::fit(&rows, &w, &mut parameters);
    Ok(Calibration {
        source: source.into(),
        as_of: as_of.map(str::to_string),
        rows_read: all.len(),
        rows_used: rows.len(),
        last_date: Some(last.date.clone()),
        window: (date_of(w.start), as_of.map_or_else(|| date_of(end), str::to_string)),
        parameters,
        curves,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seed() -> Vec<Release> {
        data::read(Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/data/models.csv"))).unwrap()
    }

    #[test]
    fn decimal_years_print_as_dates() {
        assert_eq!(date_of(2024.0), "2024-01-01");
        assert_eq!(date_of(data::year_of("2025-07-02").unwrap()), "2025-07-02");
        assert_eq!(date_of(data::year_of("2024-12-31").unwrap()), "2024-12-31");
    }

    #[test]
    fn a_row_dated_on_or_after_the_as_of_date_changes_nothing() {
        let all = seed();
        let a = calibrate_releases(&all, "f", Some("2025-01-01")).unwrap();
        let mut more = all.clone();
        let mut late = more.last().unwrap().clone();
        late.date = "2025-01-01".into();
        late.t = 2025.0;
        late.score = Some(500.0);
        more.push(late);
        let b = calibrate_releases(&more, "f", Some("2025-01-01")).unwrap();
        assert_eq!(a.parameters, b.parameters);
        assert_eq!(a.rows_used, b.rows_used);
        assert!(a.rows_used < all.len());
        assert!(a.last_date.as_deref().unwrap() < "2025-01-01");
        // Without the as-of date the same row moves the fit.
        assert_ne!(
            calibrate_releases(&more, "f", None).unwrap().parameters,
            calibrate_releases(&all, "f", None).unwrap().parameters
        );
    }

    #[test]
    fn every_parameter_has_a_value_or_a_reason() {
        for as_of in [None, Some("2024-01-01"), Some("2023-06-01")] {
            let c = calibrate_releases(&seed(), "f", as_of).unwrap();
            assert!(c.parameters.len() >= 14, "{as_of:?}");
            for p in &c.parameters {
                assert!(
                    p.value.is_some_and(f64::is_finite) != p.note.starts_with("not identified"),
                    "{as_of:?} {p:?}"
                );
            }
            assert!(c.curves.iter().all(|k| k.t.is_finite()));
        }
        let e = calibrate_releases(&seed(), "f", Some("2000-01-01")).unwrap_err();
        assert!(e.to_string().contains("leaves no row"), "{e}");
    }

    #[test]
    fn today_s_fit_is_the_scripts() {
        let c = calibrate_releases(&seed(), "f", None).unwrap();
        let get = |p: &str| c.parameters.iter().find(|x| x.parameter == p).unwrap().value.unwrap();
        // The presets' numbers (data/fit_gap.py, fit_premium.py, fit_jumps.py).
        assert_eq!(get("gap.release_rate"), 6.0);
        assert!((get("gap.jump_mean") - 2.23).abs() < 0.005);
        assert_eq!((get("gap.half_life"), get("gap.long_run")), (0.10, 2.7));
        assert!((get("prices.premium_sensitivity") - 0.08).abs() < 0.005);
        assert!((get("attractiveness.jump_rate") - 3.9).abs() < 0.05);
    }
}
