//! The rules of docs/equations.md §9, collected: every problem with its field path
//! and value, never only the first.

use std::collections::HashSet;

use super::targets::Target;
use super::types::{MarkBasis, MatureMultiple, Op, Pressure, PriceEffect, PriceIndex, Scenario};
use crate::dist::InputCopula;
use crate::dist::Uncertain;
use crate::error::{Error, Num, Problem, Problems, Result};
use crate::linalg::cholesky_of_correlation;
use nalgebra::DMatrix;

/// Fewest and most steps per year (quarterly to daily).
pub const MIN_STEPS: u32 = 4;
pub const MAX_STEPS: u32 = 365;

impl Scenario {
    /// Check every rule of docs/equations.md §9.
    ///
    /// # Errors
    /// [`Error::Scenario`] listing every problem found, each with its path.
    pub fn validate(&self) -> Result<()> {
        let problems = self.problems();
        if problems.is_empty() {
            Ok(())
        } else {
            Err(Error::Scenario(Problems(problems)))
        }
    }

    /// Every problem of the scenario (empty when valid).
    pub fn problems(&self) -> Vec<Problem> {
        let mut out = Vec::new();
        let mut bad = |path: &str, msg: String| out.push(Problem::new(path, msg));

        // The time grid: start_year and horizon are inputs with domains
        // (checked below); steps and their product with the horizon here.
        let n = self.steps_per_year;
        if !(MIN_STEPS..=MAX_STEPS).contains(&n) || !n.is_multiple_of(4) {
            bad(
                "steps_per_year",
                format!("must be a multiple of 4 in [{MIN_STEPS}, {MAX_STEPS}], got {n}"),
            );
        }
        let h = self.horizon();
        if h.is_finite() && h > 0.0 && h <= 100.0 && n > 0 {
            let k = h * n as f64;
            if (k - k.round()).abs() > 1e-9 {
                bad(
                    "horizon",
                    format!(
                        "horizon x steps_per_year must be an integer, got {} x {n} = {}",
                        Num(h),
                        Num(k)
                    ),
                );
            }
        }

        // The valuation conventions a file must state (docs/equations.md §5).
        if self.valuation.terminal.is_none() {
            bad(
                "valuation.terminal",
                "missing: state the terminal value's convention, \"steady\" (the lab after its \
                 commitments, v2) or \"last\" (the cash flow at the horizon, v1)"
                    .into(),
            );
        }

        // The spend's price effect "relative" is defined on the CES index only
        // (docs/equations.md §3; at omega = 0 that index is the mean price).
        if self.demand.price_effect == PriceEffect::Relative && self.demand.price_index != PriceIndex::Ces {
            bad(
                "demand.price_effect",
                "\"relative\" needs demand.price_index = \"ces\" (the CES index is the mean price \
                 at substitution = 0; \"mean\" reproduces v1, which is \"absolute\")"
                    .into(),
            );
        }

        // The price pressure's anchor (docs/equations.md §2): a symmetric
        // relation needs the lead at which today's premium was observed.
        match self.prices.pressure {
            Pressure::Symmetric => {
                if self.prices.reference_lead.is_none() {
                    bad(
                        "prices.reference_lead",
                        "missing: pressure = \"symmetric\" needs the lead (months) at which today's \
                         premium and usage were observed"
                            .into(),
                    );
                }
            }
            Pressure::OneWay => {
                if self.prices.max_premium_rise.is_some() {
                    bad(
                        "prices.max_premium_rise",
                        "only pressure = \"symmetric\" takes this field (with \"one_way\" the premium \
                         never rises)"
                            .into(),
                    );
                }
            }
        }

        // Inputs the file must give.
        for path in self.missing_inputs() {
            bad(&path, "missing: this input has no default and must be given".into());
        }

        // Every scalar input: its number or its distribution against its domain.
        for f in self.fields() {
            match &f.value {
                Uncertain::Fixed(x) => {
                    if !f.domain.contains(*x) {
                        let rule = if x.is_finite() {
                            f.domain.describe()
                        } else {
                            "must be finite".into()
                        };
                        bad(&f.path, format!("{rule}, got {}", Num(*x)));
                    }
                }
                Uncertain::Dist(d) => {
                    let ps = d.problems();
                    if !ps.is_empty() {
                        for p in ps {
                            bad(&f.path, p);
                        }
                    } else if let Ok(s) = d.sampler()
                        && !f.domain.contains_support(s.support())
                    {
                        bad(
                            &f.path,
                            format!(
                                "{}, but {d} can draw values in [{}, {}]; truncate it with min/max",
                                f.domain.describe(),
                                Num(s.support().lo),
                                Num(s.support().hi)
                            ),
                        );
                    }
                }
            }
        }

        // Ids.
        ids(&mut bad, "segments", self.segments.iter().map(|s| s.id.as_str()));
        ids(&mut bad, "labs", self.labs.iter().map(|l| l.id.as_str()));
        ids(&mut bad, "events", self.events.iter().map(|e| e.id.as_str()));
        if self.segments.is_empty() {
            bad("segments", "at least one segment is needed".into());
        }
        if self.labs.is_empty() {
            bad("labs", "at least one lab is needed".into());
        }

        for lab in &self.labs {
            let p = |name: &str| format!("labs.{}.{name}", lab.id);
            for sid in lab.weights.keys() {
                if self.segment(sid).is_none() {
                    let known: Vec<&str> = self.segments.iter().map(|s| s.id.as_str()).collect();
                    bad(
                        &p(&format!("weights.{sid}")),
                        format!("unknown segment `{sid}` (known: {})", known.join(", ")),
                    );
                }
            }
            for (i, pt) in lab.plan.iter().enumerate() {
                if !(pt[0].is_finite() && pt[1].is_finite()) {
                    bad(
                        &format!("{}[{i}]", p("plan")),
                        format!("must be finite, got [{}, {}]", Num(pt[0]), Num(pt[1])),
                    );
                }
                if pt[1] < 0.0 {
                    bad(
                        &format!("{}[{i}]", p("plan")),
                        format!("spending must be >= 0, got {}", Num(pt[1])),
                    );
                }
            }
            for (i, w) in lab.plan.windows(2).enumerate() {
                if w[1][0] <= w[0][0] {
                    bad(
                        &format!("{}[{}]", p("plan"), i + 1),
                        format!(
                            "plan years must be strictly increasing, got {} after {}",
                            Num(w[1][0]),
                            Num(w[0][0])
                        ),
                    );
                }
            }
            if lab.mark.is_some() {
                if lab.growth_trailing.is_none() {
                    bad(
                        &p("growth_trailing"),
                        "a lab with a mark needs growth_trailing > 0".into(),
                    );
                }
                match (lab.mature_multiple, lab.multiple_inf.is_some()) {
                    (MatureMultiple::Given, false) => bad(
                        &p("multiple_inf"),
                        "a lab with a mark needs multiple_inf (or mature_multiple = \"steady\")".into(),
                    ),
                    (MatureMultiple::Steady, true) => bad(
                        &p("multiple_inf"),
                        "mature_multiple = \"steady\" takes the model's own mature multiple: leave \
                         multiple_inf out"
                            .into(),
                    ),
                    _ => {}
                }
                if !self.has_revenue_today(lab) {
                    bad(
                        &p("mark"),
                        "a lab with a mark needs revenue today (R_0 > 0) on every draw: \
                         capture > 0 and a weight > 0 in some segment"
                            .into(),
                    );
                }
                match lab.mark_basis {
                    None => bad(
                        &p("mark_basis"),
                        "missing: a lab with a mark states what its multiple applies to, \
                         \"revenue\" or \"gross_profit\" (multiple_inf is in that unit)"
                            .into(),
                    ),
                    Some(MarkBasis::GrossProfit) => {
                        let positive = lab.gross_margin_0.as_ref().is_some_and(|u| match u {
                            Uncertain::Fixed(x) => *x > 0.0,
                            Uncertain::Dist(d) => d.sampler().is_ok_and(|s| s.support().lo > 0.0),
                        });
                        if !positive {
                            bad(
                                &p("gross_margin_0"),
                                "a lab marked on gross profit needs gross_margin_0 > 0 on every draw".into(),
                            );
                        }
                    }
                    Some(MarkBasis::Revenue) => {}
                }
            } else {
                for (name, given) in [
                    ("growth_trailing", lab.growth_trailing.is_some()),
                    ("multiple_inf", lab.multiple_inf.is_some()),
                    ("mark_basis", lab.mark_basis.is_some()),
                    ("mature_multiple", lab.mature_multiple == MatureMultiple::Steady),
                ] {
                    if given {
                        bad(&p(name), "only a lab with a mark takes this field".into());
                    }
                }
            }
        }

        for ev in &self.events {
            let p = |name: &str| format!("events.{}.{name}", ev.id);
            match (&ev.hazard, ev.date) {
                (Some(_), Some(_)) => bad(&format!("events.{}", ev.id), "give a hazard or a date, not both".into()),
                (None, None) => bad(&format!("events.{}", ev.id), "needs a hazard or a date".into()),
                (None, Some(y)) => {
                    if !y.is_finite() {
                        bad(&p("date"), format!("must be finite, got {}", Num(y)));
                    } else if n > 0 {
                        let j = ((y - self.start_year()) * n as f64 - 1e-9).ceil();
                        if j <= 0.0 {
                            bad(
                                &p("date"),
                                format!("must be after start_year {}, got {}", Num(self.start_year()), Num(y)),
                            );
                        }
                    }
                }
                (Some(_), None) => {}
            }
            for (i, eff) in ev.effects.iter().enumerate() {
                let path = format!("{}[{i}]", p("effects"));
                match Target::parse(&eff.0, self) {
                    Err(msg) => bad(&path, msg),
                    Ok(t) => {
                        if !t.allows(eff.1) {
                            bad(
                                &path,
                                format!("`{}` takes {}, got {:?}", eff.0, t.ops_description(), eff.1).to_lowercase(),
                            );
                        } else if !eff.2.is_finite() {
                            bad(&path, format!("value must be finite, got {}", Num(eff.2)));
                        } else if t.is_multiplicative() && eff.2 <= 0.0 {
                            let op = if eff.1 == Op::Mul { "factor" } else { "value" };
                            bad(&path, format!("{op} for `{}` must be > 0, got {}", eff.0, Num(eff.2)));
                        }
                        if let Some(lab) = t.lab_needing_mark()
                            && self.labs[lab].mark.is_none()
                        {
                            bad(&path, format!("`{}`: lab `{}` has no mark", eff.0, self.labs[lab].id));
                        }
                        if let Target::MultipleInf(lab) = t
                            && self.labs[lab].mature_multiple == MatureMultiple::Steady
                        {
                            bad(
                                &path,
                                format!(
                                    "`{}`: lab `{}` has mature_multiple = \"steady\", no given multiple to \
                                     act on (a gross_margin_inf effect moves its mature multiple)",
                                    eff.0, self.labs[lab].id
                                ),
                            );
                        }
                    }
                }
            }
        }

        if let Some(m) = &self.correlation.process
            && let Err(msg) = check_process(m)
        {
            bad("correlation.process", msg);
        }
        if !self.correlation.inputs.is_empty() {
            let uncertain: HashSet<String> = self.uncertain_fields().into_iter().map(|f| f.path).collect();
            let all: HashSet<String> = self.fields().into_iter().map(|f| f.path).collect();
            let mut ok = true;
            for (i, (a, b, r)) in self.correlation.inputs.iter().enumerate() {
                let path = format!("correlation.inputs[{i}]");
                for x in [a, b] {
                    if !all.contains(x) {
                        bad(&path, format!("`{x}` is not an input that may be uncertain"));
                        ok = false;
                    } else if !uncertain.contains(x) {
                        bad(
                            &path,
                            format!("`{x}` is a fixed number; only drawn inputs can be correlated"),
                        );
                        ok = false;
                    }
                }
                if a == b {
                    bad(&path, format!("`{a}` is correlated with itself"));
                    ok = false;
                }
                if !(r.is_finite() && (-1.0..=1.0).contains(r)) {
                    bad(&path, format!("rank correlation must be in [-1, 1], got {}", Num(*r)));
                    ok = false;
                }
            }
            if ok && let Err(msg) = InputCopula::new(&self.correlation.inputs) {
                bad("correlation.inputs", msg);
            }
        }

        // Every citation names a field of this scenario.
        if !self.sources.is_empty() {
            let expanded = super::fields::expand_defaults(self, self.to_value(), true);
            for key in self.sources.keys() {
                if let Err(msg) = super::paths::get(&expanded, key)
                    && !names_optional_field(self, key)
                {
                    bad(
                        "sources",
                        format!(
                            "key `{key}` names no field of this scenario ({})",
                            msg.trim_start_matches(&format!("{key}: "))
                        ),
                    );
                }
            }
        }
        out
    }

