"""docs/model.md stays true to the presets: its table of the assumptions in
`baseline` is generated from presets/baseline.toml by docs/assumptions.py."""

from __future__ import annotations

import pathlib
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parents[2]


def test_assumptions_table_is_current():
    done = subprocess.run(
        [sys.executable, str(ROOT / "docs" / "assumptions.py"), "--check"], capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr


def test_assumptions_table_lists_every_assumed_input():
    # Every citation that starts with "assumption" or "derived" has its row.
    import aibubble

    sources = aibubble.Scenario.preset("baseline").to_dict()["sources"]
    text = (ROOT / "docs" / "model.md").read_text()
    missing = [
        path
        for path, source in sources.items()
        if source.lower().startswith(("assumption", "derived")) and f"| `{path}` |" not in text
    ]
    assert not missing, missing
