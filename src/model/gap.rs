//! docs/equations.md §1: the performance gap, mean-reverting toward `G_inf` with
//! noise and upward jumps at closed frontier releases.
//!
//! `G_{k+1} = max(G_floor, G_k + (1 - exp(-kappa dt)) (G_inf - G_k) + sigma_G sqrt(dt) Z + sum J_m)`

use super::params::GapParams;

/// `1 - exp(-kappa dt)` with `kappa = ln 2 / h`.
#[inline]
pub fn pull(p: &GapParams, dt: f64) -> f64 {
    -(-(std::f64::consts::LN_2 / p.half_life) * dt).exp_m1()
}

/// One step of the gap given the correlated shock `z` and the period's jumps.
#[inline]
pub fn next(g: f64, p: &GapParams, pull: f64, sqrt_dt: f64, z: f64, jumps: f64) -> f64 {
    floored(g + pull * (p.long_run - g) + p.sigma * sqrt_dt * z + jumps, p.floor)
}

/// `max(floor, g)`, keeping a NaN visible (`f64::max` would return the floor).
#[inline]
pub fn floored(g: f64, floor: f64) -> f64 {
    if g < floor { floor } else { g }
}
