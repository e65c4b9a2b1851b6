//! Statistical tests of the input samplers (docs/equations.md §0, §7 and §8).
//!
//! Every sample is drawn from a fixed seed, so each test is deterministic;
//! every tolerance is a published critical value or a multiple of a standard
//! error derived in a comment next to it. The references come from statrs or
//! closed forms computed here, never from the engine's own `cdf`.
//!
//! Run with `cargo test --test samplers -- --nocapture` to see the measured
//! statistics.

// NaN-aware checks (`!(d < crit)`) are deliberate: a NaN statistic fails.
#![allow(clippy::neg_cmp_op_on_partial_ord)]

use std::path::PathBuf;

use aibubble::dist::{Dist, Sampler, Support};
use aibubble::internals::rng::named_stream;
use aibubble::results::Results;
use aibubble::{Scenario, Simulation, Uncertain};
use rand::{RngExt, SeedableRng};
use rand_distr::StandardNormal;
use rand_xoshiro::Xoshiro256PlusPlus;
use statrs::distribution::{Beta, ChiSquared, ContinuousCDF, LogNormal, Normal, Triangular, Uniform};
use statrs::statistics::Distribution as _;

/// Draws per distribution.
const N: usize = 200_000;

/// Kolmogorov's limiting law gives `P(sqrt(N) D > c) = 2 exp(-2 c^2)` (the
/// next term, `2 exp(-8 c^2)`, is ~1e-13 here), so at alpha = 0.001 the
/// critical value is `c = sqrt(ln(2 / 0.001) / 2) = 1.9495`, 1.95 in the
/// usual tables. The finite-sample correction (Stephens 1970: `sqrt(N) + 0.12
/// + 0.11 / sqrt(N)` in place of `sqrt(N)`) is below 0.2 % for N >= 5,000.
const KS_C_ALPHA_001: f64 = 1.95;

/// Tolerance in standard errors for an approximately normal estimator: a
/// two-sided tail of 6.3e-5 per check (about 60 such checks here: a
/// family-wise false alarm rate near 0.4 %, besides the ~30 KS and chi-square
/// tests at alpha = 0.001). Seeds are fixed, so every outcome is reproducible.
const K_SE: f64 = 4.0;

// ---------------------------------------------------------------- helpers

fn data(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data").join(name)
}

/// A distribution from its scenario-file form (an inline TOML table).
fn dist(spec: &str) -> Dist {
    #[derive(serde::Deserialize)]
    struct W {
        d: Dist,
    }
    toml::from_str::<W>(&format!("d = {spec}"))
        .unwrap_or_else(|e| panic!("{spec}: {e}"))
        .d
}

fn sampler(spec: &str) -> Sampler {
    let d = dist(spec);
    assert!(d.problems().is_empty(), "{spec}: {:?}", d.problems());
    d.sampler().unwrap_or_else(|e| panic!("{spec}: {e}"))
}

/// `n` standard normals from a fixed seed.
fn normals(seed: u64, n: usize) -> Vec<f64> {
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed);
    (0..n).map(|_| rng.sample::<f64, _>(StandardNormal)).collect()
}

fn std_normal() -> Normal {
    Normal::new(0.0, 1.0).unwrap()
}

/// `P(alpha < Z < beta)` for a standard normal, from the tail that keeps precision.
fn normal_mass(alpha: f64, beta: f64) -> f64 {
    let n = std_normal();
    if alpha > 0.0 {
        n.sf(alpha) - n.sf(beta)
    } else {
        n.cdf(beta) - n.cdf(alpha)
    }
}

/// Standard normal density, 0 at +-infinity.
fn phi(x: f64) -> f64 {
    if x.is_infinite() {
        0.0
    } else {
        (-0.5 * x * x).exp() / (2.0 * std::f64::consts::PI).sqrt()
    }
}

/// `x phi(x)`, 0 at +-infinity (where the product is 0 * inf in floating point).
fn x_phi(x: f64) -> f64 {
    if x.is_infinite() { 0.0 } else { x * phi(x) }
}

/// Composite Simpson's rule with `m` (even) intervals.
fn simpson(f: impl Fn(f64) -> f64, a: f64, b: f64, m: usize) -> f64 {
    let h = (b - a) / m as f64;
    let mut s = f(a) + f(b);
    for i in 1..m {
        s += f(a + i as f64 * h) * if i % 2 == 1 { 4.0 } else { 2.0 };
    }
    s * h / 3.0
}

/// Kolmogorov-Smirnov statistic of a sorted sample against a CDF.
fn ks_statistic(sorted: &[f64], cdf: impl Fn(f64) -> f64) -> f64 {
    let n = sorted.len() as f64;
    sorted.iter().enumerate().fold(0.0, |d: f64, (i, &x)| {
        let f = cdf(x);
        d.max(f - i as f64 / n).max((i + 1) as f64 / n - f)
    })
}

fn sorted(xs: &[f64]) -> Vec<f64> {
    let mut v = xs.to_vec();
    v.sort_by(f64::total_cmp);
    v
}

fn mean(xs: &[f64]) -> f64 {
    xs.iter().sum::<f64>() / xs.len() as f64
}

/// Mid-ranks (1-based; ties share their average rank).
fn ranks(xs: &[f64]) -> Vec<f64> {
    let mut idx: Vec<usize> = (0..xs.len()).collect();
    idx.sort_by(|a, b| xs[*a].total_cmp(&xs[*b]));
    let mut r = vec![0.0; xs.len()];
    let mut i = 0;
    while i < idx.len() {
        let mut j = i;
        while j + 1 < idx.len() && xs[idx[j + 1]] == xs[idx[i]] {
            j += 1;
        }
        let avg = (i + j) as f64 / 2.0 + 1.0;
        for k in &idx[i..=j] {
            r[*k] = avg;
        }
        i = j + 1;
    }
    r
}

fn pearson(x: &[f64], y: &[f64]) -> f64 {
    let (mx, my) = (mean(x), mean(y));
    let (mut sxy, mut sxx, mut syy) = (0.0, 0.0, 0.0);
    for (a, b) in x.iter().zip(y) {
        sxy += (a - mx) * (b - my);
        sxx += (a - mx) * (a - mx);
        syy += (b - my) * (b - my);
    }
    sxy / (sxx * syy).sqrt()
}

