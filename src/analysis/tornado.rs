//! Tornados: which uncertain input drives a statistic, two ways.
//!
//! - `single`: one ordinary run; for each drawn input, the Spearman rank
//!   correlation of its draws with the statistic's per-path values, and the
//!   statistic over the paths in the input's lowest and highest decile of
//!   draws (a mean or probability as the mean of the decile, a median as its
//!   median). Cheap, but it reads the inputs' joint draws: with correlated
//!   inputs a swing is partly a partner's.
//! - `runs`: for each drawn input, two runs on common random numbers with
//!   that input held at its 10th and its 90th percentile (the inverse CDF of
//!   its distribution, truncation included) on every path and every other
//!   input drawn as usual (the held input is a constant column of an input
//!   table, so no other draw moves, copula partners included); the swing is
//!   the paired difference of the two runs, with its standard error.
//!
//! Rows are sorted by the size of the swing, largest first.

use serde::Serialize;

use super::runs::Runs;
use super::statistic::{Estimate, Statistic};
use crate::dist::Sampler;
use crate::engine::{Compiled, InputTable};
use crate::error::{Error, Result};
use crate::scenario::Scenario;
use crate::stats;

/// How a tornado is made.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Method {
    /// Rank correlations and decile means of one run.
    Single,
    /// Each input held at its p10 and p90 in paired runs.
    Runs,
}

impl Method {
    /// `single` or `runs`.
    ///
    /// # Errors
    /// [`Error::Argument`] naming the text.
    pub fn parse(text: &str) -> Result<Method> {
        match text {
            "single" => Ok(Method::Single),
            "runs" => Ok(Method::Runs),
            _ => Err(Error::argument(
                "method",
                format!("{text:?}: expected \"single\" or \"runs\""),
            )),
        }
    }
}

/// One input's bar.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct TornadoRow {
    /// The input's field path.
    pub input: String,
    /// The input's value at the low end: the mean of its lowest decile of
    /// draws (single) or its 10th percentile (runs).
    pub input_low: f64,
    /// At the high end: the mean of its highest decile, or its 90th percentile.
    pub input_high: f64,
    /// The statistic at the low end and at the high end.
    pub low: f64,
    /// The statistic at the high end.
    pub high: f64,
    /// `high - low`.
    pub swing: f64,
    /// The swing's standard error: of the difference of two decile means
    /// (single), or of the paired per-path differences (runs); None for a median.
    pub swing_se: Option<f64>,
    /// Spearman's rank correlation of the input's draws with the per-path
    /// values (single only; None when either is constant).
    pub rank_correlation: Option<f64>,
}

/// A tornado of one statistic.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Tornado {
    /// The scenario's name.
    pub scenario: String,
    /// The statistic's path.
    pub output: String,
    /// How it was made.
    pub method: Method,
    /// Paths and seed of every run.
    pub paths: u64,
    /// The seed of every run.
    pub seed: u64,
    /// The statistic in the ordinary run (single: that run; runs: a run of its own).
    pub base: Estimate,
    /// One row per input, largest swing first.
    pub rows: Vec<TornadoRow>,
}

/// The drawn inputs of a scenario that its runs report, with their samplers,
/// restricted to `names` when given (each must be drawn).
fn drawn_inputs(scenario: &Scenario, names: &[String]) -> Result<Vec<(String, Sampler)>> {
    let c = Compiled::new(scenario, None)?;
    let all: Vec<(String, Sampler)> = c
        .drawn
        .iter()
        .filter(|d| c.input_fields.contains(&d.field))
        .map(|d| (c.field_paths[d.field].clone(), d.sampler.clone()))
        .collect();
    if all.is_empty() {
        return Err(Error::argument(
            "inputs",
            format!(
                "scenario {:?} draws no inputs (every input is a fixed number); a tornado needs uncertain inputs",
                scenario.name
            ),
        ));
    }
    if names.is_empty() {
        return Ok(all);
    }
    names
        .iter()
        .map(|n| {
            all.iter().find(|(p, _)| p == n).cloned().ok_or_else(|| {
                let why = if scenario.fields().iter().any(|f| f.path == *n) {
                    "is not an uncertain input of the scenario (it is a fixed number, not drawn); a tornado needs drawn inputs"
                } else {
                    "is not an input of the scenario"
                };
                Error::argument("input", format!("{n:?} {why}"))
            })
        })
        .collect()
}

