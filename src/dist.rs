//! Uncertain inputs (MODEL section 0): a number, or a distribution drawn once
//! per path by inverse CDF from one standard normal, so that a Gaussian copula
//! (section 7) can correlate inputs without changing their marginals.
//!
//! In a scenario file a distribution is an inline table tagged by `dist`, with
//! optional inclusive truncation bounds `min` and `max` (conditioning, not
//! clipping):
//!
//! ```toml
//! discount_rate = { dist = "triangular", lo = 0.10, mode = 0.12, hi = 0.16 }
//! half_life = { dist = "lognormal", mean = 0.5, sd = 0.3, max = 3.0 }
//! ```

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use statrs::distribution::{Beta, ContinuousCDF, LogNormal, Normal, Triangular};
use statrs::statistics::Distribution as _;

use crate::error::Num;

/// A scalar input: a plain number or a distribution.
#[derive(Clone, Debug, PartialEq)]
pub enum Uncertain {
    Fixed(f64),
    Dist(Dist),
}

impl Uncertain {
    /// The value when fixed (a `fixed(v)` distribution counts as fixed).
    pub fn fixed_value(&self) -> Option<f64> {
        match self {
            Uncertain::Fixed(v) => Some(*v),
            Uncertain::Dist(d) => match d.kind {
                DistKind::Fixed { value } => Some(value),
                _ => None,
            },
        }
    }

    /// Whether this input is drawn per path.
    pub fn is_uncertain(&self) -> bool {
        matches!(self, Uncertain::Dist(_))
    }

    /// A representative value: the fixed value, or the median of the distribution.
    pub fn central(&self) -> f64 {
        match self {
            Uncertain::Fixed(v) => *v,
            Uncertain::Dist(d) => d.sampler().map(|s| s.quantile(0.5)).unwrap_or(f64::NAN),
        }
    }
}

impl From<f64> for Uncertain {
    fn from(v: f64) -> Self {
        Uncertain::Fixed(v)
    }
}

impl From<Dist> for Uncertain {
    fn from(d: Dist) -> Self {
        Uncertain::Dist(d)
    }
}

impl Serialize for Uncertain {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Uncertain::Fixed(v) => s.serialize_f64(*v),
            Uncertain::Dist(d) => d.serialize(s),
        }
    }
}

impl<'de> Deserialize<'de> for Uncertain {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = Uncertain;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a number or a distribution table such as { dist = \"normal\", mean = 1, sd = 0.1 }")
            }
            fn visit_f64<E>(self, v: f64) -> Result<Uncertain, E> {
                Ok(Uncertain::Fixed(v))
            }
            fn visit_i64<E>(self, v: i64) -> Result<Uncertain, E> {
                Ok(Uncertain::Fixed(v as f64))
            }
            fn visit_u64<E>(self, v: u64) -> Result<Uncertain, E> {
                Ok(Uncertain::Fixed(v as f64))
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(self, map: A) -> Result<Uncertain, A::Error> {
                Dist::deserialize(serde::de::value::MapAccessDeserializer::new(map)).map(Uncertain::Dist)
            }
        }
        d.deserialize_any(V)
    }
}

/// The family and parameters of a distribution, as written in the scenario.
#[derive(Clone, Debug, PartialEq)]
pub enum DistKind {
    Fixed {
        value: f64,
    },
    Uniform {
        lo: f64,
        hi: f64,
    },
    Normal {
        mean: f64,
        sd: f64,
    },
    /// Lognormal by the mean and sd of the variable itself.
    LogNormal {
        mean: f64,
        sd: f64,
    },
    /// Lognormal by the mean and sd of its logarithm.
    LogNormalLog {
        mu: f64,
        sigma: f64,
    },
    Triangular {
        lo: f64,
        mode: f64,
        hi: f64,
    },
    Pert {
        lo: f64,
        mode: f64,
        hi: f64,
    },
    Beta {
        a: f64,
        b: f64,
        lo: f64,
        hi: f64,
    },
    Discrete {
        values: Vec<f64>,
        probs: Vec<f64>,
    },
    Empirical {
        values: Vec<f64>,
    },
}