/// Spearman's rank correlation: Pearson's on the mid-ranks.
fn spearman(x: &[f64], y: &[f64]) -> f64 {
    pearson(&ranks(x), &ranks(y))
}

// ------------------------------------------------------------ references

/// An untruncated reference family, independent of the engine's code.
enum Family {
    Normal {
        mu: f64,
        sigma: f64,
    },
    /// `ln X ~ N(mu, sigma)`.
    LogNormal {
        mu: f64,
        sigma: f64,
    },
    /// A family on `[lo, hi]`: its statrs CDF and its statrs (or closed-form) mean and variance.
    Bounded {
        cdf: Box<dyn Fn(f64) -> f64>,
        lo: f64,
        hi: f64,
        mean: f64,
        var: f64,
    },
}

impl Family {
    fn uniform(lo: f64, hi: f64) -> Family {
        let d = Uniform::new(lo, hi).unwrap();
        Family::Bounded {
            mean: d.mean().unwrap(),
            var: d.variance().unwrap(),
            cdf: Box::new(move |x| d.cdf(x)),
            lo,
            hi,
        }
    }
    fn triangular(lo: f64, mode: f64, hi: f64) -> Family {
        let d = Triangular::new(lo, hi, mode).unwrap();
        Family::Bounded {
            mean: d.mean().unwrap(),
            var: d.variance().unwrap(),
            cdf: Box::new(move |x| d.cdf(x)),
            lo,
            hi,
        }
    }
    /// `lo + (hi - lo) Beta(a, b)`.
    fn beta(a: f64, b: f64, lo: f64, hi: f64) -> Family {
        let d = Beta::new(a, b).unwrap();
        Family::Bounded {
            mean: lo + (hi - lo) * d.mean().unwrap(),
            var: (hi - lo) * (hi - lo) * d.variance().unwrap(),
            cdf: Box::new(move |x| d.cdf(((x - lo) / (hi - lo)).clamp(0.0, 1.0))),
            lo,
            hi,
        }
    }
    /// docs/equations.md §0: `pert(lo, mode, hi) = lo + (hi - lo) Beta(1 + 4 (mode - lo)/(hi - lo), 1 + 4 (hi - mode)/(hi - lo))`.
    fn pert(lo: f64, mode: f64, hi: f64) -> Family {
        let w = hi - lo;
        Family::beta(1.0 + 4.0 * (mode - lo) / w, 1.0 + 4.0 * (hi - mode) / w, lo, hi)
    }
    /// docs/equations.md §0: `sigma^2 = ln(1 + s^2/m^2)`, `mu = ln m - sigma^2 / 2`.
    fn lognormal_mean_sd(m: f64, s: f64) -> Family {
        let s2 = (1.0 + s * s / (m * m)).ln();
        Family::LogNormal {
            mu: m.ln() - s2 / 2.0,
            sigma: s2.sqrt(),
        }
    }

    fn limits(&self) -> (f64, f64) {
        match self {
            Family::Normal { .. } => (f64::NEG_INFINITY, f64::INFINITY),
            Family::LogNormal { .. } => (0.0, f64::INFINITY),
            Family::Bounded { lo, hi, .. } => (*lo, *hi),
        }
    }

    fn cdf(&self, x: f64) -> f64 {
        match self {
            Family::Normal { mu, sigma } => Normal::new(*mu, *sigma).unwrap().cdf(x),
            Family::LogNormal { mu, sigma } => LogNormal::new(*mu, *sigma).unwrap().cdf(x),
            Family::Bounded { cdf, .. } => cdf(x),
        }
    }

    fn sf(&self, x: f64) -> f64 {
        match self {
            Family::Normal { mu, sigma } => Normal::new(*mu, *sigma).unwrap().sf(x),
            Family::LogNormal { mu, sigma } => LogNormal::new(*mu, *sigma).unwrap().sf(x),
            Family::Bounded { cdf, .. } => 1.0 - cdf(x),
        }
    }
}

/// A reference family conditioned on `[min, max]`.
struct Reference {
    family: Family,
    min: f64,
    max: f64,
}

impl Reference {
    fn new(family: Family) -> Reference {
        Reference::truncated(family, None, None)
    }
    fn truncated(family: Family, min: Option<f64>, max: Option<f64>) -> Reference {
        Reference {
            family,
            min: min.unwrap_or(f64::NEG_INFINITY),
            max: max.unwrap_or(f64::INFINITY),
        }
    }

    /// The interval the conditioned variable lives in (its open support).
    fn interval(&self) -> (f64, f64) {
        let (lo, hi) = self.family.limits();
        (lo.max(self.min), hi.min(self.max))
    }

    fn is_truncated(&self) -> bool {
        self.interval() != self.family.limits()
    }

    /// `(F(x) - F(a)) / (F(b) - F(a))` from statrs, evaluated through the
    /// survival function when `a` lies in the upper half (no cancellation).
    fn cdf(&self, x: f64) -> f64 {
        let (a, b) = self.interval();
        if !self.is_truncated() {
            return self.family.cdf(x);
        }
        let x = x.clamp(a, b);
        if self.family.cdf(a) > 0.5 {
            (self.family.sf(a) - self.family.sf(x)) / (self.family.sf(a) - self.family.sf(b))
        } else {
            (self.family.cdf(x) - self.family.cdf(a)) / (self.family.cdf(b) - self.family.cdf(a))
        }
    }

