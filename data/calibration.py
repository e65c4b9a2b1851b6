"""The calibration of data/models.csv as the fit scripts read it, and the
frontier and gap construction the scripts share.

The fits themselves live in the core (`aibubble calibrate`, src/analysis/calibrate/):
this calls the Python API when `aibubble` is importable, else the built CLI
(`aibubble calibrate --json`: $AIBUBBLE_BIN, target/release, target/debug or PATH).
The frontier helpers (records, levels, the vertical gap and its seeded draws)
serve fit_gap.py and hindcast_2024.py, which print their steps in full.
"""

import json
import math
import os
import shutil
import subprocess
from datetime import date

HERE = os.path.dirname(os.path.abspath(__file__))
MODELS = os.path.join(HERE, "models.csv")


def _cli():
    root = os.path.dirname(HERE)
    for cand in (os.environ.get("AIBUBBLE_BIN"), os.path.join(root, "target", "release", "aibubble"),
                 os.path.join(root, "target", "debug", "aibubble"), shutil.which("aibubble")):
        if cand and os.path.isfile(cand) and os.access(cand, os.X_OK):
            return cand
    raise SystemExit("neither the aibubble package nor a built aibubble binary was found: "
                     "run `make venv` or `cargo build --features cli --bin aibubble`")


def calibration(as_of=None):
    """The calibration as a dict: `parameters` (by name: value, se, n, statistic_value, ...),
    `curves` (by name and kind: lists of (t, value)), and the file's counts."""
    try:
        from aibubble import _core  # the extension, without pandas

        out = json.loads(_core.calibrate(MODELS, as_of))
    except ImportError:
        cmd = [_cli(), "calibrate", MODELS, "--json"] + (["--as-of", as_of] if as_of else [])
        out = json.loads(subprocess.run(cmd, check=True, capture_output=True, text=True).stdout)
    params = {p["parameter"]: p for p in out["parameters"]}
    curves = {}
    for c in out["curves"]:
        curves.setdefault((c["curve"], c["kind"]), []).append((c["t"], c["value"]))
    out["parameters"], out["curves"] = params, curves
    return out


def value(cal, name):
    """A parameter's value, or an error saying why it is not identified."""
    p = cal["parameters"][name]
    if p["value"] is None:
        raise SystemExit(f"{name}: {p['note']}")
    return p["value"]


def year_of(iso):
    """A date (YYYY-MM-DD) as a decimal year."""
    d = date.fromisoformat(iso)
    start = date(d.year, 1, 1)
    return d.year + (d - start).days / (date(d.year + 1, 1, 1) - start).days


def records(scored, weights):
    """(time, score, model) of each release of the class `weights` that beats every
    earlier one, from (time, weights, score, model) rows in the caller's order."""
    out, best = [], -math.inf
    for t, w, s, m in scored:
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


def vertical_gap(closed, opened, t, pace):
    """The vertical gap at t, months of frontier progress: 12 (C(t) - O(t)) / s."""
    return 12 * (level(closed, t) - level(opened, t)) / pace


def gap_draws(rng, pace, pace_se, closed_score, open_score, doubt, n):
    """Seeded draws of the vertical gap between two scores: the pace ~ N(pace, pace_se),
    each score +- `doubt` points (uniform); draws with a pace <= 0 are left out."""
    out = []
    for _ in range(n):
        s = rng.gauss(pace, pace_se)
        pts = (closed_score + rng.uniform(-doubt, doubt)) - (open_score + rng.uniform(-doubt, doubt))
        if s > 0:
            out.append(12 * pts / s)
    return out
