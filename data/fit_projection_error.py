#!/usr/bin/env python3
"""Fit the labs' revenue projection error to data/projections.csv.

numpy only (plus fit_jumps.py next to it, for the chi-square quantile). Run from
the repo root:

    .venv/bin/python data/fit_projection_error.py

The baseline's growth is fitted to the labs' own projections (docs/model.md,
"Calibration of `baseline`"); this fit says how far the labs' past projections
were from what they then booked, so that a preset can draw the realised path
around the projected one.

1. Usable rows: `in_fit` = yes in projections.csv, that is an outcome that is
   booked revenue (or a measured run rate against a projected run rate) dated
   after the target period ended, and dated before 2026-01-01 like every row.
   Outcomes that are themselves in-year estimates or missing are excluded
   (they appear only in a labelled sensitivity). Error x = ln(outcome /
   projection); horizon h = years from the projection date (mid-month where
   only the month is known) to the end of the target period.
2. Pooled across labs: n, mean and sd of x, their standard errors
   (sd / sqrt(n); sd / sqrt(2 (n - 1)), the normal approximation), a t
   interval for the mean and a chi-square interval for the sd.
3. Per year of horizon: x_i = b h_i + sigma sqrt(h_i) e_i (the error of a
   log-revenue random walk with drift b, as in fit_jumps.py). ML drift
   b = sum x / sum h, SE sigma / sqrt(sum h); sigma^2 = sum (x - b h)^2 / h /
   (n - 1), chi-square interval with n - 1 degrees of freedom.
4. Parameter uncertainty for a preset: the normal-inverse-chi-square posterior
   of (b, sigma^2) under the flat prior, sigma^2 = (n - 1) s^2 / chi2(n - 1)
   and b | sigma^2 ~ normal(b_hat, sigma^2 / sum h); the predictive error at
   horizons of 1, 2 and 3 years, seeded simulation.
5. Sensitivity: each row left out, the alternative outcome figures named in
   the notes, the zero-drift variance, the 2025 in-year estimates as if booked.

n is 4: the numbers are a rough guide, and one row (Reuters, 2022-12, before
ChatGPT's breakout) carries the drift. Dates are before 2026-01-01 only, so a
preset valued at 2026.0 may use this fit.
"""

import csv
import math
import os
import sys
from datetime import date

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.dont_write_bytecode = True  # no __pycache__ in data/
sys.path.insert(0, HERE)
from fit_jumps import chi2_ppf  # noqa: E402  (numpy-free chi-square quantile)

PROJECTIONS = os.path.join(HERE, "projections.csv")
AS_OF = date(2026, 1, 1)
SEED, NDRAW = 20260101, 400_000
HORIZONS = (1.0, 2.0, 3.0)
# Alternative outcome figures named in the notes of projections.csv (sources there).
ALT_OUTCOME = {("openai", "revenue_2024", 3.7): (4.0, "OpenAI 2024 at 'about $4B' (Friar, 2025-09)"),
               ("anthropic", "run_rate_end_2024", 0.768): (1.0, "Anthropic end-2024 at 'about $1B' (Series F, 2025-09-02)")}


def year_of(s, end=False):
    """Fractional year of 'YYYY-MM-DD' (the end of that day if end) or 'YYYY-MM' (mid-month)."""
    parts = [int(p) for p in s.split("-")]
    if len(parts) == 2:
        return parts[0] + (parts[1] - 0.5) / 12
    d = date(*parts)
    y0, y1 = date(d.year, 1, 1), date(d.year + 1, 1, 1)
    return d.year + ((d - y0).days + (1 if end else 0.5)) / (y1 - y0).days


def load(path=PROJECTIONS):
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


def usable(rows, in_fit=("yes",)):
    """(lab, target, projected, outcome, horizon in years, ln(outcome / projected)) of the rows used."""
    out = []
    for r in rows:
        if r["in_fit"] in in_fit:
            p, o = float(r["projected_usd_bn"]), float(r["outcome_usd_bn"])
            h = year_of(r["target_end"], end=True) - year_of(r["projected_on"])
            out.append((r["lab"], r["target"], p, o, h, math.log(o / p)))
    return out


def pooled(x):
    """n, mean, sd (n - 1), SE of the mean, SE of the sd (normal approximation)."""
    x = np.asarray(x, float)
    n = len(x)
    m, sd = float(x.mean()), float(x.std(ddof=1))
    return n, m, sd, sd / math.sqrt(n), sd / math.sqrt(2 * (n - 1))


