//! docs/equations.md §2: the reference price curves, and competition.
//!
//! The reference curves are geometric random walks: the closed price
//! `Pt^c` (1 at t = 0) and the reference open-to-closed ratio `rt`:
//! `ln Pt^c_{k+1} = ln Pt^c_k - d_c dt + sigma_P sqrt(dt) Z^P`,
//! `ln rt_{k+1} = ln rt_k - d_rho dt + sigma_rho sqrt(dt) Z^rho`; the open
//! price `P^o = rt Pt^c` follows serving cost. Competition compresses the
//! closed premium by the price pressure `y`:
//! `y* = pi_G max(0, G_0 - G) + Ye`,
//! `y_{k+1} = min(max(0, -ln rt_{k+1}), y_k + (1 - exp(-theta_y dt)) (y* - y_k))`,
//! `P^c = Pt^c exp(-y)`, `ln rho = ln rt + y`.

use super::params::PriceParams;

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

/// The target of the price pressure, `y* = pi_G max(0, G_0 - G) + Ye`:
/// a widening lead does not raise the premium.
#[inline]
pub fn pressure_target(p: &PriceParams, gap_0: f64, gap: f64, from_events: f64) -> f64 {
    p.premium_sensitivity * (gap_0 - gap).max(0.0) + from_events
}

/// The largest price pressure, `max(0, -ln rt)`: the closed price never goes
/// below the open price (and stays at the reference when `rt > 1`).
#[inline]
pub fn pressure_cap(ln_rt: f64) -> f64 {
    (-ln_rt).max(0.0)
}

/// `y_{k+1} = min(cap(ln rt_{k+1}), y_k + pull (y*_k - y_k))`, with
/// `pull = 1 - exp(-theta_y dt)`.
#[inline]
pub fn next_pressure(y: f64, target: f64, pull: f64, ln_rt_next: f64) -> f64 {
    let moved = y + pull * (target - y);
    // Keep a NaN visible (f64::min would return the cap).
    if moved > pressure_cap(ln_rt_next) {
        pressure_cap(ln_rt_next)
    } else {
        moved
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
