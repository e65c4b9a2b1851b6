//! docs/equations.md §4: labs' market shares within their class, revenues,
//! margins, spending, free cash flow and cash.

use super::params::LabParams;

/// `a_{k+1} = a_k + mu_a dt + sigma_a sqrt(dt) Z`.
#[inline]
pub fn next_attractiveness(a: f64, drift: f64, sigma: f64, dt: f64, sqrt_dt: f64, z: f64) -> f64 {
    a + drift * dt + sigma * sqrt_dt * z
}

/// Revenues `R_i = c_i sum_s m_{i,s} (C_s or O_s)`, with
/// `m_{i,s} = w_{i,s} exp(a_i) / sum_{j in class(i)} w_{j,s} exp(a_j)`.
///
/// `exp_a` holds `exp(a_i)`; `closed_pool` and `open_pool` are per segment;
/// `denominators` is scratch space (2 per segment).
pub fn revenues(
    labs: &[LabParams],
    exp_a: &[f64],
    closed_pool: &[f64],
    open_pool: &[f64],
    denominators: &mut Vec<f64>,
    out: &mut [f64],
) {
    let ns = closed_pool.len();
    denominators.clear();
    denominators.resize(2 * ns, 0.0);
    for (lab, e) in labs.iter().zip(exp_a) {
        let off = if lab.closed { 0 } else { ns };
        for (s, w) in lab.weights.iter().enumerate() {
            denominators[off + s] += w * e;
        }
    }
    for ((lab, e), r) in labs.iter().zip(exp_a).zip(out.iter_mut()) {
        let (off, pool) = if lab.closed { (0, closed_pool) } else { (ns, open_pool) };
        let mut sum = 0.0;
        for (s, w) in lab.weights.iter().enumerate() {
            let d = denominators[off + s];
            if d > 0.0 {
                sum += w * e / d * pool[s];
            }
        }
        *r = lab.capture * sum;
    }
}

/// `exp(-t / tau_gm)`: the part of the reference margin's way from `gm_0`
/// to `gm_inf` still ahead at `t` (the engine computes it once per run for
/// a `tau_gm` that no path draws).
#[inline]
pub fn margin_decay(margin_tau: f64, t: f64) -> f64 {
    (-t / margin_tau).exp()
}

/// The reference margin `gmr_k = gm_inf + (gm_0 - gm_inf) exp(-t / tau_gm)`,
/// the margin at the reference price, from `decay = exp(-t / tau_gm)`
/// ([`margin_decay`]).
#[inline]
pub fn reference_margin(lab: &LabParams, gross_margin_inf: f64, decay: f64) -> f64 {
    gross_margin_inf + (lab.gross_margin_0 - gross_margin_inf) * decay
}

/// `expm1(y)`: how much a closed lab's cost share rises at the price
/// pressure `y` (one per step, shared by every closed lab).
#[inline]
pub fn cost_rise(y: f64) -> f64 {
    y.exp_m1()
}

/// The gross margin after competition. A closed lab's unit cost does not
/// fall with its price, so its cost share rises by `exp(y)`:
/// `gm = max(gm_floor, gmr - kappa_m (1 - gmr) expm1(y))` (written so that
/// `y = 0` gives `gmr` to the bit), from `cost_rise = expm1(y)`
/// ([`cost_rise`]); an open lab keeps `gmr`.
#[inline]
pub fn gross_margin(closed: bool, gmr: f64, cost_rise: f64, pass_through: f64, floor: Option<f64>) -> f64 {
    if !closed {
        return gmr;
    }
    let gm = gmr - pass_through * (1.0 - gmr) * cost_rise;
    match floor {
        Some(f) if gm < f => f,
        _ => gm,
    }
}

/// Spending `F = max(c, psi R) - varrho max(0, c - psi R)` with the committed
/// floor `c = chi Plan`: idle committed compute is resold at `varrho`.
#[inline]
pub fn spending(lab: &LabParams, plan: f64, revenue: f64) -> f64 {
    let committed = lab.committed * plan;
    let research = lab.research_intensity * revenue;
    committed.max(research) - lab.resale * (committed - research).max(0.0)
}

/// The pre-tax cash flow `X = R (gm - nu) - F`.
#[inline]
pub fn free_cash_flow(lab: &LabParams, revenue: f64, gross_margin: f64, spending: f64) -> f64 {
    revenue * (gross_margin - lab.opex_ratio) - spending
}

/// Taxes of one period with a loss pool `L` (USD bn): a loss adds `-X dt`
/// to the pool; a profit first uses the pool and the rest is taxed at
/// `tau`. Returns `(T, L_{k+1})`, `T` an annual rate; with `tau = 0`, `T = 0`.
#[inline]
pub fn taxes(x: f64, pool: f64, rate: f64, dt: f64) -> (f64, f64) {
    if x < 0.0 {
        (0.0, pool - x * dt)
    } else {
        let used = pool.min(x * dt);
        (rate * (x * dt - used) / dt, pool - used)
    }
}

/// `Plan(year)`: piecewise linear through the points, flat outside, 0 without points.
pub fn plan_at(points: &[[f64; 2]], year: f64) -> f64 {
    match points {
        [] => 0.0,
        [first, ..] if year <= first[0] => first[1],
        [.., last] if year >= last[0] => last[1],
        _ => {
            let i = points.partition_point(|p| p[0] <= year);
            let (a, b) = (points[i - 1], points[i]);
            a[1] + (b[1] - a[1]) * (year - a[0]) / (b[0] - a[0])
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plan_interpolates_and_is_flat_outside() {
        let pts = [[2026.0, 10.0], [2028.0, 30.0]];
        assert_eq!(plan_at(&pts, 2025.0), 10.0);
        assert_eq!(plan_at(&pts, 2027.0), 20.0);
        assert_eq!(plan_at(&pts, 2028.0), 30.0);
        assert_eq!(plan_at(&pts, 2035.0), 30.0);
        assert_eq!(plan_at(&[], 2027.0), 0.0);
    }
}
