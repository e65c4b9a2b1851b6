//! Serde types for everything in docs/equations.md, each section declared once with
//! [`section!`](super::inputs): field names are the last part of the field
//! paths of docs/equations.md §10; unknown keys are errors. Scalar inputs are
//! `Option`s: `None` is an input the file leaves out (its default, if it has
//! one, comes from the declaration).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

pub use crate::dist::Uncertain;

use super::inputs::{Domain, default_of, section};

section! {
    /// A complete scenario: the inputs of one model run.
    pub struct Scenario => RunParams {
        plain
        /// Short name (the preset name for presets).
        pub name: String,
        plain
        /// What the scenario says, in a sentence or two (may be empty).
        #[serde(default, skip_serializing_if = "String::is_empty")]
        pub description: String,
        input
        /// Valuation date as a decimal calendar year.
        start_year: F default(2026.0), "year", Domain::Interval { lo: 1900.0, hi: 2200.0, lo_open: false, hi_open: false };
        input
        /// Horizon `H` in years; `H n` must be an integer.
        horizon: F default(10.0), "years", Domain::Interval { lo: 0.0, hi: 100.0, lo_open: true, hi_open: false };
        tail
        /// Steps per year `n`, a multiple of 4 in [4, 365].
        #[serde(default = "default_steps")]
        pub steps_per_year: u32,
        tail
        /// The counterfactual the scenario is run as (docs/equations.md §11):
        /// absent for the scenario itself; set by [`Scenario::freeze_competition`].
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub counterfactual: Option<Counterfactual>,
        tail
        /// `valuation.*`: discounting and the pop test.
        pub valuation: Valuation,
        tail
        /// `gap.*`: the performance gap.
        pub gap: Gap,
        tail
        /// `prices.*`: the closed price index and the price ratio.
        pub prices: Prices,
        tail
        /// `demand.*`: the common demand shock.
        #[serde(default, skip_serializing_if = "Demand::is_empty")]
        pub demand: Demand,
        tail
        /// `attractiveness.*`: lab attractiveness noise.
        #[serde(default, skip_serializing_if = "Attractiveness::is_empty")]
        pub attractiveness: Attractiveness,
        tail
        /// `segments.<id>.*`: the demand segments.
        pub segments: Vec<Segment>,
        tail
        /// `labs.<id>.*`: the labs, closed and open.
        pub labs: Vec<Lab>,
        tail
        /// `events.<id>.*`: the turning points (none by default).
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        pub events: Vec<Event>,
        tail
        /// `correlation.*`: process and input correlations (none by default).
        #[serde(default, skip_serializing_if = "Correlation::is_empty")]
        pub correlation: Correlation,
        tail
        /// Citations by field path; `assumption: ...` or `derived: ...` where no source exists.
        #[serde(default)]
        pub sources: BTreeMap<String, String>,
    }
}

pub(crate) fn default_steps() -> u32 {
    12
}

section! {
    /// Section 5: discounting and the pop test.
    pub struct Valuation => ValuationParams {
        input
        /// `r`, per year, continuous; `r - g_T >= 0.01` on every draw.
        discount_rate: U required, "1/year", Domain::AboveTerminalGrowth;
        input
        /// `g_T`, per year.
        terminal_growth: F required, "1/year", Domain::Interval { lo: -1.0, hi: 1.0, lo_open: true, hi_open: true };
        input
        /// A pop is a quarter-end mark below this fraction of the latest mark.
        pop_threshold: F default(0.5), "ratio", Domain::OPEN_UNIT;
        input
        /// `tau_tax`, the tax rate on profits after the loss pool is used.
        tax_rate: U default(0.0), "share", Domain::Interval { lo: 0.0, hi: 1.0, lo_open: false, hi_open: true };
        tail
        /// The terminal value's convention (required: a file states it).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub terminal: Option<Terminal>,
    }
}

section! {
    /// Section 1: the performance gap in months.
    pub struct Gap => GapParams {
        input
        /// `G_0`, months.
        initial: U required, "months", Domain::Any;
        input
        /// `G_inf`, months.
        long_run: U required, "months", Domain::Any;
        input
        /// `h`, years.
        half_life: U required, "years", Domain::Positive;
        input
        /// `sigma_G`, months per sqrt(year).
        sigma: U default(0.0), "months/sqrt(year)", Domain::NonNegative;
        input
        /// `lambda_R`, closed frontier releases per year.
        release_rate: U default(0.0), "1/year", Domain::RATE;
        input
        /// `J_mean`, months per release.
        jump_mean: U default(0.0), "months", Domain::NonNegative;
        input
        /// `J_sd`, months.
        jump_sd: U default(0.0), "months", Domain::NonNegative;
        input
        /// `G_floor`, months (0: parity; negative lets open models lead).
        floor: F default(0.0), "months", Domain::Any;
    }
}

