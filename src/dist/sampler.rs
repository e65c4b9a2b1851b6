//! Inverse-CDF sampling with truncation as conditioning (docs/equations.md §0):
//! `x = F^-1(F(lo) + Phi(z) (F(hi) - F(lo)))`, through the survival function
//! in the upper tail so that deep truncations keep their digits.

use statrs::distribution::{Beta, ContinuousCDF, LogNormal, Normal, Triangular};
use statrs::statistics::Distribution as _;

use super::spec::{Dist, DistKind};
use crate::error::Num;

impl Dist {
    /// Build the inverse-CDF sampler; fails with a message when the
    /// parameters are invalid or the truncation leaves no probability mass.
    pub fn sampler(&self) -> Result<Sampler, String> {
        let base = Base::new(&self.kind)?;
        let lo = self.min.unwrap_or(f64::NEG_INFINITY);
        let hi = self.max.unwrap_or(f64::INFINITY);
        match base {
            Base::Atoms { values, probs } => {
                let kept: Vec<(f64, f64)> = values
                    .into_iter()
                    .zip(probs)
                    .filter(|(v, p)| *v >= lo && *v <= hi && *p > 0.0)
                    .collect();
                let total: f64 = kept.iter().map(|(_, p)| p).sum();
                if kept.is_empty() || total <= 0.0 {
                    return Err(format!(
                        "{} has no probability inside the truncation [{}, {}]",
                        self.family(),
                        Num(lo),
                        Num(hi)
                    ));
                }
                let mut cum = 0.0;
                let mut values = Vec::with_capacity(kept.len());
                let mut cdf = Vec::with_capacity(kept.len());
                for (v, p) in kept {
                    cum += p / total;
                    values.push(v);
                    cdf.push(cum);
                }
                *cdf.last_mut().expect("non-empty") = 1.0;
                let support = Support::closed(values[0], values[values.len() - 1]);
                Ok(Sampler {
                    base: Base::Atoms { values, probs: cdf },
                    f_lo: 0.0,
                    f_hi: 1.0,
                    s_lo: 1.0,
                    s_hi: 0.0,
                    support,
                })
            }
            base => {
                let (blo, bhi) = base.limits();
                let f_lo = if lo > blo { base.cdf(lo) } else { 0.0 };
                let f_hi = if hi < bhi { base.cdf(hi) } else { 1.0 };
                let s_lo = if lo > blo { base.sf(lo) } else { 1.0 };
                let s_hi = if hi < bhi { base.sf(hi) } else { 0.0 };
                let point = matches!(base, Base::Point(_));
                if (f_hi <= f_lo && s_lo <= s_hi && !point)
                    || lo > bhi
                    || hi < blo
                    || (!point && (lo >= bhi || hi <= blo))
                {
                    return Err(format!(
                        "{} has no probability inside the truncation [{}, {}]",
                        self.family(),
                        Num(lo),
                        Num(hi)
                    ));
                }
                let support = if let Base::Point(v) = base {
                    Support::closed(v, v)
                } else {
                    Support::open(blo.max(lo), bhi.min(hi))
                };
                Ok(Sampler {
                    base,
                    f_lo,
                    f_hi,
                    s_lo,
                    s_hi,
                    support,
                })
            }
        }
    }
}

/// The set of values a distribution can produce, for domain checks.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Support {
    /// The lower end.
    pub lo: f64,
    /// The upper end.
    pub hi: f64,
    /// Whether the ends are excluded (continuous) or reachable (atoms).
    pub open: bool,
}

impl Support {
    /// The open interval `(lo, hi)`.
    pub fn open(lo: f64, hi: f64) -> Self {
        Support { lo, hi, open: true }
    }
    /// The closed interval `[lo, hi]`.
    pub fn closed(lo: f64, hi: f64) -> Self {
        Support { lo, hi, open: false }
    }
    /// The single value `v`.
    pub fn point(v: f64) -> Self {
        Support::closed(v, v)
    }
}

