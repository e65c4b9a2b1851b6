//! The outputs' vocabulary, declared once: every per-path lab metric
//! ([`LabMetric`]) and every recorded series ([`Series`]), each with its
//! output name (docs/equations.md §10), its unit, a short label for axes and
//! its meaning. The engine writes, results and summaries read, and Python
//! labels its plots through these, and how each series' quantiles are
//! sketched ([`Series::scale`]).

use crate::stats::Scale;

/// What a recorded series is kept for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Per {
    /// One series for the run.
    Run,
    /// One per segment.
    Segment,
    /// One per lab.
    Lab,
    /// One per lab with a mark.
    MarkedLab,
}

impl Per {
    /// `run`, `segment`, `lab` or `marked_lab`.
    pub const fn name(self) -> &'static str {
        match self {
            Per::Run => "run",
            Per::Segment => "segment",
            Per::Lab => "lab",
            Per::MarkedLab => "marked_lab",
        }
    }
}

/// A per-lab metric kept for every path (docs/equations.md §8). The order
/// of [`LabMetric::ALL`] (the discriminants) is the one layout of a lab's
/// metrics: the engine writes them in it, results hold them in it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum LabMetric {
    /// `fair_value`: the fair value of equity `E`, USD bn.
    FairValue,
    /// `phi`: fair value over the latest mark.
    Phi,
    /// `pv`: the present value `PV` of cash flows, USD bn.
    Pv,
    /// `tv_share`: the terminal value's share of `PV`.
    TvShare,
    /// `pop_time`: when the bubble popped, years after the start.
    PopTime,
    /// `crunch_time`: when the funding crunch came, years after the start.
    CrunchTime,
    /// `drawdown`: the largest fall of the mark below the latest mark.
    Drawdown,
    /// `funding_need`: the most negative cash balance, USD bn.
    FundingNeed,
    /// `first_negative_cash`: when cash first fell below 0, years after the start.
    FirstNegativeCash,
}

impl LabMetric {
    /// Number of metrics.
    pub const COUNT: usize = 9;

    /// Every metric, in layout order.
    pub const ALL: [LabMetric; LabMetric::COUNT] = [
        LabMetric::FairValue,
        LabMetric::Phi,
        LabMetric::Pv,
        LabMetric::TvShare,
        LabMetric::PopTime,
        LabMetric::CrunchTime,
        LabMetric::Drawdown,
        LabMetric::FundingNeed,
        LabMetric::FirstNegativeCash,
    ];

    /// The metric's place among a lab's metrics.
    pub const fn index(self) -> usize {
        self as usize
    }

    /// The output name (docs/equations.md §10).
    pub const fn name(self) -> &'static str {
        match self {
            LabMetric::FairValue => "fair_value",
            LabMetric::Phi => "phi",
            LabMetric::Pv => "pv",
            LabMetric::TvShare => "tv_share",
            LabMetric::PopTime => "pop_time",
            LabMetric::CrunchTime => "crunch_time",
            LabMetric::Drawdown => "drawdown",
            LabMetric::FundingNeed => "funding_need",
            LabMetric::FirstNegativeCash => "first_negative_cash",
        }
    }

    /// The metric of an output name; `None` for any other name.
    pub fn from_name(name: &str) -> Option<LabMetric> {
        LabMetric::ALL.into_iter().find(|m| m.name() == name)
    }

    /// The unit of its values.
    pub const fn unit(self) -> &'static str {
        match self {
            LabMetric::FairValue | LabMetric::Pv | LabMetric::FundingNeed => "USD bn",
            LabMetric::Phi => "ratio",
            LabMetric::TvShare | LabMetric::Drawdown => "fraction",
            LabMetric::PopTime | LabMetric::CrunchTime | LabMetric::FirstNegativeCash => "years after the start",
        }
    }

    /// A short label, for an axis (the unit apart).
    pub const fn label(self) -> &'static str {
        match self {
            LabMetric::FairValue => "fair value E",
            LabMetric::Phi => "fair value / latest mark, phi",
            LabMetric::Pv => "present value of cash flows",
            LabMetric::TvShare => "terminal value's share of PV",
            LabMetric::PopTime => "bubble pop",
            LabMetric::CrunchTime => "funding crunch",
            LabMetric::Drawdown => "largest fall of the mark",
            LabMetric::FundingNeed => "funding need",
            LabMetric::FirstNegativeCash => "cash first below 0",
        }
    }

    /// What it means, and what it is where it does not apply.
    pub const fn meaning(self) -> &'static str {
        match self {
            LabMetric::FairValue => "fair value of equity, E = max(0, PV + cash today)",
            LabMetric::Phi => "E over the latest mark V0; NaN for a lab without a mark",
            LabMetric::Pv => "present value of free cash flows over the horizon, terminal value included",
            LabMetric::TvShare => "the terminal value's share of PV; NaN where PV <= 0",
            LabMetric::PopTime => {
                "first quarter end with the mark below pop_threshold times V0; inf if never, \
                 NaN for a lab without a mark"
            }
            LabMetric::CrunchTime => {
                "first quarter end with cash below 0 and the mark below pop_threshold times V0; \
                 inf if never, NaN for a lab without a mark"
            }
            LabMetric::Drawdown => "1 - min(1, lowest quarter-end mark / V0); NaN for a lab without a mark",
            LabMetric::FundingNeed => "-min(0, lowest cash balance over every step)",
            LabMetric::FirstNegativeCash => "first step with cash below 0; inf if never",
        }
    }
}