/// A distribution with optional inclusive truncation bounds.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "DistSpec", into = "DistSpec")]
pub struct Dist {
    pub kind: DistKind,
    pub min: Option<f64>,
    pub max: Option<f64>,
}

impl Dist {
    pub fn new(kind: DistKind) -> Self {
        Dist {
            kind,
            min: None,
            max: None,
        }
    }
    pub fn normal(mean: f64, sd: f64) -> Self {
        Self::new(DistKind::Normal { mean, sd })
    }
    pub fn uniform(lo: f64, hi: f64) -> Self {
        Self::new(DistKind::Uniform { lo, hi })
    }
    pub fn lognormal(mean: f64, sd: f64) -> Self {
        Self::new(DistKind::LogNormal { mean, sd })
    }
    pub fn triangular(lo: f64, mode: f64, hi: f64) -> Self {
        Self::new(DistKind::Triangular { lo, mode, hi })
    }
    pub fn pert(lo: f64, mode: f64, hi: f64) -> Self {
        Self::new(DistKind::Pert { lo, mode, hi })
    }
    /// Truncate to `[min, max]` (either may be infinite).
    pub fn truncated(mut self, min: Option<f64>, max: Option<f64>) -> Self {
        self.min = min;
        self.max = max;
        self
    }

    /// The family name as written in files.
    pub fn family(&self) -> &'static str {
        match self.kind {
            DistKind::Fixed { .. } => "fixed",
            DistKind::Uniform { .. } => "uniform",
            DistKind::Normal { .. } => "normal",
            DistKind::LogNormal { .. } | DistKind::LogNormalLog { .. } => "lognormal",
            DistKind::Triangular { .. } => "triangular",
            DistKind::Pert { .. } => "pert",
            DistKind::Beta { .. } => "beta",
            DistKind::Discrete { .. } => "discrete",
            DistKind::Empirical { .. } => "empirical",
        }
    }

    /// Parameter problems (MODEL section 9), as messages without the path.
    pub fn problems(&self) -> Vec<String> {
        let mut out = Vec::new();
        let mut finite = |name: &str, v: f64| {
            if !v.is_finite() {
                out.push(format!(
                    "{} parameter {name} must be finite, got {}",
                    self.family(),
                    Num(v)
                ));
            }
        };
        match &self.kind {
            DistKind::Fixed { value } => finite("value", *value),
            DistKind::Uniform { lo, hi } => {
                finite("lo", *lo);
                finite("hi", *hi);
            }
            DistKind::Normal { mean, sd } | DistKind::LogNormal { mean, sd } => {
                finite("mean", *mean);
                finite("sd", *sd);
            }
            DistKind::LogNormalLog { mu, sigma } => {
                finite("mu", *mu);
                finite("sigma", *sigma);
            }
            DistKind::Triangular { lo, mode, hi } | DistKind::Pert { lo, mode, hi } => {
                finite("lo", *lo);
                finite("mode", *mode);
                finite("hi", *hi);
            }
            DistKind::Beta { a, b, lo, hi } => {
                finite("a", *a);
                finite("b", *b);
                finite("lo", *lo);
                finite("hi", *hi);
            }
            DistKind::Discrete { values, probs } => {
                values.iter().for_each(|v| finite("values", *v));
                probs.iter().for_each(|v| finite("probs", *v));
            }
            DistKind::Empirical { values } => values.iter().for_each(|v| finite("values", *v)),
        }
        if !out.is_empty() {
            return out;
        }
        let fam = self.family();
        match &self.kind {
            DistKind::Fixed { .. } => {}
            DistKind::Uniform { lo, hi } => {
                if lo >= hi {
                    out.push(format!(
                        "uniform needs lo < hi, got lo = {}, hi = {}",
                        Num(*lo),
                        Num(*hi)
                    ));
                }
            }
            DistKind::Normal { sd, .. } => {
                if *sd <= 0.0 {
                    out.push(format!("normal needs sd > 0, got {}", Num(*sd)));
                }
            }
            DistKind::LogNormal { mean, sd } => {
                if *mean <= 0.0 {
                    out.push(format!("lognormal needs mean > 0, got {}", Num(*mean)));
                }
                if *sd <= 0.0 {
                    out.push(format!("lognormal needs sd > 0, got {}", Num(*sd)));
                }
            }
            DistKind::LogNormalLog { sigma, .. } => {
                if *sigma <= 0.0 {
                    out.push(format!("lognormal needs sigma > 0, got {}", Num(*sigma)));
                }
            }
            DistKind::Triangular { lo, mode, hi } | DistKind::Pert { lo, mode, hi } => {
                if lo >= hi {
                    out.push(format!("{fam} needs lo < hi, got lo = {}, hi = {}", Num(*lo), Num(*hi)));
                } else if mode < lo || mode > hi {
                    out.push(format!(
                        "{fam} needs lo <= mode <= hi, got mode = {} outside [{}, {}]",
                        Num(*mode),
                        Num(*lo),
                        Num(*hi)
                    ));
                }
            }
            DistKind::Beta { a, b, lo, hi } => {
                if *a <= 0.0 || *b <= 0.0 {
                    out.push(format!("beta needs a, b > 0, got a = {}, b = {}", Num(*a), Num(*b)));
                }
                if lo >= hi {
                    out.push(format!("beta needs lo < hi, got lo = {}, hi = {}", Num(*lo), Num(*hi)));
                }
            }
            DistKind::Discrete { values, probs } => {
                if values.is_empty() {
                    out.push("discrete needs at least one value".into());
                }
                if values.len() != probs.len() {
                    out.push(format!(
                        "discrete needs one prob per value, got {} values and {} probs",
                        values.len(),
                        probs.len()
                    ));
                }
                if let Some(p) = probs.iter().find(|p| **p < 0.0) {
                    out.push(format!("discrete probs must be >= 0, got {}", Num(*p)));
                }
                let sum: f64 = probs.iter().sum();
                if (sum - 1.0).abs() > 1e-9 {
                    out.push(format!("discrete probs must sum to 1, got {}", Num(sum)));
                }
            }
            DistKind::Empirical { values } => {
                if values.is_empty() {
                    out.push("empirical needs at least one value".into());
                }
            }
        }
        if let (Some(lo), Some(hi)) = (self.min, self.max)
            && lo >= hi
        {
            out.push(format!(
                "truncation needs min < max, got min = {}, max = {}",
                Num(lo),
                Num(hi)
            ));
        }
        if self.min.is_some_and(f64::is_nan) || self.max.is_some_and(f64::is_nan) {
            out.push("truncation bounds must be numbers".into());
        }
        if out.is_empty()
            && let Err(e) = self.sampler()
        {
            out.push(e);
        }
        out
    }

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

