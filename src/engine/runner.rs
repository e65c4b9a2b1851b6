//! One path of the model, in the step order of docs/equations.md §0, composing
//! the pure step functions of [`crate::model`] and [`crate::valuation`].
//!
//! A [`PathRunner`] owns the state, scratch buffers and sub-streams of the
//! path it runs and is reused across the paths of a batch (no allocation per
//! step). Each step has its phases: observe (prices, pools, revenues, marks,
//! series at `t_k`), flows (cash flows of period k, or the terminal value),
//! advance (shocks and the state at `t_{k+1}`) and events; `finish` writes
//! the path's metrics.
//!
//! Non-finite values: every step folds whether the values it computed are
//! finite into one flag (a compare and an `and` per value, no branch). A
//! path with a non-finite value is run again in checked mode, which stops at
//! the first one and names it; the path's streams are deterministic, so the
//! rerun sees the same numbers.

use crate::error::Error;
use crate::model::params::PathParams;
use crate::model::state::State;
use crate::model::{demand, events, gap, labs, prices};
use crate::results::{LabMetric, Per, Series};
use crate::rng::{Stream, stream};
use crate::scenario::{MarkBasis, MatureMultiple, PriceEffect, PriceIndex, Terminal};
use crate::valuation;

use super::CancelToken;
use super::compiled::{Compiled, Firing};
use super::layout::RowLayout;
use super::shocks;

/// Where a path writes its outputs.
pub struct PathOut<'a> {
    /// The path's row of per-path values ([`RowLayout`]).
    pub row: &'a mut [f64],
    /// Quarter-end observations of the batch: for path `j` of a batch of
    /// `paths`, `buf[(series * quarters + q) * paths + j]`. The batch then
    /// feeds each sketch its values in one pass, one sketch in cache at a time.
    pub quarters: &'a mut [f64],
    pub paths: usize,
    pub j: usize,
    /// Every series at every step (`[series][k]`), for stored paths.
    pub stored: Option<&'a mut [f64]>,
}

/// Per-lab running totals of a path.
#[derive(Clone, Copy, Default)]
struct LabTrack {
    pv: f64,
    tv: f64,
    min_cash: f64,
    first_negative: f64,
    pop_time: f64,
    crunch_time: f64,
    min_ratio: f64,
}

impl LabTrack {
    fn start() -> Self {
        LabTrack {
            min_cash: f64::INFINITY,
            first_negative: f64::INFINITY,
            pop_time: f64::INFINITY,
            crunch_time: f64::INFINITY,
            min_ratio: f64::INFINITY,
            ..Default::default()
        }
    }
}