    /// Mean and variance of the conditioned variable.
    fn moments(&self) -> (f64, f64) {
        let (a, b) = self.interval();
        match &self.family {
            // Truncated normal (Johnson, Kotz and Balakrishnan 1994, sec. 10.1):
            // with alpha = (a - mu)/sigma, beta = (b - mu)/sigma, Z = Phi(beta) - Phi(alpha),
            // mean = mu + sigma (phi(alpha) - phi(beta)) / Z,
            // var = sigma^2 [1 + (alpha phi(alpha) - beta phi(beta)) / Z - ((phi(alpha) - phi(beta)) / Z)^2].
            Family::Normal { mu, sigma } => {
                let (al, be) = ((a - mu) / sigma, (b - mu) / sigma);
                let z = normal_mass(al, be);
                let d = (phi(al) - phi(be)) / z;
                (
                    mu + sigma * d,
                    sigma * sigma * (1.0 + (x_phi(al) - x_phi(be)) / z - d * d),
                )
            }
            // Partial moments of the lognormal: E[X^k; a < X < b] =
            // exp(k mu + k^2 sigma^2 / 2) (Phi(beta - k sigma) - Phi(alpha - k sigma)).
            Family::LogNormal { mu, sigma } => {
                let (al, be) = ((a.ln() - mu) / sigma, (b.ln() - mu) / sigma);
                let z = normal_mass(al, be);
                let m = |k: f64| {
                    (k * mu + k * k * sigma * sigma / 2.0).exp() * normal_mass(al - k * sigma, be - k * sigma) / z
                };
                let (m1, m2) = (m(1.0), m(2.0));
                (m1, m2 - m1 * m1)
            }
            Family::Bounded { mean, var, .. } if !self.is_truncated() => (*mean, *var),
            // Conditioned bounded family: from the statrs CDF G of the
            // conditional law, E[X] = a + int_a^b (1 - G), E[(X - a)^2] =
            // int_a^b 2 (x - a) (1 - G). Simpson's rule on 20,000 intervals
            // is accurate to < 1e-6 of the range, far below the 4 SE (~1e-2 sd) tested.
            Family::Bounded { .. } => {
                let m = 20_000;
                let m1 = simpson(|x| 1.0 - self.cdf(x), a, b, m);
                let m2 = simpson(|x| 2.0 * (x - a) * (1.0 - self.cdf(x)), a, b, m);
                (a + m1, m2 - m1 * m1)
            }
        }
    }
}

// ---------------------------------------------------- 1. continuous families

struct Case {
    spec: &'static str,
    reference: Reference,
}

fn case(spec: &'static str, family: Family) -> Case {
    let d = dist(spec);
    Case {
        spec,
        reference: Reference::truncated(family, d.min, d.max),
    }
}