/// The untruncated family, ready to evaluate.
#[derive(Clone, Debug)]
enum Base {
    Point(f64),
    Uniform(f64, f64),
    Normal(Normal),
    /// The distribution and its (mu, sigma).
    LogNormal(LogNormal, f64, f64),
    /// The distribution and its (lo, mode, hi).
    Triangular(Triangular, f64, f64, f64),
    /// A beta on [lo, hi], with its mirror Beta(b, a) for upper-tail quantiles.
    Beta(Beta, Beta, f64, f64),
    /// Sorted distinct atoms with probabilities (cumulative once compiled).
    Atoms {
        values: Vec<f64>,
        probs: Vec<f64>,
    },
}

impl Base {
    fn new(kind: &DistKind) -> Result<Base, String> {
        // statrs rejects parameters that overflow (a mean of 1e308 with a
        // large sd, a pert whose range is infinite); say so in our words.
        let err = |_: &dyn std::fmt::Display| {
            format!(
                "{} cannot be evaluated with these parameters (too large or too small for floating point)",
                Dist::new(kind.clone())
            )
        };
        Ok(match kind {
            DistKind::Fixed { value } => Base::Point(*value),
            DistKind::Uniform { lo, hi } => {
                if !(lo < hi) {
                    return Err(format!(
                        "uniform needs lo < hi, got lo = {}, hi = {}",
                        Num(*lo),
                        Num(*hi)
                    ));
                }
                Base::Uniform(*lo, *hi)
            }
            DistKind::Normal { mean, sd } => Base::Normal(Normal::new(*mean, *sd).map_err(|e| err(&e))?),
            DistKind::LogNormal { mean, sd } => {
                if !(*mean > 0.0 && *sd > 0.0) {
                    return Err(format!(
                        "lognormal needs mean > 0 and sd > 0, got mean = {}, sd = {}",
                        Num(*mean),
                        Num(*sd)
                    ));
                }
                let (mu, sigma) = lognormal_params(*mean, *sd);
                Base::LogNormal(LogNormal::new(mu, sigma).map_err(|e| err(&e))?, mu, sigma)
            }
            DistKind::LogNormalLog { mu, sigma } => {
                Base::LogNormal(LogNormal::new(*mu, *sigma).map_err(|e| err(&e))?, *mu, *sigma)
            }
            DistKind::Triangular { lo, mode, hi } => {
                Base::Triangular(Triangular::new(*lo, *hi, *mode).map_err(|e| err(&e))?, *lo, *mode, *hi)
            }
            DistKind::Pert { lo, mode, hi } => {
                if !(lo < hi && lo <= mode && mode <= hi) {
                    return Err(format!(
                        "pert needs lo <= mode <= hi and lo < hi, got {}, {}, {}",
                        Num(*lo),
                        Num(*mode),
                        Num(*hi)
                    ));
                }
                let a = 1.0 + 4.0 * (mode - lo) / (hi - lo);
                let b = 1.0 + 4.0 * (hi - mode) / (hi - lo);
                Base::Beta(
                    Beta::new(a, b).map_err(|e| err(&e))?,
                    Beta::new(b, a).map_err(|e| err(&e))?,
                    *lo,
                    *hi,
                )
            }
            DistKind::Beta { a, b, lo, hi } => {
                if !(lo < hi) {
                    return Err(format!("beta needs lo < hi, got lo = {}, hi = {}", Num(*lo), Num(*hi)));
                }
                Base::Beta(
                    Beta::new(*a, *b).map_err(|e| err(&e))?,
                    Beta::new(*b, *a).map_err(|e| err(&e))?,
                    *lo,
                    *hi,
                )
            }
            DistKind::Discrete { values, probs } => {
                if values.is_empty() || values.len() != probs.len() {
                    return Err("discrete needs as many probs as values, at least one".into());
                }
                atoms(values.iter().copied().zip(probs.iter().copied()))
            }
            DistKind::Empirical { values } => {
                if values.is_empty() {
                    return Err("empirical needs at least one value".into());
                }
                let w = 1.0 / values.len() as f64;
                atoms(values.iter().map(|v| (*v, w)))
            }
        })
    }