/// A list of numbers as messages print it: `[0.1, 1e308]`.
fn nums(xs: &[f64]) -> String {
    let items: Vec<String> = xs.iter().map(|x| Num(*x).to_string()).collect();
    format!("[{}]", items.join(", "))
}

/// The set of values a distribution can produce, for domain checks.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Support {
    pub lo: f64,
    pub hi: f64,
    /// Whether the ends are excluded (continuous) or reachable (atoms).
    pub open: bool,
}

impl Support {
    pub fn open(lo: f64, hi: f64) -> Self {
        Support { lo, hi, open: true }
    }
    pub fn closed(lo: f64, hi: f64) -> Self {
        Support { lo, hi, open: false }
    }
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

/// `sigma^2 = ln(1 + s^2/m^2)`, `mu = ln m - sigma^2 / 2` (MODEL section 0).
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
    /// The value for a standard normal `z` (MODEL section 0).
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

/// The serialised form: one flat table, checked against the family's fields.
#[derive(Serialize, Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct DistSpec {
    dist: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    value: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    lo: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    mode: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    hi: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    mean: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    sd: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    mu: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    sigma: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    a: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    b: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    values: Option<Vec<f64>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    probs: Option<Vec<f64>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    min: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    max: Option<f64>,
}

impl DistSpec {
    /// Names of the fields present, besides `dist`, `min` and `max`.
    fn present(&self) -> Vec<&'static str> {
        let mut v = Vec::new();
        let mut add = |name: &'static str, present: bool| {
            if present {
                v.push(name);
            }
        };
        add("value", self.value.is_some());
        add("lo", self.lo.is_some());
        add("mode", self.mode.is_some());
        add("hi", self.hi.is_some());
        add("mean", self.mean.is_some());
        add("sd", self.sd.is_some());
        add("mu", self.mu.is_some());
        add("sigma", self.sigma.is_some());
        add("a", self.a.is_some());
        add("b", self.b.is_some());
        add("values", self.values.is_some());
        add("probs", self.probs.is_some());
        v
    }
}

