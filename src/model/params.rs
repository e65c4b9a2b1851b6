//! The parameters of one path: every scalar input resolved to a number, after
//! the draws (or an input table) of MODEL section 0.

use std::collections::HashMap;

use crate::scenario::Scenario;

/// Section 1.
#[derive(Clone, Debug, Default)]
pub struct GapParams {
    pub initial: f64,
    pub long_run: f64,
    pub half_life: f64,
    pub sigma: f64,
    pub release_rate: f64,
    pub jump_mean: f64,
    pub jump_sd: f64,
    pub floor: f64,
}

/// Section 2.
#[derive(Clone, Debug, Default)]
pub struct PriceParams {
    pub closed_decline: f64,
    pub sigma_closed: f64,
    pub ratio_0: f64,
    pub ratio_drift: f64,
    pub sigma_ratio: f64,
}

/// Section 3, one segment.
#[derive(Clone, Debug, Default)]
pub struct SegmentParams {
    pub spend_0: f64,
    pub closed_share_0: f64,
    pub growth_0: f64,
    pub growth_inf: f64,
    pub growth_tau: f64,
    pub elasticity: f64,
    pub beta_quality: f64,
    pub beta_price: f64,
    pub switching: f64,
    /// Given, or calibrated so that today is an equilibrium.
    pub brand_premium: f64,
}

/// Sections 4 and 5, one lab.
#[derive(Clone, Debug, Default)]
pub struct LabParams {
    pub closed: bool,
    /// `w_{i,s}` per segment, in segment order.
    pub weights: Vec<f64>,
    pub capture: f64,
    pub drift: f64,
    pub gross_margin_0: f64,
    pub gross_margin_inf: f64,
    pub margin_tau: f64,
    pub opex_ratio: f64,
    pub committed: f64,
    pub research_intensity: f64,
    pub cash_0: f64,
    pub mark: Option<f64>,
    pub growth_trailing: f64,
    pub multiple_inf: f64,
}

/// All parameters of one path.
#[derive(Clone, Debug, Default)]
pub struct PathParams {
    pub discount_rate: f64,
    pub terminal_growth: f64,
    pub gap: GapParams,
    pub prices: PriceParams,
    pub demand_sigma: f64,
    pub attractiveness_sigma: f64,
    pub segments: Vec<SegmentParams>,
    pub labs: Vec<LabParams>,
    /// Hazard per event (`NaN` for dated events).
    pub hazards: Vec<f64>,
}

#[derive(Clone, Debug)]
struct SegmentSlots {
    fields: [usize; 9],
    brand_premium: Option<usize>,
}

#[derive(Clone, Debug)]
struct LabSlots {
    closed: bool,
    weights: Vec<Option<usize>>,
    fields: [usize; 9],
    mark: Option<usize>,
    growth_trailing: Option<usize>,
    multiple_inf: Option<usize>,
}

/// Where each parameter sits in the vector of input values (the order of
/// [`Scenario::fields`]).
#[derive(Clone, Debug)]
pub struct Slots {
    discount_rate: usize,
    terminal_growth: f64,
    gap: [usize; 7],
    gap_floor: f64,
    prices: [usize; 5],
    demand_sigma: usize,
    attractiveness_sigma: usize,
    segments: Vec<SegmentSlots>,
    labs: Vec<LabSlots>,
    hazards: Vec<Option<usize>>,
}

const SEGMENT_FIELDS: [&str; 9] = [
    "spend_0",
    "closed_share_0",
    "growth_0",
    "growth_inf",
    "growth_tau",
    "elasticity",
    "beta_quality",
    "beta_price",
    "switching",
];
const LAB_FIELDS: [&str; 9] = [
    "capture",
    "drift",
    "gross_margin_0",
    "gross_margin_inf",
    "margin_tau",
    "opex_ratio",
    "committed",
    "research_intensity",
    "cash_0",
];