    /// Limits of the untruncated support.
    fn limits(&self) -> (f64, f64) {
        match self {
            Base::Point(v) => (*v, *v),
            Base::Uniform(lo, hi) | Base::Triangular(_, lo, _, hi) | Base::Beta(_, _, lo, hi) => (*lo, *hi),
            Base::Normal(_) => (f64::NEG_INFINITY, f64::INFINITY),
            Base::LogNormal(..) => (0.0, f64::INFINITY),
            Base::Atoms { values, .. } => (values[0], values[values.len() - 1]),
        }
    }

    fn cdf(&self, x: f64) -> f64 {
        match self {
            Base::Point(v) => f64::from(x >= *v),
            Base::Uniform(lo, hi) => ((x - lo) / (hi - lo)).clamp(0.0, 1.0),
            Base::Normal(d) => d.cdf(x),
            Base::LogNormal(d, ..) => d.cdf(x),
            Base::Triangular(d, ..) => d.cdf(x),
            Base::Beta(d, _, lo, hi) => d.cdf(((x - lo) / (hi - lo)).clamp(0.0, 1.0)),
            Base::Atoms { values, probs } => match values.iter().rposition(|v| *v <= x) {
                Some(i) => probs[i],
                None => 0.0,
            },
        }
    }

    fn inverse_cdf(&self, q: f64) -> f64 {
        match self {
            Base::Point(v) => *v,
            Base::Uniform(lo, hi) => lo + q * (hi - lo),
            Base::Normal(d) => d.inverse_cdf(q),
            Base::LogNormal(d, ..) => d.inverse_cdf(q),
            Base::Triangular(d, ..) => d.inverse_cdf(q),
            Base::Beta(d, _, lo, hi) => lo + (hi - lo) * d.inverse_cdf(q),
            // Smallest value whose cumulative probability reaches q.
            Base::Atoms { values, probs } => {
                let i = probs.partition_point(|c| *c < q).min(values.len() - 1);
                values[i]
            }
        }
    }
}

impl Base {
    /// Survival function `1 - F(x)` of a continuous family, accurate in the upper tail.
    fn sf(&self, x: f64) -> f64 {
        match self {
            Base::Uniform(lo, hi) => ((hi - x) / (hi - lo)).clamp(0.0, 1.0),
            Base::Normal(d) => d.sf(x),
            Base::LogNormal(d, ..) => d.sf(x),
            Base::Triangular(d, ..) => d.sf(x),
            Base::Beta(d, _, lo, hi) => d.sf(((x - lo) / (hi - lo)).clamp(0.0, 1.0)),
            Base::Point(_) | Base::Atoms { .. } => 1.0 - self.cdf(x),
        }
    }

    /// The x with `1 - F(x) = p`, computed from the upper tail without
    /// forming `1 - p` (which would round away small tail probabilities).
    fn inverse_sf(&self, p: f64) -> f64 {
        match self {
            Base::Uniform(lo, hi) => hi - p * (hi - lo),
            Base::Normal(d) => 2.0 * d.mean().expect("normal has a mean") - d.inverse_cdf(p),
            Base::LogNormal(_, mu, sigma) => (mu - sigma * Normal::standard().inverse_cdf(p)).exp(),
            Base::Triangular(_, lo, mode, hi) => {
                if p <= (hi - mode) / (hi - lo) {
                    hi - (p * (hi - lo) * (hi - mode)).sqrt()
                } else {
                    lo + ((1.0 - p) * (hi - lo) * (mode - lo)).sqrt()
                }
            }
            // If X ~ Beta(a, b) then 1 - X ~ Beta(b, a).
            Base::Beta(_, mirror, lo, hi) => lo + (hi - lo) * (1.0 - mirror.inverse_cdf(p)),
            Base::Point(_) | Base::Atoms { .. } => self.inverse_cdf(1.0 - p),
        }
    }
}