section! {
    /// Section 2: closed price index and open/closed price ratio.
    pub struct Prices => PriceParams {
        input
        /// `d_c`, median annual log decline of the closed price.
        closed_decline: U required, "1/year", Domain::LOG_RATE;
        input
        /// `sigma_P`.
        sigma_closed: U default(0.0), "1/sqrt(year)", Domain::NonNegative;
        input
        /// `rho_0`, open-to-closed price ratio today.
        ratio_0: U required, "ratio", Domain::Positive;
        input
        /// `d_rho`, median annual log decline of the ratio.
        ratio_drift: U default(0.0), "1/year", Domain::LOG_RATE;
        input
        /// `sigma_rho`.
        sigma_ratio: U default(0.0), "1/sqrt(year)", Domain::NonNegative;
        input
        /// `pi_G`, log points of closed premium lost per month of lead lost.
        premium_sensitivity: U default(0.0), "log points/month", Domain::NonNegative;
        input
        /// `theta_y`, the speed at which the price pressure moves to its target.
        adjustment_speed: U default(2.0), "1/year", Domain::RATE;
        input
        /// `kappa_m`, the share of a closed price cut that the gross margin bears.
        pass_through: U default(1.0), "share", Domain::CLOSED_UNIT;
        input
        /// `gm_floor`, the margin below which closed labs stop following prices down.
        margin_floor: F optional, "share", Domain::Below(1.0);
        input
        /// `G_ref`, the lead at which today's premium and usage were observed
        /// (v2.1); absent: each path's `gap.initial`. Required with `pressure = "symmetric"`.
        reference_lead: U optional, "months", Domain::Any;
        input
        /// `y_up`, how far the premium may rise above today's, in log points
        /// (v2.1, `pressure = "symmetric"` only).
        max_premium_rise: U default(std::f64::consts::LN_2), "log points", Domain::NonNegative;
        tail
        /// How the price pressure follows the lead: one way (v2) or symmetric (v2.1).
        #[serde(default, skip_serializing_if = "Pressure::is_one_way")]
        pub pressure: Pressure,
    }
}

section! {
    /// Section 3: the common demand shock.
    #[derive(Default)]
    pub struct Demand => DemandParams {
        input
        /// `sigma_A`.
        sigma: U default(0.0), "1/sqrt(year)", Domain::NonNegative;
        tail
        /// How total spend follows prices: the CES index (v2) or the mean price (v1).
        #[serde(default, skip_serializing_if = "PriceIndex::is_ces")]
        pub price_index: PriceIndex,
        tail
        /// What the elasticity acts on: the whole index (v2) or its deviation
        /// from the reference price path (v2.1, needs the CES index).
        #[serde(default, skip_serializing_if = "PriceEffect::is_absolute")]
        pub price_effect: PriceEffect,
    }
}

section! {
    /// Section 4: lab attractiveness noise.
    #[derive(Default)]
    pub struct Attractiveness => AttractivenessParams {
        input
        /// `sigma_a`.
        sigma: U default(0.0), "1/sqrt(year)", Domain::NonNegative;
        input
        /// `lambda_a`, each lab's releases per year that move its attractiveness.
        jump_rate: U default(0.0), "1/year", Domain::RATE;
        input
        /// `s_a`, the sd of an attractiveness jump.
        jump_sd: U default(0.0), "1", Domain::NonNegative;
    }
}

impl Demand {
    fn is_empty(&self) -> bool {
        *self == Demand::default()
    }
}

impl Attractiveness {
    fn is_empty(&self) -> bool {
        *self == Attractiveness::default()
    }
}

section! {
    /// Section 3: one demand segment.
    pub struct Segment => SegmentParams {
        plain
        /// Id in field paths (`segments.<id>`): lowercase letters, digits, `_`.
        pub id: String,
        plain
        /// Display name.
        pub name: String,
        input
        /// `S_0`, USD bn per year.
        spend_0: U required, "USD bn/year", Domain::Positive;
        input
        /// `u_0`, closed share of usage (tokens) today.
        closed_share_0: U required, "share", Domain::OPEN_UNIT;
        input
        /// `g_0`, spend growth today, per year.
        growth_0: U required, "1/year", Domain::LOG_RATE;
        input
        /// `g_inf`, long-run growth, per year.
        growth_inf: U required, "1/year", Domain::LOG_RATE;
        input
        /// `tau`, years.
        growth_tau: U required, "years", Domain::Positive;
        input
        /// `eps`, magnitude of the price elasticity.
        elasticity: U required, "1", Domain::NonNegative;
        input
        /// `beta_q`, log-odds per month of gap.
        beta_quality: U required, "1/month", Domain::Any;
        input
        /// `omega`, the elasticity of substitution between closed and open work.
        substitution: U default(0.0), "1", Domain::NonNegative;
        input
        /// `theta`, per year.
        switching: U required, "1/year", Domain::RATE;
        input
        /// `b`, log-odds; absent: calibrated per path so that today is an equilibrium.
        brand_premium: U optional, "log-odds", Domain::Any;
    }
}

