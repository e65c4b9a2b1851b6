//! Statistics of docs/equations.md §8: moments with sums in path order, type-7
//! quantiles, probabilities with their standard errors, CVaR, and (in
//! [`sketch`]) the mergeable sketches used for time-series quantiles.

mod accumulator;
pub mod exact;
mod fastlog;
pub mod sketch;

use serde::{Deserialize, Serialize};

pub use accumulator::{ExactAccumulator, MomentsAccumulator};
pub use exact::{ExactMoments, ExactSum};
pub use sketch::{SKETCH_ALPHA, SKETCH_BUCKETS, SKETCH_WIDTH, SKETCH_ZERO, Scale, Sketch};

/// Quantile of sorted data by linear interpolation between order statistics
/// (Hyndman-Fan type 7, numpy's default): `h = (N - 1) q`.
pub fn quantile_sorted(sorted: &[f64], q: f64) -> f64 {
    let n = sorted.len();
    if n == 0 {
        return f64::NAN;
    }
    let h = (n - 1) as f64 * q;
    let lo = h.floor() as usize;
    let hi = (lo + 1).min(n - 1);
    let frac = h - lo as f64;
    if frac == 0.0 {
        sorted[lo]
    } else {
        let (a, b) = (sorted[lo], sorted[hi]);
        let x = a + frac * (b - a);
        // `b - a` overflows only for values near the largest f64.
        if x.is_finite() { x } else { a * (1.0 - frac) + b * frac }
    }
}

/// The mean of finite values, in path order; when the plain sum overflows
/// (values near the largest f64), the sum of `x / n` instead, which cannot.
pub fn mean(xs: &[f64]) -> f64 {
    let n = xs.len() as f64;
    let m = xs.iter().sum::<f64>() / n;
    if m.is_finite() || xs.iter().any(|x| !x.is_finite()) {
        m
    } else {
        xs.iter().map(|x| x / n).sum()
    }
}

/// `sqrt(sum (x - mean)^2 / (n - 1))`, scaled by the largest magnitude when
/// the squares overflow.
fn sample_sd(xs: &[f64], mean: f64) -> f64 {
    let n1 = (xs.len() - 1) as f64;
    let sd = (xs.iter().map(|x| (x - mean) * (x - mean)).sum::<f64>() / n1).sqrt();
    if sd.is_finite() || xs.iter().any(|x| !x.is_finite()) {
        return sd;
    }
    let scale = xs.iter().fold(mean.abs(), |m, x| m.max(x.abs()));
    let (ms, ns) = (mean / scale, n1);
    scale * (xs.iter().map(|x| (x / scale - ms) * (x / scale - ms)).sum::<f64>() / ns).sqrt()
}

/// The values of `xs` other than NaN, sorted (infinities are kept).
pub fn sorted(xs: &[f64]) -> Vec<f64> {
    let mut v: Vec<f64> = xs.iter().copied().filter(|x| !x.is_nan()).collect();
    v.sort_by(f64::total_cmp);
    v
}

/// Mean, standard deviation (N - 1) and standard error of the mean.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Moments {
    /// Number of values.
    pub n: usize,
    /// The mean (NaN with no values).
    pub mean: f64,
    /// Standard deviation with `n - 1` (0 with one value).
    pub sd: f64,
    /// Standard error of the mean, `sd / sqrt(n)`.
    pub se: f64,
}

/// Moments with sums in path order (two passes, so the result depends only
/// on the values and their order).
pub fn moments(xs: &[f64]) -> Moments {
    let n = xs.len();
    if n == 0 {
        return Moments {
            n,
            mean: f64::NAN,
            sd: f64::NAN,
            se: f64::NAN,
        };
    }
    let mean = mean(xs);
    let sd = if n > 1 { sample_sd(xs, mean) } else { 0.0 };
    Moments {
        n,
        mean,
        sd,
        se: sd / (n as f64).sqrt(),
    }
}

/// A probability estimated over paths, with `se = sqrt(p (1 - p) / N)`.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Prob {
    /// The fraction of paths.
    pub p: f64,
    /// Its standard error, `sqrt(p (1 - p) / N)`.
    pub se: f64,
}

impl Prob {
    /// `count` of `n` paths; NaN for both when `n = 0`.
    pub fn from_count(count: usize, n: usize) -> Prob {
        if n == 0 {
            return Prob {
                p: f64::NAN,
                se: f64::NAN,
            };
        }
        let p = count as f64 / n as f64;
        Prob {
            p,
            se: (p * (1.0 - p) / n as f64).sqrt(),
        }
    }
}

/// P(x < threshold), strict, over all paths.
pub fn prob_below(xs: &[f64], threshold: f64) -> Prob {
    Prob::from_count(xs.iter().filter(|x| **x < threshold).count(), xs.len())
}

/// Mean of the `ceil(0.05 N)` smallest values (sorted input).
pub fn cvar5_sorted(sorted: &[f64]) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let m = ((0.05 * sorted.len() as f64).ceil() as usize).max(1);
    mean(&sorted[..m])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn type7_matches_numpy() {
        // numpy.quantile([1, 2, 3, 4], [0.1, 0.5, 0.9]) = [1.3, 2.5, 3.7]
        let v = [1.0, 2.0, 3.0, 4.0];
        assert!((quantile_sorted(&v, 0.1) - 1.3).abs() < 1e-12);
        assert!((quantile_sorted(&v, 0.5) - 2.5).abs() < 1e-12);
        assert!((quantile_sorted(&v, 0.9) - 3.7).abs() < 1e-12);
        assert_eq!(quantile_sorted(&v, 1.0), 4.0);
    }

    /// Values near the largest f64 give finite statistics, not infinities.
    #[test]
    fn statistics_do_not_overflow() {
        let xs = [1e308, 1.5e308, -1e308, 1.7e308, 1.2e308];
        let m = moments(&xs);
        assert!((m.mean - 0.88e308).abs() < 1e293, "{}", m.mean);
        assert!(m.sd.is_finite() && m.sd > 1e308, "{}", m.sd);
        let mut s = xs.to_vec();
        s.sort_by(f64::total_cmp);
        let q = quantile_sorted(&s, 0.1);
        assert!(q.is_finite() && q > -1e308 && q < 1e308, "{q}");
        assert!(cvar5_sorted(&s).is_finite());
        // Ordinary values keep the plain formulas' bits.
        let plain = [0.1, 0.2, 0.3];
        assert_eq!(mean(&plain), (0.1 + 0.2 + 0.3) / 3.0);
    }

    #[test]
    fn moments_and_probabilities() {
        let m = moments(&[1.0, 2.0, 3.0, 4.0]);
        assert_eq!(m.mean, 2.5);
        assert!((m.sd - (5.0f64 / 3.0).sqrt()).abs() < 1e-15);
        assert!((m.se - m.sd / 2.0).abs() < 1e-15);
        let p = prob_below(&[0.2, 0.5, 0.7, 1.0], 0.5);
        assert_eq!(p.p, 0.25);
        assert!((p.se - (0.25f64 * 0.75 / 4.0).sqrt()).abs() < 1e-15);
        let s: Vec<f64> = (1..=40).map(f64::from).collect();
        assert_eq!(cvar5_sorted(&s), 1.5);
    }
}
