"""The Rust bindings (``src/python/``): every entry point guarded against
panics, the error classes looked up once, and the arguments of a run
checked by the core rather than by the facade."""

from __future__ import annotations

import re
from typing import List, Tuple

import pytest

import aibubble
from aibubble import ArgumentError, _core, errors

from conftest import REPO

SOURCES = sorted((REPO / "src" / "python").glob("*.rs"))


def _entries() -> List[Tuple[str, str, str]]:
    """``(file, function, first line of its body)`` of every ``#[pymethods]``
    method and every ``#[pyfunction]``."""
    out = []
    for path in SOURCES:
        lines = path.read_text(encoding="utf-8").split("\n")
        in_methods = False
        pending_function = False
        for i, line in enumerate(lines):
            if line.startswith("#[pymethods]"):
                in_methods = True
            elif in_methods and line == "}":
                in_methods = False
            if line.startswith("#[pyfunction]"):
                pending_function = True
            m = re.match(r"(    )?(pub )?fn (\w+)", line)
            if not m:
                continue
            method = m.group(1) is not None
            if (method and in_methods) or (not method and pending_function):
                j = i
                while not lines[j].rstrip().endswith("{"):
                    j += 1
                out.append((path.name, m.group(3), lines[j + 1].strip()))
            if not method:
                pending_function = False
    return out


def test_the_sources_are_found() -> None:
    names = {name for _, name, _ in _entries()}
    assert {"simulate", "from_dict", "replace", "get", "fields", "validate", "pv_savings", "merge", "paths"} <= names


@pytest.mark.parametrize("file, name, body", _entries(), ids=lambda x: x if isinstance(x, str) else "")
def test_every_entry_point_is_guarded(file: str, name: str, body: str) -> None:
    """``guard`` turns a Rust panic into InternalError: no method goes without it."""
    assert body.startswith("guard("), f"{file}: {name} starts with {body!r}"


def test_error_classes_are_looked_up_once(monkeypatch: pytest.MonkeyPatch, baseline: aibubble.Scenario) -> None:
    """The classes are taken from aibubble.errors when _core is imported, not on every raise."""
    original = errors.ArgumentError

    class Elsewhere(Exception):
        pass

    monkeypatch.setattr(errors, "ArgumentError", Elsewhere)
    with pytest.raises(original):
        _core.simulate(baseline._inner, 0, 1)


# Arguments of a run, checked by the core --------------------------------------------


@pytest.mark.parametrize(
    "args, kwargs, message",
    [
        ((0, 1), {}, "invalid argument paths: must be >= 1, got 0"),
        ((10, -1), {}, "invalid argument seed: must be >= 0, got -1"),
        ((10, 2**64), {}, "invalid argument seed: must be < 2**64, got 18446744073709551616"),
        ((10, 1), {"threads": 0}, "invalid argument threads: must be >= 1, got 0"),
        ((10, 1), {"store_paths": -3}, "invalid argument store_paths: must be >= 0, got -3"),
        ((10, 1), {"max_memory": 0}, "invalid argument max_memory: must be >= 1, got 0"),
        ((10, 1), {"path_range": (-1, 5)}, "invalid argument path_range[0]: must be >= 0, got -1"),
        ((10, 1), {"path_range": (5, 3)}, "invalid argument path_range"),
    ],
)
def test_the_core_names_the_argument(baseline: aibubble.Scenario, args: tuple, kwargs: dict, message: str) -> None:
    with pytest.raises(ArgumentError) as info:
        _core.simulate(baseline._inner, *args, **kwargs)
    assert str(info.value).startswith(message)


@pytest.mark.parametrize(
    "args, kwargs, message",
    [
        ((True, 1), {}, "paths must be an int, got bool"),
        ((10, 1.5), {}, "seed must be an int, got float"),
        ((10, 1), {"threads": "2"}, "threads must be an int, got str"),
        ((10, 1), {"path_range": 5}, r"path_range must be a \(start, end\) tuple, got int"),
        ((10, 1), {"path_range": (1, 2, 3)}, r"path_range must be a \(start, end\) tuple, got tuple"),
        ((10, 1), {"max_memory": 1.5}, "max_memory must be an int .* or a str such as \"8G\", got float"),
    ],
)
def test_the_core_rejects_wrong_types_clearly(
    baseline: aibubble.Scenario, args: tuple, kwargs: dict, message: str
) -> None:
    with pytest.raises(TypeError, match=message):
        _core.simulate(baseline._inner, *args, **kwargs)


def test_max_memory_as_text(baseline: aibubble.Scenario) -> None:
    with pytest.raises(ArgumentError, match="invalid argument max_memory"):
        _core.simulate(baseline._inner, 10, 1, max_memory="lots")
    assert len(_core.simulate(baseline._inner, 10, 1, max_memory="1G")) == 10


def test_capped_threads_warn_at_the_callers_line(baseline: aibubble.Scenario) -> None:
    many = _core.available_cores() + 1
    with pytest.warns(RuntimeWarning, match=f"threads={many} capped at {_core.available_cores()}") as record:
        aibubble.simulate(baseline, paths=10, seed=1, threads=many)
    assert record[0].filename == __file__