/// The tornado of `output` (a [`Statistic`] path) over the scenario's drawn
/// inputs (or over `inputs`, each of which must be drawn).
///
/// # Errors
/// [`Error::Argument`] for an unknown statistic, an input that is unknown or
/// not drawn, a scenario that draws nothing, or fewer than 20 paths; the
/// errors of the runs.
pub fn tornado(scenario: &Scenario, output: &str, method: Method, inputs: &[String], runs: &Runs) -> Result<Tornado> {
    let st = Statistic::parse(output, scenario)?;
    let drawn = drawn_inputs(scenario, inputs)?;
    if runs.paths < 20 {
        return Err(Error::argument(
            "paths",
            format!("a tornado needs at least 20 paths, got {}", runs.paths),
        ));
    }
    let (base, mut rows) = match method {
        Method::Single => single(scenario, &st, &drawn, runs)?,
        Method::Runs => held(scenario, &st, &drawn, runs)?,
    };
    rows.sort_by(|a, b| {
        let key = |r: &TornadoRow| if r.swing.is_nan() { -1.0 } else { r.swing.abs() };
        key(b).total_cmp(&key(a))
    });
    Ok(Tornado {
        scenario: scenario.name.clone(),
        output: st.path(),
        method,
        paths: runs.paths,
        seed: runs.seed,
        base,
        rows,
    })
}

fn single(
    scenario: &Scenario,
    st: &Statistic,
    drawn: &[(String, Sampler)],
    runs: &Runs,
) -> Result<(Estimate, Vec<TornadoRow>)> {
    let r = runs.run_as(scenario, None, format_args!("the run"))?;
    let base = st.estimate(&r)?;
    let y = st.per_path(&r)?;
    let mut rows = Vec::with_capacity(drawn.len());
    for (name, _) in drawn {
        let x = &r
            .inputs
            .iter()
            .find(|c| c.name == *name)
            .expect("a drawn input is reported")
            .values;
        let mut pairs: Vec<(f64, f64)> = x
            .iter()
            .copied()
            .zip(y.iter().copied())
            .filter(|(_, y)| !y.is_nan())
            .collect();
        pairs.sort_by(|a, b| a.0.total_cmp(&b.0));
        let k = (pairs.len() / 10).max(1);
        let (lo, hi) = (&pairs[..k], &pairs[pairs.len() - k..]);
        let ys = |p: &[(f64, f64)]| p.iter().map(|q| q.1).collect::<Vec<_>>();
        let xmean = |p: &[(f64, f64)]| stats::moments(&p.iter().map(|q| q.0).collect::<Vec<_>>()).mean;
        let (low, high) = (
            Estimate::of(&ys(lo), st.measure.is_median()),
            Estimate::of(&ys(hi), st.measure.is_median()),
        );
        let (xs, yv): (Vec<f64>, Vec<f64>) = pairs.iter().copied().unzip();
        let rho = spearman(&xs, &yv);
        rows.push(TornadoRow {
            input: name.clone(),
            input_low: xmean(lo),
            input_high: xmean(hi),
            low: low.value,
            high: high.value,
            swing: high.value - low.value,
            swing_se: low.se.zip(high.se).map(|(a, b)| a.hypot(b)),
            rank_correlation: rho.is_finite().then_some(rho),
        });
    }
    Ok((base, rows))
}

