//! Sweeps: one input set to each of a list of values on every path (an
//! uncertain input becomes a fixed number at each value, exactly as
//! `aibubble run --set PATH=VALUE` would set it), every other input drawn as
//! usual on the same seed and paths (common random numbers: each drawn
//! input has its own sub-stream, so fixing one moves no other draw; an
//! input of the input copula is held by a constant column of an input
//! table instead, so that its partners keep their draws), and
//! the headline statistics of each marked lab and of the sector at each
//! value, with standard errors; optionally each value's net figures
//! against its frozen-competition counterfactual.

use serde::Serialize;

use super::runs::Runs;
use super::statistic::{Measure, Statistic};
use crate::engine::{Compiled, InputTable};
use crate::error::{Error, Result};
use crate::scenario::Scenario;
use crate::stats;

/// The measures reported for each lab with a mark, then for the sector.
const LAB_MEASURES: [&str; 8] = [
    "fair_value.mean",
    "fair_value.p50",
    "phi.mean",
    "phi.p50",
    "p_phi_below_half",
    "p_pop",
    "p_zero",
    "p_crunch",
];
const SECTOR_MEASURES: [&str; 5] = [
    "fair_value.mean",
    "fair_value.p50",
    "phi.mean",
    "phi.p50",
    "p_phi_below_half",
];

/// The headline statistics of a scenario: every measure of each lab with a
/// mark, in lab order, then the sector's.
///
/// # Errors
/// None for a valid scenario (the names are the statistic grammar's own).
pub fn headline(scenario: &Scenario) -> Result<Vec<Statistic>> {
    let mut out = Vec::new();
    for lab in scenario.labs.iter().filter(|l| l.mark.is_some()) {
        for m in LAB_MEASURES {
            out.push(Statistic::parse(&format!("labs.{}.{m}", lab.id), scenario)?);
        }
    }
    for m in SECTOR_MEASURES {
        out.push(Statistic::parse(&format!("sector.{m}"), scenario)?);
    }
    Ok(out)
}

/// One statistic at one value of the swept input.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SweepRow {
    /// The input's value.
    pub value: f64,
    /// The statistic's path (`labs.openai.fair_value.mean`).
    pub statistic: String,
    /// Its value in the run.
    pub estimate: f64,
    /// Its standard error (None for a median).
    pub se: Option<f64>,
    /// The 5th and 95th percentiles of its per-path values (fair value or
    /// phi; None for a probability).
    pub p5: Option<f64>,
    /// The 95th percentile (see `p5`).
    pub p95: Option<f64>,
    /// With `net`: the statistic net of the frozen-competition
    /// counterfactual's (a paired difference), and its standard error.
    pub net: Option<f64>,
    /// The net figure's standard error (None for a median).
    pub net_se: Option<f64>,
}

/// A sweep's rows, value by value, statistic by statistic.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Sweep {
    /// The scenario's name.
    pub scenario: String,
    /// The swept input's field path.
    pub input: String,
    /// The values, in the order given.
    pub values: Vec<f64>,
    /// Paths and seed of every run.
    pub paths: u64,
    /// The seed of every run.
    pub seed: u64,
    /// Whether the net figures were computed.
    pub net: bool,
    /// Value by value, in the order of [`headline`] within each.
    pub rows: Vec<SweepRow>,
}

/// `n` evenly spaced values from `lo` to `hi`, both included (`--range lo,hi,n`).
///
/// # Errors
/// [`Error::Argument`] for `n < 2` or a bound that is not finite.
pub fn range_values(lo: f64, hi: f64, n: usize) -> Result<Vec<f64>> {
    if n < 2 || !lo.is_finite() || !hi.is_finite() {
        return Err(Error::argument(
            "range",
            format!("needs finite lo, hi and n >= 2, got {lo}, {hi}, {n}"),
        ));
    }
    Ok((0..n)
        .map(|i| {
            if i + 1 == n {
                hi
            } else {
                lo + (hi - lo) * i as f64 / (n - 1) as f64
            }
        })
        .collect())
}

/// Check that `input` is a numeric input of the scenario (a field path).
///
/// # Errors
/// [`Error::Argument`] naming it.
pub fn check_input(scenario: &Scenario, input: &str) -> Result<()> {
    if scenario.fields().iter().any(|f| f.path == input) {
        return Ok(());
    }
    Err(Error::argument(
        "input",
        format!(
            "{input:?} is not an input of scenario {:?}; inputs are field paths such as \
             prices.premium_sensitivity (`aibubble show --expanded` lists them)",
            scenario.name
        ),
    ))
}

/// `scenario` with `input` fixed at `value` on every path (as `--set`).
///
/// # Errors
/// As [`Scenario::with_overrides`] (a value outside the input's domain is named).
pub fn fixed(scenario: &Scenario, input: &str, value: f64) -> Result<Scenario> {
    scenario.with_overrides([(input, serde_json::json!(value))])
}

