//! The summary of a run (docs/equations.md §8): per-lab and sector statistics,
//! the JSON printed by `aibubble run --json` and the tables of Python's
//! `Result.summary()`. Non-finite numbers serialise as JSON `null`.

use serde::{Deserialize, Serialize};

use crate::results::{LabMetric, LabPaths, Results};
use crate::scenario::Class;
use crate::stats::{self, Prob};

/// Moments and quantiles of a per-path metric, over the paths that define
/// it (finite values; NaN marks "does not apply", such as `tv_share` where
/// PV <= 0). Over no defined path every figure is undefined: NaN here, `null`
/// in the JSON, with `n = 0` saying why.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Stats {
    /// The paths that define the statistic (finite values).
    pub n: u64,
    /// Mean over paths (sums in path order).
    pub mean: f64,
    /// Standard deviation (N - 1).
    pub sd: f64,
    /// Standard error of the mean, `sd / sqrt(N)`.
    pub se: f64,
    /// 5th percentile (type 7, numpy's default).
    pub p5: f64,
    /// 25th percentile.
    pub p25: f64,
    /// Median.
    pub p50: f64,
    /// 75th percentile.
    pub p75: f64,
    /// 95th percentile.
    pub p95: f64,
}

impl Stats {
    /// Statistics of the finite values (NaN marks "does not apply").
    pub fn of(xs: &[f64]) -> Stats {
        let finite: Vec<f64> = xs.iter().copied().filter(|x| x.is_finite()).collect();
        let m = stats::moments(&finite);
        let s = stats::sorted(&finite);
        let q = |p| stats::quantile_sorted(&s, p);
        Stats {
            n: finite.len() as u64,
            mean: m.mean,
            sd: m.sd,
            se: m.se,
            p5: q(0.05),
            p25: q(0.25),
            p50: q(0.5),
            p75: q(0.75),
            p95: q(0.95),
        }
    }

    /// Whether any path defines the statistic (`n > 0`).
    pub fn is_defined(&self) -> bool {
        self.n > 0
    }
}

/// Statistics of `phi = E / V0`, with tail probabilities and CVaR.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct PhiStats {
    /// Moments and quantiles of phi.
    #[serde(flatten)]
    pub stats: Stats,
    /// P(phi < 1): fair value below the mark.
    pub p_below_1: f64,
    /// Its standard error.
    pub p_below_1_se: f64,
    /// P(phi < 0.5): fair value below half the mark.
    pub p_below_half: f64,
    /// Its standard error.
    pub p_below_half_se: f64,
    /// Mean of the `ceil(0.05 N)` smallest values.
    pub cvar5: f64,
}

impl PhiStats {
    /// Statistics of per-path phi values, over the paths that define phi
    /// (finite values); every figure is undefined when none does.
    pub fn of(xs: &[f64]) -> PhiStats {
        let finite: Vec<f64> = xs.iter().copied().filter(|x| x.is_finite()).collect();
        let below1 = stats::prob_below(&finite, 1.0);
        let below_half = stats::prob_below(&finite, 0.5);
        PhiStats {
            stats: Stats::of(&finite),
            p_below_1: below1.p,
            p_below_1_se: below1.se,
            p_below_half: below_half.p,
            p_below_half_se: below_half.se,
            cvar5: stats::cvar5_sorted(&stats::sorted(&finite)),
        }
    }
}

/// A probability by the end of a calendar year.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct YearProb {
    /// The calendar year.
    pub year: i32,
    /// The probability by the end of it.
    pub p: f64,
    /// Its standard error.
    pub p_se: f64,
}

/// Statistics of a calendar year's revenue or FCF over the paths: the
/// moments of every run, the quantiles of a run with `keep_years`.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct YearStats {
    /// The calendar year.
    pub year: i32,
    /// Fraction of the year inside the horizon.
    pub fraction: f64,
    /// Paths.
    pub n: u64,
    /// Mean over paths.
    pub mean: f64,
    /// Standard deviation (N - 1).
    pub sd: f64,
    /// Standard error of the mean, `sd / sqrt(N)`.
    pub se: f64,
    /// Quantiles (`p5` ... `p95` in the JSON): only with `keep_years`.
    #[serde(flatten)]
    pub quantiles: Option<Quantiles>,
}

