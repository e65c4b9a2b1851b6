//! MODEL section 2: the closed price index and the open/closed price ratio,
//! both geometric random walks with drift.
//!
//! `ln P^c_{k+1} = ln P^c_k - d_c dt + sigma_P sqrt(dt) Z^P`,
//! `ln rho_{k+1} = ln rho_k - d_rho dt + sigma_rho sqrt(dt) Z^rho`, `P^o = rho P^c`.

use super::params::PriceParams;

#[inline]
pub fn next_ln_closed_price(ln_pc: f64, p: &PriceParams, dt: f64, sqrt_dt: f64, z: f64) -> f64 {
    ln_pc - p.closed_decline * dt + p.sigma_closed * sqrt_dt * z
}

#[inline]
pub fn next_ln_ratio(ln_rho: f64, p: &PriceParams, dt: f64, sqrt_dt: f64, z: f64) -> f64 {
    ln_rho - p.ratio_drift * dt + p.sigma_ratio * sqrt_dt * z
}
