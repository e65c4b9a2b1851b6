"""The NumPy implementation of the model (benches/numpy_model.py) agrees with the engine.

Deterministic mode (every noise, jump rate and hazard 0, every input a plain
number): per lab, fair value, PV and each calendar year's revenue and FCF to
docs/equations.md's tolerance, |a - b| <= 1e-9 max(1, |a|, |b|), on each
deterministic scenario of tests/data. Otherwise, on the same drawn inputs but
each with its own process noise: every headline statistic within 4 combined
standard errors on two presets.
"""

from __future__ import annotations

import math
import sys
from pathlib import Path

import numpy as np
import pytest

import aibubble

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "benches"))

import numpy_model  # noqa: E402

DETERMINISTIC = sorted((REPO / "tests" / "data").glob("deterministic*.toml"))


def _close(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    scale = np.maximum(1.0, np.maximum(np.abs(a), np.abs(b)))
    same = (a == b) | (np.isnan(a) & np.isnan(b))  # equal infinities, or both undefined
    with np.errstate(invalid="ignore"):
        return same | (np.abs(a - b) <= 1e-9 * scale)


def test_every_deterministic_scenario_is_checked() -> None:
    assert len(DETERMINISTIC) >= 7


@pytest.mark.parametrize("path", DETERMINISTIC, ids=lambda p: p.stem)
def test_deterministic_mode_matches_the_engine(path: Path) -> None:
    sc = aibubble.Scenario.from_toml(path)
    # keep_years: the yearly flows are compared path by path.
    res = aibubble.simulate(sc, paths=2, seed=3, keep_years=True)
    out = numpy_model.from_result(res, seed=3)
    checked = 0
    for i, lab in enumerate(out.labs):
        for metric, ours in (("fair_value", out.fair_value), ("pv", out.pv)):
            theirs = res.distribution(lab, metric)
            assert _close(ours[:, i], theirs).all(), f"{path.stem} {lab} {metric}: {ours[:, i]} vs {theirs}"
            checked += 1
        for j, year in enumerate(out.years):
            for metric, ours in (("revenue", out.revenue_by_year), ("fcf", out.fcf_by_year)):
                theirs = res.distribution(lab, f"{metric}.{year}")
                assert _close(ours[:, i, j], theirs).all(), f"{path.stem} {lab} {metric}.{year}: {ours[:, i, j]} vs {theirs}"
                checked += 1
        if out.marked[i]:
            for metric, ours in (("phi", out.phi), ("pop_time", out.pop_time), ("crunch_time", out.crunch_time)):
                theirs = res.distribution(lab, metric)
                assert _close(ours[:, i], theirs).all(), f"{path.stem} {lab} {metric}: {ours[:, i]} vs {theirs}"
    ids, times = res._inner.events()
    assert [e["id"] for e in sc.to_dict().get("events", [])] == list(ids)
    assert _close(out.event_times, np.asarray(times).reshape(out.event_times.shape)).all(), f"{path.stem} event times"
    assert checked > 0


def test_a_wrong_equation_is_caught() -> None:
    """The comparison can fail: a discount rate off by 1e-6 moves PV beyond the tolerance."""
    sc = aibubble.Scenario.from_toml(REPO / "tests" / "data" / "deterministic_full.toml")
    res = aibubble.simulate(sc, paths=1, seed=3)
    names, table = res._inner.inputs()
    shifted = sc.replace({"valuation.discount_rate": float(sc.get("valuation.discount_rate")) + 1e-6})
    out = numpy_model.simulate(shifted, list(names), np.asarray(table, dtype=np.float64).reshape(1, len(names)), seed=3)
    lab = out.labs[0]
    assert not _close(out.pv[:, 0], res.distribution(lab, "pv")).all()


def test_the_counterfactual_is_refused_not_ignored() -> None:
    res = aibubble.simulate(aibubble.Scenario.preset("baseline").freeze_competition(), paths=2, seed=1)
    with pytest.raises(NotImplementedError, match="frozen_competition"):
        numpy_model.from_result(res)


def _engine_headline(res, out: numpy_model.Output) -> dict:
    stats = {}

    def add(name: str, x: np.ndarray) -> None:
        x = x[np.isfinite(x)]
        stats[name] = (float(x.mean()), float(x.std(ddof=1) / math.sqrt(len(x))))

    sector = np.zeros(res.n_paths)
    for i, lab in enumerate(out.labs):
        if not out.marked[i]:
            continue
        fv = res.distribution(lab, "fair_value")
        add(f"{lab}.fair_value", fv)
        add(f"{lab}.p_pop", np.isfinite(res.distribution(lab, "pop_time")).astype(float))
        add(f"{lab}.p_zero", (fv == 0).astype(float))
        add(f"{lab}.phi", res.distribution(lab, "phi"))
        if out.closed[i]:
            sector += fv
    add("sector.fair_value", sector)
    return stats


@pytest.mark.parametrize("preset", ["baseline", "ft_bubble"])
def test_headline_statistics_agree(preset: str) -> None:
    res = aibubble.simulate(aibubble.Scenario.preset(preset), paths=6000, seed=11)
    out = numpy_model.from_result(res, seed=12, keep_years=False)
    ours, theirs = numpy_model.headline(out), _engine_headline(res, out)
    assert set(ours) == set(theirs) and len(ours) >= 5
    for name, (m1, se1) in ours.items():
        m2, se2 = theirs[name]
        assert abs(m1 - m2) <= 4 * math.hypot(se1, se2), f"{preset} {name}: numpy {m1} ± {se1}, engine {m2} ± {se2}"
