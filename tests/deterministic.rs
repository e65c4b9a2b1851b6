//! Deterministic mode against an independent implementation of MODEL.md.
//!
//! With every sigma, the release rate and every hazard at zero and every
//! input a plain number, MODEL.md promises that an independent
//! implementation reproduces the engine to `|a - b| <= 1e-9 max(1, |a|, |b|)`.
//! [`Reference`] below is such an implementation, written from MODEL.md
//! alone (sections 0-6), one small method per part of a step. The tests run
//! the engine on one path with the full path stored and compare every stored
//! series at every step, every per-path metric, the calendar-year sums, the
//! event times and `PV_savings`. A few tests also check closed forms and
//! identities that do not go through the reference at all (calibration,
//! the revenue share today, event semantics), so that a mistake shared by
//! the reference and the engine would still show.
//!
//! Each scenario is also checked for *coverage*: the reference records which
//! branches it took (spending floor vs research intensity, multiple clamped
//! or interpolated, a pop, a clipped fair value, ...) and the tests assert
//! that the branches they are about were taken, so a comparison cannot pass
//! vacuously.
//!
//! The reference is MODEL v2's: the price pressure `y` (its target, speed
//! and cap, and the cap after events), prices after competition, the CES
//! and `"mean"` price indices, margins with pass-through and floor, resale
//! of idle commitments, taxes with a loss pool, the `"steady"` and `"last"`
//! terminal values, revenue and gross-profit marks, the funding crunch,
//! gap-sensitive hazards and the `price_pressure` target. The v1 scenarios
//! (`deterministic_full`, `_events`, `_frozen_share`) state v1's settings and
//! exercise the v1 branches; `deterministic_v2` and `deterministic_v2_steady`
//! take every v2 branch (see their headers and the coverage asserts).
//! Attractiveness jumps are random and left to other tests. One extension
//! beyond strict deterministic mode: a hazard event whose firing
//! probability is 1.0 or below 1e-15 in every period (the reference refuses
//! anything in between), which makes the gap the hazard reads testable.
//!
//! `tests/engine_mutants.py` breaks the engine's recurrences one at a time
//! and checks that these tests catch each; `tests/engine_mutants.md` is its
//! last report.

use std::fmt::Display;

use aibubble::results::SeriesId;
use aibubble::scenario::{Class, Op};
use aibubble::{Results, Scenario, Simulation};

/// The tolerance of MODEL.md's preamble.
const TOL: f64 = 1e-9;

fn close(a: f64, b: f64) -> bool {
    if a.is_nan() || b.is_nan() {
        return a.is_nan() && b.is_nan();
    }
    // Equal infinities ("never happened") compare equal; an infinity is close
    // to nothing else (the relative tolerance would scale to infinity).
    if a.is_infinite() || b.is_infinite() {
        return a == b;
    }
    a == b || (a - b).abs() <= TOL * 1f64.max(a.abs()).max(b.abs())
}

#[track_caller]
fn assert_close(got: f64, want: f64, what: impl Display) {
    assert!(close(got, want), "{what}: engine {got:e}, expected {want:e}");
}

fn data(name: &str) -> String {
    format!("{}/tests/data/{name}", env!("CARGO_MANIFEST_DIR"))
}

fn full_scenario() -> Scenario {
    Scenario::from_file(data("deterministic_full.toml")).expect("deterministic_full.toml is valid")
}

/// One path is all deterministic mode needs; store it whole.
fn run(s: &Scenario) -> Results {
    Simulation::new(s)
        .expect("scenario compiles")
        .paths(1)
        .seed(1)
        .store_paths(1)
        .run()
        .expect("run succeeds")
}

fn series(r: &Results, variable: &str, lab: Option<&str>, segment: Option<&str>) -> Option<Vec<f64>> {
    r.stored_series(&SeriesId {
        variable: variable.into(),
        lab: lab.map(Into::into),
        segment: segment.map(Into::into),
    })
}

fn metric(r: &Results, lab: &str, name: &str) -> f64 {
    r.lab(lab).expect("lab in results").metric(name).expect("metric exists")[0]
}

/// A fixed input by field path, its default when the file leaves it out.
fn num(s: &Scenario, path: &str) -> f64 {
    match s.get(path) {
        Ok(serde_json::Value::Number(x)) => x.as_f64().expect("a number"),
        other => panic!("{path} must be a plain number in deterministic mode, got {other:?}"),
    }
}

/// An optional fixed input by field path (`None` when the file leaves it out).
fn opt(s: &Scenario, path: &str) -> Option<f64> {
    s.get(path).is_ok().then(|| num(s, path))
}

fn logistic(x: f64) -> f64 {
    1.0 / (1.0 + (-x).exp())
}

fn logit(p: f64) -> f64 {
    (p / (1.0 - p)).ln()
}

// ---------------------------------------------------------------------------
// The reference model (MODEL.md sections 0-6, deterministic mode)
// ---------------------------------------------------------------------------

/// Section 3 parameters of one segment that never change.
struct Segment {
    spend_0: f64,
    share_0: f64,
    growth_0: f64,
    growth_inf: f64,
    growth_tau: f64,
    elasticity: f64,
    beta_quality: f64,
    beta_price: f64,
}

impl Segment {
    /// `g_s(t)`: growth fading from `g_0` to `g_inf`.
    fn growth(&self, t: f64) -> f64 {
        self.growth_inf + (self.growth_0 - self.growth_inf) * (-t / self.growth_tau).exp()
    }
}

/// `V0`, `ghat_0` of a lab with a mark (the multiples live in the state: events move them).
struct Mark {
    v0: f64,
    growth_trailing: f64,
}

/// Section 4 parameters of one lab that never change.
struct Lab {
    closed: bool,
    /// `w_{i,s}` in segment order; a segment not listed has weight 0.
    weights: Vec<f64>,
    capture: f64,
    drift: f64,
    margin_0: f64,
    margin_tau: f64,
    opex: f64,
    committed: f64,
    research: f64,
    plan: Vec<[f64; 2]>,
    cash_0: f64,
    mark: Option<Mark>,
}

impl Lab {
    /// `Plan_i(year)`: piecewise-linear through the points, flat outside, 0 without points.
    fn plan(&self, year: f64) -> f64 {
        let (Some(first), Some(last)) = (self.plan.first(), self.plan.last()) else {
            return 0.0;
        };
        if year <= first[0] {
            return first[1];
        }
        if year >= last[0] {
            return last[1];
        }
        let w = self
            .plan
            .windows(2)
            .find(|w| year <= w[1][0])
            .expect("year inside the plan");
        let (a, b) = (w[0], w[1]);
        a[1] + (b[1] - a[1]) * (year - a[0]) / (b[0] - a[0])
    }
}

