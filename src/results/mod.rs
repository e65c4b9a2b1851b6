//! What a run returns (docs/equations.md §8): the per-path table, time-series
//! sketches and stored full paths, mergeable across split runs bit for bit.
//! The parts: this file the types and their accessors, [`vocab`] the
//! outputs' names, units and meanings, [`file`](mod@file) the results
//! file (JSON with a checksum, checked on load), [`csv`] the tables of
//! `--out`.

pub mod csv;
pub mod file;
pub mod vocab;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::scenario::{Class, Scenario};
use crate::stats::{ExactMoments, Scale, Sketch};

pub use csv::{SERIES_QUANTILES, SeriesRow};
pub use file::SCHEMA_VERSION;
pub use vocab::{LAB_METRICS, LabMetric, Per, Series};

impl Series {
    /// The series of a scenario, in recording order.
    pub fn ids(s: &Scenario) -> Vec<SeriesId> {
        let mut out = Vec::new();
        for v in Series::ALL {
            let id = |lab: Option<&str>, segment: Option<&str>| SeriesId {
                variable: v.name().into(),
                lab: lab.map(String::from),
                segment: segment.map(String::from),
            };
            match v.per() {
                Per::Run => out.push(id(None, None)),
                Per::Segment => out.extend(s.segments.iter().map(|g| id(None, Some(&g.id)))),
                Per::Lab => out.extend(s.labs.iter().map(|l| id(Some(&l.id), None))),
                Per::MarkedLab => out.extend(
                    s.labs
                        .iter()
                        .filter(|l| l.mark.is_some())
                        .map(|l| id(Some(&l.id), None)),
                ),
            }
        }
        out
    }
}

/// One recorded time series (docs/equations.md §8 output names).
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct SeriesId {
    /// The output name ([`Series::name`]: `gap`, `revenue`, ...).
    pub variable: String,
    /// The lab's id, for a series kept per lab.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lab: Option<String>,
    /// The segment's id, for a series kept per segment.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub segment: Option<String>,
}

impl SeriesId {
    /// How the series is sketched ([`Series::scale`]; relative for a
    /// variable this build does not know).
    pub fn scale(&self) -> Scale {
        Series::from_name(&self.variable).map_or(Scale::RELATIVE, Series::scale)
    }

    /// An empty sketch of each of `quarters` quarter ends for each series.
    pub fn empty_sketches(ids: &[SeriesId], quarters: usize) -> Vec<Sketch> {
        ids.iter()
            .flat_map(|id| std::iter::repeat_n(Sketch::with_scale(id.scale()), quarters))
            .collect()
    }
}

impl std::fmt::Display for SeriesId {
    /// `revenue(lab=openai)`, `closed_share(segment=consumer)`, `gap`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.variable)?;
        if let Some(l) = &self.lab {
            write!(f, "(lab={l})")?;
        }
        if let Some(s) = &self.segment {
            write!(f, "(segment={s})")?;
        }
        Ok(())
    }
}

/// One named column of per-path values.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Column {
    /// The column's name (a field path, a metric, a year or an event id).
    pub name: String,
    /// One value per path, in path order; NaN where it does not apply.
    #[serde(with = "file::floats")]
    pub values: Vec<f64>,
}

/// Columns compare bit for bit, so NaN (a metric that does not apply) equals itself.
impl PartialEq for Column {
    fn eq(&self, other: &Self) -> bool {
        self.name == other.name
            && self.values.len() == other.values.len()
            && self
                .values
                .iter()
                .zip(&other.values)
                .all(|(a, b)| a.to_bits() == b.to_bits())
    }
}

