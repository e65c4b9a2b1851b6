//! The random draws of one step (docs/equations.md §0): the engine draws every
//! shock from the path's sub-streams and hands numbers to the model, which
//! draws nothing.
//!
//! Jump counts are bounded by the rates' domains (at most 365 a year, so a
//! period's mean count is at most 365 / 4 at quarterly steps): the sums
//! below take bounded time for every valid rate.

use rand::RngExt;
use rand_distr::{Distribution, Poisson, StandardNormal};

use crate::model::params::GapParams;
use crate::rng::Stream;

/// Up to this many jumps in a period, normal jumps are drawn one by one (as
/// they always were, so the streams of ordinary rates, and every pinned
/// value, are unchanged: at the presets' 3.9 a year, a period has more than
/// 16 jumps with probability below 1e-20). Above it their sum is drawn at
/// once as `s sqrt(N) Z`, which is exact: the sum of `N` iid normal(0, s)
/// is normal(0, s sqrt(N)).
pub const NORMAL_JUMPS_ONE_BY_ONE: u64 = 16;

/// The Poisson sampler refused a period's mean count (not finite, or above
/// `Poisson::MAX_LAMBDA`, about 1.8e19). The rates' domains keep every mean
/// far below; a run that meets one stops with an error instead of reading
/// it as "no jumps".
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Unsampled {
    /// The mean count the sampler refused (`rate x dt`).
    pub mean: f64,
}

/// A period's jump count `N ~ Poisson(mean)`, `mean >= 0`, its sampler
/// built once per path: the mean `rate x dt` is fixed on a path, and
/// building the sampler computes `exp(-mean)`. A mean of exactly 0 (a
/// positive rate so small that `rate x dt` underflows) is no jumps, with no
/// draw; a mean the sampler refuses is kept and returned at the first draw.
#[derive(Clone, Copy, Debug)]
enum JumpCount {
    Zero,
    Poisson(Poisson<f64>),
    Unsampled(Unsampled),
}

impl JumpCount {
    fn new(mean: f64) -> Self {
        if mean == 0.0 {
            return JumpCount::Zero;
        }
        match Poisson::new(mean) {
            Ok(d) => JumpCount::Poisson(d),
            Err(_) => JumpCount::Unsampled(Unsampled { mean }),
        }
    }

    #[inline]
    fn sample(&self, rng: &mut Stream) -> Result<u64, Unsampled> {
        match self {
            JumpCount::Zero => Ok(0),
            JumpCount::Poisson(d) => Ok(d.sample(rng) as u64),
            JumpCount::Unsampled(e) => Err(*e),
        }
    }
}

/// The closed-release jumps of a path, built once per path: per period,
/// `N ~ Poisson(lambda_R dt)`, each `J ~ lognormal(J_mean, J_sd)` (every
/// jump `J_mean` when `J_sd = 0`). Draws nothing when `lambda_R = 0` or
/// `J_mean = 0`, so a scenario without releases keeps the draws of one with
/// none. A sum of lognormals has no closed form, so the jumps are drawn one
/// by one: the domain of `gap.release_rate` (at most 365 a year) is what
/// bounds `N`.
#[derive(Clone, Copy, Debug)]
pub struct GapJumps {
    /// None when the path draws nothing for them.
    count: Option<JumpCount>,
    jump_mean: f64,
    /// The lognormal's `(mu, sigma)`, None for jumps of fixed size.
    lognormal: Option<(f64, f64)>,
}

impl GapJumps {
    pub fn new(p: &GapParams, dt: f64) -> Self {
        if p.release_rate <= 0.0 || p.jump_mean <= 0.0 {
            return GapJumps {
                count: None,
                jump_mean: 0.0,
                lognormal: None,
            };
        }
        GapJumps {
            count: Some(JumpCount::new(p.release_rate * dt)),
            jump_mean: p.jump_mean,
            lognormal: (p.jump_sd > 0.0).then(|| crate::dist::lognormal_params(p.jump_mean, p.jump_sd)),
        }
    }

