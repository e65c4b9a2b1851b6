//! The registry of scalar inputs (the fields marked U in MODEL section 10):
//! their paths, units and domains, in one place for validation, drawing,
//! input tables and `describe()`.

use serde_json::{Value, json};

use super::types::Scenario;
use crate::dist::{Support, Uncertain};
use crate::error::Num;

/// The values a field may take (MODEL section 9).
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Domain {
    Any,
    /// `> 0`
    Positive,
    /// `>= 0`
    NonNegative,
    /// `0 < x < 1`
    OpenUnit,
    /// `0 <= x <= 1`
    ClosedUnit,
    /// `>= bound` (the discount rate: `r >= g_T + 0.01 - 1e-12`)
    AtLeast(f64),
}

impl Domain {
    /// Whether a single value lies in the domain.
    pub fn contains(self, x: f64) -> bool {
        x.is_finite()
            && match self {
                Domain::Any => true,
                Domain::Positive => x > 0.0,
                Domain::NonNegative => x >= 0.0,
                Domain::OpenUnit => x > 0.0 && x < 1.0,
                Domain::ClosedUnit => (0.0..=1.0).contains(&x),
                Domain::AtLeast(b) => x >= b,
            }
    }

    /// Whether every value of a support lies in the domain.
    pub fn contains_support(self, s: Support) -> bool {
        let lo_ok = |bound: f64, strict: bool| {
            if strict {
                s.lo > bound || (s.open && s.lo == bound)
            } else {
                s.lo >= bound
            }
        };
        let hi_ok = |bound: f64, strict: bool| {
            if strict {
                s.hi < bound || (s.open && s.hi == bound)
            } else {
                s.hi <= bound
            }
        };
        match self {
            Domain::Any => true,
            Domain::Positive => lo_ok(0.0, true),
            Domain::NonNegative => lo_ok(0.0, false),
            Domain::OpenUnit => lo_ok(0.0, true) && hi_ok(1.0, true),
            Domain::ClosedUnit => lo_ok(0.0, false) && hi_ok(1.0, false),
            Domain::AtLeast(b) => lo_ok(b, false),
        }
    }

    /// The rule in words, for messages (`must be > 0`).
    pub fn describe(self) -> String {
        match self {
            Domain::Any => "may be any finite number".into(),
            Domain::Positive => "must be > 0".into(),
            Domain::NonNegative => "must be >= 0".into(),
            Domain::OpenUnit => "must be in (0, 1)".into(),
            Domain::ClosedUnit => "must be in [0, 1]".into(),
            Domain::AtLeast(b) => format!("must be >= {}", round_for_message(b)),
        }
    }
}

fn round_for_message(b: f64) -> Num {
    Num((b * 1e9).round() / 1e9)
}

/// `g_T` in (-1, 1): a growth rate per year for ever (MODEL section 9 asks
/// `r - g_T >= 0.01`; outside this range the rate is not a growth rate).
pub(crate) fn terminal_growth_in_domain(g: f64) -> bool {
    g.is_finite() && g.abs() < 1.0
}

/// One scalar input of a scenario.
#[derive(Clone, Debug)]
pub struct Field<'a> {
    pub path: String,
    pub value: &'a Uncertain,
    pub domain: Domain,
    pub unit: &'static str,
}

