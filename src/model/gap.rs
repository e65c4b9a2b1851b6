//! MODEL section 1: the performance gap, mean-reverting toward `G_inf` with
//! noise and upward jumps at closed frontier releases.
//!
//! `G_{k+1} = max(G_floor, G_k + (1 - exp(-kappa dt)) (G_inf - G_k) + sigma_G sqrt(dt) Z + sum J_m)`

use rand::RngExt;
use rand_distr::{Distribution, Poisson, StandardNormal};

use super::params::GapParams;
use crate::rng::Stream;

/// `1 - exp(-kappa dt)` with `kappa = ln 2 / h`.
#[inline]
pub fn pull(p: &GapParams, dt: f64) -> f64 {
    -(-(std::f64::consts::LN_2 / p.half_life) * dt).exp_m1()
}

/// One step of the gap given the correlated shock `z` and the period's jumps.
#[inline]
pub fn next(g: f64, p: &GapParams, pull: f64, sqrt_dt: f64, z: f64, jumps: f64) -> f64 {
    (g + pull * (p.long_run - g) + p.sigma * sqrt_dt * z + jumps).max(p.floor)
}

/// The sum of the release jumps of one period: `N ~ Poisson(lambda_R dt)`,
/// each `J ~ lognormal(J_mean, J_sd)` (every jump `J_mean` when `J_sd = 0`).
/// Draws nothing when `lambda_R = 0` or `J_mean = 0`.
pub fn jumps(p: &GapParams, dt: f64, rng: &mut Stream) -> f64 {
    if p.release_rate <= 0.0 || p.jump_mean <= 0.0 {
        return 0.0;
    }
    let n = Poisson::new(p.release_rate * dt).map_or(0.0, |d| d.sample(rng)) as u64;
    if p.jump_sd <= 0.0 {
        return n as f64 * p.jump_mean;
    }
    let (mu, sigma) = crate::dist::lognormal_params(p.jump_mean, p.jump_sd);
    (0..n)
        .map(|_| (mu + sigma * rng.sample::<f64, _>(StandardNormal)).exp())
        .sum()
}
