//! docs/equations.md §5: discounting, terminal value, limited-liability equity and
//! market marks. Pure maths: no randomness, no I/O.

/// The discount factor `exp(-r t)`.
#[inline]
pub fn discount_factor(r: f64, t: f64) -> f64 {
    (-r * t).exp()
}

/// The PV term of period k: `FCF dt exp(-r t_{k+1})`, given the discount
/// factor `exp(-r t_{k+1})` ([`discount_factor`]; one per step, shared by
/// every lab and the savings).
#[inline]
pub fn discounted_flow(flow: f64, dt: f64, discount: f64) -> f64 {
    flow * dt * discount
}

/// The discounted terminal value `exp(-r H) max(0, flow) / (r - g_T)` of an
/// after-tax perpetual flow, evaluated left to right.
#[inline]
pub fn terminal_value(flow: f64, r: f64, g_t: f64, horizon: f64) -> f64 {
    (-r * horizon).exp() * flow.max(0.0) / (r - g_t)
}

/// The flow a `"last"` terminal value capitalises (v1): the pre-tax cash flow
/// at the horizon, commitments included, taxed in full: `X_K (1 - tau)`.
#[inline]
pub fn last_flow(x_k: f64, tax_rate: f64) -> f64 {
    x_k * (1.0 - tax_rate)
}

/// The flow a `"steady"` terminal value capitalises: the lab after its
/// commitments, spending at research intensity and taxed in full,
/// `R_K (gm_K - nu - psi) (1 - tau)`.
#[inline]
pub fn steady_flow(revenue: f64, gross_margin: f64, opex: f64, research: f64, tax_rate: f64) -> f64 {
    revenue * (gross_margin - opex - research) * (1.0 - tax_rate)
}

/// The steady value per unit of revenue at the margin `gm_l`,
/// `max(0, ((gm_l - nu) - psi) (1 - tau)) / (r - g_T)`: the `"steady"`
/// terminal flow per unit of revenue, undiscounted.
#[inline]
pub fn steady_value(gm_l: f64, opex: f64, research: f64, tax_rate: f64, r: f64, g_t: f64) -> f64 {
    ((gm_l - opex - research) * (1.0 - tax_rate)).max(0.0) / (r - g_t)
}

/// The `"steady"` mature multiple from the steady value `v` per unit of
/// revenue: `v` on revenue; `v / gm_l` on gross profit, 0 when `v` is not
/// positive (then `gm_l` may be 0 or negative; `v > 0` implies `gm_l > 0`).
#[inline]
pub fn steady_multiple(v: f64, gm_l: f64, per_gross_profit: bool) -> f64 {
    if !per_gross_profit {
        v
    } else if v > 0.0 {
        v / gm_l
    } else {
        0.0
    }
}

/// `E = max(0, PV + cash_0)`.
#[inline]
pub fn equity(pv: f64, cash_0: f64) -> f64 {
    (pv + cash_0).max(0.0)
}

/// Trailing growth `ln(R_k / R_{k-n})`.
#[inline]
pub fn trailing_growth(revenue: f64, revenue_year_ago: f64) -> f64 {
    (revenue / revenue_year_ago).ln()
}

/// Revenue before t = 0 implied by today's trailing growth: `R_0 exp(ghat_0 j dt)`, j < 0.
#[inline]
pub fn backcast_revenue(r0: f64, ghat_0: f64, j: i64, dt: f64) -> f64 {
    r0 * (ghat_0 * j as f64 * dt).exp()
}

/// `M = M_inf + (M_0 - M_inf) clamp(ghat / ghat_0, 0, 1)`.
#[inline]
pub fn multiple(m0: f64, m_inf: f64, ghat: f64, ghat_0: f64) -> f64 {
    let x = ghat / ghat_0;
    // A year-ago revenue of 0 gives +inf growth (full multiple); NaN cannot reach here.
    m_inf + (m0 - m_inf) * x.clamp(0.0, 1.0)
}

/// The mark `V = max(0, M B)` on the basis `B` (revenue, or revenue times
/// the gross margin), 0 when revenue is 0.
#[inline]
pub fn market_value(multiple: f64, basis: f64, revenue: f64) -> f64 {
    if revenue > 0.0 {
        (multiple * basis).max(0.0)
    } else {
        0.0
    }
}
