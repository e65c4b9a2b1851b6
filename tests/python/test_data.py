"""As-of discipline of the calibration data files, and the projection-error fit.

`data/projections.csv`, `data/run_rates.csv` and `data/xai_holdings.csv` may hold
only facts dated before 2026-01-01 (the valuation date of the 2026.0 presets),
each with its source; `data/fit_projection_error.py` must run and print the
figures `data/README.md` quotes. numpy, pandas and the standard library only
(no scipy): the fit script is numpy-only too.
"""

from __future__ import annotations

import csv
import importlib.util
import math
import re
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path
from typing import Dict, List

import numpy as np
import pandas as pd
import pytest

REPO = Path(__file__).resolve().parents[2]
DATA = REPO / "data"
AS_OF = date(2026, 1, 1)
DATE = re.compile(r"^(\d{4})-(\d{2})(?:-(\d{2}))?$")


def rows(name: str) -> List[Dict[str, str]]:
    with open(DATA / name, newline="") as f:
        return list(csv.DictReader(f))


def span(s: str) -> tuple:
    """First and last day of 'YYYY-MM-DD' or 'YYYY-MM'; fails on anything else."""
    m = DATE.match(s)
    assert m, f"not a YYYY-MM-DD or YYYY-MM date: {s!r}"
    y, mo = int(m.group(1)), int(m.group(2))
    if m.group(3):
        d = date(y, mo, int(m.group(3)))
        return d, d
    first = date(y, mo, 1)
    nxt = date(y + (mo == 12), mo % 12 + 1, 1)
    return first, nxt - timedelta(days=1)


def before_as_of(s: str) -> bool:
    return span(s)[1] < AS_OF


def positive(s: str) -> bool:
    v = float(s)
    return math.isfinite(v) and v > 0


def test_projections_as_of_and_sources() -> None:
    rs = rows("projections.csv")
    assert len(rs) >= 4
    for r in rs:
        where = f"{r['lab']} {r['target']} {r['projected_on']}"
        assert before_as_of(r["projected_on"]), where
        span(r["target_end"])
        assert r["projection_source"].strip(), where
        assert positive(r["projected_usd_bn"]), where
        assert span(r["projected_on"])[0] <= span(r["target_end"])[1], f"projection after its target: {where}"
        assert r["in_fit"] in ("yes", "no"), where
        if r["outcome_usd_bn"].strip():
            assert positive(r["outcome_usd_bn"]), where
            assert before_as_of(r["outcome_on"]), where
            assert r["outcome_source"].strip(), where
            assert span(r["outcome_on"])[1] >= span(r["projected_on"])[0], where
        else:
            assert r["outcome_kind"].startswith("not found"), where
            assert not r["outcome_on"] and not r["outcome_source"], where
        if r["in_fit"] == "yes":
            # A usable outcome is booked revenue or a measured run rate, known after the target period ended.
            assert r["outcome_kind"] in ("booked", "run-rate"), where
            assert span(r["outcome_on"])[0] > span(r["target_end"])[1], f"outcome dated before the target ended: {where}"
        else:
            assert r["notes"].strip(), f"excluded row without a reason: {where}"


def test_run_rates_as_of_and_sources() -> None:
    rs = rows("run_rates.csv")
    for r in rs:
        where = f"{r['lab']} {r['as_of']}"
        assert before_as_of(r["as_of"]) and before_as_of(r["reported_on"]), where
        assert r["source"].strip(), where
        assert positive(r["run_rate_usd_bn"]), where
        assert r["kind"] in ("measured", "target"), where
        assert r["bound"] in ("about", "above"), where
        if r["kind"] == "measured":
            assert span(r["reported_on"])[1] >= span(r["as_of"])[0], f"reported before the month it measures: {where}"
    latest = {}
    for r in rs:
        if r["kind"] == "measured" and span(r["as_of"])[0] >= latest.get(r["lab"], (date.min, ""))[0]:
            latest[r["lab"]] = (span(r["as_of"])[0], r["run_rate_usd_bn"])
    assert latest == {"openai": (date(2025, 7, 1), "12.0"), "anthropic": (date(2025, 10, 1), "7.0")}