/// Per-lab metrics kept for every path: the names of [`LabMetric::ALL`], in
/// its order.
pub const LAB_METRICS: [&str; LabMetric::COUNT] = {
    let mut out = [""; LabMetric::COUNT];
    let mut i = 0;
    while i < LabMetric::COUNT {
        out[i] = LabMetric::ALL[i].name();
        i += 1;
    }
    out
};

/// The time series recorded at quarter ends (docs/equations.md §8). The order
/// of [`Series::ALL`] is the one layout of the recorded observations: the
/// engine writes them in it, results and Python read them in it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Series {
    /// `gap`: the performance gap `G`, months.
    Gap,
    /// `closed_share`: closed share of usage (tokens) `u_s`, per segment.
    ClosedShare,
    /// `closed_price`: the closed price `P^c` after competition (1 at `t = 0`).
    ClosedPrice,
    /// `price_ratio`: the open-to-closed price ratio `rho`, after competition.
    PriceRatio,
    /// `price_pressure`: the price pressure `y`, log points off the closed price.
    PricePressure,
    /// `spend`: total spend `sum_s S_s`, USD bn per year.
    Spend,
    /// `closed_spend_share`: the closed share of spend `sum_s C_s / sum_s S_s`.
    ClosedSpendShare,
    /// `revenue`: revenue `R_i`, USD bn per year, per lab.
    Revenue,
    /// `gross_margin`: the gross margin `gm_i` after competition, per lab.
    GrossMargin,
    /// `market_value`: the market mark `V_i`, USD bn, per lab with a mark.
    MarketValue,
    /// `cash`: cash `Cash_i`, USD bn, per lab.
    Cash,
    /// `savings`: value moved to users by today's open usage, USD bn per year.
    Savings,
    /// `potential`: savings if all closed usage moved to open models, USD bn per year.
    Potential,
}

impl Series {
    /// Every series, in recording order.
    pub const ALL: [Series; 13] = [
        Series::Gap,
        Series::ClosedShare,
        Series::ClosedPrice,
        Series::PriceRatio,
        Series::PricePressure,
        Series::Spend,
        Series::ClosedSpendShare,
        Series::Revenue,
        Series::GrossMargin,
        Series::MarketValue,
        Series::Cash,
        Series::Savings,
        Series::Potential,
    ];

