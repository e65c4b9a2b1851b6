//! The distributions as written in scenario files: the families and their
//! parameters, the serde form (one flat table tagged by `dist`, checked
//! against the family's fields) and their display in messages.

use serde::{Deserialize, Serialize};

use crate::error::Num;

/// The family and parameters of a distribution, as written in the scenario.
#[derive(Clone, Debug, PartialEq)]
pub enum DistKind {
    /// Always `value`: `fixed(v)`.
    Fixed {
        /// The value.
        value: f64,
    },
    /// Uniform on `[lo, hi]`, `lo < hi`.
    Uniform {
        /// Lower limit.
        lo: f64,
        /// Upper limit.
        hi: f64,
    },
    /// Normal with mean `mean` and standard deviation `sd > 0`.
    Normal {
        /// The mean.
        mean: f64,
        /// The standard deviation.
        sd: f64,
    },
    /// Lognormal by the mean and sd of the variable itself.
    LogNormal {
        /// Mean of the variable, `> 0`.
        mean: f64,
        /// Standard deviation of the variable, `> 0`.
        sd: f64,
    },
    /// Lognormal by the mean and sd of its logarithm.
    LogNormalLog {
        /// Mean of the logarithm.
        mu: f64,
        /// Standard deviation of the logarithm, `> 0`.
        sigma: f64,
    },
    /// Triangular on `[lo, hi]` with its peak at `mode`.
    Triangular {
        /// Lower limit.
        lo: f64,
        /// Most likely value, `lo <= mode <= hi`.
        mode: f64,
        /// Upper limit, `> lo`.
        hi: f64,
    },
    /// PERT on `[lo, hi]`:
    /// `lo + (hi - lo) Beta(1 + 4 (mode - lo)/(hi - lo), 1 + 4 (hi - mode)/(hi - lo))`.
    Pert {
        /// Lower limit.
        lo: f64,
        /// Most likely value, `lo <= mode <= hi`.
        mode: f64,
        /// Upper limit, `> lo`.
        hi: f64,
    },
    /// `lo + (hi - lo) Beta(a, b)`; `lo` and `hi` default to 0 and 1 in files.
    Beta {
        /// First shape parameter, `> 0`.
        a: f64,
        /// Second shape parameter, `> 0`.
        b: f64,
        /// Lower limit.
        lo: f64,
        /// Upper limit, `> lo`.
        hi: f64,
    },
    /// Finitely many values with given probabilities.
    Discrete {
        /// The values (at least one).
        values: Vec<f64>,
        /// One probability per value, each `>= 0`, summing to 1.
        probs: Vec<f64>,
    },
    /// The values of a sample, each with equal weight.
    Empirical {
        /// The sample (at least one value).
        values: Vec<f64>,
    },
}

/// A distribution with optional inclusive truncation bounds.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "DistSpec", into = "DistSpec")]
pub struct Dist {
    /// The family and its parameters.
    pub kind: DistKind,
    /// Inclusive lower truncation bound (`min` in files); `None`: none.
    pub min: Option<f64>,
    /// Inclusive upper truncation bound (`max` in files); `None`: none.
    pub max: Option<f64>,
}

impl Dist {
    /// An untruncated distribution of the given family.
    pub fn new(kind: DistKind) -> Self {
        Dist {
            kind,
            min: None,
            max: None,
        }
    }
    /// `normal(mean, sd)`, untruncated.
    pub fn normal(mean: f64, sd: f64) -> Self {
        Self::new(DistKind::Normal { mean, sd })
    }
    /// `uniform(lo, hi)`, untruncated.
    pub fn uniform(lo: f64, hi: f64) -> Self {
        Self::new(DistKind::Uniform { lo, hi })
    }
    /// `lognormal(mean, sd)` by the mean and sd of the variable itself, untruncated.
    pub fn lognormal(mean: f64, sd: f64) -> Self {
        Self::new(DistKind::LogNormal { mean, sd })
    }
    /// `triangular(lo, mode, hi)`, untruncated.
    pub fn triangular(lo: f64, mode: f64, hi: f64) -> Self {
        Self::new(DistKind::Triangular { lo, mode, hi })
    }
    /// `pert(lo, mode, hi)`, untruncated.
    pub fn pert(lo: f64, mode: f64, hi: f64) -> Self {
        Self::new(DistKind::Pert { lo, mode, hi })
    }
    /// Truncate to `[min, max]` (either may be infinite).
    pub fn truncated(mut self, min: Option<f64>, max: Option<f64>) -> Self {
        self.min = min;
        self.max = max;
        self
    }

