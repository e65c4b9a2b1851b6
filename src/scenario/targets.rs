//! The targets of event effects (docs/equations.md §6): a vocabulary of state
//! variables and parameters of its own, parsed against a scenario's ids when
//! it is validated.

use super::types::{Op, Scenario};

/// What an effect changes: a state variable or a per-path parameter.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Target {
    /// `segments.<id>.brand_premium` (b_s)
    BrandPremium(usize),
    /// `gap` (G)
    Gap,
    /// `labs.<id>.attractiveness` (a_i)
    Attractiveness(usize),
    /// `labs.<id>.gross_margin_inf`
    GrossMarginInf(usize),
    /// `price_ratio` (the reference ratio rt)
    PriceRatio,
    /// `closed_price` (the reference closed price Pt^c; rt unchanged, so P^o moves too)
    ClosedPrice,
    /// `price_pressure` (Ye, added to the pressure's target)
    PricePressure,
    /// `segments.<id>.demand` (A_s)
    Demand(usize),
    /// `segments.<id>.switching` (theta_s)
    Switching(usize),
    /// `labs.<id>.multiple_0` (M_0)
    Multiple0(usize),
    /// `labs.<id>.multiple_inf` (M_inf)
    MultipleInf(usize),
}

const TARGETS: &str = "segments.<id>.brand_premium, gap, labs.<id>.attractiveness, labs.<id>.gross_margin_inf, \
                       price_pressure, price_ratio, closed_price, segments.<id>.demand, segments.<id>.switching, \
                       labs.<id>.multiple_0, labs.<id>.multiple_inf";

impl Target {
    /// Parse a target against the scenario's ids.
    pub fn parse(target: &str, s: &Scenario) -> Result<Target, String> {
        let parts: Vec<&str> = target.split('.').collect();
        let seg = |id: &str| {
            s.segments.iter().position(|x| x.id == id).ok_or_else(|| {
                let known: Vec<&str> = s.segments.iter().map(|x| x.id.as_str()).collect();
                format!("`{target}`: unknown segment `{id}` (known: {})", known.join(", "))
            })
        };
        let lab = |id: &str| {
            s.labs.iter().position(|x| x.id == id).ok_or_else(|| {
                let known: Vec<&str> = s.labs.iter().map(|x| x.id.as_str()).collect();
                format!("`{target}`: unknown lab `{id}` (known: {})", known.join(", "))
            })
        };
        match parts.as_slice() {
            ["gap"] => Ok(Target::Gap),
            ["price_ratio"] => Ok(Target::PriceRatio),
            ["closed_price"] => Ok(Target::ClosedPrice),
            ["price_pressure"] => Ok(Target::PricePressure),
            ["segments", id, "brand_premium"] => seg(id).map(Target::BrandPremium),
            ["segments", id, "demand"] => seg(id).map(Target::Demand),
            ["segments", id, "switching"] => seg(id).map(Target::Switching),
            ["labs", id, "attractiveness"] => lab(id).map(Target::Attractiveness),
            ["labs", id, "gross_margin_inf"] => lab(id).map(Target::GrossMarginInf),
            ["labs", id, "multiple_0"] => lab(id).map(Target::Multiple0),
            ["labs", id, "multiple_inf"] => lab(id).map(Target::MultipleInf),
            _ => Err(format!("unknown effect target `{target}` (targets: {TARGETS})")),
        }
    }

    /// Targets changed by a factor (mul, or set to a positive value).
    pub fn is_multiplicative(self) -> bool {
        !matches!(
            self,
            Target::BrandPremium(_)
                | Target::Gap
                | Target::Attractiveness(_)
                | Target::GrossMarginInf(_)
                | Target::PricePressure
        )
    }

    /// Whether an effect may apply `op` to this target: `set` always, `mul`
    /// to multiplicative targets, `add` to the others.
    pub fn allows(self, op: Op) -> bool {
        match op {
            Op::Set => true,
            Op::Add => !self.is_multiplicative(),
            Op::Mul => self.is_multiplicative(),
        }
    }

    /// The operations [`Target::allows`], in words for messages (`mul or set`).
    pub fn ops_description(self) -> &'static str {
        if self.is_multiplicative() {
            "mul or set"
        } else {
            "add or set"
        }
    }

    /// The lab whose mark this target needs (multiple effects).
    pub fn lab_needing_mark(self) -> Option<usize> {
        match self {
            Target::Multiple0(i) | Target::MultipleInf(i) => Some(i),
            _ => None,
        }
    }
}