    /// The output name (docs/equations.md §10).
    pub const fn name(self) -> &'static str {
        match self {
            Series::Gap => "gap",
            Series::ClosedShare => "closed_share",
            Series::ClosedPrice => "closed_price",
            Series::PriceRatio => "price_ratio",
            Series::PricePressure => "price_pressure",
            Series::Spend => "spend",
            Series::ClosedSpendShare => "closed_spend_share",
            Series::Revenue => "revenue",
            Series::GrossMargin => "gross_margin",
            Series::MarketValue => "market_value",
            Series::Cash => "cash",
            Series::Savings => "savings",
            Series::Potential => "potential",
        }
    }

    /// The series of an output name; `None` for any other name.
    pub fn from_name(name: &str) -> Option<Series> {
        Series::ALL.into_iter().find(|s| s.name() == name)
    }

    /// How its quantiles are sketched (docs/equations.md §8): with absolute
    /// accuracy on a bounded range where the series is a share or a margin,
    /// whose fans are read in percentage points, else with relative accuracy.
    ///
    /// - `closed_share`, `closed_spend_share`: shares, in `[0, 1]` by
    ///   construction (a logistic of the usage state; `C / S` with `0 <= C
    ///   <= S`): [`Scale::SHARE`].
    /// - `gross_margin`: at most 1 (`gm = gmr - kappa (1 - gmr) expm1(y)`
    ///   with `gmr <= 1` for `gm_0, gm_inf <= 1`), below 0 in a price war,
    ///   and below -1 only in one deep enough that percentage points no
    ///   longer matter: [`Scale::MARGIN`]. Values outside `[-1, 1]` (an
    ///   event can set `gm_inf` anywhere) keep relative accuracy.
    /// - `price_ratio`: not bounded (`rho <= max(1, rt)`, and `ln rt` is a
    ///   random walk with drift), and it moves in proportion to itself
    ///   towards 0, where an absolute bucket would be coarse: relative.
    /// - `price_pressure`: log points, bounded only by `-y_up` below and a
    ///   cap that grows as `rt` falls: relative, finer than absolute near 0.
    /// - `gap` (months), `closed_price` (an index), `spend`, `revenue`,
    ///   `market_value`, `cash`, `savings`, `potential` (USD): unbounded
    ///   levels that move in proportion to themselves: relative.
    pub const fn scale(self) -> Scale {
        match self {
            Series::ClosedShare | Series::ClosedSpendShare => Scale::SHARE,
            Series::GrossMargin => Scale::MARGIN,
            _ => Scale::RELATIVE,
        }
    }

    /// Its sketch's accuracy in words, for people.
    pub const fn accuracy(self) -> &'static str {
        match self.scale().range() {
            None => "within 1% of the value",
            Some(_) => "within 0.00049 (0.049 percentage points) of numpy's quantile",
        }
    }

    /// Whether the series is per run, segment, lab or marked lab.
    pub const fn per(self) -> Per {
        match self {
            Series::ClosedShare => Per::Segment,
            Series::Revenue | Series::GrossMargin | Series::Cash => Per::Lab,
            Series::MarketValue => Per::MarkedLab,
            _ => Per::Run,
        }
    }

    /// The unit of its values.
    pub const fn unit(self) -> &'static str {
        match self {
            Series::Gap => "months",
            Series::ClosedShare | Series::ClosedSpendShare | Series::GrossMargin => "fraction",
            Series::ClosedPrice => "index, 1 at the start",
            Series::PriceRatio => "ratio",
            Series::PricePressure => "log points",
            Series::Spend | Series::Revenue | Series::Savings | Series::Potential => "USD bn/year",
            Series::MarketValue | Series::Cash => "USD bn",
        }
    }

    /// A short label, for an axis (the unit apart).
    pub const fn label(self) -> &'static str {
        match self {
            Series::Gap => "gap behind the closed frontier",
            Series::ClosedShare => "closed share of usage",
            Series::ClosedPrice => "closed price after competition",
            Series::PriceRatio => "open / closed price",
            Series::PricePressure => "price pressure y off the closed price",
            Series::Spend => "total spend",
            Series::ClosedSpendShare => "closed share of spend",
            Series::Revenue => "revenue",
            Series::GrossMargin => "gross margin",
            Series::MarketValue => "market mark",
            Series::Cash => "cash",
            Series::Savings => "value moved to users",
            Series::Potential => "potential savings",
        }
    }

    /// What it means.
    pub const fn meaning(self) -> &'static str {
        match self {
            Series::Gap => "the performance gap G: how far the open frontier trails the closed one",
            Series::ClosedShare => "closed models' share of usage (tokens) in a segment",
            Series::ClosedPrice => "the closed price P^c after competition",
            Series::PriceRatio => "the open-to-closed price ratio rho, after competition",
            Series::PricePressure => "the price pressure y on the closed price",
            Series::Spend => "total spend on models, over every segment",
            Series::ClosedSpendShare => "closed models' share of total spend",
            Series::Revenue => "a lab's revenue R",
            Series::GrossMargin => "a lab's gross margin after competition",
            Series::MarketValue => "a lab's market mark V",
            Series::Cash => "a lab's cash balance",
            Series::Savings => "value moved to users by today's open usage",
            Series::Potential => "savings if all closed usage moved to open models",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn metrics_sit_at_their_index_and_names_are_unique() {
        for (i, m) in LabMetric::ALL.into_iter().enumerate() {
            assert_eq!(m.index(), i, "{m:?}");
            assert_eq!(LAB_METRICS[i], m.name());
            assert_eq!(LabMetric::from_name(m.name()), Some(m));
        }
        assert_eq!(LabMetric::from_name("revenue"), None);
        let mut names: Vec<&str> = LAB_METRICS.into_iter().chain(Series::ALL.map(Series::name)).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), LabMetric::COUNT + Series::ALL.len());
    }

    /// Shares and margins are sketched on a bounded range, with an absolute
    /// accuracy of at most 0.1 percentage point; levels with relative accuracy.
    #[test]
    fn shares_and_margins_are_sketched_with_absolute_accuracy() {
        for s in Series::ALL {
            let bounded = matches!(s.unit(), "fraction");
            assert_eq!(s.scale().range().is_some(), bounded, "{s:?}");
            if bounded {
                assert!(s.scale().accuracy() <= 0.001, "{s:?}");
            }
            assert_eq!(Series::from_name(s.name()), Some(s));
        }
        assert_eq!(Series::from_name("phi"), None);
    }

    #[test]
    fn every_output_has_a_unit_label_and_meaning() {
        let metrics = LabMetric::ALL.map(|m| (m.name(), m.unit(), m.label(), m.meaning()));
        let series = Series::ALL.map(|s| (s.name(), s.unit(), s.label(), s.meaning()));
        for (name, unit, label, meaning) in metrics.into_iter().chain(series) {
            assert!(!unit.is_empty() && !label.is_empty() && !meaning.is_empty(), "{name}");
        }
    }
}
