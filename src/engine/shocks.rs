//! The random draws of one step (docs/equations.md §0): the engine draws every
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

#[cfg(test)]
mod tests {
    //! The jump samplers against their compound-Poisson moments. With `N`
    //! draws the tolerance is five standard errors of the sample statistic.
    use super::*;
    use crate::rng::stream;

    const N: usize = 200_000;

    fn moments(mut draw: impl FnMut() -> f64) -> (f64, f64) {
        let xs: Vec<f64> = (0..N).map(|_| draw()).collect();
        let mean = xs.iter().sum::<f64>() / N as f64;
        let var = xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (N - 1) as f64;
        (mean, var)
    }

    #[test]
    fn attractiveness_jumps_have_rate_times_dt_and_normal_sizes() {
        // Sum of Poisson(lambda dt) N(0, sd^2) jumps: mean 0, variance
        // lambda dt sd^2, fourth cumulant 3 lambda dt sd^4.
        let (rate, sd, dt) = (2.0, 0.5, 0.25);
        let mut rng = stream(7, 0, 11);
        let (mean, var) = moments(|| attractiveness_jumps(rate, sd, dt, &mut rng));
        let sigma2 = rate * dt * sd * sd;
        let kappa4 = 3.0 * rate * dt * sd.powi(4);
        assert!(mean.abs() < 5.0 * (sigma2 / N as f64).sqrt(), "mean {mean}");
        let se_var = ((kappa4 + 2.0 * sigma2 * sigma2) / N as f64).sqrt();
        assert!(
            (var - sigma2).abs() < 5.0 * se_var,
            "variance {var}, want {sigma2} +- {se_var}"
        );
        assert_eq!(attractiveness_jumps(0.0, sd, dt, &mut rng), 0.0);
        assert_eq!(attractiveness_jumps(rate, 0.0, dt, &mut rng), 0.0);
    }

    #[test]
    fn gap_jumps_have_rate_times_dt_and_lognormal_sizes() {
        // Sum of Poisson(nu dt) jumps of mean m and sd s: mean nu dt m,
        // variance nu dt (s^2 + m^2).
        let p = GapParams {
            release_rate: 3.0,
            jump_mean: 2.0,
            jump_sd: 1.0,
            ..Default::default()
        };
        let dt = 0.25;
        let mut rng = stream(7, 0, 12);
        let (mean, var) = moments(|| gap_jumps(&p, dt, &mut rng));
        let want_mean = p.release_rate * dt * p.jump_mean;
        let want_var = p.release_rate * dt * (p.jump_sd.powi(2) + p.jump_mean.powi(2));
        assert!(
            (mean - want_mean).abs() < 5.0 * (want_var / N as f64).sqrt(),
            "mean {mean}, want {want_mean}"
        );
        // Fourth cumulant nu dt E[J^4], E[J^4] = exp(4 mu + 8 sigma^2) for a lognormal.
        let (mu, sigma) = crate::dist::lognormal_params(p.jump_mean, p.jump_sd);
        let kappa4 = p.release_rate * dt * (4.0 * mu + 8.0 * sigma * sigma).exp();
        let se_var = ((kappa4 + 2.0 * want_var * want_var) / N as f64).sqrt();
        assert!(
            (var - want_var).abs() < 5.0 * se_var,
            "variance {var}, want {want_var} +- {se_var}"
        );
        let fixed = GapParams {
            jump_sd: 0.0,
            ..p.clone()
        };
        let n = gap_jumps(&fixed, dt, &mut rng) / fixed.jump_mean;
        assert_eq!(n, n.round(), "fixed-size jumps sum to a whole number of jumps");
    }
}
