//! One path of the model: the step order of MODEL section 0, composing the
//! pure step functions of [`crate::model`] and [`crate::valuation`].

use rand::RngExt;
use rand_distr::StandardNormal;

use crate::error::{Error, Result};
use crate::model::params::PathParams;
use crate::model::state::State;
use crate::model::{demand, events, gap, labs, prices};
use crate::rng::{Stream, stream};
use crate::valuation;

use super::compiled::{Compiled, Firing};

/// Per-lab metrics kept for every path, in this order.
pub const LAB_METRICS: [&str; 8] = [
    "fair_value",
    "phi",
    "pv",
    "tv_share",
    "pop_time",
    "drawdown",
    "funding_need",
    "first_negative_cash",
];

/// Layout of one path's row of outputs.
#[derive(Clone, Debug)]
pub struct RowLayout {
    pub inputs: usize,
    pub labs: usize,
    pub years: usize,
    pub events: usize,
}

impl RowLayout {
    pub fn new(c: &Compiled) -> Self {
        RowLayout {
            inputs: c.input_fields.len(),
            labs: c.scenario.labs.len(),
            years: c.years.len(),
            events: c.events.len(),
        }
    }
    pub fn lab_metric(&self, lab: usize, m: usize) -> usize {
        self.inputs + lab * LAB_METRICS.len() + m
    }
    pub fn revenue(&self, lab: usize, year: usize) -> usize {
        self.inputs + self.labs * LAB_METRICS.len() + lab * self.years + year
    }
    pub fn fcf(&self, lab: usize, year: usize) -> usize {
        self.inputs + self.labs * (LAB_METRICS.len() + self.years) + lab * self.years + year
    }
    pub fn event(&self, e: usize) -> usize {
        self.inputs + self.labs * (LAB_METRICS.len() + 2 * self.years) + e
    }
    pub fn pv_savings(&self) -> usize {
        self.event(self.events)
    }
    pub fn width(&self) -> usize {
        self.pv_savings() + 1
    }
}

/// Buffers reused across the paths of a batch (no allocation per step).
#[derive(Default)]
pub struct Scratch {
    values: Vec<f64>,
    z: Vec<f64>,
    params: PathParams,
    state: State,
    exp_a: Vec<f64>,
    closed_pool: Vec<f64>,
    open_pool: Vec<f64>,
    quantity: Vec<f64>,
    pbar_0: Vec<f64>,
    target: Vec<f64>,
    revenue: Vec<f64>,
    revenue_0: Vec<f64>,
    history: Vec<f64>,
    denominators: Vec<f64>,
    lab_streams: Vec<Stream>,
    event_streams: Vec<Stream>,
    fired: Vec<bool>,
    obs: Vec<f64>,
    per_lab: Vec<LabTrack>,
}

#[derive(Clone, Copy, Default)]
struct LabTrack {
    pv: f64,
    tv: f64,
    min_cash: f64,
    first_negative: f64,
    pop_time: f64,
    min_ratio: f64,
}

/// Draw (or look up) the inputs of path `p`, writing every field's value into `values`.
pub fn path_inputs(
    c: &Compiled,
    seed: u64,
    p: u64,
    table_row: Option<&[f64]>,
    values: &mut Vec<f64>,
    z: &mut Vec<f64>,
) {
    values.clear();
    values.extend_from_slice(&c.base_values);
    z.clear();
    z.extend(
        c.drawn
            .iter()
            .map(|d| stream(seed, p, d.key).sample::<f64, _>(StandardNormal)),
    );
    if let Some((copula, pos)) = &c.copula {
        let mut zc: Vec<f64> = pos.iter().map(|i| z[*i]).collect();
        copula.correlate(&mut zc);
        for (i, v) in pos.iter().zip(zc) {
            z[*i] = v;
        }
    }
    for (d, zj) in c.drawn.iter().zip(z.iter()) {
        values[d.field] = d.sampler.from_normal(*zj);
    }
    if let Some(row) = table_row {
        for (f, v) in c.table_fields.iter().zip(row) {
            values[*f] = *v;
        }
    }
}

