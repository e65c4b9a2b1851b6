"""The ``aibubble`` command that ``pip install .`` installs (the console script
of ``[project.scripts]``) and ``python -m aibubble`` are the Rust binary's
command line: the same version, presets, JSON (byte for byte), errors and
exit statuses as ``target/release/aibubble``."""

from __future__ import annotations

import json
import subprocess
import sys
import sysconfig
from pathlib import Path
from typing import List, Tuple

import pytest

import aibubble

from conftest import REPO


def _console_script() -> Path:
    """The ``aibubble`` script installed beside this interpreter (the venv's bin)."""
    scripts = Path(sysconfig.get_path("scripts"))
    exe = scripts / "aibubble"
    if not exe.is_file():
        pytest.fail(
            f"no aibubble console script in {scripts}: pip install . installs it "
            "([project.scripts] in pyproject.toml)"
        )
    return exe


@pytest.fixture(params=["script", "module"])
def launcher(request: pytest.FixtureRequest) -> List[str]:
    """The installed console script, or ``python -m aibubble``."""
    if request.param == "script":
        return [str(_console_script())]
    return [sys.executable, "-m", "aibubble"]


def _run(cmd: List[str], *args: str) -> "subprocess.CompletedProcess[str]":
    # Outside the repository, so that `python -m aibubble` imports the installed package.
    return subprocess.run([*cmd, *args], capture_output=True, text=True, timeout=300, cwd=REPO / "tests")


def test_console_script_is_installed_in_the_venv() -> None:
    exe = _console_script()
    text = exe.read_text(encoding="utf-8", errors="replace")
    assert "aibubble._cli" in text, f"{exe} does not run aibubble._cli:\n{text}"


def test_version(launcher: List[str], cli: Path) -> None:
    proc = _run(launcher, "--version")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == f"aibubble {aibubble.__version__}\n"
    assert proc.stdout == _run([str(cli)], "--version").stdout


def test_presets(launcher: List[str], cli: Path) -> None:
    proc = _run(launcher, "presets")
    assert proc.returncode == 0, proc.stderr
    names = [line.split()[0] for line in proc.stdout.splitlines() if line.strip()]
    assert names == list(aibubble.presets())
    assert proc.stdout == _run([str(cli)], "presets").stdout


def test_show_equals_binary(launcher: List[str], cli: Path) -> None:
    """Also the check that the binary and the extension were built from the same sources."""
    ours, theirs = _run(launcher, "show", "baseline"), _run([str(cli)], "show", "baseline")
    assert ours.returncode == theirs.returncode == 0, ours.stderr + theirs.stderr
    if ours.stdout != theirs.stdout:
        pytest.fail(
            f"`aibubble show baseline` differs between {launcher[-1]} and {cli}: they were built "
            "from different sources; rebuild both (cargo build --release --bin aibubble; pip install .)"
        )


def test_run_json_equals_binary_and_simulate(launcher: List[str], cli: Path) -> None:
    args = ("run", "baseline", "--paths", "200", "--json")
    ours, theirs = _run(launcher, *args), _run([str(cli)], *args)
    assert ours.returncode == theirs.returncode == 0, ours.stderr + theirs.stderr
    # The same text, so the same numbers to the last bit; and the same as the package's run
    # (the command line's default seed is 42).
    assert ours.stdout == theirs.stdout
    summary = json.loads(ours.stdout)
    assert summary["paths"] == 200
    r = aibubble.simulate(aibubble.Scenario.preset("baseline"), paths=200, seed=42)
    assert json.loads(r.summary_json()) == summary


@pytest.mark.parametrize(
    "args, status",
    [
        (("run", "no_such_preset", "--paths", "10"), 2),
        (("validate", str(REPO / "tests" / "invalid" / "dist_lognormal_sd_zero.toml")), 3),
        (("run", "baseline", "--paths", "10", "--set", "segments.enterprise.switching=-1"), 3),
        (("run", "baseline", "--paths", "2000000", "--max-memory", "64M"), 6),
        (("run", "--no-such-flag"), 2),
    ],
    ids=["unknown preset", "invalid file", "invalid override", "memory limit", "bad argument"],
)
def test_errors_and_exit_status_equal_binary(launcher: List[str], cli: Path, args: Tuple[str, ...], status: int) -> None:
    ours, theirs = _run(launcher, *args), _run([str(cli)], *args)
    assert theirs.returncode == status, theirs.stderr
    assert ours.returncode == status, ours.stderr
    assert ours.stdout == theirs.stdout
    # The same message; clap names the program "aibubble" in both.
    assert ours.stderr == theirs.stderr
    assert "Traceback" not in ours.stderr


def test_help_lists_exit_statuses(launcher: List[str]) -> None:
    proc = _run(launcher, "--help")
    assert proc.returncode == 0, proc.stderr
    assert "Usage: aibubble" in proc.stdout and "Exit status:" in proc.stdout


def test_closed_pipe_is_not_an_error(launcher: List[str]) -> None:
    """``aibubble show baseline --expanded | head -1``: no traceback, status 0."""
    proc = subprocess.Popen(
        [*launcher, "show", "baseline", "--expanded"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=REPO / "tests",
    )
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.readline()
    proc.stdout.close()
    err = proc.stderr.read().decode()
    proc.stderr.close()
    assert proc.wait(timeout=60) == 0, err
    assert err == ""
