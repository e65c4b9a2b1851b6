"""Shared fixtures of the Python test suite.

Runs are small and seeded so that the suite is fast and deterministic. The
CLI binary (for parity tests) is ``target/release/aibubble``; it is built once
with cargo when missing (``make python-test`` builds it before pytest), or
taken from ``$AIBUBBLE_CLI``.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any, Callable, Iterator, List

import matplotlib

matplotlib.use("Agg")  # before pyplot is imported anywhere

import pytest  # noqa: E402

import aibubble  # noqa: E402

REPO = Path(__file__).resolve().parents[2]

#: The session run: preset, paths, seed, stored paths.
PRESET = "baseline"
PATHS = 2000
SEED = 7
STORE = 5


@pytest.fixture(scope="session")
def baseline() -> aibubble.Scenario:
    return aibubble.Scenario.preset(PRESET)


@pytest.fixture(scope="session")
def small(baseline: aibubble.Scenario) -> aibubble.Result:
    """``baseline``, 2000 paths, seed 7, the first 5 paths stored. Do not mutate."""
    return aibubble.simulate(baseline, paths=PATHS, seed=SEED, store_paths=STORE)


@pytest.fixture(scope="session")
def small_years(baseline: aibubble.Scenario) -> aibubble.Result:
    """``small`` with ``keep_years``: each year's revenue and FCF per path. Do not mutate."""
    return aibubble.simulate(baseline, paths=PATHS, seed=SEED, store_paths=STORE, keep_years=True)


@pytest.fixture(scope="session")
def marked_labs(small: aibubble.Result) -> List[str]:
    """Labs with a latest mark (so with phi and P(pop))."""
    return [lab["id"] for lab in small.summary_dict()["labs"] if lab["mark"] is not None]


@pytest.fixture(scope="session")
def unmarked_labs(small: aibubble.Result) -> List[str]:
    return [lab["id"] for lab in small.summary_dict()["labs"] if lab["mark"] is None]


@pytest.fixture(scope="session")
def cli() -> Path:
    """The CLI binary, built once if missing."""
    env = os.environ.get("AIBUBBLE_CLI")
    if env:
        return Path(env)
    exe = REPO / "target" / "release" / "aibubble"
    if not exe.exists():
        cargo = shutil.which("cargo")
        if cargo is None:
            pytest.fail("cargo is needed to build the CLI for the parity tests (or set AIBUBBLE_CLI)")
        subprocess.run(
            [cargo, "build", "--release", "--bin", "aibubble"],
            cwd=REPO,
            check=True,
            stdout=subprocess.DEVNULL,
        )
    assert exe.exists(), f"{exe} was not built"
    return exe


@pytest.fixture(scope="session")
def cli_json(cli: Path) -> Callable[..., Any]:
    """``cli_json("run", "baseline", "--paths", "10")``: run the CLI with ``--json``, parsed."""

    def run(*args: str) -> Any:
        proc = subprocess.run([str(cli), *args, "--json"], capture_output=True, text=True, timeout=600)
        assert proc.returncode == 0, f"aibubble {' '.join(args)} failed:\n{proc.stderr}"
        return json.loads(proc.stdout)

    return run


@pytest.fixture
def close_figures() -> Iterator[None]:
    import matplotlib.pyplot as plt

    yield
    plt.close("all")
