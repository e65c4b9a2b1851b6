//! Serde types for everything in MODEL.md. Field names are the last part of
//! the field paths of MODEL section 10; unknown keys are errors.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::dist::Uncertain;

/// A complete scenario: the inputs of one model run.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    /// Short name (the preset name for presets).
    pub name: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub description: String,
    /// Valuation date as a decimal calendar year.
    #[serde(default = "default_start_year")]
    pub start_year: f64,
    /// Steps per year `n`, a multiple of 4.
    #[serde(default = "default_steps")]
    pub steps_per_year: u32,
    /// Horizon `H` in years; `H n` must be an integer.
    #[serde(default = "default_horizon")]
    pub horizon: f64,
    pub valuation: Valuation,
    pub gap: Gap,
    pub prices: Prices,
    #[serde(default, skip_serializing_if = "Demand::is_default")]
    pub demand: Demand,
    #[serde(default, skip_serializing_if = "Attractiveness::is_default")]
    pub attractiveness: Attractiveness,
    pub segments: Vec<Segment>,
    pub labs: Vec<Lab>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub events: Vec<Event>,
    #[serde(default, skip_serializing_if = "Correlation::is_empty")]
    pub correlation: Correlation,
    /// Citations by field path; `assumption: ...` or `derived: ...` where no source exists.
    #[serde(default)]
    pub sources: BTreeMap<String, String>,
}

pub(crate) fn default_start_year() -> f64 {
    2026.0
}
pub(crate) fn default_steps() -> u32 {
    12
}
pub(crate) fn default_horizon() -> f64 {
    10.0
}
fn zero() -> Uncertain {
    Uncertain::Fixed(0.0)
}
fn one() -> Uncertain {
    Uncertain::Fixed(1.0)
}
fn is_zero(u: &Uncertain) -> bool {
    *u == Uncertain::Fixed(0.0)
}
fn is_one(u: &Uncertain) -> bool {
    *u == Uncertain::Fixed(1.0)
}
fn is_zero_f(v: &f64) -> bool {
    *v == 0.0
}
fn default_pop_threshold() -> f64 {
    0.5
}
fn is_default_pop(v: &f64) -> bool {
    *v == 0.5
}

/// Section 5: discounting and the pop test.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Valuation {
    /// `r`, per year, continuous.
    pub discount_rate: Uncertain,
    /// `g_T`, per year; `r - g_T >= 0.01` on every draw.
    pub terminal_growth: f64,
    /// A pop is a quarter-end mark below this fraction of the latest mark.
    #[serde(default = "default_pop_threshold", skip_serializing_if = "is_default_pop")]
    pub pop_threshold: f64,
}

/// Section 1: the performance gap in months.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Gap {
    /// `G_0`, months.
    pub initial: Uncertain,
    /// `G_inf`, months.
    pub long_run: Uncertain,
    /// `h`, years.
    pub half_life: Uncertain,
    /// `sigma_G`, months per sqrt(year).
    #[serde(default = "zero", skip_serializing_if = "is_zero")]
    pub sigma: Uncertain,
    /// `lambda_R`, closed frontier releases per year.
    #[serde(default = "zero", skip_serializing_if = "is_zero")]
    pub release_rate: Uncertain,
    /// `J_mean`, months per release.
    #[serde(default = "zero", skip_serializing_if = "is_zero")]
    pub jump_mean: Uncertain,
    /// `J_sd`, months.
    #[serde(default = "zero", skip_serializing_if = "is_zero")]
    pub jump_sd: Uncertain,
    /// `G_floor`, months (0: parity; negative lets open models lead).
    #[serde(default, skip_serializing_if = "is_zero_f")]
    pub floor: f64,
}

/// Section 2: closed price index and open/closed price ratio.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Prices {
    /// `d_c`, median annual log decline of the closed price.
    pub closed_decline: Uncertain,
    /// `sigma_P`.
    #[serde(default = "zero", skip_serializing_if = "is_zero")]
    pub sigma_closed: Uncertain,
    /// `rho_0`, open-to-closed price ratio today.
    pub ratio_0: Uncertain,
    /// `d_rho`, median annual log decline of the ratio.
    #[serde(default = "zero", skip_serializing_if = "is_zero")]
    pub ratio_drift: Uncertain,
    /// `sigma_rho`.
    #[serde(default = "zero", skip_serializing_if = "is_zero")]
    pub sigma_ratio: Uncertain,
}

/// Section 3: the common demand shock.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct Demand {
    /// `sigma_A`.
    #[serde(default = "zero", skip_serializing_if = "is_zero")]
    pub sigma: Uncertain,
}

