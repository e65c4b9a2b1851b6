//! The summary of a run (MODEL section 8): per-lab and sector statistics,
//! the JSON printed by `aibubble run --json` and the tables of Python's
//! `Result.summary()`. Non-finite numbers serialise as JSON `null`.

use serde::{Deserialize, Serialize};

use crate::results::{LabPaths, Results};
use crate::scenario::Class;
use crate::stats::{self, Prob};

/// Moments and quantiles of a per-path metric.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Stats {
    pub mean: f64,
    pub sd: f64,
    pub se: f64,
    pub p5: f64,
    pub p25: f64,
    pub p50: f64,
    pub p75: f64,
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
}

/// Statistics of `phi = E / V0`, with tail probabilities and CVaR.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct PhiStats {
    #[serde(flatten)]
    pub stats: Stats,
    pub p_below_1: f64,
    pub p_below_1_se: f64,
    pub p_below_half: f64,
    pub p_below_half_se: f64,
    /// Mean of the `ceil(0.05 N)` smallest values.
    pub cvar5: f64,
}

impl PhiStats {
    pub fn of(xs: &[f64]) -> PhiStats {
        let below1 = stats::prob_below(xs, 1.0);
        let below_half = stats::prob_below(xs, 0.5);
        PhiStats {
            stats: Stats::of(xs),
            p_below_1: below1.p,
            p_below_1_se: below1.se,
            p_below_half: below_half.p,
            p_below_half_se: below_half.se,
            cvar5: stats::cvar5_sorted(&stats::sorted(xs)),
        }
    }
}

/// A probability by the end of a calendar year.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct YearProb {
    pub year: i32,
    pub p: f64,
    pub p_se: f64,
}

/// Statistics of a calendar year's revenue or FCF.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct YearStats {
    pub year: i32,
    /// Fraction of the year inside the horizon.
    pub fraction: f64,
    #[serde(flatten)]
    pub stats: Stats,
}

/// One lab's summary.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LabSummary {
    pub id: String,
    pub name: String,
    pub class: Class,
    /// The latest mark `V0` (its median when uncertain); null without one.
    pub mark: Option<f64>,
    pub fair_value: Stats,
    pub phi: Option<PhiStats>,
    pub p_pop: Option<f64>,
    pub p_pop_se: Option<f64>,
    pub p_cash_negative: f64,
    pub p_cash_negative_se: f64,
    pub pop_by_year: Option<Vec<YearProb>>,
    pub drawdown: Option<Stats>,
    pub funding_need: Stats,
    pub pv: Stats,
    pub tv_share: Stats,
    pub revenue: Vec<YearStats>,
    pub fcf: Vec<YearStats>,
}

/// The closed labs with a mark, together.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SectorSummary {
    pub labs: Vec<String>,
    /// Sum of the labs' marks (medians when uncertain).
    pub mark: f64,
    pub fair_value: Stats,
    /// Sum of fair values over sum of marks, per path.
    pub phi: PhiStats,
}

/// One event's firing statistics.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EventSummary {
    pub id: String,
    pub name: String,
    pub p_fired: f64,
    pub p_fired_se: f64,
    pub by_year: Vec<YearProb>,
}

/// Everything `aibubble run --json` prints.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    pub schema_version: u32,
    pub scenario: String,
    /// Paths summarised.
    pub paths: u64,
    pub seed: u64,
    pub start_year: f64,
    pub labs: Vec<LabSummary>,
    pub sector: SectorSummary,
    pub events: Vec<EventSummary>,
    pub pv_savings: Stats,
    /// Series whose quantile sketches collapsed their smallest magnitudes
    /// (values over more than about 17 orders of magnitude): their low
    /// quantiles are coarse. Usually empty.
    pub collapsed_series: Vec<String>,
}

impl Summary {
    pub fn lab(&self, id: &str) -> Option<&LabSummary> {
        self.labs.iter().find(|l| l.id == id)
    }

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
    let metric = |m: &str| lab.metric(m).expect("every lab has every metric");
    let spec = r.scenario.lab(&lab.id).expect("lab of the scenario");
    let mark = spec.mark.as_ref().map(|m| m.central());
    let years = |cols: &[crate::results::Column]| {
        cols.iter()
            .zip(&r.years)
            .map(|(c, y)| YearStats {
                year: y.year,
                fraction: y.fraction,
                stats: Stats::of(&c.values),
            })
            .collect()
    };
    let pop = metric("pop_time");
    let p_pop = mark.map(|_| Prob::from_count(pop.iter().filter(|t| t.is_finite()).count(), pop.len()));
    let neg = Prob::from_count(
        metric("first_negative_cash").iter().filter(|t| t.is_finite()).count(),
        r.len(),
    );
    LabSummary {
        id: lab.id.clone(),
        name: lab.name.clone(),
        class: lab.class,
        mark,
        fair_value: Stats::of(metric("fair_value")),
        phi: mark.map(|_| PhiStats::of(metric("phi"))),
        p_pop: p_pop.map(|p| p.p),
        p_pop_se: p_pop.map(|p| p.se),
        p_cash_negative: neg.p,
        p_cash_negative_se: neg.se,
        pop_by_year: mark.map(|_| by_year(r, pop)),
        drawdown: mark.map(|_| Stats::of(metric("drawdown"))),
        funding_need: Stats::of(metric("funding_need")),
        pv: Stats::of(metric("pv")),
        tv_share: Stats::of(metric("tv_share")),
        revenue: years(&lab.revenue),
        fcf: years(&lab.fcf),
    }
}

impl Results {
    /// Statistics of every lab, the sector and the events.
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