/// A watched value's name: run-wide, per segment or per lab.
#[derive(Clone, Copy, Debug)]
enum Site {
    Run(&'static str),
    Segment(usize, &'static str),
    Lab(usize, &'static str),
}

/// The sub-streams of one path (docs/equations.md §0).
struct Streams {
    gap: Stream,
    prices: Stream,
    demand: Stream,
    labs: Vec<Stream>,
    events: Vec<Stream>,
}

/// Values of the current step, per segment.
#[derive(Default)]
struct SegmentStep {
    quantity: Vec<f64>,
    spend: Vec<f64>,
    closed_pool: Vec<f64>,
    open_pool: Vec<f64>,
    /// `ln Pi_{s,0}` (CES) or `Pbar_{s,0}` (mean): the reference of the demand curve.
    reference_0: Vec<f64>,
    target: Vec<f64>,
    /// `(theta, 1 - exp(-theta dt))` of the last switching speed seen.
    share_pull: Vec<(f64, f64)>,
}

/// Values of the current step, per lab.
#[derive(Default)]
struct LabStep {
    exp_a: Vec<f64>,
    revenue: Vec<f64>,
    revenue_0: Vec<f64>,
    gross_margin: Vec<f64>,
    market_value: Vec<f64>,
    spending: Vec<f64>,
    /// Pre-tax cash flow `X`.
    pretax: Vec<f64>,
    /// After-tax cash flow `FCF = X - T`.
    fcf: Vec<f64>,
}

/// Runs paths of one compiled scenario; reused across the paths of a batch.
pub struct PathRunner<'c> {
    c: &'c Compiled,
    layout: RowLayout,
    seed: u64,
    /// Every field's value on this path, and the normal scores behind the draws.
    values: Vec<f64>,
    z: Vec<f64>,
    params: PathParams,
    state: State,
    streams: Streams,
    // Prices and run-wide values of the current step.
    closed_price: f64,
    ln_ratio: f64,
    ratio: f64,
    open_price: f64,
    spend: f64,
    closed_spend_share: f64,
    savings: f64,
    potential: f64,
    seg: SegmentStep,
    lab: LabStep,
    /// Revenue of the last n steps, `[(k % n) * labs + i]`, for trailing growth.
    history: Vec<f64>,
    denominators: Vec<f64>,
    fired: Vec<bool>,
    obs: Vec<f64>,
    tracks: Vec<LabTrack>,
    pv_savings: f64,
    /// Whether every watched value so far was finite.
    finite: bool,
    /// Stop at the first non-finite value and name it.
    checked: bool,
    /// `1 - exp(-kappa dt)` of this path's gap half-life.
    gap_pull: f64,
    /// `1 - exp(-theta_y dt)` of this path's adjustment speed.
    pressure_pull: f64,
    /// The lowest price pressure on this path (`-y_up`, or `-inf` one way).
    pressure_floor: f64,
    /// `G_ref`, the path's reference lead (docs/equations.md §2).
    gap_ref: f64,
    /// The gap at `t_k`, before the step's update (for hazards).
    gap_k: f64,
    /// This path's jump samplers (built once per path).
    gap_jumps: shocks::GapJumps,
    lab_jumps: shocks::LabJumps,
    path: u64,
    /// Checked at every step, so that a cancelled run stops within a step of
    /// each worker (a path of 100 years at daily steps takes seconds).
    cancel: CancelToken,
}

/// A failed path: a model error, or a non-finite value still to be located,
/// or a cancelled run.
pub enum PathError {
    Model(Error),
    NonFinite,
    Cancelled,
}

/// Why a path did not finish: an error, or the run's cancellation.
pub enum Stop {
    Failed(Error),
    Cancelled,
}

impl From<Error> for PathError {
    fn from(e: Error) -> Self {
        PathError::Model(e)
    }
}

impl<'c> PathRunner<'c> {
    pub fn new(c: &'c Compiled, seed: u64, cancel: CancelToken) -> Self {
        let nl = c.scenario.labs.len();
        let ns = c.scenario.segments.len();
        let lab_vec = || vec![0.0; nl];
        let seg_vec = || vec![0.0; ns];
        let any = stream(seed, 0, 0);
        PathRunner {
            c,
            layout: RowLayout::new(c),
            seed,
            values: Vec::new(),
            z: Vec::new(),
            params: PathParams::for_scenario(&c.scenario),
            state: State::default(),
            streams: Streams {
                gap: any.clone(),
                prices: any.clone(),
                demand: any,
                labs: Vec::with_capacity(nl),
                events: Vec::with_capacity(c.events.len()),
            },
            closed_price: 0.0,
            ln_ratio: 0.0,
            ratio: 0.0,
            open_price: 0.0,
            spend: 0.0,
            closed_spend_share: 0.0,
            savings: 0.0,
            potential: 0.0,
            seg: SegmentStep {
                quantity: seg_vec(),
                spend: seg_vec(),
                closed_pool: seg_vec(),
                open_pool: seg_vec(),
                reference_0: seg_vec(),
                target: seg_vec(),
                share_pull: vec![(f64::NAN, f64::NAN); ns],
            },
            lab: LabStep {
                exp_a: lab_vec(),
                revenue: lab_vec(),
                revenue_0: lab_vec(),
                gross_margin: lab_vec(),
                market_value: lab_vec(),
                spending: lab_vec(),
                pretax: lab_vec(),
                fcf: lab_vec(),
            },
            history: vec![0.0; c.n * nl],
            denominators: Vec::new(),
            fired: vec![false; c.events.len()],
            obs: vec![0.0; c.series.len()],
            tracks: vec![LabTrack::start(); nl],
            pv_savings: 0.0,
            finite: true,
            checked: false,
            gap_pull: 0.0,
            pressure_pull: 0.0,
            pressure_floor: 0.0,
            gap_ref: 0.0,
            gap_k: 0.0,
            gap_jumps: shocks::GapJumps::new(&Default::default(), 0.0),
            lab_jumps: shocks::LabJumps::new(0.0, 0.0, 0.0),
            path: 0,
            cancel,
        }
    }

    /// Run path `p`, its process noise drawn as path `noise`'s (`p` but
    /// in a design that shares noise between rows), writing its outputs. A non-finite value anywhere is
    /// located by a checked rerun and returned as [`Error::Numerical`]; a
    /// cancelled token stops the path at the next step (its outputs are
    /// then incomplete and must not be used).
    pub fn run(
        &mut self,
        p: u64,
        noise: u64,
        table_row: Option<&[f64]>,
        out: &mut PathOut<'_>,
    ) -> std::result::Result<(), Stop> {
        match self.run_mode(p, noise, table_row, out, false) {
            Ok(()) => Ok(()),
            Err(PathError::Model(e)) => Err(Stop::Failed(e)),
            Err(PathError::Cancelled) => Err(Stop::Cancelled),
            Err(PathError::NonFinite) => match self.run_mode(p, noise, table_row, out, true) {
                Err(PathError::Model(e)) => Err(Stop::Failed(e)),
                Err(PathError::Cancelled) => Err(Stop::Cancelled),
                // Unreachable if the checks agree; report the path rather than panic.
                _ => Err(Stop::Failed(Error::numerical(
                    "(unlocated)",
                    p,
                    0,
                    self.c.scenario.start_year(),
                    f64::NAN,
                    "a non-finite value that the checked rerun did not find",
                ))),
            },
        }
    }

    fn run_mode(
        &mut self,
        p: u64,
        noise: u64,
        table_row: Option<&[f64]>,
        out: &mut PathOut<'_>,
        checked: bool,
    ) -> std::result::Result<(), PathError> {
        self.checked = checked;
        self.begin(p, noise, table_row, out.row);
        let steps = self.c.steps;
        for k in 0..=steps {
            // A relaxed load per step: nothing next to a step's work.
            if self.cancel.is_cancelled() {
                return Err(PathError::Cancelled);
            }
            self.observe(k, out)?;
            self.flows(k, out.row);
            self.watch(k)?;
            if k == steps {
                break;
            }
            self.advance(k)?;
            self.fire_events(k, out.row);
        }
        self.finish(out.row)?;
        if self.finite { Ok(()) } else { Err(PathError::NonFinite) }
    }

    /// Inputs (drawn at `p`), parameters, the state at `t_0` and the
    /// path's process streams (at `noise`).
    fn begin(&mut self, p: u64, noise: u64, table_row: Option<&[f64]>, row: &mut [f64]) {
        let c = self.c;
        self.path = p;
        c.path_inputs(self.seed, p, table_row, &mut self.values, &mut self.z);
        for (j, f) in c.input_fields.iter().enumerate() {
            row[j] = self.values[*f];
        }
        self.params.fill(&c.layout, &self.values);
        self.state.reset(&self.params);
        self.gap_pull = gap::pull(&self.params.gap, c.dt);
        self.pressure_pull = -(-self.params.prices.adjustment_speed * c.dt).exp_m1();
        self.pressure_floor = prices::pressure_floor(&self.params.prices, c.pressure);
        self.gap_ref = self.params.reference_lead();
        self.gap_jumps = shocks::GapJumps::new(&self.params.gap, c.dt);
        let a = &self.params.attractiveness;
        self.lab_jumps = shocks::LabJumps::new(a.jump_rate, a.jump_sd, c.dt);
        let s = &mut self.streams;
        s.gap = stream(self.seed, noise, c.gap_key);
        s.prices = stream(self.seed, noise, c.prices_key);
        s.demand = stream(self.seed, noise, c.demand_key);
        s.labs.clear();
        s.labs.extend(c.lab_keys.iter().map(|k| stream(self.seed, noise, *k)));
        s.events.clear();
        s.events
            .extend(c.events.iter().map(|e| stream(self.seed, noise, e.key)));
        self.fired.fill(false);
        self.seg.share_pull.fill((f64::NAN, f64::NAN));
        self.tracks.fill(LabTrack::start());
        self.history.fill(0.0);
        self.lab.market_value.fill(0.0);
        let l = self.layout;
        row[l.revenue(0, 0)..l.event(0)].fill(0.0);
        self.pv_savings = 0.0;
        self.finite = true;
    }

    /// (1) From the state at `t_k`: prices after competition, spend and
    /// pools, revenues and margins, marks (with the quarter-end pop and
    /// crunch tests), savings, and the recorded series.
    fn observe(&mut self, k: usize, out: &mut PathOut<'_>) -> std::result::Result<(), PathError> {
        let c = self.c;
        let (n, dt) = (c.n, c.dt);
        let t = k as f64 * dt;
        let pp = &self.params;
        let st = &mut self.state;
        let y = st.price_pressure;
        let (pc, ln_rho, rho, po) = prices::after_competition(st.ln_closed_price, st.ln_ratio, y);
        self.closed_price = pc;
        self.ln_ratio = ln_rho;
        self.ratio = rho;
        self.open_price = po;
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
                        self.seg.reference_0[s] = ln_index;
                    }
                    let spend_s = demand::ces_spend(seg, st.ln_demand[s], ln_index, self.seg.reference_0[s]);
                    (spend_s / pbar, spend_s)
                }
                PriceIndex::Mean => {
                    if k == 0 {
                        self.seg.reference_0[s] = pbar;
                    }
                    let q = demand::quantity(seg, st.ln_demand[s], pbar, self.seg.reference_0[s]);
                    (q, q * pbar)
                }
            };
            let (cp, op) = demand::pools(q, u, pc, po);
            self.seg.quantity[s] = q;
            self.seg.spend[s] = spend_s;
            self.seg.closed_pool[s] = cp;
            self.seg.open_pool[s] = op;
            spend += spend_s;
            closed_spend += cp;
            savings += demand::savings(q, u, pc, po);
            potential += demand::potential(cp, rho);
        }
        self.spend = spend;
        self.closed_spend_share = closed_spend / spend;
        self.savings = savings;
        self.potential = potential;
        let lab = &mut self.lab;
        for (e, a) in lab.exp_a.iter_mut().zip(&st.attractiveness) {
            *e = a.exp();
        }
        labs::revenues(
            &pp.labs,
            &lab.exp_a,
            &self.seg.closed_pool,
            &self.seg.open_pool,
            &mut self.denominators,
            &mut lab.revenue,
        );
        let cost_rise = labs::cost_rise(y);
        for (i, l) in pp.labs.iter().enumerate() {
            let gmr = labs::reference_margin(l, st.gross_margin_inf[i], c.margin_decay.at(k, i, l.margin_tau));
            let (pass, floor) = (pp.prices.pass_through, pp.prices.margin_floor);
            lab.gross_margin[i] = labs::gross_margin(l.closed, gmr, cost_rise, pass, floor);
        }
        if k == 0 {
            lab.revenue_0.copy_from_slice(&lab.revenue);
            for &i in &c.marked {
                let r0 = lab.revenue[i];
                let b0 = basis(c.mark_basis[i], r0, lab.gross_margin[i]);
                if !(r0 > 0.0 && b0 > 0.0) {
                    let (what, value) = if r0 > 0.0 {
                        ("gross_profit", b0)
                    } else {
                        ("revenue", r0)
                    };
                    return Err(PathError::Model(Error::numerical(
                        format!("labs.{}.{what}", c.scenario.labs[i].id),
                        self.path,
                        0,
                        c.scenario.start_year(),
                        value,
                        "a lab with a mark needs a positive mark basis today (check the input table's weights, capture and margins)",
                    )));
                }
                st.multiple_0[i] = pp.labs[i].mark.expect("marked") / b0;
            }
        }
        let quarter_end = k.is_multiple_of(c.stride);
        let threshold = pp.valuation.pop_threshold;
        let nl = pp.labs.len();
        for &i in &c.marked {
            let l = &pp.labs[i];
            // A lab with a mark has a trailing growth (validated).
            let ghat_0 = l.growth_trailing.unwrap_or(f64::NAN);
            let year_ago = if k >= n {
                self.history[(k % n) * nl + i]
            } else {
                valuation::backcast_revenue(lab.revenue_0[i], ghat_0, k as i64 - n as i64, dt)
            };
            let ghat = valuation::trailing_growth(lab.revenue[i], year_ago);
            let m_inf = match c.mature_multiple[i] {
                MatureMultiple::Given => st.multiple_inf[i],
                MatureMultiple::Steady => {
                    // Section 4's margin with gmr replaced by gm_inf: the long-run margin under today's pressure.
                    let gm_l = labs::gross_margin(
                        l.closed,
                        st.gross_margin_inf[i],
                        cost_rise,
                        pp.prices.pass_through,
                        pp.prices.margin_floor,
                    );
                    let v = &pp.valuation;
                    let value = valuation::steady_value(
                        gm_l,
                        l.opex_ratio,
                        l.research_intensity,
                        v.tax_rate,
                        v.discount_rate,
                        v.terminal_growth,
                    );
                    valuation::steady_multiple(value, gm_l, c.mark_basis[i] == MarkBasis::GrossProfit)
                }
            };
            let m = valuation::multiple(st.multiple_0[i], m_inf, ghat, ghat_0);
            let b = basis(c.mark_basis[i], lab.revenue[i], lab.gross_margin[i]);
            let v = valuation::market_value(m, b, lab.revenue[i]);
            lab.market_value[i] = v;
            if quarter_end {
                let tr = &mut self.tracks[i];
                let v0 = l.mark.expect("marked");
                tr.min_ratio = tr.min_ratio.min(v / v0);
                let popped = v < threshold * v0;
                if k >= 1 && popped && tr.pop_time.is_infinite() {
                    tr.pop_time = t;
                }
                if k >= 1 && popped && st.cash[i] < 0.0 && tr.crunch_time.is_infinite() {
                    tr.crunch_time = t;
                }
            }
        }
        self.history[(k % n) * nl..(k % n + 1) * nl].copy_from_slice(&lab.revenue);
        for (tr, cash) in self.tracks.iter_mut().zip(&st.cash) {
            tr.min_cash = tr.min_cash.min(*cash);
            if *cash < 0.0 && tr.first_negative.is_infinite() {
                tr.first_negative = t;
            }
        }
        if quarter_end || out.stored.is_some() {
            self.record(k, quarter_end, out);
        }
        Ok(())
    }

    /// Write the series of [`Series::ALL`] at step k.
    fn record(&mut self, k: usize, quarter_end: bool, out: &mut PathOut<'_>) {
        let c = self.c;
        let st = &self.state;
        let mut o = 0;
        for v in Series::ALL {
            let values: &[f64] = match v {
                Series::Gap => std::slice::from_ref(&st.gap),
                Series::ClosedShare => &st.closed_share,
                Series::ClosedPrice => std::slice::from_ref(&self.closed_price),
                Series::PriceRatio => std::slice::from_ref(&self.ratio),
                Series::PricePressure => std::slice::from_ref(&st.price_pressure),
                Series::Spend => std::slice::from_ref(&self.spend),
                Series::ClosedSpendShare => std::slice::from_ref(&self.closed_spend_share),
                Series::Revenue => &self.lab.revenue,
                Series::GrossMargin => &self.lab.gross_margin,
                Series::Cash => &st.cash,
                Series::Savings => std::slice::from_ref(&self.savings),
                Series::Potential => std::slice::from_ref(&self.potential),
                Series::MarketValue => {
                    debug_assert_eq!(v.per(), Per::MarkedLab);
                    for &i in &c.marked {
                        self.obs[o] = self.lab.market_value[i];
                        o += 1;
                    }
                    continue;
                }
            };
            self.obs[o..o + values.len()].copy_from_slice(values);
            o += values.len();
        }
        if quarter_end {
            let q = k / c.stride;
            let nq = c.quarters();
            for (si, x) in self.obs.iter().enumerate() {
                out.quarters[(si * nq + q) * out.paths + out.j] = *x;
            }
        }
        if let Some(buf) = out.stored.as_deref_mut() {
            let per = c.steps + 1;
            for (si, x) in self.obs.iter().enumerate() {
                buf[si * per + k] = *x;
            }
        }
    }

    /// (2) The flows of period k (spending, pre-tax flow, taxes with the loss
    /// pool, FCF, PV, cash, yearly sums), or the terminal value at `k = K`.
    fn flows(&mut self, k: usize, row: &mut [f64]) {
        let c = self.c;
        let dt = c.dt;
        let t = k as f64 * dt;
        let pp = &self.params;
        let v = &pp.valuation;
        let st = &mut self.state;
        let plans = &c.plans[k * pp.labs.len()..(k + 1) * pp.labs.len()];
        let l = self.layout;
        let lab = &mut self.lab;
        let discount = valuation::discount_factor(v.discount_rate, t + dt);
        for (i, params) in pp.labs.iter().enumerate() {
            let rev = lab.revenue[i];
            let gm = lab.gross_margin[i];
            let spend = labs::spending(params, plans[i], rev);
            let x = labs::free_cash_flow(params, rev, gm, spend);
            lab.spending[i] = spend;
            lab.pretax[i] = x;
            let tr = &mut self.tracks[i];
            if k == c.steps {
                let flow = match c.terminal {
                    Terminal::Steady => {
                        valuation::steady_flow(rev, gm, params.opex_ratio, params.research_intensity, v.tax_rate)
                    }
                    Terminal::Last => valuation::last_flow(x, v.tax_rate),
                };
                lab.fcf[i] = flow;
                tr.tv = valuation::terminal_value(flow, v.discount_rate, v.terminal_growth, c.steps as f64 * dt);
                tr.pv += tr.tv;
            } else {
                let (tax, pool) = labs::taxes(x, st.loss_pool[i], v.tax_rate, dt);
                let fcf = x - tax;
                st.loss_pool[i] = pool;
                lab.fcf[i] = fcf;
                tr.pv += valuation::discounted_flow(fcf, dt, discount);
                st.cash[i] += fcf * dt;
                let y = c.year_of_period[k];
                row[l.revenue(i, y)] += rev * dt;
                row[l.fcf(i, y)] += fcf * dt;
            }
        }
        if k < c.steps {
            self.pv_savings += valuation::discounted_flow(self.savings, dt, discount);
        }
    }

    /// (3) Draw the shocks and move the state to `t_{k+1}`; the share and
    /// pressure targets come from the state at `t_k`.
    fn advance(&mut self, k: usize) -> std::result::Result<(), PathError> {
        let c = self.c;
        let path = self.path;
        let (dt, sqrt_dt) = (c.dt, c.sqrt_dt);
        let pp = &self.params;
        let st = &mut self.state;
        let s = &mut self.streams;
        let z_gap = shocks::normal(&mut s.gap);
        let jumps = self
            .gap_jumps
            .draw(&mut s.gap)
            .map_err(|e| unsampled(c, path, "gap.release_rate", pp.gap.release_rate, k, e))?;
        let z_price = shocks::normal(&mut s.prices);
        let z_ratio = shocks::normal(&mut s.prices);
        let z_demand = shocks::normal(&mut s.demand);
        let [zg, zp, zr, za] = c.process.correlate([z_gap, z_price, z_ratio, z_demand]);
        for (s, seg) in pp.segments.iter().enumerate() {
            self.seg.target[s] = demand::share_target(st.brand_premium[s], seg, st.gap, self.ln_ratio);
        }
        let pressure_target =
            prices::pressure_target(&pp.prices, c.pressure, self.gap_ref, st.gap, st.pressure_from_events);
        self.gap_k = st.gap;
        st.gap = gap::next(st.gap, &pp.gap, self.gap_pull, sqrt_dt, zg, jumps);
        st.ln_closed_price = prices::next_ln_closed_price(st.ln_closed_price, &pp.prices, dt, sqrt_dt, zp);
        st.ln_ratio = prices::next_ln_ratio(st.ln_ratio, &pp.prices, dt, sqrt_dt, zr);
        st.price_pressure = prices::next_pressure(
            st.price_pressure,
            pressure_target,
            self.pressure_pull,
            st.ln_ratio,
            self.pressure_floor,
        );
        for (s, seg) in pp.segments.iter().enumerate() {
            let g = demand::growth(seg, c.growth_decay.at(k, s, seg.growth_tau));
            st.ln_demand[s] = demand::next_ln_demand(st.ln_demand[s], g, pp.demand.sigma, dt, sqrt_dt, za);
            // The pull changes only when an event changes the switching speed.
            let (theta, pull) = &mut self.seg.share_pull[s];
            if theta.to_bits() != st.switching[s].to_bits() {
                (*theta, *pull) = (st.switching[s], demand::share_pull(st.switching[s], dt));
            }
            st.closed_share[s] = demand::next_share(st.closed_share[s], self.seg.target[s], *pull);
        }
        let a = &pp.attractiveness;
        for (i, lab) in pp.labs.iter().enumerate() {
            let z = shocks::normal(&mut s.labs[i]);
            let jumps = self
                .lab_jumps
                .draw(&mut s.labs[i])
                .map_err(|e| unsampled(c, path, "attractiveness.jump_rate", a.jump_rate, k, e))?;
            st.attractiveness[i] =
                labs::next_attractiveness(st.attractiveness[i], lab.drift, a.sigma, dt, sqrt_dt, z) + jumps;
        }
        Ok(())
    }

    /// Events of period k act on the state at `t_{k+1}`, in scenario order;
    /// a hazard's rate uses the gap at `t_k`.
    fn fire_events(&mut self, k: usize, row: &mut [f64]) {
        let c = self.c;
        let dt = c.dt;
        for (e, ev) in c.events.iter().enumerate() {
            if self.fired[e] {
                continue;
            }
            let fires = match ev.firing {
                Firing::Hazard => {
                    let u = shocks::uniform(&mut self.streams.events[e]);
                    let p = &self.params.events[e];
                    let rate =
                        events::hazard_rate(p.hazard.unwrap_or(0.0), p.gap_sensitivity, self.gap_ref, self.gap_k);
                    u < events::hazard_probability(rate, dt)
                }
                Firing::Dated(period) => period == Some(k),
                Firing::Removed => false,
            };
            if fires {
                self.fired[e] = true;
                row[self.layout.event(e)] = k as f64 * dt + dt;
                let scale = self.params.events[e].price_scale;
                for eff in &ev.effects {
                    events::apply(&events::scaled(eff, scale), &mut self.state);
                }
                let st = &mut self.state;
                st.gap = gap::floored(st.gap, self.params.gap.floor);
                st.price_pressure = st.price_pressure.min(prices::pressure_cap(st.ln_ratio));
            }
        }
    }

    /// The values a step watches, in causal order: the state at `t_k`, then
    /// what step k computed from it.
    fn for_each_watched(&self, mut f: impl FnMut(Site, f64)) {
        let st = &self.state;
        f(Site::Run("gap"), st.gap);
        f(Site::Run("price_pressure"), st.price_pressure);
        f(Site::Run("closed_price"), self.closed_price);
        f(Site::Run("price_ratio"), self.ratio);
        f(Site::Run("open_price"), self.open_price);
        for s in 0..st.closed_share.len() {
            f(Site::Segment(s, "closed_share"), st.closed_share[s]);
            f(Site::Segment(s, "demand (ln A)"), st.ln_demand[s]);
        }
        for i in 0..st.attractiveness.len() {
            f(Site::Lab(i, "attractiveness"), st.attractiveness[i]);
        }
        for s in 0..self.seg.quantity.len() {
            f(Site::Segment(s, "spend"), self.seg.spend[s]);
            f(Site::Segment(s, "quantity"), self.seg.quantity[s]);
            f(Site::Segment(s, "closed_pool"), self.seg.closed_pool[s]);
            f(Site::Segment(s, "open_pool"), self.seg.open_pool[s]);
        }
        f(Site::Run("closed_spend_share"), self.closed_spend_share);
        f(Site::Run("savings"), self.savings);
        f(Site::Run("potential"), self.potential);
        let lab = &self.lab;
        for i in 0..lab.revenue.len() {
            f(Site::Lab(i, "revenue"), lab.revenue[i]);
            f(Site::Lab(i, "gross_margin"), lab.gross_margin[i]);
            f(Site::Lab(i, "market_value"), lab.market_value[i]);
            f(Site::Lab(i, "spending"), lab.spending[i]);
            f(Site::Lab(i, "pretax_cash_flow"), lab.pretax[i]);
            f(Site::Lab(i, "fcf"), lab.fcf[i]);
            f(Site::Lab(i, "cash"), st.cash[i]);
            f(Site::Lab(i, "loss_pool"), st.loss_pool[i]);
            f(Site::Lab(i, "pv"), self.tracks[i].pv);
        }
        f(Site::Run("pv_savings"), self.pv_savings);
    }

    /// Fold whether step k's values are finite into the path's flag, or, in
    /// checked mode, stop at the first that is not finite.
    fn watch(&mut self, k: usize) -> std::result::Result<(), PathError> {
        if self.checked {
            let mut first = None;
            self.for_each_watched(|site, x| {
                if first.is_none() && !x.is_finite() {
                    first = Some((site, x));
                }
            });
            if let Some((site, x)) = first {
                return Err(self.non_finite(site, k, x));
            }
        } else {
            let mut finite = self.finite;
            self.for_each_watched(|_, x| finite &= x.is_finite());
            self.finite = finite;
        }
        Ok(())
    }

    fn non_finite(&self, site: Site, k: usize, x: f64) -> PathError {
        let s = &self.c.scenario;
        let variable = match site {
            Site::Run(v) => v.to_string(),
            Site::Segment(i, v) => format!("segments.{}.{v}", s.segments[i].id),
            Site::Lab(i, v) => format!("labs.{}.{v}", s.labs[i].id),
        };
        PathError::Model(Error::numerical(
            variable,
            self.path,
            k,
            s.start_year() + k as f64 * self.c.dt,
            x,
            "must be finite; the path's inputs take the model beyond floating point",
        ))
    }

    /// The path's metrics (docs/equations.md §8); +inf marks a time that never
    /// came, NaN what does not apply.
    fn finish(&mut self, row: &mut [f64]) -> std::result::Result<(), PathError> {
        let l = self.layout;
        for (e, fired) in self.fired.iter().enumerate() {
            if !fired {
                row[l.event(e)] = f64::INFINITY;
            }
        }
        for (i, lab) in self.params.labs.iter().enumerate() {
            let tr = self.tracks[i];
            let e = valuation::equity(tr.pv, lab.cash_0);
            let (phi, pop, crunch, drawdown) = match lab.mark {
                Some(v0) => (e / v0, tr.pop_time, tr.crunch_time, 1.0 - tr.min_ratio.min(1.0)),
                None => (f64::NAN, f64::NAN, f64::NAN, f64::NAN),
            };
            let metrics = [
                (LabMetric::FairValue, e),
                (LabMetric::Phi, phi),
                (LabMetric::Pv, tr.pv),
                (LabMetric::TvShare, if tr.pv > 0.0 { tr.tv / tr.pv } else { f64::NAN }),
                (LabMetric::PopTime, pop),
                (LabMetric::CrunchTime, crunch),
                (LabMetric::Drawdown, drawdown),
                (LabMetric::FundingNeed, (-tr.min_cash).max(0.0)),
                (LabMetric::FirstNegativeCash, tr.first_negative),
            ];
            for (m, v) in metrics {
                row[l.lab_metric(i, m)] = v;
            }
        }
        row[l.pv_savings()] = self.pv_savings;
        self.watch_row(row)
    }

    /// The row's values that must be finite: every lab's fair value, PV,
    /// funding need and yearly sums; phi and drawdown of marked labs;
    /// tv_share where PV > 0; the PV of savings.
    fn watch_row(&mut self, row: &[f64]) -> std::result::Result<(), PathError> {
        const MUST: [LabMetric; 3] = [LabMetric::FairValue, LabMetric::Pv, LabMetric::FundingNeed];
        const MARKED: [LabMetric; 2] = [LabMetric::Phi, LabMetric::Drawdown];
        let l = self.layout;
        let k = self.c.steps;
        let mut bad: Option<(Site, f64)> = None;
        let mut check = |site: Site, x: f64, finite: &mut bool| {
            *finite &= x.is_finite();
            if bad.is_none() && !x.is_finite() {
                bad = Some((site, x));
            }
        };
        let mut finite = self.finite;
        for (i, lab) in self.params.labs.iter().enumerate() {
            for m in MUST {
                check(Site::Lab(i, m.name()), row[l.lab_metric(i, m)], &mut finite);
            }
            if lab.mark.is_some() {
                for m in MARKED {
                    check(Site::Lab(i, m.name()), row[l.lab_metric(i, m)], &mut finite);
                }
            }
            if self.tracks[i].pv > 0.0 {
                let m = LabMetric::TvShare;
                check(Site::Lab(i, m.name()), row[l.lab_metric(i, m)], &mut finite);
            }
            for y in 0..l.years {
                check(
                    Site::Lab(i, "revenue (calendar year)"),
                    row[l.revenue(i, y)],
                    &mut finite,
                );
                check(Site::Lab(i, "fcf (calendar year)"), row[l.fcf(i, y)], &mut finite);
            }
        }
        check(Site::Run("pv_savings"), row[l.pv_savings()], &mut finite);
        // The sector's per-path sums, in lab order as the summary adds them.
        let (mut fair_value, mut marks) = (0.0, 0.0);
        for (i, lab) in self.params.labs.iter().enumerate() {
            if let (true, Some(v0)) = (lab.closed, lab.mark) {
                fair_value += row[l.lab_metric(i, LabMetric::FairValue)];
                marks += v0;
            }
        }
        check(Site::Run("sector.fair_value"), fair_value, &mut finite);
        check(Site::Run("sector.mark"), marks, &mut finite);
        self.finite = finite;
        match bad {
            Some((site, x)) if self.checked => Err(self.non_finite(site, k, x)),
            _ => Ok(()),
        }
    }
}

/// The mark's basis `B`: revenue, or revenue times the gross margin.
#[inline]
fn basis(kind: MarkBasis, revenue: f64, gross_margin: f64) -> f64 {
    match kind {
        MarkBasis::Revenue => revenue,
        MarkBasis::GrossProfit => revenue * gross_margin,
    }
}

/// A jump count the Poisson sampler could not draw on path `path`, step `k`,
/// as a numerical error naming the rate (never read as no jumps).
fn unsampled(c: &Compiled, path: u64, rate_path: &str, rate: f64, k: usize, e: shocks::Unsampled) -> PathError {
    PathError::Model(Error::numerical(
        rate_path,
        path,
        k,
        c.scenario.start_year() + k as f64 * c.dt,
        rate,
        format!(
            "the Poisson sampler cannot draw a period's jump count at mean {}",
            crate::error::Num(e.mean)
        ),
    ))
}
