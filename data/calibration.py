"""The calibration of data/models.csv as the fit scripts read it.

The fits themselves live in the core (`aibubble calibrate`, src/analysis/calibrate/):
this calls the Python API when `aibubble` is importable, else the built CLI
(`aibubble calibrate --json`: $AIBUBBLE_BIN, target/release, target/debug or PATH).
"""

import json
import os
import shutil
import subprocess

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