impl Slots {
    /// Map every parameter to its index in [`Scenario::fields`].
    pub fn new(s: &Scenario) -> Slots {
        let index: HashMap<String, usize> = s.fields().into_iter().enumerate().map(|(i, f)| (f.path, i)).collect();
        let at = |p: &str| *index.get(p).unwrap_or_else(|| panic!("field registry lacks {p}"));
        let opt = |p: &str| index.get(p).copied();
        let many = |prefix: &str, names: &[&str]| -> Vec<usize> {
            names.iter().map(|n| at(&format!("{prefix}.{n}"))).collect()
        };
        Slots {
            discount_rate: at("valuation.discount_rate"),
            terminal_growth: s.valuation.terminal_growth,
            gap: many(
                "gap",
                &[
                    "initial",
                    "long_run",
                    "half_life",
                    "sigma",
                    "release_rate",
                    "jump_mean",
                    "jump_sd",
                ],
            )
            .try_into()
            .expect("7 gap fields"),
            gap_floor: s.gap.floor,
            prices: many(
                "prices",
                &[
                    "closed_decline",
                    "sigma_closed",
                    "ratio_0",
                    "ratio_drift",
                    "sigma_ratio",
                ],
            )
            .try_into()
            .expect("5 price fields"),
            demand_sigma: at("demand.sigma"),
            attractiveness_sigma: at("attractiveness.sigma"),
            segments: s
                .segments
                .iter()
                .map(|seg| {
                    let prefix = format!("segments.{}", seg.id);
                    SegmentSlots {
                        fields: many(&prefix, &SEGMENT_FIELDS).try_into().expect("9 segment fields"),
                        brand_premium: opt(&format!("{prefix}.brand_premium")),
                    }
                })
                .collect(),
            labs: s
                .labs
                .iter()
                .map(|lab| {
                    let prefix = format!("labs.{}", lab.id);
                    LabSlots {
                        closed: lab.class == crate::scenario::Class::Closed,
                        weights: s
                            .segments
                            .iter()
                            .map(|seg| opt(&format!("{prefix}.weights.{}", seg.id)))
                            .collect(),
                        fields: many(&prefix, &LAB_FIELDS).try_into().expect("9 lab fields"),
                        mark: opt(&format!("{prefix}.mark")),
                        growth_trailing: opt(&format!("{prefix}.growth_trailing")),
                        multiple_inf: opt(&format!("{prefix}.multiple_inf")),
                    }
                })
                .collect(),
            hazards: s
                .events
                .iter()
                .map(|e| opt(&format!("events.{}.hazard", e.id)))
                .collect(),
        }
    }

    /// Resolve the parameters of one path from its input values, reusing `p`'s buffers.
    pub fn fill(&self, v: &[f64], p: &mut PathParams) {
        p.discount_rate = v[self.discount_rate];
        p.terminal_growth = self.terminal_growth;
        let g = self.gap.map(|i| v[i]);
        p.gap = GapParams {
            initial: g[0],
            long_run: g[1],
            half_life: g[2],
            sigma: g[3],
            release_rate: g[4],
            jump_mean: g[5],
            jump_sd: g[6],
            floor: self.gap_floor,
        };
        let pr = self.prices.map(|i| v[i]);
        p.prices = PriceParams {
            closed_decline: pr[0],
            sigma_closed: pr[1],
            ratio_0: pr[2],
            ratio_drift: pr[3],
            sigma_ratio: pr[4],
        };
        p.demand_sigma = v[self.demand_sigma];
        p.attractiveness_sigma = v[self.attractiveness_sigma];
        p.segments.resize(self.segments.len(), SegmentParams::default());
        for (sp, sl) in p.segments.iter_mut().zip(&self.segments) {
            let f = sl.fields.map(|i| v[i]);
            *sp = SegmentParams {
                spend_0: f[0],
                closed_share_0: f[1],
                growth_0: f[2],
                growth_inf: f[3],
                growth_tau: f[4],
                elasticity: f[5],
                beta_quality: f[6],
                beta_price: f[7],
                switching: f[8],
                brand_premium: match sl.brand_premium {
                    Some(i) => v[i],
                    // MODEL section 3: b = logit(u_0) - beta_q G_0 - beta_p ln rho_0.
                    None => {
                        let u0 = f[1];
                        (u0 / (1.0 - u0)).ln() - f[6] * p.gap.initial - f[7] * p.prices.ratio_0.ln()
                    }
                },
            };
        }
        p.labs.resize(self.labs.len(), LabParams::default());
        for (lp, sl) in p.labs.iter_mut().zip(&self.labs) {
            let f = sl.fields.map(|i| v[i]);
            lp.closed = sl.closed;
            lp.weights.clear();
            lp.weights.extend(sl.weights.iter().map(|w| w.map_or(0.0, |i| v[i])));
            lp.capture = f[0];
            lp.drift = f[1];
            lp.gross_margin_0 = f[2];
            lp.gross_margin_inf = f[3];
            lp.margin_tau = f[4];
            lp.opex_ratio = f[5];
            lp.committed = f[6];
            lp.research_intensity = f[7];
            lp.cash_0 = f[8];
            lp.mark = sl.mark.map(|i| v[i]);
            lp.growth_trailing = sl.growth_trailing.map_or(f64::NAN, |i| v[i]);
            lp.multiple_inf = sl.multiple_inf.map_or(f64::NAN, |i| v[i]);
        }
        p.hazards.clear();
        p.hazards
            .extend(self.hazards.iter().map(|h| h.map_or(f64::NAN, |i| v[i])));
    }
}
