"""The exception hierarchy: one class per kind of failure under AibubbleError,
the standard bases users catch, and what the errors carry."""

from __future__ import annotations

import pickle

import pytest

import aibubble
from aibubble import errors

ALL = [getattr(errors, name) for name in errors.__all__]

#: Standard exception classes each error is also an instance of.
EXTRA_BASES = {
    "ScenarioError": ValueError,
    "ArgumentError": ValueError,
    "ResultsFileError": ValueError,
    "SchemaVersionError": errors.ResultsFileError,
    "FileError": OSError,
    "NumericalError": ArithmeticError,
}


def test_every_error_is_an_aibubble_error() -> None:
    assert issubclass(errors.AibubbleError, Exception)
    for cls in ALL:
        assert issubclass(cls, errors.AibubbleError), cls
        assert getattr(aibubble, cls.__name__) is cls  # exported at the top level
        assert cls.__name__ in aibubble.__all__


@pytest.mark.parametrize("name", list(EXTRA_BASES))
def test_standard_bases(name: str) -> None:
    assert issubclass(getattr(errors, name), EXTRA_BASES[name])


def test_one_class_per_kind() -> None:
    kinds = {
        "ScenarioError",
        "ArgumentError",
        "ResourceLimitError",
        "NumericalError",
        "ResultsFileError",
        "SchemaVersionError",
        "FileError",
        "CancelledError",
        "InternalError",
    }
    assert kinds <= set(errors.__all__)
    # Kinds that are not refinements of one another are unrelated classes.
    for a in ("ResourceLimitError", "NumericalError", "CancelledError", "InternalError", "ScenarioError"):
        for b in kinds - {a}:
            assert not issubclass(getattr(errors, a), getattr(errors, b)), (a, b)
    # Cancellation and resource limits are not value errors: nothing was wrong with the values.
    for name in ("ResourceLimitError", "CancelledError", "InternalError"):
        assert not issubclass(getattr(errors, name), ValueError)


def test_scenario_error_carries_problems() -> None:
    e = errors.ScenarioError("2 problems", [("a.b", "must be > 0, got 0"), ("c", "unknown field")])
    assert e.problems == [("a.b", "must be > 0, got 0"), ("c", "unknown field")]
    assert all(isinstance(p, tuple) for p in e.problems)
    assert e.paths == ["a.b", "c"]
    assert str(e) == "2 problems"
    assert errors.ScenarioError("parse").problems == []


def test_scenario_error_from_the_core(baseline: aibubble.Scenario) -> None:
    with pytest.raises(ValueError) as info:  # catchable as a ValueError
        baseline.replace({"segments.enterprise.switching": -1.0, "gap.sigma": -1.0})
    e = info.value
    assert type(e) is errors.ScenarioError
    assert set(e.paths) == {"segments.enterprise.switching", "gap.sigma"}
    for path, message in e.problems:
        assert isinstance(path, str) and isinstance(message, str) and message
        assert f"{path}: {message}" in str(e)  # the message lists every problem


def test_scenario_error_pickles_with_its_problems(baseline: aibubble.Scenario) -> None:
    """Errors cross process boundaries (multiprocessing, dask) intact."""
    with pytest.raises(errors.ScenarioError) as info:
        baseline.replace({"segments.enterprise.switching": -1.0})
    back = pickle.loads(pickle.dumps(info.value))
    assert type(back) is errors.ScenarioError
    assert back.problems == info.value.problems
    assert str(back) == str(info.value)


def test_parse_errors_are_scenario_errors_without_problems() -> None:
    with pytest.raises(errors.ScenarioError) as info:
        aibubble.Scenario.from_toml_str("name = ")
    assert info.value.problems == []
    assert "line 1" in str(info.value)


def test_errors_of_the_core_are_instances_of_the_python_classes(baseline: aibubble.Scenario) -> None:
    """The core raises the classes of aibubble.errors (not look-alikes)."""
    from aibubble import _core

    with pytest.raises(errors.ScenarioError):
        _core.Scenario.from_json_str("{")
    with pytest.raises(errors.ArgumentError):
        _core.simulate(baseline._inner, 10, 1, path_range=(5, 3))
    with pytest.raises(errors.ResourceLimitError):
        _core.simulate(baseline._inner, 2**39, 1)
    with pytest.raises(errors.SchemaVersionError):
        _core.Results.from_json('{"schema_version": 999}')
    with pytest.raises(errors.ResultsFileError):
        _core.Results.from_json("[]")


def test_core_rejects_wrong_argument_types(baseline: aibubble.Scenario) -> None:
    from aibubble import _core

    with pytest.raises(TypeError):
        _core.simulate(baseline, 10, 1)  # type: ignore[arg-type]  # the wrapper, not the core class
    with pytest.raises(TypeError):
        _core.simulate(baseline._inner, "10", 1)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        _core.merge([1])  # type: ignore[list-item]


def test_a_raising_progress_callback_stops_the_run(baseline: aibubble.Scenario) -> None:
    """An exception in the progress callback cancels the run and propagates as is."""
    from aibubble import _core

    class Stop(Exception):
        pass

    seen = []

    def progress(done: int, total: int) -> None:
        seen.append(done)
        raise Stop

    with pytest.raises(Stop):
        _core.simulate(baseline._inner, 200_000, 1, threads=1, progress=progress)
    assert len(seen) == 1 and seen[0] < 200_000
    # The process is usable afterwards.
    assert aibubble.simulate(baseline, paths=100, seed=1).n_paths == 100
