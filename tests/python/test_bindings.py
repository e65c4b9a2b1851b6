"""The Rust bindings (``src/python/``): every entry point guarded against
panics, and the error classes looked up once."""

from __future__ import annotations

import re
from typing import List, Tuple

import pytest

import aibubble
from aibubble import _core, errors

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
    assert {"simulate", "from_dict", "replace", "diff", "get", "fields", "validate", "pv_savings", "merge", "paths"} <= names


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