    /// The distribution of `x + c` for `x` drawn from this one, where the
    /// family has that form (every family but the lognormal's and the beta's
    /// `lo`/`hi`-free shapes; a shifted beta moves its `lo` and `hi`).
    pub fn shifted(&self, c: f64) -> Option<Dist> {
        use DistKind as K;
        let kind = match &self.kind {
            K::Fixed { value } => K::Fixed { value: value + c },
            K::Uniform { lo, hi } => K::Uniform { lo: lo + c, hi: hi + c },
            K::Normal { mean, sd } => K::Normal {
                mean: mean + c,
                sd: *sd,
            },
            K::LogNormal { .. } | K::LogNormalLog { .. } => return None,
            K::Triangular { lo, mode, hi } => K::Triangular {
                lo: lo + c,
                mode: mode + c,
                hi: hi + c,
            },
            K::Pert { lo, mode, hi } => K::Pert {
                lo: lo + c,
                mode: mode + c,
                hi: hi + c,
            },
            K::Beta { a, b, lo, hi } => K::Beta {
                a: *a,
                b: *b,
                lo: lo + c,
                hi: hi + c,
            },
            K::Discrete { values, probs } => K::Discrete {
                values: values.iter().map(|v| v + c).collect(),
                probs: probs.clone(),
            },
            K::Empirical { values } => K::Empirical {
                values: values.iter().map(|v| v + c).collect(),
            },
        };
        Some(Dist {
            kind,
            min: self.min.map(|m| m + c),
            max: self.max.map(|m| m + c),
        })
    }

    /// The distribution of `c x` for `x` drawn from this one, `c > 0` (every
    /// family has that form); `None` for `c <= 0`.
    pub fn scaled(&self, c: f64) -> Option<Dist> {
        use DistKind as K;
        if !(c > 0.0 && c.is_finite()) {
            return None;
        }
        let kind = match &self.kind {
            K::Fixed { value } => K::Fixed { value: value * c },
            K::Uniform { lo, hi } => K::Uniform { lo: lo * c, hi: hi * c },
            K::Normal { mean, sd } => K::Normal {
                mean: mean * c,
                sd: sd * c,
            },
            K::LogNormal { mean, sd } => K::LogNormal {
                mean: mean * c,
                sd: sd * c,
            },
            K::LogNormalLog { mu, sigma } => K::LogNormalLog {
                mu: mu + c.ln(),
                sigma: *sigma,
            },
            K::Triangular { lo, mode, hi } => K::Triangular {
                lo: lo * c,
                mode: mode * c,
                hi: hi * c,
            },
            K::Pert { lo, mode, hi } => K::Pert {
                lo: lo * c,
                mode: mode * c,
                hi: hi * c,
            },
            K::Beta { a, b, lo, hi } => K::Beta {
                a: *a,
                b: *b,
                lo: lo * c,
                hi: hi * c,
            },
            K::Discrete { values, probs } => K::Discrete {
                values: values.iter().map(|v| v * c).collect(),
                probs: probs.clone(),
            },
            K::Empirical { values } => K::Empirical {
                values: values.iter().map(|v| v * c).collect(),
            },
        };
        Some(Dist {
            kind,
            min: self.min.map(|m| m * c),
            max: self.max.map(|m| m * c),
        })
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

/// A list of numbers as messages print it: `[0.1, 1e308]`.
fn nums(xs: &[f64]) -> String {
    let items: Vec<String> = xs.iter().map(|x| Num(*x).to_string()).collect();
    format!("[{}]", items.join(", "))
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
