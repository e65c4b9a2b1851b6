//! Uncertain inputs (docs/equations.md §0): a number, or a distribution drawn once
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
//!
//! The parts: [`spec`] the families as written and their serde form,
//! [`checks`] their parameter rules, [`sampler`] the inverse CDFs with
//! truncation, [`copula`] the rank correlation of inputs.

pub mod checks;
pub mod copula;
pub mod sampler;
pub mod spec;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::error::Num;

pub use copula::InputCopula;
pub use sampler::{Sampler, Support, lognormal_params, std_normal_cdf};
pub use spec::{Dist, DistKind};

/// A scalar input: a plain number or a distribution.
#[derive(Clone, Debug, PartialEq)]
pub enum Uncertain {
    /// A plain number, the same on every path.
    Fixed(f64),
    /// A distribution, drawn once per path at `t = 0`.
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

impl std::fmt::Display for Uncertain {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Uncertain::Fixed(v) => write!(f, "{}", Num(*v)),
            Uncertain::Dist(d) => write!(f, "{d}"),
        }
    }
}
