//! The random terms of the engine at the moments docs/equations.md states. The
//! step-by-step reference (`tests/deterministic.rs`) runs with every noise
//! off, so it cannot see a noise term scaled by `dt` instead of `sqrt(dt)`,
//! a wrong Ito correction or a hazard without its time step; these tests
//! can. Each runs `tests/data/minimal.toml` with one kind of noise on, a
//! fixed seed and 20,000 paths, and compares a sample moment at the horizon
//! with its exact value; the tolerance is five standard errors of the
//! sample statistic.
//!
//! | test | term | docs/equations.md § |
//! |---|---|---|
//! | `log_prices_are_brownian_with_drift` | `ln Pt^c`, `ln rt`: `N(-d H, sigma^2 H)` | 2 |
//! | `the_gap_has_its_ornstein_uhlenbeck_variance` | `G_K`: the AR(1) variance of the discrete step | 1 |
//! | `spend_has_the_deterministic_mean` | `ln A`: the Ito term makes `E[A] = exp(sum g dt)` | 3 |
//! | `attractiveness_is_a_random_walk_per_lab` | `a_i`: `Var(a_1 - a_2) = 2 sigma_a^2 H` | 4 |
//! | `a_hazard_fires_by_the_horizon_with_its_probability` | `1 - exp(-lambda H)` | 6 |

use aibubble::results::SeriesId;
use aibubble::{Results, Scenario, Simulation};
use serde_json::{Value, json};

const PATHS: u64 = 20_000;
const SEED: u64 = 2026;

/// `minimal.toml` with `extra` appended and the overrides applied.
fn scenario(extra: &str, overrides: &[(&str, Value)]) -> Scenario {
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/minimal.toml"))
        .expect("minimal.toml is readable");
    Scenario::from_toml_str(&format!("{text}\n{extra}"))
        .expect("a valid scenario")
        .with_overrides(overrides.iter().map(|(p, v)| (*p, v.clone())))
        .expect("overrides are valid")
}

fn run(s: &Scenario, paths: u64) -> Results {
    Simulation::new(s)
        .expect("scenario compiles")
        .paths(paths)
        .seed(SEED)
        .store_paths(paths)
        .run()
        .expect("run succeeds")
}

/// The value of a stored series at the horizon, one per path.
fn at_horizon(r: &Results, variable: &str, lab: Option<&str>) -> Vec<f64> {
    let id = SeriesId {
        variable: variable.into(),
        lab: lab.map(Into::into),
        segment: None,
    };
    let all = r.stored_series(&id).expect("series stored");
    all.chunks(r.steps + 1).map(|p| p[r.steps]).collect()
}

fn mean_var(xs: &[f64]) -> (f64, f64) {
    let n = xs.len() as f64;
    let mean = xs.iter().sum::<f64>() / n;
    (mean, xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0))
}

/// A normal sample's mean and variance against `N(mean, var)`: within five
/// standard errors (`sqrt(var / n)`, and `var sqrt(2 / (n - 1))`).
fn assert_normal_moments(xs: &[f64], mean: f64, var: f64, what: &str) {
    let n = xs.len() as f64;
    let (m, v) = mean_var(xs);
    let (se_m, se_v) = ((var / n).sqrt(), var * (2.0 / (n - 1.0)).sqrt());
    assert!((m - mean).abs() < 5.0 * se_m, "{what}: mean {m}, want {mean} +- {se_m}");
    assert!(
        (v - var).abs() < 5.0 * se_v,
        "{what}: variance {v}, want {var} +- {se_v}"
    );
}

#[test]
fn log_prices_are_brownian_with_drift() {
    // No price pressure (premium_sensitivity is 0), so P^c = Pt and rho = rt.
    let (sp, sr, dr) = (0.3, 0.2, 0.1);
    let s = scenario(
        "",
        &[
            ("prices.sigma_closed", json!(sp)),
            ("prices.sigma_ratio", json!(sr)),
            ("prices.ratio_drift", json!(dr)),
        ],
    );
    let r = run(&s, PATHS);
    let h = r.steps as f64 / r.steps_per_year as f64;
    let closed: Vec<f64> = at_horizon(&r, "closed_price", None).iter().map(|p| p.ln()).collect();
    assert_normal_moments(&closed, -0.2 * h, sp * sp * h, "ln closed price");
    let ratio: Vec<f64> = at_horizon(&r, "price_ratio", None).iter().map(|p| p.ln()).collect();
    assert_normal_moments(&ratio, 0.17f64.ln() - dr * h, sr * sr * h, "ln price ratio");
}