/// Per-path outputs of one lab.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LabPaths {
    /// The lab's id.
    pub id: String,
    /// Its display name.
    pub name: String,
    /// Closed or open.
    pub class: Class,
    /// The metrics of [`LabMetric::ALL`] (`fair_value`, `phi`, ...), one column
    /// each, in its order.
    pub metrics: Vec<Column>,
    /// Revenue of each calendar year (`sum R dt`), one column per year:
    /// kept per path only by a run with `keep_years` (else empty).
    pub revenue: Vec<Column>,
    /// Free cash flow of each calendar year (`sum FCF dt`), as `revenue`.
    pub fcf: Vec<Column>,
    /// Each year's revenue over the paths, summed exactly: mean and sd
    /// with or without `keep_years`, the same whatever the path split.
    #[serde(default)]
    pub revenue_moments: Vec<ExactMoments>,
    /// Each year's FCF over the paths, summed exactly.
    #[serde(default)]
    pub fcf_moments: Vec<ExactMoments>,
}

impl LabPaths {
    /// A per-path metric by output name.
    pub fn metric(&self, name: &str) -> Option<&[f64]> {
        self.metrics
            .iter()
            .find(|c| c.name == name)
            .map(|c| c.values.as_slice())
    }
    /// A per-path metric.
    ///
    /// # Panics
    /// When the metric's column is missing: never for results of a run or
    /// of a results file (checked on load).
    pub fn values(&self, m: LabMetric) -> &[f64] {
        match self.metrics.get(m.index()) {
            Some(c) if c.name == m.name() => &c.values,
            _ => self.metric(m.name()).expect("every lab has every metric"),
        }
    }
    /// The per-path values of a yearly flow (`revenue` or `fcf`) in year
    /// index `y`.
    ///
    /// # Errors
    /// [`Error::Argument`] naming `keep_years` when the run did not keep
    /// yearly values per path, or for another variable or year.
    pub fn year_values(&self, variable: &str, y: usize) -> Result<&[f64]> {
        let cols = match variable {
            "revenue" => &self.revenue,
            "fcf" => &self.fcf,
            _ => {
                return Err(Error::argument(
                    "variable",
                    format!("a yearly flow is revenue or fcf, got {variable:?}"),
                ));
            }
        };
        if cols.is_empty() {
            return Err(keep_years_needed(&format!("per-path {variable} of each year")));
        }
        cols.get(y)
            .map(|c| c.values.as_slice())
            .ok_or_else(|| Error::argument("year", format!("year index {y} is beyond the {} years", cols.len())))
    }
    /// The exact moments of a yearly flow (`revenue` or `fcf`), one per year.
    pub fn year_moments(&self, variable: &str) -> Option<&[ExactMoments]> {
        match variable {
            "revenue" => Some(&self.revenue_moments),
            "fcf" => Some(&self.fcf_moments),
            _ => None,
        }
    }
    /// Whether the lab has a mark: some path has a `phi` (NaN without a mark).
    pub fn has_mark(&self) -> bool {
        self.metric(LabMetric::Phi.name())
            .is_some_and(|v| v.iter().any(|x| !x.is_nan()))
    }
}

/// The error for per-year per-path values (or their quantiles) of a run
/// without `keep_years`.
pub fn keep_years_needed(what: &str) -> Error {
    Error::argument(
        "keep_years",
        format!(
            "{what} needs a run that keeps yearly values per path: run with keep_years \
             (CLI --keep-years, Python keep_years=True); without it a run keeps each year's \
             mean and sd only"
        ),
    )
}

/// A calendar year of the horizon and the fraction of it covered.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Year {
    /// The calendar year.
    pub year: i32,
    /// Fraction of the year inside the horizon, in (0, 1].
    pub fraction: f64,
}

/// Quantile sketches of one series at each quarter end.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SeriesSketches {
    /// Which series.
    #[serde(flatten)]
    pub id: SeriesId,
    /// One sketch per quarter end, in the order of [`Results::quarter_times`].
    pub quarters: Vec<Sketch>,
}

