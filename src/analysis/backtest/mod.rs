//! Back-tests (`aibubble backtest`): did the model see it coming? Each
//! dated observation of a recorded series (a lab's run rate, the gap, the
//! price ratio, a segment's open share of tokens, a mark) is placed in the
//! run's distribution of that series at the step nearest its date
//! (`t_k = start_year + k / n`, `k = round((t - start_year) n)`): its
//! percentile (the share of paths below it, ties counted half, with its
//! Monte Carlo standard error `sqrt(p (1 - p) / N)`), and whether it lies
//! inside the central 90% band (p5..p95) and 99% band (p0.5..p99.5), type-7
//! quantiles of the paths. The summary: the share of observations inside
//! each band with its binomial standard error, and the PIT histogram (the
//! percentiles' counts in ten bins of width 0.1): a calibrated model puts
//! about 90% inside the 90% band and a flat histogram.
//!
//! The distribution is exact, not sketched: the paths are run with every
//! step stored ([`Simulation::store_paths`](crate::Simulation::store_paths)),
//! in chunks of paths so that at most [`CHUNK_BYTES`] of stored paths are
//! held at once (split runs give
//! the same paths bit for bit, so the chunking changes nothing), keeping
//! only the observed series at the observed steps: `8 N` bytes an
//! observation.

pub mod observations;

use serde::Serialize;

use super::runs::Runs;
use crate::error::{Error, Result};
use crate::results::SeriesId;
use crate::scenario::Scenario;
use crate::stats;
pub use observations::{OPEN_SHARE, Observation, Observations};

/// The most bytes of stored full paths held at once.
pub const CHUNK_BYTES: u64 = 64 << 20;

/// One observation placed in the model's distribution.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct BacktestRow {
    /// The observation, as read.
    #[serde(flatten)]
    pub observation: Observation,
    /// The step `k` it is compared at.
    pub step: usize,
    /// The share of paths below the observed value (ties count half).
    pub percentile: f64,
    /// Its Monte Carlo standard error, `sqrt(p (1 - p) / N)`.
    pub percentile_se: f64,
    /// The model's 0.5% quantile at that step.
    pub p0_5: f64,
    /// 5% quantile.
    pub p5: f64,
    /// Median.
    pub p50: f64,
    /// 95% quantile.
    pub p95: f64,
    /// 99.5% quantile.
    pub p99_5: f64,
    /// Inside the central 90% band, p5..p95.
    pub in_90: bool,
    /// Inside the central 99% band, p0.5..p99.5.
    pub in_99: bool,
}

/// A share of the observations with its binomial standard error.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Coverage {
    /// The share.
    pub share: f64,
    /// `sqrt(share (1 - share) / n)`.
    pub se: f64,
}

impl Coverage {
    fn of(count: usize, n: usize) -> Coverage {
        let share = count as f64 / n as f64;
        Coverage {
            share,
            se: (share * (1.0 - share) / n as f64).sqrt(),
        }
    }
}

/// The calibration summary of a back-test.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Summary {
    /// Number of observations.
    pub n: usize,
    /// Share inside the 90% band (0.90 expected of a calibrated model).
    pub in_90: Coverage,
    /// Share inside the 99% band (0.99 expected).
    pub in_99: Coverage,
    /// The PIT histogram: counts of percentiles in [0, 0.1), ..., [0.9, 1].
    pub pit: Vec<usize>,
}

/// A back-test: every observation against one run of a scenario.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Backtest {
    /// The scenario's name.
    pub scenario: String,
    /// The observations file.
    pub observations: String,
    /// Paths of the run.
    pub paths: u64,
    /// Its seed.
    pub seed: u64,
    /// One row per observation, in file order.
    pub rows: Vec<BacktestRow>,
    /// Coverage and the PIT histogram.
    pub summary: Summary,
}

