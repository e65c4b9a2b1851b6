//! The parameters of one path: every scalar input resolved to a number,
//! after the draws (or an input table) of docs/equations.md §0. Each section's
//! parameters are declared with its inputs (`scenario::types`); this file
//! composes them and fills them from the slots of [`SlotLayout`].

pub use crate::scenario::{
    AttractivenessParams, DemandParams, EventParams, GapParams, LabParams, PriceParams, RunParams, SegmentParams,
    ValuationParams,
};
use crate::scenario::{Class, Scenario, SlotLayout};

/// All parameters of one path.
#[derive(Clone, Debug, Default)]
pub struct PathParams {
    pub run: RunParams,
    pub valuation: ValuationParams,
    pub gap: GapParams,
    pub prices: PriceParams,
    pub demand: DemandParams,
    pub attractiveness: AttractivenessParams,
    pub segments: Vec<SegmentParams>,
    pub labs: Vec<LabParams>,
    pub events: Vec<EventParams>,
}

impl PathParams {
    /// Parameters shaped for a scenario: one entry per segment, lab and
    /// event, with each lab's class (the values come from [`PathParams::fill`]).
    pub fn for_scenario(s: &Scenario) -> Self {
        PathParams {
            segments: vec![SegmentParams::default(); s.segments.len()],
            labs: s
                .labs
                .iter()
                .map(|l| LabParams {
                    closed: l.class == Class::Closed,
                    weights: vec![0.0; s.segments.len()],
                    ..Default::default()
                })
                .collect(),
            events: vec![EventParams::default(); s.events.len()],
            ..Default::default()
        }
    }

    /// `G_ref`, the lead at which today's premium and usage were observed
    /// (docs/equations.md §2): `prices.reference_lead`, or the path's
    /// `gap.initial` when it is absent (v2). It anchors the price pressure's
    /// target, the calibrated brand premiums and the hazards' gap term.
    #[inline]
    pub fn reference_lead(&self) -> f64 {
        self.prices.reference_lead.unwrap_or(self.gap.initial)
    }

    /// Read every parameter of one path from its slot values.
    pub fn fill(&mut self, layout: &SlotLayout, values: &[f64]) {
        self.run.fill(values, layout.run);
        self.valuation.fill(values, layout.valuation);
        self.gap.fill(values, layout.gap);
        self.prices.fill(values, layout.prices);
        self.demand.fill(values, layout.demand);
        self.attractiveness.fill(values, layout.attractiveness);
        for (p, base) in self.segments.iter_mut().zip(&layout.segments) {
            p.fill(values, *base);
        }
        for (p, (weights, base)) in self.labs.iter_mut().zip(&layout.labs) {
            p.fill(values, *base);
            let n = p.weights.len();
            p.weights.copy_from_slice(&values[*weights..*weights + n]);
        }
        for (p, base) in self.events.iter_mut().zip(&layout.events) {
            p.fill(values, *base);
        }
    }
}