/// The quantiles of [`Stats`], type 7.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Quantiles {
    /// 5th percentile.
    pub p5: f64,
    /// 25th percentile.
    pub p25: f64,
    /// Median.
    pub p50: f64,
    /// 75th percentile.
    pub p75: f64,
    /// 95th percentile.
    pub p95: f64,
}

impl YearStats {
    /// The year's quantiles.
    ///
    /// # Errors
    /// [`Error::Argument`](crate::Error::Argument) naming `keep_years` for
    /// a run without it (its years have moments only).
    pub fn quantiles(&self) -> crate::error::Result<Quantiles> {
        self.quantiles
            .ok_or_else(|| crate::results::keep_years_needed("a quantile of a year's revenue or FCF"))
    }
}

/// One lab's summary.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LabSummary {
    /// The lab's id.
    pub id: String,
    /// Its display name.
    pub name: String,
    /// Closed or open.
    pub class: Class,
    /// The latest mark `V0` (its median when uncertain); null without one.
    pub mark: Option<f64>,
    /// The mark over paths (the values phi divides by), when the lab has one.
    pub mark_distribution: Option<Stats>,
    /// Fair value `E = max(0, PV + cash_0)`, USD bn.
    pub fair_value: Stats,
    /// `phi = E / V0`; null without a mark.
    pub phi: Option<PhiStats>,
    /// P(bubble pop within the horizon); null without a mark.
    pub p_pop: Option<f64>,
    /// Its standard error.
    pub p_pop_se: Option<f64>,
    /// P(fair value = 0): the paths where limited liability binds.
    pub p_zero: f64,
    /// Its standard error.
    pub p_zero_se: f64,
    /// P(funding crunch within the horizon): a quarter end with cash below 0
    /// and the mark below the pop threshold; null without a mark.
    pub p_crunch: Option<f64>,
    /// Its standard error.
    pub p_crunch_se: Option<f64>,
    /// P(crunch by the end of each calendar year); null without a mark.
    pub crunch_by_year: Option<Vec<YearProb>>,
    /// P(cash ever below 0).
    pub p_cash_negative: f64,
    /// Its standard error.
    pub p_cash_negative_se: f64,
    /// P(pop by the end of each calendar year); null without a mark.
    pub pop_by_year: Option<Vec<YearProb>>,
    /// Drawdown of the market mark from the latest mark; null without a mark.
    pub drawdown: Option<Stats>,
    /// Funding need, `-min(0, min_k Cash)`, USD bn.
    pub funding_need: Stats,
    /// Present value of the cash flows and terminal value, USD bn.
    pub pv: Stats,
    /// Terminal value's share of PV (paths with PV > 0).
    pub tv_share: Stats,
    /// Revenue of each calendar year (`sum R dt`), USD bn.
    pub revenue: Vec<YearStats>,
    /// Free cash flow of each calendar year, USD bn.
    pub fcf: Vec<YearStats>,
}

/// The closed labs with a mark, together.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SectorSummary {
    /// The closed labs with a mark, by id.
    pub labs: Vec<String>,
    /// Sum of the labs' marks (medians when uncertain).
    pub mark: f64,
    /// The per-path sum of the labs' marks (the values sector phi divides by).
    pub mark_distribution: Stats,
    /// Per-path sum of the labs' fair values.
    pub fair_value: Stats,
    /// Sum of fair values over sum of marks, per path.
    pub phi: PhiStats,
}

/// One event's firing statistics.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EventSummary {
    /// The event's id.
    pub id: String,
    /// Its display name.
    pub name: String,
    /// P(it fires within the horizon).
    pub p_fired: f64,
    /// Its standard error.
    pub p_fired_se: f64,
    /// P(it has fired by the end of each calendar year).
    pub by_year: Vec<YearProb>,
}

