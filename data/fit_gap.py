#!/usr/bin/env python3
"""Fit the performance-gap inputs of docs/equations.md §1 to data/models_seed.csv.

Standard library only (csv, math). Run from anywhere:

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

The presets cite these numbers as `derived: data/fit_gap.py ...`.
"""

import csv
import math
import os
from datetime import date

HERE = os.path.dirname(os.path.abspath(__file__))
SEED = os.path.join(HERE, "models_seed.csv")
WINDOW = (2024.0, 2026.0)  # calendar years used for rates and the fit


def year_of(iso):
    d = date.fromisoformat(iso)
    start = date(d.year, 1, 1)
    length = (date(d.year + 1, 1, 1) - start).days
    return d.year + (d - start).days / length


def load():
    rows = []
    with open(SEED, newline="") as f:
        for r in csv.DictReader(f):
            if r["score"].strip():
                rows.append((year_of(r["release_date"]), r["weights"], float(r["score"]), r["model"]))
    rows.sort()
    return rows


def records(rows, weights):
    """(time, score, model) of each release that beats every earlier one of its class."""
    out, best = [], -math.inf
    for t, w, s, m in rows:
        if w == weights and s > best:
            best = s
            out.append((t, s, m))
    return out


def level(recs, t):
    """Best score released by time t (None before the first)."""
    v = None
    for rt, s, _ in recs:
        if rt <= t + 1e-12:
            v = s
    return v


def first_reach(recs, score):
    """Earliest release time at which the class reached `score`."""
    for rt, s, _ in recs:
        if s >= score:
            return rt
    return None


def ols(xs, ys):
    n = len(xs)
    mx, my = sum(xs) / n, sum(ys) / n
    sxx = sum((x - mx) ** 2 for x in xs)
    sxy = sum((x - mx) * (y - my) for x, y in zip(xs, ys))
    b = sxy / sxx
    return my - b * mx, b


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
    rows = load()
    closed = records(rows, "closed")
    opened = records(rows, "open")
    a, b = WINDOW

    # 1. Frontier pace.
    cw = [(t, s) for t, s, _ in closed if a - 1.0 <= t < b]
    _, slope = ols([t for t, _ in cw], [s for _, s in cw])
    print(f"closed frontier records {a - 1:.0f}-{b - 1:.0f}: {len(cw)}; pace s = {slope:.2f} ECI points/year")

    # 2. Vertical gap.
    grid = month_ends(a, b)
    vert = [12 * (level(closed, t) - level(opened, t)) / slope for t in grid]
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

    # 4. Closed frontier releases as jumps.
    prev = None
    jumps = []
    for t, s, m in closed:
        if prev is not None and a <= t < b:
            jumps.append((t, 12 * (s - prev) / slope))
        prev = s
    lam = len(jumps) / (b - a)
    js = [j for _, j in jumps]
    jm = sum(js) / len(js)
    jsd = math.sqrt(sum((j - jm) ** 2 for j in js) / (len(js) - 1))
    print(f"closed frontier releases: lambda_R = {lam:.2f}/year; jump J mean {jm:.2f} months, sd {jsd:.2f} "
          f"(lambda_R J_mean = {lam * jm:.2f} months/year)")

    # 5. Least-squares fit of h and G_inf.
    g_start = 12 * (level(closed, a) - level(opened, a)) / slope
    best = None
    for i in range(5, 301):
        h = i / 100
        for k in range(-60, 121):
            g_inf = k / 20
            sim = simulate(h, g_inf, g_start, a, jumps, grid)
            sse = sum((x - y) ** 2 for x, y in zip(sim, vert))
            if best is None or sse < best[0]:
                best = (sse, h, g_inf)
    sse, h, g_inf = best
    rmse = math.sqrt(sse / len(grid))
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


if __name__ == "__main__":
    main()