fn held(
    scenario: &Scenario,
    st: &Statistic,
    drawn: &[(String, Sampler)],
    runs: &Runs,
) -> Result<(Estimate, Vec<TornadoRow>)> {
    // The base run, then each input at its p10 and p90.
    let total = 1 + 2 * drawn.len();
    let n = usize::try_from(runs.paths).expect("paths fit in memory");
    // The base run and each input's p10 and p90 runs, one batch: an
    // executor runs them side by side.
    let mut tables = Vec::with_capacity(2 * drawn.len());
    for (name, sampler) in drawn {
        for x in [sampler.quantile(0.1), sampler.quantile(0.9)] {
            tables.push(InputTable::new(vec![name.clone()], vec![x; n])?);
        }
    }
    let batch: Vec<_> = std::iter::once((scenario, None))
        .chain(tables.iter().map(|t| (scenario, Some(t))))
        .collect();
    let mut results = runs
        .run_many_as(&batch, |i| format!("run {}/{total}", i + 1))?
        .into_iter();
    let base = st.estimate(&results.next().expect("the base run"))?;
    let mut rows = Vec::with_capacity(drawn.len());
    for (name, sampler) in drawn {
        let (x_lo, x_hi) = (sampler.quantile(0.1), sampler.quantile(0.9));
        let (r_lo, r_hi) = (results.next().expect("a p10 run"), results.next().expect("a p90 run"));
        let (low, high) = (st.estimate(&r_lo)?, st.estimate(&r_hi)?);
        let d = st.paired_difference(&r_hi, &r_lo)?;
        rows.push(TornadoRow {
            input: name.clone(),
            input_low: x_lo,
            input_high: x_hi,
            low: low.value,
            high: high.value,
            swing: d.value,
            swing_se: d.se,
            rank_correlation: None,
        });
    }
    Ok((base, rows))
}

/// Ranks from 1, ties given their average rank.
fn ranks(xs: &[f64]) -> Vec<f64> {
    let mut idx: Vec<usize> = (0..xs.len()).collect();
    idx.sort_by(|a, b| xs[*a].total_cmp(&xs[*b]));
    let mut out = vec![0.0; xs.len()];
    let mut i = 0;
    while i < idx.len() {
        let mut j = i;
        while j + 1 < idx.len() && xs[idx[j + 1]] == xs[idx[i]] {
            j += 1;
        }
        let rank = (i + j) as f64 / 2.0 + 1.0;
        for k in &idx[i..=j] {
            out[*k] = rank;
        }
        i = j + 1;
    }
    out
}

/// Spearman's rank correlation (the Pearson correlation of the ranks); NaN
/// when either side is constant.
pub fn spearman(xs: &[f64], ys: &[f64]) -> f64 {
    let (rx, ry) = (ranks(xs), ranks(ys));
    let (mx, my) = (stats::moments(&rx).mean, stats::moments(&ry).mean);
    let (mut sxy, mut sxx, mut syy) = (0.0, 0.0, 0.0);
    for (a, b) in rx.iter().zip(&ry) {
        sxy += (a - mx) * (b - my);
        sxx += (a - mx) * (a - mx);
        syy += (b - my) * (b - my);
    }
    if sxx == 0.0 || syy == 0.0 {
        return f64::NAN;
    }
    sxy / (sxx * syy).sqrt()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spearman_is_one_for_a_monotone_relation_and_handles_ties() {
        let x = [1.0, 2.0, 3.0, 4.0, 5.0];
        assert!((spearman(&x, &x.map(|v: f64| v.exp())) - 1.0).abs() < 1e-12);
        assert!((spearman(&x, &x.map(|v| -v)) + 1.0).abs() < 1e-12);
        assert_eq!(ranks(&[2.0, 1.0, 2.0]), [2.5, 1.0, 2.5]);
        assert!(spearman(&x, &[1.0; 5]).is_nan());
    }

    #[test]
    fn bad_tornados_are_named() {
        let s = Scenario::preset("baseline").unwrap();
        let runs = Runs::new(64, 1);
        for (output, inputs, says) in [
            ("labs.openai.p_popp", vec![], "p_popp"),
            (
                "labs.openai.p_pop",
                vec!["nope.nothing".to_string()],
                "\"nope.nothing\" is not an input",
            ),
            (
                "labs.openai.p_pop",
                vec!["prices.max_premium_rise".to_string()],
                "is not an uncertain input",
            ),
        ] {
            let e = tornado(&s, output, Method::Single, &inputs, &runs)
                .unwrap_err()
                .to_string();
            assert!(e.contains(says), "{output} {inputs:?}: {e}");
        }
        assert!(Method::parse("both").unwrap_err().to_string().contains("both"));
    }
}