/// What an event effect acts on (section 6's target vocabulary), with indices resolved.
#[derive(Clone, Copy, Debug)]
enum Target {
    BrandPremium(usize),
    Gap,
    Attractiveness(usize),
    GrossMarginInf(usize),
    PriceRatio,
    ClosedPrice,
    Demand(usize),
    Switching(usize),
    Multiple0(usize),
    MultipleInf(usize),
}

struct Event {
    /// The period `j - 1` in which the event fires; `None` when `j > K`.
    period: Option<usize>,
    effects: Vec<(Target, Op, f64)>,
}

fn apply(op: Op, x: f64, v: f64) -> f64 {
    match op {
        Op::Add => x + v,
        Op::Mul => x * v,
        Op::Set => v,
    }
}

/// The state at `t_k`: everything the recurrences move, and the parameters events can change.
#[derive(Clone, Debug)]
struct State {
    gap: f64,
    closed_price: f64,
    ratio: f64,
    /// `A_s`
    demand: Vec<f64>,
    /// `u_s`
    share: Vec<f64>,
    /// `b_s` (given or calibrated; events move it)
    brand: Vec<f64>,
    /// `theta_s`
    switching: Vec<f64>,
    /// `a_i`
    attract: Vec<f64>,
    /// `gm_inf,i`
    margin_inf: Vec<f64>,
    /// `M_0,i` (NaN without a mark)
    multiple_0: Vec<f64>,
    /// `M_inf,i` (NaN without a mark)
    multiple_inf: Vec<f64>,
}

/// Section 3 and 4 quantities computed from the state at `t_k`.
struct Observation {
    /// `C_s`
    closed_pool: Vec<f64>,
    /// `R_i`
    revenue: Vec<f64>,
    savings: f64,
    potential: f64,
}

/// An independent implementation of MODEL.md in deterministic mode.
struct Reference {
    start_year: f64,
    n: usize,
    steps: usize,
    dt: f64,
    discount: f64,
    terminal_growth: f64,
    pop_threshold: f64,
    gap_inf: f64,
    /// `kappa = ln 2 / h`
    kappa: f64,
    gap_floor: f64,
    closed_decline: f64,
    ratio_drift: f64,
    segments: Vec<Segment>,
    labs: Vec<Lab>,
    events: Vec<Event>,
    /// `Pbar_{s,0}`, the reference price of the demand curve.
    pbar_0: Vec<f64>,
    state: State,
}

impl Reference {
    fn new(s: &Scenario) -> Reference {
        let n = s.steps_per_year as usize;
        let steps = (num(s, "horizon") * n as f64).round() as usize;
        let gap_0 = num(s, "gap.initial");
        let ratio_0 = num(s, "prices.ratio_0");
        for what in [
            "gap.sigma",
            "gap.release_rate",
            "prices.sigma_closed",
            "prices.sigma_ratio",
            "demand.sigma",
            "attractiveness.sigma",
        ] {
            assert_eq!(num(s, what), 0.0, "{what} must be 0 in deterministic mode");
        }
        let segments: Vec<Segment> = s
            .segments
            .iter()
            .map(|g| {
                let f = |name: &str| num(s, &format!("segments.{}.{name}", g.id));
                Segment {
                    spend_0: f("spend_0"),
                    share_0: f("closed_share_0"),
                    growth_0: f("growth_0"),
                    growth_inf: f("growth_inf"),
                    growth_tau: f("growth_tau"),
                    elasticity: f("elasticity"),
                    beta_quality: f("beta_quality"),
                    beta_price: f("substitution"),
                }
            })
            .collect();
        // Section 3: absent a brand premium, today is an equilibrium.
        let brand = s
            .segments
            .iter()
            .zip(&segments)
            .map(|(g, seg)| match opt(s, &format!("segments.{}.brand_premium", g.id)) {
                Some(b) => b,
                None => logit(seg.share_0) - seg.beta_quality * gap_0 - seg.beta_price * ratio_0.ln(),
            })
            .collect();
        let labs: Vec<Lab> = s
            .labs
            .iter()
            .map(|l| {
                let f = |name: &str| num(s, &format!("labs.{}.{name}", l.id));
                Lab {
                    closed: l.class == Class::Closed,
                    weights: s.segments.iter().map(|g| f(&format!("weights.{}", g.id))).collect(),
                    capture: f("capture"),
                    drift: f("drift"),
                    margin_0: f("gross_margin_0"),
                    margin_tau: f("margin_tau"),
                    opex: f("opex_ratio"),
                    committed: f("committed"),
                    research: f("research_intensity"),
                    plan: l.plan.clone(),
                    cash_0: f("cash_0"),
                    mark: opt(s, &format!("labs.{}.mark", l.id)).map(|v0| Mark {
                        v0,
                        growth_trailing: f("growth_trailing"),
                    }),
                }
            })
            .collect();
        let seg_index = |id: &str| s.segments.iter().position(|g| g.id == id).expect("known segment");
        let lab_index = |id: &str| s.labs.iter().position(|l| l.id == id).expect("known lab");
        let target = |path: &str| -> Target {
            match path.split('.').collect::<Vec<_>>().as_slice() {
                ["gap"] => Target::Gap,
                ["price_ratio"] => Target::PriceRatio,
                ["closed_price"] => Target::ClosedPrice,
                ["segments", id, "brand_premium"] => Target::BrandPremium(seg_index(id)),
                ["segments", id, "demand"] => Target::Demand(seg_index(id)),
                ["segments", id, "switching"] => Target::Switching(seg_index(id)),
                ["labs", id, "attractiveness"] => Target::Attractiveness(lab_index(id)),
                ["labs", id, "gross_margin_inf"] => Target::GrossMarginInf(lab_index(id)),
                ["labs", id, "multiple_0"] => Target::Multiple0(lab_index(id)),
                ["labs", id, "multiple_inf"] => Target::MultipleInf(lab_index(id)),
                _ => panic!("unknown event target {path}"),
            }
        };
        let events = s
            .events
            .iter()
            .map(|e| {
                if let Some(hazard) = opt(s, &format!("events.{}.hazard", e.id)) {
                    // Deterministic mode: a hazard event is there only to never fire.
                    assert_eq!(hazard, 0.0, "deterministic mode: hazard of {}", e.id);
                    return Event {
                        period: None,
                        effects: vec![],
                    };
                }
                let y = e.date.expect("dated event");
                // Section 6: the first state at or after y is t_j; the event fires in period j - 1.
                let j = ((y - num(s, "start_year")) * n as f64 - 1e-9).ceil() as i64;
                assert!(j >= 1, "event {} dated at or before the start", e.id);
                Event {
                    period: (j as usize <= steps).then(|| j as usize - 1),
                    effects: e.effects.iter().map(|f| (target(&f.0), f.1, f.2)).collect(),
                }
            })
            .collect();
        let shares: Vec<f64> = segments.iter().map(|g| g.share_0).collect();
        let state = State {
            gap: gap_0,
            closed_price: 1.0,
            ratio: ratio_0,
            demand: vec![1.0; segments.len()],
            share: shares.clone(),
            brand,
            switching: s
                .segments
                .iter()
                .map(|g| num(s, &format!("segments.{}.switching", g.id)))
                .collect(),
            attract: vec![0.0; labs.len()],
            margin_inf: s
                .labs
                .iter()
                .map(|l| num(s, &format!("labs.{}.gross_margin_inf", l.id)))
                .collect(),
            // M_0 = V0 / R_0 needs R_0: filled in below from the first observation.
            multiple_0: vec![f64::NAN; labs.len()],
            multiple_inf: s
                .labs
                .iter()
                .map(|l| opt(s, &format!("labs.{}.multiple_inf", l.id)).unwrap_or(f64::NAN))
                .collect(),
        };
        let mut model = Reference {
            start_year: num(s, "start_year"),
            n,
            steps,
            dt: 1.0 / n as f64,
            discount: num(s, "valuation.discount_rate"),
            terminal_growth: num(s, "valuation.terminal_growth"),
            pop_threshold: num(s, "valuation.pop_threshold"),
            gap_inf: num(s, "gap.long_run"),
            kappa: std::f64::consts::LN_2 / num(s, "gap.half_life"),
            gap_floor: num(s, "gap.floor"),
            closed_decline: num(s, "prices.closed_decline"),
            ratio_drift: num(s, "prices.ratio_drift"),
            pbar_0: shares.iter().map(|u| u + (1.0 - u) * ratio_0).collect(),
            segments,
            labs,
            events,
            state,
        };
        let revenue_0 = model.observe().revenue;
        for (i, lab) in model.labs.iter().enumerate() {
            if let Some(m) = &lab.mark {
                model.state.multiple_0[i] = m.v0 / revenue_0[i];
            }
        }
        model
    }

