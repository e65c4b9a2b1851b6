//! The values of the current step: run-wide (prices after competition and
//! the sector's totals), per segment (demand and pools) and per lab
//! (revenues, margins, marks and flows). Overwritten at every step.

use crate::model::demand;
use crate::model::params::PathParams;
use crate::model::state::State;
use crate::scenario::{PriceEffect, PriceIndex};

use crate::engine::compiled::Compiled;

/// Run-wide values of the current step.
#[derive(Clone, Copy, Default)]
pub(super) struct RunStep {
    pub closed_price: f64,
    pub ln_ratio: f64,
    pub ratio: f64,
    pub open_price: f64,
    pub spend: f64,
    pub closed_spend_share: f64,
    pub savings: f64,
    pub potential: f64,
}

/// Values of the current step, per segment.
pub(super) struct SegmentStep {
    pub quantity: Vec<f64>,
    pub spend: Vec<f64>,
    pub closed_pool: Vec<f64>,
    pub open_pool: Vec<f64>,
    /// `ln Pi_{s,0}` (CES) or `Pbar_{s,0}` (mean): the reference of the demand curve.
    pub reference_0: Vec<f64>,
    pub target: Vec<f64>,
    /// `(theta, 1 - exp(-theta dt))` of the last switching speed seen.
    pub share_pull: Vec<(f64, f64)>,
}

impl SegmentStep {
    pub fn new(segments: usize) -> Self {
        let v = || vec![0.0; segments];
        SegmentStep {
            quantity: v(),
            spend: v(),
            closed_pool: v(),
            open_pool: v(),
            reference_0: v(),
            target: v(),
            share_pull: vec![(f64::NAN, f64::NAN); segments],
        }
    }

    /// Each segment's quantity, spend and pools at step `k` from the state
    /// and the prices of `run`, whose spend, closed spend share, savings
    /// and potential it then sets (sums in segment order).
    pub fn observe(&mut self, c: &Compiled, pp: &PathParams, st: &State, k: usize, run: &mut RunStep) {
        let y = st.price_pressure;
        let (pc, po, ln_rho, rho) = (run.closed_price, run.open_price, run.ln_ratio, run.ratio);
        let (mut savings, mut potential, mut spend, mut closed_spend) = (0.0, 0.0, 0.0, 0.0);
        for (s, seg) in pp.segments.iter().enumerate() {
            let u = st.closed_share[s];
            let pbar = demand::mean_price(u, pc, po);
            let (q, spend_s) = match c.price_index {
                PriceIndex::Ces => {
                    let ln_index = match c.price_effect {
                        PriceEffect::Absolute => {
                            demand::ln_price_index(u, st.ln_closed_price - y, ln_rho, rho, seg.substitution)
                        }
                        PriceEffect::Relative => demand::ln_relative_price_index(u, y, ln_rho, rho, seg.substitution),
                    };
                    if k == 0 {
                        self.reference_0[s] = ln_index;
                    }
                    let spend_s = demand::ces_spend(seg, st.ln_demand[s], ln_index, self.reference_0[s]);
                    (spend_s / pbar, spend_s)
                }
                PriceIndex::Mean => {
                    if k == 0 {
                        self.reference_0[s] = pbar;
                    }
                    let q = demand::quantity(seg, st.ln_demand[s], pbar, self.reference_0[s]);
                    (q, q * pbar)
                }
            };
            let (cp, op) = demand::pools(q, u, pc, po);
            self.quantity[s] = q;
            self.spend[s] = spend_s;
            self.closed_pool[s] = cp;
            self.open_pool[s] = op;
            spend += spend_s;
            closed_spend += cp;
            savings += demand::savings(q, u, pc, po);
            potential += demand::potential(cp, rho);
        }
        run.spend = spend;
        run.closed_spend_share = closed_spend / spend;
        run.savings = savings;
        run.potential = potential;
    }
}

/// Values of the current step, per lab.
pub(super) struct LabStep {
    pub exp_a: Vec<f64>,
    pub revenue: Vec<f64>,
    pub revenue_0: Vec<f64>,
    pub gross_margin: Vec<f64>,
    pub market_value: Vec<f64>,
    pub spending: Vec<f64>,
    /// Pre-tax cash flow `X`.
    pub pretax: Vec<f64>,
    /// After-tax cash flow `FCF = X - T`.
    pub fcf: Vec<f64>,
}

impl LabStep {
    pub fn new(labs: usize) -> Self {
        let v = || vec![0.0; labs];
        LabStep {
            exp_a: v(),
            revenue: v(),
            revenue_0: v(),
            gross_margin: v(),
            market_value: v(),
            spending: v(),
            pretax: v(),
            fcf: v(),
        }
    }
}