/// Atoms merged by value and sorted, probabilities still per atom.
fn atoms(pairs: impl Iterator<Item = (f64, f64)>) -> Base {
    let mut pairs: Vec<(f64, f64)> = pairs.collect();
    pairs.sort_by(|a, b| a.0.total_cmp(&b.0));
    let mut values: Vec<f64> = Vec::new();
    let mut probs: Vec<f64> = Vec::new();
    for (v, p) in pairs {
        if values.last() == Some(&v) {
            *probs.last_mut().expect("same length") += p;
        } else {
            values.push(v);
            probs.push(p);
        }
    }
    Base::Atoms { values, probs }
}

/// `sigma^2 = ln(1 + s^2/m^2)`, `mu = ln m - sigma^2 / 2` (docs/equations.md §0).
pub fn lognormal_params(mean: f64, sd: f64) -> (f64, f64) {
    let s2 = (1.0 + sd * sd / (mean * mean)).ln();
    (mean.ln() - s2 / 2.0, s2.sqrt())
}

/// Standard normal CDF.
pub fn std_normal_cdf(z: f64) -> f64 {
    0.5 * statrs::function::erf::erfc(-z / std::f64::consts::SQRT_2)
}

/// A compiled, truncated distribution: `x = F^-1(F(lo) + Phi(z) (F(hi) - F(lo)))`.
#[derive(Clone, Debug)]
pub struct Sampler {
    base: Base,
    f_lo: f64,
    f_hi: f64,
    /// `1 - F` at the truncation bounds, for quantiles in the upper tail.
    s_lo: f64,
    s_hi: f64,
    support: Support,
}

impl Sampler {
    /// The value for a standard normal `z` (docs/equations.md §0).
    pub fn from_normal(&self, z: f64) -> f64 {
        // Phi(z) and 1 - Phi(z) = Phi(-z), each accurate on its own side.
        self.quantile_pair(std_normal_cdf(z), std_normal_cdf(-z))
    }

    /// The value at probability `u` in (0, 1) of the truncated distribution.
    pub fn quantile(&self, u: f64) -> f64 {
        self.quantile_pair(u, 1.0 - u)
    }

    /// `F^-1(F(lo) + u (F(hi) - F(lo)))` with `v = 1 - u`: evaluated through the
    /// CDF in the lower half of the base distribution and through the survival
    /// function in the upper half, so deep tail truncations stay exact.
    fn quantile_pair(&self, u: f64, v: f64) -> f64 {
        let q = self.f_lo + u * (self.f_hi - self.f_lo);
        let x = if q <= 0.5 || matches!(self.base, Base::Atoms { .. } | Base::Point(_)) {
            self.base.inverse_cdf(q.clamp(0.0, 1.0))
        } else {
            let p = self.s_hi + v * (self.s_lo - self.s_hi);
            self.base.inverse_sf(p.clamp(0.0, 1.0))
        };
        // Keep rounding at the ends inside the truncation interval.
        x.clamp(self.support.lo, self.support.hi)
    }

    /// The CDF of the truncated distribution.
    pub fn cdf(&self, x: f64) -> f64 {
        if let Base::Atoms { .. } = self.base {
            return self.base.cdf(x);
        }
        if x < self.support.lo {
            return 0.0;
        }
        if x >= self.support.hi {
            return 1.0;
        }
        if self.f_lo > 0.5 {
            // Upper tail: differences of survival probabilities keep their digits.
            return ((self.s_lo - self.base.sf(x)) / (self.s_lo - self.s_hi)).clamp(0.0, 1.0);
        }
        ((self.base.cdf(x) - self.f_lo) / (self.f_hi - self.f_lo)).clamp(0.0, 1.0)
    }

    /// The values this distribution can produce.
    pub fn support(&self) -> Support {
        self.support
    }
}
