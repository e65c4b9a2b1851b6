//! The state of one path at `t_k`, including the per-path parameters that
//! events may change (brand premiums, switching speeds, margins, multiples).

use super::params::PathParams;

#[derive(Clone, Debug, Default)]
pub struct State {
    /// `G`, months.
    pub gap: f64,
    /// `ln Pt^c`, the reference closed price.
    pub ln_closed_price: f64,
    /// `ln rt`, the reference open-to-closed ratio.
    pub ln_ratio: f64,
    /// `y`, the price pressure (log points off the closed price).
    pub price_pressure: f64,
    /// `Ye`, what events add to the pressure's target.
    pub pressure_from_events: f64,
    /// `ln A_s` per segment.
    pub ln_demand: Vec<f64>,
    /// `u_s` per segment.
    pub closed_share: Vec<f64>,
    /// `b_s` per segment.
    pub brand_premium: Vec<f64>,
    /// `theta_s` per segment.
    pub switching: Vec<f64>,
    /// `a_i` per lab.
    pub attractiveness: Vec<f64>,
    /// `Cash_i` per lab.
    pub cash: Vec<f64>,
    /// `L_i`, the tax-loss pool per lab.
    pub loss_pool: Vec<f64>,
    /// `gm_inf,i` per lab.
    pub gross_margin_inf: Vec<f64>,
    /// `M_0,i` per lab (set at t = 0 from the mark and today's revenue).
    pub multiple_0: Vec<f64>,
    /// `M_inf,i` per lab.
    pub multiple_inf: Vec<f64>,
}

fn refill(v: &mut Vec<f64>, it: impl Iterator<Item = f64>) {
    v.clear();
    v.extend(it);
}

impl State {
    /// The state at `t_0` (buffers reused).
    pub fn reset(&mut self, p: &PathParams) {
        self.gap = p.gap.initial;
        self.ln_closed_price = 0.0;
        self.ln_ratio = p.prices.ratio_0.ln();
        self.price_pressure = 0.0;
        self.pressure_from_events = 0.0;
        refill(&mut self.ln_demand, p.segments.iter().map(|_| 0.0));
        refill(&mut self.closed_share, p.segments.iter().map(|s| s.closed_share_0));
        refill(
            &mut self.brand_premium,
            p.segments
                .iter()
                .map(|s| super::demand::brand_premium(s, p.reference_lead(), p.prices.ratio_0)),
        );
        refill(&mut self.switching, p.segments.iter().map(|s| s.switching));
        refill(&mut self.attractiveness, p.labs.iter().map(|_| 0.0));
        refill(&mut self.cash, p.labs.iter().map(|l| l.cash_0));
        refill(&mut self.loss_pool, p.labs.iter().map(|l| l.tax_losses_0));
        refill(&mut self.gross_margin_inf, p.labs.iter().map(|l| l.gross_margin_inf));
        refill(&mut self.multiple_0, p.labs.iter().map(|_| f64::NAN));
        refill(
            &mut self.multiple_inf,
            p.labs.iter().map(|l| l.multiple_inf.unwrap_or(f64::NAN)),
        );
    }
}