/// Run `scenario` with `input` fixed at each of `values`, on common random
/// numbers, and report the [`headline`] statistics at each value.
///
/// # Errors
/// [`Error::Argument`] for an unknown input, no values or a value that is
/// not finite; [`Error::Scenario`] for a value outside the input's domain;
/// the errors of the runs.
pub fn sweep(scenario: &Scenario, input: &str, values: &[f64], runs: &Runs, net: bool) -> Result<Sweep> {
    check_input(scenario, input)?;
    if values.is_empty() {
        return Err(Error::argument("values", "a sweep needs at least one value"));
    }
    if let Some(v) = values.iter().find(|v| !v.is_finite()) {
        return Err(Error::argument("values", format!("must be finite, got {v}")));
    }
    let statistics = headline(scenario)?;
    // An input of the copula cannot be a fixed number: it is held by a
    // constant column of an input table instead, its partners keeping their draws.
    let correlated = Compiled::new(scenario, None)?
        .copula
        .is_some_and(|(c, _)| c.paths.iter().any(|p| p == input));
    let n = usize::try_from(runs.paths).expect("paths fit in memory");
    let mut rows = Vec::with_capacity(values.len() * statistics.len());
    // Each value's runs: one, or two with --net.
    let per = if net { 2 } else { 1 };
    let total = values.len() * per;
    for (i, &value) in values.iter().enumerate() {
        let (s, table) = if correlated {
            (
                scenario.clone(),
                Some(InputTable::new(vec![input.into()], vec![value; n])?),
            )
        } else {
            (fixed(scenario, input, value)?, None)
        };
        let run = i * per + 1;
        let r = runs.run_as(&s, table.as_ref(), format_args!("value {run}/{total}"))?;
        let frozen = if net {
            let frozen = s.freeze_competition();
            Some(runs.run_as(
                &frozen,
                table.as_ref(),
                format_args!("value {}/{total} frozen", run + 1),
            )?)
        } else {
            None
        };
        for st in &statistics {
            let e = st.estimate(&r)?;
            let (p5, p95) = match st.measure {
                Measure::FairValueMean | Measure::FairValueP50 | Measure::PhiMean | Measure::PhiP50 => {
                    let xs: Vec<f64> = st.per_path(&r)?.into_iter().filter(|x| !x.is_nan()).collect();
                    let sorted = stats::sorted(&xs);
                    (
                        Some(stats::quantile_sorted(&sorted, 0.05)),
                        Some(stats::quantile_sorted(&sorted, 0.95)),
                    )
                }
                _ => (None, None),
            };
            let n = frozen.as_ref().map(|f| st.paired_difference(&r, f)).transpose()?;
            rows.push(SweepRow {
                value,
                statistic: st.path(),
                estimate: e.value,
                se: e.se,
                p5,
                p95,
                net: n.map(|n| n.value),
                net_se: n.and_then(|n| n.se),
            });
        }
    }
    Ok(Sweep {
        scenario: scenario.name.clone(),
        input: input.into(),
        values: values.to_vec(),
        paths: runs.paths,
        seed: runs.seed,
        net,
        rows,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sweep_equals_runs_with_the_input_set() {
        let s = Scenario::preset("ft_bubble").unwrap();
        let runs = Runs::new(256, 3);
        let values = [0.0, 0.3];
        let sw = sweep(&s, "prices.premium_sensitivity", &values, &runs, true).unwrap();
        let st = Statistic::parse("labs.openai.fair_value.mean", &s).unwrap();
        for v in values {
            let set = s
                .with_overrides([("prices.premium_sensitivity", serde_json::json!(v))])
                .unwrap();
            let want = st.estimate(&runs.run(&set).unwrap()).unwrap();
            let row = sw
                .rows
                .iter()
                .find(|r| r.value == v && r.statistic == st.path())
                .unwrap();
            assert_eq!(row.estimate.to_bits(), want.value.to_bits());
            assert!(row.net.is_some() && row.p5.unwrap() <= row.p95.unwrap());
        }
    }

    #[test]
    fn bad_sweeps_are_named() {
        let s = Scenario::preset("baseline").unwrap();
        let runs = Runs::new(64, 1);
        let e = sweep(&s, "prices.premium_sensitivty", &[0.1], &runs, false)
            .unwrap_err()
            .to_string();
        assert!(e.contains("prices.premium_sensitivty"), "{e}");
        let e = sweep(&s, "prices.premium_sensitivity", &[-1.0], &runs, false)
            .unwrap_err()
            .to_string();
        assert!(e.contains("prices.premium_sensitivity"), "{e}");
        assert!(range_values(0.0, 1.0, 1).is_err());
        assert_eq!(range_values(0.0, 1.0, 3).unwrap(), [0.0, 0.5, 1.0]);
    }
}