/// Everything `aibubble run --json` prints.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    /// The results schema this summary belongs to.
    pub schema_version: u32,
    /// The scenario's name.
    pub scenario: String,
    /// Paths summarised.
    pub paths: u64,
    /// The run's seed.
    pub seed: u64,
    /// The valuation date.
    pub start_year: f64,
    /// Every lab, in scenario order.
    pub labs: Vec<LabSummary>,
    /// The closed labs with a mark, together.
    pub sector: SectorSummary,
    /// Every event, in scenario order.
    pub events: Vec<EventSummary>,
    /// Present value of the savings moved to users, USD bn.
    pub pv_savings: Stats,
    /// Series whose quantile sketches collapsed their smallest magnitudes
    /// (values over more than about 17 orders of magnitude): their low
    /// quantiles are coarse. Usually empty.
    pub collapsed_series: Vec<String>,
}

impl Summary {
    /// A lab's summary by id; `None` for an unknown id.
    ///
    /// # Examples
    /// ```
    /// use aibubble::{Scenario, Simulation};
    /// let results = Simulation::new(&Scenario::preset("baseline")?)?.paths(1_000).run()?;
    /// let openai = results.summary().lab("openai").cloned().expect("a lab of baseline");
    /// assert!(openai.fair_value.p50 >= 0.0);
    /// # Ok::<(), aibubble::Error>(())
    /// ```
    pub fn lab(&self, id: &str) -> Option<&LabSummary> {
        self.labs.iter().find(|l| l.id == id)
    }

    /// The JSON of `aibubble run --json` (non-finite numbers as `null`).
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).expect("summaries serialise")
    }
}

/// P(time <= end of year Y) for each year of the horizon: `start_year + t <= Y + 1 + 1e-9`.
fn by_year(r: &Results, times: &[f64]) -> Vec<YearProb> {
    r.years
        .iter()
        .map(|y| {
            let limit = f64::from(y.year) + 1.0 + 1e-9 - r.scenario.start_year();
            let p = Prob::from_count(times.iter().filter(|t| **t <= limit).count(), times.len());
            YearProb {
                year: y.year,
                p: p.p,
                p_se: p.se,
            }
        })
        .collect()
}

