//! docs/equations.md §6: how the effects of an event act on the state of a path,
//! when dated events fire, and the per-period probability of hazard events.
//! The vocabulary of targets is the scenario's ([`Target`]).

use crate::scenario::Op;
pub use crate::scenario::Target;

use super::state::State;

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

/// The effect as it acts: a `price_pressure` effect's value times the
/// event's price scale `s_e`; any other effect as written.
#[inline]
pub fn scaled(e: &Effect, price_scale: f64) -> Effect {
    match e.target {
        Target::PricePressure => Effect {
            value: e.value * price_scale,
            ..*e
        },
        _ => *e,
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
        Target::PricePressure => apply_additive(&mut st.pressure_from_events, e.op, e.value),
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

/// The hazard of period k, `lambda_e exp(kappa_e (G_ref - G_k))` with `G_k`
/// the gap before the step's update and `G_ref` the reference lead (the
/// path's `G_0` when `prices.reference_lead` is absent): more likely as open
/// models close the gap (`kappa_e > 0`); 0 when `lambda_e = 0`, exactly
/// `lambda_e` when `kappa_e = 0`.
#[inline]
pub fn hazard_rate(lambda: f64, sensitivity: f64, gap_ref: f64, gap: f64) -> f64 {
    if lambda == 0.0 || sensitivity == 0.0 {
        lambda
    } else {
        lambda * (sensitivity * (gap_ref - gap)).exp()
    }
}
