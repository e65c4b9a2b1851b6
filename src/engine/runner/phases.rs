//! The phases of a step (docs/equations.md §0): begin a path, then per step
//! observe (and record the series), flows, advance and events.

use crate::error::Error;
use crate::model::{demand, events, gap, labs, prices};
use crate::results::{Per, Series};
use crate::scenario::{MarkBasis, MatureMultiple, Terminal};
use crate::valuation;

use super::tracks::{LabTrack, basis};
use super::{PathError, PathRunner};
use crate::engine::compiled::{Compiled, Firing};
use crate::engine::shocks;
use crate::engine::sink::PathSink;

impl PathRunner<'_> {
    /// Inputs (drawn at `p`), parameters, the state at `t_0` and the
    /// path's process streams (at `noise`).
    pub(super) fn begin(&mut self, p: u64, noise: u64, table_row: Option<&[f64]>) {
        let c = self.c;
        self.path = p;
        c.path_inputs(self.seed, p, table_row, &mut self.values, &mut self.z);
        for (j, f) in c.input_fields.iter().enumerate() {
            self.row[j] = self.values[*f];
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
        self.streams.reset(c, self.seed, noise);
        self.fired.fill(false);
        self.hazard.fill((f64::NAN, f64::NAN));
        self.seg.share_pull.fill((f64::NAN, f64::NAN));
        self.tracks.fill(LabTrack::start());
        self.history.fill(0.0);
        self.lab.market_value.fill(0.0);
        self.years.reset();
        self.pv_savings = 0.0;
        self.finite = true;
    }

    /// (1) From the state at `t_k`: prices after competition, spend and
    /// pools, revenues and margins, marks (with the quarter-end pop and
    /// crunch tests), savings, and the recorded series.
    pub(super) fn observe<S: PathSink>(&mut self, k: usize, sink: &mut S) -> std::result::Result<(), PathError> {
        let c = self.c;
        let (n, dt) = (c.n, c.dt);
        let t = k as f64 * dt;
        let pp = &self.params;
        let st = &mut self.state;
        let y = st.price_pressure;
        let (pc, ln_rho, rho, po) = prices::after_competition(st.ln_closed_price, st.ln_ratio, y);
        let run = &mut self.run;
        run.closed_price = pc;
        run.ln_ratio = ln_rho;
        run.ratio = rho;
        run.open_price = po;
        self.seg.observe(c, pp, st, k, run);
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
        if quarter_end || sink.keeps_steps() {
            self.record(k, quarter_end, sink);
        }
        Ok(())
    }

    /// Write the series of [`Series::ALL`] at step k.
    fn record<S: PathSink>(&mut self, k: usize, quarter_end: bool, sink: &mut S) {
        let c = self.c;
        let st = &self.state;
        let mut o = 0;
        for v in Series::ALL {
            let values: &[f64] = match v {
                Series::Gap => std::slice::from_ref(&st.gap),
                Series::ClosedShare => &st.closed_share,
                Series::ClosedPrice => std::slice::from_ref(&self.run.closed_price),
                Series::PriceRatio => std::slice::from_ref(&self.run.ratio),
                Series::PricePressure => std::slice::from_ref(&st.price_pressure),
                Series::Spend => std::slice::from_ref(&self.run.spend),
                Series::ClosedSpendShare => std::slice::from_ref(&self.run.closed_spend_share),
                Series::Revenue => &self.lab.revenue,
                Series::GrossMargin => &self.lab.gross_margin,
                Series::Cash => &st.cash,
                Series::Savings => std::slice::from_ref(&self.run.savings),
                Series::Potential => std::slice::from_ref(&self.run.potential),
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
            sink.quarter(k / c.stride, &self.obs);
        }
        if sink.keeps_steps() {
            sink.step(k, &self.obs);
        }
    }

    /// (2) The flows of period k (spending, pre-tax flow, taxes with the loss
    /// pool, FCF, PV, cash, yearly sums), or the terminal value at `k = K`.
    pub(super) fn flows(&mut self, k: usize) {
        let c = self.c;
        let dt = c.dt;
        let t = k as f64 * dt;
        let pp = &self.params;
        let v = &pp.valuation;
        let st = &mut self.state;
        let plans = &c.plans[k * pp.labs.len()..(k + 1) * pp.labs.len()];
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
                self.years.add(i, y, rev * dt, fcf * dt);
            }
        }
        if k < c.steps {
            self.pv_savings += valuation::discounted_flow(self.run.savings, dt, discount);
        }
    }

    /// (3) Draw the shocks and move the state to `t_{k+1}`; the share and
    /// pressure targets come from the state at `t_k`.
    pub(super) fn advance(&mut self, k: usize) -> std::result::Result<(), PathError> {
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
            self.seg.target[s] = demand::share_target(st.brand_premium[s], seg, st.gap, self.run.ln_ratio);
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
    pub(super) fn fire_events(&mut self, k: usize) {
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
                    // The probability changes only with the rate (with the gap when `kappa_e != 0`).
                    let (r, prob) = &mut self.hazard[e];
                    if r.to_bits() != rate.to_bits() {
                        (*r, *prob) = (rate, events::hazard_probability(rate, dt));
                    }
                    u < *prob
                }
                Firing::Dated(period) => period == Some(k),
                Firing::Removed => false,
            };
            if fires {
                self.fired[e] = true;
                self.row[self.layout.event(e)] = k as f64 * dt + dt;
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