    /// Sections 3 and 4: pools, lab revenues, savings and potential from the state at `t_k`.
    fn observe(&self) -> Observation {
        let st = &self.state;
        let open_price = st.ratio * st.closed_price;
        let mut closed_pool = Vec::new();
        let mut open_pool = Vec::new();
        let (mut savings, mut potential) = (0.0, 0.0);
        for (s, seg) in self.segments.iter().enumerate() {
            let u = st.share[s];
            let pbar = u * st.closed_price + (1.0 - u) * open_price;
            let q = seg.spend_0 / self.pbar_0[s] * st.demand[s] * (pbar / self.pbar_0[s]).powf(-seg.elasticity);
            let c = q * u * st.closed_price;
            closed_pool.push(c);
            open_pool.push(q * (1.0 - u) * open_price);
            savings += q * (1.0 - u) * (st.closed_price - open_price);
            potential += c * (1.0 - st.ratio);
        }
        let revenue = self
            .labs
            .iter()
            .enumerate()
            .map(|(i, lab)| {
                let mut r = 0.0;
                for s in 0..self.segments.len() {
                    let class_sum: f64 = self
                        .labs
                        .iter()
                        .enumerate()
                        .filter(|(_, other)| other.closed == lab.closed)
                        .map(|(j, other)| other.weights[s] * st.attract[j].exp())
                        .sum();
                    let within = if class_sum == 0.0 {
                        0.0
                    } else {
                        lab.weights[s] * st.attract[i].exp() / class_sum
                    };
                    r += within * if lab.closed { closed_pool[s] } else { open_pool[s] };
                }
                lab.capture * r
            })
            .collect();
        Observation {
            closed_pool,
            revenue,
            savings,
            potential,
        }
    }

    /// Section 4: `FCF_{i,k}` and whether the committed floor was the larger term of `F`.
    fn free_cash_flow(&self, i: usize, k: usize, revenue: f64) -> (f64, bool) {
        let lab = &self.labs[i];
        let t = k as f64 * self.dt;
        let inf = self.state.margin_inf[i];
        let margin = inf + (lab.margin_0 - inf) * (-t / lab.margin_tau).exp();
        let floor = lab.committed * lab.plan(self.start_year + t);
        let research = lab.research * revenue;
        (revenue * (margin - lab.opex) - floor.max(research), floor > research)
    }

    /// Section 5: `M_{i,k}` from the revenue history `R_{i,0..=k}`, and whether the growth ratio was clamped.
    fn multiple(&self, i: usize, history: &[f64]) -> (f64, Clamp) {
        let m = self.labs[i].mark.as_ref().expect("lab with a mark");
        let k = history.len() - 1;
        let lagged = if k >= self.n {
            history[k - self.n]
        } else {
            // Backcast: R_{i,j} = R_{i,0} exp(ghat_0 j dt) for j < 0.
            history[0] * (m.growth_trailing * (k as f64 - self.n as f64) * self.dt).exp()
        };
        let ratio = (history[k] / lagged).ln() / m.growth_trailing;
        let clamp = if ratio >= 1.0 {
            Clamp::High
        } else if ratio <= 0.0 {
            Clamp::Low
        } else {
            Clamp::Inside
        };
        let (m0, minf) = (self.state.multiple_0[i], self.state.multiple_inf[i]);
        (minf + (m0 - minf) * ratio.clamp(0.0, 1.0), clamp)
    }

