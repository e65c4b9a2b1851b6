#!/usr/bin/env python3
"""Fit the attractiveness jumps of docs/equations.md §4 (lambda_a, s_a) to the labs' run rates.

numpy only. Run from the repo root:

    .venv/bin/python data/fit_jumps.py

Model: a_i moves by mu_a dt + sigma_a sqrt(dt) Z + (Poisson(lambda_a dt) jumps ~ normal(0, s_a)),
a Levy process with Var(increment over dt) = (sigma_a^2 + lambda_a s_a^2) dt.

1. Run-rate revenue of OpenAI and Anthropic, dated figures from press reports [S]
   only (each row cites its figure); 5 increments. Net log growth of an increment:
   x = ln(R1 / R0) - g_seg dt, with the preset's segment growth (inputs below).
2. Per-lab drift mu_i = sum x / sum dt (ML for a drifting Levy process) and the
   variance per unit time sigma_net^2 = sum (x - mu_i dt)^2 / dt / (n - 2), with a
   chi-square interval (n - 2 = 3 degrees of freedom).
3. lambda_a = closed releases per lab per year in data/models.csv, 2024-2025.
4. s_a = sqrt((sigma_net^2 - sigma_a^2) / lambda_a), with its range.
5. Sensitivity: zero drift kept (the presets' labs.<id>.drift = 0), demand noise
   also subtracted, the end-2025 figures, share dilution in the engine.
6. Under the fitted process with zero drift, the percentile of Anthropic's x5 in
   seven months (2025-01 to 2025-08) net of segment growth: simulation, seeded,
   checked against the exact Poisson mixture of normals.

This fit sees 2025: a hindcast that starts in 2024 must not use it.
"""

import csv
import math
import os
import sys
from datetime import date

import numpy as np

sys.dont_write_bytecode = True  # no __pycache__ in data/
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from calibration import calibration, value  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
SEED_CSV = os.path.join(HERE, "models.csv")

# Inputs (presets/baseline.toml): segment growth today of each lab's main segment, noises.
# Model v2.1's growth_0 means (data/fit_growth.py: the fit to the projections plus
# the mean projection error +0.405 a year): API work for Anthropic, consumer for OpenAI.
G_SEG = {"anthropic": 1.870, "openai": 1.457}
SIGMA_A = 0.15  # attractiveness.sigma (mode)
SIGMA_DEMAND = 0.30  # demand.sigma (median; common to segments; subtracted only in a sensitivity line)
# Closed-lab weights and spend_0 by segment (baseline), for the share-dilution line.
SPEND = {"consumer": 17.3, "enterprise": 12.8, "frontier": 6.3}
WEIGHTS = {"openai": (0.7808, 0.3659, 0.4132), "anthropic": (0.048, 0.4634, 0.4959),
           "google": (0.1502, 0.1626, 0.0826), "xai": (0.021, 0.0081, 0.0083)}
SEED, NSIM = 20260204, 2_000_000
HORIZON = 7 / 12  # Anthropic's x5: 2025-01 to 2025-08

# (lab, date as month 'YYYY-MM' (mid-month) or 'end-YYYY', run rate USD bn/yr, source);
# every figure dated before 2026-01-01 (data/run_rates.csv). The year-end figures
# are the labs' own statements, made before the year end, of where they would be.
RUN_RATES = [
    ("anthropic", "2025-01", 1.0, "Anthropic, Series F announcement [2025-09-02] [P]: about $1B at the start of 2025"),
    ("anthropic", "2025-08", 5.0, "same [2025-09-02] [P]: above $5B by 2025-08; $1B to $5B in seven months"),
    ("anthropic", "2025-10", 7.0, "press reports [2025-10] [S]: about $7B"),
    ("anthropic", "end-2025", 9.0, "The Information and Reuters [2025-10] [S]: $9B targeted by the end of 2025"),
    ("openai", "2024-12", 5.5, "press reports [2025-06] [S]: about $5.5B at the end of 2024"),
    ("openai", "2025-06", 10.0, "OpenAI to CNBC [2025-06] [P]: $10B"),
    ("openai", "end-2025", 20.0, "Sam Altman on X [2025-11-06] [P]: above $20B by the end of 2025; a lower bound"),
]


