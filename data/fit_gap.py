#!/usr/bin/env python3
"""Fit the performance-gap inputs of docs/equations.md §1 to data/models.csv.

The fits (pace, gap, release rate and jumps, h and G_inf) are `aibubble calibrate`'s
(src/analysis/calibrate/, read through data/calibration.py); this script lists the
records, profiles the fit, and draws today's lead with its uncertainty. Run from
anywhere, with the package installed or the CLI built:

    python3 data/fit_gap.py

What it computes, from the Epoch Capabilities Index (ECI) column of the seed
file (one Epoch snapshot, see data/README.md):

1. The closed frontier C(t) (best closed ECI released by t) and the best open
   model O(t); the frontier's pace s in ECI points per year (least squares of
   the closed record scores on the release date, 2024-2025).
2. The vertical gap in months of frontier progress, G(t) = 12 (C(t) - O(t)) / s,
   at every month end of 2024-2025, and its value at 2026-01-01 (G_0).
3. The horizontal lag (Epoch's measure): at each new open record, the months
   since a closed model first reached that score.
4. Closed frontier releases: lambda_R = closed records per year (2024-2025)
   and the jump sizes J = 12 dC / s in months (mean, sd).
5. A least-squares fit of the catch-up half-life h and the long-run gap G_inf
   of the section-1 recursion, driven by the observed closed jumps, against the
   observed vertical gap at month ends (monthly steps, floor 0).
6. The long-run mean gap that the fit implies, G_inf + lambda_R J_mean / kappa.
7. One unit for every gap input (model v2.1): today's lead G_0 at the valuation
   date with its uncertainty (the pace's standard error and the ECI scores'
   disagreement across Epoch snapshots, +-0.6 points, drawn with a fixed seed);
   the reference lead G_ref, the mean vertical gap over the window in which
   today's price ratio and usage shares were observed; and the conversion of
   Epoch's horizontal months into this vertical unit.

The presets cite these numbers as `derived: data/fit_gap.py ...`.
"""

import csv
import math
import os
import random
import sys

sys.dont_write_bytecode = True  # no __pycache__ in data/
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from calibration import (  # noqa: E402,F401  (year_of, records: for fit_premium.py too)
    calibration, first_reach, gap_draws, level, records, value, vertical_gap, year_of)

HERE = os.path.dirname(os.path.abspath(__file__))
SEED = os.path.join(HERE, "models.csv")
WINDOW = (2024.0, 2026.0)  # calendar years used for rates and the fit
SCORE_DOUBT = 0.6  # ECI points: how far the 2026 copies of Epoch's file disagree (data/README.md)
RNG_SEED = 20260101
DRAWS = 20000
# Candidate windows (month ends included) for the observation of today's price
# ratio and usage shares: Nagle & Yue's OpenRouter data (published 2025-11-19)
# and the a16z + OpenRouter study of 2025 (published 2025-12). Neither source
# states its sample window here, so the window is an assumption; these span it.
REF_WINDOWS = [
    ("2025 (the year both studies describe)", 2025.0, 2026.0),
    ("2025-H2 (the months before publication)", 2025.5, 2026.0),
    ("2025-Q2 to Q3 (mid-2025, the a16z peak of open use)", 2025.25, 2025.75),
    ("2024-2025 (the fit window)", 2024.0, 2026.0),
]


def load():
    rows = []
    with open(SEED, newline="") as f:
        for r in csv.DictReader(f):
            if r["score"].strip():
                rows.append((year_of(r["release_date"]), r["weights"], float(r["score"]), r["model"]))
    rows.sort()
    return rows


def quantiles(xs, ps):
    xs = sorted(xs)
    return [xs[min(len(xs) - 1, int(p * len(xs)))] for p in ps]


def month_ends(a, b):
    """Month-end times (as decimal years) in [a, b]."""
    out, k = [], 1
    while a + k / 12 <= b + 1e-9:
        out.append(a + k / 12)
        k += 1
    return out


def simulate(h, g_inf, g0, t0, jumps, grid):
    """Section-1 recursion on a monthly grid with the observed jumps, floor 0."""
    kappa = math.log(2) / h
    dt = 1 / 12
    g, t, out = g0, t0, []
    for tg in grid:
        while t < tg - 1e-9:
            jump = sum(j for (tj, j) in jumps if t < tj <= t + dt + 1e-12)
            g = max(0.0, g + (1 - math.exp(-kappa * dt)) * (g_inf - g) + jump)
            t += dt
        out.append(g)
    return out