#[test]
fn the_gap_has_its_ornstein_uhlenbeck_variance() {
    // G_{k+1} - G_inf = (1 - p) (G_k - G_inf) + sigma sqrt(dt) Z with
    // p = 1 - exp(-ln 2 dt / h): after K steps the mean is
    // G_inf + (1 - p)^K (G_0 - G_inf), the variance
    // sigma^2 dt (1 - (1 - p)^(2K)) / (1 - (1 - p)^2). The floor is far away.
    let sigma = 1.5;
    let s = scenario("", &[("gap.sigma", json!(sigma)), ("gap.floor", json!(-1000.0))]);
    let r = run(&s, PATHS);
    let dt = 1.0 / r.steps_per_year as f64;
    let keep = (-std::f64::consts::LN_2 * dt / 1.0).exp();
    let k = r.steps as i32;
    let mean = 2.0 + keep.powi(k) * (4.0 - 2.0);
    let var = sigma * sigma * dt * (1.0 - keep.powi(2 * k)) / (1.0 - keep * keep);
    assert_normal_moments(&at_horizon(&r, "gap", None), mean, var, "gap");
}

#[test]
fn spend_has_the_deterministic_mean() {
    // Every price and share is deterministic here, so spend is proportional
    // to A, whose Ito-corrected step makes E[A_K] the noiseless A_K.
    let sigma = 0.2;
    let quiet = run(&scenario("", &[]), 1);
    let want = at_horizon(&quiet, "spend", None)[0];
    let r = run(&scenario("", &[("demand.sigma", json!(sigma))]), PATHS);
    let spend = at_horizon(&r, "spend", None);
    // A_K / E[A_K] is lognormal with log-variance sigma^2 H.
    let h = r.steps as f64 / r.steps_per_year as f64;
    let sd = want * ((sigma * sigma * h).exp() - 1.0).sqrt();
    let (m, _) = mean_var(&spend);
    let se = sd / (spend.len() as f64).sqrt();
    assert!((m - want).abs() < 5.0 * se, "mean spend {m}, want {want} +- {se}");
}

#[test]
fn attractiveness_is_a_random_walk_per_lab() {
    // Two closed labs alike but for their streams: ln(R_1 / R_2) = a_1 - a_2.
    let sigma = 0.25;
    let beta = r#"
[[labs]]
id = "beta"
name = "Beta"
class = "closed"
weights = { enterprise = 1.0 }
gross_margin_0 = 0.5
gross_margin_inf = 0.6
margin_tau = 3.0
opex_ratio = 0.2
cash_0 = 10.0
"#;
    let s = scenario(beta, &[("attractiveness", json!({ "sigma": sigma }))]);
    let r = run(&s, PATHS);
    let h = r.steps as f64 / r.steps_per_year as f64;
    let alpha = at_horizon(&r, "revenue", Some("alpha"));
    let beta = at_horizon(&r, "revenue", Some("beta"));
    let log_ratio: Vec<f64> = alpha.iter().zip(&beta).map(|(a, b)| (a / b).ln()).collect();
    assert_normal_moments(&log_ratio, 0.0, 2.0 * sigma * sigma * h, "ln(R_alpha / R_beta)");
}

#[test]
fn a_hazard_fires_by_the_horizon_with_its_probability() {
    // Fires in some period with probability 1 - exp(-lambda dt) each:
    // 1 - exp(-lambda H) by the horizon, a binomial proportion.
    let lambda = 0.1;
    let event = format!(
        r#"
[[events]]
id = "shock"
name = "A hazard"
hazard = {lambda}
effects = [["gap", "add", -1.0]]
"#
    );
    let r = run(&scenario(&event, &[]), PATHS);
    let h = r.steps as f64 / r.steps_per_year as f64;
    let times = &r
        .events
        .iter()
        .find(|c| c.name == "shock")
        .expect("event column")
        .values;
    let fired = times.iter().filter(|t| t.is_finite()).count() as f64 / times.len() as f64;
    let p = -(-lambda * h).exp_m1();
    let se = (p * (1.0 - p) / times.len() as f64).sqrt();
    assert!(
        (fired - p).abs() < 5.0 * se,
        "fired by the horizon {fired}, want {p} +- {se}"
    );
    // Firing times are period ends: (k + 1) dt.
    let dt = 1.0 / r.steps_per_year as f64;
    assert!(
        times
            .iter()
            .filter(|t| t.is_finite())
            .all(|t| ((t / dt) - (t / dt).round()).abs() < 1e-9 && *t >= dt)
    );
}
