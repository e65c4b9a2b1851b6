//! MODEL section 6: event targets, their operations, and how they act on the
//! state of a path.

use crate::scenario::{Op, Scenario};

use super::state::State;

/// What an effect changes: a state variable or a per-path parameter.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Target {
    /// `segments.<id>.brand_premium` (b_s)
    BrandPremium(usize),
    /// `gap` (G)
    Gap,
    /// `labs.<id>.attractiveness` (a_i)
    Attractiveness(usize),
    /// `labs.<id>.gross_margin_inf`
    GrossMarginInf(usize),
    /// `price_ratio` (rho)
    PriceRatio,
    /// `closed_price` (P^c; rho unchanged, so P^o moves too)
    ClosedPrice,
    /// `segments.<id>.demand` (A_s)
    Demand(usize),
    /// `segments.<id>.switching` (theta_s)
    Switching(usize),
    /// `labs.<id>.multiple_0` (M_0)
    Multiple0(usize),
    /// `labs.<id>.multiple_inf` (M_inf)
    MultipleInf(usize),
}

const TARGETS: &str = "segments.<id>.brand_premium, gap, labs.<id>.attractiveness, labs.<id>.gross_margin_inf, \
                       price_ratio, closed_price, segments.<id>.demand, segments.<id>.switching, \
                       labs.<id>.multiple_0, labs.<id>.multiple_inf";

impl Target {
    /// Parse a target against the scenario's ids.
    pub fn parse(target: &str, s: &Scenario) -> Result<Target, String> {
        let parts: Vec<&str> = target.split('.').collect();
        let seg = |id: &str| {
            s.segments.iter().position(|x| x.id == id).ok_or_else(|| {
                let known: Vec<&str> = s.segments.iter().map(|x| x.id.as_str()).collect();
                format!("`{target}`: unknown segment `{id}` (known: {})", known.join(", "))
            })
        };
        let lab = |id: &str| {
            s.labs.iter().position(|x| x.id == id).ok_or_else(|| {
                let known: Vec<&str> = s.labs.iter().map(|x| x.id.as_str()).collect();
                format!("`{target}`: unknown lab `{id}` (known: {})", known.join(", "))
            })
        };
        match parts.as_slice() {
            ["gap"] => Ok(Target::Gap),
            ["price_ratio"] => Ok(Target::PriceRatio),
            ["closed_price"] => Ok(Target::ClosedPrice),
            ["segments", id, "brand_premium"] => seg(id).map(Target::BrandPremium),
            ["segments", id, "demand"] => seg(id).map(Target::Demand),
            ["segments", id, "switching"] => seg(id).map(Target::Switching),
            ["labs", id, "attractiveness"] => lab(id).map(Target::Attractiveness),
            ["labs", id, "gross_margin_inf"] => lab(id).map(Target::GrossMarginInf),
            ["labs", id, "multiple_0"] => lab(id).map(Target::Multiple0),
            ["labs", id, "multiple_inf"] => lab(id).map(Target::MultipleInf),
            _ => Err(format!("unknown effect target `{target}` (targets: {TARGETS})")),
        }
    }

    /// Targets changed by a factor (mul, or set to a positive value).
    pub fn is_multiplicative(self) -> bool {
        !matches!(
            self,
            Target::BrandPremium(_) | Target::Gap | Target::Attractiveness(_) | Target::GrossMarginInf(_)
        )
    }

    pub fn allows(self, op: Op) -> bool {
        match op {
            Op::Set => true,
            Op::Add => !self.is_multiplicative(),
            Op::Mul => self.is_multiplicative(),
        }
    }

    pub fn ops_description(self) -> &'static str {
        if self.is_multiplicative() {
            "mul or set"
        } else {
            "add or set"
        }
    }

    /// The lab whose mark this target needs (multiple effects).
    pub fn lab_needing_mark(self) -> Option<usize> {
        match self {
            Target::Multiple0(i) | Target::MultipleInf(i) => Some(i),
            _ => None,
        }
    }
}

/// A validated effect.
#[derive(Clone, Copy, Debug)]
pub struct Effect {
    pub target: Target,
    pub op: Op,
    pub value: f64,
}

fn apply_additive(x: &mut f64, op: Op, v: f64) {
    match op {
        Op::Add => *x += v,
        Op::Set => *x = v,
        Op::Mul => unreachable!("validated: additive targets take add or set"),
    }
}

fn apply_multiplicative(x: &mut f64, op: Op, v: f64) {
    match op {
        Op::Mul => *x *= v,
        Op::Set => *x = v,
        Op::Add => unreachable!("validated: multiplicative targets take mul or set"),
    }
}

/// A log-scale state variable moved by a factor or set to a level.
fn apply_log(ln_x: &mut f64, op: Op, v: f64) {
    match op {
        Op::Mul => *ln_x += v.ln(),
        Op::Set => *ln_x = v.ln(),
        Op::Add => unreachable!("validated: multiplicative targets take mul or set"),
    }
}

/// Apply one effect to the state at `t_{k+1}`.
pub fn apply(e: &Effect, st: &mut State) {
    match e.target {
        Target::BrandPremium(s) => apply_additive(&mut st.brand_premium[s], e.op, e.value),
        Target::Gap => apply_additive(&mut st.gap, e.op, e.value),
        Target::Attractiveness(i) => apply_additive(&mut st.attractiveness[i], e.op, e.value),
        Target::GrossMarginInf(i) => apply_additive(&mut st.gross_margin_inf[i], e.op, e.value),
        Target::PriceRatio => apply_log(&mut st.ln_ratio, e.op, e.value),
        Target::ClosedPrice => apply_log(&mut st.ln_closed_price, e.op, e.value),
        Target::Demand(s) => apply_log(&mut st.ln_demand[s], e.op, e.value),
        Target::Switching(s) => apply_multiplicative(&mut st.switching[s], e.op, e.value),
        Target::Multiple0(i) => apply_multiplicative(&mut st.multiple_0[i], e.op, e.value),
        Target::MultipleInf(i) => apply_multiplicative(&mut st.multiple_inf[i], e.op, e.value),
    }
}

/// Period in which a dated event fires: `j - 1` with
/// `j = ceil((y - start_year) n - 1e-9)`; `None` when `j > K`.
pub fn dated_period(date: f64, start_year: f64, n: usize, steps: usize) -> Option<usize> {
    let j = ((date - start_year) * n as f64 - 1e-9).ceil();
    (j >= 1.0 && j <= steps as f64).then(|| j as usize - 1)
}

/// Probability that a hazard event fires in one period: `1 - exp(-lambda dt)`.
#[inline]
pub fn hazard_probability(lambda: f64, dt: f64) -> f64 {
    -(-lambda * dt).exp_m1()
}