fn lab_summary(r: &Results, lab: &LabPaths) -> LabSummary {
    let metric = |m: LabMetric| lab.values(m);
    let spec = r.scenario.lab(&lab.id).expect("lab of the scenario");
    let mark = spec.mark.as_ref().map(|m| m.central());
    // With keep_years, the statistics of the columns (as before the
    // option); without, the moments of the exact sums (equal to 1e-12).
    let years = |cols: &[crate::results::Column], moments: &[crate::stats::ExactMoments]| {
        r.years
            .iter()
            .enumerate()
            .map(|(i, y)| match cols.get(i) {
                Some(c) => {
                    let s = Stats::of(&c.values);
                    YearStats {
                        year: y.year,
                        fraction: y.fraction,
                        n: s.n,
                        mean: s.mean,
                        sd: s.sd,
                        se: s.se,
                        quantiles: Some(Quantiles {
                            p5: s.p5,
                            p25: s.p25,
                            p50: s.p50,
                            p75: s.p75,
                            p95: s.p95,
                        }),
                    }
                }
                None => {
                    let m = moments.get(i).cloned().unwrap_or_default();
                    YearStats {
                        year: y.year,
                        fraction: y.fraction,
                        n: m.n,
                        mean: m.mean(),
                        sd: m.sd(),
                        se: m.se(),
                        quantiles: None,
                    }
                }
            })
            .collect()
    };
    let pop = metric(LabMetric::PopTime);
    let p_pop = mark.map(|_| Prob::from_count(pop.iter().filter(|t| t.is_finite()).count(), pop.len()));
    let neg = Prob::from_count(
        metric(LabMetric::FirstNegativeCash)
            .iter()
            .filter(|t| t.is_finite())
            .count(),
        r.len(),
    );
    let crunch = metric(LabMetric::CrunchTime);
    let p_crunch = mark.map(|_| Prob::from_count(crunch.iter().filter(|t| t.is_finite()).count(), crunch.len()));
    let fair_value = metric(LabMetric::FairValue);
    let zero = Prob::from_count(fair_value.iter().filter(|e| **e == 0.0).count(), fair_value.len());
    LabSummary {
        id: lab.id.clone(),
        name: lab.name.clone(),
        class: lab.class,
        mark,
        mark_distribution: mark.map(|_| Stats::of(&r.lab_marks(lab))),
        fair_value: Stats::of(fair_value),
        phi: mark.map(|_| PhiStats::of(metric(LabMetric::Phi))),
        p_pop: p_pop.map(|p| p.p),
        p_pop_se: p_pop.map(|p| p.se),
        p_zero: zero.p,
        p_zero_se: zero.se,
        p_crunch: p_crunch.map(|p| p.p),
        p_crunch_se: p_crunch.map(|p| p.se),
        crunch_by_year: mark.map(|_| by_year(r, crunch)),
        p_cash_negative: neg.p,
        p_cash_negative_se: neg.se,
        pop_by_year: mark.map(|_| by_year(r, pop)),
        drawdown: mark.map(|_| Stats::of(metric(LabMetric::Drawdown))),
        funding_need: Stats::of(metric(LabMetric::FundingNeed)),
        pv: Stats::of(metric(LabMetric::Pv)),
        tv_share: Stats::of(metric(LabMetric::TvShare)),
        revenue: years(&lab.revenue, &lab.revenue_moments),
        fcf: years(&lab.fcf, &lab.fcf_moments),
    }
}

impl Results {
    /// Statistics of every lab, the sector and the events.
    ///
    /// # Examples
    /// ```
    /// use aibubble::{Scenario, Simulation};
    /// let results = Simulation::new(&Scenario::preset("baseline")?)?.paths(1_000).run()?;
    /// let summary = results.summary();
    /// assert_eq!(summary.paths, 1_000);
    /// assert_eq!(summary.labs.len(), results.labs.len());
    /// # Ok::<(), aibubble::Error>(())
    /// ```
    pub fn summary(&self) -> Summary {
        let labs: Vec<LabSummary> = self.labs.iter().map(|l| lab_summary(self, l)).collect();
        let fv = self.sector_fair_value();
        let marks = self.sector_mark();
        let phi: Vec<f64> = fv
            .iter()
            .zip(&marks)
            .map(|(e, m)| if *m > 0.0 { e / m } else { f64::NAN })
            .collect();
        let sector_ids: Vec<String> = self.sector_labs().map(|l| l.id.clone()).collect();
        let sector = SectorSummary {
            mark: labs
                .iter()
                .filter(|l| sector_ids.contains(&l.id))
                .filter_map(|l| l.mark)
                .sum(),
            labs: sector_ids,
            mark_distribution: Stats::of(&marks),
            fair_value: Stats::of(&fv),
            phi: PhiStats::of(&phi),
        };
        let events = self
            .events
            .iter()
            .zip(&self.scenario.events)
            .map(|(c, e)| {
                let p = Prob::from_count(c.values.iter().filter(|t| t.is_finite()).count(), c.values.len());
                EventSummary {
                    id: e.id.clone(),
                    name: e.name.clone(),
                    p_fired: p.p,
                    p_fired_se: p.se,
                    by_year: by_year(self, &c.values),
                }
            })
            .collect();
        Summary {
            schema_version: crate::results::SCHEMA_VERSION,
            scenario: self.scenario.name.clone(),
            paths: self.len() as u64,
            seed: self.seed,
            start_year: self.scenario.start_year(),
            labs,
            sector,
            events,
            pv_savings: Stats::of(&self.pv_savings),
            collapsed_series: self.collapsed_series().iter().map(|s| s.to_string()).collect(),
        }
    }
}
