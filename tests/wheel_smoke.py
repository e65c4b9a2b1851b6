"""Smoke test of an installed wheel: `make wheel-test` runs it in a fresh
venv where the wheel was installed with no Rust toolchain on PATH.

    python tests/wheel_smoke.py dist/aibubble-<version>-<tags>.whl
"""

from __future__ import annotations

import configparser
import math
import os
import subprocess
import sys
import sysconfig
import zipfile


def main(wheel: str) -> None:
    name = os.path.basename(wheel)
    # aibubble-0.2.0-cp39-abi3-manylinux2014_x86_64.manylinux_2_17_x86_64.whl
    _, version, _python, abi, platforms = name[: -len(".whl")].split("-")
    tags = platforms.split(".")
    assert abi == "abi3", f"{name}: not an abi3 wheel"
    assert any(t.startswith(("manylinux2014_", "manylinux_2_17_")) for t in tags), (
        f"{name}: no manylinux2014 / manylinux_2_17 tag"
    )
    with zipfile.ZipFile(wheel) as zf:
        names = zf.namelist()
        entry_points = [n for n in names if n.endswith(".dist-info/entry_points.txt")]
        assert entry_points, f"{name}: no entry_points.txt (the aibubble console script)"
        scripts = zf.read(entry_points[0]).decode()
    entry = configparser.ConfigParser()
    entry.read_string(scripts)
    assert entry.get("console_scripts", "aibubble", fallback="").strip() == "aibubble._cli:main", (
        f"{name}: no aibubble console script:\n{scripts}"
    )
    for lic in ("LICENSE-MIT", "LICENSE-APACHE"):
        assert any(n.endswith(f".dist-info/licenses/{lic}") for n in names), (
            f"{name}: {lic} missing from the wheel"
        )

    import aibubble

    # The installed package, not a source tree on sys.path.
    assert aibubble.__file__.startswith(sys.prefix), aibubble.__file__
    assert aibubble.__version__ == version, (aibubble.__version__, version)

    scenario = aibubble.Scenario.preset("baseline")
    result = aibubble.simulate(scenario, paths=500, seed=1)
    summary = result.summary()
    fair = summary["fair_value_p50"]
    assert len(fair) > 0 and all(math.isfinite(v) for v in fair), fair
    for lab in summary.index:
        values = result.distribution(lab, "fair_value")
        assert len(values) == 500 and all(math.isfinite(v) for v in values), lab

    # The console script, installed from the wheel beside this interpreter.
    exe = os.path.join(sysconfig.get_path("scripts"), "aibubble")
    proc = subprocess.run([exe, "--version"], capture_output=True, text=True, check=True)
    assert proc.stdout == f"aibubble {version}\n", proc.stdout
    proc = subprocess.run([exe, "run", "baseline", "--paths", "200", "--json"], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == aibubble.simulate(scenario, paths=200, seed=42).summary_json().strip()

    print(
        f"wheel smoke test passed: {name} (aibubble {aibubble.__version__}, "
        f"{len(summary)} labs, 500 paths, median fair value of "
        f"{summary.index[0]} {fair.iloc[0]:.0f} bn; the aibubble command runs)"
    )


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    main(sys.argv[1])
