#!/usr/bin/env python3
"""Fit the segments' spend growth of docs/equations.md §3 (model v2.1) to the
labs' own projections, and add the projection error of
data/fit_projection_error.py. Standard library only. Run from anywhere:

    python3 data/fit_growth.py

Under `demand.price_effect = "relative"` and frozen competition (shares,
ratio and premium held, no noise) spend is `S_0 exp(int g)` exactly, so a
lab's revenue is its revenue by segment at t = 0 times each segment's growth
factor, and the fit needs no engine run (data/calibrate_baseline.py then
checks the centre with the engine).

1. Revenue by lab and segment at t = 0 (baseline's split; Anthropic at its
   dated year-end target of $9B, OpenAI at $20B).
2. Growth `g(t) = g_T + (g_0 - g_T) exp(-t / tau)`: long-run growth equal to
   the terminal value's growth `g_T` (so the state at the horizon is one the
   terminal value describes), one `g_0` for consumer work and one for API
   work (enterprise and frontier), one `tau`; least squares in log revenue
   against the projections by calendar year.
3. The projection error: ln(outcome / projection) grows by `b` a year of
   horizon (data/fit_projection_error.py: b = +0.405, SE 0.161; 5/50/95% of
   its posterior +0.026 / +0.404 / +0.784). Added to `g_0`, it fades with
   `tau` as growth does (an assumption: the evidence covers horizons of at
   most two years).
4. A steady state at the horizon: the growth left at the horizon H,
   `(g_0 - g_T) exp(-H / tau)`, must be within one percentage point of `g_T`
   at the 95th percentile of `g_0`. Either the horizon grows (the
   unconstrained fit's tau needs about 17 years) or growth fades faster:
   the preset keeps H = 10 years and fits tau under the bound
   `tau <= H / ln((g_0,95 - g_T) / 0.01)`, iterated to a fixed point. The fit
   to the projections then loosens (rmse 0.03 to about 0.1 log points),
   well inside the labs' own projection error (0.30 per sqrt(year)).
"""

import math

START = 2026.0
G_T = 0.03  # valuation.terminal_growth
B_MEAN, B_LO, B_HI = 0.405, 0.026, 0.784  # projection-error drift, posterior 5/50/95 (fit_projection_error.py)
Z95 = 1.6448536269514722

# Revenue at t = 0 by lab and segment, USD bn a year (baseline's split;
# Anthropic's scaled from $9.5B to its dated $9B year-end target).
ANTHROPIC_SCALE = 9.0 / 9.5
REVENUE_0 = {
    "openai": {"consumer": 13.0, "enterprise": 4.5, "frontier": 2.5},
    "anthropic": {s: v * ANTHROPIC_SCALE for s, v in {"consumer": 0.8, "enterprise": 5.7, "frontier": 3.0}.items()},
}
# (lab, calendar year, projected revenue USD bn, source)
TARGETS = [
    ("openai", 2026, 30.0, "OpenAI's projections as reported by The Information [2025] [S]"),
    ("openai", 2028, 100.0, "same"),
    ("openai", 2030, 200.0, "same; Altman [2025-11-06] [P]: hundreds of billions by 2030"),
    ("anthropic", 2026, 15.2, "The Information via The Decoder [2025-11-09] [S]"),
    ("anthropic", 2027, 38.9, "same"),
    ("anthropic", 2028, 70.0, "same"),
]


def integral(g0, tau, t):
    """int_0^t g = g_T t + (g_0 - g_T) tau (1 - exp(-t / tau))."""
    return G_T * t + (g0 - G_T) * tau * (1.0 - math.exp(-t / tau))


def year_revenue(lab, year, g0c, g0a, tau, steps=24):
    """Revenue booked in a calendar year: the integral of the run rate (midpoint rule)."""
    a = year - START
    total = 0.0
    for k in range(steps):
        t = a + (k + 0.5) / steps
        for seg, r in REVENUE_0[lab].items():
            g0 = g0c if seg == "consumer" else g0a
            total += r * math.exp(integral(g0, tau, t)) / steps
    return total


