//! One path of the model, in the step order of MODEL section 0, composing
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

use crate::error::{Error, Result};
use crate::model::params::PathParams;
use crate::model::state::State;
use crate::model::{demand, events, gap, labs, prices};
use crate::results::{Per, Series};
use crate::rng::{Stream, stream};
use crate::valuation;

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
    min_ratio: f64,
}

impl LabTrack {
    fn start() -> Self {
        LabTrack {
            min_cash: f64::INFINITY,
            first_negative: f64::INFINITY,
            pop_time: f64::INFINITY,
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

/// The sub-streams of one path (MODEL section 0).
struct Streams {
    gap: Stream,
    prices: Stream,
    demand: Stream,
    labs: Vec<Stream>,
    events: Vec<Stream>,
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
    // Values of the current step.
    closed_price: f64,
    ratio: f64,
    savings: f64,
    potential: f64,
    exp_a: Vec<f64>,
    closed_pool: Vec<f64>,
    open_pool: Vec<f64>,
    quantity: Vec<f64>,
    pbar_0: Vec<f64>,
    target: Vec<f64>,
    revenue: Vec<f64>,
    revenue_0: Vec<f64>,
    market_value: Vec<f64>,
    gross_margin: Vec<f64>,
    spending: Vec<f64>,
    fcf: Vec<f64>,
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
    path: u64,
}

/// A failed path: a model error, or a non-finite value still to be located.
pub enum PathError {
    Model(Error),
    NonFinite,
}

impl From<Error> for PathError {
    fn from(e: Error) -> Self {
        PathError::Model(e)
    }
}

impl<'c> PathRunner<'c> {
    pub fn new(c: &'c Compiled, seed: u64) -> Self {
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
            ratio: 0.0,
            savings: 0.0,
            potential: 0.0,
            exp_a: lab_vec(),
            closed_pool: seg_vec(),
            open_pool: seg_vec(),
            quantity: seg_vec(),
            pbar_0: seg_vec(),
            target: seg_vec(),
            revenue: lab_vec(),
            revenue_0: lab_vec(),
            market_value: lab_vec(),
            gross_margin: lab_vec(),
            spending: lab_vec(),
            fcf: lab_vec(),
            history: vec![0.0; c.n * nl],
            denominators: Vec::new(),
            fired: vec![false; c.events.len()],
            obs: vec![0.0; c.series.len()],
            tracks: vec![LabTrack::start(); nl],
            pv_savings: 0.0,
            finite: true,
            checked: false,
            gap_pull: 0.0,
            path: 0,
        }
    }

    /// Run path `p`, writing its outputs. A non-finite value anywhere is
    /// located by a checked rerun and returned as [`Error::Numerical`].
    pub fn run(&mut self, p: u64, table_row: Option<&[f64]>, out: &mut PathOut<'_>) -> Result<()> {
        match self.run_mode(p, table_row, out, false) {
            Ok(()) => Ok(()),
            Err(PathError::Model(e)) => Err(e),
            Err(PathError::NonFinite) => match self.run_mode(p, table_row, out, true) {
                Err(PathError::Model(e)) => Err(e),
                // Unreachable if the checks agree; report the path rather than panic.
                _ => Err(Error::numerical(
                    "(unlocated)",
                    p,
                    0,
                    self.c.scenario.start_year(),
                    f64::NAN,
                    "a non-finite value that the checked rerun did not find",
                )),
            },
        }
    }

    fn run_mode(
        &mut self,
        p: u64,
        table_row: Option<&[f64]>,
        out: &mut PathOut<'_>,
        checked: bool,
    ) -> std::result::Result<(), PathError> {
        self.checked = checked;
        self.begin(p, table_row, out.row);
        let steps = self.c.steps;
        for k in 0..=steps {
            self.observe(k, out)?;
            self.flows(k, out.row);
            self.watch(k)?;
            if k == steps {
                break;
            }
            self.advance(k);
            self.fire_events(k, out.row);
        }
        self.finish(out.row)?;
        if self.finite { Ok(()) } else { Err(PathError::NonFinite) }
    }

    /// Inputs, parameters, the state at `t_0` and the path's streams.
    fn begin(&mut self, p: u64, table_row: Option<&[f64]>, row: &mut [f64]) {
        let c = self.c;
        self.path = p;
        c.path_inputs(self.seed, p, table_row, &mut self.values, &mut self.z);
        for (j, f) in c.input_fields.iter().enumerate() {
            row[j] = self.values[*f];
        }
        self.params.fill(&c.layout, &self.values);
        self.state.reset(&self.params);
        self.gap_pull = gap::pull(&self.params.gap, c.dt);
        let s = &mut self.streams;
        s.gap = stream(self.seed, p, c.gap_key);
        s.prices = stream(self.seed, p, c.prices_key);
        s.demand = stream(self.seed, p, c.demand_key);
        s.labs.clear();
        s.labs.extend(c.lab_keys.iter().map(|k| stream(self.seed, p, *k)));
        s.events.clear();
        s.events.extend(c.events.iter().map(|e| stream(self.seed, p, e.key)));
        self.fired.fill(false);
        self.tracks.fill(LabTrack::start());
        self.history.fill(0.0);
        self.market_value.fill(0.0);
        let l = self.layout;
        row[l.revenue(0, 0)..l.event(0)].fill(0.0);
        self.pv_savings = 0.0;
        self.finite = true;
    }

    /// (1) From the state at `t_k`: prices, pools, revenues, marks, the pop
    /// test at quarter ends, savings, and the recorded series.
    fn observe(&mut self, k: usize, out: &mut PathOut<'_>) -> std::result::Result<(), PathError> {
        let c = self.c;
        let (n, dt) = (c.n, c.dt);
        let t = k as f64 * dt;
        let pp = &self.params;
        let st = &mut self.state;
        let pc = st.ln_closed_price.exp();
        let rho = st.ln_ratio.exp();
        let po = rho * pc;
        self.closed_price = pc;
        self.ratio = rho;
        let mut savings = 0.0;
        let mut potential = 0.0;
        for (s, seg) in pp.segments.iter().enumerate() {
            let u = st.closed_share[s];
            let pbar = demand::mean_price(u, pc, po);
            if k == 0 {
                self.pbar_0[s] = pbar;
            }
            let q = demand::quantity(seg, st.ln_demand[s], pbar, self.pbar_0[s]);
            let (cp, op) = demand::pools(q, u, pc, po);
            self.quantity[s] = q;
            self.closed_pool[s] = cp;
            self.open_pool[s] = op;
            savings += demand::savings(q, u, pc, po);
            potential += demand::potential(cp, rho);
        }
        self.savings = savings;
        self.potential = potential;
        for (e, a) in self.exp_a.iter_mut().zip(&st.attractiveness) {
            *e = a.exp();
        }
        labs::revenues(
            &pp.labs,
            &self.exp_a,
            &self.closed_pool,
            &self.open_pool,
            &mut self.denominators,
            &mut self.revenue,
        );
        if k == 0 {
            self.revenue_0.copy_from_slice(&self.revenue);
            for &i in &c.marked {
                let r0 = self.revenue[i];
                if !(r0 > 0.0) {
                    return Err(PathError::Model(Error::numerical(
                        format!("labs.{}.revenue", c.scenario.labs[i].id),
                        self.path,
                        0,
                        c.scenario.start_year(),
                        r0,
                        "a lab with a mark needs revenue today > 0 (check the input table's weights and capture)",
                    )));
                }
                st.multiple_0[i] = pp.labs[i].mark.expect("marked") / r0;
            }
        }
        let quarter_end = k.is_multiple_of(c.stride);
        let threshold = pp.valuation.pop_threshold;
        let nl = pp.labs.len();
        for &i in &c.marked {
            let lab = &pp.labs[i];
            // A lab with a mark has a trailing growth (validated).
            let ghat_0 = lab.growth_trailing.unwrap_or(f64::NAN);
            let year_ago = if k >= n {
                self.history[(k % n) * nl + i]
            } else {
                valuation::backcast_revenue(self.revenue_0[i], ghat_0, k as i64 - n as i64, dt)
            };
            let ghat = valuation::trailing_growth(self.revenue[i], year_ago);
            let m = valuation::multiple(st.multiple_0[i], st.multiple_inf[i], ghat, ghat_0);
            let v = valuation::market_value(m, self.revenue[i]);
            self.market_value[i] = v;
            if quarter_end {
                let tr = &mut self.tracks[i];
                let v0 = lab.mark.expect("marked");
                tr.min_ratio = tr.min_ratio.min(v / v0);
                if k >= 1 && tr.pop_time.is_infinite() && v < threshold * v0 {
                    tr.pop_time = t;
                }
            }
        }
        self.history[(k % n) * nl..(k % n + 1) * nl].copy_from_slice(&self.revenue);
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
                Series::Revenue => &self.revenue,
                Series::Cash => &st.cash,
                Series::Savings => std::slice::from_ref(&self.savings),
                Series::Potential => std::slice::from_ref(&self.potential),
                Series::MarketValue => {
                    debug_assert_eq!(v.per(), Per::MarkedLab);
                    for &i in &c.marked {
                        self.obs[o] = self.market_value[i];
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

    /// (2) The flows of period k (margins, spending, FCF, PV, cash, yearly
    /// sums), or the terminal value at `k = K`.
    fn flows(&mut self, k: usize, row: &mut [f64]) {
        let c = self.c;
        let dt = c.dt;
        let t = k as f64 * dt;
        let pp = &self.params;
        let st = &mut self.state;
        let plans = &c.plans[k * pp.labs.len()..(k + 1) * pp.labs.len()];
        let l = self.layout;
        for (i, lab) in pp.labs.iter().enumerate() {
            let rev = self.revenue[i];
            let gm = labs::gross_margin(lab, st.gross_margin_inf[i], t);
            let spend = labs::spending(lab, plans[i], rev);
            let fcf = labs::free_cash_flow(lab, rev, gm, spend);
            self.gross_margin[i] = gm;
            self.spending[i] = spend;
            self.fcf[i] = fcf;
            let tr = &mut self.tracks[i];
            if k == c.steps {
                tr.tv = valuation::terminal_value(
                    fcf,
                    pp.valuation.discount_rate,
                    pp.valuation.terminal_growth,
                    c.steps as f64 * dt,
                );
                tr.pv += tr.tv;
            } else {
                tr.pv += valuation::discounted_flow(fcf, dt, pp.valuation.discount_rate, t + dt);
                st.cash[i] += fcf * dt;
                let y = c.year_of_period[k];
                row[l.revenue(i, y)] += rev * dt;
                row[l.fcf(i, y)] += fcf * dt;
            }
        }
        if k < c.steps {
            self.pv_savings += valuation::discounted_flow(self.savings, dt, pp.valuation.discount_rate, t + dt);
        }
    }

    /// (3) Draw the shocks and move the state to `t_{k+1}`; the share targets
    /// come from the state at `t_k`.
    fn advance(&mut self, k: usize) {
        let c = self.c;
        let (dt, sqrt_dt) = (c.dt, c.sqrt_dt);
        let t = k as f64 * dt;
        let pp = &self.params;
        let st = &mut self.state;
        let s = &mut self.streams;
        let z_gap = shocks::normal(&mut s.gap);
        let jumps = shocks::gap_jumps(&pp.gap, dt, &mut s.gap);
        let z_price = shocks::normal(&mut s.prices);
        let z_ratio = shocks::normal(&mut s.prices);
        let z_demand = shocks::normal(&mut s.demand);
        let [zg, zp, zr, za] = c.process.correlate([z_gap, z_price, z_ratio, z_demand]);
        for (s, seg) in pp.segments.iter().enumerate() {
            self.target[s] = demand::share_target(st.brand_premium[s], seg, st.gap, st.ln_ratio);
        }
        st.gap = gap::next(st.gap, &pp.gap, self.gap_pull, sqrt_dt, zg, jumps);
        st.ln_closed_price = prices::next_ln_closed_price(st.ln_closed_price, &pp.prices, dt, sqrt_dt, zp);
        st.ln_ratio = prices::next_ln_ratio(st.ln_ratio, &pp.prices, dt, sqrt_dt, zr);
        for (s, seg) in pp.segments.iter().enumerate() {
            let g = demand::growth(seg, t);
            st.ln_demand[s] = demand::next_ln_demand(st.ln_demand[s], g, pp.demand.sigma, dt, sqrt_dt, za);
            st.closed_share[s] = demand::next_share(st.closed_share[s], self.target[s], st.switching[s], dt);
        }
        for (i, lab) in pp.labs.iter().enumerate() {
            let z = shocks::normal(&mut s.labs[i]);
            st.attractiveness[i] =
                labs::next_attractiveness(st.attractiveness[i], lab.drift, pp.attractiveness.sigma, dt, sqrt_dt, z);
        }
    }

    /// Events of period k act on the state at `t_{k+1}`, in scenario order.
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
                    u < events::hazard_probability(self.params.events[e].hazard.unwrap_or(0.0), dt)
                }
                Firing::Dated(period) => period == Some(k),
            };
            if fires {
                self.fired[e] = true;
                row[self.layout.event(e)] = k as f64 * dt + dt;
                for eff in &ev.effects {
                    events::apply(eff, &mut self.state);
                }
                self.state.gap = gap::floored(self.state.gap, self.params.gap.floor);
            }
        }
    }

    /// The values a step watches, in causal order: the state at `t_k`, then
    /// what step k computed from it.
    fn for_each_watched(&self, mut f: impl FnMut(Site, f64)) {
        let st = &self.state;
        f(Site::Run("gap"), st.gap);
        f(Site::Run("closed_price"), self.closed_price);
        f(Site::Run("price_ratio"), self.ratio);
        for s in 0..st.closed_share.len() {
            f(Site::Segment(s, "closed_share"), st.closed_share[s]);
            f(Site::Segment(s, "demand (ln A)"), st.ln_demand[s]);
        }
        for i in 0..st.attractiveness.len() {
            f(Site::Lab(i, "attractiveness"), st.attractiveness[i]);
        }
        for s in 0..self.quantity.len() {
            f(Site::Segment(s, "quantity"), self.quantity[s]);
            f(Site::Segment(s, "closed_pool"), self.closed_pool[s]);
            f(Site::Segment(s, "open_pool"), self.open_pool[s]);
        }
        f(Site::Run("savings"), self.savings);
        f(Site::Run("potential"), self.potential);
        for i in 0..self.revenue.len() {
            f(Site::Lab(i, "revenue"), self.revenue[i]);
            f(Site::Lab(i, "market_value"), self.market_value[i]);
            f(Site::Lab(i, "gross_margin"), self.gross_margin[i]);
            f(Site::Lab(i, "spending"), self.spending[i]);
            f(Site::Lab(i, "fcf"), self.fcf[i]);
            f(Site::Lab(i, "cash"), st.cash[i]);
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

    /// The path's metrics (MODEL section 8); +inf marks a time that never
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
            let (phi, pop, drawdown) = match lab.mark {
                Some(v0) => (e / v0, tr.pop_time, 1.0 - tr.min_ratio.min(1.0)),
                None => (f64::NAN, f64::NAN, f64::NAN),
            };
            let metrics = [
                e,
                phi,
                tr.pv,
                if tr.pv > 0.0 { tr.tv / tr.pv } else { f64::NAN },
                pop,
                drawdown,
                (-tr.min_cash).max(0.0),
                tr.first_negative,
            ];
            for (m, v) in metrics.into_iter().enumerate() {
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
        const MUST: [(usize, &str); 3] = [(0, "fair_value"), (2, "pv"), (6, "funding_need")];
        const MARKED: [(usize, &str); 2] = [(1, "phi"), (5, "drawdown")];
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
            for (m, name) in MUST {
                check(Site::Lab(i, name), row[l.lab_metric(i, m)], &mut finite);
            }
            if lab.mark.is_some() {
                for (m, name) in MARKED {
                    check(Site::Lab(i, name), row[l.lab_metric(i, m)], &mut finite);
                }
            }
            if self.tracks[i].pv > 0.0 {
                check(Site::Lab(i, "tv_share"), row[l.lab_metric(i, 3)], &mut finite);
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
                fair_value += row[l.lab_metric(i, 0)];
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