impl TryFrom<DistSpec> for Dist {
    type Error = String;
    fn try_from(s: DistSpec) -> Result<Dist, String> {
        let present = s.present();
        let expect = |required: &[&str], optional: &[&str]| -> Result<(), String> {
            let missing: Vec<&str> = required.iter().copied().filter(|f| !present.contains(f)).collect();
            let extra: Vec<&str> = present
                .iter()
                .copied()
                .filter(|f| !required.contains(f) && !optional.contains(f))
                .collect();
            if missing.is_empty() && extra.is_empty() {
                return Ok(());
            }
            let mut msg = format!("dist = \"{}\" takes {}", s.dist, required.join(", "));
            if !optional.is_empty() {
                msg += &format!(" (optional {})", optional.join(", "));
            }
            if !missing.is_empty() {
                msg += &format!("; missing {}", missing.join(", "));
            }
            if !extra.is_empty() {
                msg += &format!("; unexpected {}", extra.join(", "));
            }
            Err(msg)
        };
        let g = |v: Option<f64>| v.unwrap_or(f64::NAN);
        let kind = match s.dist.as_str() {
            "fixed" => {
                expect(&["value"], &[])?;
                DistKind::Fixed { value: g(s.value) }
            }
            "uniform" => {
                expect(&["lo", "hi"], &[])?;
                DistKind::Uniform {
                    lo: g(s.lo),
                    hi: g(s.hi),
                }
            }
            "normal" => {
                expect(&["mean", "sd"], &[])?;
                DistKind::Normal {
                    mean: g(s.mean),
                    sd: g(s.sd),
                }
            }
            "lognormal" => {
                if s.mu.is_some() || s.sigma.is_some() {
                    expect(&["mu", "sigma"], &[])?;
                    DistKind::LogNormalLog {
                        mu: g(s.mu),
                        sigma: g(s.sigma),
                    }
                } else {
                    expect(&["mean", "sd"], &[])?;
                    DistKind::LogNormal {
                        mean: g(s.mean),
                        sd: g(s.sd),
                    }
                }
            }
            "triangular" | "pert" => {
                expect(&["lo", "mode", "hi"], &[])?;
                let (lo, mode, hi) = (g(s.lo), g(s.mode), g(s.hi));
                if s.dist == "pert" {
                    DistKind::Pert { lo, mode, hi }
                } else {
                    DistKind::Triangular { lo, mode, hi }
                }
            }
            "beta" => {
                expect(&["a", "b"], &["lo", "hi"])?;
                DistKind::Beta {
                    a: g(s.a),
                    b: g(s.b),
                    lo: s.lo.unwrap_or(0.0),
                    hi: s.hi.unwrap_or(1.0),
                }
            }
            "discrete" => {
                expect(&["values", "probs"], &[])?;
                DistKind::Discrete {
                    values: s.values.unwrap_or_default(),
                    probs: s.probs.unwrap_or_default(),
                }
            }
            "empirical" => {
                expect(&["values"], &[])?;
                DistKind::Empirical {
                    values: s.values.unwrap_or_default(),
                }
            }
            other => {
                return Err(format!(
                    "unknown dist \"{other}\"; expected one of fixed, uniform, normal, lognormal, triangular, pert, beta, discrete, empirical"
                ));
            }
        };
        Ok(Dist {
            kind,
            min: s.min,
            max: s.max,
        })
    }
}

