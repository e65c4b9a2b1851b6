"""Generated scenarios (hypothesis): random edits of a small valid scenario
go through ``Scenario.from_dict`` and, when valid, ``simulate`` on a few paths.
Every outcome is a result or one of the library's own errors, never a crash
or a foreign exception; scenario errors name a field path.

The examples are derandomised, so the suite runs the same cases every time.
"""

from __future__ import annotations

import copy
import math
from typing import Any, Dict, List, Tuple, Union

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import aibubble
from aibubble import NumericalError, ResourceLimitError, Scenario, ScenarioError

from conftest import REPO

Step = Union[str, int]


def _leaves(value: Any, at: Tuple[Step, ...] = ()) -> List[Tuple[Step, ...]]:
    """Paths to every leaf and every container of a JSON-like value."""
    out: List[Tuple[Step, ...]] = [at] if at else []
    if isinstance(value, dict):
        for k, v in value.items():
            out += _leaves(v, at + (k,))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            out += _leaves(v, at + (i,))
    return out


BASE: Dict[str, Any] = Scenario.from_toml(REPO / "tests" / "data" / "minimal.toml").to_dict(expanded=True)
PLACES = _leaves(BASE)

numbers = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([0.0, -1.0, 1e308, -1e308, 5e-324, 0.5, 1.0, 12.0, 2026.0]),
    st.integers(min_value=-(2**70), max_value=2**70),
)
values = st.one_of(
    numbers,
    st.none(),
    st.booleans(),
    st.text(max_size=8),
    st.lists(numbers, max_size=3),
    st.dictionaries(st.sampled_from(["dist", "lo", "hi", "mean", "sd", "x"]), st.one_of(numbers, st.text(max_size=8)), max_size=4),
)
edits = st.lists(
    st.tuples(st.sampled_from(PLACES), st.one_of(values, st.just("__delete__"))),
    min_size=1,
    max_size=4,
)


def _apply(doc: Dict[str, Any], at: Tuple[Step, ...], value: Any) -> None:
    parent: Any = doc
    for step in at[:-1]:
        try:
            parent = parent[step]
        except (KeyError, IndexError, TypeError):
            return  # an earlier edit removed or replaced the container
    last = at[-1]
    try:
        if value == "__delete__":
            del parent[last]
        else:
            parent[last] = value
    except (KeyError, IndexError, TypeError):
        pass


@settings(max_examples=300, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(edits)
def test_generated_scenarios_fail_cleanly_or_run(changes: List[Tuple[Tuple[Step, ...], Any]]) -> None:
    doc = copy.deepcopy(BASE)
    for at, value in changes:
        _apply(doc, at, value)
    try:
        s = Scenario.from_dict(doc)
    except ScenarioError as e:
        assert isinstance(e, ValueError)
        assert str(e)
        for path, message in e.problems:
            assert message, (path, message)
        return
    except TypeError:
        # Only a document that is not a mapping at its root is a type error.
        assert not isinstance(doc, dict)
        return
    try:
        r = aibubble.simulate(s, paths=4, seed=1, threads=1)
    except (NumericalError, ResourceLimitError) as e:
        assert "path" in str(e) or "memory" in str(e) or "needs" in str(e)
        return
    summary = r.summary()
    fair = summary["fair_value_mean"].to_numpy()
    assert all(math.isfinite(x) for x in fair), summary


def test_the_base_scenario_runs() -> None:
    r = aibubble.simulate(Scenario.from_dict(BASE), paths=4, seed=1)
    assert r.n_paths == 4


@pytest.mark.parametrize("value", [math.nan, math.inf, -math.inf])
def test_non_finite_numbers_are_named(value: float) -> None:
    doc = copy.deepcopy(BASE)
    doc["gap"]["half_life"] = value
    with pytest.raises(ScenarioError) as info:
        Scenario.from_dict(doc)
    assert info.value.paths == ["gap.half_life"]