/// A counterfactual a scenario may be run as (docs/equations.md §11).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Counterfactual {
    /// Competition frozen at today's state: the reference ratio, the price
    /// pressure and usage stay at today's values and no competition turning
    /// point fires; every other input keeps the scenario's draw on every path.
    FrozenCompetition,
}

/// The terminal value's convention (docs/equations.md §5).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Terminal {
    /// The lab after its commitments: spending at research intensity, taxed.
    Steady,
    /// v1: the cash flow at the horizon, commitments included.
    Last,
}

/// How total spend follows prices (docs/equations.md §3).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PriceIndex {
    /// The CES price index of closed and open work (v2).
    #[default]
    Ces,
    /// The mean price (v1).
    Mean,
}

impl PriceIndex {
    fn is_ces(&self) -> bool {
        *self == PriceIndex::Ces
    }
}

/// What the elasticity of spend acts on (docs/equations.md §3).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PriceEffect {
    /// The whole price index: spend falls with the reference closed price (v2).
    #[default]
    Absolute,
    /// The index's deviation from the reference price path: `g_s` is the
    /// growth of spend at the reference prices (v2.1).
    Relative,
}

impl PriceEffect {
    fn is_absolute(&self) -> bool {
        *self == PriceEffect::Absolute
    }
}

/// How the price pressure follows the lead (docs/equations.md §2).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Pressure {
    /// Only a lead narrower than the reference moves the premium, down (v2).
    #[default]
    OneWay,
    /// A level relation in the lead: a narrower lead compresses the premium,
    /// a wider one raises it, by at most `max_premium_rise` (v2.1).
    Symmetric,
}

impl Pressure {
    fn is_one_way(&self) -> bool {
        *self == Pressure::OneWay
    }
}

/// What a lab's market multiple applies to (docs/equations.md §5).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MarkBasis {
    /// A multiple of revenue (v1).
    Revenue,
    /// A multiple of gross profit, so that margin compression reprices.
    GrossProfit,
}

/// Where a marked lab's mature multiple comes from (docs/equations.md §5).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum MatureMultiple {
    /// The input `multiple_inf`, a comparable multiple (v2).
    #[default]
    Given,
    /// The steady value per unit of the basis at the long-run margin under
    /// the current pressure (v2.1); `multiple_inf` must be absent.
    Steady,
}

impl MatureMultiple {
    fn is_given(&self) -> bool {
        *self == MatureMultiple::Given
    }
}

/// Whether a lab sells closed models or publishes open weights.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Class {
    /// Sells closed models; books from the closed pool.
    Closed,
    /// Publishes open weights; books from the open pool.
    Open,
}

impl Class {
    /// The name as written in files: `closed` or `open`.
    pub fn as_str(self) -> &'static str {
        match self {
            Class::Closed => "closed",
            Class::Open => "open",
        }
    }
}

