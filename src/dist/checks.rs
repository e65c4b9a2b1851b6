//! The parameter rules of the distributions (docs/equations.md §9), as messages
//! without the field path (validation adds it).

use super::spec::{Dist, DistKind};
use crate::error::Num;

impl Dist {
    /// Parameter problems (docs/equations.md §9), as messages without the path.
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
}
