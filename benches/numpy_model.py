"""An independent NumPy implementation of the aibubble model (v2.1), for comparison.

It is what a user would write in a notebook instead of calling aibubble: the
equations of docs/equations.md, vectorised over paths (arrays of shape
(paths,), (paths, segments) or (paths, labs)), with one Python loop over the
time steps. It takes the engine's drawn inputs (``Result.inputs()``: one
column per uncertain field path) and implements only the dynamics; its
process noise, jumps and event uniforms come from NumPy's generator, so it
agrees with the engine exactly in deterministic mode and statistically
otherwise (tests/python/test_numpy_model.py).

Implemented: sections 1-6 (gap with release jumps, reference prices, the
one-way and symmetric pressure, CES and mean demand, absolute and relative
price effect, attractiveness with jumps, margins with pass-through and floor,
resale, taxes with a loss pool, terminal "steady" and "last", marks on
revenue or gross profit with given or steady mature multiples, pops,
crunches, hazard and dated events with every target and the price scale) and
the process-shock correlation of section 7. Not implemented: time-series
sketches and summaries other than the per-path metrics below, the
frozen-competition counterfactual, and input tables (the inputs are given).
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from typing import Dict, List, Optional

import numpy as np


def _num(v: object) -> Optional[float]:
    if isinstance(v, bool):
        return None
    if isinstance(v, (int, float)):
        return float(v)
    if isinstance(v, dict) and v.get("dist") == "fixed":
        return float(v["value"])
    return None


def _core(scenario):
    """The extension's scenario behind the Python facade (either is accepted)."""
    return getattr(scenario, "_inner", scenario)


class Values:
    """Each numeric field's value: a float, or an array over paths for a drawn input."""

    def __init__(self, scenario, names: List[str], table: np.ndarray, paths: int) -> None:
        self.n = paths
        self.v: Dict[str, object] = {}
        for path, value, _unit, _domain, _uncertain in _core(scenario).fields():
            x = _num(json.loads(value))
            if x is not None:
                self.v[path] = x
        for j, name in enumerate(names):
            self.v[name] = np.ascontiguousarray(table[:, j], dtype=np.float64)

    def has(self, path: str) -> bool:
        return path in self.v

    def __call__(self, path: str, default: Optional[float] = None):
        if path in self.v:
            return self.v[path]
        if default is None:
            raise KeyError(path)
        return default

    def col(self, path: str, default: Optional[float] = None) -> np.ndarray:
        """The value as an array over paths (a broadcast view for a plain number)."""
        return np.broadcast_to(np.asarray(self(path, default), dtype=np.float64), (self.n,))

    def stack(self, paths: List[str], default: Optional[float] = None) -> np.ndarray:
        """Several fields side by side: shape (paths, len(paths))."""
        out = np.empty((self.n, len(paths)))
        for j, p in enumerate(paths):
            out[:, j] = self.col(p, default)
        return out


@dataclass
class Output:
    """Per-path metrics, shape (paths, labs) unless noted."""

    labs: List[str]
    marked: np.ndarray  # (labs,) bool
    closed: np.ndarray  # (labs,) bool
    fair_value: np.ndarray
    pv: np.ndarray
    phi: np.ndarray
    pop_time: np.ndarray
    crunch_time: np.ndarray
    mark: np.ndarray  # V0, (paths, labs), NaN without a mark
    years: List[int]
    revenue_by_year: Optional[np.ndarray]  # (paths, labs, years)
    fcf_by_year: Optional[np.ndarray]
    event_times: np.ndarray  # (paths, events)

    def sector_fair_value(self) -> np.ndarray:
        """Per path, the sum of E over the closed labs with a mark."""
        return self.fair_value[:, self.marked & self.closed].sum(axis=1)


def _apply(op: str, x: np.ndarray, v, mask: np.ndarray, log: bool = False) -> None:
    """An event effect on the paths in ``mask``; ``log`` state keeps ln x (mul adds ln v)."""
    v = np.broadcast_to(np.asarray(v, dtype=np.float64), mask.shape)[mask]
    if log:
        if op == "mul":
            x[mask] += np.log(v)
        elif op == "set":
            x[mask] = np.log(v)
        else:
            raise ValueError(f"op {op} on a log state")
    elif op == "add":
        x[mask] += v
    elif op == "mul":
        x[mask] *= v
    elif op == "set":
        x[mask] = v
    else:
        raise ValueError(f"unknown op {op}")


