"""The presets' fitted numbers are what the fits in `data/` print.

`baseline` cites `data/fit_gap.py` (today's gap and the reference lead),
`data/fit_jumps.py` (per-lab drifts, jump size) and `data/fit_growth.py`
(segment growth, with the projection error of `fit_projection_error.py`).
Each fit is run here and its recommendation compared with the preset, so a
change of data or of a fit that the preset does not follow fails, and so does
a preset number edited away from its fit.
"""

from __future__ import annotations

import math
import re
import subprocess
import sys
from pathlib import Path
from typing import Any, Dict

import pytest

import aibubble

DATA = Path(__file__).resolve().parents[2] / "data"
# fit_growth.py's projection-error drift added to each g_0 (fit_projection_error.py: b = +0.405).
PROJECTION_ERROR = 0.405


def run_fit(name: str) -> str:
    done = subprocess.run([sys.executable, str(DATA / name)], capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    return done.stdout


def number(pattern: str, text: str) -> float:
    m = re.search(pattern, text)
    assert m, f"{pattern!r} not in the fit's output"
    return float(m.group(1))


@pytest.fixture(scope="module")
def baseline() -> Dict[str, Any]:
    return aibubble.Scenario.preset("baseline").to_dict()


def test_gap_inputs_are_fit_gap_s(baseline: Dict[str, Any]) -> None:
    out = run_fit("fit_gap.py")
    m = re.search(r"reference_lead = triangular\(lo ([\d.]+), mode ([\d.]+), hi ([\d.]+)\)", out)
    assert m, out[-500:]
    ref = baseline["prices"]["reference_lead"]
    assert (ref["lo"], ref["mode"], ref["hi"]) == tuple(float(x) for x in m.groups())
    initial = baseline["gap"]["initial"]
    assert initial["mean"] == number(r"gap.initial = normal\(mean ([\d.]+)", out)
    assert initial["sd"] == number(r"gap.initial = normal\(mean [\d.]+, sd ([\d.]+)\)", out)


def test_drifts_and_jumps_are_fit_jumps_s(baseline: Dict[str, Any]) -> None:
    pytest.importorskip("numpy")
    out = run_fit("fit_jumps.py")
    labs = {lab["id"]: lab for lab in baseline["labs"]}
    for lab in ("openai", "anthropic"):
        drift = labs[lab]["drift"]
        assert drift["dist"] == "normal"
        assert drift["mean"] == number(rf"{lab}: normal\(mean ([+-][\d.]+)", out)
        assert drift["sd"] == number(rf"{lab}: normal\(mean [+-][\d.]+, sd ([\d.]+)\)", out)
    m = re.search(r"jump_sd = pert\(lo ([\d.]+), mode ([\d.]+), hi ([\d.]+)\)", out)
    assert m, out[-500:]
    jump = baseline["attractiveness"]["jump_sd"]
    assert (jump["lo"], jump["mode"], jump["hi"]) == tuple(float(x) for x in m.groups())


def test_growth_is_fit_growth_s(baseline: Dict[str, Any]) -> None:
    out = run_fit("fit_growth.py")
    line = next(l for l in out.splitlines() if l.startswith("fit with growth within 1 pp"))
    consumer = number(r"consumer g_0 = ([\d.]+)", line)
    api = number(r"API \(enterprise, frontier\) g_0 = ([\d.]+)", line)
    tau = number(r"tau = ([\d.]+) years", line)
    for seg in baseline["segments"]:
        g0 = consumer if seg["id"] == "consumer" else api
        assert seg["growth_0"]["mean"] == pytest.approx(g0 + PROJECTION_ERROR, abs=5e-4), seg["id"]
        assert seg["growth_tau"] == tau
        assert seg["growth_inf"] == baseline["valuation"]["terminal_growth"]
    # The state at the horizon is one the terminal value describes.
    assert number(r"horizon   10 years: growth left above g_T at the 95th percentile of g_0: ([\d.]+) pp", out) <= 1.0 + 5e-3
    assert aibubble.Scenario.preset("baseline").get("horizon") == 10.0


def test_hindcast_inputs_are_hindcast_2024_s() -> None:
    """The hindcast takes the release rate from `calibrate --as-of 2024-01-01` (printed by
    data/hindcast_2024.py) and the gap inputs from the script's 2023 fits."""
    out = run_fit("hindcast_2024.py")
    hindcast = aibubble.Scenario.preset("hindcast_2024").to_dict()
    rate = number(r"attractiveness.jump_rate = ([\d.]+) per lab-year", out)
    assert hindcast["attractiveness"]["jump_rate"] == rate
    # The same number straight from the core, not through the script.
    cal = aibubble.calibrate(str(DATA / "models.csv"), as_of="2024-01-01")
    row = cal[cal.parameter == "attractiveness.jump_rate"].iloc[0]
    assert round(row.value, 2) == rate
    initial = hindcast["gap"]["initial"]
    assert initial["mean"] == number(r"G_0 at 2024-01-01 = ([\d.]+) months", out)
    assert initial["sd"] == number(r"draws: mean [\d.]+, median [\d.]+, sd ([\d.]+)", out)
    assert hindcast["gap"]["half_life"]["mode"] == number(r"catch-up fit: h = ([\d.]+) years", out)
    mean_gap = number(r"mean vertical gap over 2023's month ends: ([\d.]+) months", out)
    assert hindcast["prices"]["reference_lead"]["mode"] == mean_gap
    # gap.long_run sets the long-run mean G_inf + lambda_R J_mean / kappa to 2023's mean gap.
    kappa = math.log(2) / hindcast["gap"]["half_life"]["mode"]
    implied = mean_gap - hindcast["gap"]["release_rate"] * hindcast["gap"]["jump_mean"] / kappa
    assert hindcast["gap"]["long_run"]["mode"] == pytest.approx(implied, abs=0.05)