def per_year(h, x):
    """Drift b per year, sigma^2 per year, SE of b, dof for x = b h + sigma sqrt(h) e."""
    h, x = np.asarray(h, float), np.asarray(x, float)
    b = float(x.sum() / h.sum())
    dof = len(x) - 1
    s2 = float(((x - b * h) ** 2 / h).sum() / dof)
    return b, s2, math.sqrt(s2 / h.sum()), dof


def t_cdf(t, k):
    """Student t CDF by Simpson's rule on the density (k > 0)."""
    c = math.exp(math.lgamma((k + 1) / 2) - math.lgamma(k / 2)) / math.sqrt(k * math.pi)
    a, n = abs(t), 4000
    xs = np.linspace(0.0, a, n + 1)
    f = c * (1 + xs ** 2 / k) ** (-(k + 1) / 2)
    area = (a / n / 3) * (f[0] + f[-1] + 4 * f[1:-1:2].sum() + 2 * f[2:-1:2].sum())
    return 0.5 + math.copysign(area, t)


def t_ppf(p, k):
    lo, hi = -100.0, 100.0
    for _ in range(100):
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if t_cdf(mid, k) < p else (lo, mid)
    return (lo + hi) / 2


def posterior(b, s2, sum_h, dof, seed=SEED, ndraw=NDRAW):
    """Draws of (b, sigma^2) from the normal-inverse-chi-square posterior (flat prior)."""
    rng = np.random.default_rng(seed)
    sig2 = dof * s2 / rng.chisquare(dof, ndraw)
    bb = b + np.sqrt(sig2 / sum_h) * rng.standard_normal(ndraw)
    return bb, sig2, rng


def summary(rows):
    """The figures data/README.md quotes: pooled and per-year fits of the usable rows."""
    u = usable(rows)
    h, x = [r[4] for r in u], [r[5] for r in u]
    n, m, sd, se_m, se_sd = pooled(x)
    b, s2, se_b, dof = per_year(h, x)
    return dict(n=n, mean=m, sd=sd, se_mean=se_m, se_sd=se_sd, b=b, sigma=math.sqrt(s2), se_b=se_b, dof=dof,
                sum_h=float(sum(h)))