/// The results of a run over paths `[start, end)` of an `paths`-path run.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Results {
    /// The results schema ([`SCHEMA_VERSION`] when written by this build).
    pub schema_version: u32,
    /// The scenario that was run.
    pub scenario: Scenario,
    /// The run's seed.
    pub seed: u64,
    /// `N`, the number of paths of the whole run.
    pub paths: u64,
    /// First path held.
    pub start: u64,
    /// One past the last path held.
    pub end: u64,
    /// Full paths are kept for paths with index below this.
    pub store_paths: u64,
    /// Number of steps `K = H n`.
    pub steps: usize,
    /// Steps per year `n`.
    pub steps_per_year: usize,
    /// The calendar years of the horizon, in order.
    pub years: Vec<Year>,
    /// Whether each lab's yearly revenue and FCF are kept per path
    /// ([`LabPaths::revenue`]); without, only their exact moments are.
    #[serde(default = "kept")]
    pub keep_years: bool,
    /// Calendar time of each quarter end.
    pub quarter_times: Vec<f64>,
    /// Drawn (or tabled) inputs, by field path.
    pub inputs: Vec<Column>,
    /// Per-path outputs of every lab, in scenario order.
    pub labs: Vec<LabPaths>,
    /// Firing time (years after start) of each event; `inf` when it never fired.
    pub events: Vec<Column>,
    /// `PV_savings` per path, USD bn.
    #[serde(with = "file::floats")]
    pub pv_savings: Vec<f64>,
    /// Quantile sketches of every series, in recording order ([`Series::ids`]).
    pub series: Vec<SeriesSketches>,
    /// Full paths `[path][series][k]` for paths `start..min(end, store_paths)`.
    #[serde(with = "file::floats")]
    pub stored: Vec<f64>,
}

fn kept() -> bool {
    true
}

impl Results {
    /// Number of paths held.
    pub fn len(&self) -> usize {
        (self.end - self.start) as usize
    }

    /// Whether no path is held.
    pub fn is_empty(&self) -> bool {
        self.start == self.end
    }

    /// A lab's per-path outputs by id; `None` for an unknown id.
    pub fn lab(&self, id: &str) -> Option<&LabPaths> {
        self.labs.iter().find(|l| l.id == id)
    }

    /// Number of full paths held.
    pub fn stored_count(&self) -> usize {
        self.store_paths.min(self.end).saturating_sub(self.start) as usize
    }

    /// One stored series (`[path][k]`, `steps + 1` values per path).
    pub fn stored_series(&self, id: &SeriesId) -> Option<Vec<f64>> {
        let si = self.series.iter().position(|s| s.id == *id)?;
        let per = self.steps + 1;
        let stride = self.series.len() * per;
        Some(
            (0..self.stored_count())
                .flat_map(|p| {
                    self.stored[p * stride + si * per..p * stride + (si + 1) * per]
                        .iter()
                        .copied()
                })
                .collect(),
        )
    }

    /// Per-path sector fair value: the sum of `E` over closed labs with a mark.
    pub fn sector_fair_value(&self) -> Vec<f64> {
        let mut out = vec![0.0; self.len()];
        for lab in self.sector_labs() {
            for (o, e) in out.iter_mut().zip(lab.values(LabMetric::FairValue)) {
                *o += e;
            }
        }
        out
    }

    /// Per-path sum of the marks of the sector's labs.
    pub fn sector_mark(&self) -> Vec<f64> {
        let mut out = vec![0.0; self.len()];
        for lab in self.sector_labs() {
            for (o, v) in out.iter_mut().zip(self.lab_marks(lab)) {
                *o += v;
            }
        }
        out
    }

    /// A lab's latest mark `V0` on each path: its drawn value where the
    /// mark is uncertain, the fixed mark otherwise (NaN without a mark).
    pub fn lab_marks(&self, lab: &LabPaths) -> Vec<f64> {
        let col = self.inputs.iter().find(|c| c.name == format!("labs.{}.mark", lab.id));
        let fixed = self
            .scenario
            .lab(&lab.id)
            .and_then(|l| l.mark.as_ref())
            .and_then(|m| m.fixed_value());
        match (col, fixed) {
            (Some(c), _) => c.values.clone(),
            (None, Some(v)) => vec![v; self.len()],
            // No mark, or (unreachable for valid results) a drawn mark
            // without its column: recover it from E / phi.
            (None, None) => {
                let fv = lab.values(LabMetric::FairValue);
                let phi = lab.values(LabMetric::Phi);
                fv.iter().zip(phi).map(|(e, p)| e / p).collect()
            }
        }
    }

