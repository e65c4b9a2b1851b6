"""The Python package and the CLI are one engine: the same scenario and seed give
the same ``--json`` summary, and split runs merged equal the single run."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any, Callable

import pytest

import aibubble
from aibubble import Result, Scenario

from conftest import PATHS, PRESET, SEED

CliJson = Callable[..., Any]


def _cli_preset(cli: Path, name: str) -> Scenario:
    """The preset as the CLI binary has it (``aibubble show``)."""
    proc = subprocess.run([str(cli), "show", name], capture_output=True, text=True, check=True)
    return Scenario.from_toml_str(proc.stdout)


def _same_build(cli: Path, name: str) -> None:
    """Fail early, with the reason, when the binary and the extension embed different presets."""
    ours = Scenario.preset(name)
    theirs = _cli_preset(cli, name)
    if theirs != ours:
        pytest.fail(
            f"preset {name!r} differs between {cli} and the installed extension "
            f"({', '.join(ours.diff(theirs).index[:5])}): they were built from different sources; "
            "rebuild both (cargo build --release --bin aibubble; pip install .)"
        )


def test_summary_equals_cli_json(cli: Path, cli_json: CliJson, small: Result) -> None:
    _same_build(cli, PRESET)
    ours = json.loads(small.summary_json())
    theirs = cli_json("run", PRESET, "--paths", str(PATHS), "--seed", str(SEED))
    assert ours == theirs
    assert small.summary_dict() == theirs


@pytest.mark.parametrize("name", [n for n in aibubble.presets() if n != PRESET])
def test_every_preset_equals_cli_json(cli: Path, cli_json: CliJson, name: str) -> None:
    _same_build(cli, name)
    r = aibubble.simulate(Scenario.preset(name), paths=500, seed=3)
    assert json.loads(r.summary_json()) == cli_json("run", name, "--paths", "500", "--seed", "3")


@pytest.mark.parametrize("kind", ["toml", "json"])
def test_scenario_file_equals_cli_json(cli_json: CliJson, baseline: Scenario, tmp_path: Path, kind: str) -> None:
    """A modified scenario written from Python and run by the CLI (independent of
    whether the two builds embed the same presets)."""
    s = baseline.replace({"segments.enterprise.switching": 0.5, "name": "modified"})
    path = tmp_path / f"modified.{kind}"
    path.write_text(s.to_toml() if kind == "toml" else s.to_json(), encoding="utf-8")
    r = aibubble.simulate(s, paths=700, seed=5)
    theirs = cli_json("run", str(path), "--paths", "700", "--seed", "5")
    assert theirs["scenario"] == "modified"
    assert json.loads(r.summary_json()) == theirs


def test_cli_set_equals_replace(cli: Path, cli_json: CliJson, baseline: Scenario) -> None:
    _same_build(cli, PRESET)
    s = baseline.replace({"segments.enterprise.switching": 0.5})
    r = aibubble.simulate(s, paths=600, seed=9)
    theirs = cli_json(
        "run", PRESET, "--set", "segments.enterprise.switching=0.5", "--paths", "600", "--seed", "9"
    )
    assert json.loads(r.summary_json()) == theirs


def test_cli_threads_do_not_matter(cli: Path, cli_json: CliJson, small: Result) -> None:
    _same_build(cli, PRESET)
    theirs = cli_json("run", PRESET, "--paths", str(PATHS), "--seed", str(SEED), "--threads", "1")
    assert json.loads(small.summary_json()) == theirs


def test_merge_of_splits_equals_single_run_and_cli(cli: Path, cli_json: CliJson, baseline: Scenario) -> None:
    _same_build(cli, PRESET)
    single = aibubble.simulate(baseline, paths=PATHS, seed=SEED, store_paths=3)
    parts = [
        aibubble.simulate(baseline, paths=PATHS, seed=SEED, path_range=r, store_paths=3)
        for r in [(0, 300), (300, 1024), (1024, 1999), (1999, PATHS)]
    ]
    merged = aibubble.merge(parts)
    assert merged == single
    assert merged.summary_dict() == single.summary_dict()
    assert merged.summary().equals(single.summary())
    assert json.loads(merged.summary_json()) == cli_json("run", PRESET, "--paths", str(PATHS), "--seed", str(SEED))