def sse(g0c, g0a, tau):
    return sum((math.log(year_revenue(l, y, g0c, g0a, tau)) - math.log(v)) ** 2 for l, y, v, _ in TARGETS)


def fit(tau_max=math.inf):
    """Coordinate grid search, refined three times, with tau at most tau_max."""
    best = (math.inf, 0.6, 1.2, min(2.9, tau_max))
    span = (0.5, 0.5, 2.0)
    for _ in range(4):
        _, c0, a0, t0 = best
        for i in range(-10, 11):
            for j in range(-10, 11):
                for k in range(-10, 11):
                    g0c, g0a, tau = c0 + span[0] * i / 10, a0 + span[1] * j / 10, t0 + span[2] * k / 10
                    if tau <= 0.2 or tau > tau_max or g0c < G_T or g0a < G_T:
                        continue
                    e = sse(g0c, g0a, tau)
                    if e < best[0]:
                        best = (e, g0c, g0a, tau)
        span = tuple(s / 5 for s in span)
    return best


HORIZON = 10.0
SD = (B_HI - B_LO) / (2 * Z95)


def tau_bound(g0c, g0a):
    """The largest tau that brings growth within 1 pp of g_T at the horizon, at the 95th percentile of g_0."""
    g95 = max(g0c, g0a) + B_MEAN + Z95 * SD
    return HORIZON / math.log((g95 - G_T) / 0.01)


def main():
    e, g0c, g0a, tau = fit()
    print(f"unconstrained fit (g_inf = g_T = {G_T}): consumer g_0 = {g0c:.3f}, API g_0 = {g0a:.3f}, "
          f"tau = {tau:.2f} years; rmse {math.sqrt(e / len(TARGETS)):.3f} log points")
    bound = tau_bound(g0c, g0a)
    for _ in range(6):
        e, g0c, g0a, tau = fit(bound)
        new = tau_bound(g0c, g0a)
        if abs(new - bound) < 1e-4:
            break
        bound = new
    print(f"fit with growth within 1 pp of g_T at the {HORIZON:.0f}-year horizon (tau <= {bound:.3f}): "
          f"consumer g_0 = {g0c:.3f}, API (enterprise, frontier) g_0 = {g0a:.3f}, tau = {tau:.3f} years; "
          f"rmse {math.sqrt(e / len(TARGETS)):.3f} log points")
    for lab, y, v, src in TARGETS:
        m = year_revenue(lab, y, g0c, g0a, tau)
        print(f"  {lab:<10} {y}: projected {v:6.1f}, fit {m:6.1f} ({100 * (m / v - 1):+.0f}%)  {src}")
    sd = (B_HI - B_LO) / (2 * Z95)
    print(f"projection error added to g_0: normal(mean {B_MEAN}, sd {sd:.3f}) (the 5-95% of its posterior)")
    for seg, g0 in (("consumer", g0c), ("API", g0a)):
        print(f"  {seg}: g_0 = normal(mean {g0 + B_MEAN:.3f}, sd {sd:.3f}); 95th percentile {g0 + B_MEAN + Z95 * sd:.3f}")
    g95 = max(g0c, g0a) + B_MEAN + Z95 * sd
    for h in (10.0, 12.0, 15.0, 20.0):
        left = (g95 - G_T) * math.exp(-h / tau)
        print(f"  horizon {h:4.0f} years: growth left above g_T at the 95th percentile of g_0: {100 * left:.2f} pp")
    need = tau * math.log((g95 - G_T) / 0.01)
    print(f"horizon for growth within 1 pp of g_T at the 95th percentile of g_0: {need:.1f} years")
    for lab in REVENUE_0:
        line = ", ".join(f"{y}: {year_revenue(lab, y, g0c + B_MEAN, g0a + B_MEAN, tau):.0f}" for y in (2026, 2028, 2030, 2035))
        print(f"  {lab} revenue at the mean projection error (no drift, frozen shares): {line}")


if __name__ == "__main__":
    main()
