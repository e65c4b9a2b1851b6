//! What a path carries across its steps: per lab the running totals (PV,
//! terminal value, lowest cash and mark ratio, first times), the flows per
//! calendar year, and from them the path's metrics (docs/equations.md §8).

use crate::model::params::LabParams;
use crate::results::LabMetric;
use crate::scenario::MarkBasis;
use crate::valuation;

/// Per-lab running totals of a path.
#[derive(Clone, Copy, Default)]
pub(super) struct LabTrack {
    pub pv: f64,
    pub tv: f64,
    pub min_cash: f64,
    pub first_negative: f64,
    pub pop_time: f64,
    pub crunch_time: f64,
    pub min_ratio: f64,
}

impl LabTrack {
    pub fn start() -> Self {
        LabTrack {
            min_cash: f64::INFINITY,
            first_negative: f64::INFINITY,
            pop_time: f64::INFINITY,
            crunch_time: f64::INFINITY,
            min_ratio: f64::INFINITY,
            ..Default::default()
        }
    }

    /// The lab's metrics at the end of the path; +inf marks a time that
    /// never came, NaN what does not apply (a lab without a mark).
    pub fn metrics(&self, lab: &LabParams) -> [(LabMetric, f64); LabMetric::COUNT] {
        let e = valuation::equity(self.pv, lab.cash_0);
        let (phi, pop, crunch, drawdown) = match lab.mark {
            Some(v0) => (e / v0, self.pop_time, self.crunch_time, 1.0 - self.min_ratio.min(1.0)),
            None => (f64::NAN, f64::NAN, f64::NAN, f64::NAN),
        };
        [
            (LabMetric::FairValue, e),
            (LabMetric::Phi, phi),
            (LabMetric::Pv, self.pv),
            (
                LabMetric::TvShare,
                if self.pv > 0.0 { self.tv / self.pv } else { f64::NAN },
            ),
            (LabMetric::PopTime, pop),
            (LabMetric::CrunchTime, crunch),
            (LabMetric::Drawdown, drawdown),
            (LabMetric::FundingNeed, (-self.min_cash).max(0.0)),
            (LabMetric::FirstNegativeCash, self.first_negative),
        ]
    }
}

/// A path's revenue and FCF per lab and calendar year, `[lab * years + y]`:
/// the sums of `x dt` over the periods of the year.
pub(super) struct YearFlows {
    pub years: usize,
    pub revenue: Vec<f64>,
    pub fcf: Vec<f64>,
}

impl YearFlows {
    pub fn new(labs: usize, years: usize) -> Self {
        YearFlows {
            years,
            revenue: vec![0.0; labs * years],
            fcf: vec![0.0; labs * years],
        }
    }
    pub fn reset(&mut self) {
        self.revenue.fill(0.0);
        self.fcf.fill(0.0);
    }
    /// Add lab `i`'s flows of one period of year `y`.
    #[inline]
    pub fn add(&mut self, i: usize, y: usize, revenue: f64, fcf: f64) {
        self.revenue[i * self.years + y] += revenue;
        self.fcf[i * self.years + y] += fcf;
    }
}

/// The mark's basis `B`: revenue, or revenue times the gross margin.
#[inline]
pub(super) fn basis(kind: MarkBasis, revenue: f64, gross_margin: f64) -> f64 {
    match kind {
        MarkBasis::Revenue => revenue,
        MarkBasis::GrossProfit => revenue * gross_margin,
    }
}