    /// Section 0 (3) and sections 1-4, 6: move the state from `t_k` to `t_{k+1}`,
    /// then apply the events of period k. Returns the indices of the events that fired.
    fn step(&mut self, k: usize) -> Vec<usize> {
        let dt = self.dt;
        let t = k as f64 * dt;
        let st = &mut self.state;
        // The share targets use the state at t_k, so compute them before moving anything.
        let targets: Vec<f64> = self
            .segments
            .iter()
            .enumerate()
            .map(|(s, seg)| logistic(st.brand[s] + seg.beta_quality * st.gap + seg.beta_price * st.ratio.ln()))
            .collect();
        st.gap = self
            .gap_floor
            .max(st.gap + (1.0 - (-self.kappa * dt).exp()) * (self.gap_inf - st.gap));
        st.closed_price = (st.closed_price.ln() - self.closed_decline * dt).exp();
        st.ratio = (st.ratio.ln() - self.ratio_drift * dt).exp();
        for (s, seg) in self.segments.iter().enumerate() {
            st.demand[s] = (st.demand[s].ln() + seg.growth(t) * dt).exp();
            st.share[s] += (1.0 - (-st.switching[s] * dt).exp()) * (targets[s] - st.share[s]);
        }
        for (i, lab) in self.labs.iter().enumerate() {
            st.attract[i] += lab.drift * dt;
        }
        let mut fired = Vec::new();
        for (e, event) in self.events.iter().enumerate() {
            if event.period != Some(k) {
                continue;
            }
            for &(target, op, v) in &event.effects {
                let x = match target {
                    Target::Gap => &mut st.gap,
                    Target::PriceRatio => &mut st.ratio,
                    Target::ClosedPrice => &mut st.closed_price,
                    Target::BrandPremium(s) => &mut st.brand[s],
                    Target::Demand(s) => &mut st.demand[s],
                    Target::Switching(s) => &mut st.switching[s],
                    Target::Attractiveness(i) => &mut st.attract[i],
                    Target::GrossMarginInf(i) => &mut st.margin_inf[i],
                    Target::Multiple0(i) => &mut st.multiple_0[i],
                    Target::MultipleInf(i) => &mut st.multiple_inf[i],
                };
                *x = apply(op, *x, v);
            }
            // After each event's effects, not after each effect.
            st.gap = st.gap.max(self.gap_floor);
            fired.push(e);
        }
        fired
    }
}

/// Where `ghat / ghat_0` fell against the clamp interval [0, 1] (for coverage).
#[derive(Clone, Copy, Debug, PartialEq)]
enum Clamp {
    Low,
    Inside,
    High,
}

/// Per-lab outputs of the reference, plus the branches it took.
#[derive(Debug, Default)]
struct LabTrace {
    revenue: Vec<f64>,
    /// `V_{i,k}` at every k (labs with a mark only).
    market_value: Option<Vec<f64>>,
    cash: Vec<f64>,
    pv: f64,
    terminal: f64,
    fair_value: f64,
    phi: f64,
    tv_share: f64,
    pop_time: f64,
    /// First `t_k`, k >= 1, with `V < threshold V0` at any step (not only quarter ends).
    first_step_below: f64,
    drawdown: f64,
    funding_need: f64,
    first_negative_cash: f64,
    /// Calendar-year sums of `R dt` and `FCF dt`.
    revenue_by_year: Vec<f64>,
    fcf_by_year: Vec<f64>,
    /// Steps at which the committed floor, resp. research intensity, set `F`.
    floor_binding: usize,
    research_binding: usize,
    clamps: Vec<Clamp>,
}

/// Everything the engine reports for one deterministic path.
#[derive(Debug)]
struct Trace {
    gap: Vec<f64>,
    /// `u_{s,k}`, `[s][k]`
    share: Vec<Vec<f64>>,
    closed_price: Vec<f64>,
    ratio: Vec<f64>,
    savings: Vec<f64>,
    potential: Vec<f64>,
    /// `C_{s,k}`
    closed_pool: Vec<Vec<f64>>,
    labs: Vec<LabTrace>,
    /// `(calendar year, fraction covered)`
    years: Vec<(i32, f64)>,
    /// Firing time `t_{k+1}` of each event (inf if never).
    event_times: Vec<f64>,
    pv_savings: f64,
}

/// Run the reference over `k = 0..=K` in the order of MODEL section 0.
fn simulate(s: &Scenario) -> Trace {
    let mut m = Reference::new(s);
    let (dt, steps, n) = (m.dt, m.steps, m.n);
    let year_of = |k: usize| (num(s, "start_year") + k as f64 * dt + 1e-9).floor() as i32;
    let mut years: Vec<(i32, f64)> = Vec::new();
    for k in 0..steps {
        match years.last_mut() {
            Some((y, f)) if *y == year_of(k) => *f += dt,
            _ => years.push((year_of(k), dt)),
        }
    }
    let nl = m.labs.len();
    let mut tr = Trace {
        gap: vec![],
        share: vec![vec![]; m.segments.len()],
        closed_price: vec![],
        ratio: vec![],
        savings: vec![],
        potential: vec![],
        closed_pool: vec![vec![]; m.segments.len()],
        labs: (0..nl)
            .map(|i| LabTrace {
                market_value: m.labs[i].mark.as_ref().map(|_| vec![]),
                pop_time: f64::INFINITY,
                first_step_below: f64::INFINITY,
                first_negative_cash: f64::INFINITY,
                revenue_by_year: vec![0.0; years.len()],
                fcf_by_year: vec![0.0; years.len()],
                ..Default::default()
            })
            .collect(),
        years: years.clone(),
        event_times: vec![f64::INFINITY; m.events.len()],
        pv_savings: 0.0,
    };
    let mut cash: Vec<f64> = m.labs.iter().map(|l| l.cash_0).collect();
    let mut min_mark_ratio = vec![f64::INFINITY; nl];
    for k in 0..=steps {
        let t = k as f64 * dt;
        let quarter_end = k % (n / 4) == 0;
        // (1) From the state at t_k.
        let obs = m.observe();
        tr.gap.push(m.state.gap);
        tr.closed_price.push(m.state.closed_price);
        tr.ratio.push(m.state.ratio);
        tr.savings.push(obs.savings);
        tr.potential.push(obs.potential);
        for s in 0..m.segments.len() {
            tr.share[s].push(m.state.share[s]);
            tr.closed_pool[s].push(obs.closed_pool[s]);
        }
        for i in 0..nl {
            let lt = &mut tr.labs[i];
            lt.revenue.push(obs.revenue[i]);
            lt.cash.push(cash[i]);
            if cash[i] < 0.0 && lt.first_negative_cash.is_infinite() {
                lt.first_negative_cash = t;
            }
            lt.funding_need = lt.funding_need.max(-cash[i]);
            if let Some(mark) = &m.labs[i].mark {
                let (multiple, clamp) = m.multiple(i, &lt.revenue);
                let v = if obs.revenue[i] == 0.0 {
                    0.0
                } else {
                    multiple * obs.revenue[i]
                };
                lt.market_value.as_mut().expect("marked").push(v);
                lt.clamps.push(clamp);
                let below = v < m.pop_threshold * mark.v0;
                if k >= 1 && below && lt.first_step_below.is_infinite() {
                    lt.first_step_below = t;
                }
                // Investors see marks at quarter ends only.
                if quarter_end {
                    min_mark_ratio[i] = min_mark_ratio[i].min(v / mark.v0);
                    if k >= 1 && below && lt.pop_time.is_infinite() {
                        lt.pop_time = t;
                    }
                }
            }
            let (fcf, floor_binding) = m.free_cash_flow(i, k, obs.revenue[i]);
            if floor_binding {
                lt.floor_binding += 1;
            } else {
                lt.research_binding += 1;
            }
            if k == steps {
                // Terminal value from the state at t_K.
                lt.terminal = (-m.discount * t).exp() * fcf.max(0.0) / (m.discount - m.terminal_growth);
                lt.pv += lt.terminal;
            } else {
                // (2) The flows of period k.
                lt.pv += fcf * dt * (-m.discount * (t + dt)).exp();
                cash[i] += fcf * dt;
                let y = years
                    .iter()
                    .position(|(y, _)| *y == year_of(k))
                    .expect("year of period");
                lt.revenue_by_year[y] += obs.revenue[i] * dt;
                lt.fcf_by_year[y] += fcf * dt;
            }
        }
        if k == steps {
            break;
        }
        tr.pv_savings += obs.savings * dt * (-m.discount * (t + dt)).exp();
        // (3) Move the state to t_{k+1}; events of period k are recorded at t_{k+1}.
        for e in m.step(k) {
            tr.event_times[e] = (k + 1) as f64 * dt;
        }
    }
    for (i, lt) in tr.labs.iter_mut().enumerate() {
        lt.fair_value = (lt.pv + m.labs[i].cash_0).max(0.0);
        lt.tv_share = if lt.pv > 0.0 { lt.terminal / lt.pv } else { f64::NAN };
        match &m.labs[i].mark {
            Some(mark) => {
                lt.phi = lt.fair_value / mark.v0;
                lt.drawdown = 1.0 - min_mark_ratio[i].min(1.0);
            }
            None => {
                lt.phi = f64::NAN;
                lt.pop_time = f64::NAN;
                lt.drawdown = f64::NAN;
            }
        }
    }
    tr
}