def main():
    rows = load()
    for r in rows:
        for k in ("projected_on", "outcome_on"):
            if r[k]:
                assert year_of(r[k]) < 2026.0, (k, r)
    print("rows of projections.csv (x = ln(outcome / projection), h = years from projection to the end of the target):")
    print(f"  {'lab':9s} {'target':18s} {'proj':>6s} {'kind':12s} {'outcome':>7s} {'outcome kind':38s} {'h':>5s} {'x':>7s} fit")
    for r in rows:
        o = r["outcome_usd_bn"]
        h = year_of(r["target_end"], end=True) - year_of(r["projected_on"])
        x = f"{math.log(float(o) / float(r['projected_usd_bn'])):+.3f}" if o else "   n/a"
        print(f"  {r['lab']:9s} {r['target']:18s} {float(r['projected_usd_bn']):6.3f} {r['projection_kind']:12s} "
              f"{o or 'n/a':>7s} {r['outcome_kind']:38s} {h:5.2f} {x:>7s} {r['in_fit']}")

    s = summary(rows)
    u = usable(rows)
    n, m, sd, dof = s["n"], s["mean"], s["sd"], s["dof"]
    tq = t_ppf(0.975, dof)
    lo_q, hi_q = chi2_ppf(0.025, dof), chi2_ppf(0.975, dof)
    print(f"usable rows: {n} ({', '.join(sorted({r[0] for r in u}))}); horizons "
          f"{', '.join(f'{r[4]:.2f}' for r in u)} years (sum {s['sum_h']:.2f})")
    print(f"pooled ln(outcome / projection): mean {m:+.3f} (SE {s['se_mean']:.3f}; 95% t({dof}) {m - tq * s['se_mean']:+.3f} "
          f"to {m + tq * s['se_mean']:+.3f}), sd {sd:.3f} (SE {s['se_sd']:.3f}; 95% chi-square "
          f"{sd * math.sqrt(dof / hi_q):.3f}-{sd * math.sqrt(dof / lo_q):.3f}); median ratio {math.exp(np.median([r[5] for r in u])):.2f}")
    short = [r[5] for r in u if r[4] < 1.0]
    longh = [r[5] for r in u if r[4] >= 1.0]
    print(f"by horizon: under 1 year n = {len(short)}, mean {np.mean(short):+.3f}, sd {np.std(short, ddof=1):.3f}; "
          f"1 year or more n = {len(longh)}, x = {', '.join(f'{v:+.3f}' for v in longh)} (too few to fit apart)")
    b, sig, se_b = s["b"], s["sigma"], s["se_b"]
    s2 = sig ** 2
    print(f"per year of horizon, x = b h + sigma sqrt(h) e: b = {b:+.3f}/yr (SE {se_b:.3f}), sigma = {sig:.3f}/sqrt(yr) "
          f"(95% chi-square {sig * math.sqrt(dof / hi_q):.3f}-{sig * math.sqrt(dof / lo_q):.3f}), dof {dof}")
    print(f"summary: n = {n}, mean {m:+.3f} (SE {s['se_mean']:.3f}), sd {sd:.3f} (SE {s['se_sd']:.3f}); "
          f"per year b = {b:+.3f} (SE {se_b:.3f}), sigma = {sig:.3f}")

    bb, sig2, rng = posterior(b, s2, s["sum_h"], dof)
    q = lambda v: np.percentile(v, [5, 50, 95])  # noqa: E731
    qb, qs = q(bb), q(np.sqrt(sig2))
    print(f"posterior (normal-inverse-chi-square, flat prior, seed {SEED}, {NDRAW} draws): b 5/50/95% "
          f"{qb[0]:+.3f} / {qb[1]:+.3f} / {qb[2]:+.3f}; sigma {qs[0]:.3f} / {qs[1]:.3f} / {qs[2]:.3f}")
    for T in HORIZONS:
        xp = bb * T + np.sqrt(sig2 * T) * rng.standard_normal(NDRAW)
        qx = q(xp)
        print(f"  predictive error at {T:.0f} yr: ln ratio 5/50/95% {qx[0]:+.2f} / {qx[1]:+.2f} / {qx[2]:+.2f} "
              f"(ratio {math.exp(qx[0]):.2f} / {math.exp(qx[1]):.2f} / {math.exp(qx[2]):.2f}); "
              f"P(outcome below projection) {100 * np.mean(xp < 0):.0f}%")

    print("sensitivity (per-year b, sigma; pooled mean, sd):")

    def line(label, uu):
        hh, xx = [r[4] for r in uu], [r[5] for r in uu]
        bb_, s2_, se_, _ = per_year(hh, xx)
        _, mm, ss, _, _ = pooled(xx)
        print(f"  {label}: n {len(uu)}, b {bb_:+.3f} (SE {se_:.3f}), sigma {math.sqrt(s2_):.3f}; mean {mm:+.3f}, sd {ss:.3f}")
        return bb_

    for i, r in enumerate(u):
        b_loo = line(f"without {r[0]} {r[1]} projected {r[2]}", u[:i] + u[i + 1:])
        if r[0] == "openai" and r[1] == "revenue_2024" and r[2] == 1.0:
            b_noreuters = b_loo
    for key, (alt, label) in ALT_OUTCOME.items():
        uu = [(l, t, p, alt, h, math.log(alt / p)) if (l, t, p) == key else (l, t, p, o, h, x)
              for l, t, p, o, h, x in u]
        line(label, uu)
    hh, xx = np.array([r[4] for r in u]), np.array([r[5] for r in u])
    print(f"  zero drift (b = 0): sigma = {math.sqrt(float((xx ** 2 / hh).sum()) / n):.3f}/sqrt(yr), dof {n}")
    in_year = [r for r in rows if r["outcome_kind"].startswith("in-year")]
    line(f"with the {len(in_year)} 2025 in-year estimates (about $13B, 2025-09) as if booked (not a booked outcome)",
         u + usable(in_year, ("no",)))

    print("WARNING: n = 4 (three OpenAI rows, one Anthropic); the drift rests on one row made before ChatGPT's breakout.")
    print(f"recommend: ln(realised / projected revenue) at horizon T years ~ normal(b T, sigma^2 T), with per run "
          f"sigma^2 = {dof} x {s2:.4f} / chi2({dof}) and b ~ normal({b:+.3f}, sigma^2 / {s['sum_h']:.2f}); "
          f"a preset that leaves the pre-breakout row out uses b = {b_noreuters:+.3f}")
    print(f"citation: derived: data/fit_projection_error.py, {n} past revenue projections of OpenAI and Anthropic "
          f"against booked revenue or measured run rates (data/projections.csv, all dated before 2026-01-01): "
          f"ln(outcome/projection) mean {m:+.2f} (SE {s['se_mean']:.2f}), sd {sd:.2f} (SE {s['se_sd']:.2f}); "
          f"per year of horizon drift {b:+.2f} (SE {se_b:.2f}), sigma {sig:.2f}, {dof} dof; every revision found "
          "was upward (OpenAI).")


if __name__ == "__main__":
    main()
