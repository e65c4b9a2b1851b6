//! Mechanism tests (issue "Model v2", item 3): each runs the engine on
//! scenarios built from `tests/data/minimal.toml` and asserts the direction
//! docs/equations.md states, so that a mechanism wired backwards, or not at all, fails.
//! Parameters are drawn by proptest within stated ranges, with a fixed number
//! of cases and a fixed proptest seed; the engine's seed is drawn too, so the
//! runs are reproducible. Comparisons between scenarios rely on common random
//! numbers (docs/equations.md §0).
//!
//! | test | mechanism | docs/equations.md § |
//! |---|---|---|
//! | `cheaper_open_work_moves_closed_revenue_by_substitution_minus_elasticity` | CES demand: at the horizon, with fast switching, cheaper open work lowers closed revenue when `omega >= eps + 0.5`, raises it when `omega <= eps - 0.5` | 3 |
//! | `a_narrower_gap_lowers_closed_price_revenue_and_margin` | price pressure: a closing gap lowers `P^c`, closed revenue at fixed usage (`eps <= 1`) and closed gross margins | 2, 3, 4 |
//! | `price_pressure_never_takes_the_closed_price_below_the_open_price` | the cap `rho <= max(1, rt)` | 2 |
//! | `full_resale_removes_the_cost_of_idle_commitments` | `varrho = 1` makes `F = psi R` | 4 |
//! | `taxes_are_bounded_and_the_loss_pool_never_negative` | `0 <= T <= tau max(0, X)`, the pool first shelters profits and never goes negative | 4 |
//! | `steady_terminal_value_ignores_the_plan_at_the_horizon` | "steady" ignores commitments at `t_K`, "last" does not | 5 |
//! | `a_margin_cut_lowers_gross_profit_marks` | `gross_profit` marks follow margins, `revenue` marks do not | 5 |
//! | `gap_sensitivity_makes_a_hazard_fire_no_later` | `lambda_e exp(kappa_e (G_0 - G_k))` | 6 |
//! | `relative_spend_under_frozen_competition_is_s0_times_a` | `demand.price_effect = "relative"` (v2.1): with competition frozen, `S = S_0 A` whatever `eps`, `omega`, `d_c`, `sigma_P` and `closed_price` events | 3 |
//! | `relative_and_absolute_spend_differ_by_the_reference_price_level` | `ln S(relative) - ln S(absolute) = -(1 - eps) ln Pt^c_k` at every step, competition moving | 3 |
//! | `a_widening_lead_raises_the_premium_under_the_symmetric_pressure` | v2.1 "symmetric": a lead above `G_ref` gives `y < 0` (closed price above the one-way run's, margin above it), never below `-y_up`, and the bound binds | 2, 4 |
//! | `without_room_to_rise_the_premium_never_rises` | v2.1 "symmetric" with `y_up = 0`: `y >= 0`, the closed price never above the run without pressure | 2 |
//! | `the_symmetric_pressure_starts_from_v2s_prices` | v2.1 at t = 0: prices, usage, spend, pools, revenues and margins are v2's bit for bit, whatever `G_ref` and `y_up` | 2, 3, 4 |
//! | `freezing_competition_holds_the_pressure_the_ratio_and_usage_at_today` | `freeze(S)`: `y = 0`, `rho = exp(ln rho_0)`, `u = u_0` at every step, one-way and symmetric; removed events never fire | 2, 3, 11 |
//! | `relative_spend_under_freeze_is_s0_times_a` | `freeze(S)` with "relative" spend: `S = S_0 A` (the spend at `eps = 1`), and `S_0` when `A = 1` | 3, 11 |
//! | `freezing_competition_keeps_every_other_draw` | `freeze(S)` draws every other input as `S` does (copula included), pins the frozen fields to 0 (also over an input table), drops the removed events' inputs, and shares the gap's path | 0, 11 |
//! | `a_steady_mature_multiple_is_the_steady_value_per_unit_of_basis` | v2.1 `mature_multiple = "steady"`: once `ghat <= 0` the mark is `R v` (revenue) or `R v gm / gmL` (gross profit), from the path's drawn inputs | 4, 5 |
//! | `an_events_price_scale_multiplies_its_price_pressure_effects` | `price_scale = k` acts as `price_pressure` effects written `k` times larger, bit for bit | 6 |
//! | `a_larger_price_pressure_lowers_the_steady_mature_multiple` | v2.1 "steady": more `pi_G`, more `y`, a lower `gmL` and a lower mature multiple, on both bases | 2, 4, 5 |

use aibubble::results::SeriesId;
use aibubble::{Results, Scenario, Simulation};
use proptest::prelude::*;
use proptest::test_runner::RngSeed;
use serde_json::{Value, json};

/// `minimal.toml` with `extra` appended.
fn minimal_with(extra: &str) -> Scenario {
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/minimal.toml"))
        .expect("minimal.toml is readable");
    Scenario::from_toml_str(&format!("{text}\n{extra}")).expect("a valid scenario")
}

fn minimal() -> Scenario {
    minimal_with("")
}

/// A copy of `base` with the overrides applied, in order.
fn with(base: &Scenario, overrides: &[(&str, Value)]) -> Scenario {
    base.with_overrides(overrides.iter().map(|(p, v)| (*p, v.clone())))
        .expect("overrides are valid")
}

/// Noise on every process, so that comparisons cover many paths (common random numbers).
fn noise() -> Vec<(&'static str, Value)> {
    vec![
        ("gap.sigma", json!(0.5)),
        ("prices.sigma_closed", json!(0.1)),
        ("prices.sigma_ratio", json!(0.1)),
        ("demand.sigma", json!(0.15)),
        // minimal.toml has no [attractiveness] section: set it whole.
        ("attractiveness", json!({ "sigma": 0.2 })),
    ]
}

/// `paths` paths, every one stored.
fn run(s: &Scenario, paths: u64, seed: u64) -> Results {
    Simulation::new(s)
        .expect("scenario compiles")
        .paths(paths)
        .seed(seed)
        .store_paths(paths)
        .run()
        .expect("run succeeds")
}

/// A stored series, one `Vec` of `K + 1` values per path.
fn series(r: &Results, variable: &str, lab: Option<&str>) -> Vec<Vec<f64>> {
    let id = SeriesId {
        variable: variable.into(),
        lab: lab.map(Into::into),
        segment: None,
    };
    let all = r.stored_series(&id).expect("series stored");
    all.chunks(r.steps + 1).map(<[f64]>::to_vec).collect()
}

fn metric(r: &Results, lab: &str, name: &str) -> Vec<f64> {
    r.lab(lab).expect("lab").metric(name).expect("metric").to_vec()
}

/// `a <= b` up to a relative `1e-12` (rounding in otherwise equal arithmetic).
fn le(a: f64, b: f64) -> bool {
    a <= b + 1e-12 * 1f64.max(a.abs()).max(b.abs())
}

/// `|a - b| <= tol max(1, |a|, |b|)`.
fn close(a: f64, b: f64, tol: f64) -> bool {
    (a - b).abs() <= tol * 1f64.max(a.abs()).max(b.abs())
}