section! {
    /// Sections 4 and 5: one lab.
    pub struct Lab => LabParams {
        plain
        /// Id in field paths (`labs.<id>`): lowercase letters, digits, `_`.
        pub id: String,
        plain
        /// Display name.
        pub name: String,
        plain
        /// Closed or open.
        pub class: Class,
        plain
        /// `w_{i,s}` by segment id; a segment not listed has weight 0.
        #[serde(default)]
        pub weights: BTreeMap<String, Uncertain>,
        input
        /// `c_i`, the fraction of its share of the class pool the lab books.
        capture: U default(1.0), "share", Domain::CLOSED_UNIT;
        input
        /// `mu_a`, attractiveness drift per year.
        drift: U default(0.0), "1/year", Domain::LOG_RATE;
        input
        /// `gm_0`.
        gross_margin_0: U required, "share", Domain::AtMost(1.0);
        input
        /// `gm_inf`.
        gross_margin_inf: U required, "share", Domain::AtMost(1.0);
        input
        /// `tau_gm`, years.
        margin_tau: U required, "years", Domain::Positive;
        input
        /// `nu`, variable opex per unit of revenue.
        opex_ratio: U required, "share", Domain::NonNegative;
        input
        /// `chi`, committed fraction of the plan.
        committed: U default(0.0), "share", Domain::CLOSED_UNIT;
        input
        /// `psi`, research intensity of revenue.
        research_intensity: U default(0.0), "share", Domain::NonNegative;
        input
        /// `varrho`, the share of idle committed compute's cost recovered by reselling it.
        resale: U default(0.0), "share", Domain::CLOSED_UNIT;
        input
        /// `cash_0`, USD bn.
        cash_0: U default(0.0), "USD bn", Domain::Any;
        input
        /// `L_0`, tax losses carried forward today, USD bn.
        tax_losses_0: U default(0.0), "USD bn", Domain::NonNegative;
        input
        /// `V0`, latest post-money mark, USD bn; absent for labs without one.
        mark: U optional, "USD bn", Domain::Positive;
        input
        /// `ghat_0`, trailing revenue growth today (needed with a mark).
        growth_trailing: U optional, "1/year", Domain::POSITIVE_LOG_RATE;
        input
        /// `M_inf`, mature EV/revenue multiple (needed with a mark).
        multiple_inf: U optional, "x basis", Domain::NonNegative;
        tail
        /// Spending plan: `[calendar year, USD bn per year]` points.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        pub plan: Vec<[f64; 2]>,
        tail
        /// What the market multiple applies to (required with a mark).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub mark_basis: Option<MarkBasis>,
        tail
        /// Where the mature multiple comes from: the input `multiple_inf`
        /// (v2) or the model's own steady state (v2.1, a lab with a mark only).
        #[serde(default, skip_serializing_if = "MatureMultiple::is_given")]
        pub mature_multiple: MatureMultiple,
    }
    params {
        /// Whether the lab is closed (sells from the closed pool).
        pub closed: bool,
        /// `w_{i,s}` per segment, in segment order (0 where not listed).
        pub weights: Vec<f64>,
    }
}

section! {
    /// Section 6: a turning point.
    pub struct Event => EventParams {
        plain
        /// Id in field paths (`events.<id>`): lowercase letters, digits, `_`.
        pub id: String,
        plain
        /// Display name.
        pub name: String,
        input
        /// `lambda_e` per year (exactly one of `hazard` and `date`).
        hazard: U optional, "1/year", Domain::RATE;
        input
        /// `kappa_e`, how much likelier the event grows per month of lead lost.
        gap_sensitivity: U default(0.0), "1/month", Domain::Any;
        input
        /// `s_e`, the scale of the event's `price_pressure` effects: each
        /// one's value is multiplied by it when the event fires (1: as
        /// written). Uncertain, it draws the size of the turning point's
        /// price effect as one mixture.
        price_scale: U default(1.0), "x", Domain::NonNegative;
        tail
        /// Fixed calendar date (exactly one of `hazard` and `date`).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub date: Option<f64>,
        tail
        /// `[target, op, value]` in listed order.
        #[serde(default)]
        pub effects: Vec<Effect>,
    }
}

/// One effect of an event: `[target, op, value]`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Effect(pub String, pub Op, pub f64);

/// How an effect changes its target.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Op {
    /// Add the value.
    Add,
    /// Multiply by the value (`> 0`).
    Mul,
    /// Replace by the value.
    Set,
}

/// Section 7: process and input correlations.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct Correlation {
    /// 4x4 correlation of `(Z^G, Z^P, Z^rho, Z^A)`; absent: identity.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub process: Option<Vec<Vec<f64>>>,
    /// Spearman rank correlations `[path, path, rho_S]` between uncertain inputs.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub inputs: Vec<(String, String, f64)>,
}

impl Correlation {
    fn is_empty(&self) -> bool {
        self.process.is_none() && self.inputs.is_empty()
    }
}

impl Scenario {
    /// Number of steps `K = H n` (0 when the horizon is not valid).
    pub fn steps(&self) -> usize {
        let h = self.horizon();
        if h.is_finite() && h > 0.0 {
            (h * self.steps_per_year as f64).round() as usize
        } else {
            0
        }
    }

    /// The valuation date (its default when the file leaves it out).
    pub fn start_year(&self) -> f64 {
        self.start_year.unwrap_or_else(|| default_of::<Scenario>("start_year"))
    }

    /// The horizon in years (its default when the file leaves it out).
    pub fn horizon(&self) -> f64 {
        self.horizon.unwrap_or_else(|| default_of::<Scenario>("horizon"))
    }

    /// A lab by id; `None` for an unknown id.
    pub fn lab(&self, id: &str) -> Option<&Lab> {
        self.labs.iter().find(|l| l.id == id)
    }

    /// A segment by id; `None` for an unknown id.
    pub fn segment(&self, id: &str) -> Option<&Segment> {
        self.segments.iter().find(|s| s.id == id)
    }
}
