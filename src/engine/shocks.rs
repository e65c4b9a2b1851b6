//! The random draws of one step (MODEL section 0): the engine draws every
//! shock from the path's sub-streams and hands numbers to the model, which
//! draws nothing.

use rand::RngExt;
use rand_distr::{Distribution, Poisson, StandardNormal};

use crate::model::params::GapParams;
use crate::rng::Stream;

/// The sum of the closed-release jumps of one period: `N ~ Poisson(lambda_R dt)`,
/// each `J ~ lognormal(J_mean, J_sd)` (every jump `J_mean` when `J_sd = 0`).
/// Draws nothing when `lambda_R = 0` or `J_mean = 0`, so a scenario without
/// releases keeps the draws of one with none.
pub fn gap_jumps(p: &GapParams, dt: f64, rng: &mut Stream) -> f64 {
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

/// The sum of a lab's attractiveness jumps in one period: `N ~ Poisson(lambda_a dt)`,
/// each jump ~ normal(0, `s_a`). Draws nothing when `lambda_a = 0` or `s_a = 0`,
/// so a scenario without jumps keeps the draws of one with none.
pub fn attractiveness_jumps(rate: f64, sd: f64, dt: f64, rng: &mut Stream) -> f64 {
    if rate <= 0.0 || sd <= 0.0 {
        return 0.0;
    }
    let n = Poisson::new(rate * dt).map_or(f64::INFINITY, |d| d.sample(rng));
    if !n.is_finite() {
        return f64::NAN;
    }
    (0..n as u64).map(|_| sd * rng.sample::<f64, _>(StandardNormal)).sum()
}

/// One standard normal.
#[inline]
pub fn normal(rng: &mut Stream) -> f64 {
    rng.sample(StandardNormal)
}

/// One uniform in [0, 1).
#[inline]
pub fn uniform(rng: &mut Stream) -> f64 {
    rng.random()
}