fn config(cases: u32, seed: u64) -> ProptestConfig {
    ProptestConfig {
        cases,
        rng_seed: RngSeed::Fixed(seed),
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

proptest! {
    #![proptest_config(config(32, 0x5eed_0001))]

    /// Section 3: at fixed usage, cheaper open work lowers closed revenue when
    /// `omega > eps`. Switching at 50 a year keeps usage at its target, so at
    /// the horizon (ten years of `d_rho = 0.2`, `rho` down by `e^-2`) the sign
    /// may not reverse. Deterministic mode, one path.
    #[test]
    fn cheaper_open_work_moves_closed_revenue_by_substitution_minus_elasticity(
        eps in 0.1f64..3.0,
        omega in 0.1f64..3.0,
    ) {
        prop_assume!((omega - eps).abs() >= 0.5);
        let base = with(&minimal(), &[
            ("demand.price_index", json!("ces")),
            ("segments.enterprise.switching", json!(50.0)),
            ("segments.enterprise.beta_quality", json!(0.0)),
            ("segments.enterprise.elasticity", json!(eps)),
            ("segments.enterprise.substitution", json!(omega)),
            ("prices.premium_sensitivity", json!(0.0)),
            ("gap.sigma", json!(0.0)),
            ("prices.sigma_closed", json!(0.0)),
            ("prices.sigma_ratio", json!(0.0)),
            ("demand.sigma", json!(0.0)),
        ]);
        // Alpha is the only closed lab, with capture 1: its revenue is the closed pool.
        let closed_revenue = |drift: f64| {
            let r = run(&with(&base, &[("prices.ratio_drift", json!(drift))]), 1, 1);
            let rev = series(&r, "revenue", Some("alpha")).remove(0);
            (rev[0], rev[r.steps])
        };
        let ((today_flat, flat), (today_falling, falling)) = (closed_revenue(0.0), closed_revenue(0.2));
        prop_assert_eq!(today_flat.to_bits(), today_falling.to_bits());
        if omega >= eps + 0.5 {
            prop_assert!(falling < flat, "omega {omega} > eps {eps}: {falling} !< {flat}");
        } else {
            prop_assert!(falling > flat, "omega {omega} < eps {eps}: {falling} !> {flat}");
        }
    }
}

proptest! {
    #![proptest_config(config(24, 0x5eed_0002))]

    /// Sections 2-4: with `pi_G > 0`, a gap that closes further (long-run
    /// gap 0.5 vs 3.5 months from 4) raises `y`, so on common random numbers
    /// the closed price, closed revenue at fixed usage (switching 0,
    /// `beta_q = 0`, `omega = 0`, `eps <= 1`) and the closed margin are never
    /// higher at any step (relative 1e-12) and are lower at the horizon.
    #[test]
    fn a_narrower_gap_lowers_closed_price_revenue_and_margin(
        pi_g in 0.05f64..0.4,
        eps in 0.0f64..=1.0,
        speed in 0.5f64..4.0,
        pass_through in 0.2f64..=1.0,
        seed in any::<u64>(),
    ) {
        let mut ov = noise();
        ov.extend([
            ("demand.price_index", json!("ces")),
            ("segments.enterprise.switching", json!(0.0)),
            ("segments.enterprise.beta_quality", json!(0.0)),
            ("segments.enterprise.substitution", json!(0.0)),
            ("segments.enterprise.elasticity", json!(eps)),
            ("prices.premium_sensitivity", json!(pi_g)),
            ("prices.adjustment_speed", json!(speed)),
            ("prices.pass_through", json!(pass_through)),
        ]);
        let base = with(&minimal(), &ov);
        let narrow = run(&with(&base, &[("gap.long_run", json!(0.5))]), 8, seed);
        let wide = run(&with(&base, &[("gap.long_run", json!(3.5))]), 8, seed);
        let k_end = narrow.steps;
        for (var, lab) in [("closed_price", None), ("revenue", Some("alpha")), ("gross_margin", Some("alpha"))] {
            let (n, w) = (series(&narrow, var, lab), series(&wide, var, lab));
            for (p, (n, w)) in n.iter().zip(&w).enumerate() {
                for k in 0..=k_end {
                    prop_assert!(le(n[k], w[k]), "{var}, path {p}, step {k}: narrow gap {} > wide gap {}", n[k], w[k]);
                }
                prop_assert!(
                    n[k_end] < w[k_end],
                    "{var}, path {p}: not lower at the horizon ({} vs {})",
                    n[k_end],
                    w[k_end]
                );
            }
        }
    }

    /// Section 2: `y <= max(0, -ln rt)`, so `rho <= max(1, rt)`: with a large
    /// `pi_G` the cap binds (checked) and `rho` never exceeds 1 while the
    /// reference ratio `rt = rho exp(-y)` is below 1. Relative tolerance 1e-12.
    #[test]
    fn price_pressure_never_takes_the_closed_price_below_the_open_price(
        pi_g in 1.0f64..3.0,
        speed in 1.0f64..8.0,
        seed in any::<u64>(),
    ) {
        let mut ov = noise();
        ov.extend([
            ("prices.premium_sensitivity", json!(pi_g)),
            ("prices.adjustment_speed", json!(speed)),
            ("gap.long_run", json!(0.0)),
        ]);
        let r = run(&with(&minimal(), &ov), 8, seed);
        let (rho, y) = (series(&r, "price_ratio", None), series(&r, "price_pressure", None));
        let mut binds = false;
        for (p, (rho, y)) in rho.iter().zip(&y).enumerate() {
            for k in 0..=r.steps {
                let rt = rho[k] * (-y[k]).exp();
                prop_assert!(y[k] >= 0.0, "path {p}, step {k}: y = {}", y[k]);
                prop_assert!(le(rho[k], rt.max(1.0)), "path {p}, step {k}: rho {} > max(1, rt = {rt})", rho[k]);
                binds |= y[k] > 0.0 && rho[k] >= 1.0 - 1e-9;
            }
        }
        prop_assert!(binds, "the cap never bound: the test is vacuous");
    }
}

proptest! {
    #![proptest_config(config(24, 0x5eed_0003))]

    /// Section 4: with `varrho = 1`, `F = max(c, psi R) - (c - psi R)^+ = psi R`,
    /// as with no commitment at all: PV, fair value and cash at every step
    /// agree with `committed = 0` to 1e-9 relative (the subtraction rounds);
    /// with `varrho = 0` the idle commitments cost, so PV is lower.
    #[test]
    fn full_resale_removes_the_cost_of_idle_commitments(
        psi in 0.05f64..0.3,
        chi in 0.3f64..=1.0,
        tax in 0.0f64..0.3,
        plan_0 in 30.0f64..60.0,
        plan_1 in 60.0f64..200.0,
        seed in any::<u64>(),
    ) {
        let mut ov = noise();
        ov.extend([
            ("labs.alpha.research_intensity", json!(psi)),
            ("labs.alpha.committed", json!(chi)),
            ("labs.alpha.plan", json!([[2026.0, plan_0], [2029.0, plan_1]])),
            ("valuation.tax_rate", json!(tax)),
        ]);
        let base = with(&minimal(), &ov);
        let resold = run(&with(&base, &[("labs.alpha.resale", json!(1.0))]), 8, seed);
        let uncommitted = run(&with(&base, &[("labs.alpha.committed", json!(0.0))]), 8, seed);
        let kept = run(&base, 8, seed);
        // Commitments exceed research spending today, on every path (R_0 is not random).
        let r0 = series(&kept, "revenue", Some("alpha"))[0][0];
        prop_assert!(chi * plan_0 > psi * r0, "commitments not idle today: {} <= {}", chi * plan_0, psi * r0);
        for m in ["pv", "fair_value"] {
            for (p, (a, b)) in metric(&resold, "alpha", m).iter().zip(metric(&uncommitted, "alpha", m)).enumerate() {
                prop_assert!(close(*a, b, 1e-9), "{m}, path {p}: resale 1 {a} vs committed 0 {b}");
            }
        }
        let cash = |r: &Results| series(r, "cash", Some("alpha"));
        for (p, (a, b)) in cash(&resold).iter().zip(cash(&uncommitted)).enumerate() {
            for k in 0..a.len() {
                prop_assert!(close(a[k], b[k], 1e-9), "cash, path {p}, step {k}: {} vs {}", a[k], b[k]);
            }
        }
        for (p, (a, c)) in metric(&resold, "alpha", "pv").iter().zip(metric(&kept, "alpha", "pv")).enumerate() {
            prop_assert!(c < *a, "path {p}: idle commitments without resale do not cost ({c} vs {a})");
        }
    }

    /// Section 4, from stored cash (`FCF_k = (Cash_{k+1} - Cash_k) / dt`):
    /// the untaxed run gives `X_k` (taxes move no draw and no `X`), the taxed
    /// one `X_k - T_k`. Every period `0 <= T_k <= tau max(0, X_k)`, the pool
    /// rebuilt from these (`L_0 = tax_losses_0`) never goes negative, and a
    /// profit uses `min(L, X dt)` of it first. Tolerance: 1e-9 of the cash
    /// balance per step (differencing), scaled by `1/tau` for the pool.
    #[test]
    fn taxes_are_bounded_and_the_loss_pool_never_negative(
        tau in 0.05f64..0.5,
        pool_0 in 0.0f64..40.0,
        plan_1 in 40.0f64..120.0,
        seed in any::<u64>(),
    ) {
        let mut ov = noise();
        ov.extend([
            ("labs.alpha.research_intensity", json!(0.2)),
            ("labs.alpha.plan", json!([[2026.0, 30.0], [2029.0, plan_1]])),
            ("labs.alpha.tax_losses_0", json!(pool_0)),
        ]);
        let base = with(&minimal(), &ov);
        let taxed = run(&with(&base, &[("valuation.tax_rate", json!(tau))]), 16, seed);
        let untaxed = run(&base, 16, seed);
        let dt = 1.0 / taxed.steps_per_year as f64;
        let (mut built, mut sheltered, mut paid) = (0, 0, 0);
        let cash = |r: &Results| series(r, "cash", Some("alpha"));
        for (p, (ct, cu)) in cash(&taxed).iter().zip(cash(&untaxed)).enumerate() {
            let mut pool = pool_0;
            for k in 0..taxed.steps {
                let scale = [1.0, ct[k], ct[k + 1], cu[k], cu[k + 1]].into_iter().fold(0.0, |m, c| c.abs().max(m));
                let tol = 1e-9 * scale / dt;
                let x = (cu[k + 1] - cu[k]) / dt;
                let t = x - (ct[k + 1] - ct[k]) / dt;
                prop_assert!(t >= -tol && t <= tau * x.max(0.0) + tol, "path {p}, period {k}: T = {t}, X = {x}");
                if x < 0.0 {
                    pool -= x * dt;
                    built += 1;
                } else {
                    let used = x * dt - t * dt / tau;
                    let ptol = tol * dt / tau;
                    prop_assert!(
                        (used - pool.min(x * dt)).abs() <= ptol,
                        "path {p}, period {k}: the pool sheltered {used}, expected min({pool}, {})",
                        x * dt
                    );
                    pool -= used;
                    prop_assert!(pool >= -ptol, "path {p}, period {k}: loss pool {pool} < 0");
                    sheltered += usize::from(used > ptol);
                    paid += usize::from(t > tol);
                }
            }
        }
        prop_assert!(
            built > 0 && sheltered > 0 && paid > 0,
            "coverage: built {built}, sheltered {sheltered}, paid {paid}"
        );
    }
}

proptest! {
    #![proptest_config(config(24, 0x5eed_0004))]

    /// Section 5: two plans that agree before the horizon (2036, `K` = 120)
    /// and differ at and after it give the same flows; "steady" capitalises
    /// `R (gm - nu - psi)` and so gives the same PV (1e-12 relative), while
    /// "last" capitalises `X_K`, commitments included, and is lower with the
    /// larger plan (never higher, lower on some path).
    #[test]
    fn steady_terminal_value_ignores_the_plan_at_the_horizon(
        psi in 0.05f64..0.3,
        chi in 0.3f64..=1.0,
        tax in 0.0f64..0.3,
        at_horizon in 2000.0f64..10_000.0,
        after in 0.0f64..10_000.0,
        seed in any::<u64>(),
    ) {
        let mut ov = noise();
        ov.extend([
            ("labs.alpha.research_intensity", json!(psi)),
            ("labs.alpha.committed", json!(chi)),
            ("valuation.tax_rate", json!(tax)),
        ]);
        let base = with(&minimal(), &ov);
        // Both plans are 80 from 2029 to 2035.95, past t_{K-1} = 2035.9167.
        let plan = |at: f64, after: f64| {
            json!([[2026.0, 30.0], [2029.0, 80.0], [2035.95, 80.0], [2036.0, at], [2040.0, after]])
        };
        let pvs = |terminal: &str| {
            let run_plan = |plan: Value| {
                run(&with(&base, &[("valuation.terminal", json!(terminal)), ("labs.alpha.plan", plan)]), 8, seed)
            };
            let (a, b) = (run_plan(plan(0.0, 0.0)), run_plan(plan(at_horizon, after)));
            (metric(&a, "alpha", "pv"), metric(&b, "alpha", "pv"), metric(&a, "alpha", "tv_share"))
        };
        let (small, large, tv_share) = pvs("steady");
        for (p, (a, b)) in small.iter().zip(&large).enumerate() {
            prop_assert!(close(*a, *b, 1e-12), "steady, path {p}: pv {a} vs {b}");
        }
        prop_assert!(tv_share.iter().any(|s| *s > 0.0), "steady terminal value 0 on every path: vacuous");
        let (small, large, _) = pvs("last");
        for (p, (a, b)) in small.iter().zip(&large).enumerate() {
            prop_assert!(le(*b, *a), "last, path {p}: a larger plan raised pv ({b} vs {a})");
        }
        prop_assert!(small.iter().zip(&large).any(|(a, b)| b < a), "last ignores the plan at the horizon");
    }

    /// Section 5: under `gross_profit` marks `V = M R gm`, and neither `M`
    /// (from revenue growth) nor `R` depends on margins, so a lower
    /// `gross_margin_inf` gives marks never higher at any step (1e-12
    /// relative) and lower at some quarter end; under `revenue` marks it changes
    /// nothing (bit for bit).
    #[test]
    fn a_margin_cut_lowers_gross_profit_marks(
        cut in 0.05f64..0.5,
        pi_g in 0.0f64..0.3,
        seed in any::<u64>(),
    ) {
        let mut ov = noise();
        ov.extend([("prices.premium_sensitivity", json!(pi_g)), ("gap.long_run", json!(1.0))]);
        let base = with(&minimal(), &ov);
        let marks = |basis: &str, gm_inf: f64| {
            let s = with(&base, &[
                ("labs.alpha.mark_basis", json!(basis)),
                ("labs.alpha.gross_margin_inf", json!(gm_inf)),
            ]);
            series(&run(&s, 8, seed), "market_value", Some("alpha"))
        };
        let (kept, cut_) = (marks("gross_profit", 0.6), marks("gross_profit", 0.6 - cut));
        for (p, (a, b)) in kept.iter().zip(&cut_).enumerate() {
            for k in 0..a.len() {
                prop_assert!(le(b[k], a[k]), "path {p}, step {k}: cut mark {} > {}", b[k], a[k]);
            }
            // Quarter ends (n = 12): a mark can be 0 in both runs once y drives the margin negative.
            prop_assert!((3..a.len()).step_by(3).any(|k| b[k] < a[k]), "path {p}: mark lower at no quarter end");
        }
        let (kept, cut_) = (marks("revenue", 0.6), marks("revenue", 0.6 - cut));
        prop_assert!(kept.iter().flatten().zip(cut_.iter().flatten()).all(|(a, b)| a.to_bits() == b.to_bits()),
            "revenue marks moved with the margin");
    }
}

proptest! {
    #![proptest_config(config(16, 0x5eed_0005))]

    /// Section 6: `lambda_{e,k} = lambda_e exp(kappa_e (G_0 - G_k))` and the
    /// event's uniforms are common to both runs, so on every path whose gap
    /// stays at or below `G_0` (checked from the stored gap) the event fires
    /// no later with `kappa_e > 0` than with 0, and earlier on some path.
    #[test]
    fn gap_sensitivity_makes_a_hazard_fire_no_later(
        hazard in 0.05f64..0.5,
        kappa in 0.2f64..1.0,
        seed in any::<u64>(),
    ) {
        let base = minimal_with(
            r#"
[[events]]
id = "turn"
name = "Turning point"
hazard = 0.1
effects = [["price_pressure", "add", 0.2]]
"#,
        );
        let base = with(&base, &[
            ("events.turn.hazard", json!(hazard)),
            ("gap.sigma", json!(0.3)),
            ("gap.half_life", json!(0.5)),
            ("gap.long_run", json!(0.5)),
        ]);
        let fired = |k: f64| {
            let r = run(&with(&base, &[("events.turn.gap_sensitivity", json!(k))]), 100, seed);
            let times = r.events.iter().find(|c| c.name == "turn").expect("event column").values.clone();
            (times, series(&r, "gap", None))
        };
        let ((flat, gap), (sensitive, _)) = (fired(0.0), fired(kappa));
        let (mut closing, mut earlier) = (0, 0);
        for (p, g) in gap.iter().enumerate() {
            if g.iter().any(|x| *x > g[0]) {
                continue;
            }
            closing += 1;
            prop_assert!(
                sensitive[p] <= flat[p],
                "path {p}: fired at {} with kappa {kappa}, {} without",
                sensitive[p],
                flat[p]
            );
            earlier += usize::from(sensitive[p] < flat[p]);
        }
        prop_assert!(closing >= 50, "only {closing} of 100 paths have a closing gap");
        prop_assert!(earlier > 0, "never earlier on {closing} closing paths");
    }
}

/// `minimal.toml` with a dated event that halves the reference closed price
/// (not a competition event: freezing competition keeps it).
fn minimal_with_a_cheaper_closed_price() -> Scenario {
    minimal_with(
        r#"
[[events]]
id = "cheaper"
name = "The reference closed price halves"
date = 2028.5
effects = [["closed_price", "mul", 0.5]]
"#,
    )
}

/// The stored spend of each path of a run (`minimal.toml` has one segment,
/// so the total is the segment's `S`).
fn spend(r: &Results) -> Vec<Vec<f64>> {
    series(r, "spend", None)
}

proptest! {
    #![proptest_config(config(24, 0x5eed_0006))]

    /// Section 3, `demand.price_effect = "relative"` (a v2.1 setting), with
    /// competition frozen by hand: no price pressure (`pi_G = 0` and no
    /// `price_pressure` event, so `y* = 0` and `y = 0`), no ratio drift or
    /// noise (`rt = rt_0`), no switching (`u = u_0`). Then `wo` and `l` keep
    /// today's values, `ln Pih_k = ln Pih_0` exactly and `S = S_0 A` at every
    /// step, whatever the elasticity, the substitution, the reference closed
    /// price's decline and noise, or a `closed_price` event. `S_0 A` is the
    /// spend at `eps = 1` (where `(1 - eps) (.) = 0`), on common random
    /// numbers (the demand noise is on); the equality is bit for bit. The same
    /// runs under "absolute" differ (the level term), so the test is not vacuous.
    #[test]
    fn relative_spend_under_frozen_competition_is_s0_times_a(
        eps in 0.0f64..3.0,
        omega in 0.0f64..3.0,
        d_c in 0.05f64..0.5,
        sigma_p in 0.0f64..0.3,
        seed in any::<u64>(),
    ) {
        prop_assume!((eps - 1.0).abs() > 0.05);
        let mut ov = noise();
        ov.extend([
            ("demand.price_index", json!("ces")),
            ("segments.enterprise.elasticity", json!(eps)),
            ("segments.enterprise.substitution", json!(omega)),
            ("prices.closed_decline", json!(d_c)),
            ("prices.sigma_closed", json!(sigma_p)),
            // Frozen competition.
            ("prices.premium_sensitivity", json!(0.0)),
            ("prices.ratio_drift", json!(0.0)),
            ("prices.sigma_ratio", json!(0.0)),
            ("segments.enterprise.switching", json!(0.0)),
        ]);
        let base = with(&minimal_with_a_cheaper_closed_price(), &ov);
        let relative = run(&with(&base, &[("demand.price_effect", json!("relative"))]), 8, seed);
        let s0_a = run(&with(&base, &[("segments.enterprise.elasticity", json!(1.0))]), 8, seed);
        let absolute = run(&base, 8, seed);
        // Competition is frozen: y = 0, rho = rho_0 and u = u_0 at every step.
        for (p, (y, rho)) in series(&relative, "price_pressure", None).iter().zip(series(&relative, "price_ratio", None)).enumerate() {
            prop_assert!(y.iter().all(|&y| y == 0.0), "path {p}: y moved");
            prop_assert!(rho.iter().all(|&r| r == rho[0]), "path {p}: rho moved");
        }
        let (rel, s0_a, abs) = (spend(&relative), spend(&s0_a), spend(&absolute));
        let mut differs = false;
        for p in 0..rel.len() {
            for k in 0..rel[p].len() {
                prop_assert_eq!(rel[p][k].to_bits(), s0_a[p][k].to_bits(),
                    "path {}, step {}: relative spend {} vs S_0 A {}", p, k, rel[p][k], s0_a[p][k]);
            }
            differs |= (abs[p][relative.steps] / rel[p][relative.steps] - 1.0).abs() > 1e-6;
        }
        prop_assert!(differs, "\"absolute\" gives the same spend: the reference closed price never moved");
    }

    /// Section 3: with competition moving (price pressure with a closing gap,
    /// a drifting and noisy ratio, switching, noise everywhere), the two
    /// settings see the same prices, usage and shocks (the switch draws
    /// nothing and spend feeds back into none of them), and at every step
    /// `ln S(relative) - ln S(absolute) = -(1 - eps) ln Pt^c_k`, with
    /// `ln Pt^c = ln P^c + y` from the stored series. Tolerance 1e-9 relative
    /// to `max(1, |ln S|)` (logs of rounded values).
    #[test]
    fn relative_and_absolute_spend_differ_by_the_reference_price_level(
        eps in 0.0f64..3.0,
        omega in 0.0f64..3.0,
        d_c in -0.1f64..0.5,
        pi_g in 0.0f64..0.4,
        drift in -0.1f64..0.3,
        switching in 0.0f64..3.0,
        seed in any::<u64>(),
    ) {
        let mut ov = noise();
        ov.extend([
            ("demand.price_index", json!("ces")),
            ("segments.enterprise.elasticity", json!(eps)),
            ("segments.enterprise.substitution", json!(omega)),
            ("segments.enterprise.switching", json!(switching)),
            ("prices.closed_decline", json!(d_c)),
            ("prices.premium_sensitivity", json!(pi_g)),
            ("prices.ratio_drift", json!(drift)),
            ("gap.long_run", json!(0.5)),
        ]);
        let base = with(&minimal_with_a_cheaper_closed_price(), &ov);
        let relative = run(&with(&base, &[("demand.price_effect", json!("relative"))]), 8, seed);
        let absolute = run(&base, 8, seed);
        for var in ["closed_price", "price_pressure", "price_ratio"] {
            prop_assert!(series(&relative, var, None) == series(&absolute, var, None), "{var} differs");
        }
        let y = series(&relative, "price_pressure", None);
        let pc = series(&relative, "closed_price", None);
        let (rel, abs) = (spend(&relative), spend(&absolute));
        let mut moved = false;
        for p in 0..rel.len() {
            for k in 0..rel[p].len() {
                let ln_pt = pc[p][k].ln() + y[p][k];
                let got = rel[p][k].ln() - abs[p][k].ln();
                let want = -(1.0 - eps) * ln_pt;
                let scale = 1f64.max(rel[p][k].ln().abs()).max(abs[p][k].ln().abs());
                prop_assert!((got - want).abs() <= 1e-9 * scale,
                    "path {}, step {}: ln S(rel) - ln S(abs) = {}, -(1 - eps) ln Pt^c = {}", p, k, got, want);
                moved |= y[p][k] > 0.0;
            }
        }
        prop_assert!(pi_g == 0.0 || moved, "the price pressure never moved");
    }
}

proptest! {
    #![proptest_config(config(24, 0x5eed_0006))]

    /// Section 2, v2.1: with `prices.pressure = "symmetric"` and a lead that
    /// grows from the reference lead (`G_0 = G_ref = 4`, `G_inf = 4 + d`,
    /// no gap noise), the target `pi_G (G_ref - G)` is negative from period 1
    /// on: `y < 0` from `k = 2` on, never below `-y_up`, and on common random
    /// numbers the closed price and the closed margin are never below the
    /// one-way run's (where `y = 0`) and above them at the horizon, the
    /// ratio after competition below it. When `pi_G d > 1.5 y_up` the bound
    /// is reached.
    #[test]
    fn a_widening_lead_raises_the_premium_under_the_symmetric_pressure(
        pi_g in 0.05f64..0.4,
        d in 1.0f64..6.0,
        speed in 0.5f64..4.0,
        y_up in 0.05f64..1.0,
        seed in any::<u64>(),
    ) {
        let mut ov = noise();
        ov.extend([
            ("gap.sigma", json!(0.0)),
            ("gap.initial", json!(4.0)),
            ("gap.long_run", json!(4.0 + d)),
            ("prices.premium_sensitivity", json!(pi_g)),
            ("prices.adjustment_speed", json!(speed)),
            ("prices.reference_lead", json!(4.0)),
        ]);
        let one_way = with(&minimal(), &ov);
        let symmetric = with(&one_way, &[
            ("prices.pressure", json!("symmetric")),
            ("prices.max_premium_rise", json!(y_up)),
        ]);
        let (a, b) = (run(&symmetric, 8, seed), run(&one_way, 8, seed));
        let k_end = a.steps;
        let y = series(&a, "price_pressure", None);
        let mut on_bound = false;
        for (p, y) in y.iter().enumerate() {
            for (k, &y) in y.iter().enumerate().skip(2) {
                prop_assert!(y < 0.0, "path {p}, step {k}: y = {y}");
                prop_assert!(y >= -y_up, "path {p}, step {k}: y = {y} below -y_up = {}", -y_up);
                on_bound |= y == -y_up;
            }
        }
        if pi_g * d > 1.5 * y_up {
            prop_assert!(on_bound, "pi_G d = {} > 1.5 y_up = {}: the bound never reached", pi_g * d, 1.5 * y_up);
        }
        prop_assert!(series(&b, "price_pressure", None).iter().all(|y| y.iter().all(|&y| y == 0.0)));
        for (var, lab, higher) in [
            ("closed_price", None, true),
            ("gross_margin", Some("alpha"), true),
            ("price_ratio", None, false),
        ] {
            let (s, o) = (series(&a, var, lab), series(&b, var, lab));
            for (p, (s, o)) in s.iter().zip(&o).enumerate() {
                let (lo, hi) = if higher { (o, s) } else { (s, o) };
                for k in 0..=k_end {
                    prop_assert!(le(lo[k], hi[k]), "{var}, path {p}, step {k}: symmetric {} vs one way {}", s[k], o[k]);
                }
                prop_assert!(lo[k_end] < hi[k_end], "{var}, path {p}: equal at the horizon ({})", s[k_end]);
            }
        }
    }

    /// Section 2, v2.1: with `y_up = 0` the symmetric pressure cannot raise
    /// the premium: `y >= 0` at every step (a `y` of -0.0 counts as 0), so
    /// on common random numbers the closed price is never above the run
    /// without pressure (`pi_G = 0`, the reference closed price), whatever
    /// the gap does around a reference lead below `G_0 = 4` (so that the
    /// lead starts above it, where the target is negative).
    #[test]
    fn without_room_to_rise_the_premium_never_rises(
        pi_g in 0.05f64..1.0,
        g_ref in 1.0f64..4.0,
        long_run in 0.0f64..8.0,
        speed in 0.5f64..8.0,
        seed in any::<u64>(),
    ) {
        let mut ov = noise();
        ov.extend([
            ("gap.sigma", json!(1.5)),
            ("gap.long_run", json!(long_run)),
            ("prices.premium_sensitivity", json!(pi_g)),
            ("prices.adjustment_speed", json!(speed)),
            ("prices.pressure", json!("symmetric")),
            ("prices.reference_lead", json!(g_ref)),
            ("prices.max_premium_rise", json!(0.0)),
        ]);
        let s = with(&minimal(), &ov);
        let (a, b) = (run(&s, 8, seed), run(&with(&s, &[("prices.premium_sensitivity", json!(0.0))]), 8, seed));
        let (y, gap) = (series(&a, "price_pressure", None), series(&a, "gap", None));
        let (pc, reference) = (series(&a, "closed_price", None), series(&b, "closed_price", None));
        let mut above = false;
        for p in 0..y.len() {
            for k in 0..=a.steps {
                prop_assert!(y[p][k] >= 0.0, "path {p}, step {k}: y = {}", y[p][k]);
                prop_assert!(le(pc[p][k], reference[p][k]), "path {p}, step {k}: P^c {} above {}", pc[p][k], reference[p][k]);
                above |= gap[p][k] > g_ref;
            }
        }
        prop_assert!(above, "the lead never exceeds G_ref: the test is vacuous");
    }

    /// v2.1 starts where v2 starts: `y_0 = 0` whatever the lead, so at
    /// t = 0 the symmetric pressure with any reference lead and bound gives
    /// v2's prices, usage, spend, pools, revenues and margins bit for bit
    /// (and its marks to 1e-12), on every path.
    #[test]
    fn the_symmetric_pressure_starts_from_v2s_prices(
        pi_g in 0.0f64..0.5,
        g_ref in -2.0f64..10.0,
        y_up in 0.0f64..2.0,
        seed in any::<u64>(),
    ) {
        let mut ov = noise();
        ov.extend([("prices.premium_sensitivity", json!(pi_g)), ("demand.price_index", json!("ces"))]);
        let v2 = with(&minimal(), &ov);
        let v21 = with(&v2, &[
            ("prices.pressure", json!("symmetric")),
            ("prices.reference_lead", json!(g_ref)),
            ("prices.max_premium_rise", json!(y_up)),
        ]);
        let (a, b) = (run(&v21, 4, seed), run(&v2, 4, seed));
        for (var, lab) in [
            ("gap", None),
            ("closed_price", None),
            ("price_ratio", None),
            ("price_pressure", None),
            ("closed_share", None),
            ("spend", None),
            ("closed_spend_share", None),
            ("revenue", Some("alpha")),
            ("revenue", Some("gamma")),
            ("gross_margin", Some("alpha")),
            ("gross_margin", Some("gamma")),
            ("cash", Some("alpha")),
            ("savings", None),
            ("potential", None),
        ] {
            let id = SeriesId { variable: var.into(), lab: lab.map(Into::into), segment: (var == "closed_share").then(|| "enterprise".into()) };
            let (x, z) = (a.stored_series(&id).expect("stored"), b.stored_series(&id).expect("stored"));
            for p in 0..4 {
                let k = p * (a.steps + 1);
                prop_assert_eq!(x[k].to_bits(), z[k].to_bits(), "{} of {:?}, path {} at t = 0", var, lab, p);
            }
        }
        let (x, z) = (series(&a, "market_value", Some("alpha")), series(&b, "market_value", Some("alpha")));
        for p in 0..4 {
            prop_assert!(close(x[p][0], z[p][0], 1e-12), "mark of alpha, path {p}: {} vs {}", x[p][0], z[p][0]);
        }
    }
}

// The frozen-competition counterfactual (docs/equations.md §11).

/// `ft_bubble` on the v2.1 settings (`pressure`, a reference lead, relative
/// spend), with inputs placed to test freezing: a removed event
/// (`big_tech_switch`) with an uncertain hazard in the copula with
/// OpenAI's mark, a frozen field (`prices.ratio_drift`, drawn) in the copula
/// with Anthropic's mark, and a kept event (`cheaper`, on the reference
/// closed price) with an uncertain hazard and gap sensitivity.
fn ft_bubble_for_freezing(pressure: &str) -> Scenario {
    let mut v = Scenario::preset("ft_bubble").expect("a preset").to_value();
    v["prices"]["pressure"] = json!(pressure);
    v["prices"]["reference_lead"] = json!(3.0);
    v["demand"]["price_effect"] = json!("relative");
    // Drawn here whatever the preset's calibration says, to sit in the copula.
    v["labs"][0]["mark"] = json!({ "dist": "uniform", "lo": 500.0, "hi": 830.0 });
    let events = v["events"].as_array_mut().expect("ft_bubble has events");
    events[0]["hazard"] = json!({ "dist": "uniform", "lo": 0.05, "hi": 0.3 });
    events.push(json!({
        "id": "cheaper",
        "name": "The reference closed price falls a fifth",
        "hazard": { "dist": "triangular", "lo": 0.2, "mode": 0.4, "hi": 0.8 },
        "gap_sensitivity": { "dist": "uniform", "lo": 0.1, "hi": 0.5 },
        "effects": [["closed_price", "mul", 0.8]],
    }));
    let inputs = v["correlation"]["inputs"]
        .as_array_mut()
        .expect("ft_bubble has input correlations");
    inputs.push(json!(["events.big_tech_switch.hazard", "labs.openai.mark", 0.6]));
    inputs.push(json!(["prices.ratio_drift", "labs.anthropic.mark", 0.5]));
    Scenario::from_value(v).expect("a valid scenario")
}

fn segment_series(r: &Results, variable: &str, segment: &str) -> Vec<Vec<f64>> {
    let id = SeriesId {
        variable: variable.into(),
        lab: None,
        segment: Some(segment.into()),
    };
    let all = r.stored_series(&id).expect("series stored");
    all.chunks(r.steps + 1).map(<[f64]>::to_vec).collect()
}

fn input(r: &Results, path: &str) -> Option<Vec<f64>> {
    r.inputs.iter().find(|c| c.name == path).map(|c| c.values.clone())
}

fn event_times(r: &Results, id: &str) -> Vec<f64> {
    r.events
        .iter()
        .find(|c| c.name == id)
        .expect("event column")
        .values
        .clone()
}

fn same_bits(a: &[f64], b: &[f64]) -> bool {
    a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x.to_bits() == y.to_bits())
}

/// Section 11: under `freeze(S)` the price pressure is 0, the price ratio
/// is `exp(ln rho_0)` and every segment's usage is its `u_0` at every step,
/// bit for bit, with the one-way and the symmetric pressure, on a
/// stochastic preset with its turning points; the removed events never
/// fire, the kept one does. `S` itself moves all of them (the test is not
/// vacuous).
#[test]
fn freezing_competition_holds_the_pressure_the_ratio_and_usage_at_today() {
    for pressure in ["one_way", "symmetric"] {
        let s = ft_bubble_for_freezing(pressure);
        let frozen = run(&s.freeze_competition(), 40, 11);
        let moving = run(&s, 40, 11);
        let rho_0 = 0.1667f64.ln().exp();
        for (p, (y, rho)) in series(&frozen, "price_pressure", None)
            .iter()
            .zip(series(&frozen, "price_ratio", None))
            .enumerate()
        {
            assert!(y.iter().all(|&y| y == 0.0), "{pressure}, path {p}: y moved: {y:?}");
            assert!(
                rho.iter().all(|r| r.to_bits() == rho_0.to_bits()),
                "{pressure}, path {p}: rho moved"
            );
        }
        for seg in ["consumer", "enterprise", "frontier"] {
            let u_0 = input(&frozen, &format!("segments.{seg}.closed_share_0")).expect("drawn");
            for (p, u) in segment_series(&frozen, "closed_share", seg).iter().enumerate() {
                assert!(
                    u.iter().all(|x| x.to_bits() == u_0[p].to_bits()),
                    "{pressure}, {seg}, path {p}: u moved from {}",
                    u_0[p]
                );
            }
            let moved = segment_series(&moving, "closed_share", seg)
                .iter()
                .any(|u| u.iter().any(|x| *x != u[0]));
            assert!(moved, "{pressure}, {seg}: usage never moves in S");
        }
        assert!(
            series(&moving, "price_pressure", None)
                .iter()
                .flatten()
                .any(|y| *y != 0.0)
        );
        assert!(
            series(&moving, "price_ratio", None)
                .iter()
                .any(|r| r.iter().any(|x| *x != r[0]))
        );
        for removed in ["big_tech_switch", "open_killer_app"] {
            assert!(event_times(&frozen, removed).iter().all(|t| *t == f64::INFINITY));
            assert!(event_times(&moving, removed).iter().any(|t| t.is_finite()));
        }
        assert!(event_times(&frozen, "cheaper").iter().any(|t| t.is_finite()));
    }
}

/// Sections 3 and 11: under `freeze(S)` with `demand.price_effect =
/// "relative"`, spend is `S_0 A`: the same bit for bit as at `eps = 1`
/// (where the price term vanishes) in every segment, on common random
/// numbers, while `S` itself differs; and with no growth and no demand
/// noise (`A = 1`) it is exactly `S_0` whatever the elasticity and the
/// reference closed price's decline.
#[test]
fn relative_spend_under_freeze_is_s0_times_a() {
    let s = ft_bubble_for_freezing("symmetric");
    let unit: Vec<(&str, Value)> = vec![
        ("segments.consumer.elasticity", json!(1.0)),
        ("segments.enterprise.elasticity", json!(1.0)),
        ("segments.frontier.elasticity", json!(1.0)),
    ];
    let s_unit = with(&s, &unit);
    let frozen = spend(&run(&s.freeze_competition(), 24, 5));
    let frozen_unit = spend(&run(&s_unit.freeze_competition(), 24, 5));
    for (p, (a, b)) in frozen.iter().zip(&frozen_unit).enumerate() {
        assert!(same_bits(a, b), "path {p}: frozen spend is not S_0 A");
    }
    let (moving, moving_unit) = (spend(&run(&s, 24, 5)), spend(&run(&s_unit, 24, 5)));
    assert!(moving.iter().zip(&moving_unit).any(|(a, b)| !same_bits(a, b)));

    for (eps, d_c) in [(0.3, 0.0), (1.7, 0.25), (0.9, -0.1)] {
        let mut ov = noise();
        ov.extend([
            ("demand.price_index", json!("ces")),
            ("demand.price_effect", json!("relative")),
            ("demand.sigma", json!(0.0)),
            ("segments.enterprise.growth_0", json!(0.0)),
            ("segments.enterprise.growth_inf", json!(0.0)),
            ("segments.enterprise.elasticity", json!(eps)),
            ("prices.closed_decline", json!(d_c)),
            ("prices.premium_sensitivity", json!(0.3)),
            ("prices.ratio_drift", json!(0.2)),
        ]);
        let s = with(&minimal_with_a_cheaper_closed_price(), &ov);
        let r = run(&s.freeze_competition(), 8, 3);
        assert!(
            spend(&r).iter().flatten().all(|x| *x == 20.0),
            "eps {eps}, d_c {d_c}: spend is not S_0"
        );
    }
}

/// Sections 0 and 11, common random numbers: with `S`'s seed, `freeze(S)`
/// draws every input that is not frozen exactly as `S` does, also when a
/// frozen field or a removed event's input sits in the copula with it; the
/// frozen fields are 0 on every path; the removed events' inputs leave the
/// per-path table; the gap (which no removed event moves) follows the same
/// path. An input table that sets a frozen field is overridden too.
#[test]
fn freezing_competition_keeps_every_other_draw() {
    let s = ft_bubble_for_freezing("symmetric");
    let f = s.freeze_competition();
    let (a, b) = (run(&s, 64, 21), run(&f, 64, 21));
    let frozen = f.frozen_fields();
    assert!(frozen.contains(&"events.cheaper.gap_sensitivity".to_string()));
    assert!(!frozen.iter().any(|p| p.starts_with("events.big_tech_switch")));
    for c in &a.inputs {
        let removed = c.name.starts_with("events.big_tech_switch.") || c.name.starts_with("events.open_killer_app.");
        match input(&b, &c.name) {
            None => assert!(removed, "{} left the frozen run's table", c.name),
            Some(v) if frozen.contains(&c.name) => {
                assert!(v.iter().all(|x| *x == 0.0), "{} is not frozen at 0", c.name);
                assert!(c.values.iter().any(|x| *x != 0.0), "{} is 0 in S too", c.name);
            }
            Some(v) => {
                assert!(!removed, "{} stays in the frozen run's table", c.name);
                assert!(
                    same_bits(&c.values, &v),
                    "{}: the frozen run draws other values",
                    c.name
                );
            }
        }
    }
    assert!(input(&a, "events.big_tech_switch.hazard").is_some());
    assert!(input(&b, "events.big_tech_switch.hazard").is_none());
    for kept in ["labs.openai.mark", "labs.anthropic.mark", "gap.half_life"] {
        assert!(
            same_bits(&input(&a, kept).unwrap(), &input(&b, kept).unwrap()),
            "{kept}"
        );
    }
    for (p, (x, y)) in series(&a, "gap", None).iter().zip(series(&b, "gap", None)).enumerate() {
        assert!(same_bits(x, &y), "path {p}: the gap moved differently");
    }
    // An input table is looked up, then the frozen fields are pinned.
    let n = 8;
    let table = aibubble::InputTable::new(
        vec!["prices.ratio_drift".into(), "labs.openai.mark".into()],
        (0..n).flat_map(|p| [0.3, 600.0 + p as f64]).collect(),
    )
    .unwrap();
    let t = Simulation::new(&f)
        .unwrap()
        .paths(n)
        .seed(2)
        .store_paths(n)
        .inputs(&table)
        .unwrap()
        .run()
        .unwrap();
    assert!(input(&t, "prices.ratio_drift").unwrap().iter().all(|x| *x == 0.0));
    assert_eq!(input(&t, "labs.openai.mark").unwrap()[3], 603.0);
    for rho in series(&t, "price_ratio", None) {
        assert!(rho.iter().all(|x| *x == rho[0]));
    }
}

/// `minimal.toml` with steady mature multiples (v2.1) on a closed lab marked
/// on revenue (`alpha`) and an open lab marked on gross profit (`gamma`),
/// spend shrinking (so trailing growth falls to 0 and below, and the marks
/// reach their mature multiples), margins still moving toward `gm_inf`, a
/// price pressure, noise, and the inputs of the steady value drawn per path.
fn minimal_with_steady_multiples() -> Scenario {
    let mut ov = noise();
    ov.extend([
        ("segments.enterprise.growth_0", json!(-0.3)),
        ("segments.enterprise.growth_inf", json!(-0.3)),
        ("prices.premium_sensitivity", json!(0.2)),
        ("gap.long_run", json!(0.5)),
        ("valuation.tax_rate", json!({ "dist": "uniform", "lo": 0.0, "hi": 0.4 })),
        (
            "valuation.discount_rate",
            json!({ "dist": "uniform", "lo": 0.08, "hi": 0.2 }),
        ),
        (
            "prices.pass_through",
            json!({ "dist": "uniform", "lo": 0.3, "hi": 1.0 }),
        ),
        (
            "labs.alpha.gross_margin_inf",
            json!({ "dist": "uniform", "lo": 0.4, "hi": 0.8 }),
        ),
        (
            "labs.alpha.opex_ratio",
            json!({ "dist": "uniform", "lo": 0.05, "hi": 0.25 }),
        ),
        (
            "labs.alpha.research_intensity",
            json!({ "dist": "uniform", "lo": 0.0, "hi": 0.3 }),
        ),
        ("labs.gamma.gross_margin_0", json!(0.3)),
        (
            "labs.gamma.gross_margin_inf",
            json!({ "dist": "uniform", "lo": 0.3, "hi": 0.7 }),
        ),
        (
            "labs.gamma.research_intensity",
            json!({ "dist": "uniform", "lo": 0.0, "hi": 0.3 }),
        ),
        ("labs.gamma.mark", json!(20.0)),
        ("labs.gamma.mark_basis", json!("gross_profit")),
        ("labs.gamma.growth_trailing", json!(0.5)),
    ]);
    let mut s = minimal();
    s.labs[0].multiple_inf = None;
    for l in &mut s.labs {
        l.mature_multiple = aibubble::scenario::MatureMultiple::Steady;
    }
    with(&s, &ov)
}

/// One path's drawn (or fixed) input by field path.
fn input_at(s: &Scenario, r: &Results, path: &str, p: usize) -> f64 {
    match r.inputs.iter().find(|c| c.name == path) {
        Some(c) => c.values[p],
        None => s.get(path).expect("a fixed input").as_f64().expect("a number"),
    }
}

proptest! {
    #![proptest_config(config(8, 0x5eed_0007))]

    /// Section 5, `mature_multiple = "steady"` (v2.1): once trailing growth
    /// has faded (`ghat <= 0`, read from the stored revenue a year back), the
    /// mark is the lab's steady value at the long-run margin under today's
    /// pressure: `R v` on revenue, `R v gm / gmL` on gross profit, with
    /// `gmL = gm_inf - kappa_m (1 - gm_inf) expm1(y)` (closed; `gm_inf` open),
    /// `v = max(0, (gmL - nu - psi) (1 - tau)) / (r - g_T)`, every input from
    /// the path's drawn inputs and `y`, `R`, `gm` from the stored series.
    /// The margins are still moving (`gm != gmL`), so a multiple taken at
    /// the current margin fails; tolerance 1e-9 relative.
    #[test]
    fn a_steady_mature_multiple_is_the_steady_value_per_unit_of_basis(seed in any::<u64>()) {
        let s = minimal_with_steady_multiples();
        let r = run(&s, 8, seed);
        let n = r.steps_per_year;
        let y = series(&r, "price_pressure", None);
        let g_t = input_at(&s, &r, "valuation.terminal_growth", 0);
        let (mut checked, mut apart) = (0, 0);
        for (id, closed, gross_profit) in [("alpha", true, false), ("gamma", false, true)] {
            let rev = series(&r, "revenue", Some(id));
            let gm = series(&r, "gross_margin", Some(id));
            let v_mark = series(&r, "market_value", Some(id));
            for p in 0..rev.len() {
                let f = |name: &str| input_at(&s, &r, &format!("labs.{id}.{name}"), p);
                let (tau, disc) = (input_at(&s, &r, "valuation.tax_rate", p), input_at(&s, &r, "valuation.discount_rate", p));
                let kappa = input_at(&s, &r, "prices.pass_through", p);
                let gm_inf = f("gross_margin_inf");
                for k in n..=r.steps {
                    if (rev[p][k] / rev[p][k - n]).ln() > 0.0 {
                        continue;
                    }
                    let gm_l = if closed { gm_inf - kappa * (1.0 - gm_inf) * y[p][k].exp_m1() } else { gm_inf };
                    let v = ((gm_l - f("opex_ratio") - f("research_intensity")) * (1.0 - tau)).max(0.0) / (disc - g_t);
                    let want = if gross_profit { rev[p][k] * v * gm[p][k] / gm_l } else { rev[p][k] * v };
                    prop_assert!(close(v_mark[p][k], want, 1e-9),
                        "{} path {} step {}: mark {} vs steady value {}", id, p, k, v_mark[p][k], want);
                    checked += 1;
                    apart += usize::from(want > 0.0 && (gm[p][k] / gm_l - 1.0).abs() > 1e-3);
                }
            }
        }
        prop_assert!(checked > 100, "trailing growth faded on {} steps only", checked);
        prop_assert!(apart > 10, "the current margin is the long-run margin: the test cannot tell them apart");
    }

    /// Section 5: a larger price pressure lowers the steady mature multiple.
    /// A larger `pi_G` gives a `y` at least as large at every step (the same
    /// gap path, one-way target), hence a lower long-run margin `gmL` of the
    /// closed lab and a lower `Minf`, on revenue as on gross profit. Where
    /// trailing growth has faded in both runs, the mark per unit of basis
    /// `V / B` is `Minf`: never higher with more pressure, lower somewhere.
    #[test]
    fn a_larger_price_pressure_lowers_the_steady_mature_multiple(
        pi_g in 0.05f64..0.3,
        extra in 0.05f64..0.5,
        gross_profit in any::<bool>(),
        seed in any::<u64>(),
    ) {
        let mut base = minimal_with_steady_multiples();
        if gross_profit {
            base.labs[0].mark_basis = Some(aibubble::scenario::MarkBasis::GrossProfit);
        }
        let low = run(&with(&base, &[("prices.premium_sensitivity", json!(pi_g))]), 8, seed);
        let high = run(&with(&base, &[("prices.premium_sensitivity", json!(pi_g + extra))]), 8, seed);
        let n = low.steps_per_year;
        let per_basis = |r: &Results| {
            let (rev, gm, v) = (series(r, "revenue", Some("alpha")), series(r, "gross_margin", Some("alpha")), series(r, "market_value", Some("alpha")));
            let mut out = vec![vec![f64::NAN; r.steps + 1]; rev.len()];
            for p in 0..rev.len() {
                for k in n..=r.steps {
                    let b = if gross_profit { rev[p][k] * gm[p][k] } else { rev[p][k] };
                    if (rev[p][k] / rev[p][k - n]).ln() <= 0.0 && b > 0.0 {
                        out[p][k] = v[p][k] / b;
                    }
                }
            }
            out
        };
        let (m_low, m_high) = (per_basis(&low), per_basis(&high));
        let (y_low, y_high) = (series(&low, "price_pressure", None), series(&high, "price_pressure", None));
        let mut lower = 0;
        for p in 0..m_low.len() {
            for k in 0..m_low[p].len() {
                prop_assert!(le(y_low[p][k], y_high[p][k]), "path {p} step {k}: more pi_G, less pressure");
                let (a, b) = (m_low[p][k], m_high[p][k]);
                if a.is_nan() || b.is_nan() {
                    continue;
                }
                prop_assert!(le(b, a), "path {} step {}: Minf {} with more pressure, {} with less", p, k, b, a);
                lower += usize::from(b < a * (1.0 - 1e-6));
            }
        }
        prop_assert!(lower > 0, "more pressure never lowered the mature multiple");
    }
}

/// `ft_bubble` with each event's `price_pressure` effect values times `k`,
/// written into the effects.
fn ft_bubble_with_price_effects_times(k: f64) -> Scenario {
    let mut v = Scenario::preset("ft_bubble").expect("a preset").to_value();
    for event in v["events"].as_array_mut().expect("ft_bubble has events") {
        for effect in event["effects"].as_array_mut().expect("effects") {
            if effect[0] == "price_pressure" {
                effect[2] = json!(effect[2].as_f64().expect("a number") * k);
            }
        }
    }
    Scenario::from_value(v).expect("a valid scenario")
}

/// Section 6, the price scale: an event's `price_scale = k` acts as its
/// `price_pressure` effects written `k` times larger, bit for bit (k = 2
/// doubles exactly, k = 0 adds nothing), and moves the results (the test
/// is not vacuous: the turning points fire on some paths).
#[test]
fn an_events_price_scale_multiplies_its_price_pressure_effects() {
    let ft = Scenario::preset("ft_bubble").expect("a preset");
    let scaled = |k: f64| {
        with(
            &ft,
            &[
                ("events.big_tech_switch.price_scale", json!(k)),
                ("events.open_killer_app.price_scale", json!(k)),
            ],
        )
    };
    let outputs = |r: &Results| {
        let mut all = series(r, "price_pressure", None).concat();
        for lab in ["openai", "anthropic"] {
            all.extend(metric(r, lab, "fair_value"));
            all.extend(metric(r, lab, "pop_time"));
        }
        all
    };
    let base = run(&ft, 300, 11);
    assert!(
        event_times(&base, "big_tech_switch").iter().any(|t| t.is_finite()),
        "the events fire on some paths"
    );
    for k in [0.0, 2.0] {
        let by_scale = run(&scaled(k), 300, 11);
        let by_values = run(&ft_bubble_with_price_effects_times(k), 300, 11);
        assert!(same_bits(&outputs(&by_scale), &outputs(&by_values)), "scale {k}");
        assert!(
            !same_bits(&outputs(&by_scale), &outputs(&base)),
            "scale {k} moves the results"
        );
    }
    assert!(same_bits(&outputs(&run(&scaled(1.0), 300, 11)), &outputs(&base)));
}