impl Scenario {
    /// Every scalar input that may be uncertain, in a fixed order: top-level
    /// sections, then segments, labs and events in scenario order.
    pub fn fields<'a>(&'a self) -> Vec<Field<'a>> {
        let mut out = Vec::new();
        let mut add = |path: String, unit: &'static str, value: &'a Uncertain, domain: Domain| {
            out.push(Field {
                path,
                value,
                domain,
                unit,
            });
        };
        let v = &self.valuation;
        add(
            "valuation.discount_rate".into(),
            "1/year",
            &v.discount_rate,
            // A g_T outside its own domain is reported on its own, so that
            // the discount rate is not blamed for it.
            if terminal_growth_in_domain(v.terminal_growth) {
                Domain::AtLeast(v.terminal_growth + 0.01 - 1e-12)
            } else {
                Domain::Any
            },
        );
        let g = &self.gap;
        add("gap.initial".into(), "months", &g.initial, Domain::Any);
        add("gap.long_run".into(), "months", &g.long_run, Domain::Any);
        add("gap.half_life".into(), "years", &g.half_life, Domain::Positive);
        add("gap.sigma".into(), "months/sqrt(year)", &g.sigma, Domain::NonNegative);
        add(
            "gap.release_rate".into(),
            "1/year",
            &g.release_rate,
            Domain::NonNegative,
        );
        add("gap.jump_mean".into(), "months", &g.jump_mean, Domain::NonNegative);
        add("gap.jump_sd".into(), "months", &g.jump_sd, Domain::NonNegative);
        let p = &self.prices;
        add("prices.closed_decline".into(), "1/year", &p.closed_decline, Domain::Any);
        add(
            "prices.sigma_closed".into(),
            "1/sqrt(year)",
            &p.sigma_closed,
            Domain::NonNegative,
        );
        add("prices.ratio_0".into(), "ratio", &p.ratio_0, Domain::Positive);
        add("prices.ratio_drift".into(), "1/year", &p.ratio_drift, Domain::Any);
        add(
            "prices.sigma_ratio".into(),
            "1/sqrt(year)",
            &p.sigma_ratio,
            Domain::NonNegative,
        );
        add(
            "demand.sigma".into(),
            "1/sqrt(year)",
            &self.demand.sigma,
            Domain::NonNegative,
        );
        add(
            "attractiveness.sigma".into(),
            "1/sqrt(year)",
            &self.attractiveness.sigma,
            Domain::NonNegative,
        );
        for s in &self.segments {
            let f = |name: &str| format!("segments.{}.{name}", s.id);
            add(f("spend_0"), "USD bn/year", &s.spend_0, Domain::Positive);
            add(f("closed_share_0"), "share", &s.closed_share_0, Domain::OpenUnit);
            add(f("growth_0"), "1/year", &s.growth_0, Domain::Any);
            add(f("growth_inf"), "1/year", &s.growth_inf, Domain::Any);
            add(f("growth_tau"), "years", &s.growth_tau, Domain::Positive);
            add(f("elasticity"), "1", &s.elasticity, Domain::NonNegative);
            add(f("beta_quality"), "1/month", &s.beta_quality, Domain::Any);
            add(f("beta_price"), "1", &s.beta_price, Domain::Any);
            add(f("switching"), "1/year", &s.switching, Domain::NonNegative);
            if let Some(b) = &s.brand_premium {
                add(f("brand_premium"), "log-odds", b, Domain::Any);
            }
        }
        for l in &self.labs {
            let f = |name: &str| format!("labs.{}.{name}", l.id);
            // Weights in segment order first, then any naming unknown segments
            // (validation reports those).
            for s in &self.segments {
                if let Some(w) = l.weights.get(&s.id) {
                    add(f(&format!("weights.{}", s.id)), "1", w, Domain::NonNegative);
                }
            }
            for (sid, w) in &l.weights {
                if self.segment(sid).is_none() {
                    add(f(&format!("weights.{sid}")), "1", w, Domain::NonNegative);
                }
            }
            add(f("capture"), "share", &l.capture, Domain::ClosedUnit);
            add(f("drift"), "1/year", &l.drift, Domain::Any);
            add(f("gross_margin_0"), "share", &l.gross_margin_0, Domain::Any);
            add(f("gross_margin_inf"), "share", &l.gross_margin_inf, Domain::Any);
            add(f("margin_tau"), "years", &l.margin_tau, Domain::Positive);
            add(f("opex_ratio"), "share", &l.opex_ratio, Domain::NonNegative);
            add(f("committed"), "share", &l.committed, Domain::ClosedUnit);
            add(
                f("research_intensity"),
                "share",
                &l.research_intensity,
                Domain::NonNegative,
            );
            add(f("cash_0"), "USD bn", &l.cash_0, Domain::Any);
            if let Some(m) = &l.mark {
                add(f("mark"), "USD bn", m, Domain::Positive);
            }
            if let Some(m) = &l.growth_trailing {
                add(f("growth_trailing"), "1/year", m, Domain::Positive);
            }
            if let Some(m) = &l.multiple_inf {
                add(f("multiple_inf"), "x revenue", m, Domain::NonNegative);
            }
        }
        for e in &self.events {
            if let Some(h) = &e.hazard {
                add(format!("events.{}.hazard", e.id), "1/year", h, Domain::NonNegative);
            }
        }
        out
    }

    /// The inputs that are drawn per path (distributions other than `fixed`).
    pub fn uncertain_fields(&self) -> Vec<Field<'_>> {
        self.fields()
            .into_iter()
            .filter(|f| f.value.fixed_value().is_none())
            .collect()
    }
}

/// Fill in every defaulted field of the JSON form (for `show --expanded`); it
/// reads back to an equal scenario. With `implied`, also write what an absent
/// entry means but an explicit one would change: the identity process
/// correlation and a zero weight for every unlisted segment (for `get`).
pub(crate) fn expand_defaults(s: &Scenario, mut v: Value, implied: bool) -> Value {
    fn fill(obj: &mut Value, defaults: Value) {
        if let (Value::Object(o), Value::Object(d)) = (obj, defaults) {
            for (k, dv) in d {
                o.entry(k).or_insert(dv);
            }
        }
    }
    fill(
        &mut v,
        json!({
            "description": "",
            "demand": {},
            "attractiveness": {},
            "events": [],
            "correlation": {},
        }),
    );
    fill(&mut v["valuation"], json!({"pop_threshold": 0.5}));
    fill(
        &mut v["gap"],
        json!({"sigma": 0.0, "release_rate": 0.0, "jump_mean": 0.0, "jump_sd": 0.0, "floor": 0.0}),
    );
    fill(
        &mut v["prices"],
        json!({"sigma_closed": 0.0, "ratio_drift": 0.0, "sigma_ratio": 0.0}),
    );
    fill(&mut v["demand"], json!({"sigma": 0.0}));
    fill(&mut v["attractiveness"], json!({"sigma": 0.0}));
    fill(&mut v["correlation"], json!({"inputs": []}));
    if implied {
        let identity: Vec<Vec<f64>> = (0..4)
            .map(|i| (0..4).map(|j| f64::from(u8::from(i == j))).collect())
            .collect();
        fill(&mut v["correlation"], json!({ "process": identity }));
    }
    if let Some(labs) = v["labs"].as_array_mut() {
        for lab in labs {
            fill(
                lab,
                json!({"capture": 1.0, "drift": 0.0, "committed": 0.0, "research_intensity": 0.0,
                       "plan": [], "cash_0": 0.0, "weights": {}}),
            );
            if implied {
                for seg in &s.segments {
                    fill(&mut lab["weights"], json!({ seg.id.clone(): 0.0 }));
                }
            }
        }
    }
    v
}
