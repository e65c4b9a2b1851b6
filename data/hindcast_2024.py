#!/usr/bin/env python3
"""The fit-derived inputs of presets/hindcast_2024.toml, from data dated before 2024-01-01.

Standard library only. Run from anywhere:

    python3 data/hindcast_2024.py

What `aibubble calibrate data/models.csv --as-of 2024-01-01` identifies is
taken from calibrate itself (through data/calibration.py, as the fit
scripts do): the horizontal lag L and the release rate per lab
(`attractiveness.jump_rate`). Calibrate identifies nothing else before 2024:
its frontier pace needs three closed records and the window has one
(GPT-4), so G_0, the jumps, h and G_inf are "not identified: no frontier
pace"; its price curves need two priced frontier-tier releases of a class.
For those the script applies the same methods to the rows of
data/models.csv released before 2024-01-01, with the one change each step
says (the pace from the open records). Where 2023 alone cannot identify a
number either, the script says so and the preset takes an `assumption:`:

0. From calibrate --as-of 2024-01-01: L (months) and lambda_a (per lab-year),
   with their SEs.

1. Frontier pace s (ECI points a year). fit_gap.py regresses the closed
   records' scores on their dates; before 2024 the seed file has one closed
   record (GPT-4, 2023-03-14), so the pace is the slope of the open records
   of 2023 (LLaMA-65B, Llama 2 70B, Mixtral 8x7B) instead: the open frontier
   was the part of the field that moved in 2023.
2. The vertical gap G(t) = 12 (C(t) - O(t)) / s at month ends of 2023 (from
   the first month end after both classes have a score) and G_0 at
   2024-01-01, with its sd from the pace's SE and the scores' doubt (+-0.6
   points, as fit_gap.py), by seeded draws.
3. The catch-up fit (h, G_inf) of the section-1 recursion to those month
   ends: with no closed record after GPT-4 there are no jumps in the window.
4. Closed releases per lab per year: calibrate's ML estimate (step 0); the
   script prints the plain 2023 count beside it as a check.
5. The premium: the priced rows before 2024 (closed and open, with an ECI
   score) are too few for fit_premium.py's five-coefficient regression.
6. The price ratio at the end of 2023: blended (3:1) list prices of the
   best open and closed models on sale at 2024-01-01.
"""

import csv
import math
import os
import random
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from calibration import calibration, gap_draws, level, records, value, vertical_gap, year_of  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
SEED = os.path.join(HERE, "models.csv")
AS_OF = 2024.0
AS_OF_DATE = "2024-01-01"
SCORE_DOUBT = 0.6
RNG_SEED = 20240101
DRAWS = 20000
CLOSED_LABS = {"OpenAI", "Anthropic", "Google DeepMind", "xAI"}


def load():
    with open(SEED, newline="") as f:
        rows = [r for r in csv.DictReader(f) if year_of(r["release_date"]) < AS_OF]
    return sorted(rows, key=lambda r: r["release_date"])


def ols(xs, ys):
    n = len(xs)
    mx, my = sum(xs) / n, sum(ys) / n
    sxx = sum((x - mx) ** 2 for x in xs)
    b = sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / sxx
    a = my - b * mx
    rss = sum((y - a - b * x) ** 2 for x, y in zip(xs, ys))
    se = math.sqrt(rss / (n - 2) / sxx) if n > 2 else math.inf
    return a, b, se


def simulate(h, g_inf, g0, grid, t0):
    kappa = math.log(2) / h
    out, g, t = [], g0, t0
    for tg in grid:
        while t < tg - 1e-9:
            g = max(0.0, g + (1 - math.exp(-kappa / 12)) * (g_inf - g))
            t += 1 / 12
        out.append(g)
    return out