def test_xai_holdings_as_of_and_sources() -> None:
    rs = rows("xai_holdings.csv")
    assert {r["entity"] for r in rs} == {"xai", "x", "xai_holdings"}
    for r in rs:
        where = f"{r['entity']} {r['item']} {r['period']}"
        assert before_as_of(r["as_of"]), where
        assert r["source"].strip(), where
        assert positive(r["value_usd_bn"]), where
        if r["value_low_usd_bn"] or r["value_high_usd_bn"]:
            assert float(r["value_low_usd_bn"]) <= float(r["value_usd_bn"]) <= float(r["value_high_usd_bn"]), where
    merger = {(r["entity"], r["item"]): float(r["value_usd_bn"]) for r in rs if r["period"] == "2025-03-28"}
    assert merger[("xai_holdings", "merger_equity_value")] == merger[("xai", "merger_equity_value")] + merger[
        ("x", "merger_equity_value")]
    assert merger[("x", "merger_enterprise_value")] - merger[("x", "debt")] == merger[("x", "merger_equity_value")]


def fit_module():
    spec = importlib.util.spec_from_file_location("fit_projection_error", DATA / "fit_projection_error.py")
    assert spec is not None and spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    keep = sys.dont_write_bytecode
    try:
        spec.loader.exec_module(mod)  # sets sys.dont_write_bytecode (no __pycache__ in data/)
    finally:
        sys.dont_write_bytecode = keep
    return mod


def test_fit_matches_an_independent_computation() -> None:
    mod = fit_module()
    s = mod.summary(mod.load())
    df = pd.read_csv(DATA / "projections.csv", keep_default_na=False)
    use = df[df["in_fit"] == "yes"]
    x = np.log(use["outcome_usd_bn"].astype(float) / use["projected_usd_bn"].astype(float)).to_numpy()

    def mid(s: str) -> float:
        a, b = span(s)
        if a == b:  # a day: its midpoint
            return a.year + ((a - date(a.year, 1, 1)).days + 0.5) / (date(a.year + 1, 1, 1) - date(a.year, 1, 1)).days
        return a.year + (a.month - 0.5) / 12

    h = np.array([span(e)[1].year + 1.0 - mid(p) for e, p in zip(use["target_end"], use["projected_on"])])
    assert all(span(e)[1].month == 12 and span(e)[1].day == 31 for e in use["target_end"])
    assert s["n"] == len(x) == 4
    assert s["mean"] == pytest.approx(x.mean(), abs=1e-12)
    assert s["sd"] == pytest.approx(x.std(ddof=1), abs=1e-12)
    assert s["se_mean"] == pytest.approx(x.std(ddof=1) / math.sqrt(len(x)), abs=1e-12)
    b = x.sum() / h.sum()
    assert s["b"] == pytest.approx(b, abs=1e-9)
    assert s["sigma"] == pytest.approx(math.sqrt(((x - b * h) ** 2 / h).sum() / (len(x) - 1)), abs=1e-9)
    assert mod.t_ppf(0.975, 3) == pytest.approx(3.182446, abs=1e-4)


def test_fit_prints_what_the_readme_states() -> None:
    out = subprocess.run([sys.executable, str(DATA / "fit_projection_error.py")], capture_output=True, text=True,
                         timeout=300, cwd=REPO)
    assert out.returncode == 0, out.stderr
    summary = [line for line in out.stdout.splitlines() if line.startswith("summary: ")]
    assert len(summary) == 1, out.stdout
    readme = (DATA / "README.md").read_text()
    assert summary[0] in readme, f"data/README.md does not quote the fit's line:\n{summary[0]}"
    for line in out.stdout.splitlines():
        if line.startswith(("recommend: ", "citation: ")):
            assert line in readme, f"data/README.md does not quote:\n{line}"