impl From<Dist> for DistSpec {
    fn from(d: Dist) -> DistSpec {
        let mut s = DistSpec {
            dist: d.family().to_string(),
            min: d.min,
            max: d.max,
            ..Default::default()
        };
        match d.kind {
            DistKind::Fixed { value } => s.value = Some(value),
            DistKind::Uniform { lo, hi } => (s.lo, s.hi) = (Some(lo), Some(hi)),
            DistKind::Normal { mean, sd } | DistKind::LogNormal { mean, sd } => (s.mean, s.sd) = (Some(mean), Some(sd)),
            DistKind::LogNormalLog { mu, sigma } => (s.mu, s.sigma) = (Some(mu), Some(sigma)),
            DistKind::Triangular { lo, mode, hi } | DistKind::Pert { lo, mode, hi } => {
                (s.lo, s.mode, s.hi) = (Some(lo), Some(mode), Some(hi))
            }
            DistKind::Beta { a, b, lo, hi } => {
                (s.a, s.b) = (Some(a), Some(b));
                if (lo, hi) != (0.0, 1.0) {
                    (s.lo, s.hi) = (Some(lo), Some(hi));
                }
            }
            DistKind::Discrete { values, probs } => (s.values, s.probs) = (Some(values), Some(probs)),
            DistKind::Empirical { values } => s.values = Some(values),
        }
        s
    }
}

impl std::fmt::Display for Uncertain {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Uncertain::Fixed(v) => write!(f, "{}", Num(*v)),
            Uncertain::Dist(d) => write!(f, "{d}"),
        }
    }
}

impl std::fmt::Display for Dist {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.kind {
            DistKind::Fixed { value } => write!(f, "fixed({})", Num(*value))?,
            DistKind::Uniform { lo, hi } => write!(f, "uniform({}, {})", Num(*lo), Num(*hi))?,
            DistKind::Normal { mean, sd } => write!(f, "normal(mean={}, sd={})", Num(*mean), Num(*sd))?,
            DistKind::LogNormal { mean, sd } => write!(f, "lognormal(mean={}, sd={})", Num(*mean), Num(*sd))?,
            DistKind::LogNormalLog { mu, sigma } => write!(f, "lognormal(mu={}, sigma={})", Num(*mu), Num(*sigma))?,
            DistKind::Triangular { lo, mode, hi } => {
                write!(f, "triangular({}, {}, {})", Num(*lo), Num(*mode), Num(*hi))?
            }
            DistKind::Pert { lo, mode, hi } => write!(f, "pert({}, {}, {})", Num(*lo), Num(*mode), Num(*hi))?,
            DistKind::Beta { a, b, lo, hi } => write!(f, "beta({}, {}, {}, {})", Num(*a), Num(*b), Num(*lo), Num(*hi))?,
            DistKind::Discrete { values, probs } => write!(f, "discrete({}, {})", nums(values), nums(probs))?,
            DistKind::Empirical { values } => write!(f, "empirical({} values)", values.len())?,
        }
        match (self.min, self.max) {
            (None, None) => Ok(()),
            (lo, hi) => write!(
                f,
                " truncated to [{}, {}]",
                Num(lo.unwrap_or(f64::NEG_INFINITY)),
                Num(hi.unwrap_or(f64::INFINITY))
            ),
        }
    }
}