    /// The sum of one period's jumps.
    ///
    /// # Errors
    /// [`Unsampled`] when the sampler cannot take `lambda_R dt`.
    #[inline]
    pub fn draw(&self, rng: &mut Stream) -> Result<f64, Unsampled> {
        let Some(count) = self.count else {
            return Ok(0.0);
        };
        let n = count.sample(rng)?;
        let Some((mu, sigma)) = self.lognormal else {
            return Ok(n as f64 * self.jump_mean);
        };
        Ok((0..n)
            .map(|_| (mu + sigma * rng.sample::<f64, _>(StandardNormal)).exp())
            .sum())
    }
}

/// The attractiveness jumps of a path, built once per path and shared by
/// its labs (the rate and size are run-wide): per lab and period,
/// `N ~ Poisson(lambda_a dt)` jumps, each ~ normal(0, `s_a`). Draws nothing
/// when `lambda_a = 0` or `s_a = 0`, so a scenario without jumps keeps the
/// draws of one with none. Above [`NORMAL_JUMPS_ONE_BY_ONE`] jumps, one draw
/// for the sum.
#[derive(Clone, Copy, Debug)]
pub struct LabJumps {
    /// None when the path draws nothing for them.
    count: Option<JumpCount>,
    sd: f64,
}

impl LabJumps {
    pub fn new(rate: f64, sd: f64, dt: f64) -> Self {
        let count = (rate > 0.0 && sd > 0.0).then(|| JumpCount::new(rate * dt));
        LabJumps { count, sd }
    }

    /// The sum of one lab's jumps in one period.
    ///
    /// # Errors
    /// [`Unsampled`] when the sampler cannot take `lambda_a dt`.
    #[inline]
    pub fn draw(&self, rng: &mut Stream) -> Result<f64, Unsampled> {
        let Some(count) = self.count else {
            return Ok(0.0);
        };
        let sd = self.sd;
        let n = count.sample(rng)?;
        if n > NORMAL_JUMPS_ONE_BY_ONE {
            return Ok(sd * (n as f64).sqrt() * rng.sample::<f64, _>(StandardNormal));
        }
        Ok((0..n).map(|_| sd * rng.sample::<f64, _>(StandardNormal)).sum())
    }
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

    /// One period's gap jumps from a sampler built for the call (the
    /// engine builds it once per path: the same draws).
    fn gap_jumps(p: &GapParams, dt: f64, rng: &mut Stream) -> Result<f64, Unsampled> {
        GapJumps::new(p, dt).draw(rng)
    }