// ---------------------------------------------------------------------------
// Engine against reference
// ---------------------------------------------------------------------------

/// Collects mismatches so that one failing run reports every quantity that
/// differs (the first step of each), not only the first one met.
#[derive(Default)]
struct Mismatches(Vec<String>);

impl Mismatches {
    fn value(&mut self, what: impl Display, got: f64, want: f64) {
        if !close(got, want) {
            self.0.push(format!("{what}: engine {got:e}, reference {want:e}"));
        }
    }

    /// A stored series, reporting only its first differing step.
    fn series(&mut self, what: impl Display, got: Option<Vec<f64>>, want: &[f64]) {
        let Some(got) = got else {
            self.0.push(format!("{what}: not stored"));
            return;
        };
        if got.len() != want.len() {
            self.0
                .push(format!("{what}: {} values stored, {} expected", got.len(), want.len()));
            return;
        }
        if let Some(k) = (0..want.len()).find(|&k| !close(got[k], want[k])) {
            self.0.push(format!(
                "{what} at k = {k}: engine {:e}, reference {:e}",
                got[k], want[k]
            ));
        }
    }

    #[track_caller]
    fn assert_none(self, scenario: &str) {
        assert!(
            self.0.is_empty(),
            "engine differs from the reference on {scenario}:\n  {}",
            self.0.join("\n  ")
        );
    }
}

/// Compare every output of a one-path run with the reference trace.
fn compare(s: &Scenario, r: &Results, tr: &Trace) -> Mismatches {
    let mut mm = Mismatches::default();
    mm.series("gap", series(r, "gap", None, None), &tr.gap);
    for (g, want) in s.segments.iter().zip(&tr.share) {
        mm.series(
            format!("closed_share[{}]", g.id),
            series(r, "closed_share", None, Some(&g.id)),
            want,
        );
    }
    mm.series("closed_price", series(r, "closed_price", None, None), &tr.closed_price);
    mm.series("price_ratio", series(r, "price_ratio", None, None), &tr.ratio);
    mm.series("savings", series(r, "savings", None, None), &tr.savings);
    mm.series("potential", series(r, "potential", None, None), &tr.potential);
    for (l, lt) in s.labs.iter().zip(&tr.labs) {
        let id = l.id.as_str();
        mm.series(
            format!("revenue[{id}]"),
            series(r, "revenue", Some(id), None),
            &lt.revenue,
        );
        mm.series(format!("cash[{id}]"), series(r, "cash", Some(id), None), &lt.cash);
        match &lt.market_value {
            Some(v) => mm.series(
                format!("market_value[{id}]"),
                series(r, "market_value", Some(id), None),
                v,
            ),
            None if series(r, "market_value", Some(id), None).is_some() => {
                mm.0.push(format!("market_value[{id}]: stored for a lab without a mark"))
            }
            None => {}
        }
        let Some(lab) = r.lab(id) else {
            mm.0.push(format!("lab {id} missing from the results"));
            continue;
        };
        for (name, want) in [
            ("fair_value", lt.fair_value),
            ("phi", lt.phi),
            ("pv", lt.pv),
            ("tv_share", lt.tv_share),
            ("pop_time", lt.pop_time),
            ("drawdown", lt.drawdown),
            ("funding_need", lt.funding_need),
            ("first_negative_cash", lt.first_negative_cash),
        ] {
            match lab.metric(name) {
                Some(v) => mm.value(format!("{name}[{id}]"), v[0], want),
                None => mm.0.push(format!("{name}[{id}]: no such metric")),
            }
        }
        let names: Vec<String> = tr.years.iter().map(|(y, _)| y.to_string()).collect();
        for (what, cols, want) in [
            ("revenue", &lab.revenue, &lt.revenue_by_year),
            ("fcf", &lab.fcf, &lt.fcf_by_year),
        ] {
            let got_names: Vec<&String> = cols.iter().map(|c| &c.name).collect();
            if got_names != names.iter().collect::<Vec<_>>() {
                mm.0.push(format!("{what}[{id}] years: engine {got_names:?}, reference {names:?}"));
                continue;
            }
            for (c, w) in cols.iter().zip(want) {
                mm.value(format!("{what}[{id}] of {}", c.name), c.values[0], *w);
            }
        }
    }
    let years: Vec<(i32, f64)> = r.years.iter().map(|y| (y.year, y.fraction)).collect();
    if years.len() != tr.years.len() || years.iter().zip(&tr.years).any(|(a, b)| a.0 != b.0 || !close(a.1, b.1)) {
        mm.0.push(format!("years: engine {years:?}, reference {:?}", tr.years));
    }
    for (e, want) in s.events.iter().zip(&tr.event_times) {
        match r.events.iter().find(|c| c.name == e.id) {
            Some(c) => mm.value(format!("event time [{}]", e.id), c.values[0], *want),
            None => mm.0.push(format!("event {} missing from the results", e.id)),
        }
    }
    mm.value("pv_savings", r.pv_savings[0], tr.pv_savings);
    mm
}