    /// `R_{i,0} > 0` on every draw: capture > 0 and some weight > 0.
    fn has_revenue_today(&self, lab: &super::types::Lab) -> bool {
        let positive = |u: &Uncertain| match u {
            Uncertain::Fixed(x) => *x > 0.0,
            Uncertain::Dist(d) => d
                .sampler()
                .map(|s| s.support().lo > 0.0 || (s.support().open && s.support().lo >= 0.0))
                .unwrap_or(true),
        };
        // Absent, the capture is its default 1.
        lab.capture.as_ref().is_none_or(positive)
            && self
                .segments
                .iter()
                .any(|s| lab.weights.get(&s.id).is_some_and(positive))
    }
}

/// Whether `key` names an optional field that this scenario leaves out (a
/// citation may explain why: a calibrated brand premium, an event's date).
fn names_optional_field(s: &Scenario, key: &str) -> bool {
    let parts: Vec<&str> = key.split('.').collect();
    match parts.as_slice() {
        ["segments", id, "brand_premium"] => s.segment(id).is_some(),
        ["prices", "reference_lead"] => true,
        ["labs", id, "mark" | "growth_trailing" | "multiple_inf"] => s.lab(id).is_some(),
        ["events", id, "hazard" | "date"] => s.events.iter().any(|e| e.id == *id),
        ["correlation", "process" | "inputs"] => true,
        _ => false,
    }
}