def simulate(scenario, names: List[str], table: np.ndarray, seed: int = 0, keep_years: bool = True) -> Output:
    """Run the model over the paths of the input table (one row per path)."""
    N = table.shape[0]
    val = Values(scenario, names, table, N)
    sc = json.loads(_core(scenario).to_json_expanded())
    if sc.get("counterfactual") is not None:
        raise NotImplementedError(f"counterfactual {sc['counterfactual']!r}: not implemented here")
    rng = np.random.default_rng(seed)

    n = int(sc.get("steps_per_year", 12))
    horizon = float(val("horizon", 10.0))
    start_year = float(val("start_year", 2026.0))
    K = int(round(horizon * n))
    dt = 1.0 / n
    sdt = math.sqrt(dt)
    q_stride = n // 4

    segs = [g["id"] for g in sc["segments"]]
    labs = [lab["id"] for lab in sc["labs"]]
    S, L = len(segs), len(labs)
    closed = np.array([lab["class"] == "closed" for lab in sc["labs"]])

    # --- parameters (per path where drawn)
    val_ = sc.get("valuation", {})
    r = val.col("valuation.discount_rate")
    g_T = val.col("valuation.terminal_growth")
    tau = val.col("valuation.tax_rate", 0.0)
    thr = val.col("valuation.pop_threshold", 0.5)
    steady_tv = val_.get("terminal") == "steady"
    pr = sc.get("prices", {})
    symmetric = pr.get("pressure", "one_way") == "symmetric"
    dem = sc.get("demand", {})
    ces = dem.get("price_index", "ces") == "ces"
    relative = dem.get("price_effect", "absolute") == "relative"

    G0 = val.col("gap.initial")
    G_ref = val.col("prices.reference_lead") if val.has("prices.reference_lead") else G0
    G_inf = val.col("gap.long_run")
    pull_G = -np.expm1(-(math.log(2.0) / val.col("gap.half_life")) * dt)
    sig_G = val.col("gap.sigma", 0.0)
    G_floor = val.col("gap.floor", 0.0)
    lam_R = val.col("gap.release_rate", 0.0)
    J_mean = val.col("gap.jump_mean", 0.0)
    J_sd = val.col("gap.jump_sd", 0.0)
    sig_J2 = np.log1p(np.square(J_sd) / np.where(J_mean > 0, np.square(J_mean), 1.0))
    mu_J = np.log(np.where(J_mean > 0, J_mean, 1.0)) - sig_J2 / 2
    sig_J = np.sqrt(sig_J2)
    gap_jumps = bool(np.any((lam_R > 0) & (J_mean > 0)))

    ratio_0 = val.col("prices.ratio_0")
    d_c = val.col("prices.closed_decline")
    d_rho = val.col("prices.ratio_drift")
    sig_P = val.col("prices.sigma_closed", 0.0)
    sig_rho = val.col("prices.sigma_ratio", 0.0)
    pi_G = val.col("prices.premium_sensitivity", 0.0)
    pull_y = -np.expm1(-val.col("prices.adjustment_speed", 0.0) * dt)
    kappa_m = val.col("prices.pass_through", 0.0)
    y_up = val.col("prices.max_premium_rise", math.log(2.0)) if symmetric else None
    gm_floor = val.col("prices.margin_floor") if val.has("prices.margin_floor") else None
    sig_A = val.col("demand.sigma", 0.0)

    sp = [f"segments.{s}." for s in segs]
    spend_0 = val.stack([p + "spend_0" for p in sp])
    share_0 = val.stack([p + "closed_share_0" for p in sp])
    g0 = val.stack([p + "growth_0" for p in sp])
    ginf = val.stack([p + "growth_inf" for p in sp])
    gtau = val.stack([p + "growth_tau" for p in sp])
    eps = val.stack([p + "elasticity" for p in sp])
    bq = val.stack([p + "beta_quality" for p in sp])
    sub = val.stack([p + "substitution" for p in sp])
    theta = val.stack([p + "switching" for p in sp])
    brand = np.empty((N, S))
    for j, p in enumerate(sp):
        if val.has(p + "brand_premium"):
            brand[:, j] = val.col(p + "brand_premium")
        else:  # today's usage is the equilibrium at the reference lead (y_0 = 0)
            u0 = share_0[:, j]
            brand[:, j] = np.log(u0 / (1 - u0)) - bq[:, j] * G_ref - sub[:, j] * np.log(ratio_0)

    sig_a = val.col("attractiveness.sigma", 0.0)
    lam_a = val.col("attractiveness.jump_rate", 0.0)
    s_a = val.col("attractiveness.jump_sd", 0.0)

    lp = [f"labs.{i}." for i in labs]
    w_paths = [f"{p}weights.{s}" for p in lp for s in segs]
    if any(isinstance(val(p, 0.0), np.ndarray) for p in w_paths):
        W = val.stack(w_paths, 0.0).reshape(N, L, S)
    else:  # plain weights: one (labs, segments) matrix for every path
        W = np.array([val(p, 0.0) for p in w_paths], dtype=np.float64).reshape(1, L, S)
    W_c, W_o = W[:, closed, :], W[:, ~closed, :]
    capture = val.stack([p + "capture" for p in lp], 1.0)
    drift = val.stack([p + "drift" for p in lp], 0.0)
    gm_0 = val.stack([p + "gross_margin_0" for p in lp])
    gm_tau = val.stack([p + "margin_tau" for p in lp])
    gm_inf = val.stack([p + "gross_margin_inf" for p in lp])
    opex = val.stack([p + "opex_ratio" for p in lp])
    committed = val.stack([p + "committed" for p in lp], 0.0)
    psi = val.stack([p + "research_intensity" for p in lp])
    resale = val.stack([p + "resale" for p in lp], 0.0)
    cash = val.stack([p + "cash_0" for p in lp], 0.0)
    cash_0 = cash.copy()
    pool = val.stack([p + "tax_losses_0" for p in lp], 0.0)
    marked = np.array([val.has(p + "mark") for p in lp])
    V0 = val.stack([p + "mark" if val.has(p + "mark") else "start_year" for p in lp])
    V0[:, ~marked] = np.nan
    ghat0 = val.stack([p + "growth_trailing" if m else "start_year" for p, m in zip(lp, marked)])
    gp_basis = np.array([lab.get("mark_basis") == "gross_profit" for lab in sc["labs"]])
    steady_m = np.array([lab.get("mature_multiple", "given") == "steady" for lab in sc["labs"]])
    M_inf = np.full((N, L), np.nan)
    for i, p in enumerate(lp):
        if val.has(p + "multiple_inf"):
            M_inf[:, i] = val.col(p + "multiple_inf")
    M_0 = np.full((N, L), np.nan)
    # Plans: committed compute times the plan at each step's calendar year (flat outside).
    plan = np.zeros((K + 1, L))
    years_t = start_year + np.arange(K + 1) * dt
    for i, lab in enumerate(sc["labs"]):
        pts = lab.get("plan") or []
        if pts:
            plan[:, i] = np.interp(years_t, [a for a, _ in pts], [b for _, b in pts])

    # --- events
    events = sc.get("events", [])
    E = len(events)
    ev_rate, ev_kappa, ev_period, ev_scale = [], [], [], []
    for e in events:
        ep = f"events.{e['id']}."
        ev_scale.append(val.col(ep + "price_scale", 1.0))
        if e.get("date") is None:
            ev_rate.append(val.col(ep + "hazard"))
            ev_kappa.append(val.col(ep + "gap_sensitivity", 0.0))
            ev_period.append(None)
        else:
            j = math.ceil((float(e["date"]) - start_year) * n - 1e-9)
            ev_rate.append(None)
            ev_kappa.append(None)
            ev_period.append(j - 1 if j <= K else -1)
    fired = np.zeros((N, E), dtype=bool)
    event_times = np.full((N, E), np.inf)

    corr = sc.get("correlation", {}).get("process")
    chol = np.linalg.cholesky(np.asarray(corr, dtype=np.float64)) if corr else None

    # --- state
    G = G0.copy()
    lnP = np.zeros(N)
    ln_rt = np.log(ratio_0).copy()
    y = np.zeros(N)
    Ye = np.zeros(N)
    lnA = np.zeros((N, S))
    u = share_0.copy()
    a = np.zeros((N, L))
    gm_inf = gm_inf.copy()
    theta = theta.copy()

    pbar_0 = share_0 + (1 - share_0) * ratio_0[:, None]
    t_ces = 1.0 - sub
    t_zero = t_ces == 0.0
    t_safe = np.where(t_zero, 1.0, t_ces)

    def ln_ces(u_, ln_pc, ln_rho, rho):
        wo = (1 - u_) * rho / (u_ + (1 - u_) * rho)
        lnr = -ln_rho
        return np.where(t_zero, ln_pc - wo * lnr, ln_pc - np.log1p(wo * np.expm1(t_safe * lnr)) / t_safe)

    ln_pi_0 = ln_ces(share_0, np.zeros((N, 1)), np.log(ratio_0)[:, None], ratio_0[:, None])

    hist = np.empty((n, N, L))  # ring buffer of R_{k-n}
    pv = np.zeros((N, L))
    pop = np.full((N, L), np.inf)
    crunch = np.full((N, L), np.inf)
    year_ids = sorted({int(math.floor(start_year + k * dt + 1e-9)) for k in range(K)})
    Y = len(year_ids)
    rev_y = np.zeros((N, L, Y)) if keep_years else None
    fcf_y = np.zeros((N, L, Y)) if keep_years else None
    R0 = None
    disc_H = np.exp(-r * horizon)
    rg = r - g_T

    def margins(ref_inf):
        """Section 4's margin at the current pressure, from a reference margin."""
        gm = ref_inf.copy()
        cut = ref_inf - kappa_m[:, None] * (1 - ref_inf) * np.expm1(y)[:, None]
        gm[:, closed] = cut[:, closed]
        if gm_floor is not None:
            f = np.broadcast_to(gm_floor[:, None], gm.shape)
            low = closed[None, :] & (f > gm)
            gm[low] = f[low]
        return gm

    for k in range(K + 1):
        t = k * dt
        # (1) observe
        P_c = np.exp(lnP) * np.exp(-y)
        ln_rho = ln_rt + y
        rho = np.exp(ln_rho)
        P_o = np.exp(ln_rt) * np.exp(lnP)
        pbar = u * P_c[:, None] + (1 - u) * P_o[:, None]
        A = np.exp(lnA)
        if ces:
            ln_pi = ln_ces(u, np.log(P_c)[:, None], ln_rho[:, None], rho[:, None])
            if relative:
                ln_pi -= lnP[:, None]
            q = spend_0 * A * np.exp((1 - eps) * (ln_pi - ln_pi_0)) / pbar
        else:
            q = spend_0 / pbar_0 * A * (pbar / pbar_0) ** (-eps)
        C = q * u * P_c[:, None]
        O = q * (1 - u) * P_o[:, None]
        ea = np.exp(a)
        R = np.empty((N, L))
        for cls, Wk, pool_s in ((closed, W_c, C), (~closed, W_o, O)):
            wa = Wk * ea[:, cls, None]  # w_{i,s} exp(a_i), (paths, labs of the class, segments)
            D = wa.sum(axis=1)
            with np.errstate(divide="ignore", invalid="ignore"):
                per = np.where(D == 0, 0.0, pool_s / D)
            R[:, cls] = np.einsum("nls,ns->nl", wa, per)
        R *= capture
        ref = gm_inf + (gm_0 - gm_inf) * np.exp(-t / gm_tau)
        gm = margins(ref)
        basis = np.where(gp_basis, R * gm, R)
        if k == 0:
            R0 = R.copy()
            M_0 = np.where(marked, V0 / basis, M_0)
            min_ratio = np.full((N, L), np.inf)
        if marked.any():
            lagged = hist[k % n] if k >= n else R0 * np.exp(ghat0 * (k - n) * dt)
            with np.errstate(divide="ignore", invalid="ignore"):
                ratio = np.clip(np.log(R / lagged) / ghat0, 0.0, 1.0)
            if steady_m.any():
                gmL = margins(gm_inf)
                v = np.maximum(((gmL - opex) - psi) * (1 - tau[:, None]), 0.0) / rg[:, None]
                with np.errstate(divide="ignore", invalid="ignore"):
                    ms = np.where(gp_basis, np.where(v > 0, v / gmL, 0.0), v)
                minf = np.where(steady_m, ms, M_inf)
            else:
                minf = M_inf
            M = minf + (M_0 - minf) * ratio
            V = np.where(R == 0, 0.0, np.maximum(M * basis, 0.0))
            if k % q_stride == 0:
                min_ratio = np.minimum(min_ratio, V / V0)
                if k >= 1:
                    below = V < thr[:, None] * V0
                    pop = np.where(below & np.isinf(pop), t, pop)
                    crunch = np.where(below & (cash < 0) & np.isinf(crunch), t, crunch)
        hist[k % n] = R
        # (2) flows
        c = committed * plan[k]
        res = psi * R
        X = R * (gm - opex) - (np.maximum(c, res) - resale * np.maximum(c - res, 0.0))
        if k == K:
            flow = R * (gm - opex - psi) * (1 - tau[:, None]) if steady_tv else X * (1 - tau[:, None])
            pv += disc_H[:, None] * np.maximum(flow, 0.0) / rg[:, None]
            break
        Xdt = X * dt
        loss = X < 0
        used = np.where(loss, 0.0, np.minimum(pool, Xdt))
        pool -= np.where(loss, Xdt, used)
        fcf = X - np.where(loss, 0.0, tau[:, None] * (Xdt - used) / dt)
        pv += fcf * dt * np.exp(-r * (t + dt))[:, None]
        cash += fcf * dt
        if keep_years:
            yi = year_ids.index(int(math.floor(start_year + t + 1e-9)))
            rev_y[:, :, yi] += R * dt
            fcf_y[:, :, yi] += fcf * dt
        # (3) advance: hazards, share and pressure targets from the state at t_k
        fires = np.zeros((N, E), dtype=bool)
        for e in range(E):
            if ev_period[e] is None:
                with np.errstate(over="ignore", invalid="ignore"):  # an overflowing rate fires surely
                    lam = ev_rate[e] * np.exp(ev_kappa[e] * (G_ref - G))
                lam = np.where((ev_rate[e] == 0) | (ev_kappa[e] == 0), ev_rate[e], lam)
                U = rng.random(N)
                fires[:, e] = ~fired[:, e] & (U < -np.expm1(-lam * dt))
            else:
                fires[:, e] = ev_period[e] == k
        target_u = 1.0 / (1.0 + np.exp(-(brand + bq * G[:, None] + sub * ln_rho[:, None])))
        lead = G_ref - G
        y_star = pi_G * (lead if symmetric else np.maximum(lead, 0.0)) + Ye
        z = rng.standard_normal((N, 4))
        if chol is not None:
            z = z @ chol.T
        G = G + pull_G * (G_inf - G) + sig_G * sdt * z[:, 0]
        if gap_jumps:
            cnt = rng.poisson(lam_R * dt)
            jl = rng.standard_normal(int(cnt.sum()))
            owner = np.repeat(np.arange(N), cnt)
            jl = np.exp(mu_J[owner] + sig_J[owner] * jl)
            jsum = np.bincount(owner, weights=jl, minlength=N)
            G += np.where(J_sd > 0, jsum, cnt * J_mean) * (J_mean > 0)
        G = np.where(G < G_floor, G_floor, G)
        lnP += -d_c * dt + sig_P * sdt * z[:, 1]
        ln_rt += -d_rho * dt + sig_rho * sdt * z[:, 2]
        cap = np.maximum(0.0, -ln_rt)
        moved = y + pull_y * (y_star - y)
        if symmetric:
            moved = np.where(moved < -y_up, -y_up, moved)
        y = np.where(cap < moved, cap, moved)
        lnA += (growth(ginf, g0, gtau, t) - (sig_A * sig_A / 2)[:, None]) * dt + (sig_A * sdt * z[:, 3])[:, None]
        u += -np.expm1(-theta * dt) * (target_u - u)
        a += drift * dt + sig_a[:, None] * sdt * rng.standard_normal((N, L))
        if np.any((lam_a > 0) & (s_a > 0)):
            # A sum of m normal jumps of sd s_a is one normal of sd s_a sqrt(m).
            m = rng.poisson(np.broadcast_to((lam_a * dt)[:, None], (N, L)))
            a += s_a[:, None] * np.sqrt(m) * rng.standard_normal((N, L))
        # (4) events of period k act on the state at t_{k+1}
        for e in range(E):
            mask = fires[:, e]
            if not mask.any():
                continue
            for tgt, op, v in events[e]["effects"]:
                parts = tgt.split(".")
                if tgt == "gap":
                    _apply(op, G, v, mask)
                elif tgt == "price_pressure":
                    _apply(op, Ye, ev_scale[e] * float(v), mask)
                elif tgt == "price_ratio":
                    _apply(op, ln_rt, v, mask, log=True)
                elif tgt == "closed_price":
                    _apply(op, lnP, v, mask, log=True)
                elif parts[0] == "segments":
                    j = segs.index(parts[1])
                    arr = {"brand_premium": brand, "demand": lnA, "switching": theta}[parts[2]]
                    col = arr[:, j].copy()
                    _apply(op, col, v, mask, log=parts[2] == "demand")
                    arr[:, j] = col
                elif parts[0] == "labs":
                    i = labs.index(parts[1])
                    arr = {"attractiveness": a, "gross_margin_inf": gm_inf, "multiple_0": M_0, "multiple_inf": M_inf}[
                        parts[2]
                    ]
                    col = arr[:, i].copy()
                    _apply(op, col, v, mask)
                    arr[:, i] = col
                else:
                    raise ValueError(f"unknown event target {tgt}")
            G = np.where(mask & (G < G_floor), G_floor, G)
            y = np.where(mask, np.minimum(y, np.maximum(0.0, -ln_rt)), y)
            fired[:, e] |= mask
            event_times[mask, e] = t + dt

    fair = np.maximum(pv + cash_0, 0.0)
    phi = np.where(marked, fair / V0, np.nan)
    nan_unmarked = np.where(marked, 0.0, np.nan)
    return Output(
        labs=labs,
        marked=marked,
        closed=closed,
        fair_value=fair,
        pv=pv,
        phi=phi,
        pop_time=pop + nan_unmarked,
        crunch_time=crunch + nan_unmarked,
        mark=V0,
        years=year_ids,
        revenue_by_year=rev_y,
        fcf_by_year=fcf_y,
        event_times=event_times,
    )