/// Run the engine and the reference on `s` and require them to agree everywhere.
#[track_caller]
fn check(s: &Scenario) -> Trace {
    let tr = simulate(s);
    compare(s, &run(s), &tr).assert_none(&s.name);
    tr
}

fn lab<'a>(tr: &'a Trace, s: &Scenario, id: &str) -> &'a LabTrace {
    &tr.labs[s.labs.iter().position(|l| l.id == id).expect("lab id")]
}

// ---------------------------------------------------------------------------
// Tests
// ---------------------------------------------------------------------------

/// The whole scenario, every output at every step.
#[test]
fn full_scenario_matches_reference() {
    let s = full_scenario();
    let tr = check(&s);

    // Coverage: the comparison above only means something if the scenario
    // takes the branches this file is about.
    let gap_moves = tr.gap.windows(2).any(|w| w[0] != w[1]);
    assert!(gap_moves && tr.gap[0] != num(&s, "gap.long_run"));
    let both_branches = tr.labs.iter().any(|l| l.floor_binding > 0 && l.research_binding > 0);
    assert!(
        both_branches,
        "no lab switches between the committed floor and research intensity"
    );
    let clamps: Vec<Clamp> = tr.labs.iter().flat_map(|l| l.clamps.iter().copied()).collect();
    for c in [Clamp::Low, Clamp::Inside, Clamp::High] {
        assert!(clamps.contains(&c), "no multiple with growth ratio {c:?}");
    }
    assert!(
        tr.labs.iter().any(|l| l.fair_value == 0.0),
        "no fair value clipped at 0"
    );
    assert!(tr.labs.iter().any(|l| l.fair_value > 0.0 && l.tv_share > 0.0));
    assert!(tr.labs.iter().any(|l| l.pop_time.is_finite()), "no pop");
    assert!(tr.labs.iter().any(|l| l.first_negative_cash.is_finite()));
    // `frontier` has no closed lab: its closed pool exists but nobody books it.
    let frontier = s
        .segments
        .iter()
        .position(|g| g.id == "frontier")
        .expect("frontier segment");
    assert!(tr.closed_pool[frontier][0] > 0.0);
    assert!(
        s.labs
            .iter()
            .all(|l| l.class == Class::Open || !l.weights.contains_key("frontier"))
    );
    let fired = tr.event_times.iter().filter(|t| t.is_finite()).count();
    assert_eq!(fired, s.events.len() - 2, "every event but `late` and `never` fires");
}

/// `G_inf < G_floor < 0`: the gap falls through zero and stops at the floor.
#[test]
fn negative_gap_floor_matches_reference() {
    let s = full_scenario()
        .with_overrides([("gap.long_run", (-6.0).into()), ("gap.floor", (-2.5).into())])
        .expect("valid overrides");
    let tr = check(&s);
    assert!(tr.gap.iter().any(|&g| g < 0.0), "the gap never goes negative");
    assert!(tr.gap.contains(&-2.5), "the gap never reaches the floor");
    assert!(tr.gap.iter().all(|&g| g >= -2.5));
}

/// A floor at 0 that binds: `G_inf < 0 = G_floor`, with open models never allowed to lead.
#[test]
fn zero_gap_floor_binds() {
    let s = full_scenario()
        .with_overrides([("gap.long_run", (-3.0).into())])
        .expect("valid overrides");
    let tr = check(&s);
    assert!(tr.gap.contains(&0.0));
    let r = run(&s);
    let gap = series(&r, "gap", None, None).expect("gap stored");
    assert!(gap.iter().all(|&g| g >= 0.0), "gap below the floor: {gap:?}");
}

/// Section 3 calibration: with no brand premium, `u*_0 = u_0`; with the gap
/// and the ratio frozen, the target never moves, so `u` stays at `u_0`
/// although switching is fast. The revenue then has a closed form.
#[test]
fn calibrated_premium_makes_today_an_equilibrium() {
    let s = Scenario::from_file(data("deterministic_frozen_share.toml")).expect("valid scenario");
    let r = run(&s);
    for g in &s.segments {
        let u0 = num(&s, &format!("segments.{}.closed_share_0", g.id));
        let u = series(&r, "closed_share", None, Some(&g.id)).expect("closed share stored");
        assert_eq!(u.len(), s.steps() + 1);
        for (k, &x) in u.iter().enumerate() {
            assert_close(x, u0, format!("closed_share[{}] at k = {k}", g.id));
        }
    }
    // With u and rho constant, Pbar_k = P^c_k Pbar_0, so
    //   C_k = S_0 u_0 / Pbar_0 * A_k * (P^c_k)^(1 - eps),
    //   ln A_k = g_inf t_k + (g_0 - g_inf) dt (1 - q^k) / (1 - q),  q = exp(-dt / tau),
    // a closed form of the demand recurrence (growth fading, elasticity).
    let n = s.steps_per_year as f64;
    let dt = 1.0 / n;
    let d_c = num(&s, "prices.closed_decline");
    let rho = num(&s, "prices.ratio_0");
    let revenue = series(&r, "revenue", Some("closed"), None).expect("revenue stored");
    for (k, &got) in revenue.iter().enumerate() {
        let t = k as f64 * dt;
        let want: f64 = s
            .segments
            .iter()
            .map(|g| {
                let f = |name: &str| num(&s, &format!("segments.{}.{name}", g.id));
                let (u0, eps) = (f("closed_share_0"), f("elasticity"));
                let (g0, ginf, tau) = (f("growth_0"), f("growth_inf"), f("growth_tau"));
                let q = (-dt / tau).exp();
                let ln_a = ginf * t + (g0 - ginf) * dt * (1.0 - q.powi(k as i32)) / (1.0 - q);
                f("spend_0") * u0 / (u0 + (1.0 - u0) * rho) * ln_a.exp() * (-d_c * t * (1.0 - eps)).exp()
            })
            .sum();
        assert_close(got, want, format!("closed revenue at k = {k}"));
    }
    check(&s);
}