    /// One period's attractiveness jumps from a sampler built for the call.
    fn attractiveness_jumps(rate: f64, sd: f64, dt: f64, rng: &mut Stream) -> Result<f64, Unsampled> {
        LabJumps::new(rate, sd, dt).draw(rng)
    }

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
        let (mean, var) = moments(|| attractiveness_jumps(rate, sd, dt, &mut rng).unwrap());
        let sigma2 = rate * dt * sd * sd;
        let kappa4 = 3.0 * rate * dt * sd.powi(4);
        assert!(mean.abs() < 5.0 * (sigma2 / N as f64).sqrt(), "mean {mean}");
        let se_var = ((kappa4 + 2.0 * sigma2 * sigma2) / N as f64).sqrt();
        assert!(
            (var - sigma2).abs() < 5.0 * se_var,
            "variance {var}, want {sigma2} +- {se_var}"
        );
        assert_eq!(attractiveness_jumps(0.0, sd, dt, &mut rng), Ok(0.0));
        assert_eq!(attractiveness_jumps(rate, 0.0, dt, &mut rng), Ok(0.0));
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
        let (mean, var) = moments(|| gap_jumps(&p, dt, &mut rng).unwrap());
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
        let n = gap_jumps(&fixed, dt, &mut rng).unwrap() / fixed.jump_mean;
        assert_eq!(n, n.round(), "fixed-size jumps sum to a whole number of jumps");
    }

    /// The variance test of [`attractiveness_jumps_have_rate_times_dt_and_normal_sizes`]
    /// at a mean count `m = rate dt`: five standard errors.
    fn check_normal_jump_moments(rate: f64, sd: f64, dt: f64, key: u64) {
        let mut rng = stream(7, 0, key);
        let (mean, var) = moments(|| attractiveness_jumps(rate, sd, dt, &mut rng).unwrap());
        let sigma2 = rate * dt * sd * sd;
        let kappa4 = 3.0 * rate * dt * sd.powi(4);
        assert!(
            mean.abs() < 5.0 * (sigma2 / N as f64).sqrt(),
            "rate {rate}: mean {mean}"
        );
        let se_var = ((kappa4 + 2.0 * sigma2 * sigma2) / N as f64).sqrt();
        assert!(
            (var - sigma2).abs() < 5.0 * se_var,
            "rate {rate}: variance {var}, want {sigma2} +- {se_var}"
        );
    }

    #[test]
    fn attractiveness_jumps_are_exact_above_the_one_by_one_threshold() {
        // Mean count 20 (the one-draw form on most periods, the loop on the
        // rest; a wrong scale such as sqrt(N - 1) moves the variance by 5%,
        // 16 standard errors) and 91.25, the most the domain allows (365 a
        // year at quarterly steps: the one-draw form on every period).
        check_normal_jump_moments(80.0, 0.3, 0.25, 13);
        check_normal_jump_moments(365.0, 0.3, 0.25, 14);
    }

    #[test]
    fn ordinary_rates_keep_their_draws() {
        // At or below the threshold the jumps are drawn one by one, as
        // before: the sum equals the loop over the same stream, with the
        // sampler built once (as the engine does per path) or per period.
        let (rate, sd, dt) = (3.9, 0.2, 1.0 / 12.0);
        let mut a = stream(3, 5, 9);
        let mut b = a.clone();
        let once = LabJumps::new(rate, sd, dt);
        for _ in 0..10_000 {
            let x = once.draw(&mut a).unwrap();
            let n = Poisson::new(rate * dt).unwrap().sample(&mut b) as u64;
            assert!(n <= NORMAL_JUMPS_ONE_BY_ONE);
            let y: f64 = (0..n).map(|_| sd * normal(&mut b)).sum();
            assert_eq!(x.to_bits(), y.to_bits());
        }
    }

    #[test]
    fn huge_rates_take_one_draw_or_fail_named_never_zero() {
        // 1e12 a year: about 8e10 jumps a period, one draw (a loop would
        // not end). Finite and spread out, never all zero.
        let mut rng = stream(1, 0, 2);
        let xs: Vec<f64> = (0..100)
            .map(|_| attractiveness_jumps(1e12, 0.1, 1.0 / 12.0, &mut rng).unwrap())
            .collect();
        assert!(
            xs.iter().all(|x| x.is_finite()) && xs.iter().any(|x| x.abs() > 1.0),
            "{xs:?}"
        );
        // Beyond what the Poisson sampler takes: an error with the mean, not 0 jumps.
        for rate in [1e25, 1e308, f64::INFINITY] {
            let e = attractiveness_jumps(rate, 0.1, 0.25, &mut rng).unwrap_err();
            assert_eq!(e.mean, rate * 0.25);
            let p = GapParams {
                release_rate: rate,
                jump_mean: 1.0,
                ..Default::default()
            };
            assert_eq!(gap_jumps(&p, 0.25, &mut rng), Err(Unsampled { mean: rate * 0.25 }));
        }
        // A positive rate whose mean count underflows to 0 is no jumps.
        let p = GapParams {
            release_rate: 5e-324,
            jump_mean: 1.0,
            ..Default::default()
        };
        assert_eq!(gap_jumps(&p, 0.25, &mut rng), Ok(0.0));
    }
}
