//! Deterministic mode against an independent implementation of docs/equations.md.
//!
//! With every sigma, the release rate and every hazard at zero and every
//! input a plain number, docs/equations.md promises that an independent
//! implementation reproduces the engine to `|a - b| <= 1e-9 max(1, |a|, |b|)`.
//! [`Reference`] below is such an implementation, written from
//! docs/equations.md alone (§0 to §6), one small method per part of a step. The tests run
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
//! The reference is model v2's: the price pressure `y` (its target, speed
//! and cap, and the cap after events), prices after competition, the CES
//! and `"mean"` price indices, margins with pass-through and floor, resale
//! of idle commitments, taxes with a loss pool, the `"steady"` and `"last"`
//! terminal values, revenue and gross-profit marks, the funding crunch,
//! gap-sensitive hazards and the `price_pressure` target; and v2.1's price
//! pressure: the reference lead `G_ref` (anchoring the pressure's target,
//! the calibrated brand premiums and the hazards' gap term) and the
//! `"symmetric"` target bounded below by `-y_up`. The v1 scenarios
//! (`deterministic_full`, `_events`, `_frozen_share`) state v1's settings and
//! exercise the v1 branches; `deterministic_v2` and `deterministic_v2_steady`
//! take every v2 branch, `deterministic_v21_pressure` the v2.1 pressure's
//! (see their headers and the coverage asserts). The v2.1 spend against
//! the reference price path, `demand.price_effect = "relative"`, is taken
//! on `deterministic_v21_spend` and on `deterministic_v2_steady` switched to it;
//! v2.1's steady mature multiple (`labs.<id>.mature_multiple = "steady"`) on
//! `deterministic_v21_steady` (both bases, closed and open labs, with and
//! without the margin floor, `Minf = 0`, a `gross_margin_inf` event).
//! Attractiveness jumps are random and left to other tests. One extension
//! beyond strict deterministic mode: a hazard event whose firing
//! probability is 1.0 or below 1e-15 in every period (the reference refuses
//! anything in between), which makes the gap the hazard reads testable.
//!
//! `tests/engine_mutants.py` breaks the engine's recurrences one at a time
//! and checks that these tests catch each; `tests/engine_mutants.md` is its
//! last report.

use std::fmt::Display;

use aibubble::results::{Series, SeriesId};
use aibubble::scenario::{Class, MarkBasis, MatureMultiple, Op, Pressure, PriceEffect, PriceIndex};
use aibubble::{Results, Scenario, Simulation};

/// The tolerance of docs/equations.md's preamble.
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
        // The reference's yearly flows are compared per path.
        .keep_years(true)
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
    match s.get(path) {
        Err(_) | Ok(serde_json::Value::Null) => None,
        Ok(_) => Some(num(s, path)),
    }
}

/// A switch by field path (`valuation.terminal`, ...); `None` when the file leaves it out.
fn text(s: &Scenario, path: &str) -> Option<String> {
    match s.get(path) {
        Err(_) | Ok(serde_json::Value::Null) => None,
        Ok(serde_json::Value::String(x)) => Some(x),
        other => panic!("{path} must be a string, got {other:?}"),
    }
}

fn logistic(x: f64) -> f64 {
    1.0 / (1.0 + (-x).exp())
}

fn logit(p: f64) -> f64 {
    (p / (1.0 - p)).ln()
}

// ---------------------------------------------------------------------------
// The reference model (docs/equations.md §0 to §6, model v2, deterministic mode)
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
    /// `omega_s` (v1's `beta_price` under `price_index = "mean"`).
    substitution: f64,
}

impl Segment {
    /// `g_s(t)`: growth fading from `g_0` to `g_inf`.
    fn growth(&self, t: f64) -> f64 {
        self.growth_inf + (self.growth_0 - self.growth_inf) * (-t / self.growth_tau).exp()
    }

    /// Section 3: `ln Pi_s`, the CES price index written through the open share of
    /// spend `wo` (`ln1p`/`expm1`), from the closed usage share and the prices after competition.
    fn ln_ces_index(&self, u: f64, closed_price: f64, ln_rho: f64, rho: f64) -> f64 {
        let wo = (1.0 - u) * rho / (u + (1.0 - u) * rho);
        let t = 1.0 - self.substitution;
        let l = -ln_rho;
        if t != 0.0 {
            closed_price.ln() - (wo * (t * l).exp_m1()).ln_1p() / t
        } else {
            closed_price.ln() - wo * l
        }
    }
}

/// `V0`, `ghat_0` and the basis of a lab with a mark (the multiples live in the state: events move them).
struct Mark {
    v0: f64,
    growth_trailing: f64,
    /// `mark_basis = "gross_profit"` (else `"revenue"`).
    gross_profit: bool,
    /// `mature_multiple = "steady"` (else `"given"`, v2).
    steady: bool,
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
    /// `varrho_i`
    resale: f64,
    plan: Vec<[f64; 2]>,
    cash_0: f64,
    /// `L_0,i`
    tax_losses_0: f64,
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
    /// `Ye`
    PricePressure,
    /// `rt`
    PriceRatio,
    /// `Pt^c`
    ClosedPrice,
    Demand(usize),
    Switching(usize),
    Multiple0(usize),
    MultipleInf(usize),
}

/// When an event fires.
enum When {
    /// A dated event: in period `j - 1`, or never when `j > K`.
    Period(Option<usize>),
    /// A hazard event: `lambda_e` and `kappa_e`.
    Hazard { rate: f64, gap_sensitivity: f64 },
}

struct Event {
    when: When,
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
    /// The reference closed price `Pt^c` (before competition).
    closed_price: f64,
    /// The reference ratio `rt` (before competition).
    ratio: f64,
    /// The price pressure `y`.
    pressure: f64,
    /// `Ye`, the part of the pressure target set by events.
    pressure_event: f64,
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

/// Section 2: the prices users pay at `t_k`, after competition.
#[derive(Clone, Copy, Debug)]
struct Prices {
    /// `P^c = Pt^c exp(-y)`
    closed: f64,
    /// `ln rho = ln rt + y` (the sum, not a log)
    ln_rho: f64,
    /// `rho = exp(ln rho)`
    rho: f64,
    /// `P^o = rt Pt^c`
    open: f64,
}

/// Sections 2-4 quantities computed from the state at `t_k`.
struct Observation {
    prices: Prices,
    /// `sum_s S_s`
    spend: f64,
    /// `sum_s C_s / sum_s S_s`
    closed_spend_share: f64,
    /// `C_s`
    closed_pool: Vec<f64>,
    /// `R_i`
    revenue: Vec<f64>,
    /// `gm_i` and whether the margin floor set it.
    margin: Vec<(f64, bool)>,
    savings: f64,
    potential: f64,
}

/// Which terms set `F` in section 4.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Spending {
    /// `psi R >= c`: research intensity.
    Research,
    /// `c > psi R`: the committed floor, with idle compute (resold when `varrho > 0`).
    Committed,
}

/// Which branch of the tax rule a period took (section 4).
#[derive(Clone, Copy, Debug, PartialEq)]
enum Tax {
    /// `X < 0`: the loss adds to the pool.
    Loss,
    /// `X >= 0` and the pool covers it all (`used = X dt`, with `X > 0`).
    Sheltered,
    /// `X >= 0`, the pool used up and the rest taxed (`0 < used < X dt`).
    PoolUsedUp,
    /// `X >= 0` with an empty pool: taxed in full.
    Taxed,
}

/// Branches of the state update taken at least once (coverage of `step`).
#[derive(Clone, Debug, Default)]
struct StepCoverage {
    /// The update `y_{k+1}` set by the cap `max(0, -ln rt_{k+1})`.
    pressure_capped: usize,
    /// `y` lowered by the cap after an event's effects.
    pressure_capped_by_event: usize,
    /// `G_k > G_ref` with `pi_G > 0`: the max in `y*` at 0 ("one_way"), a
    /// negative lead term ("symmetric").
    gap_above_initial: usize,
    /// The update `y_{k+1}` set by the lower bound `-y_up` ("symmetric").
    pressure_floored: usize,
    /// A hazard event that fired (with certainty).
    hazard_fired: usize,
}