/// The same scenario with a given premium above the calibrated one: the
/// share must move up (so the frozen-share test above is not vacuous).
#[test]
fn given_premium_moves_the_share() {
    let s = Scenario::from_file(data("deterministic_frozen_share.toml")).expect("valid scenario");
    let g = &s.segments[0];
    let f = |name: &str| num(&s, &format!("segments.{}.{name}", g.id));
    let u0 = f("closed_share_0");
    let calibrated =
        logit(u0) - f("beta_quality") * num(&s, "gap.initial") - f("substitution") * num(&s, "prices.ratio_0").ln();
    let path = format!("segments.{}.brand_premium", g.id);
    let s = s
        .with_overrides([(path.as_str(), (calibrated + 0.5).into())])
        .expect("valid override");
    let r = run(&s);
    let u = series(&r, "closed_share", None, Some(&g.id)).expect("stored");
    // With the target frozen at u* = logistic(logit(u0) + 0.5), the share relaxes geometrically.
    let target = logistic(logit(u0) + 0.5);
    let decay = (-num(&s, &format!("segments.{}.switching", g.id)) / s.steps_per_year as f64).exp();
    for (k, &x) in u.iter().enumerate() {
        let want = target + (u0 - target) * decay.powi(k as i32);
        assert_close(x, want, format!("closed_share at k = {k}"));
    }
    check(&s);
}

/// At t = 0 the closed revenue share is `u / (u + (1 - u) rho)`: 80% of
/// tokens at one sixth of the price is 96% of the money.
#[test]
fn closed_revenue_share_today() {
    let s = Scenario::from_file(data("deterministic_frozen_share.toml"))
        .expect("valid scenario")
        .with_overrides([
            ("prices.ratio_0", (1.0 / 6.0).into()),
            ("segments.enterprise.closed_share_0", 0.8.into()),
        ])
        .expect("valid override");
    // One closed and one open lab, capture 1 and weight 1 in every segment:
    // each books its whole class pool.
    assert_eq!(s.labs.len(), 2);
    for l in &s.labs {
        assert_eq!(num(&s, &format!("labs.{}.capture", l.id)), 1.0);
        assert!(
            s.segments
                .iter()
                .all(|g| l.weights.get(&g.id).and_then(|w| w.fixed_value()) == Some(1.0))
        );
    }
    let r = run(&s);
    let closed = series(&r, "revenue", Some("closed"), None).expect("stored")[0];
    let open = series(&r, "revenue", Some("open"), None).expect("stored")[0];
    assert_close(closed / (closed + open), 0.96, "closed share of revenue at t = 0");
    // And the pools themselves: C_0 = S_0 u / (u + (1 - u) rho), O_0 = S_0 - C_0.
    let spend: f64 = s
        .segments
        .iter()
        .map(|g| num(&s, &format!("segments.{}.spend_0", g.id)))
        .sum();
    assert_close(closed, 0.96 * spend, "closed revenue at t = 0");
    assert_close(open, 0.04 * spend, "open revenue at t = 0");
}

/// Section 6 by hand: order of events in one period, order of effects in one
/// event, the floor applied after each event (not after each effect), the
/// firing period of exact and inexact dates, the last period and beyond.
#[test]
fn event_semantics() {
    let s = Scenario::from_file(data("deterministic_events.toml")).expect("valid scenario");
    let r = run(&s);
    let n = s.steps_per_year as usize;
    let time = |id: &str| r.events.iter().find(|c| c.name == id).expect("event column").values[0];
    // start 2026.5, n = 4: 2027.5 is exactly t_4 (j = 4), 2027.26 also gives j = 4,
    // 2027.8 rounds up to t_6 (j = 6), 2029.5 is t_K and 2029.51 just beyond.
    assert_close(time("exact"), 1.0, "exact date fires at t_j");
    assert_close(time("exact_too"), 1.0, "same period");
    assert_close(time("inexact"), 1.5, "inexact date fires at the next state");
    assert_close(time("last"), 3.0, "j = K fires in the last period");
    assert_eq!(time("beyond"), f64::INFINITY, "j = K + 1 never fires");

    let gap = series(&r, "gap", None, None).expect("stored");
    let ratio = series(&r, "price_ratio", None, None).expect("stored");
    let j = n; // t_4
    // Before: frozen at G_0 = G_inf = 4 and rho_0 = 0.2 (no drift).
    assert_close(gap[j - 1], 4.0, "gap before the events");
    assert_close(ratio[j - 1], 0.2, "ratio before the events");
    // `exact`: gap set -5, add 3 -> -2, then floor 0 -> 0; `exact_too`: add 1.5 -> 1.5.
    // (A floor after each effect would give 3 + 1.5; scenario order reversed would give 0.)
    assert_close(gap[j], 1.5, "gap after two events in one period");
    // `exact`: ratio set 0.1; `exact_too`: ratio mul 0.5 -> 0.05 (reversed: 0.1).
    assert_close(ratio[j], 0.05, "ratio after two events in one period");
    // Afterwards the gap relaxes back toward G_inf = 4 at rate kappa = ln 2 / h.
    let h = num(&s, "gap.half_life");
    let step = 1.0 - (-std::f64::consts::LN_2 / h / n as f64).exp();
    assert_close(gap[j + 1], 1.5 + step * (4.0 - 1.5), "gap relaxes after the events");
    // `inexact` at t_6: add -10 then add 2 takes the relaxed gap below 0, and the
    // floor applies once, after both (a floor after each effect would leave 2).
    assert_close(gap[j + 2], 0.0, "gap floored after the inexact event");
    assert_close(gap[j + 3], step * 4.0, "gap relaxes from the floor");
    // `last` halves the closed price at t_K only.
    let price = series(&r, "closed_price", None, None).expect("stored");
    let d_c = num(&s, "prices.closed_decline");
    let k = s.steps();
    assert_close(
        price[k - 1],
        (-d_c * (k - 1) as f64 / n as f64).exp(),
        "closed price before `last`",
    );
    assert_close(
        price[k],
        0.5 * (-d_c * k as f64 / n as f64).exp(),
        "closed price after `last`",
    );
    check(&s);
}

/// A horizon that is not a whole number of years (K = 42, `exp(-r H)` with
/// H = 3.5) and a pop threshold other than the default.
#[test]
fn fractional_horizon_and_pop_threshold_match_reference() {
    let s = full_scenario()
        .with_overrides([("horizon", 3.5.into()), ("valuation.pop_threshold", 0.8.into())])
        .expect("valid overrides");
    assert_eq!(s.steps(), 42);
    let tr = check(&s);
    // A higher threshold pops earlier than the default one does.
    let default = simulate(&full_scenario());
    assert!(lab(&tr, &s, "beta").pop_time < lab(&default, &s, "beta").pop_time);
}