/// Where a path writes its quarter-end observations: for path `j` of the
/// batch, `buf[(series * quarters + q) * paths + j]`. The batch then feeds
/// each sketch its values in one pass, keeping one sketch in cache at a time.
pub struct QuarterSink<'a> {
    pub buf: &'a mut [f64],
    pub paths: usize,
    pub j: usize,
}

/// Run path `p`, writing its row and its quarter-end observations; when
/// `stored` is given, also every series at every step (`[series][k]`).
#[allow(clippy::too_many_arguments)]
pub fn run_path(
    c: &Compiled,
    seed: u64,
    p: u64,
    table_row: Option<&[f64]>,
    sc: &mut Scratch,
    layout: &RowLayout,
    row: &mut [f64],
    quarter: QuarterSink<'_>,
    mut stored: Option<&mut [f64]>,
) -> Result<()> {
    path_inputs(c, seed, p, table_row, &mut sc.values, &mut sc.z);
    for (j, f) in c.input_fields.iter().enumerate() {
        row[j] = sc.values[*f];
    }
    c.slots.fill(&sc.values, &mut sc.params);
    let pp = &sc.params;
    let st = &mut sc.state;
    st.reset(pp);

    let (n, steps, dt, sqrt_dt) = (c.n, c.steps, c.dt, c.sqrt_dt);
    let nl = pp.labs.len();
    let ns = pp.segments.len();
    let r = pp.discount_rate;
    let threshold = c.scenario.valuation.pop_threshold;
    let gap_pull = gap::pull(&pp.gap, dt);

    let mut gap_rng = stream(seed, p, c.gap_key);
    let mut price_rng = stream(seed, p, c.prices_key);
    let mut demand_rng = stream(seed, p, c.demand_key);
    sc.lab_streams.clear();
    sc.lab_streams.extend(c.lab_keys.iter().map(|k| stream(seed, p, *k)));
    sc.event_streams.clear();
    sc.event_streams.extend(c.events.iter().map(|e| stream(seed, p, e.key)));
    sc.fired.clear();
    sc.fired.resize(c.events.len(), false);

    for buf in [&mut sc.exp_a, &mut sc.revenue, &mut sc.revenue_0] {
        buf.clear();
        buf.resize(nl, 0.0);
    }
    for buf in [
        &mut sc.closed_pool,
        &mut sc.open_pool,
        &mut sc.quantity,
        &mut sc.pbar_0,
        &mut sc.target,
    ] {
        buf.clear();
        buf.resize(ns, 0.0);
    }
    sc.history.clear();
    sc.history.resize(n * nl, 0.0);
    sc.obs.clear();
    sc.obs.resize(c.series.len(), 0.0);
    sc.per_lab.clear();
    sc.per_lab.resize(
        nl,
        LabTrack {
            min_cash: f64::INFINITY,
            first_negative: f64::INFINITY,
            pop_time: f64::INFINITY,
            min_ratio: f64::INFINITY,
            ..Default::default()
        },
    );
    for v in row[layout.revenue(0, 0)..layout.event(0)].iter_mut() {
        *v = 0.0;
    }
    let mut pv_savings = 0.0;

    for k in 0..=steps {
        let t = k as f64 * dt;
        // (1) From the state at t_k: pools, revenues, marks, savings.
        let pc = st.ln_closed_price.exp();
        let rho = st.ln_ratio.exp();
        let po = rho * pc;
        let mut savings = 0.0;
        let mut potential = 0.0;
        for (s, seg) in pp.segments.iter().enumerate() {
            let u = st.closed_share[s];
            let pbar = demand::mean_price(u, pc, po);
            if k == 0 {
                sc.pbar_0[s] = pbar;
            }
            let q = demand::quantity(seg, st.ln_demand[s], pbar, sc.pbar_0[s]);
            let (cp, op) = demand::pools(q, u, pc, po);
            sc.quantity[s] = q;
            sc.closed_pool[s] = cp;
            sc.open_pool[s] = op;
            savings += demand::savings(q, u, pc, po);
            potential += demand::potential(cp, rho);
        }
        for (e, a) in sc.exp_a.iter_mut().zip(&st.attractiveness) {
            *e = a.exp();
        }
        labs::revenues(
            &pp.labs,
            &sc.exp_a,
            &sc.closed_pool,
            &sc.open_pool,
            &mut sc.denominators,
            &mut sc.revenue,
        );
        if k == 0 {
            sc.revenue_0.copy_from_slice(&sc.revenue);
            for &i in &c.marked {
                let r0 = sc.revenue[i];
                if !(r0 > 0.0) {
                    return Err(Error::Numerical {
                        path: format!("labs.{}.mark", c.scenario.labs[i].id),
                        message: format!("a lab with a mark needs revenue today > 0, got {r0} on path {p}"),
                    });
                }
                st.multiple_0[i] = pp.labs[i].mark.expect("marked") / r0;
            }
        }
        let quarter_end = k % c.stride == 0;
        let mut obs_i = 0;
        let record = quarter_end || stored.is_some();
        if record {
            sc.obs[0] = st.gap;
            sc.obs[1..=ns].copy_from_slice(&st.closed_share);
            sc.obs[ns + 1] = pc;
            sc.obs[ns + 2] = rho;
            sc.obs[ns + 3..ns + 3 + nl].copy_from_slice(&sc.revenue);
            obs_i = ns + 3 + nl;
        }
        for (mi, &i) in c.marked.iter().enumerate() {
            let lab = &pp.labs[i];
            let slot = (k % n) * nl + i;
            let year_ago = if k >= n {
                sc.history[slot]
            } else {
                valuation::backcast_revenue(sc.revenue_0[i], lab.growth_trailing, k as i64 - n as i64, dt)
            };
            let ghat = valuation::trailing_growth(sc.revenue[i], year_ago);
            let m = valuation::multiple(st.multiple_0[i], st.multiple_inf[i], ghat, lab.growth_trailing);
            let v = valuation::market_value(m, sc.revenue[i]);
            if record {
                sc.obs[obs_i + mi] = v;
            }
            if quarter_end {
                let tr = &mut sc.per_lab[i];
                let v0 = lab.mark.expect("marked");
                tr.min_ratio = tr.min_ratio.min(v / v0);
                if k >= 1 && tr.pop_time.is_infinite() && v < threshold * v0 {
                    tr.pop_time = t;
                }
            }
        }
        for (i, rev) in sc.revenue.iter().enumerate() {
            sc.history[(k % n) * nl + i] = *rev;
        }
        for (i, tr) in sc.per_lab.iter_mut().enumerate() {
            let cash = st.cash[i];
            tr.min_cash = tr.min_cash.min(cash);
            if cash < 0.0 && tr.first_negative.is_infinite() {
                tr.first_negative = t;
            }
        }
        if record {
            let off = obs_i + c.marked.len();
            sc.obs[off..off + nl].copy_from_slice(&st.cash);
            sc.obs[off + nl] = savings;
            sc.obs[off + nl + 1] = potential;
            if quarter_end {
                let q = k / c.stride;
                let nq = c.quarters();
                for (si, x) in sc.obs.iter().enumerate() {
                    quarter.buf[(si * nq + q) * quarter.paths + quarter.j] = *x;
                }
            }
            if let Some(buf) = stored.as_deref_mut() {
                for (si, x) in sc.obs.iter().enumerate() {
                    buf[si * (steps + 1) + k] = *x;
                }
            }
        }

        // (2) Flows of period k, or the terminal value at k = K.
        let plans = &c.plans[k * nl..(k + 1) * nl];
        for (i, lab) in pp.labs.iter().enumerate() {
            let rev = sc.revenue[i];
            let gm = labs::gross_margin(lab, st.gross_margin_inf[i], t);
            let spend = labs::spending(lab, plans[i], rev);
            let fcf = labs::free_cash_flow(lab, rev, gm, spend);
            let tr = &mut sc.per_lab[i];
            if k == steps {
                tr.tv = valuation::terminal_value(fcf, r, pp.terminal_growth, steps as f64 * dt);
                tr.pv += tr.tv;
            } else {
                tr.pv += valuation::discounted_flow(fcf, dt, r, t + dt);
                st.cash[i] += fcf * dt;
                let y = c.year_of_period[k];
                row[layout.revenue(i, y)] += rev * dt;
                row[layout.fcf(i, y)] += fcf * dt;
            }
        }
        if k == steps {
            break;
        }
        pv_savings += valuation::discounted_flow(savings, dt, r, t + dt);

        // (3) Shocks, then the state at t_{k+1}.
        let z_gap: f64 = gap_rng.sample(StandardNormal);
        let jumps = gap::jumps(&pp.gap, dt, &mut gap_rng);
        let z_price: f64 = price_rng.sample(StandardNormal);
        let z_ratio: f64 = price_rng.sample(StandardNormal);
        let z_demand: f64 = demand_rng.sample(StandardNormal);
        let [zg, zp, zr, za] = c.process.correlate([z_gap, z_price, z_ratio, z_demand]);
        for (s, seg) in pp.segments.iter().enumerate() {
            sc.target[s] = demand::share_target(st.brand_premium[s], seg, st.gap, st.ln_ratio);
        }
        st.gap = gap::next(st.gap, &pp.gap, gap_pull, sqrt_dt, zg, jumps);
        st.ln_closed_price = prices::next_ln_closed_price(st.ln_closed_price, &pp.prices, dt, sqrt_dt, zp);
        st.ln_ratio = prices::next_ln_ratio(st.ln_ratio, &pp.prices, dt, sqrt_dt, zr);
        for (s, seg) in pp.segments.iter().enumerate() {
            let g = demand::growth(seg, t);
            st.ln_demand[s] = demand::next_ln_demand(st.ln_demand[s], g, pp.demand_sigma, dt, sqrt_dt, za);
            st.closed_share[s] = demand::next_share(st.closed_share[s], sc.target[s], st.switching[s], dt);
        }
        for (i, lab) in pp.labs.iter().enumerate() {
            let z: f64 = sc.lab_streams[i].sample(StandardNormal);
            st.attractiveness[i] =
                labs::next_attractiveness(st.attractiveness[i], lab.drift, pp.attractiveness_sigma, dt, sqrt_dt, z);
        }
        // Events of period k act on the state at t_{k+1}, in scenario order.
        for (e, ev) in c.events.iter().enumerate() {
            if sc.fired[e] {
                continue;
            }
            let fires = match ev.firing {
                Firing::Hazard => {
                    let u: f64 = sc.event_streams[e].random();
                    u < events::hazard_probability(pp.hazards[e], dt)
                }
                Firing::Dated(period) => period == Some(k),
            };
            if fires {
                sc.fired[e] = true;
                row[layout.event(e)] = t + dt;
                for eff in &ev.effects {
                    events::apply(eff, st);
                }
                st.gap = st.gap.max(pp.gap.floor);
            }
        }
    }

    for (e, fired) in sc.fired.iter().enumerate() {
        if !fired {
            row[layout.event(e)] = f64::INFINITY;
        }
    }
    for (i, lab) in pp.labs.iter().enumerate() {
        let tr = sc.per_lab[i];
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
            row[layout.lab_metric(i, m)] = v;
        }
    }
    row[layout.pv_savings()] = pv_savings;
    Ok(())
}

/// Per column of an input table: how many of its values leave the field's
/// domain, and the first such value.
pub fn table_domain_failures<'r>(c: &Compiled, rows: impl Iterator<Item = &'r [f64]>) -> Vec<(u64, f64)> {
    let mut out = vec![(0u64, f64::NAN); c.table_fields.len()];
    for row in rows {
        for ((f, v), (count, first)) in c.table_fields.iter().zip(row).zip(out.iter_mut()) {
            if !c.domains[*f].contains(*v) {
                if *count == 0 {
                    *first = *v;
                }
                *count += 1;
            }
        }
    }
    out
}