/// An independent implementation of docs/equations.md in deterministic mode.
struct Reference {
    start_year: f64,
    n: usize,
    steps: usize,
    dt: f64,
    horizon: f64,
    discount: f64,
    terminal_growth: f64,
    pop_threshold: f64,
    tax_rate: f64,
    /// `valuation.terminal = "steady"` (else `"last"`).
    steady: bool,
    /// `demand.price_index = "ces"` (else `"mean"`).
    ces: bool,
    /// `demand.price_effect = "relative"` (else `"absolute"`): spend follows
    /// the index over the reference closed price, `ln Pi - ln Pt^c`.
    relative: bool,
    /// `G_ref`: `prices.reference_lead`, or `G_0` when absent.
    gap_ref: f64,
    /// `prices.pressure = "symmetric"` (else `"one_way"`).
    symmetric: bool,
    /// `y_up`, `prices.max_premium_rise`.
    max_premium_rise: f64,
    gap_inf: f64,
    /// `kappa = ln 2 / h`
    kappa: f64,
    gap_floor: f64,
    closed_decline: f64,
    ratio_drift: f64,
    /// `pi_G`
    premium_sensitivity: f64,
    /// `theta_y`
    adjustment_speed: f64,
    /// `kappa_m`
    pass_through: f64,
    /// `gm_floor` (none by default)
    margin_floor: Option<f64>,
    segments: Vec<Segment>,
    labs: Vec<Lab>,
    events: Vec<Event>,
    /// Whether each event has fired (an event fires at most once).
    fired: Vec<bool>,
    /// `Pbar_{s,0}`, the reference price of the `"mean"` demand curve.
    pbar_0: Vec<f64>,
    /// `ln Pi_{s,0}`, the CES index today.
    ln_pi_0: Vec<f64>,
    state: State,
    coverage: StepCoverage,
}

