"""The hand-written stub of the extension matches it (mypy.stubtest), the
package type-checks, and it ships ``py.typed``."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest

import aibubble
from aibubble import _core

from conftest import REPO

pytest.importorskip("mypy", reason="mypy is in the test extra")

PACKAGE = Path(aibubble.__file__).parent


def _mypy(*args: str, cache: Path | None = None) -> subprocess.CompletedProcess[str]:
    cache_args = ["--cache-dir", str(cache)] if cache is not None else []
    return subprocess.run(
        [sys.executable, "-m", *args, *cache_args],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=600,
    )


@pytest.fixture(scope="module")
def mypy_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("mypy_cache")


def test_installed_package_ships_stub_and_marker() -> None:
    assert (PACKAGE / "py.typed").is_file()
    assert (PACKAGE / "_core.pyi").is_file()
    spec = importlib.util.find_spec("aibubble._core")
    assert spec is not None and spec.origin is not None


def test_stub_matches_the_extension() -> None:
    proc = _mypy("mypy.stubtest", "aibubble._core")  # stubtest keeps a cache of its own
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_package_type_checks(mypy_cache: Path) -> None:
    proc = _mypy("mypy", "--strict", str(REPO / "python" / "aibubble"), cache=mypy_cache)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_user_code_type_checks(mypy_cache: Path, tmp_path: Path) -> None:
    """Code using the public API is checked against its annotations (py.typed)."""
    good = tmp_path / "good.py"
    good.write_text(
        "import aibubble\n"
        "s = aibubble.Scenario.preset('baseline').replace({'segments.enterprise.switching': 0.5})\n"
        "r = aibubble.simulate(s, paths=100, seed=1)\n"
        "x: float = float(r.distribution('openai', 'phi').mean())\n"
        "df = r.summary()\n"
        "ax = aibubble.plot.fan_chart(r, 'gap')\n"
    )
    proc = _mypy("mypy", "--strict", str(good), cache=mypy_cache)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    bad = tmp_path / "bad.py"
    bad.write_text("import aibubble\naibubble.simulate('baseline', paths='10')\n")
    proc = _mypy("mypy", str(bad), cache=mypy_cache)
    assert proc.returncode == 1
    assert 'incompatible type "str"' in proc.stdout


def test_version() -> None:
    assert isinstance(aibubble.__version__, str) and aibubble.__version__ == _core.__version__
    assert aibubble.__version__.count(".") >= 2