def when(s):
    if s.startswith("end-"):
        return int(s[4:]) + 1.0
    y, m = map(int, s.split("-"))
    return y + (m - 0.5) / 12


def chi2_cdf(x, k):
    """Regularized lower incomplete gamma P(k/2, x/2), by its series."""
    a, z = k / 2, x / 2
    if z <= 0:
        return 0.0
    term = total = 1 / a
    n = 1
    while term > 1e-15 * total and n < 10000:
        term *= z / (a + n)
        total += term
        n += 1
    return math.exp(a * math.log(z) - z - math.lgamma(a)) * total


def chi2_ppf(p, k):
    lo, hi = 0.0, 1000.0
    for _ in range(200):
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if chi2_cdf(mid, k) < p else (lo, mid)
    return (lo + hi) / 2


def increments(rates):
    out = []
    for lab in G_SEG:
        pts = [(when(d), v) for l, d, v, _ in rates if l == lab]
        for (t0, v0), (t1, v1) in zip(pts, pts[1:]):
            dt = t1 - t0
            out.append((lab, t0, dt, math.log(v1 / v0), math.log(v1 / v0) - G_SEG[lab] * dt))
    return out


def fit(inc, drift=True):
    """Per-lab drifts and sigma_net^2 (per year); dof = n - number of drifts."""
    mu = {lab: (sum(x for l, _, _, _, x in inc if l == lab) / sum(dt for l, _, dt, _, _ in inc if l == lab)
                if drift else 0.0) for lab in G_SEG}
    ss = sum((x - mu[l] * dt) ** 2 / dt for l, _, dt, _, x in inc)
    dof = len(inc) - (len(G_SEG) if drift else 0)
    return mu, ss / dof, dof


def releases():
    """Closed releases 2024-2025 per lab: rows, distinct dates, new lab-best ECI."""
    rows = []
    with open(SEED_CSV, newline="") as f:
        for r in csv.DictReader(f):
            if r["weights"] == "closed":
                rows.append((r["release_date"], r["lab"], float(r["score"]) if r["score"] else None, r["model"]))
    rows.sort()
    labs = sorted({lab for _, lab, _, _ in rows})
    best, out = {}, {}
    for d, lab, s, m in rows:
        new = s is not None and s > best.get(lab, -1.0)
        if s is not None:
            best[lab] = max(best.get(lab, -1.0), s)
        if "2024-01-01" <= d < "2026-01-01":
            c = out.setdefault(lab, [0, set(), 0, []])
            c[0] += 1
            c[1].add(d)
            c[2] += new
            c[3].append(m)
    return labs, out


def s_of(var, lam, sub=SIGMA_A ** 2):
    return math.sqrt(max(0.0, var - sub) / lam)


def percentile(x, lam, s_a, T=HORIZON, seed=SEED):
    rng = np.random.default_rng(seed)
    n = rng.poisson(lam * T, NSIM)
    v = SIGMA_A * math.sqrt(T) * rng.standard_normal(NSIM) + s_a * np.sqrt(n) * rng.standard_normal(NSIM)
    sim = 100 * np.mean(v < x)
    exact, k, pk = 0.0, 0, math.exp(-lam * T)
    while k < 200:
        sd = math.sqrt(SIGMA_A ** 2 * T + k * s_a ** 2)
        exact += pk * 0.5 * (1 + math.erf(x / (sd * math.sqrt(2))))
        k += 1
        pk *= lam * T / k
    return sim, 100 * exact


