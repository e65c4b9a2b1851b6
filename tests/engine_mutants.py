#!/usr/bin/env python3
"""Mutation test of the engine against its reference tests (issue 9).

Breaks each recurrence of the engine in turn (a sign, an index, a time
step, a dropped term), rebuilds, runs the model checks and records which
tests catch the mutant. The source is restored after each mutant, also on
Ctrl-C or error. A mutant that no test catches, or that does not compile,
makes the run fail.

    python3 tests/engine_mutants.py                  # every mutant
    python3 tests/engine_mutants.py --only gap       # ids containing "gap"
    python3 tests/engine_mutants.py --report tests/engine_mutants.md

`make mutants` runs it and rewrites the report. Each mutant costs an
incremental build of the test profile (about 3 s warm on 2 cores) and the
model test binaries; the whole list takes about 10 minutes. It stays out of
`make test`: the mutants name source snippets, and a refactor that moves
one makes this script stop with "snippet not found" until the mutant is
updated, which should not block unrelated work.

Random terms (noise, jump draws, hazards) are off in the reference's
deterministic mode; `tests/noise.rs` and the jump samplers' unit tests
check their moments. `--tests` and `--extra` choose the test binaries.
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# The model checks: the step-by-step reference, v1 reached from v2's
# settings, the mechanism tests and the moments of the random terms.
DEFAULT_TESTS = ["deterministic", "v1_equivalence", "mechanisms", "noise"]


@dataclass(frozen=True)
class Mutant:
    id: str
    file: str
    old: str
    new: str
    what: str  # the recurrence and the kind of break


M = Mutant
MUTANTS: list[Mutant] = [
    # docs/equations.md §1: the gap.
    M("gap.pull.dt", "src/model/gap.rs", "/ p.half_life) * dt).exp_m1()", "/ p.half_life)).exp_m1()",
      "gap pull `1 - exp(-kappa dt)`: time step dropped"),
    M("gap.pull.half_life", "src/model/gap.rs", "(std::f64::consts::LN_2 / p.half_life)", "(p.half_life / std::f64::consts::LN_2)",
      "gap pull: `kappa = ln 2 / h` inverted"),
    M("gap.next.sign", "src/model/gap.rs", "pull * (p.long_run - g)", "pull * (g - p.long_run)",
      "gap mean reversion: sign"),
    M("gap.floor", "src/model/gap.rs", "if g < floor { floor } else { g }", "if g > floor { floor } else { g }",
      "gap floor `max(G_floor, G)`: comparison reversed"),
    M("gap.noise.dt", "src/model/gap.rs", "p.sigma * sqrt_dt * z", "p.sigma * z",
      "gap noise: `sqrt(dt)` dropped (random term)"),
    M("gap.jumps.rate", "src/engine/shocks.rs", "JumpCount::new(p.release_rate * dt)", "JumpCount::new(p.release_rate)",
      "gap jumps: Poisson rate without `dt` (random term)"),
    # docs/equations.md §2: reference prices and competition.
    M("price.closed.drift", "src/model/prices.rs", "ln_pc - p.closed_decline * dt", "ln_pc + p.closed_decline * dt",
      "reference closed price drift: sign"),
    M("price.closed.noise", "src/model/prices.rs", "p.sigma_closed * sqrt_dt * z", "p.sigma_closed * dt * z",
      "reference closed price noise: `sqrt(dt)` as `dt` (random term)"),
    M("price.ratio.noise", "src/model/prices.rs", "p.sigma_ratio * sqrt_dt * z", "p.sigma_ratio * dt * z",
      "reference ratio noise: `sqrt(dt)` as `dt` (random term)"),
    M("price.ratio.drift", "src/model/prices.rs", "ln_rho - p.ratio_drift * dt", "ln_rho - p.ratio_drift",
      "reference ratio drift: time step dropped"),
    M("pressure.target.lead", "src/model/prices.rs", "(gap_ref - gap).max(0.0)", "(gap - gap_ref).max(0.0)",
      "pressure target `pi_G max(0, G_ref - G)`: sign"),
    M("pressure.target.max", "src/model/prices.rs", "(gap_ref - gap).max(0.0)", "(gap_ref - gap)",
      "pressure target: `max(0, .)` dropped (a widening lead raises the premium)"),
    M("pressure.target.events", "src/model/prices.rs", ".max(0.0) + from_events", ".max(0.0) - from_events",
      "pressure target `+ Ye`: sign"),
    M("pressure.cap.sign", "src/model/prices.rs", "(-ln_rt).max(0.0)", "(ln_rt).max(0.0)",
      "pressure cap `max(0, -ln rt)`: sign"),
    M("pressure.cap.compare", "src/model/prices.rs", "if bounded > pressure_cap(ln_rt_next)", "if bounded < pressure_cap(ln_rt_next)",
      "pressure cap: `min` as `max`"),
    M("pressure.step", "src/model/prices.rs", "y + pull * (target - y)", "y + pull * (target + y)",
      "pressure step toward `y*`: sign"),
    M("pressure.pull.dt", "src/engine/runner/phases.rs", "adjustment_speed * c.dt).exp_m1()", "adjustment_speed).exp_m1()",
      "pressure pull `1 - exp(-theta_y dt)`: time step dropped"),
    M("pressure.cap.index", "src/engine/runner/phases.rs", "self.pressure_pull,\n            st.ln_ratio,", "self.pressure_pull,\n            self.run.ln_ratio,",
      "pressure cap read at `rho_k` (after competition) instead of `rt_{k+1}`: index"),
    M("pressure.cap.after_events", "src/engine/runner/phases.rs",
      "st.price_pressure = st.price_pressure.min(prices::pressure_cap(st.ln_ratio));", "",
      "pressure cap after events dropped"),
    # v2.1: the reference lead G_ref and the symmetric, bounded pressure.
    M("pressure.symmetric.lead", "src/model/prices.rs", "premium_sensitivity * (gap_ref - gap) + from_events",
      "premium_sensitivity * (gap - gap_ref) + from_events",
      "symmetric pressure target `pi_G (G_ref - G)`: sign"),
    M("pressure.symmetric.max", "src/model/prices.rs", "premium_sensitivity * (gap_ref - gap) + from_events",
      "premium_sensitivity * (gap_ref - gap).max(0.0) + from_events",
      "symmetric pressure target with the one-way `max(0, .)` (a wider lead does not raise the premium)"),
    M("pressure.symmetric.events", "src/model/prices.rs", "(gap_ref - gap) + from_events", "(gap_ref - gap) - from_events",
      "symmetric pressure target `+ Ye`: sign"),
    M("pressure.floor.drop", "src/model/prices.rs", "Pressure::Symmetric => -p.max_premium_rise,", "Pressure::Symmetric => f64::NEG_INFINITY,",
      "symmetric pressure's lower bound `-y_up` dropped"),
    M("pressure.floor.sign", "src/model/prices.rs", "Pressure::Symmetric => -p.max_premium_rise,", "Pressure::Symmetric => p.max_premium_rise,",
      "symmetric pressure's lower bound `-y_up`: sign"),
    M("pressure.floor.compare", "src/model/prices.rs", "if moved < floor { floor } else { moved }", "if moved > floor { floor } else { moved }",
      "symmetric pressure's bound `max(-y_up, .)` as `min`"),
    M("pressure.switch", "src/engine/compiled.rs", "pressure: s.prices.pressure,", "pressure: Pressure::OneWay,",
      "`prices.pressure` ignored (always one way)"),
    M("pressure.reference_lead", "src/model/params.rs", "self.prices.reference_lead.unwrap_or(self.gap.initial)", "self.gap.initial",
      "reference lead `G_ref` ignored everywhere (`G_0` as in v2)"),
    M("pressure.reference_lead.target", "src/engine/runner/phases.rs", "c.pressure, self.gap_ref, st.gap,", "c.pressure, pp.gap.initial, st.gap,",
      "pressure target anchored to `G_0` instead of `G_ref`"),
    M("pressure.reference_lead.brand", "src/model/state.rs", "brand_premium(s, p.reference_lead(), p.prices.ratio_0)",
      "brand_premium(s, p.gap.initial, p.prices.ratio_0)",
      "calibrated brand premium at `G_0` instead of `G_ref`"),
    M("pressure.reference_lead.hazard", "src/engine/runner/phases.rs", "p.gap_sensitivity, self.gap_ref, self.gap_k)",
      "p.gap_sensitivity, self.params.gap.initial, self.gap_k)",
      "hazard's gap term from `G_0` instead of `G_ref`"),
    M("competition.closed", "src/model/prices.rs", "pt * (-y).exp()", "pt * y.exp()",
      "closed price `Pt exp(-y)`: sign"),
    M("competition.ratio", "src/model/prices.rs", "let ln_rho = ln_rt + y;", "let ln_rho = ln_rt - y;",
      "ratio after competition `ln rt + y`: sign"),
    M("competition.open", "src/model/prices.rs", "let open = ln_rt.exp() * pt;", "let open = ln_rt.exp() * closed;",
      "open price `rt Pt`: on the closed price after competition"),
    # docs/equations.md §3: demand.
    M("brand.calibrated", "src/model/demand.rs", "- s.substitution * ratio_0.ln()", "+ s.substitution * ratio_0.ln()",
      "calibrated brand premium: sign of `omega ln rho_0`"),
    M("growth.decay", "src/model/demand.rs", "(-t / growth_tau).exp()", "(-t * growth_tau).exp()",
      "spend growth decay `exp(-t / tau)`: time scale"),
    M("growth.time", "src/engine/runner/phases.rs", "c.growth_decay.at(k, s, seg.growth_tau)", "c.growth_decay.at(k + 1, s, seg.growth_tau)",
      "spend growth read at `t_{k+1}`: time step"),
    M("demand.step", "src/model/demand.rs", "ln_a + g * dt - sigma", "ln_a + g - sigma",
      "demand step `g dt`: time step dropped"),
    M("demand.noise", "src/model/demand.rs", "+ sigma * sqrt_dt * z", "+ sigma * dt * z",
      "demand noise: `sqrt(dt)` as `dt` (random term)"),
    M("demand.ito", "src/model/demand.rs", "- sigma * sigma * dt / 2.0", "+ sigma * sigma * dt / 2.0",
      "demand Ito correction: sign (random term's mean)"),
    M("mean_price", "src/model/demand.rs", "(1.0 - u) * open_price\n", "(1.0 - u) * closed_price\n",
      "mean price `u P^c + (1 - u) P^o`: open price dropped"),
    M("quantity.elasticity", "src/model/demand.rs", "powf(-s.elasticity)", "powf(s.elasticity)",
      "v1 quantity `(Pbar / Pbar_0)^-eps`: sign"),
    M("ces.open_weight", "src/model/demand.rs", "let wo = (1.0 - u) * rho /", "let wo = u * rho /",
      "CES index open spend weight `wo`: `1 - u` as `u`"),
    M("ces.divide", "src/model/demand.rs", ".ln_1p() / t", ".ln_1p() * t",
      "CES index `ln1p(.) / t`: divided as multiplied"),
    M("ces.exponent", "src/model/demand.rs", "let t = 1.0 - omega;", "let t = 1.0 + omega;",
      "CES index `t = 1 - omega`: sign"),
    M("ces.index_price", "src/engine/runner/step.rs", "st.ln_closed_price - y, ln_rho", "st.ln_closed_price + y, ln_rho",
      "CES index at `ln P^c = ln Pt - y`: sign"),
    M("ces.spend", "src/model/demand.rs", "((1.0 - s.elasticity) *", "((1.0 + s.elasticity) *",
      "CES spend `(1 - eps)`: sign"),
    M("spend.relative.level", "src/engine/runner/step.rs", "demand::ln_relative_price_index(u, y, ln_rho,",
      "demand::ln_price_index(u, st.ln_closed_price - y, ln_rho,",
      "`price_effect = \"relative\"`: the index keeps the level `ln Pt^c` (spend as under \"absolute\")"),
    M("spend.relative.pressure.sign", "src/model/demand.rs", "ln_price_index(u, -y, ln_rho, rho, omega)",
      "ln_price_index(u, y, ln_rho, rho, omega)",
      "relative index `ln Pih = -y - ...`: sign of the price pressure"),
    M("spend.relative.pressure.dropped", "src/model/demand.rs", "ln_price_index(u, -y, ln_rho, rho, omega)",
      "ln_price_index(u, 0.0, ln_rho, rho, omega)",
      "relative index `ln Pih = -y - ...`: the price pressure dropped"),
    M("spend.relative.switch.ignored", "src/engine/compiled.rs", "price_effect: s.demand.price_effect,",
      "price_effect: crate::scenario::PriceEffect::Absolute,",
      "`demand.price_effect = \"relative\"` ignored"),
    M("spend.relative.switch.always", "src/engine/compiled.rs", "price_effect: s.demand.price_effect,",
      "price_effect: crate::scenario::PriceEffect::Relative,",
      "spend against the reference price path whatever `demand.price_effect` (the default no longer v2)"),
    M("pools.open", "src/model/demand.rs", "q * (1.0 - u) * open_price)", "q * u * open_price)",
      "open pool `Q (1 - u) P^o`: share"),
    M("share.target.substitution", "src/model/demand.rs", "+ s.substitution * ln_rho;", "- s.substitution * ln_rho;",
      "share target `omega ln rho`: sign"),
    M("share.target.ratio", "src/engine/runner/phases.rs", "st.gap, self.run.ln_ratio);", "st.gap, st.ln_ratio);",
      "share target on the reference ratio `rt` instead of `rho` after competition"),
    M("share.step.dt", "src/model/demand.rs", "(-theta * dt).exp_m1()", "(-theta).exp_m1()",
      "closed share step `1 - exp(-theta dt)`: time step dropped"),
    M("savings.sign", "src/model/demand.rs", "(closed_price - open_price)", "(open_price - closed_price)",
      "savings `Q (1 - u) (P^c - P^o)`: sign"),
    M("potential", "src/model/demand.rs", "closed_pool * (1.0 - ratio)", "closed_pool * (1.0 + ratio)",
      "potential savings `C (1 - rho)`: sign"),
    # docs/equations.md §4: labs.
    M("attractiveness.drift", "src/model/labs.rs", "a + drift * dt +", "a + drift +",
      "attractiveness drift: time step dropped"),
    M("attractiveness.noise", "src/model/labs.rs", "+ sigma * sqrt_dt * z", "+ sigma * dt * z",
      "attractiveness noise: `sqrt(dt)` as `dt` (random term)"),
    M("attractiveness.jumps", "src/engine/shocks.rs", "JumpCount::new(rate * dt)", "JumpCount::new(rate)",
      "attractiveness jumps: Poisson rate without `dt` (random term)"),
    M("revenues.class", "src/model/labs.rs", "let off = if lab.closed { 0 } else { ns };", "let off = if lab.closed { ns } else { 0 };",
      "market-share denominators: class index swapped"),
    M("revenues.pool", "src/model/labs.rs", "{ (0, closed_pool) } else { (ns, open_pool) }", "{ (0, open_pool) } else { (ns, closed_pool) }",
      "lab revenue: closed and open pools swapped"),
    M("revenues.capture", "src/model/labs.rs", "*r = lab.capture * sum;", "*r = sum;",
      "lab revenue `c_i`: capture dropped"),
    M("margin.reference", "src/model/labs.rs", "(-t / margin_tau).exp()", "(-t * margin_tau).exp()",
      "reference margin decay `exp(-t / tau_gm)`: time scale"),
    M("margin.pass_through.sign", "src/model/labs.rs", "gmr - pass_through * (1.0 - gmr)", "gmr + pass_through * (1.0 - gmr)",
      "margin after competition `- kappa_m (1 - gmr) expm1(y)`: sign"),
    M("margin.pass_through.cost_share", "src/model/labs.rs", "pass_through * (1.0 - gmr) * cost_rise", "pass_through * gmr * cost_rise",
      "margin after competition: cost share `1 - gmr` as `gmr`"),
    M("margin.floor", "src/model/labs.rs", "Some(f) if gm < f => f,", "Some(f) if gm > f => f,",
      "margin floor `max(gm_floor, .)`: comparison reversed"),
    M("margin.open_lab", "src/model/labs.rs", "if !closed {\n        return gmr;", "if closed {\n        return gmr;",
      "margin after competition applied to open labs instead of closed"),
    M("margin.pressure", "src/engine/runner/phases.rs", "labs::gross_margin(l.closed, gmr, cost_rise, pass, floor)", "labs::gross_margin(l.closed, gmr, 0.0, pass, floor)",
      "margin ignores the price pressure"),
    M("spending.max", "src/model/labs.rs", "committed.max(research)", "committed.min(research)",
      "spending `max(c, psi R)`: min"),
    M("spending.resale.sign", "src/model/labs.rs", "- lab.resale * (committed", "+ lab.resale * (committed",
      "resale of idle commitments: sign"),
    M("spending.resale.idle", "src/model/labs.rs", "(committed - research).max(0.0)", "(research - committed).max(0.0)",
      "idle commitments `max(0, c - psi R)`: sign"),
    M("fcf.opex", "src/model/labs.rs", "(gross_margin - lab.opex_ratio)", "(gross_margin + lab.opex_ratio)",
      "pre-tax cash flow `R (gm - nu) - F`: sign of opex"),
    M("plan.interpolation", "src/model/labs.rs", "* (year - a[0]) / (b[0] - a[0])", "* (year - b[0]) / (b[0] - a[0])",
      "plan interpolation: index of the left point"),
    M("plan.time", "src/engine/compiled.rs", "let year = s.start_year() + k as f64 * dt;", "let year = s.start_year() + (k + 1) as f64 * dt;",
      "plan read at `t_{k+1}`: time step"),
    M("taxes.loss_pool.sign", "src/model/labs.rs", "(0.0, pool - x * dt)", "(0.0, pool + x * dt)",
      "loss pool grows by `-X dt`: sign"),
    M("taxes.loss_pool.use", "src/model/labs.rs", "let used = pool.min(x * dt);", "let used = pool.max(x * dt);",
      "loss pool use `min(L, X dt)`: max"),
    M("taxes.rate.dt", "src/model/labs.rs", "rate * (x * dt - used) / dt", "rate * (x * dt - used)",
      "taxes as an annual rate: `/ dt` dropped"),
    M("taxes.pool.update", "src/model/labs.rs", "(rate * (x * dt - used) / dt, pool - used)", "(rate * (x * dt - used) / dt, pool)",
      "loss pool not drawn down"),
    M("cash.after_tax", "src/engine/runner/phases.rs", "st.cash[i] += fcf * dt;", "st.cash[i] += x * dt;",
      "cash accumulates the pre-tax flow"),
    M("calendar.revenue", "src/engine/runner/phases.rs", "self.years.add(i, y, rev * dt, fcf * dt);", "self.years.add(i, y, rev, fcf * dt);",
      "calendar-year revenue: time step dropped"),
    # docs/equations.md §5: valuation.
    M("discount.sign", "src/valuation.rs", "    (-r * t).exp()\n", "    (r * t).exp()\n",
      "discount factor `exp(-r t)`: sign"),
    M("discount.time", "src/engine/runner/phases.rs", "tr.pv += valuation::discounted_flow(fcf, dt, discount);",
      "tr.pv += valuation::discounted_flow(fcf, dt, valuation::discount_factor(v.discount_rate, t));",
      "cash flow discounted at `t_k` instead of `t_{k+1}`: time step"),
    M("pv_savings.time", "src/engine/runner/phases.rs", "valuation::discounted_flow(self.run.savings, dt, discount)",
      "valuation::discounted_flow(self.run.savings, dt, valuation::discount_factor(v.discount_rate, t))",
      "PV of savings discounted at `t_k`: time step"),
    M("terminal.growth", "src/valuation.rs", "flow.max(0.0) / (r - g_t)", "flow.max(0.0) / (r + g_t)",
      "terminal value `/ (r - g_T)`: sign"),
    M("terminal.clip", "src/valuation.rs", "flow.max(0.0) / (r - g_t)", "flow / (r - g_t)",
      "terminal value `max(0, flow)` dropped"),
    M("terminal.horizon", "src/engine/runner/phases.rs", "v.terminal_growth, c.steps as f64 * dt)", "v.terminal_growth, (c.steps - 1) as f64 * dt)",
      "terminal value discounted from `t_{K-1}`: index"),
    M("terminal.last.tax", "src/valuation.rs", "x_k * (1.0 - tax_rate)", "x_k * (1.0 + tax_rate)",
      "`last` terminal flow `X_K (1 - tau)`: sign"),
    M("terminal.steady.research", "src/valuation.rs", "(gross_margin - opex - research)", "(gross_margin - opex + research)",
      "`steady` terminal flow `gm - nu - psi`: sign of research"),
    M("terminal.steady.tax", "src/valuation.rs", "revenue * (gross_margin - opex - research) * (1.0 - tax_rate)",
      "revenue * (gross_margin - opex - research)",
      "`steady` terminal flow untaxed"),
    M("equity.cash", "src/valuation.rs", "(pv + cash_0).max(0.0)", "(pv - cash_0).max(0.0)",
      "equity `PV + cash_0`: sign"),
    M("backcast.sign", "src/valuation.rs", "r0 * (ghat_0 * j as f64 * dt).exp()", "r0 * (-ghat_0 * j as f64 * dt).exp()",
      "backcast revenue before t = 0: sign"),
    M("trailing.index", "src/engine/runner/phases.rs", "self.history[(k % n) * nl + i]", "self.history[((k + 1) % n) * nl + i]",
      "trailing growth reads the revenue `n - 1` steps ago: index"),
    M("multiple.clamp", "src/valuation.rs", "x.clamp(0.0, 1.0)", "x.clamp(0.0, 2.0)",
      "multiple `clamp(ghat / ghat_0, 0, 1)`: upper bound"),
    M("mark.basis", "src/valuation.rs", "(multiple * basis).max(0.0)", "(multiple * revenue).max(0.0)",
      "mark on revenue whatever the basis"),
    M("mark.multiple_0", "src/engine/runner/phases.rs", "mark.expect(\"marked\") / b0;", "mark.expect(\"marked\") / r0;",
      "today's multiple on revenue whatever the basis"),
    # docs/equations.md §5, v2.1: the steady mature multiple.
    M("mature_multiple.tax", "src/valuation.rs", "((gm_l - opex - research) * (1.0 - tax_rate)).max(0.0)",
      "(gm_l - opex - research).max(0.0)", "steady value `v`: the tax factor `(1 - tau)` dropped"),
    M("mature_multiple.research", "src/valuation.rs", "(gm_l - opex - research)", "(gm_l - opex)",
      "steady value `v`: research intensity `psi` dropped"),
    M("mature_multiple.opex.sign", "src/valuation.rs", "(gm_l - opex - research)", "(gm_l + opex - research)",
      "steady value `v`: sign of the opex ratio"),
    M("mature_multiple.max", "src/valuation.rs", "* (1.0 - tax_rate)).max(0.0) / (r - g_t)",
      "* (1.0 - tax_rate)) / (r - g_t)", "steady value `v`: `max(0, .)` dropped (a negative mature multiple)"),
    M("mature_multiple.growth", "src/valuation.rs", "(1.0 - tax_rate)).max(0.0) / (r - g_t)",
      "(1.0 - tax_rate)).max(0.0) / r", "steady value `v`: divided by `r`, not `r - g_T`"),
    M("mature_multiple.gross_profit.division", "src/valuation.rs", "        v / gm_l\n", "        v * gm_l\n",
      "gross-profit mature multiple `v / gmL`: multiplied instead of divided"),
    M("mature_multiple.basis", "src/engine/runner/phases.rs", "c.mark_basis[i] == MarkBasis::GrossProfit)",
      "c.mark_basis[i] != MarkBasis::GrossProfit)", "the steady multiple in the other basis's unit"),
    M("mature_multiple.margin.current", "src/engine/runner/phases.rs",
      "let gm_l = labs::gross_margin(\n                        l.closed,\n                        st.gross_margin_inf[i],\n                        cost_rise,\n                        pp.prices.pass_through,\n                        pp.prices.margin_floor,\n                    );",
      "let gm_l = lab.gross_margin[i];", "steady multiple at the current margin `gm`, not the long-run `gmL`"),
    M("mature_multiple.margin.reference", "src/engine/runner/phases.rs", "                        st.gross_margin_inf[i],\n                        cost_rise,\n",
      "                        labs::reference_margin(l, st.gross_margin_inf[i], c.margin_decay.at(k, i, l.margin_tau)),\n                        cost_rise,\n",
      "`gmL` from the reference margin `gmr_k`, not `gm_inf`"),
    M("mature_multiple.margin.input", "src/engine/runner/phases.rs", "                        st.gross_margin_inf[i],\n                        cost_rise,\n",
      "                        l.gross_margin_inf,\n                        cost_rise,\n",
      "`gmL` from the input `gm_inf`, not the state's (`gross_margin_inf` events ignored)"),
    M("mature_multiple.pressure", "src/engine/runner/phases.rs", "                        st.gross_margin_inf[i],\n                        cost_rise,\n",
      "                        st.gross_margin_inf[i],\n                        0.0,\n",
      "`gmL` without the price pressure `y`"),
    M("mature_multiple.floor", "src/engine/runner/phases.rs", "                        pp.prices.margin_floor,\n                    );\n                    let v = &pp.valuation;",
      "                        None,\n                    );\n                    let v = &pp.valuation;",
      "`gmL`: the margin floor dropped"),
    M("mature_multiple.open", "src/engine/runner/phases.rs", "                        l.closed,\n                        st.gross_margin_inf[i],",
      "                        true,\n                        st.gross_margin_inf[i],",
      "`gmL` of an open lab cut by the price pressure as a closed lab's"),
    M("mature_multiple.switch.ignored", "src/engine/compiled.rs", "s.labs.iter().map(|l| l.mature_multiple).collect()",
      "s.labs.iter().map(|_| MatureMultiple::Given).collect()", "`mature_multiple = \"steady\"` ignored"),
    M("mature_multiple.switch.always", "src/engine/compiled.rs", "s.labs.iter().map(|l| l.mature_multiple).collect()",
      "s.labs.iter().map(|_| MatureMultiple::Steady).collect()",
      "steady mature multiples whatever `mature_multiple` (the default no longer v2)"),
    # docs/equations.md §11: the frozen-competition counterfactual.
    M("freeze.ratio_drift", "src/scenario/freeze.rs",
      '["prices.ratio_drift", "prices.sigma_ratio", "prices.premium_sensitivity"]',
      '["prices.sigma_ratio", "prices.premium_sensitivity"]',
      "freeze(S): the reference ratio's drift not pinned to 0"),
    M("freeze.sigma_ratio", "src/scenario/freeze.rs",
      '["prices.ratio_drift", "prices.sigma_ratio", "prices.premium_sensitivity"]',
      '["prices.ratio_drift", "prices.premium_sensitivity"]',
      "freeze(S): the reference ratio's noise not pinned to 0"),
    M("freeze.premium_sensitivity", "src/scenario/freeze.rs",
      '["prices.ratio_drift", "prices.sigma_ratio", "prices.premium_sensitivity"]',
      '["prices.ratio_drift", "prices.sigma_ratio"]',
      "freeze(S): the premium sensitivity not pinned to 0"),
    M("freeze.switching", "src/scenario/freeze.rs",
      'self.segments.iter().map(|s| format!("segments.{}.switching", s.id))',
      'self.segments.iter().take(0).map(|s| format!("segments.{}.switching", s.id))',
      "freeze(S): switching not pinned to 0 (usage moves)"),
    M("freeze.gap_sensitivity", "src/scenario/freeze.rs",
      ".filter(|e| !self.is_competition_event(e))\n                .map(|e| format!(\"events.{}.gap_sensitivity\", e.id))",
      ".filter(|_| false)\n                .map(|e| format!(\"events.{}.gap_sensitivity\", e.id))",
      "freeze(S): the kept events' gap sensitivity not pinned to 0"),
    M("freeze.removed", "src/engine/compiled.rs", "_ if removed.contains(&e.id.as_str()) => Firing::Removed,",
      "_ if removed.is_empty() && !removed.is_empty() => Firing::Removed,",
      "freeze(S): competition turning points still fire"),
    M("freeze.pins", "src/engine/compiled.rs", "        for f in &self.pinned {\n            values[*f] = 0.0;",
      "        for f in self.pinned.iter().skip(usize::MAX) {\n            values[*f] = 0.0;",
      "freeze(S): no field pinned after the draw"),
    M("pop.compare", "src/engine/runner/phases.rs", "let popped = v < threshold * v0;", "let popped = v > threshold * v0;",
      "pop `V < threshold V_0`: comparison reversed"),
    M("crunch.cash", "src/engine/runner/phases.rs", "popped && st.cash[i] < 0.0", "popped && st.cash[i] > 0.0",
      "funding crunch needs negative cash: comparison reversed"),
    M("crunch.pop", "src/engine/runner/phases.rs", "if k >= 1 && popped && st.cash[i] < 0.0", "if k >= 1 && st.cash[i] < 0.0",
      "funding crunch without a pop"),
    # docs/equations.md §6: events.
    M("dated.index", "src/model/events.rs", "then(|| j as usize - 1)", "then(|| j as usize)",
      "dated event period `j - 1`: index"),
    M("event.time", "src/engine/runner/phases.rs", "= k as f64 * dt + dt;", "= k as f64 * dt;",
      "event time recorded as `t_k` instead of `t_{k+1}`"),
    M("hazard.dt", "src/model/events.rs", "-(-lambda * dt).exp_m1()", "-(-lambda).exp_m1()",
      "hazard probability `1 - exp(-lambda dt)`: time step dropped"),
    M("hazard.gap.sign", "src/model/events.rs", "(sensitivity * (gap_ref - gap)).exp()", "(sensitivity * (gap - gap_ref)).exp()",
      "gap-sensitive hazard `exp(kappa_e (G_ref - G))`: sign"),
    M("hazard.gap.index", "src/engine/runner/phases.rs", "self.gap_k = st.gap;\n        st.gap = gap::next(st.gap, &pp.gap, self.gap_pull, sqrt_dt, zg, jumps);",
      "st.gap = gap::next(st.gap, &pp.gap, self.gap_pull, sqrt_dt, zg, jumps);\n        self.gap_k = st.gap;",
      "hazard reads `G_{k+1}` instead of `G_k`: index"),
    M("event.price_pressure.target", "src/model/events.rs", "apply_additive(&mut st.pressure_from_events,", "apply_additive(&mut st.price_pressure,",
      "`price_pressure` effect moves `y` instead of the target's `Ye`"),
    M("event.price_scale", "src/model/events.rs", "value: e.value * price_scale,", "value: e.value,",
      "an event's `price_scale` ignored: `Ye += v` instead of `Ye += s_e v`"),
    M("event.price_scale.target", "src/model/events.rs", "Target::PricePressure => Effect {", "Target::Gap => Effect {",
      "the price scale applied to `gap` effects instead of `price_pressure` ones"),
    M("event.log_scale", "src/model/events.rs", "Op::Mul => *ln_x += v.ln(),", "Op::Mul => *ln_x -= v.ln(),",
      "multiplicative effect on a log-scale state: sign"),
]


def run(cmd: list[str], timeout: int) -> subprocess.CompletedProcess:
    return subprocess.run(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=timeout)


def failures(output: str) -> list[str]:
    """`binary::test` for each failed test in `cargo test` output."""
    found, binary = [], "?"
    for line in output.splitlines():
        m = re.match(r"\s*Running (?:tests/|src/|unittests src/)?(\S+?)(?:\.rs)? \(", line)
        if m:
            binary = m.group(1)
        m = re.match(r"test (\S+) \.\.\. FAILED", line)
        if m:
            found.append(f"{binary}::{m.group(1)}")
    return found


def cargo_tests(tests: list[str]) -> list[str]:
    cmd = ["cargo", "test", "--no-fail-fast"]
    for t in tests:
        cmd += ["--lib"] if t == "lib" else ["--test", t]
    return cmd


def apply(m: Mutant) -> tuple[Path, str]:
    path = (ROOT / m.file).resolve()
    text = path.read_text()
    count = text.count(m.old)
    if count != 1:
        sys.exit(f"mutant {m.id}: snippet found {count} times in {m.file} (update the mutant): {m.old!r}")
    path.write_text(text.replace(m.old, m.new))
    return path, text


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--only", help="run the mutants whose id contains this text")
    ap.add_argument("--tests", nargs="*", default=DEFAULT_TESTS,
                    help="test binaries (`lib` for the unit tests); default: %(default)s")
    ap.add_argument("--extra", nargs="*", default=["properties", "samplers", "lib"],
                    help="binaries tried on a mutant the first set misses; default: %(default)s")
    ap.add_argument("--report", type=Path, help="write a Markdown report here")
    ap.add_argument("--timeout", type=int, default=900, help="seconds per cargo call")
    args = ap.parse_args()

    ids = [m.id for m in MUTANTS]
    assert len(ids) == len(set(ids)), "duplicate mutant ids"
    chosen = [m for m in MUTANTS if not args.only or args.only in m.id]
    for m in chosen:  # every snippet is found before anything is changed
        text = (ROOT / m.file).resolve().read_text()
        if text.count(m.old) != 1:
            sys.exit(f"mutant {m.id}: snippet found {text.count(m.old)} times in {m.file}: {m.old!r}")

    base = run(cargo_tests(args.tests + args.extra), args.timeout)
    if base.returncode != 0 or failures(base.stdout):
        sys.exit("the unmutated engine fails its tests; fix that first:\n" + base.stdout[-3000:])

    rows, start = [], time.time()
    for n, m in enumerate(chosen, 1):
        path, original = apply(m)
        try:
            r = run(cargo_tests(args.tests), args.timeout)
            caught = failures(r.stdout)
            built = "could not compile" not in r.stdout
            extra: list[str] = []
            if built and not caught and r.returncode == 0:
                r2 = run(cargo_tests(args.extra), args.timeout)
                extra = failures(r2.stdout)
        finally:
            path.write_text(original)
        status = "no build" if not built else ("caught" if caught else ("caught (extra)" if extra else "SURVIVED"))
        rows.append((m, status, caught, extra))
        print(f"[{n}/{len(chosen)}] {m.id:32} {status:15} {len(caught) or len(extra)} failing", flush=True)

    by_reference = sum(any(c.startswith("deterministic::") for c in caught) for _, _, caught, _ in rows)
    by_first = sum(bool(caught) for _, _, caught, _ in rows)
    by_extra = sum(bool(extra) for _, _, _, extra in rows)
    bad = [m.id for m, s, _, _ in rows if s in ("SURVIVED", "no build")]
    summary = (f"{len(rows)} mutants: {by_first} caught by {', '.join(args.tests)} "
               f"({by_reference} by the step-by-step reference, deterministic.rs), "
               f"{by_extra} more by {', '.join(args.extra)}; "
               f"{len(bad)} not caught or not built{': ' + ', '.join(bad) if bad else ''}. "
               f"{time.time() - start:.0f} s.")
    print(summary)
    if args.report:
        write_report(args.report, rows, summary, args)
    return 1 if bad else 0


def write_report(path: Path, rows, summary: str, args) -> None:
    lines = [
        "# Engine mutants",
        "",
        "Written by `python3 tests/engine_mutants.py --report tests/engine_mutants.md`",
        "(`make mutants`). Each row breaks one recurrence of the engine, rebuilds and runs",
        f"the tests `{' '.join(args.tests)}`; a mutant they miss is tried on `{' '.join(args.extra)}`.",
        "",
        summary,
        "",
        "| mutant | file | what is broken | caught | by the reference | tests that failed |",
        "|---|---|---|---|---|---|",
    ]
    for m, status, caught, extra in rows:
        names = sorted(caught or extra, key=lambda c: (not c.startswith("deterministic::"), c))
        n_ref = sum(c.startswith("deterministic::") for c in names)
        by_ref = f"{n_ref} tests" if n_ref else "no"
        shown = ", ".join(f"`{c}`" for c in names[:3]) + (f" and {len(names) - 3} more" if len(names) > 3 else "")
        lines.append(f"| `{m.id}` | `{Path(m.file).name}` | {m.what} | {status} | {by_ref} | {shown} |")
    path.write_text("\n".join(lines) + "\n")


if __name__ == "__main__":
    sys.exit(main())