def growth(ginf: np.ndarray, g0: np.ndarray, gtau: np.ndarray, t: float) -> np.ndarray:
    """Section 3's growth g_s(t), fading from g_0 to g_inf."""
    return ginf + (g0 - ginf) * np.exp(-t / gtau)


def headline(out: Output) -> Dict[str, tuple]:
    """Each headline statistic as (mean, se): per marked lab E, P(pop), P(E = 0), phi; the sector's E."""
    stats: Dict[str, tuple] = {}

    def add(name: str, x: np.ndarray) -> None:
        x = x[np.isfinite(x)]
        stats[name] = (float(x.mean()), float(x.std(ddof=1) / math.sqrt(len(x))))

    for i, lab in enumerate(out.labs):
        if not out.marked[i]:
            continue
        add(f"{lab}.fair_value", out.fair_value[:, i])
        add(f"{lab}.p_pop", np.isfinite(out.pop_time[:, i]).astype(float))
        add(f"{lab}.p_zero", (out.fair_value[:, i] == 0).astype(float))
        add(f"{lab}.phi", out.phi[:, i])
    add("sector.fair_value", out.sector_fair_value())
    return stats


def from_result(result, seed: int = 0, keep_years: bool = True) -> Output:
    """Run the NumPy model on an engine result's scenario and drawn inputs."""
    names, table = result._inner.inputs()
    table = np.asarray(table, dtype=np.float64).reshape(result.n_paths, len(names))
    return simulate(result.scenario, list(names), table, seed=seed, keep_years=keep_years)


def main() -> None:
    import argparse
    import time

    import aibubble

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scenario", default="baseline")
    ap.add_argument("--paths", type=int, default=10_000)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    sc = aibubble.Scenario.preset(args.scenario) if "/" not in args.scenario else aibubble.Scenario.from_toml(args.scenario)
    res = aibubble.simulate(sc, paths=args.paths, seed=args.seed)
    t0 = time.perf_counter()
    out = from_result(res, seed=args.seed)
    print(f"{time.perf_counter() - t0:.2f} s")
    for k, (m, se) in headline(out).items():
        print(f"{k:32s} {m:12.5g} ± {se:.3g}")


if __name__ == "__main__":
    main()