/// Section 4: lab attractiveness noise.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct Attractiveness {
    /// `sigma_a`.
    #[serde(default = "zero", skip_serializing_if = "is_zero")]
    pub sigma: Uncertain,
}

impl Demand {
    fn is_default(&self) -> bool {
        is_zero(&self.sigma)
    }
}

impl Attractiveness {
    fn is_default(&self) -> bool {
        is_zero(&self.sigma)
    }
}

impl Default for Uncertain {
    fn default() -> Self {
        Uncertain::Fixed(0.0)
    }
}

/// Section 3: one demand segment.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Segment {
    pub id: String,
    pub name: String,
    /// `S_0`, USD bn per year.
    pub spend_0: Uncertain,
    /// `u_0`, closed share of usage (tokens) today.
    pub closed_share_0: Uncertain,
    /// `g_0`, spend growth today, per year.
    pub growth_0: Uncertain,
    /// `g_inf`, long-run growth, per year.
    pub growth_inf: Uncertain,
    /// `tau`, years.
    pub growth_tau: Uncertain,
    /// `eps`, magnitude of the price elasticity.
    pub elasticity: Uncertain,
    /// `beta_q`, log-odds per month of gap.
    pub beta_quality: Uncertain,
    /// `beta_p`, log-odds per unit of `ln rho`.
    pub beta_price: Uncertain,
    /// `theta`, per year.
    pub switching: Uncertain,
    /// `b`, log-odds; absent: calibrated per path so that today is an equilibrium.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub brand_premium: Option<Uncertain>,
}

/// Whether a lab sells closed models or publishes open weights.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Class {
    Closed,
    Open,
}

impl Class {
    pub fn as_str(self) -> &'static str {
        match self {
            Class::Closed => "closed",
            Class::Open => "open",
        }
    }
}

/// Section 4 and 5: one lab.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Lab {
    pub id: String,
    pub name: String,
    pub class: Class,
    /// `w_{i,s}` by segment id; a segment not listed has weight 0.
    #[serde(default)]
    pub weights: BTreeMap<String, Uncertain>,
    /// `c_i`, the fraction of its share of the class pool the lab books.
    #[serde(default = "one", skip_serializing_if = "is_one")]
    pub capture: Uncertain,
    /// `mu_a`, attractiveness drift per year.
    #[serde(default = "zero", skip_serializing_if = "is_zero")]
    pub drift: Uncertain,
    /// `gm_0`.
    pub gross_margin_0: Uncertain,
    /// `gm_inf`.
    pub gross_margin_inf: Uncertain,
    /// `tau_gm`, years.
    pub margin_tau: Uncertain,
    /// `nu`, variable opex per unit of revenue.
    pub opex_ratio: Uncertain,
    /// `chi`, committed fraction of the plan.
    #[serde(default = "zero", skip_serializing_if = "is_zero")]
    pub committed: Uncertain,
    /// `psi`, research intensity of revenue.
    #[serde(default = "zero", skip_serializing_if = "is_zero")]
    pub research_intensity: Uncertain,
    /// Spending plan: `[calendar year, USD bn per year]` points.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub plan: Vec<[f64; 2]>,
    /// `cash_0`, USD bn.
    #[serde(default = "zero", skip_serializing_if = "is_zero")]
    pub cash_0: Uncertain,
    /// `V0`, latest post-money mark, USD bn; absent for labs without one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mark: Option<Uncertain>,
    /// `ghat_0`, trailing revenue growth today (needed with a mark).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub growth_trailing: Option<Uncertain>,
    /// `M_inf`, mature EV/revenue multiple (needed with a mark).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub multiple_inf: Option<Uncertain>,
}

/// Section 6: a turning point.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Event {
    pub id: String,
    pub name: String,
    /// `lambda_e` per year (exactly one of `hazard` and `date`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hazard: Option<Uncertain>,
    /// Fixed calendar date `y`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date: Option<f64>,
    /// `[target, op, value]` in listed order.
    #[serde(default)]
    pub effects: Vec<Effect>,
}

/// One effect of an event: `[target, op, value]`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Effect(pub String, pub Op, pub f64);

/// How an effect changes its target.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Op {
    Add,
    Mul,
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
    /// Number of steps `K = H n`.
    pub fn steps(&self) -> usize {
        (self.horizon * self.steps_per_year as f64).round() as usize
    }

    pub fn lab(&self, id: &str) -> Option<&Lab> {
        self.labs.iter().find(|l| l.id == id)
    }

    pub fn segment(&self, id: &str) -> Option<&Segment> {
        self.segments.iter().find(|s| s.id == id)
    }
}