fn ids<'a>(bad: &mut impl FnMut(&str, String), list: &str, ids: impl Iterator<Item = &'a str>) {
    let mut seen = HashSet::new();
    for (i, id) in ids.enumerate() {
        let valid = !id.is_empty()
            && id
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
        if !valid {
            bad(
                &format!("{list}[{i}].id"),
                format!("ids use lowercase letters, digits and `_`, got {id:?}"),
            );
        }
        if !seen.insert(id) {
            bad(&format!("{list}.{id}"), format!("duplicate id {id:?}"));
        }
    }
}

/// Check a 4x4 process correlation matrix (order G, P, rho, A).
fn check_process(m: &[Vec<f64>]) -> Result<(), String> {
    if m.len() != 4 || m.iter().any(|r| r.len() != 4) {
        return Err(format!(
            "must be a 4x4 matrix (order gap, closed price, ratio, demand), got {} rows of lengths {:?}",
            m.len(),
            m.iter().map(Vec::len).collect::<Vec<_>>()
        ));
    }
    let dm = DMatrix::from_fn(4, 4, |i, j| m[i][j]);
    cholesky_of_correlation(&dm).map(|_| ())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rejects_non_positive_definite() {
        let m = vec![
            vec![1.0, 0.9, 0.9, 0.0],
            vec![0.9, 1.0, -0.9, 0.0],
            vec![0.9, -0.9, 1.0, 0.0],
            vec![0.0, 0.0, 0.0, 1.0],
        ];
        assert!(check_process(&m).unwrap_err().contains("positive-definite"));
        let mut asym = vec![vec![0.0; 4]; 4];
        for (i, row) in asym.iter_mut().enumerate() {
            row[i] = 1.0;
        }
        asym[0][1] = 0.3;
        assert!(check_process(&asym).unwrap_err().contains("symmetric"));
        assert!(check_process(&[vec![1.0]]).unwrap_err().contains("4x4"));
    }
}