/// Back-test `scenario` against `observations` on one run of `runs`.
///
/// # Errors
/// [`Error::Parse`] naming the line of an observation the scenario cannot
/// place (see [`Observations::check`]), before any run; those of the runs;
/// [`Error::Numerical`] when a series is not finite on some path.
pub fn backtest(scenario: &Scenario, observations: &Observations, runs: &Runs) -> Result<Backtest> {
    observations.check(scenario)?;
    let chunk = (CHUNK_BYTES / stored_bytes_per_path(scenario)).max(1);
    let values = per_path_values(scenario, observations, runs, chunk)?;
    let n = runs.paths as f64;
    let rows: Vec<BacktestRow> = observations
        .rows
        .iter()
        .zip(values)
        .map(|(o, mut v)| {
            let below = v.iter().filter(|x| **x < o.value).count();
            let equal = v.iter().filter(|x| **x == o.value).count();
            let p = (below as f64 + 0.5 * equal as f64) / n;
            v.sort_by(f64::total_cmp);
            let q = |x: f64| stats::quantile_sorted(&v, x);
            let (p0_5, p5, p50, p95, p99_5) = (q(0.005), q(0.05), q(0.5), q(0.95), q(0.995));
            BacktestRow {
                observation: o.clone(),
                step: observations::step(scenario, o.time) as usize,
                percentile: p,
                percentile_se: (p * (1.0 - p) / n).sqrt(),
                p0_5,
                p5,
                p50,
                p95,
                p99_5,
                in_90: (p5..=p95).contains(&o.value),
                in_99: (p0_5..=p99_5).contains(&o.value),
            }
        })
        .collect();
    let count = |f: fn(&BacktestRow) -> bool| rows.iter().filter(|r| f(r)).count();
    let mut pit = vec![0; 10];
    for r in &rows {
        pit[((r.percentile * 10.0).floor() as usize).min(9)] += 1;
    }
    let summary = Summary {
        n: rows.len(),
        in_90: Coverage::of(count(|r| r.in_90), rows.len()),
        in_99: Coverage::of(count(|r| r.in_99), rows.len()),
        pit,
    };
    Ok(Backtest {
        scenario: scenario.name.clone(),
        observations: observations.name.clone(),
        paths: runs.paths,
        seed: runs.seed,
        rows,
        summary,
    })
}

/// Each observation's series at its step, one value per path (path order),
/// from runs of `chunk` paths at a time.
fn per_path_values(scenario: &Scenario, observations: &Observations, runs: &Runs, chunk: u64) -> Result<Vec<Vec<f64>>> {
    let mut out = vec![Vec::with_capacity(runs.paths as usize); observations.rows.len()];
    let mut start = 0;
    let chunks = runs.paths.div_ceil(chunk);
    while start < runs.paths {
        let end = (start + chunk).min(runs.paths);
        let sim = runs.simulation(scenario)?.range(start, end).store_paths(end);
        let results = runs.finish(sim, format_args!("chunk {}/{chunks}", start / chunk + 1))?;
        let steps = results.steps + 1;
        for (o, values) in observations.rows.iter().zip(out.iter_mut()) {
            let k = observations::step(scenario, o.time) as usize;
            let open = o.output == OPEN_SHARE;
            let id = SeriesId {
                variable: if open { "closed_share".into() } else { o.output.clone() },
                lab: o.lab.clone(),
                segment: o.segment.clone(),
            };
            let series = results
                .stored_series(&id)
                .expect("a checked observation names a recorded series");
            for (p, path) in series.chunks_exact(steps).enumerate() {
                let x = if open { 1.0 - path[k] } else { path[k] };
                if !x.is_finite() {
                    return Err(Error::Numerical {
                        variable: id.to_string(),
                        path: start + p as u64,
                        step: k,
                        year: scenario.start_year() + k as f64 / scenario.steps_per_year as f64,
                        value: x,
                        reason: format!("cannot place the observation of line {}", o.line),
                    });
                }
                values.push(x);
            }
        }
        start = end;
    }
    Ok(out)
}

/// Bytes of one stored path: every recorded series at every step.
fn stored_bytes_per_path(scenario: &Scenario) -> u64 {
    let series = crate::results::Series::ids(scenario).len() as u64;
    (series * (scenario.steps() as u64 + 1) * 8).max(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chunks_of_paths_give_the_paths_of_one_run() {
        let s = Scenario::preset("baseline").unwrap();
        let text = "date,output,lab,segment,value,source\n2026-06,revenue,openai,,25,s\n2027-01,gap,,,5,s\n";
        let obs = Observations::parse(text, "t.csv").unwrap();
        let runs = Runs::new(50, 9);
        let whole = per_path_values(&s, &obs, &runs, 50).unwrap();
        assert_eq!(whole.len(), 2);
        assert_eq!(whole[0].len(), 50);
        assert_eq!(per_path_values(&s, &obs, &runs, 7).unwrap(), whole);
    }
}