def main():
    cal = calibration()
    rows = load()
    closed = records(rows, "closed")
    opened = records(rows, "open")
    a, b = WINDOW

    # 1. Frontier pace (calibrate: OLS of the closed records on their dates).
    slope, pace = value(cal, "pace"), cal["parameters"]["pace"]
    print(f"closed frontier records {a - 1:.0f}-{b - 1:.0f}: {pace['n']}; pace s = {slope:.2f} ECI points/year")

    # 2. Vertical gap (calibrate's month ends).
    grid, vert = map(list, zip(*cal["curves"][("gap.vertical", "data")]))
    g_now = vert[-1]
    print(f"vertical gap, month ends {a:.0f}-{b - 1:.0f}: mean {sum(vert) / len(vert):.2f} months, "
          f"min {min(vert):.2f}, max {max(vert):.2f}")
    print(f"vertical gap at {b:.0f}-01-01 (G_0): {g_now:.2f} months "
          f"(closed {level(closed, b):.2f} vs open {level(opened, b):.2f})")
    mid = [v for t, v in zip(grid, vert) if t > b - 1.0]
    print(f"vertical gap, month ends of {b - 1:.0f}: mean {sum(mid) / len(mid):.2f} months")

    # 3. Horizontal lag at each open record (Epoch's measure).
    lags = []
    for t, s, m in opened:
        if a <= t < b:
            reach = first_reach(closed, s)
            lag = 12 * (t - reach) if reach is not None and reach <= t else 0.0
            lags.append(lag)
            print(f"  open record {m:<40s} {s:7.2f}: horizontal lag {lag:5.2f} months")
    print(f"horizontal lag at open records {a:.0f}-{b - 1:.0f}: mean {sum(lags) / len(lags):.2f} months (n = {len(lags)})")
    hor = []
    for t in grid:
        o = level(opened, t)
        reach = first_reach(closed, o)
        hor.append(12 * (t - reach) if reach is not None and reach <= t else 0.0)
    print(f"horizontal lag, month ends: mean {sum(hor) / len(hor):.2f} months, at {b:.0f}-01-01 {hor[-1]:.2f}")

    # 4. Closed frontier releases as jumps (calibrate: Poisson rate, jump mean and sd).
    prev = None
    jumps = []
    for t, s, m in closed:
        if prev is not None and a <= t < b:
            jumps.append((t, 12 * (s - prev) / slope))
        prev = s
    lam, jm, jsd = value(cal, "gap.release_rate"), value(cal, "gap.jump_mean"), value(cal, "gap.jump_sd")
    print(f"closed frontier releases: lambda_R = {lam:.2f}/year; jump J mean {jm:.2f} months, sd {jsd:.2f} "
          f"(lambda_R J_mean = {lam * jm:.2f} months/year)")

    # 5. Least-squares fit of h and G_inf (calibrate's grid search), and its profile.
    g_start = vertical_gap(closed, opened, a, slope)
    h, g_inf = value(cal, "gap.half_life"), value(cal, "gap.long_run")
    rmse = cal["parameters"]["gap.half_life"]["statistic_value"]
    kappa = math.log(2) / h
    print(f"fit: half-life h = {h:.2f} years (kappa = {kappa:.2f}/year), G_inf = {g_inf:.2f} months, "
          f"rmse {rmse:.2f} months")
    # Profile: the best G_inf at a few fixed half-lives.
    for hf in (0.08, 0.1, 0.15, 0.2, 0.25, 0.5, 1.0):
        bp = min(
            (sum((x - y) ** 2 for x, y in zip(simulate(hf, k / 20, g_start, a, jumps, grid), vert)), k / 20)
            for k in range(-60, 121)
        )
        print(f"  profile h = {hf:.2f}: best G_inf = {bp[1]:.2f}, rmse {math.sqrt(bp[0] / len(grid)):.2f}")

    # 6. Implied long-run mean.
    print(f"implied long-run mean gap G_inf + lambda_R J_mean / kappa = {g_inf + lam * jm / kappa:.2f} months")

    # 7. One unit: today's lead, the reference lead, Epoch's horizontal months.
    se = pace["se"]
    print(f"pace s = {slope:.2f} ECI points/year, SE {se:.2f} ({pace['n']} records)")
    rng = random.Random(RNG_SEED)
    g0s = gap_draws(rng, slope, se, level(closed, b), level(opened, b), SCORE_DOUBT, DRAWS)
    q = quantiles(g0s, [0.05, 0.5, 0.95])
    m0 = sum(g0s) / len(g0s)
    sd0 = math.sqrt(sum((x - m0) ** 2 for x in g0s) / (len(g0s) - 1))
    print(f"G_0 at {b:.0f}-01-01 with its uncertainty (seed {RNG_SEED}, {DRAWS} draws): mean {m0:.2f}, sd {sd0:.2f}, "
          f"5/50/95% {q[0]:.2f} / {q[1]:.2f} / {q[2]:.2f} months")
    means = []
    for name, lo, hi in REF_WINDOWS:
        w = [v for t, v in zip(grid, vert) if lo < t <= hi + 1e-9]
        means.append(sum(w) / len(w))
        print(f"  reference lead over {name}: mean vertical gap {means[-1]:.2f} months ({len(w)} month ends)")
    print(f"recommend prices.reference_lead = triangular(lo {min(means):.2f}, mode {means[0]:.2f}, hi {max(means):.2f}) "
          f"months; gap.initial = normal(mean {g_now:.2f}, sd {sd0:.2f})")
    ratio = (sum(vert) / len(vert)) / (sum(hor) / len(hor))
    print(f"horizontal to vertical: mean vertical / mean horizontal gap at month ends {a:.0f}-{b - 1:.0f} = {ratio:.2f}; "
          f"Epoch's 3.5 horizontal months (90% CI 1.1-5.3, 2025-10-30) = {3.5 * ratio:.2f} vertical months "
          f"({1.1 * ratio:.2f}-{5.3 * ratio:.2f})")


if __name__ == "__main__":
    main()
