//! docs/equations.md §3: demand segments: spend growth, price response, the
//! closed and open pools, and the closed usage share moving toward a logit
//! target with friction.

use super::params::SegmentParams;

/// The brand premium `b_s`: given, or calibrated so that today's usage is
/// the equilibrium at the reference lead `G_ref` (the path's `G_0` when
/// `prices.reference_lead` is absent),
/// `b = logit(u_0) - beta_q G_ref - omega ln rho_0`.
#[inline]
pub fn brand_premium(s: &SegmentParams, gap_ref: f64, ratio_0: f64) -> f64 {
    match s.brand_premium {
        Some(b) => b,
        None => {
            let u0 = s.closed_share_0;
            (u0 / (1.0 - u0)).ln() - s.beta_quality * gap_ref - s.substitution * ratio_0.ln()
        }
    }
}

/// `exp(-t / tau)`: the part of a segment's growth's way from `g_0` to
/// `g_inf` still ahead at `t` (the engine computes it once per run for a
/// `tau` that no path draws).
#[inline]
pub fn growth_decay(growth_tau: f64, t: f64) -> f64 {
    (-t / growth_tau).exp()
}

/// `g_s(t) = g_inf + (g_0 - g_inf) exp(-t / tau)`, from
/// `decay = exp(-t / tau)` ([`growth_decay`]).
#[inline]
pub fn growth(s: &SegmentParams, decay: f64) -> f64 {
    s.growth_inf + (s.growth_0 - s.growth_inf) * decay
}

/// `ln A_{k+1} = ln A_k + g(t_k) dt - sigma_A^2 dt / 2 + sigma_A sqrt(dt) Z^A`.
#[inline]
pub fn next_ln_demand(ln_a: f64, g: f64, sigma: f64, dt: f64, sqrt_dt: f64, z: f64) -> f64 {
    ln_a + g * dt - sigma * sigma * dt / 2.0 + sigma * sqrt_dt * z
}

/// `Pbar = u P^c + (1 - u) P^o`.
#[inline]
pub fn mean_price(u: f64, closed_price: f64, open_price: f64) -> f64 {
    u * closed_price + (1.0 - u) * open_price
}

/// v1's quantity (`demand.price_index = "mean"`):
/// `Q = (S_0 / Pbar_0) A (Pbar / Pbar_0)^(-eps)`.
#[inline]
pub fn quantity(s: &SegmentParams, ln_a: f64, pbar: f64, pbar_0: f64) -> f64 {
    s.spend_0 / pbar_0 * ln_a.exp() * (pbar / pbar_0).powf(-s.elasticity)
}

/// The log CES price index of closed and open work at the preferences that
/// usage `u` reveals, through the open share of spend
/// `wo = (1 - u) rho / (u + (1 - u) rho)`, `t = 1 - omega`, `l = -ln rho`:
/// `ln Pi = ln P^c - ln1p(wo expm1(t l)) / t` (`ln P^c - wo l` when `t = 0`),
/// accurate for every `omega` (no logit, no cancellation).
#[inline]
pub fn ln_price_index(u: f64, ln_closed_price: f64, ln_rho: f64, rho: f64, omega: f64) -> f64 {
    let wo = (1.0 - u) * rho / (u + (1.0 - u) * rho);
    let t = 1.0 - omega;
    let l = -ln_rho;
    if t != 0.0 {
        ln_closed_price - (wo * (t * l).exp_m1()).ln_1p() / t
    } else {
        ln_closed_price - wo * l
    }
}

/// The log CES index over the reference closed price, `ln Pih = ln Pi - ln Pt^c`
/// (`demand.price_effect = "relative"`), computed without `ln Pt^c`:
/// `ln Pih = -y - ln1p(wo expm1(t l)) / t` (`-y - wo l` when `t = 0`). With
/// `y`, `rho` and `u` at their values of today it equals today's, whatever
/// the reference closed price has done.
#[inline]
pub fn ln_relative_price_index(u: f64, y: f64, ln_rho: f64, rho: f64, omega: f64) -> f64 {
    ln_price_index(u, -y, ln_rho, rho, omega)
}

/// Spend under the CES index: `S = S_0 A exp((1 - eps) (ln Pi - ln Pi_0))`
/// (`"absolute"`), or the same with `ln Pih` (`"relative"`).
#[inline]
pub fn ces_spend(s: &SegmentParams, ln_a: f64, ln_index: f64, ln_index_0: f64) -> f64 {
    s.spend_0 * ln_a.exp() * ((1.0 - s.elasticity) * (ln_index - ln_index_0)).exp()
}

/// The closed (`C = Q u P^c`) and open (`O = Q (1 - u) P^o`) pools.
#[inline]
pub fn pools(q: f64, u: f64, closed_price: f64, open_price: f64) -> (f64, f64) {
    (q * u * closed_price, q * (1.0 - u) * open_price)
}

/// `u* = 1 / (1 + exp(-(b + beta_q G + omega ln rho)))`, the CES demand share.
#[inline]
pub fn share_target(b: f64, s: &SegmentParams, gap: f64, ln_rho: f64) -> f64 {
    let x = b + s.beta_quality * gap + s.substitution * ln_rho;
    1.0 / (1.0 + (-x).exp())
}

/// `1 - exp(-theta dt)`: the part of the way to the target share that one
/// step takes at switching speed `theta`.
#[inline]
pub fn share_pull(theta: f64, dt: f64) -> f64 {
    -(-theta * dt).exp_m1()
}

/// `u_{k+1} = u_k + (1 - exp(-theta dt)) (u* - u_k)`, from
/// `pull = 1 - exp(-theta dt)` ([`share_pull`]; `theta` changes only at events).
#[inline]
pub fn next_share(u: f64, target: f64, pull: f64) -> f64 {
    u + pull * (target - u)
}

/// Value moved to users in a segment, `Q (1 - u) (P^c - P^o)` (docs/equations.md §5).
#[inline]
pub fn savings(q: f64, u: f64, closed_price: f64, open_price: f64) -> f64 {
    q * (1.0 - u) * (closed_price - open_price)
}

/// Potential savings in a segment if all closed usage moved to open models,
/// `C (1 - rho)` (docs/equations.md §5).
#[inline]
pub fn potential(closed_pool: f64, ratio: f64) -> f64 {
    closed_pool * (1.0 - ratio)
}