impl Reference {
    fn new(s: &Scenario) -> Reference {
        let n = s.steps_per_year as usize;
        let steps = (num(s, "horizon") * n as f64).round() as usize;
        let gap_0 = num(s, "gap.initial");
        let gap_ref = opt(s, "prices.reference_lead").unwrap_or(gap_0);
        let ratio_0 = num(s, "prices.ratio_0");
        for what in [
            "gap.sigma",
            "gap.release_rate",
            "prices.sigma_closed",
            "prices.sigma_ratio",
            "demand.sigma",
            "attractiveness.sigma",
            "attractiveness.jump_rate",
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
                    substitution: f("substitution"),
                }
            })
            .collect();
        // Section 3: absent a brand premium, today's usage is the equilibrium at the
        // reference lead (y_0 = 0, so ln rho_0 = ln rt_0).
        let brand = s
            .segments
            .iter()
            .zip(&segments)
            .map(|(g, seg)| match opt(s, &format!("segments.{}.brand_premium", g.id)) {
                Some(b) => b,
                None => logit(seg.share_0) - seg.beta_quality * gap_ref - seg.substitution * ratio_0.ln(),
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
                    resale: f("resale"),
                    plan: l.plan.clone(),
                    cash_0: f("cash_0"),
                    tax_losses_0: f("tax_losses_0"),
                    mark: opt(s, &format!("labs.{}.mark", l.id)).map(|v0| Mark {
                        v0,
                        growth_trailing: f("growth_trailing"),
                        gross_profit: match text(s, &format!("labs.{}.mark_basis", l.id)).as_deref() {
                            Some("gross_profit") => true,
                            Some("revenue") => false,
                            other => panic!("mark_basis of {}: {other:?}", l.id),
                        },
                        steady: match text(s, &format!("labs.{}.mature_multiple", l.id)).as_deref() {
                            Some("steady") => true,
                            None | Some("given") => false,
                            other => panic!("mature_multiple of {}: {other:?}", l.id),
                        },
                    }),
                }
            })
            .collect();
        let seg_index = |id: &str| s.segments.iter().position(|g| g.id == id).expect("known segment");
        let lab_index = |id: &str| s.labs.iter().position(|l| l.id == id).expect("known lab");
        let target = |path: &str| -> Target {
            match path.split('.').collect::<Vec<_>>().as_slice() {
                ["gap"] => Target::Gap,
                ["price_pressure"] => Target::PricePressure,
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
        let events: Vec<Event> = s
            .events
            .iter()
            .map(|e| {
                let effects = e.effects.iter().map(|f| (target(&f.0), f.1, f.2)).collect();
                if let Some(rate) = opt(s, &format!("events.{}.hazard", e.id)) {
                    let gap_sensitivity = num(s, &format!("events.{}.gap_sensitivity", e.id));
                    return Event {
                        when: When::Hazard { rate, gap_sensitivity },
                        effects,
                    };
                }
                let y = e.date.expect("dated event");
                // Section 6: the first state at or after y is t_j; the event fires in period j - 1.
                let j = ((y - num(s, "start_year")) * n as f64 - 1e-9).ceil() as i64;
                assert!(j >= 1, "event {} dated at or before the start", e.id);
                Event {
                    when: When::Period((j as usize <= steps).then(|| j as usize - 1)),
                    effects,
                }
            })
            .collect();
        let shares: Vec<f64> = segments.iter().map(|g| g.share_0).collect();
        let state = State {
            gap: gap_0,
            closed_price: 1.0,
            ratio: ratio_0,
            pressure: 0.0,
            pressure_event: 0.0,
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
            // M_0 = V0 / B_0 needs B_0: filled in below from the first observation.
            multiple_0: vec![f64::NAN; labs.len()],
            multiple_inf: s
                .labs
                .iter()
                .map(|l| opt(s, &format!("labs.{}.multiple_inf", l.id)).unwrap_or(f64::NAN))
                .collect(),
        };
        let ces = match text(s, "demand.price_index").as_deref() {
            None | Some("ces") => true,
            Some("mean") => false,
            other => panic!("demand.price_index: {other:?}"),
        };
        let relative = match text(s, "demand.price_effect").as_deref() {
            None | Some("absolute") => false,
            Some("relative") => true,
            other => panic!("demand.price_effect: {other:?}"),
        };
        let symmetric = match text(s, "prices.pressure").as_deref() {
            None | Some("one_way") => false,
            Some("symmetric") => true,
            other => panic!("prices.pressure: {other:?}"),
        };
        let steady = match text(s, "valuation.terminal").as_deref() {
            Some("steady") => true,
            Some("last") => false,
            other => panic!("valuation.terminal: {other:?}"),
        };
        // Today: P^c_0 = 1, y_0 = 0, rho_0 = exp(ln rt_0).
        let prices_0 = Prices {
            closed: 1.0,
            ln_rho: ratio_0.ln(),
            rho: ratio_0.ln().exp(),
            open: ratio_0,
        };
        let mut model = Reference {
            start_year: num(s, "start_year"),
            n,
            steps,
            dt: 1.0 / n as f64,
            horizon: num(s, "horizon"),
            discount: num(s, "valuation.discount_rate"),
            terminal_growth: num(s, "valuation.terminal_growth"),
            pop_threshold: num(s, "valuation.pop_threshold"),
            tax_rate: num(s, "valuation.tax_rate"),
            steady,
            ces,
            relative,
            gap_ref,
            symmetric,
            max_premium_rise: num(s, "prices.max_premium_rise"),
            gap_inf: num(s, "gap.long_run"),
            kappa: std::f64::consts::LN_2 / num(s, "gap.half_life"),
            gap_floor: num(s, "gap.floor"),
            closed_decline: num(s, "prices.closed_decline"),
            ratio_drift: num(s, "prices.ratio_drift"),
            premium_sensitivity: num(s, "prices.premium_sensitivity"),
            adjustment_speed: num(s, "prices.adjustment_speed"),
            pass_through: num(s, "prices.pass_through"),
            margin_floor: opt(s, "prices.margin_floor"),
            pbar_0: shares.iter().map(|u| u + (1.0 - u) * ratio_0).collect(),
            ln_pi_0: segments
                .iter()
                .map(|g| g.ln_ces_index(g.share_0, prices_0.closed, prices_0.ln_rho, prices_0.rho))
                .collect(),
            fired: vec![false; events.len()],
            segments,
            labs,
            events,
            state,
            coverage: StepCoverage::default(),
        };
        let obs = model.observe(0);
        for (i, lab) in model.labs.iter().enumerate() {
            if let Some(m) = &lab.mark {
                model.state.multiple_0[i] = m.v0 / Reference::basis(m, obs.revenue[i], obs.margin[i].0);
            }
        }
        model
    }

    /// Section 2: the prices after competition, from the reference curves and `y`.
    fn prices(&self) -> Prices {
        let st = &self.state;
        let ln_rho = st.ratio.ln() + st.pressure;
        Prices {
            closed: st.closed_price * (-st.pressure).exp(),
            ln_rho,
            rho: ln_rho.exp(),
            open: st.ratio * st.closed_price,
        }
    }

    /// Section 4: `gm_{i,k}` (and whether the floor set it) from the state at `t_k`.
    fn margin(&self, i: usize, t: f64) -> (f64, bool) {
        let lab = &self.labs[i];
        let inf = self.state.margin_inf[i];
        let reference = inf + (lab.margin_0 - inf) * (-t / lab.margin_tau).exp();
        if !lab.closed {
            return (reference, false);
        }
        let gm = reference - self.pass_through * (1.0 - reference) * self.state.pressure.exp_m1();
        match self.margin_floor {
            Some(floor) if floor > gm => (floor, true),
            _ => (gm, false),
        }
    }

    /// Section 5: `B_{i,k}`, the mark's basis.
    fn basis(mark: &Mark, revenue: f64, margin: f64) -> f64 {
        if mark.gross_profit { revenue * margin } else { revenue }
    }

    /// Sections 2-4: prices, pools, spend, lab revenues and margins, savings and potential at `t_k`.
    fn observe(&self, k: usize) -> Observation {
        let st = &self.state;
        let p = self.prices();
        let mut closed_pool = Vec::new();
        let mut open_pool = Vec::new();
        let (mut savings, mut potential, mut spend) = (0.0, 0.0, 0.0);
        for (s, seg) in self.segments.iter().enumerate() {
            let u = st.share[s];
            let pbar = u * p.closed + (1.0 - u) * p.open;
            let q = if self.ces {
                let ln_pi = seg.ln_ces_index(u, p.closed, p.ln_rho, p.rho);
                // "relative": the index over the reference closed price (by
                // its definition here; Pt^c_0 = 1, so ln Pi_0 serves both).
                let ln_pi = if self.relative {
                    ln_pi - st.closed_price.ln()
                } else {
                    ln_pi
                };
                let spend = seg.spend_0 * st.demand[s] * ((1.0 - seg.elasticity) * (ln_pi - self.ln_pi_0[s])).exp();
                spend / pbar
            } else {
                seg.spend_0 / self.pbar_0[s] * st.demand[s] * (pbar / self.pbar_0[s]).powf(-seg.elasticity)
            };
            spend += q * pbar;
            let c = q * u * p.closed;
            closed_pool.push(c);
            open_pool.push(q * (1.0 - u) * p.open);
            savings += q * (1.0 - u) * (p.closed - p.open);
            potential += c * (1.0 - p.rho);
        }
        let revenue: Vec<f64> = self
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
        let t = k as f64 * self.dt;
        Observation {
            prices: p,
            spend,
            closed_spend_share: closed_pool.iter().sum::<f64>() / spend,
            closed_pool,
            revenue,
            margin: (0..self.labs.len()).map(|i| self.margin(i, t)).collect(),
            savings,
            potential,
        }
    }

    /// Section 4: the pre-tax cash flow `X_{i,k}` and which term set the spending `F`.
    fn cash_flow(&self, i: usize, k: usize, revenue: f64, margin: f64) -> (f64, Spending) {
        let lab = &self.labs[i];
        let t = k as f64 * self.dt;
        let committed = lab.committed * lab.plan(self.start_year + t);
        let research = lab.research * revenue;
        let spending = committed.max(research) - lab.resale * (committed - research).max(0.0);
        let branch = if committed > research {
            Spending::Committed
        } else {
            Spending::Research
        };
        (revenue * (margin - lab.opex) - spending, branch)
    }

    /// Section 4: the tax `T_{i,k}` of period k, moving the loss pool to `L_{i,k+1}`.
    fn tax(&self, x: f64, pool: &mut f64) -> (f64, Tax) {
        let dt = self.dt;
        if x < 0.0 {
            *pool -= x * dt;
            return (0.0, Tax::Loss);
        }
        let used = pool.min(x * dt);
        let branch = if used == 0.0 {
            Tax::Taxed
        } else if used < x * dt {
            Tax::PoolUsedUp
        } else {
            Tax::Sheltered
        };
        *pool -= used;
        (self.tax_rate * (x * dt - used) / dt, branch)
    }

    /// Section 5: the discounted terminal value from the state at `t_K`.
    fn terminal(&self, i: usize, revenue: f64, margin: f64, x: f64) -> f64 {
        let lab = &self.labs[i];
        let (r, g, tau) = (self.discount, self.terminal_growth, self.tax_rate);
        let flow = if self.steady {
            revenue * (margin - lab.opex - lab.research) * (1.0 - tau)
        } else {
            x * (1.0 - tau)
        };
        (-r * self.horizon).exp() * flow.max(0.0) / (r - g)
    }

    /// Section 5, `mature_multiple = "steady"`: `Minf_{i,k}` from the state at
    /// `t_k`, with the branches taken: the long-run margin `gmL` (section 4's
    /// margin at `gm_inf`) and whether the floor set it, and whether the
    /// steady value per unit of revenue `v` was 0.
    fn steady_multiple(&self, i: usize) -> Steady {
        let lab = &self.labs[i];
        let mark = lab.mark.as_ref().expect("lab with a mark");
        let inf = self.state.margin_inf[i];
        let (margin, floored) = if lab.closed {
            let cut = inf - self.pass_through * (1.0 - inf) * self.state.pressure.exp_m1();
            match self.margin_floor {
                Some(floor) if floor > cut => (floor, true),
                _ => (cut, false),
            }
        } else {
            (inf, false)
        };
        let (r, g, tau) = (self.discount, self.terminal_growth, self.tax_rate);
        let per_revenue = ((margin - lab.opex) - lab.research) * (1.0 - tau);
        let v = per_revenue.max(0.0) / (r - g);
        let multiple = match (mark.gross_profit, v > 0.0) {
            (false, _) => v,
            (true, true) => v / margin,
            (true, false) => 0.0,
        };
        Steady {
            multiple,
            margin,
            floored,
            zero: v == 0.0,
        }
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
        let minf = if m.steady {
            self.steady_multiple(i).multiple
        } else {
            self.state.multiple_inf[i]
        };
        let m0 = self.state.multiple_0[i];
        (minf + (m0 - minf) * ratio.clamp(0.0, 1.0), clamp)
    }

    /// Section 6: whether a hazard event fires in period k, from `G_k` (before this step's
    /// update). Deterministic mode has `lambda_e = 0`; a positive rate is allowed only
    /// where the firing probability is 1 or negligible, so the outcome does not depend on the draw.
    fn hazard_fires(&self, rate: f64, gap_sensitivity: f64) -> bool {
        if rate == 0.0 {
            return false;
        }
        let lambda = rate * (gap_sensitivity * (self.gap_ref - self.state.gap)).exp();
        let p = 1.0 - (-lambda * self.dt).exp();
        assert!(
            p == 1.0 || p < 1e-15,
            "hazard event with firing probability {p}: not deterministic"
        );
        p == 1.0
    }

    /// Section 0 (3) and sections 1-4, 6: move the state from `t_k` to `t_{k+1}`,
    /// then apply the events of period k. Returns the indices of the events that fired.
    fn step(&mut self, k: usize) -> Vec<usize> {
        let dt = self.dt;
        let t = k as f64 * dt;
        // Hazards, share targets and the pressure target use the state at t_k: compute them first.
        let fires: Vec<bool> = self
            .events
            .iter()
            .enumerate()
            .map(|(e, event)| match event.when {
                When::Period(p) => p == Some(k),
                When::Hazard { rate, gap_sensitivity } => !self.fired[e] && self.hazard_fires(rate, gap_sensitivity),
            })
            .collect();
        let ln_rho = self.prices().ln_rho;
        let st = &mut self.state;
        let targets: Vec<f64> = self
            .segments
            .iter()
            .enumerate()
            .map(|(s, seg)| logistic(st.brand[s] + seg.beta_quality * st.gap + seg.substitution * ln_rho))
            .collect();
        if self.premium_sensitivity > 0.0 && st.gap > self.gap_ref {
            self.coverage.gap_above_initial += 1;
        }
        // Section 2: "one_way" takes only the lead lost below G_ref; "symmetric" both ways.
        let lead_lost = self.gap_ref - st.gap;
        let pressure_target = if self.symmetric {
            self.premium_sensitivity * lead_lost + st.pressure_event
        } else {
            self.premium_sensitivity * lead_lost.max(0.0) + st.pressure_event
        };
        st.gap = self
            .gap_floor
            .max(st.gap + (1.0 - (-self.kappa * dt).exp()) * (self.gap_inf - st.gap));
        st.closed_price = (st.closed_price.ln() - self.closed_decline * dt).exp();
        st.ratio = (st.ratio.ln() - self.ratio_drift * dt).exp();
        let cap = (-st.ratio.ln()).max(0.0);
        let mut moved = st.pressure + (1.0 - (-self.adjustment_speed * dt).exp()) * (pressure_target - st.pressure);
        if self.symmetric && moved < -self.max_premium_rise {
            self.coverage.pressure_floored += 1;
            moved = -self.max_premium_rise;
        }
        if cap < moved {
            self.coverage.pressure_capped += 1;
        }
        st.pressure = cap.min(moved);
        for (s, seg) in self.segments.iter().enumerate() {
            st.demand[s] = (st.demand[s].ln() + seg.growth(t) * dt).exp();
            st.share[s] += (1.0 - (-st.switching[s] * dt).exp()) * (targets[s] - st.share[s]);
        }
        for (i, lab) in self.labs.iter().enumerate() {
            st.attract[i] += lab.drift * dt;
        }
        let mut fired = Vec::new();
        for (e, event) in self.events.iter().enumerate() {
            if !fires[e] {
                continue;
            }
            for &(target, op, v) in &event.effects {
                let x = match target {
                    Target::Gap => &mut st.gap,
                    Target::PricePressure => &mut st.pressure_event,
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
            let cap = (-st.ratio.ln()).max(0.0);
            if cap < st.pressure {
                self.coverage.pressure_capped_by_event += 1;
            }
            st.pressure = st.pressure.min(cap);
            if matches!(event.when, When::Hazard { .. }) {
                self.coverage.hazard_fired += 1;
            }
            self.fired[e] = true;
            fired.push(e);
        }
        fired
    }
}

/// A `"steady"` mature multiple and the branches that made it (for coverage).
#[derive(Clone, Copy, Debug)]
struct Steady {
    /// `Minf_{i,k}`
    multiple: f64,
    /// `gmL_{i,k}`
    margin: f64,
    /// The margin floor set `gmL`.
    floored: bool,
    /// `v_{i,k} = 0`: the long-run margin does not cover opex and research.
    zero: bool,
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
    /// `gm_{i,k}`
    margin: Vec<f64>,
    /// `V_{i,k}` at every k (labs with a mark only).
    market_value: Option<Vec<f64>>,
    cash: Vec<f64>,
    /// The loss pool `L_{i,k}`.
    pool: Vec<f64>,
    pv: f64,
    terminal: f64,
    fair_value: f64,
    phi: f64,
    tv_share: f64,
    pop_time: f64,
    crunch_time: f64,
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
    /// Steps with idle committed compute resold (`varrho > 0` and `c > psi R`).
    resold: usize,
    /// Steps at which the margin floor set `gm`.
    margin_floored: usize,
    /// Steps with `M B < 0`: the mark clipped at 0 (a negative gross profit).
    mark_clipped: usize,
    /// `"steady"` labs: `Minf_{i,k}` and `gmL_{i,k}` at every k (empty for `"given"`).
    mature: Vec<f64>,
    long_run_margin: Vec<f64>,
    /// `"steady"` labs: steps where the floor set `gmL`, and where `v = 0`.
    steady_floored: usize,
    steady_zero: usize,
    /// Steps where the floor set a positive `Minf` that the mark is weighted toward (`ghat < ghat_0`).
    steady_floored_weighted: usize,
    /// The tax branch of each period.
    taxes: Vec<Tax>,
    clamps: Vec<Clamp>,
}

/// Everything the engine reports for one deterministic path.
#[derive(Debug)]
struct Trace {
    gap: Vec<f64>,
    /// `u_{s,k}`, `[s][k]`
    share: Vec<Vec<f64>>,
    /// `P^c`, after competition.
    closed_price: Vec<f64>,
    /// `Pt^c`, the reference closed price (before competition).
    reference_closed_price: Vec<f64>,
    /// `rho`, after competition.
    ratio: Vec<f64>,
    /// `y`
    pressure: Vec<f64>,
    spend: Vec<f64>,
    closed_spend_share: Vec<f64>,
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
    coverage: StepCoverage,
}

/// Run the reference over `k = 0..=K` in the order of docs/equations.md §0.
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
        reference_closed_price: vec![],
        ratio: vec![],
        pressure: vec![],
        spend: vec![],
        closed_spend_share: vec![],
        savings: vec![],
        potential: vec![],
        closed_pool: vec![vec![]; m.segments.len()],
        labs: (0..nl)
            .map(|i| LabTrace {
                market_value: m.labs[i].mark.as_ref().map(|_| vec![]),
                pop_time: f64::INFINITY,
                crunch_time: f64::INFINITY,
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
        coverage: StepCoverage::default(),
    };
    let mut cash: Vec<f64> = m.labs.iter().map(|l| l.cash_0).collect();
    let mut pool: Vec<f64> = m.labs.iter().map(|l| l.tax_losses_0).collect();
    let mut min_mark_ratio = vec![f64::INFINITY; nl];
    for k in 0..=steps {
        let t = k as f64 * dt;
        let quarter_end = k % (n / 4) == 0;
        // (1) From the state at t_k.
        let obs = m.observe(k);
        tr.gap.push(m.state.gap);
        tr.closed_price.push(obs.prices.closed);
        tr.reference_closed_price.push(m.state.closed_price);
        tr.ratio.push(obs.prices.rho);
        tr.pressure.push(m.state.pressure);
        tr.spend.push(obs.spend);
        tr.closed_spend_share.push(obs.closed_spend_share);
        tr.savings.push(obs.savings);
        tr.potential.push(obs.potential);
        for s in 0..m.segments.len() {
            tr.share[s].push(m.state.share[s]);
            tr.closed_pool[s].push(obs.closed_pool[s]);
        }
        for i in 0..nl {
            let lt = &mut tr.labs[i];
            let (revenue, (margin, floored)) = (obs.revenue[i], obs.margin[i]);
            lt.revenue.push(revenue);
            lt.margin.push(margin);
            lt.margin_floored += usize::from(floored);
            lt.cash.push(cash[i]);
            lt.pool.push(pool[i]);
            if cash[i] < 0.0 && lt.first_negative_cash.is_infinite() {
                lt.first_negative_cash = t;
            }
            lt.funding_need = lt.funding_need.max(-cash[i]);
            if let Some(mark) = &m.labs[i].mark {
                let (multiple, clamp) = m.multiple(i, &lt.revenue);
                let v = if revenue == 0.0 {
                    0.0
                } else {
                    let mb = multiple * Reference::basis(mark, revenue, margin);
                    lt.mark_clipped += usize::from(mb < 0.0);
                    mb.max(0.0)
                };
                lt.market_value.as_mut().expect("marked").push(v);
                lt.clamps.push(clamp);
                if mark.steady {
                    let st = m.steady_multiple(i);
                    lt.mature.push(st.multiple);
                    lt.long_run_margin.push(st.margin);
                    lt.steady_floored += usize::from(st.floored);
                    lt.steady_zero += usize::from(st.zero);
                    lt.steady_floored_weighted += usize::from(st.floored && st.multiple > 0.0 && clamp != Clamp::High);
                }
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
                    if k >= 1 && below && cash[i] < 0.0 && lt.crunch_time.is_infinite() {
                        lt.crunch_time = t;
                    }
                }
            }
            let (x, spending) = m.cash_flow(i, k, revenue, margin);
            match spending {
                Spending::Committed => {
                    lt.floor_binding += 1;
                    lt.resold += usize::from(m.labs[i].resale > 0.0);
                }
                Spending::Research => lt.research_binding += 1,
            }
            if k == steps {
                // Terminal value from the state at t_K.
                lt.terminal = m.terminal(i, revenue, margin, x);
                lt.pv += lt.terminal;
            } else {
                // (2) The flows of period k.
                let (tax, branch) = m.tax(x, &mut pool[i]);
                lt.taxes.push(branch);
                let fcf = x - tax;
                lt.pv += fcf * dt * (-m.discount * (t + dt)).exp();
                cash[i] += fcf * dt;
                let y = years
                    .iter()
                    .position(|(y, _)| *y == year_of(k))
                    .expect("year of period");
                lt.revenue_by_year[y] += revenue * dt;
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
                lt.crunch_time = f64::NAN;
                lt.drawdown = f64::NAN;
            }
        }
    }
    tr.coverage = m.coverage;
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
    for (name, want) in [
        ("closed_price", &tr.closed_price),
        ("price_ratio", &tr.ratio),
        ("price_pressure", &tr.pressure),
        ("spend", &tr.spend),
        ("closed_spend_share", &tr.closed_spend_share),
        ("savings", &tr.savings),
        ("potential", &tr.potential),
    ] {
        mm.series(name, series(r, name, None, None), want);
    }
    for (l, lt) in s.labs.iter().zip(&tr.labs) {
        let id = l.id.as_str();
        for (name, want) in [
            ("revenue", &lt.revenue),
            ("gross_margin", &lt.margin),
            ("cash", &lt.cash),
        ] {
            mm.series(format!("{name}[{id}]"), series(r, name, Some(id), None), want);
        }
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
            ("crunch_time", lt.crunch_time),
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

// ---------------------------------------------------------------------------
// Model v2
// ---------------------------------------------------------------------------

fn v2_scenario() -> Scenario {
    Scenario::from_file(data("deterministic_v2.toml")).expect("deterministic_v2.toml is valid")
}

fn v2_steady_scenario() -> Scenario {
    Scenario::from_file(data("deterministic_v2_steady.toml")).expect("deterministic_v2_steady.toml is valid")
}

/// The firing time of an event in a one-path run (`inf` if it never fired).
fn event_time(r: &Results, id: &str) -> f64 {
    r.events.iter().find(|c| c.name == id).expect("event column").values[0]
}

/// A segment input of every segment, in segment order.
fn per_segment(s: &Scenario, name: &str) -> Vec<f64> {
    s.segments
        .iter()
        .map(|g| num(s, &format!("segments.{}.{name}", g.id)))
        .collect()
}

/// Index of the first period with the given tax branch.
fn first_tax(lt: &LabTrace, branch: Tax) -> Option<usize> {
    lt.taxes.iter().position(|&b| b == branch)
}

/// Every v2 output at every step; the coverage asserts say which branches the
/// comparison is about.
#[test]
fn v2_scenario_matches_reference() {
    let s = v2_scenario();
    let tr = check(&s);
    let cov = &tr.coverage;

    // Price pressure: moves, rides its cap, is cut by the cap after `relief`
    // raises the ratio, follows a negative Ye below 0, and sees a gap above G_0.
    assert!(
        tr.pressure.iter().any(|&y| y > 0.5),
        "the price pressure never builds up"
    );
    assert!(cov.pressure_capped > 0, "the cap never binds in the update");
    assert!(cov.pressure_capped_by_event > 0, "the cap never binds after an event");
    assert!(tr.pressure.iter().any(|&y| y < 0.0), "y never goes below 0");
    assert!(cov.gap_above_initial > 0, "the gap never exceeds G_0 (the max in y*)");
    // The CES index with every kind of substitution.
    assert_eq!(s.demand.price_index, PriceIndex::Ces);
    let omega = per_segment(&s, "substitution");
    assert!(omega.contains(&1.0), "no segment with t_s = 0");
    assert!(omega.iter().any(|&w| w > 1.0) && omega.iter().any(|&w| w > 0.0 && w < 1.0));
    // Margins: pass-through below 1, a floor that binds, negative margins above it.
    let floor = num(&s, "prices.margin_floor");
    assert!(num(&s, "prices.pass_through") < 1.0);
    let (alpha, beta, gamma) = (lab(&tr, &s, "alpha"), lab(&tr, &s, "beta"), lab(&tr, &s, "gamma"));
    assert!(beta.margin_floored > 0, "the margin floor never binds");
    assert!(
        beta.margin.iter().any(|&m| m < 0.0 && m > floor),
        "no negative margin above the floor"
    );
    // Resale of idle commitments, and research intensity setting F at other times.
    assert!(alpha.resold > 0 && alpha.research_binding > 0);
    // Taxes: alpha's losses fill the pool, later profits use it up, then are taxed.
    let (loss, used_up, taxed) = (
        first_tax(alpha, Tax::Loss).expect("a loss"),
        first_tax(alpha, Tax::PoolUsedUp).expect("the pool used up"),
        first_tax(alpha, Tax::Taxed).expect("taxed profits"),
    );
    assert!(loss < used_up && used_up < taxed, "alpha: {:?}", alpha.taxes);
    assert!(first_tax(alpha, Tax::Sheltered).is_some_and(|k| k > loss));
    // gamma starts with a pool (L_0 > 0) that shelters its first profits.
    assert!(num(&s, "labs.gamma.tax_losses_0") > 0.0 && gamma.taxes[0] == Tax::Sheltered);
    assert!(num(&s, "valuation.tax_rate") > 0.0);
    // Gross-profit mark: negative margins take V to 0 while revenue is positive.
    assert_eq!(text(&s, "labs.beta.mark_basis").as_deref(), Some("gross_profit"));
    assert!(beta.mark_clipped > 0 && beta.revenue.iter().all(|&r| r > 0.0));
    // A pop, then a crunch: quarter ends with a halved mark and cash >= 0, and
    // with negative cash and a mark above the threshold, both occur.
    assert!(beta.pop_time < beta.crunch_time && beta.crunch_time.is_finite());
    let quarter = s.steps_per_year as usize / 4;
    let v0 = num(&s, "labs.beta.mark");
    let v = beta.market_value.as_ref().expect("beta has a mark");
    let ks = (quarter..=s.steps()).step_by(quarter);
    assert!(ks.clone().any(|k| v[k] < 0.5 * v0 && beta.cash[k] >= 0.0));
    assert!(ks.clone().any(|k| v[k] >= 0.5 * v0 && beta.cash[k] < 0.0));
    // "last" with taxes: positive terminal values.
    assert!(alpha.terminal > 0.0 && beta.terminal > 0.0);
    // Every event fires; `rebound` (a hazard) in the period after `regain`.
    assert!(tr.event_times.iter().all(|t| t.is_finite()), "{:?}", tr.event_times);
    assert_eq!(cov.hazard_fired, 1);
}

/// The steady-state terminal value, no margin floor, a reference ratio above 1.
#[test]
fn v2_steady_scenario_matches_reference() {
    let s = v2_steady_scenario();
    let tr = check(&s);
    assert_eq!(text(&s, "valuation.terminal").as_deref(), Some("steady"));
    // While the reference ratio is above 1 the cap is 0 and holds y at 0
    // (there y = 0, so rho = rt > 1); y is positive before and after.
    let held: Vec<usize> = (0..tr.ratio.len()).filter(|&k| tr.ratio[k] > 1.0).collect();
    assert!(held.len() > 2, "the reference ratio never goes above 1");
    assert!(held.iter().all(|&k| tr.pressure[k] == 0.0));
    assert!(tr.pressure[held[0] - 1] > 0.0);
    assert!(tr.pressure[held[held.len() - 1] + 1..].iter().any(|&y| y > 0.0));
    assert!(tr.coverage.pressure_capped > 0 && tr.coverage.pressure_capped_by_event > 0);
    // The CES index at omega = 0 (the mean price) and above 1.
    let omega = per_segment(&s, "substitution");
    assert!(omega.contains(&0.0) && omega.iter().any(|&w| w > 1.0));
    // No margin floor: a margin far below 0, a gross-profit mark at 0, and a
    // negative steady terminal flow (TV = 0) although revenue is positive.
    assert!(opt(&s, "prices.margin_floor").is_none());
    let (deep, solid, commons) = (lab(&tr, &s, "deep"), lab(&tr, &s, "solid"), lab(&tr, &s, "commons"));
    assert!(deep.margin.iter().any(|&m| m < -0.5));
    assert!(deep.mark_clipped > 0);
    assert!(deep.terminal == 0.0 && deep.revenue[s.steps()] > 0.0 && deep.fair_value == 0.0);
    assert!(deep.crunch_time.is_finite() && deep.pop_time < deep.crunch_time);
    // solid: still committed beyond research intensity at t_K, reselling, a
    // positive steady terminal value (and a different "last" one, below).
    assert!(solid.terminal > 0.0 && solid.resold == solid.floor_binding && solid.research_binding == 0);
    assert!(first_tax(solid, Tax::Loss).is_some() && first_tax(solid, Tax::Sheltered).is_some());
    assert!(first_tax(commons, Tax::PoolUsedUp).is_some() && first_tax(commons, Tax::Taxed).is_some());
    // The gap-sensitive events: the dated one fires on its date, the hazard-0 one never.
    let at = |id: &str| tr.event_times[s.events.iter().position(|e| e.id == id).expect("event")];
    assert_close(at("sensitive_but_dated"), 0.75, "dated event with a gap sensitivity");
    assert_eq!(at("inert"), f64::INFINITY);
}

/// Both terminal conventions on both v2 scenarios; the switch changes the
/// terminal value of some lab in each (a lab still committed at `t_K`).
#[test]
fn v2_terminal_conventions_match_reference() {
    for (base, other) in [(v2_scenario(), "last"), (v2_steady_scenario(), "steady")] {
        let flipped = if other == "last" { "steady" } else { "last" };
        assert_eq!(text(&base, "valuation.terminal").as_deref(), Some(other));
        let s = base
            .with_overrides([("valuation.terminal", flipped.into())])
            .expect("valid override");
        let tr = check(&s);
        let tr_base = simulate(&base);
        assert!(
            tr.labs
                .iter()
                .zip(&tr_base.labs)
                .any(|(a, b)| a.terminal > 0.0 && b.terminal > 0.0 && (a.terminal - b.terminal).abs() > 1.0)
                || tr
                    .labs
                    .iter()
                    .zip(&tr_base.labs)
                    .any(|(a, b)| (a.terminal == 0.0) != (b.terminal == 0.0)),
            "{}: the terminal convention changes nothing",
            base.name
        );
    }
}

fn v21_spend_scenario() -> Scenario {
    Scenario::from_file(data("deterministic_v21_spend.toml")).expect("deterministic_v21_spend.toml is valid")
}

/// `s` with `demand.price_effect` set (on the type, as `with_mean_index`).
fn with_price_effect(s: &Scenario, effect: PriceEffect) -> Scenario {
    let mut s = s.clone();
    s.demand.price_effect = effect;
    s
}

/// `demand.price_effect = "relative"` (a v2.1 setting): spend follows the CES
/// index over the reference closed price. Every output at every step against
/// the reference, which computes `ln Pih` from its definition `ln Pi - ln Pt^c`
/// (the engine without `ln Pt^c`). The coverage asserts: the pressure `y`
/// enters the index (both signs), the reference closed price moves far from
/// 1 (its decline and a `closed_price` event), every kind of substitution,
/// and the switch changes spend (the same file under "absolute" also
/// matches the reference, and differs).
#[test]
fn v21_relative_spend_matches_reference() {
    let s = v21_spend_scenario();
    let tr = check(&s);
    assert_eq!(s.demand.price_effect, PriceEffect::Relative);
    assert_eq!(s.demand.price_index, PriceIndex::Ces);
    assert!(num(&s, "prices.premium_sensitivity") > 0.0);
    assert!(
        tr.pressure.iter().any(|&y| y > 0.5),
        "the price pressure never builds up"
    );
    assert!(tr.pressure.iter().any(|&y| y < 0.0), "y never goes below 0");
    // The level term "relative" removes: Pt^c falls at d_c and halves at `cheaper`.
    let pt = &tr.reference_closed_price;
    assert!(
        num(&s, "prices.closed_decline") > 0.0 && pt[pt.len() - 1] < 0.15,
        "{:?}",
        pt.last()
    );
    let cheaper = s.events.iter().position(|e| e.id == "cheaper").expect("cheaper");
    let k = (tr.event_times[cheaper] * s.steps_per_year as f64).round() as usize;
    assert_close(
        pt[k] / pt[k - 1],
        0.5 * (-num(&s, "prices.closed_decline") / s.steps_per_year as f64).exp(),
        "the closed_price event halves Pt^c",
    );
    // Both branches of the index (t_s = 0 and t_s != 0, omega above and below 1),
    // and elasticities on both sides of 1 (the sign of 1 - eps).
    let omega = per_segment(&s, "substitution");
    assert!(omega.contains(&1.0) && omega.iter().any(|&w| w > 1.0) && omega.iter().any(|&w| w < 1.0));
    let eps = per_segment(&s, "elasticity");
    assert!(eps.iter().any(|&e| e < 1.0) && eps.iter().any(|&e| e > 1.0));
    // The switch matters: "absolute" on the same file (also held to the
    // reference) has the same spend today and a different one at every later step.
    let absolute = check(&with_price_effect(&s, PriceEffect::Absolute));
    assert_eq!(tr.spend[0], absolute.spend[0]);
    for k in 1..tr.spend.len() {
        assert!(
            (tr.spend[k] / absolute.spend[k] - 1.0).abs() > 1e-6,
            "k = {k}: relative {} and absolute {} spend agree",
            tr.spend[k],
            absolute.spend[k]
        );
    }
}

/// "relative" on the steady v2 scenario: the CES index at omega = 0 (the
/// mean price), a reference ratio above 1 (where the cap holds y at 0).
#[test]
fn v21_relative_spend_on_the_steady_scenario_matches_reference() {
    let s = with_price_effect(&v2_steady_scenario(), PriceEffect::Relative);
    assert!(s.problems().is_empty());
    let tr = check(&s);
    assert!(per_segment(&s, "substitution").contains(&0.0));
    assert!(tr.ratio.iter().any(|&r| r > 1.0) && tr.pressure.iter().any(|&y| y > 0.0));
}

/// `s` with `demand.price_index = "mean"`. (Set on the type: `with_overrides`
/// cannot set `demand.price_index` when the file's `[demand]` holds only
/// defaults, since the scenario's JSON form then has no `demand` table.)
fn with_mean_index(s: &Scenario) -> Scenario {
    let mut s = s.clone();
    s.demand.price_index = PriceIndex::Mean;
    s
}

/// `demand.price_index = "mean"` with a moving price pressure: v1's demand
/// curve at the prices after competition.
#[test]
fn v2_mean_price_index_matches_reference() {
    for base in [v2_scenario(), v2_steady_scenario()] {
        let s = with_mean_index(&base);
        let tr = check(&s);
        assert!(tr.pressure.iter().any(|&y| y > 0.1));
        let ces = simulate(&base);
        assert!(
            tr.spend.iter().zip(&ces.spend).skip(1).all(|(a, b)| !close(*a, *b)),
            "{}: the price index changes nothing",
            base.name
        );
    }
}

/// With `omega_s = 0` the CES index is the mean price `Pbar` (section 3), so
/// `"ces"` and `"mean"` give the same run up to rounding: an engine-only
/// identity that does not go through the reference.
#[test]
fn ces_without_substitution_is_the_mean_price() {
    let zero: Vec<(String, serde_json::Value)> = v2_scenario()
        .segments
        .iter()
        .map(|g| (format!("segments.{}.substitution", g.id), 0.0.into()))
        .collect();
    for omega_zero in [true, false] {
        let mut overrides: Vec<(&str, serde_json::Value)> = vec![];
        if omega_zero {
            overrides.extend(zero.iter().map(|(p, v)| (p.as_str(), v.clone())));
        }
        let ces = v2_scenario().with_overrides(overrides).expect("valid");
        let mean = with_mean_index(&ces);
        let (a, b) = (run(&ces), run(&mean));
        let mut mm = Mismatches::default();
        for id in Series::ids(&ces) {
            mm.series(&id, a.stored_series(&id), &b.stored_series(&id).expect("stored"));
        }
        for (la, lb) in a.labs.iter().zip(&b.labs) {
            for (ca, cb) in la.metrics.iter().zip(&lb.metrics) {
                mm.value(format!("{}[{}]", ca.name, la.id), ca.values[0], cb.values[0]);
            }
        }
        if omega_zero {
            mm.assert_none("deterministic_v2 with omega = 0, ces against mean");
        } else {
            assert!(!mm.0.is_empty(), "with omega > 0 the two indices must differ");
        }
    }
}

/// Sections 2 and 4 from the engine's own series, not the reference: with the
/// reference curves in closed form (`Pt^c = exp(-d_c t)`, `rt = rho_0
/// exp(-d_rho t)` times 1.6 from `relief` on), `P^c = Pt^c exp(-y)`,
/// `ln rho = ln rt + y`, the recursion of `y` from the stored gap with its
/// cap before and after events, and the closed labs' margins from `y`.
#[test]
fn v2_prices_and_margins_from_the_stored_pressure() {
    let s = v2_scenario();
    let r = run(&s);
    let get = |name: &str| series(&r, name, None, None).expect("stored");
    let (y, gap, pc, rho) = (
        get("price_pressure"),
        get("gap"),
        get("closed_price"),
        get("price_ratio"),
    );
    let n = s.steps_per_year as f64;
    let dt = 1.0 / n;
    let (d_c, d_rho, rho_0) = (
        num(&s, "prices.closed_decline"),
        num(&s, "prices.ratio_drift"),
        num(&s, "prices.ratio_0"),
    );
    let (pi_g, g_0) = (num(&s, "prices.premium_sensitivity"), num(&s, "gap.initial"));
    let speed = 1.0 - (-num(&s, "prices.adjustment_speed") * dt).exp();
    let time = |id: &str| event_time(&r, id);
    let k_of = |t: f64| (t * n).round() as usize;
    let (relief, squeeze, truce) = (k_of(time("relief")), k_of(time("squeeze")), k_of(time("truce")));
    // ln rt_k from before and after the events of period k - 1.
    let ln_rt = |k: usize, after: bool| {
        rho_0.ln() - d_rho * k as f64 * dt
            + if k > relief || (k == relief && after) {
                1.6f64.ln()
            } else {
                0.0
            }
    };
    let ye = |k: usize| {
        if k >= truce {
            -1.0
        } else if k >= squeeze {
            0.3
        } else {
            0.0
        }
    };
    assert_eq!(y[0], 0.0);
    for k in 0..=s.steps() {
        let t = k as f64 * dt;
        assert_close(pc[k], (-d_c * t - y[k]).exp(), format!("P^c at k = {k}"));
        assert_close(rho[k].ln(), ln_rt(k, true) + y[k], format!("ln rho at k = {k}"));
        if k < s.steps() {
            let target = pi_g * (g_0 - gap[k]).max(0.0) + ye(k);
            let moved = y[k] + speed * (target - y[k]);
            let want = moved
                .min((-ln_rt(k + 1, false)).max(0.0))
                .min((-ln_rt(k + 1, true)).max(0.0));
            assert_close(y[k + 1], want, format!("y at k = {}", k + 1));
        }
    }
    let (kappa_m, floor) = (num(&s, "prices.pass_through"), num(&s, "prices.margin_floor"));
    for id in ["alpha", "beta"] {
        let gm = series(&r, "gross_margin", Some(id), None).expect("stored");
        let f = |name: &str| num(&s, &format!("labs.{id}.{name}"));
        for (k, &got) in gm.iter().enumerate() {
            let t = k as f64 * dt;
            let reference =
                f("gross_margin_inf") + (f("gross_margin_0") - f("gross_margin_inf")) * (-t / f("margin_tau")).exp();
            let want = floor.max(reference - kappa_m * (1.0 - reference) * y[k].exp_m1());
            assert_close(got, want, format!("gross margin of {id} at k = {k}"));
        }
    }
}

/// Section 6's hazard `lambda_e exp(kappa_e (G_0 - G_k))` reads `G_k`, the gap
/// at `t_k` before the step's update. Strict deterministic mode has every
/// hazard 0, where the sensitivity cannot act; `rebound` instead has a rate so
/// small (1e-17 a year) and a sensitivity so large (-50 a month) that its
/// firing probability is below 1e-18 in every period but one, where it is 1.0
/// in floating point: the period after `regain` set the gap above `G_0`.
#[test]
fn gap_sensitive_hazard_reads_the_gap_at_t_k() {
    let s = v2_scenario();
    let r = run(&s);
    let n = s.steps_per_year as f64;
    let regain = event_time(&r, "regain");
    assert_close(regain, 3.0, "regain fires at 2029.0");
    let gap = series(&r, "gap", None, None).expect("stored");
    let j = (regain * n).round() as usize;
    assert!(gap[j] > num(&s, "gap.initial") && gap[j - 1] < num(&s, "gap.initial"));
    assert_close(event_time(&r, "rebound"), regain + 1.0 / n, "rebound fires in period j");
    // Without the sensitivity the rate stays at 1e-17 a year: it never fires.
    let s0 = s
        .with_overrides([("events.rebound.gap_sensitivity", 0.0.into())])
        .expect("valid override");
    assert_eq!(event_time(&run(&s0), "rebound"), f64::INFINITY);
    check(&s0);
}

/// In deterministic mode every hazard is 0, so a gap sensitivity is inert:
/// a dated event with one fires on its date, a hazard-0 event with one so
/// large that `exp` overflows never fires (docs/equations.md §6: the hazard is 0 when
/// `lambda_e = 0`), and the run equals the run without them bit for bit.
#[test]
fn gap_sensitivity_is_inert_without_a_hazard() {
    let s = v2_steady_scenario();
    let a = run(&s);
    assert_close(event_time(&a, "sensitive_but_dated"), 0.75, "dated event");
    assert_eq!(event_time(&a, "inert"), f64::INFINITY);
    let b = run(&s
        .with_overrides([
            ("events.sensitive_but_dated.gap_sensitivity", 0.0.into()),
            ("events.inert.gap_sensitivity", 0.0.into()),
        ])
        .expect("valid overrides"));
    assert!(a.stored.iter().zip(&b.stored).all(|(x, y)| x.to_bits() == y.to_bits()));
    assert_eq!(a.labs, b.labs);
    assert_eq!(a.events, b.events);
    assert_eq!(a.pv_savings, b.pv_savings);
}

/// A funding crunch is the first quarter-end `t_k`, k >= 1, with `Cash < 0`
/// and `V < pop_threshold V0`, here from the engine's own stored series.
#[test]
fn crunch_time_is_first_quarter_end_with_negative_cash_and_a_low_mark() {
    let mut crunched = 0;
    for s in [v2_scenario(), v2_steady_scenario(), full_scenario()] {
        let r = run(&s);
        let quarter = s.steps_per_year as usize / 4;
        let dt = 1.0 / s.steps_per_year as f64;
        let threshold = num(&s, "valuation.pop_threshold");
        for l in &s.labs {
            let crunch = metric(&r, &l.id, "crunch_time");
            let Some(v) = series(&r, "market_value", Some(&l.id), None) else {
                assert!(crunch.is_nan(), "crunch_time of {}, a lab without a mark", l.id);
                continue;
            };
            let v0 = num(&s, &format!("labs.{}.mark", l.id));
            let cash = series(&r, "cash", Some(&l.id), None).expect("stored");
            let want = (quarter..v.len())
                .step_by(quarter)
                .find(|&k| cash[k] < 0.0 && v[k] < threshold * v0)
                .map_or(f64::INFINITY, |k| k as f64 * dt);
            assert_close(crunch, want, format!("crunch_time of {} in {}", l.id, s.name));
            if crunch.is_finite() {
                crunched += 1;
                assert!(crunch > metric(&r, &l.id, "pop_time"));
            }
        }
    }
    assert!(crunched >= 2, "too few crunches to test");
}

// ---------------------------------------------------------------------------
// v2.1: the price pressure anchored to a reference lead, symmetric and bounded
// ---------------------------------------------------------------------------

fn v21_pressure_scenario() -> Scenario {
    Scenario::from_file(data("deterministic_v21_pressure.toml")).expect("deterministic_v21_pressure.toml is valid")
}

/// `s` with the one-way pressure (and no `max_premium_rise`, which only the
/// symmetric pressure takes), keeping its reference lead.
fn with_one_way(s: &Scenario) -> Scenario {
    let mut s = s.clone();
    s.prices.pressure = Pressure::OneWay;
    s.prices.max_premium_rise = None;
    s.validate().expect("one way with a reference lead is valid");
    s
}

/// Every output at every step under the symmetric pressure anchored to a
/// reference lead below today's gap; the coverage asserts say which branches
/// the comparison is about.
#[test]
fn v21_symmetric_pressure_matches_reference() {
    let s = v21_pressure_scenario();
    let tr = check(&s);
    let cov = &tr.coverage;
    assert_eq!(s.prices.pressure, Pressure::Symmetric);
    let (g_0, g_ref, y_up) = (
        num(&s, "gap.initial"),
        num(&s, "prices.reference_lead"),
        num(&s, "prices.max_premium_rise"),
    );
    assert!(g_ref < g_0, "the reference lead must differ from G_0");
    // The lead above the reference raises the premium (y < 0) down to its bound.
    assert!(cov.gap_above_initial > 0, "the lead never exceeds G_ref");
    assert!(cov.pressure_floored > 0, "the bound -y_up never binds");
    assert!(tr.pressure.iter().all(|&y| y >= -y_up), "y below -y_up");
    assert!(tr.pressure.contains(&-y_up), "y never sits on its bound");
    // ... and a lead below it compresses the premium, up to the cap.
    assert!(tr.pressure.iter().any(|&y| y > 0.3), "y never turns positive");
    assert!(cov.pressure_capped > 0, "the cap never binds in the update");
    assert!(cov.pressure_capped_by_event > 0, "the cap never binds after an event");
    // With y < 0 the closed price is above its reference and the closed
    // labs' margins above their reference margins.
    let n = s.steps_per_year as f64;
    let d_c = num(&s, "prices.closed_decline");
    let alpha = lab(&tr, &s, "alpha");
    let f = |name: &str| num(&s, &format!("labs.alpha.{name}"));
    let raised: Vec<usize> = (0..=s.steps()).filter(|&k| tr.pressure[k] < 0.0).collect();
    assert!(!raised.is_empty());
    for &k in &raised {
        let t = k as f64 / n;
        assert!(tr.closed_price[k] > (-d_c * t).exp(), "P^c at k = {k}");
        let gmr = f("gross_margin_inf") + (f("gross_margin_0") - f("gross_margin_inf")) * (-t / f("margin_tau")).exp();
        assert!(alpha.margin[k] > gmr, "alpha's margin at k = {k}");
    }
    // The hazard reads G_ref: certain in period 0 (with G_0 it would wait for `regain`).
    assert_eq!(cov.hazard_fired, 1);
    let rebound = s.events.iter().position(|e| e.id == "rebound").expect("rebound");
    assert_close(tr.event_times[rebound], 1.0 / n, "rebound fires in period 0");
    assert!(tr.event_times.iter().all(|t| t.is_finite()), "{:?}", tr.event_times);
}

/// The one-way pressure anchored to the same reference lead: no premium rise
/// from the lead (the max in `y*`), the events' negative `Ye` still acting.
#[test]
fn v21_one_way_pressure_with_a_reference_lead_matches_reference() {
    let s = with_one_way(&v21_pressure_scenario());
    let tr = check(&s);
    assert!(tr.coverage.gap_above_initial > 0, "the lead never exceeds G_ref");
    assert_eq!(tr.coverage.pressure_floored, 0);
    // While the lead is above G_ref and no event has moved Ye, y stays 0.
    assert_eq!(tr.pressure[1], 0.0);
    assert!(tr.pressure.iter().any(|&y| y > 0.3));
    let symmetric = simulate(&v21_pressure_scenario());
    assert!(symmetric.pressure[1] < 0.0, "the symmetric pressure moves at once");
}

/// The first step from today, in closed form: `y_0 = 0` whatever the lead, so
/// today's prices are v2's; then `y_1 = max(-y_up, pull pi_G (G_ref - G_0))`,
/// and a calibrated segment's usage moves toward
/// `logistic(logit(u_0) + beta_q (G_0 - G_ref))`, not `u_0`.
#[test]
fn v21_first_step_from_the_reference_lead() {
    let s = v21_pressure_scenario();
    let r = run(&s);
    let get = |name: &str| series(&r, name, None, None).expect("stored");
    let (y, pc, rho) = (get("price_pressure"), get("closed_price"), get("price_ratio"));
    let rho_0 = num(&s, "prices.ratio_0");
    assert_eq!(y[0], 0.0);
    assert_eq!(pc[0], 1.0);
    assert_eq!(rho[0].to_bits(), rho_0.ln().exp().to_bits());
    let dt = 1.0 / s.steps_per_year as f64;
    let (g_0, g_ref, pi_g, y_up) = (
        num(&s, "gap.initial"),
        num(&s, "prices.reference_lead"),
        num(&s, "prices.premium_sensitivity"),
        num(&s, "prices.max_premium_rise"),
    );
    let pull = 1.0 - (-num(&s, "prices.adjustment_speed") * dt).exp();
    assert_close(y[1], (pull * pi_g * (g_ref - g_0)).max(-y_up), "y_1");
    for g in s.segments.iter().filter(|g| g.brand_premium.is_none()) {
        let f = |name: &str| num(&s, &format!("segments.{}.{name}", g.id));
        let u = series(&r, "closed_share", None, Some(&g.id)).expect("stored");
        let u0 = f("closed_share_0");
        assert_eq!(u[0], u0);
        let target = logistic(logit(u0) + f("beta_quality") * (g_0 - g_ref));
        let want = u0 + (1.0 - (-f("switching") * dt).exp()) * (target - u0);
        assert_close(u[1], want, format!("closed_share[{}] at k = 1", g.id));
        assert!((u[1] - u0).abs() > 1e-3, "{}: usage does not move", g.id);
    }
}

/// A reference lead equal to `G_0` with the one-way pressure is v2: the same
/// numbers bit for bit.
#[test]
fn v21_reference_lead_at_the_initial_gap_is_v2_bit_for_bit() {
    for base in [v2_scenario(), v2_steady_scenario()] {
        let g_0 = num(&base, "gap.initial");
        let s = base
            .with_overrides([("prices.reference_lead", g_0.into())])
            .expect("valid override");
        let (a, b) = (run(&base), run(&s));
        assert!(a.stored.iter().zip(&b.stored).all(|(x, y)| x.to_bits() == y.to_bits()));
        assert_eq!(a.labs, b.labs);
        assert_eq!(a.events, b.events);
        assert_eq!(a.pv_savings, b.pv_savings);
    }
}

// ---------------------------------------------------------------------------
// v2.1: the steady mature multiple
// ---------------------------------------------------------------------------

fn v21_steady_scenario() -> Scenario {
    Scenario::from_file(data("deterministic_v21_steady.toml")).expect("deterministic_v21_steady.toml is valid")
}

/// Steps at which a marked lab's growth ratio left the mature multiple a say (`ghat < ghat_0`).
fn weighted(lt: &LabTrace) -> Vec<usize> {
    (0..lt.clamps.len()).filter(|&k| lt.clamps[k] != Clamp::High).collect()
}

/// `s` with every steady lab's mark basis swapped (revenue for gross profit and back).
fn with_bases_swapped(s: &Scenario) -> Scenario {
    let mut s = s.clone();
    for l in s
        .labs
        .iter_mut()
        .filter(|l| l.mature_multiple == MatureMultiple::Steady)
    {
        l.mark_basis = Some(match l.mark_basis {
            Some(MarkBasis::Revenue) => MarkBasis::GrossProfit,
            _ => MarkBasis::Revenue,
        });
    }
    s.validate().expect("both bases are valid");
    s
}

/// Every output at every step with steady mature multiples on a closed
/// revenue mark, a closed and an open gross-profit mark, next to a given
/// one; the coverage asserts say which branches the comparison is about.
#[test]
fn v21_steady_multiple_matches_reference() {
    let s = v21_steady_scenario();
    let tr = check(&s);
    assert!(lab(&tr, &s, "delta").mature.is_empty(), "delta's multiple is given");
    for id in ["alpha", "beta", "gamma", "epsilon"] {
        let lt = lab(&tr, &s, id);
        assert_eq!(lt.mature.len(), s.steps() + 1, "{id}");
        // The mature multiple has a say in the mark only where ghat < ghat_0.
        assert!(
            weighted(lt).len() > s.steps() / 2,
            "{id}: the growth ratio clamped high"
        );
    }
    // The open lab's long-run margin is gm_inf whatever the pressure.
    let gamma = lab(&tr, &s, "gamma");
    let gm_inf = num(&s, "labs.gamma.gross_margin_inf");
    assert!(gamma.long_run_margin.iter().all(|&m| m == gm_inf));
    assert!(gamma.clamps.contains(&Clamp::Low), "gamma: ghat never <= 0");
    // The closed labs' long-run margins move with y, both ways.
    let alpha = lab(&tr, &s, "alpha");
    let a_inf = num(&s, "labs.alpha.gross_margin_inf");
    assert!(alpha.long_run_margin.iter().any(|&m| m > a_inf));
    assert!(alpha.long_run_margin.iter().any(|&m| m < a_inf));
    // Beta: v = 0 (Minf = 0) where the mark is weighted toward it, the floor
    // setting gmL, and the gross_margin_inf event lifting Minf off 0.
    let beta = lab(&tr, &s, "beta");
    assert!(beta.steady_zero > 0 && beta.steady_floored > 0);
    assert!(weighted(beta).iter().any(|&k| beta.mature[k] == 0.0));
    assert!(beta.mature.iter().any(|&m| m > 0.0));
    let upgrade = s.events.iter().position(|e| e.id == "upgrade").expect("upgrade");
    let k = (tr.event_times[upgrade] * s.steps_per_year as f64).round() as usize;
    assert!(
        beta.mature[k - 1] == 0.0 && beta.mature[k] > 0.0,
        "{:?}",
        &beta.mature[k - 1..=k]
    );
    assert!(alpha.steady_zero == 0 && alpha.steady_floored == 0);
    // Epsilon: the floor sets a positive Minf that the mark is weighted toward.
    assert!(lab(&tr, &s, "epsilon").steady_floored_weighted > 0);
}

/// The same with no margin floor: beta's long-run margin goes below the
/// floor it had (unbounded below, as section 4's margin).
#[test]
fn v21_steady_multiple_without_a_floor_matches_reference() {
    let mut s = v21_steady_scenario();
    s.prices.margin_floor = None;
    let tr = check(&s);
    let beta = lab(&tr, &s, "beta");
    assert_eq!(beta.steady_floored, 0);
    assert!(beta.steady_zero > 0);
    assert!(beta.long_run_margin.iter().any(|&m| m < 0.25));
    // Epsilon's long-run margin below the floor it had no longer covers its opex and research.
    let epsilon = lab(&tr, &s, "epsilon");
    assert!(epsilon.steady_zero > 0 && epsilon.steady_floored == 0);
}

/// The bases swapped: Minf = v on beta's revenue mark (0 with v), v / gmL
/// on alpha's gross-profit mark.
#[test]
fn v21_steady_multiple_on_the_other_bases_matches_reference() {
    let s = with_bases_swapped(&v21_steady_scenario());
    let tr = check(&s);
    let beta = lab(&tr, &s, "beta");
    assert!(weighted(beta).iter().any(|&k| beta.mature[k] == 0.0));
    assert!(lab(&tr, &s, "alpha").mature.iter().all(|&m| m > 0.0));
}
