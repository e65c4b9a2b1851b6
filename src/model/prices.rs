//! docs/equations.md §2: the reference price curves, and competition.
//!
//! The reference curves are geometric random walks: the closed price
//! `Pt^c` (1 at t = 0) and the reference open-to-closed ratio `rt`:
//! `ln Pt^c_{k+1} = ln Pt^c_k - d_c dt + sigma_P sqrt(dt) Z^P`,
//! `ln rt_{k+1} = ln rt_k - d_rho dt + sigma_rho sqrt(dt) Z^rho`; the open
//! price `P^o = rt Pt^c` follows serving cost. Competition compresses the
//! closed premium by the price pressure `y`, anchored to the reference lead
//! `G_ref` (the path's `G_0` when `prices.reference_lead` is absent):
//! `y* = pi_G max(0, G_ref - G) + Ye` ("one_way", v2) or
//! `y* = pi_G (G_ref - G) + Ye` ("symmetric", v2.1);
//! `y_{k+1} = min(max(0, -ln rt_{k+1}), max(floor, y_k + (1 - exp(-theta_y dt)) (y* - y_k)))`,
//! with `floor = -y_up` ("symmetric") or none ("one_way");
//! `P^c = Pt^c exp(-y)`, `ln rho = ln rt + y`.

use super::params::PriceParams;
use crate::scenario::Pressure;

/// `ln Pt^c_{k+1}`.
#[inline]
pub fn next_ln_closed_price(ln_pc: f64, p: &PriceParams, dt: f64, sqrt_dt: f64, z: f64) -> f64 {
    ln_pc - p.closed_decline * dt + p.sigma_closed * sqrt_dt * z
}

/// `ln rt_{k+1}`.
#[inline]
pub fn next_ln_ratio(ln_rho: f64, p: &PriceParams, dt: f64, sqrt_dt: f64, z: f64) -> f64 {
    ln_rho - p.ratio_drift * dt + p.sigma_ratio * sqrt_dt * z
}

/// The target of the price pressure: `y* = pi_G max(0, G_ref - G) + Ye`
/// ("one_way": a lead wider than `G_ref` does not raise the premium) or
/// `y* = pi_G (G_ref - G) + Ye` ("symmetric": it does, `y* < 0`).
#[inline]
pub fn pressure_target(p: &PriceParams, pressure: Pressure, gap_ref: f64, gap: f64, from_events: f64) -> f64 {
    match pressure {
        Pressure::OneWay => p.premium_sensitivity * (gap_ref - gap).max(0.0) + from_events,
        Pressure::Symmetric => p.premium_sensitivity * (gap_ref - gap) + from_events,
    }
}

/// The lowest price pressure: `-y_up` ("symmetric": the premium rises at
/// most `y_up` log points above its reference), or none ("one_way",
/// `-inf`, which leaves v2's step unchanged to the bit).
#[inline]
pub fn pressure_floor(p: &PriceParams, pressure: Pressure) -> f64 {
    match pressure {
        Pressure::OneWay => f64::NEG_INFINITY,
        Pressure::Symmetric => -p.max_premium_rise,
    }
}

/// The largest price pressure, `max(0, -ln rt)`: the closed price never goes
/// below the open price (and stays at the reference when `rt > 1`).
#[inline]
pub fn pressure_cap(ln_rt: f64) -> f64 {
    (-ln_rt).max(0.0)
}

/// `y_{k+1} = min(cap(ln rt_{k+1}), max(floor, y_k + pull (y*_k - y_k)))`,
/// with `pull = 1 - exp(-theta_y dt)` and `floor` from [`pressure_floor`]
/// (`floor <= 0 <= cap`, so the two bounds never conflict).
#[inline]
pub fn next_pressure(y: f64, target: f64, pull: f64, ln_rt_next: f64, floor: f64) -> f64 {
    let moved = y + pull * (target - y);
    // Keep a NaN visible (f64::max and f64::min would return the bound).
    let bounded = if moved < floor { floor } else { moved };
    if bounded > pressure_cap(ln_rt_next) {
        pressure_cap(ln_rt_next)
    } else {
        bounded
    }
}

/// Prices after competition from the reference curves and the pressure:
/// `(P^c, ln rho, rho, P^o)`. `ln rho` is the sum `ln rt + y` and `rho` its
/// exponential, so that with `y = 0` they are v1's to the bit.
#[inline]
pub fn after_competition(ln_pt: f64, ln_rt: f64, y: f64) -> (f64, f64, f64, f64) {
    let pt = ln_pt.exp();
    let closed = pt * (-y).exp();
    let ln_rho = ln_rt + y;
    let open = ln_rt.exp() * pt;
    (closed, ln_rho, ln_rho.exp(), open)
}