    /// The series whose sketches collapsed their smallest magnitudes at
    /// some quarter (docs/equations.md §8): their low quantiles are coarse.
    pub fn collapsed_series(&self) -> Vec<&SeriesId> {
        self.series
            .iter()
            .filter(|s| s.quarters.iter().any(Sketch::collapsed))
            .map(|s| &s.id)
            .collect()
    }

    /// Closed labs with a mark.
    pub fn sector_labs(&self) -> impl Iterator<Item = &LabPaths> {
        self.labs
            .iter()
            .filter(|l| l.class == Class::Closed && self.scenario.lab(&l.id).is_some_and(|s| s.mark.is_some()))
    }
}

/// Join the results of split runs of the same scenario, seed and path count,
/// in path order. The result equals the single run over the union bit for bit.
///
/// # Errors
/// [`Error::Argument`] when there is nothing to merge, the parts are of
/// different runs or their ranges do not join up.
///
/// # Examples
/// ```
/// use aibubble::{Scenario, Simulation, merge};
/// let s = Scenario::preset("baseline")?;
/// let a = Simulation::new(&s)?.paths(1_000).range(0, 500).run()?;
/// let b = Simulation::new(&s)?.paths(1_000).range(500, 1_000).run()?;
/// let whole = merge(vec![b, a])?;
/// assert_eq!((whole.start, whole.end), (0, 1_000));
/// # Ok::<(), aibubble::Error>(())
/// ```
pub fn merge(mut parts: Vec<Results>) -> Result<Results> {
    if parts.is_empty() {
        return Err(Error::argument("results", "nothing to merge"));
    }
    parts.sort_by_key(|p| p.start);
    let mut out = parts.remove(0);
    for p in parts {
        if p.scenario != out.scenario || p.seed != out.seed || p.paths != out.paths || p.store_paths != out.store_paths
        {
            return Err(Error::argument(
                "results",
                "parts come from different runs (scenario, seed, paths or store_paths differ)",
            ));
        }
        if p.start != out.end {
            return Err(Error::argument(
                "results",
                format!(
                    "ranges do not join: [{}, {}) then [{}, {})",
                    out.start, out.end, p.start, p.end
                ),
            ));
        }
        if p.keep_years != out.keep_years {
            return Err(Error::argument(
                "results",
                "parts differ in keep_years: some keep yearly values per path and some do not",
            ));
        }
        if p.inputs.iter().map(|c| &c.name).ne(out.inputs.iter().map(|c| &c.name)) {
            return Err(Error::argument("results", "parts have different input columns"));
        }
        let cat = |a: &mut Vec<Column>, b: Vec<Column>| {
            for (x, y) in a.iter_mut().zip(b) {
                x.values.extend(y.values);
            }
        };
        cat(&mut out.inputs, p.inputs);
        for (a, b) in out.labs.iter_mut().zip(p.labs) {
            cat(&mut a.metrics, b.metrics);
            cat(&mut a.revenue, b.revenue);
            cat(&mut a.fcf, b.fcf);
            for (x, y) in a
                .revenue_moments
                .iter_mut()
                .zip(&b.revenue_moments)
                .chain(a.fcf_moments.iter_mut().zip(&b.fcf_moments))
            {
                x.merge(y);
                // Canonical, so that the merge equals the single run bit for bit.
                *x = x.canonical();
            }
        }
        cat(&mut out.events, p.events);
        out.pv_savings.extend(p.pv_savings);
        for (a, b) in out.series.iter_mut().zip(&p.series) {
            for (x, y) in a.quarters.iter_mut().zip(&b.quarters) {
                x.merge(y);
            }
        }
        out.stored.extend(p.stored);
        out.end = p.end;
    }
    Ok(out)
}