def main():
    print("run rates (USD bn a year):")
    for lab, d, v, src in RUN_RATES:
        print(f"  {lab:9s} {d:8s} {v:5.1f}  {src}")
    inc = increments(RUN_RATES)
    print(f"increments (net = log growth - segment growth dt; segment growth {G_SEG}):")
    for lab, t0, dt, lg, x in inc:
        print(f"  {lab:9s} from {t0:.3f} over {12 * dt:4.1f} months: log growth {lg:.3f}, net {x:+.3f}")
    mu, var, dof = fit(inc)
    q_hi, q_lo = chi2_ppf(0.975, dof), chi2_ppf(0.025, dof)
    v_lo, v_hi = var * dof / q_hi, var * dof / q_lo
    print("per-lab drift net of segment growth: " + ", ".join(f"{k} {v:+.2f}/yr" for k, v in mu.items()))
    # ML drift of a drifting Levy process: Var(mu_i) = sigma_net^2 / (sum of the lab's dt).
    se = {lab: math.sqrt(var / sum(dt for l, _, dt, _, _ in inc if l == lab)) for lab in G_SEG}
    print("recommend labs.<id>.drift = " + ", ".join(
        f"{k}: normal(mean {mu[k]:+.2f}, sd {se[k]:.2f})" for k in G_SEG)
        + " (the estimate and its standard error; a revenue drift read as an attractiveness drift, share dilution ignored)")
    print(f"sigma_net^2 = {var:.4f}/yr (sigma_net {math.sqrt(var):.3f}), n = {len(inc)} increments, dof = {dof}; "
          f"95% chi-square interval {v_lo:.4f}-{v_hi:.3f} (sigma {math.sqrt(v_lo):.3f}-{math.sqrt(v_hi):.3f})")

    labs, rel = releases()
    print("closed releases in models.csv, 2024-2025 (rows / distinct dates / new lab-best ECI):")
    for lab in labs:
        c = rel[lab]
        print(f"  {lab:16s} {c[0]:2d} / {len(c[1]):2d} / {c[2]:2d}: {', '.join(c[3])}")
    years = 2.0 * len(labs)
    lam_rows = sum(c[0] for c in rel.values()) / years
    lam = value(calibration(), "attractiveness.jump_rate")  # aibubble calibrate: the same count, Poisson ML
    assert abs(lam - sum(len(c[1]) for c in rel.values()) / years) < 1e-12
    lam_rec = sum(c[2] for c in rel.values()) / years
    print(f"lambda_a per lab-year: {lam:.2f} counting distinct release dates (same-day launches as one), "
          f"{lam_rows:.2f} counting every row, {lam_rec:.2f} counting new lab-best ECI only")

    s_a = s_of(var, lam)
    s_lo, s_hi = s_of(v_lo, lam), s_of(v_hi, lam)
    print(f"s_a = sqrt((sigma_net^2 - sigma_a^2) / lambda_a) = {s_a:.3f} (95% range {s_lo:.3f}-{s_hi:.3f}); "
          f"with lambda_a {lam_rows:.2f}: {s_of(var, lam_rows):.3f}, with {lam_rec:.2f}: {s_of(var, lam_rec):.3f}")
    print("sensitivity of sigma_net^2 and s_a:")
    mu0, var0, dof0 = fit(inc, drift=False)
    print(f"  zero drift kept (labs' drift = 0 in the presets): sigma_net^2 {var0:.3f} (dof {dof0}), "
          f"s_a {s_of(var0, lam):.3f}")
    print(f"  demand noise also subtracted: s_a {s_of(var, lam, SIGMA_A ** 2 + SIGMA_DEMAND ** 2):.3f}")
    for label, lab, d, v in [("Anthropic end-2025 at its $7B of 2025-10 (no target)", "anthropic", "end-2025", 7.0),
                             ("Anthropic end-2025 at 10", "anthropic", "end-2025", 10.0),
                             ("OpenAI end-2025 at 22", "openai", "end-2025", 22.0)]:
        alt = [(l, dd, (v if (l, dd) == (lab, d) else vv), s) for l, dd, vv, s in RUN_RATES]
        _, va, _ = fit(increments(alt))
        print(f"  {label}: sigma_net^2 {va:.4f}, s_a {s_of(va, lam):.3f}")
    # Share dilution: d ln m_i = sum_j (delta_ij - m_j) da_j, so Var(net_i) = k_i (sigma_a^2 + lambda s_a^2).
    seg = list(SPEND)
    tot = {s: sum(WEIGHTS[j][k] for j in WEIGHTS) for k, s in enumerate(seg)}
    kf = {}
    for lab in G_SEG:
        rev = [SPEND[s] * WEIGHTS[lab][k] / tot[s] for k, s in enumerate(seg)]
        kk = [sum(((j == lab) - WEIGHTS[j][k] / tot[s]) ** 2 for j in WEIGHTS) for k, s in enumerate(seg)]
        kf[lab] = sum(r * q for r, q in zip(rev, kk)) / sum(rev)
    var_k = sum((x - mu[l] * dt) ** 2 / dt / kf[l] for l, _, dt, _, x in inc) / dof
    print("  share dilution (engine: a jump J in a_i moves R_i by (1 - m_i) J, rivals' jumps by -m_j J; baseline "
          "weights): variance factor " + ", ".join(f"{k} {v:.2f}" for k, v in kf.items())
          + f"; attractiveness-scale sigma^2 {var_k:.4f}, s_a {s_of(var_k, lam):.3f}")

    x5 = math.log(5.0) - G_SEG["anthropic"] * HORIZON
    print(f"Anthropic x5 in seven months, net of segment growth: ln 5 - {G_SEG['anthropic']} x 7/12 = {x5:.3f}")
    for label, sa in [("fitted", s_a), ("95% upper", s_hi), ("zero-drift variance", s_of(var0, lam))]:
        sim, exact = percentile(x5, lam, sa)
        print(f"  percentile under sigma_a {SIGMA_A}, lambda_a {lam:.2f}, s_a {sa:.3f} ({label}), zero drift: "
              f"{sim:.3f} (simulated, seed {SEED}, {NSIM} draws; exact {exact:.3f})")
    sim, exact = percentile(x5 - mu["anthropic"] * HORIZON, lam, s_a)
    print(f"  with Anthropic's fitted drift {mu['anthropic']:+.2f}/yr added: {sim:.1f} (exact {exact:.1f})")
    print("WARNING: this fit uses 2025 run rates; a hindcast that starts in 2024 must not use it.")

    s_med = s_of(var * dof / chi2_ppf(0.5, dof), lam)
    print(f"recommend attractiveness.jump_rate = {lam:.1f} (range {lam_rec:.1f}-{lam_rows:.1f}); "
          f"attractiveness.jump_sd = pert(lo {s_lo:.2f}, mode {s_a:.2f}, hi {s_hi:.2f}) (mean "
          f"{(s_lo + 4 * s_a + s_hi) / 6:.2f}; the chi-square posterior median of s_a is {s_med:.2f})")
    print("citation jump_rate: derived: data/fit_jumps.py, closed-lab releases in models.csv 2024-2025, "
          f"same-day launches counted once: {sum(len(c[1]) for c in rel.values())} over {len(labs)} labs x 2 years = "
          f"{lam:.1f} a lab-year ({lam_rows:.1f} counting every row, {lam_rec:.1f} counting new lab-best ECI only); "
          "the seed file omits some releases, so this is a lower bound.")
    print("citation jump_sd: derived: data/fit_jumps.py, 5 increments of OpenAI's and Anthropic's run rates "
          "(data/run_rates.csv [2025-01 to 2025-11-06]: Anthropic $1B 2025-01, $5B 2025-08, $7B 2025-10, $9B targeted for "
          f"end-2025; OpenAI $5.5B 2024-12, $10B 2025-06, >$20B stated for end-2025) net of segment growth "
          f"({G_SEG['anthropic']}, {G_SEG['openai']} a year), per-lab drifts removed: "
          f"sigma_net = {math.sqrt(var):.2f}/sqrt(yr) (95% {math.sqrt(v_lo):.2f}-{math.sqrt(v_hi):.2f}, chi-square, "
          f"3 dof); s_a = sqrt((sigma_net^2 - {SIGMA_A}^2) / {lam:.1f}) = {s_a:.2f} (range {s_lo:.2f}-{s_hi:.2f}). "
          f"Anthropic's 2025 growth was drift (+{mu['anthropic']:.1f}/yr net), not noise: with zero drift its x5 in "
          "seven months lies far in the tail of this process. Uses 2025 data: not for hindcasts from 2024.")


if __name__ == "__main__":
    main()