fn continuous_cases() -> Vec<Case> {
    vec![
        // Untruncated, one per family and parameterisation.
        case(r#"{ dist = "uniform", lo = 2.0, hi = 6.0 }"#, Family::uniform(2.0, 6.0)),
        case(
            r#"{ dist = "normal", mean = 3.0, sd = 1.5 }"#,
            Family::Normal { mu: 3.0, sigma: 1.5 },
        ),
        case(
            r#"{ dist = "lognormal", mean = 1.0, sd = 0.4 }"#,
            Family::lognormal_mean_sd(1.0, 0.4),
        ),
        case(
            r#"{ dist = "lognormal", mu = 0.2, sigma = 0.7 }"#,
            Family::LogNormal { mu: 0.2, sigma: 0.7 },
        ),
        case(
            r#"{ dist = "triangular", lo = 0.10, mode = 0.12, hi = 0.16 }"#,
            Family::triangular(0.10, 0.12, 0.16),
        ),
        case(
            r#"{ dist = "triangular", lo = 1.0, mode = 1.0, hi = 3.0 }"#,
            Family::triangular(1.0, 1.0, 3.0),
        ),
        case(
            r#"{ dist = "pert", lo = 0.12, mode = 0.1667, hi = 0.25 }"#,
            Family::pert(0.12, 0.1667, 0.25),
        ),
        case(
            r#"{ dist = "beta", a = 2.0, b = 5.0 }"#,
            Family::beta(2.0, 5.0, 0.0, 1.0),
        ),
        case(
            r#"{ dist = "beta", a = 2.5, b = 1.5, lo = 10.0, hi = 20.0 }"#,
            Family::beta(2.5, 1.5, 10.0, 20.0),
        ),
        case(
            r#"{ dist = "beta", a = 0.5, b = 0.8, lo = -1.0, hi = 3.0 }"#,
            Family::beta(0.5, 0.8, -1.0, 3.0),
        ),
        // Truncated: one-sided below, one-sided above, two-sided.
        case(
            r#"{ dist = "normal", mean = 3.0, sd = 1.5, min = 2.0 }"#,
            Family::Normal { mu: 3.0, sigma: 1.5 },
        ),
        case(
            r#"{ dist = "normal", mean = 3.0, sd = 1.5, max = 4.0 }"#,
            Family::Normal { mu: 3.0, sigma: 1.5 },
        ),
        case(
            r#"{ dist = "normal", mean = 3.0, sd = 1.5, min = 1.0, max = 3.5 }"#,
            Family::Normal { mu: 3.0, sigma: 1.5 },
        ),
        // Deep tails: 4 sd above (mass 3.2e-5) and 5 sd below (mass 2.9e-7).
        case(
            r#"{ dist = "normal", mean = 0.0, sd = 1.0, min = 4.0 }"#,
            Family::Normal { mu: 0.0, sigma: 1.0 },
        ),
        case(
            r#"{ dist = "normal", mean = 0.0, sd = 1.0, max = -5.0 }"#,
            Family::Normal { mu: 0.0, sigma: 1.0 },
        ),
        case(
            r#"{ dist = "lognormal", mean = 1.0, sd = 0.4, max = 1.5 }"#,
            Family::lognormal_mean_sd(1.0, 0.4),
        ),
        case(
            r#"{ dist = "lognormal", mean = 1.0, sd = 0.4, min = 0.8 }"#,
            Family::lognormal_mean_sd(1.0, 0.4),
        ),
        case(
            r#"{ dist = "lognormal", mu = 0.2, sigma = 0.7, min = 1.0, max = 3.0 }"#,
            Family::LogNormal { mu: 0.2, sigma: 0.7 },
        ),
        case(
            r#"{ dist = "uniform", lo = 2.0, hi = 6.0, min = 3.0, max = 5.5 }"#,
            Family::uniform(2.0, 6.0),
        ),
        // A bound outside the support does nothing on that side.
        case(
            r#"{ dist = "uniform", lo = 2.0, hi = 6.0, min = 1.0, max = 5.0 }"#,
            Family::uniform(2.0, 6.0),
        ),
        case(
            r#"{ dist = "triangular", lo = 0.10, mode = 0.12, hi = 0.16, min = 0.11, max = 0.14 }"#,
            Family::triangular(0.10, 0.12, 0.16),
        ),
        case(
            r#"{ dist = "pert", lo = 0.12, mode = 0.1667, hi = 0.25, min = 0.15 }"#,
            Family::pert(0.12, 0.1667, 0.25),
        ),
        case(
            r#"{ dist = "beta", a = 2.0, b = 5.0, max = 0.3 }"#,
            Family::beta(2.0, 5.0, 0.0, 1.0),
        ),
        case(
            r#"{ dist = "beta", a = 0.5, b = 0.8, lo = -1.0, hi = 3.0, min = 0.0, max = 2.0 }"#,
            Family::beta(0.5, 0.8, -1.0, 3.0),
        ),
    ]
}

/// What one continuous case measured.
struct Measured {
    ks: f64,
    mean: f64,
    ref_mean: f64,
    se: f64,
    at_bounds: usize,
    outside: usize,
    non_monotone: usize,
}

fn measure(s: &Sampler, r: &Reference, seed: u64) -> Measured {
    let z = normals(seed, N);
    let x: Vec<f64> = z.iter().map(|z| s.from_normal(*z)).collect();
    let (a, b) = r.interval();
    // Conditioning, never clipping: every value strictly inside, none on a bound.
    let outside = x.iter().filter(|v| !(**v >= a && **v <= b)).count();
    let at_bounds = x.iter().filter(|v| **v == a || **v == b).count();
    // One standard normal per draw, through a nondecreasing map (what makes
    // the copula of section 7 carry over to the inputs).
    let mut pairs: Vec<(f64, f64)> = z.iter().copied().zip(x.iter().copied()).collect();
    pairs.sort_by(|p, q| p.0.total_cmp(&q.0));
    let non_monotone = pairs.windows(2).filter(|w| w[1].1 < w[0].1).count();
    let (ref_mean, ref_var) = r.moments();
    Measured {
        ks: ks_statistic(&sorted(&x), |v| r.cdf(v)),
        mean: mean(&x),
        ref_mean,
        // Standard error of the sample mean, from the reference sd.
        se: ref_var.sqrt() / (N as f64).sqrt(),
        at_bounds,
        outside,
        non_monotone,
    }
}

#[test]
fn continuous_samplers_match_their_reference_laws() {
    let crit = KS_C_ALPHA_001 / (N as f64).sqrt();
    let mut failures = Vec::new();
    for (i, c) in continuous_cases().iter().enumerate() {
        let s = sampler(c.spec);
        let (a, b) = c.reference.interval();
        if s.support() != Support::open(a, b) {
            failures.push(format!(
                "{}: support {:?}, expected open ({a}, {b})",
                c.spec,
                s.support()
            ));
        }
        let m = measure(&s, &c.reference, 1_000 + i as u64);
        let zscore = (m.mean - m.ref_mean) / m.se;
        println!(
            "{:<90} D = {:.5} (crit {:.5})  mean = {:.6} ref {:.6} ({:+.2} se)  at bounds {}",
            c.spec, m.ks, crit, m.mean, m.ref_mean, zscore, m.at_bounds
        );
        if !(m.ks < crit) {
            failures.push(format!("{}: KS D = {} >= {crit}", c.spec, m.ks));
        }
        if !(zscore.abs() < K_SE) {
            failures.push(format!(
                "{}: mean {} vs reference {} is {zscore:.2} standard errors away",
                c.spec, m.mean, m.ref_mean
            ));
        }
        if m.outside > 0 || m.at_bounds > 0 {
            failures.push(format!(
                "{}: {} values outside [{a}, {b}], {} exactly on a bound",
                c.spec, m.outside, m.at_bounds
            ));
        }
        if m.non_monotone > 0 {
            failures.push(format!("{}: from_normal decreases {} times", c.spec, m.non_monotone));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// The engine's own CDF and quantile agree with the statrs reference (a
/// consistency check of `Sampler::cdf`, used by domain checks and reports).
#[test]
fn sampler_cdf_and_quantile_agree_with_reference() {
    for c in continuous_cases() {
        let s = sampler(c.spec);
        for k in 1..100 {
            let u = k as f64 / 100.0;
            let x = s.quantile(u);
            // A numerical, not a statistical, tolerance: both sides evaluate
            // statrs functions, whose inverse CDFs (erfc_inv, inv_beta_reg)
            // are accurate to ~1e-10 in probability.
            let g = c.reference.cdf(x);
            assert!((g - u).abs() < 1e-8, "{}: G(F^-1({u})) = {g}", c.spec);
            assert!(
                (s.cdf(x) - g).abs() < 1e-8,
                "{}: cdf({x}) = {} vs {g}",
                c.spec,
                s.cdf(x)
            );
        }
    }
}

/// A truncation far in the upper tail (normal(0, 1) conditioned on x >= 7,
/// mass 1.3e-12): the interval `[F(7), 1]` holds only ~1e4 doubles, so
/// `q = F(lo) + u (1 - F(lo))` rounds to exactly 1 for u > 1 - 4e-5 and
/// `F^-1(1) = +inf`; for u < 4e-5 it rounds to F(lo) and the value is
/// clamped onto the bound. Computing such a `q` from the survival function
/// (`S^-1(S(lo) (1 - u))`) keeps full precision.
#[test]
fn upper_tail_truncation_stays_finite() {
    let mut failures = Vec::new();
    for (spec, family) in [
        (
            r#"{ dist = "normal", mean = 0.0, sd = 1.0, min = 7.0 }"#,
            Family::Normal { mu: 0.0, sigma: 1.0 },
        ),
        (
            r#"{ dist = "lognormal", mean = 1.0, sd = 0.1, min = 2.0 }"#,
            Family::lognormal_mean_sd(1.0, 0.1),
        ),
    ] {
        let s = sampler(spec);
        let d = dist(spec);
        let r = Reference::truncated(family, d.min, d.max);
        let m = measure(&s, &r, 7);
        let z = normals(7, N);
        let infinite = z.iter().filter(|z| !s.from_normal(**z).is_finite()).count();
        let on_min = z.iter().filter(|z| Some(s.from_normal(**z)) == d.min).count();
        let msg = format!(
            "{spec}: of {N} draws {infinite} are +inf and {on_min} equal min (KS D = {:.5})",
            m.ks
        );
        println!("{msg}");
        if infinite + on_min + m.outside > 0 {
            failures.push(msg);
        }
    }
    // End to end: the engine passes such a draw on as an input value (its
    // domain check looks at the support (7.5, inf), which excludes +inf, not
    // at the draws), so a run succeeds with gap.initial = +inf on some paths.
    let frozen = Scenario::from_file(data("frozen.toml")).unwrap();
    let sc = frozen
        .with_overrides([(
            "gap.initial",
            serde_json::json!({"dist": "normal", "mean": 4.0, "sd": 0.5, "min": 7.5}),
        )])
        .unwrap();
    let r = Simulation::new(&sc).unwrap().paths(N as u64).seed(1).run().unwrap();
    let infinite = column(&r, "gap.initial").iter().filter(|x| !x.is_finite()).count();
    if infinite > 0 {
        failures.push(format!(
            "engine run of frozen.toml with gap.initial = normal(4, 0.5) min 7.5: {infinite} of {N} paths drew +inf"
        ));
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

// ------------------------------------------------ 2. discrete and empirical

/// Chi-square statistic of draws against `(value, probability)` atoms, and
/// its critical value: the 0.999 quantile of chi-square with k - 1 degrees of
/// freedom (k atoms), valid since every expected count is >= 5 (here >= 2e4).
fn chi_square(draws: &[f64], atoms: &[(f64, f64)]) -> (f64, f64, usize) {
    let n = draws.len() as f64;
    let mut counts = vec![0usize; atoms.len()];
    let mut stray = 0;
    for x in draws {
        match atoms.iter().position(|(v, _)| v == x) {
            Some(i) => counts[i] += 1,
            None => stray += 1,
        }
    }
    let stat = atoms
        .iter()
        .zip(&counts)
        .map(|((_, p), o)| {
            let e = n * p;
            (*o as f64 - e).powi(2) / e
        })
        .sum();
    let crit = ChiSquared::new((atoms.len() - 1) as f64).unwrap().inverse_cdf(0.999);
    (stat, crit, stray)
}

#[test]
fn discrete_and_empirical_samplers_pass_chi_square() {
    let cases: Vec<(&str, Vec<(f64, f64)>)> = vec![
        (
            r#"{ dist = "discrete", values = [1.0, 2.5, 4.0, 10.0], probs = [0.1, 0.2, 0.3, 0.4] }"#,
            vec![(1.0, 0.1), (2.5, 0.2), (4.0, 0.3), (10.0, 0.4)],
        ),
        // Unsorted values with a zero probability: the zero-probability value never appears.
        (
            r#"{ dist = "discrete", values = [5.0, 1.0, 3.0, -2.0], probs = [0.5, 0.0, 0.3, 0.2] }"#,
            vec![(-2.0, 0.2), (3.0, 0.3), (5.0, 0.5)],
        ),
        // Inclusive truncation on two atoms: keeps 2.5 and 4.0, renormalised to 0.2/0.5 and 0.3/0.5.
        (
            r#"{ dist = "discrete", values = [1.0, 2.5, 4.0, 10.0], probs = [0.1, 0.2, 0.3, 0.4], min = 2.5, max = 4.0 }"#,
            vec![(2.5, 0.4), (4.0, 0.6)],
        ),
        // One-sided: drops 1.0, the rest renormalised by 0.9.
        (
            r#"{ dist = "discrete", values = [1.0, 2.5, 4.0, 10.0], probs = [0.1, 0.2, 0.3, 0.4], min = 2.0 }"#,
            vec![(2.5, 0.2 / 0.9), (4.0, 0.3 / 0.9), (10.0, 0.4 / 0.9)],
        ),
        // Equal weights with repeated values: atoms weighted by multiplicity.
        (
            r#"{ dist = "empirical", values = [3.0, 1.0, 2.0, 3.0, 2.0, 7.0, 3.0] }"#,
            vec![(1.0, 1.0 / 7.0), (2.0, 2.0 / 7.0), (3.0, 3.0 / 7.0), (7.0, 1.0 / 7.0)],
        ),
        (
            r#"{ dist = "empirical", values = [3.0, 1.0, 2.0, 3.0, 2.0, 7.0, 3.0], max = 3.0 }"#,
            vec![(1.0, 1.0 / 6.0), (2.0, 2.0 / 6.0), (3.0, 3.0 / 6.0)],
        ),
    ];
    let mut failures = Vec::new();
    for (i, (spec, atoms)) in cases.iter().enumerate() {
        let s = sampler(spec);
        let z = normals(2_000 + i as u64, N);
        let x: Vec<f64> = z.iter().map(|z| s.from_normal(*z)).collect();
        let (stat, crit, stray) = chi_square(&x, atoms);
        println!("{spec:<120} chi2 = {stat:.3} (crit {crit:.3}, {} dof)", atoms.len() - 1);
        if stray > 0 {
            failures.push(format!("{spec}: {stray} draws are not among the expected values"));
        }
        if !(stat < crit) {
            failures.push(format!("{spec}: chi-square {stat} >= {crit}"));
        }
        let lo = atoms.first().unwrap().0;
        let hi = atoms.last().unwrap().0;
        if s.support() != Support::closed(lo, hi) {
            failures.push(format!("{spec}: support {:?}, expected [{lo}, {hi}]", s.support()));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// `x = F^-1(q)` is the smallest v with `F(v) >= q` (docs/equations.md §0): at a
/// jump of F exactly, the lower value; one ulp above it, the next. The
/// cumulative probabilities used here are exact in binary (or the same
/// rounding of 1/3 and 2/3 as the engine's sums), so the boundaries are exact.
#[test]
fn atom_quantiles_take_the_smallest_value_reaching_q() {
    let up = f64::next_up;
    let check = |spec: &str, expect: &[(f64, f64)]| {
        let s = sampler(spec);
        for (u, v) in expect {
            assert_eq!(s.quantile(*u), *v, "{spec}: quantile({u:e})");
        }
    };
    check(
        // Unsorted: F(1) = 0.25, F(2) = 0.5, F(3) = 1.
        r#"{ dist = "discrete", values = [3.0, 1.0, 2.0], probs = [0.5, 0.25, 0.25] }"#,
        &[
            (f64::MIN_POSITIVE, 1.0),
            (0.25, 1.0),
            (up(0.25), 2.0),
            (0.5, 2.0),
            (up(0.5), 3.0),
            (1.0, 3.0),
        ],
    );
    // Empirical, unsorted: F = 1/3, 2/3, 1 in floating point, as the engine sums them.
    check(
        r#"{ dist = "empirical", values = [30.0, 10.0, 20.0] }"#,
        &[
            (1.0 / 3.0, 10.0),
            (up(1.0 / 3.0), 20.0),
            (2.0 / 3.0, 20.0),
            (up(2.0 / 3.0), 30.0),
        ],
    );
    // Repeated values: F(1) = 0.25, F(2) = 0.75, F(3) = 1.
    check(
        r#"{ dist = "empirical", values = [2.0, 1.0, 3.0, 2.0] }"#,
        &[(0.25, 1.0), (up(0.25), 2.0), (0.75, 2.0), (up(0.75), 3.0)],
    );
    // Truncation keeps {2, 3, 4} at 1/3 each (inclusive lower bound on an atom).
    check(
        r#"{ dist = "discrete", values = [1.0, 2.0, 3.0, 4.0], probs = [0.25, 0.25, 0.25, 0.25], min = 2.0 }"#,
        &[
            (f64::MIN_POSITIVE, 2.0),
            (1.0 / 3.0, 2.0),
            (up(1.0 / 3.0), 3.0),
            (2.0 / 3.0, 3.0),
            (up(2.0 / 3.0), 4.0),
        ],
    );
    // The engine's median of an even empirical sample is the lower middle value.
    assert_eq!(
        Uncertain::Dist(dist(r#"{ dist = "empirical", values = [4.0, 1.0, 3.0, 2.0] }"#)).central(),
        2.0
    );
}

// ------------------------------------------ 3. standard error shrinks as 1/sqrt(N)

/// Sample kurtosis `m4 / m2^2` (3 for a normal).
fn kurtosis(xs: &[f64]) -> f64 {
    let m = mean(xs);
    let n = xs.len() as f64;
    let m2 = xs.iter().map(|x| (x - m).powi(2)).sum::<f64>() / n;
    let m4 = xs.iter().map(|x| (x - m).powi(4)).sum::<f64>() / n;
    m4 / (m2 * m2)
}

#[test]
fn standard_error_shrinks_like_one_over_sqrt_n() -> aibubble::Result<()> {
    let frozen = Scenario::from_file(data("frozen.toml"))?;
    let (n1, n2) = (2_000u64, 32_000u64);
    // Different seeds: the two runs share no path, so their sd estimates are independent.
    let small = Simulation::new(&frozen)?.paths(n1).seed(2_000).run()?;
    let large = Simulation::new(&frozen)?.paths(n2).seed(32_000).run()?;
    let (s1, s2) = (small.summary(), large.summary());
    for (i, lab) in large.labs.iter().enumerate() {
        let (a, b) = (&s1.labs[i].fair_value, &s2.labs[i].fair_value);
        // docs/equations.md §8: se = sd / sqrt(N).
        assert!((a.se - a.sd / (n1 as f64).sqrt()).abs() <= 1e-12 * a.se);
        assert!((b.se - b.sd / (n2 as f64).sqrt()).abs() <= 1e-12 * b.se);
        // ratio = se1 / se2 = sqrt(n2 / n1) * s1 / s2 = 4 s1 / s2. For a sample
        // of size n, Var(s^2) ~ sigma^4 (kappa - 1) / n (kappa: kurtosis), so
        // by the delta method Var(ln s) ~ (kappa - 1) / (4 n), and
        // Var(ln ratio) ~ (kappa - 1) / 4 (1/n1 + 1/n2) for independent runs.
        // kappa is estimated from both samples pooled; the check is
        // |ln(ratio / 4)| < 4 of those standard errors.
        let pooled: Vec<f64> = small.labs[i]
            .metric("fair_value")
            .unwrap()
            .iter()
            .chain(lab.metric("fair_value").unwrap())
            .copied()
            .filter(|x| x.is_finite())
            .collect();
        let kappa = kurtosis(&pooled);
        let se_log = ((kappa - 1.0) / 4.0 * (1.0 / n1 as f64 + 1.0 / n2 as f64)).sqrt();
        let ratio = a.se / b.se;
        let (lo, hi) = (4.0 * (-K_SE * se_log).exp(), 4.0 * (K_SE * se_log).exp());
        println!(
            "lab {}: se({n1}) = {:.4}, se({n2}) = {:.4}, ratio {ratio:.4}; kurtosis {kappa:.2}, accept [{lo:.3}, {hi:.3}]",
            lab.id, a.se, b.se
        );
        assert!(
            ratio > lo && ratio < hi,
            "lab {}: se ratio {ratio} outside [{lo}, {hi}]",
            lab.id
        );
    }
    Ok(())
}

// ------------------------------------------------------------ 4. copula

fn column<'a>(r: &'a Results, name: &str) -> &'a [f64] {
    &r.inputs
        .iter()
        .find(|c| c.name == name)
        .unwrap_or_else(|| panic!("no input column {name}"))
        .values
}

fn has_column(r: &Results, name: &str) -> bool {
    r.inputs.iter().any(|c| c.name == name)
}

/// Standard error of Spearman's rank correlation near `rho` for n pairs from
/// a Gaussian copula. Bonett and Wright (2000, Psychometrika 65, 23-28):
/// `Var(atanh r_S) ~ (1 + rho^2 / 2) / (n - 3)`; by the delta method
/// `SE(r_S) ~ (1 - rho^2) sqrt((1 + rho^2 / 2) / (n - 3))`. This is wider,
/// by sqrt(1 + rho^2/2) (1.09 at rho = 0.6), than Fisher's `(1 - rho^2) /
/// sqrt(n - 1)` for Pearson's r, which understates the rank statistic's
/// spread. At rho = 0 it is ~1/sqrt(n), the exact null value `1/sqrt(n - 1)`.
fn spearman_se(rho: f64, n: usize) -> f64 {
    (1.0 - rho * rho) * ((1.0 + rho * rho / 2.0) / (n as f64 - 3.0)).sqrt()
}

const COPULA_PATHS: u64 = 20_000;
const COPULA_SEED: u64 = 606;

#[test]
fn copula_gives_the_rank_correlation_and_keeps_the_marginals() -> aibubble::Result<()> {
    let sc = Scenario::from_file(data("copula.toml"))?;
    assert_eq!(
        sc.correlation.inputs,
        vec![("gap.initial".to_string(), "gap.half_life".to_string(), 0.6)]
    );
    let r = Simulation::new(&sc)?.paths(COPULA_PATHS).seed(COPULA_SEED).run()?;
    let n = COPULA_PATHS as usize;
    let g0 = column(&r, "gap.initial");
    let h = column(&r, "gap.half_life");

    let rho = spearman(g0, h);
    let se = spearman_se(0.6, n);
    println!(
        "copula: Spearman {rho:.5} vs 0.6 ({:+.2} se, se = {se:.5})",
        (rho - 0.6) / se
    );
    assert!(
        (rho - 0.6).abs() < K_SE * se,
        "Spearman {rho}, expected 0.6 +- {}",
        K_SE * se
    );

    // Inputs without a correlation entry stay independent of the pair; null SE 1/sqrt(n - 1).
    let null_se = 1.0 / (n as f64 - 1.0).sqrt();
    for other in ["valuation.discount_rate", "prices.ratio_0"] {
        let r0 = spearman(g0, column(&r, other));
        println!(
            "copula: Spearman(gap.initial, {other}) = {r0:.5} ({:+.2} se)",
            r0 / null_se
        );
        assert!(r0.abs() < K_SE * null_se, "{other}: Spearman {r0}");
    }

    // Marginals unchanged: KS at alpha = 0.001 against uniform(2, 6) and
    // lognormal(mean 1, sd 0.4), the distributions in copula.toml.
    let crit = KS_C_ALPHA_001 / (n as f64).sqrt();
    for (name, xs, reference) in [
        ("gap.initial", g0, Reference::new(Family::uniform(2.0, 6.0))),
        ("gap.half_life", h, Reference::new(Family::lognormal_mean_sd(1.0, 0.4))),
    ] {
        let d = ks_statistic(&sorted(xs), |v| reference.cdf(v));
        println!("copula: KS {name} D = {d:.5} (crit {crit:.5})");
        assert!(d < crit, "{name}: KS D = {d} >= {crit}");
    }

    // The draws are exactly the section 0/7 recipe: z_j from the input's own
    // sub-stream, the pair's scores multiplied by the Cholesky factor of
    // [[1, c], [c, 1]], c = 2 sin(pi 0.6 / 6), i.e. (z1, c z1 + sqrt(1 - c^2) z2).
    let c = 2.0 * (std::f64::consts::PI * 0.6 / 6.0).sin();
    let sg = sampler(r#"{ dist = "uniform", lo = 2.0, hi = 6.0 }"#);
    let sh = sampler(r#"{ dist = "lognormal", mean = 1.0, sd = 0.4 }"#);
    for p in 0..1_000u64 {
        let z1: f64 = named_stream(COPULA_SEED, p, "gap.initial").sample(StandardNormal);
        let z2: f64 = named_stream(COPULA_SEED, p, "gap.half_life").sample(StandardNormal);
        let (eg, eh) = (sg.from_normal(z1), sh.from_normal(c * z1 + (1.0 - c * c).sqrt() * z2));
        let (g, hh) = (g0[p as usize], h[p as usize]);
        assert!((g - eg).abs() <= 1e-12 * eg.abs(), "path {p}: gap.initial {g} vs {eg}");
        assert!(
            (hh - eh).abs() <= 1e-12 * eh.abs(),
            "path {p}: gap.half_life {hh} vs {eh}"
        );
    }
    Ok(())
}

#[test]
fn fixing_an_input_moves_only_its_correlated_partner() -> aibubble::Result<()> {
    let sc = Scenario::from_file(data("copula.toml"))?;
    let paths = 5_000u64;
    let base = Simulation::new(&sc)?.paths(paths).seed(COPULA_SEED).run()?;

    let uncorrelated = [
        "valuation.discount_rate",
        "prices.ratio_0",
        "labs.beta.weights.enterprise",
    ];
    let bits = |xs: &[f64]| xs.iter().map(|x| x.to_bits()).collect::<Vec<u64>>();

    // Fix gap.initial (a plain number) and drop its correlation entry.
    let mut fixed = sc.clone();
    fixed.correlation.inputs.clear();
    fixed.set("gap.initial", 4.0)?;
    let fr = Simulation::new(&fixed)?.paths(paths).seed(COPULA_SEED).run()?;
    assert!(!has_column(&fr, "gap.initial"), "a fixed input is not drawn");
    for name in uncorrelated {
        assert_eq!(
            bits(column(&base, name)),
            bits(column(&fr, name)),
            "{name} changed when gap.initial was fixed"
        );
    }
    // The partner lost its correlation: its score is now its own z2 alone.
    let (hb, hf) = (column(&base, "gap.half_life"), column(&fr, "gap.half_life"));
    let changed = hb.iter().zip(hf).filter(|(a, b)| a.to_bits() != b.to_bits()).count();
    println!("fixing gap.initial changed gap.half_life on {changed} of {paths} paths");
    // Equal only where c z1 + sqrt(1 - c^2) z2 == z2 to the last bit: never in practice.
    assert_eq!(changed, paths as usize, "gap.half_life should move on every path");
    // ... and it is independent of the old gap.initial draws (null SE 1/sqrt(n - 1)),
    // with its marginal unchanged (KS at alpha = 0.001).
    let n = paths as usize;
    let r0 = spearman(column(&base, "gap.initial"), hf);
    let null_se = 1.0 / (n as f64 - 1.0).sqrt();
    println!(
        "decorrelated: Spearman(old gap.initial, new gap.half_life) = {r0:.5} ({:+.2} se)",
        r0 / null_se
    );
    assert!(r0.abs() < K_SE * null_se, "Spearman {r0}");
    let reference = Reference::new(Family::lognormal_mean_sd(1.0, 0.4));
    let d = ks_statistic(&sorted(hf), |v| reference.cdf(v));
    assert!(d < KS_C_ALPHA_001 / (n as f64).sqrt(), "KS D = {d}");

    // Removing only the correlation (both still drawn) also leaves the
    // uncorrelated inputs alone and moves the partner.
    let mut uncorr = sc.clone();
    uncorr.correlation.inputs.clear();
    let ur = Simulation::new(&uncorr)?.paths(paths).seed(COPULA_SEED).run()?;
    for name in uncorrelated {
        assert_eq!(bits(column(&base, name)), bits(column(&ur, name)), "{name} changed");
    }
    assert_eq!(bits(column(&fr, "gap.half_life")), bits(column(&ur, "gap.half_life")));
    assert_ne!(bits(column(&base, "gap.half_life")), bits(column(&ur, "gap.half_life")));

    // Fixing an uncorrelated input moves nothing else at all.
    let mut fixed_rate = sc.clone();
    fixed_rate.set("valuation.discount_rate", 0.12)?;
    let rr = Simulation::new(&fixed_rate)?.paths(paths).seed(COPULA_SEED).run()?;
    for name in [
        "gap.initial",
        "gap.half_life",
        "prices.ratio_0",
        "labs.beta.weights.enterprise",
    ] {
        assert_eq!(bits(column(&base, name)), bits(column(&rr, name)), "{name} changed");
    }
    Ok(())
}

// ------------------------------------------------------ 5. parameter problems

#[test]
fn dist_problems_are_reported() {
    let bad = [
        (r#"{ dist = "normal", mean = 1.0, sd = 0.0 }"#, "sd > 0"),
        (r#"{ dist = "normal", mean = 1.0, sd = -1.0 }"#, "sd > 0"),
        (r#"{ dist = "lognormal", mean = 1.0, sd = 0.0 }"#, "sd > 0"),
        (r#"{ dist = "lognormal", mean = -1.0, sd = 0.5 }"#, "mean > 0"),
        (r#"{ dist = "lognormal", mu = 0.0, sigma = 0.0 }"#, "sigma > 0"),
        (r#"{ dist = "uniform", lo = 2.0, hi = 2.0 }"#, "lo < hi"),
        (r#"{ dist = "uniform", lo = 3.0, hi = 2.0 }"#, "lo < hi"),
        (r#"{ dist = "triangular", lo = 1.0, mode = 0.5, hi = 2.0 }"#, "mode"),
        (r#"{ dist = "triangular", lo = 1.0, mode = 2.5, hi = 2.0 }"#, "mode"),
        (r#"{ dist = "triangular", lo = 2.0, mode = 2.0, hi = 1.0 }"#, "lo < hi"),
        (r#"{ dist = "pert", lo = 1.0, mode = 3.0, hi = 2.0 }"#, "mode"),
        (r#"{ dist = "beta", a = 0.0, b = 1.0 }"#, "a, b > 0"),
        (r#"{ dist = "beta", a = 1.0, b = 1.0, lo = 1.0, hi = 1.0 }"#, "lo < hi"),
        (
            r#"{ dist = "discrete", values = [1.0, 2.0], probs = [0.5, 0.4] }"#,
            "sum to 1",
        ),
        (
            r#"{ dist = "discrete", values = [1.0, 2.0], probs = [1.5, -0.5] }"#,
            ">= 0",
        ),
        (
            r#"{ dist = "discrete", values = [1.0, 2.0], probs = [1.0] }"#,
            "one prob per value",
        ),
        (
            r#"{ dist = "discrete", values = [], probs = [] }"#,
            "at least one value",
        ),
        (r#"{ dist = "empirical", values = [] }"#, "at least one value"),
        (
            r#"{ dist = "normal", mean = 1.0, sd = 1.0, min = 2.0, max = 2.0 }"#,
            "min < max",
        ),
        (
            r#"{ dist = "normal", mean = 1.0, sd = 1.0, min = 3.0, max = 2.0 }"#,
            "min < max",
        ),
        // Truncations that leave no probability mass.
        (
            r#"{ dist = "uniform", lo = 0.0, hi = 1.0, min = 2.0 }"#,
            "no probability",
        ),
        (
            r#"{ dist = "uniform", lo = 0.0, hi = 1.0, max = 0.0 }"#,
            "no probability",
        ),
        (
            r#"{ dist = "lognormal", mean = 1.0, sd = 0.5, max = 0.0 }"#,
            "no probability",
        ),
        (
            r#"{ dist = "beta", a = 2.0, b = 2.0, lo = 0.0, hi = 1.0, min = 1.0 }"#,
            "no probability",
        ),
        (
            r#"{ dist = "normal", mean = 0.0, sd = 1.0, min = 40.0 }"#,
            "no probability",
        ),
        (
            r#"{ dist = "discrete", values = [1.0, 2.0], probs = [0.5, 0.5], min = 1.2, max = 1.8 }"#,
            "no probability",
        ),
        (
            r#"{ dist = "discrete", values = [1.0, 2.0], probs = [1.0, 0.0], min = 1.5 }"#,
            "no probability",
        ),
        (
            r#"{ dist = "empirical", values = [1.0, 2.0], max = 0.5 }"#,
            "no probability",
        ),
    ];
    let mut failures = Vec::new();
    for (spec, needle) in bad {
        let d = dist(spec);
        let problems = d.problems();
        println!("{spec:<100} -> {problems:?}");
        if !problems.iter().any(|p| p.contains(needle)) {
            failures.push(format!(
                "{spec}: expected a problem mentioning {needle:?}, got {problems:?}"
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));

    // Good parameters report nothing, including edge cases (mode at an end,
    // a truncation bound on an atom or outside the support).
    for spec in [
        r#"{ dist = "triangular", lo = 1.0, mode = 1.0, hi = 2.0 }"#,
        r#"{ dist = "pert", lo = 1.0, mode = 2.0, hi = 2.0 }"#,
        r#"{ dist = "discrete", values = [1.0, 2.0], probs = [0.5, 0.5], min = 2.0 }"#,
        r#"{ dist = "uniform", lo = 0.0, hi = 1.0, min = -1.0, max = 0.5 }"#,
        r#"{ dist = "normal", mean = 0.0, sd = 1.0, min = 5.0 }"#,
        r#"{ dist = "fixed", value = 3.0 }"#,
    ] {
        assert_eq!(dist(spec).problems(), Vec::<String>::new(), "{spec}");
    }

    // In a scenario, the problem is reported under the input's field path.
    let frozen = Scenario::from_file(data("frozen.toml")).unwrap();
    let err = frozen
        .with_overrides([(
            "gap.half_life",
            serde_json::json!({"dist": "normal", "mean": 1.0, "sd": 0.0}),
        )])
        .unwrap_err()
        .to_string();
    assert!(err.contains("gap.half_life") && err.contains("sd > 0"), "{err}");
}