def main():
    # 0. What calibrate identifies from the rows before the as-of date.
    cal = calibration(AS_OF_DATE)
    lag = cal["parameters"]["horizontal_lag"]
    jr = cal["parameters"]["attractiveness.jump_rate"]
    print(f"0. calibrate --as-of {AS_OF_DATE}: horizontal lag L = {value(cal, 'horizontal_lag'):.2f} months "
          f"(SE {lag['se']:.2f}, n {lag['n']}); attractiveness.jump_rate = "
          f"{value(cal, 'attractiveness.jump_rate'):.2f} per lab-year (SE {jr['se']:.2f}, n {jr['n']})")
    for name in ("pace", "gap.initial", "gap.half_life", "gap.long_run", "prices.ratio_0", "prices.premium_sensitivity"):
        p = cal["parameters"][name]
        if p["value"] is None:
            print(f"   {name}: {p['note']}")

    rows = load()
    print(f"rows of data/models.csv released before 2024-01-01: {len(rows)}")
    scored = [(year_of(r["release_date"]), r["weights"], float(r["score"]), r["model"]) for r in rows if r["score"].strip()]
    closed, opened = records(scored, "closed"), records(scored, "open")
    print("closed records:", [(m, s) for _, s, m in closed])
    print("open records:  ", [(m, s) for _, s, m in opened])

    # 1. Pace from the open records of 2023 (one closed record only).
    _, pace, pace_se = ols([t for t, _, _ in opened], [s for _, s, _ in opened])
    print(f"1. pace s = {pace:.2f} ECI points/year (SE {pace_se:.2f}, {len(opened)} open records of 2023)")

    # 2. Vertical gap at month ends of 2023 and at 2024-01-01.
    first = max(closed[0][0], opened[0][0])
    grid = [2023 + k / 12 for k in range(1, 13) if 2023 + k / 12 >= first]
    vert = [vertical_gap(closed, opened, t, pace) for t in grid]
    print("2. vertical gap at month ends:", " ".join(f"{v:.2f}" for v in vert))
    c0, o0 = level(closed, AS_OF), level(opened, AS_OF)
    g0 = vertical_gap(closed, opened, AS_OF, pace)
    draws = sorted(gap_draws(random.Random(RNG_SEED), pace, pace_se, c0, o0, SCORE_DOUBT, DRAWS))
    m = sum(draws) / len(draws)
    sd = math.sqrt(sum((x - m) ** 2 for x in draws) / (len(draws) - 1))
    med = draws[len(draws) // 2]
    print(f"   G_0 at 2024-01-01 = {g0:.2f} months (closed {c0} vs open {o0}); draws: mean {m:.2f}, "
          f"median {med:.2f}, sd {sd:.2f} (seed {RNG_SEED})")
    print(f"   mean vertical gap over 2023's month ends: {sum(vert) / len(vert):.2f} months")

    # 3. Catch-up fit with no jumps.
    best = None
    for i in range(5, 301):
        h = i / 100
        for k in range(-60, 241):
            sim = simulate(h, k / 20, vert[0], grid[1:], grid[0])
            sse = sum((x - y) ** 2 for x, y in zip(sim, vert[1:]))
            if best is None or sse < best[0]:
                best = (sse, h, k / 20)
    sse, h, g_inf = best
    print(f"3. catch-up fit: h = {h:.2f} years, G_inf = {g_inf:.2f} months, rmse {math.sqrt(sse / (len(vert) - 1)):.2f} "
          f"({len(vert) - 1} month ends, no closed jumps in the window)")

    # 4. Closed releases per lab in 2023.
    rel = [r for r in rows if r["weights"] == "closed" and r["lab"] in CLOSED_LABS and r["release_date"] >= "2023"]
    lam = len(rel) / len(CLOSED_LABS)
    print(f"4. closed releases in 2023: {len(rel)} ({', '.join(r['model'] for r in rel)}) over "
          f"{len(CLOSED_LABS)} labs = {lam:.2f} a year per lab (a plain count; the preset takes calibrate's "
          f"{value(cal, 'attractiveness.jump_rate'):.2f}, step 0)")

    # 5. Priced rows.
    priced = [r for r in rows if r["input_price_usd_per_mtok"].strip() and r["output_price_usd_per_mtok"].strip()
              and r["score"].strip()]
    print(f"5. priced rows with a score before 2024: {len(priced)} "
          f"({sum(r['weights'] == 'closed' for r in priced)} closed): too few for fit_premium.py's 5 coefficients")

    # 6. Price ratio at 2024-01-01, blended 3:1.
    def blended(r):
        return (3 * float(r["input_price_usd_per_mtok"]) + float(r["output_price_usd_per_mtok"])) / 4

    for r in priced:
        print(f"   {r['release_date']} {r['model']:<28s} {r['weights']:<6s} ECI {r['score']:>7s} blended ${blended(r):.3f}")
    best_open = max((r for r in priced if r["weights"] == "open"), key=lambda r: float(r["score"]))
    closed_priced = [r for r in priced if r["weights"] == "closed"]
    ratios = [blended(best_open) / blended(c) for c in closed_priced]
    print(f"6. price ratio, best priced open ({best_open['model']}) over each priced closed model: "
          + ", ".join(f"{c['model']} {x:.4f}" for c, x in zip(closed_priced, ratios)))


if __name__ == "__main__":
    main()