/// `j = ceil((y - start_year) n - 1e-9)`: the tolerance matters when rounding
/// puts `(y - start_year) n` just above an integer. With n = 20,
/// `(2026.15 - 2026.0) * 20 = 3.0000000000018`, so the event must fire in
/// period 2 and be recorded at `t_3 = 0.15`, not at `t_4`.
#[test]
fn event_date_tolerance() {
    let s = Scenario::from_file(data("deterministic_events.toml"))
        .expect("valid scenario")
        .with_overrides([
            ("start_year", 2026.0.into()),
            ("steps_per_year", 20.into()),
            ("events.exact.date", 2026.15.into()),
        ])
        .expect("valid overrides");
    let date = s
        .events
        .iter()
        .find(|e| e.id == "exact")
        .and_then(|e| e.date)
        .expect("dated");
    assert!(
        (date - s.start_year()) * s.steps_per_year as f64 > 3.0,
        "the premise of this test"
    );
    let r = run(&s);
    let exact = r
        .events
        .iter()
        .find(|c| c.name == "exact")
        .expect("event column")
        .values[0];
    assert_close(exact, 0.15, "firing time of an event dated 2026.15 with n = 20");
    let gap = series(&r, "gap", None, None).expect("stored");
    assert_close(gap[2], 4.0, "gap at t_2, before the event");
    assert_close(gap[3], 0.0, "gap at t_3, set to -5, add 3, floored at 0");
    check(&s);
}

/// A pop is the first *quarter-end* `t_k` with `V < 0.5 V0`; in this scenario
/// the mark first falls below the threshold between quarter ends.
#[test]
fn pop_time_is_first_quarter_end_below_threshold() {
    let s = full_scenario();
    let tr = simulate(&s);
    let r = run(&s);
    let quarter = s.steps_per_year as usize / 4;
    let dt = 1.0 / s.steps_per_year as f64;
    let mut popped = 0;
    for l in s.labs.iter().filter(|l| l.mark.is_some()) {
        let v0 = num(&s, &format!("labs.{}.mark", l.id));
        let v = series(&r, "market_value", Some(&l.id), None).expect("marks stored");
        assert_close(v[0], v0, format!("V_0 of {} equals its mark", l.id));
        // From the engine's own stored marks, independently of the reference.
        let first_quarter = (quarter..v.len())
            .step_by(quarter)
            .find(|&k| v[k] < num(&s, "valuation.pop_threshold") * v0)
            .map_or(f64::INFINITY, |k| k as f64 * dt);
        let pop = metric(&r, &l.id, "pop_time");
        assert_close(pop, first_quarter, format!("pop_time of {}", l.id));
        let lt = lab(&tr, &s, &l.id);
        assert_close(pop, lt.pop_time, format!("pop_time of {} (reference)", l.id));
        let min_quarter = (0..v.len()).step_by(quarter).map(|k| v[k] / v0).fold(1.0, f64::min);
        assert_close(
            metric(&r, &l.id, "drawdown"),
            1.0 - min_quarter,
            format!("drawdown of {}", l.id),
        );
        if pop.is_finite() {
            popped += 1;
            assert!(
                lt.first_step_below < lt.pop_time,
                "{}: the mark first drops below the threshold at a quarter end; the test wants it between",
                l.id
            );
        }
    }
    assert!(popped > 0, "no lab pops in the full scenario");
}

/// Limited liability: `E = max(0, PV + cash_0)` clips an overcommitted lab at 0,
/// its `phi` is 0 and its terminal-value share is null because `PV <= 0`.
#[test]
fn fair_value_clips_at_zero() {
    let s = full_scenario();
    let r = run(&s);
    let tr = simulate(&s);
    let lt = lab(&tr, &s, "delta");
    let cash_0 = num(&s, "labs.delta.cash_0");
    assert!(lt.pv + cash_0 < 0.0, "delta must be under water in the reference");
    assert_eq!(metric(&r, "delta", "fair_value"), 0.0);
    assert_eq!(metric(&r, "delta", "phi"), 0.0);
    assert!(metric(&r, "delta", "tv_share").is_nan());
    assert_close(metric(&r, "delta", "pv"), lt.pv, "pv of delta");
    // Funding need is the deepest cash balance, and cash first goes negative at a step.
    let cash = series(&r, "cash", Some("delta"), None).expect("stored");
    let deepest = cash.iter().copied().fold(0.0, f64::min);
    assert!(deepest < 0.0);
    assert_close(metric(&r, "delta", "funding_need"), -deepest, "funding need of delta");
    let first = cash.iter().position(|&c| c < 0.0).expect("negative cash");
    assert_close(
        metric(&r, "delta", "first_negative_cash"),
        first as f64 / s.steps_per_year as f64,
        "first negative cash of delta",
    );
}

/// Labs without a mark have no phi, pop time, drawdown or stored marks.
#[test]
fn unmarked_labs_report_null() {
    let s = full_scenario();
    let r = run(&s);
    for name in ["phi", "pop_time", "drawdown"] {
        assert!(metric(&r, "gamma", name).is_nan(), "{name} of an unmarked lab");
    }
    assert!(series(&r, "market_value", Some("gamma"), None).is_none());
    assert!(metric(&r, "gamma", "fair_value").is_finite());
}

/// Calendar years from a start of 2026.25 with n = 12 and H = 4: 2026 covers
/// three quarters, 2030 one; the yearly sums add up to the whole horizon.
#[test]
fn calendar_years_with_partial_first_year() {
    let s = full_scenario();
    let r = run(&s);
    let years: Vec<(i32, f64)> = r.years.iter().map(|y| (y.year, y.fraction)).collect();
    let want = [(2026, 0.75), (2027, 1.0), (2028, 1.0), (2029, 1.0), (2030, 0.25)];
    assert_eq!(years.len(), want.len(), "years {years:?}");
    for ((y, f), (wy, wf)) in years.iter().zip(want) {
        assert_eq!(*y, wy);
        assert_close(*f, wf, format!("fraction of {y}"));
    }
    let dt = 1.0 / s.steps_per_year as f64;
    for l in &s.labs {
        let lab = r.lab(&l.id).expect("lab");
        let revenue = series(&r, "revenue", Some(&l.id), None).expect("stored");
        // Periods k = 0..K-1; the state at t_K starts no period.
        let total: f64 = revenue[..s.steps()].iter().map(|x| x * dt).sum();
        let by_year: f64 = lab.revenue.iter().map(|c| c.values[0]).sum();
        assert_close(by_year, total, format!("sum of yearly revenue of {}", l.id));
        // The first partial year holds periods 0..=8 (2026.25 .. 2026.9167).
        let first: f64 = revenue[..9].iter().map(|x| x * dt).sum();
        assert_close(lab.revenue[0].values[0], first, format!("2026 revenue of {}", l.id));
    }
    check(&s);
}
