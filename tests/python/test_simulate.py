"""simulate() and merge(): arguments, reproducibility, splits, the progress bar."""

from __future__ import annotations

import numpy as np
import pytest

import aibubble
from aibubble import ArgumentError, Result, Scenario

from conftest import PATHS, SEED, STORE


def test_same_seed_same_result(baseline: Scenario, small: Result) -> None:
    again = aibubble.simulate(baseline, paths=PATHS, seed=SEED, store_paths=STORE)
    assert again == small
    assert again.summary_json() == small.summary_json()


def test_positional_paths_and_seed(baseline: Scenario, small: Result) -> None:
    assert aibubble.simulate(baseline, PATHS, SEED, store_paths=STORE) == small


def test_thread_count_does_not_change_results(baseline: Scenario) -> None:
    from aibubble import _core

    # Runs use at most the available cores (more would only warn).
    most = _core.available_cores()
    one = aibubble.simulate(baseline, paths=700, seed=3, threads=1, store_paths=2)
    many = aibubble.simulate(baseline, paths=700, seed=3, threads=most, store_paths=2)
    assert one == many


def test_different_seed_different_result(baseline: Scenario, small: Result) -> None:
    other = aibubble.simulate(baseline, paths=PATHS, seed=SEED + 1, store_paths=STORE)
    assert other != small
    assert other.seed == SEED + 1


def test_numpy_integers_are_accepted(baseline: Scenario) -> None:
    r = aibubble.simulate(baseline, paths=np.int64(300), seed=np.uint32(5), store_paths=np.int32(1))
    assert r.n_paths == 300 and r.seed == 5


def test_common_random_numbers(baseline: Scenario) -> None:
    """The same seed draws the same inputs for a scenario with one input changed
    (the input streams are keyed by field path)."""
    a = aibubble.simulate(baseline, paths=300, seed=11)
    b = aibubble.simulate(baseline.replace({"segments.enterprise.switching": 0.5}), paths=300, seed=11)
    ia, ib = a.inputs(), b.inputs()
    shared = [c for c in ia.columns if c in ib.columns]
    assert shared
    np.testing.assert_array_equal(ia[shared].to_numpy(), ib[shared].to_numpy())


# Splits and merge --------------------------------------------------------------------


def test_path_range_holds_those_paths(baseline: Scenario, small: Result) -> None:
    part = aibubble.simulate(baseline, paths=PATHS, seed=SEED, path_range=(500, 1300))
    assert part.n_paths == 800
    assert part.path_range == (500, 1300)
    lab = small.labs[0]
    np.testing.assert_array_equal(
        part.distribution(lab, "fair_value"), small.distribution(lab, "fair_value")[500:1300]
    )


def test_merge_of_splits_equals_the_single_run(baseline: Scenario, small: Result) -> None:
    cuts = [0, 1, 700, 701, 1536, PATHS]  # uneven, one of a single path, batch edges and not
    parts = [
        aibubble.simulate(baseline, paths=PATHS, seed=SEED, path_range=(a, b), store_paths=STORE)
        for a, b in zip(cuts, cuts[1:])
    ]
    merged = aibubble.merge(parts)
    assert merged == small
    assert merged.summary_dict() == small.summary_dict()
    assert merged.summary_json() == small.summary_json()
    # Parts in any order.
    assert aibubble.merge(reversed(parts)) == small


def test_merge_of_one_part_is_that_part(small: Result) -> None:
    assert aibubble.merge([small]) == small


def test_merge_rejects_parts_that_do_not_fit(baseline: Scenario) -> None:
    a = aibubble.simulate(baseline, paths=600, seed=1, path_range=(0, 300))
    b = aibubble.simulate(baseline, paths=600, seed=1, path_range=(300, 600))
    gap = aibubble.simulate(baseline, paths=600, seed=1, path_range=(400, 600))
    other_seed = aibubble.simulate(baseline, paths=600, seed=2, path_range=(300, 600))
    other_scenario = aibubble.simulate(
        baseline.replace({"segments.enterprise.switching": 0.5}), paths=600, seed=1, path_range=(300, 600)
    )
    with pytest.raises(ArgumentError, match="nothing to merge"):
        aibubble.merge([])
    with pytest.raises(ArgumentError, match="do not join"):
        aibubble.merge([a, gap])
    with pytest.raises(ArgumentError, match="do not join"):
        aibubble.merge([a, a])
    for bad in (other_seed, other_scenario):
        with pytest.raises(ArgumentError, match="different runs"):
            aibubble.merge([a, bad])
    assert aibubble.merge([a, b]).n_paths == 600


def test_merge_takes_results(small: Result) -> None:
    with pytest.raises(TypeError):
        aibubble.merge([small, small._inner])  # type: ignore[list-item]
    with pytest.raises(TypeError):
        aibubble.merge(5)  # type: ignore[arg-type]


# Arguments --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "kwargs",
    [
        {"paths": "10"},
        {"paths": 10.0},
        {"paths": True},
        {"seed": "7"},
        {"seed": 1.5},
        {"threads": "2"},
        {"store_paths": 1.0},
        {"path_range": 5},
        {"path_range": (0, 5, 10)},
        {"path_range": (0.0, 5)},
        {"path_range": "0:5"},
    ],
)
def test_wrong_argument_types(baseline: Scenario, kwargs: dict) -> None:
    args = {"paths": 10, "seed": 1, **kwargs}
    with pytest.raises(TypeError):
        aibubble.simulate(baseline, **args)


@pytest.mark.parametrize("scenario", ["baseline", None, {"name": "baseline"}])
def test_scenario_must_be_a_scenario(scenario: object) -> None:
    with pytest.raises(TypeError, match="Scenario"):
        aibubble.simulate(scenario, paths=10)  # type: ignore[arg-type]


def test_core_scenario_is_not_accepted(baseline: Scenario) -> None:
    with pytest.raises(TypeError):
        aibubble.simulate(baseline._inner, paths=10)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "kwargs, name",
    [
        ({"paths": 0}, "paths"),
        ({"paths": -5}, "paths"),
        ({"seed": -1}, "seed"),
        ({"seed": 2**64}, "seed"),
        ({"threads": 0}, "threads"),
        ({"store_paths": -1}, "store_paths"),
        ({"path_range": (5, 5)}, "path_range"),
        ({"path_range": (8, 5)}, "path_range"),
        ({"path_range": (0, 11)}, "path_range"),
        ({"path_range": (-1, 5)}, "path_range"),
        ({"paths": 2**41}, "paths"),
        ({"paths": 2**64}, "paths"),
    ],
)
def test_bad_argument_values(baseline: Scenario, kwargs: dict, name: str) -> None:
    args = {"paths": 10, "seed": 1, **kwargs}
    with pytest.raises(ArgumentError) as info:
        aibubble.simulate(baseline, **args)
    assert isinstance(info.value, ValueError)
    assert name in str(info.value)


def test_resource_limit(baseline: Scenario) -> None:
    """A run whose per-path table would not fit the memory limit is refused up front."""
    with pytest.raises(aibubble.ResourceLimitError, match="GiB"):
        aibubble.simulate(baseline, paths=2**39, seed=1)


def test_largest_seed(baseline: Scenario) -> None:
    r = aibubble.simulate(baseline, paths=10, seed=2**64 - 1)
    assert r.seed == 2**64 - 1


def test_store_more_paths_than_run(baseline: Scenario) -> None:
    r = aibubble.simulate(baseline, paths=20, seed=1, store_paths=50)
    assert r.trajectories("gap").shape[0] == 20


# Progress bar ------------------------------------------------------------------------


def test_progress_bar(baseline: Scenario, small: Result, capsys: pytest.CaptureFixture[str]) -> None:
    r = aibubble.simulate(baseline, paths=PATHS, seed=SEED, store_paths=STORE, progress=True)
    assert r == small  # the bar does not change the results
    err = capsys.readouterr().err
    assert f"{PATHS}/{PATHS}" in err
    assert "100%" in err
    assert "baseline" in err  # described by the scenario name


def test_progress_bar_of_a_path_range(baseline: Scenario, capsys: pytest.CaptureFixture[str]) -> None:
    aibubble.simulate(baseline, paths=1000, seed=1, path_range=(200, 700), progress=True)
    assert "500/500" in capsys.readouterr().err


# Limits and numerical failures ---------------------------------------------------------


@pytest.mark.parametrize("limit", [10**8, "100M"])
def test_max_memory_refuses_before_running(baseline: Scenario, limit: object) -> None:
    with pytest.raises(aibubble.ResourceLimitError, match="limit set for this run"):
        aibubble.simulate(baseline, paths=300_000, seed=1, max_memory=limit)  # type: ignore[arg-type]
    # Within the limit, the same call runs.
    r = aibubble.simulate(baseline, paths=100, seed=1, max_memory=limit)  # type: ignore[arg-type]
    assert r.n_paths == 100


def test_max_memory_from_the_environment(baseline: Scenario, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AIBUBBLE_MAX_MEMORY", "100M")
    with pytest.raises(aibubble.ResourceLimitError):
        aibubble.simulate(baseline, paths=300_000, seed=1)
    monkeypatch.setenv("AIBUBBLE_MAX_MEMORY", "lots")
    with pytest.raises(ArgumentError, match="AIBUBBLE_MAX_MEMORY"):
        aibubble.simulate(baseline, paths=10, seed=1)


def test_bad_max_memory(baseline: Scenario) -> None:
    with pytest.raises(ArgumentError, match="max_memory"):
        aibubble.simulate(baseline, paths=10, seed=1, max_memory="lots")
    with pytest.raises(TypeError):
        aibubble.simulate(baseline, paths=10, seed=1, max_memory=1.5)  # type: ignore[arg-type]


def test_threads_beyond_the_cores_warn_and_change_nothing(baseline: Scenario) -> None:
    from aibubble import _core

    many = _core.available_cores() + 5
    with pytest.warns(RuntimeWarning, match="capped"):
        r = aibubble.simulate(baseline, paths=300, seed=3, threads=many)
    assert r == aibubble.simulate(baseline, paths=300, seed=3, threads=1)


def test_non_finite_results_raise_numerical_error(baseline: Scenario) -> None:
    s = baseline.replace({"labs.openai.plan": [[2026.0, 1e308]]})
    with pytest.raises(aibubble.NumericalError) as info:
        aibubble.simulate(s, paths=50, seed=1)
    assert "labs.openai.cash = -inf" in str(info.value) and "path 0" in str(info.value)
    assert isinstance(info.value, ArithmeticError)


def test_collapsed_sketches_warn(baseline: Scenario) -> None:
    s = baseline.replace({"segments.consumer.elasticity": 60.0})
    with pytest.warns(RuntimeWarning, match="orders of magnitude"):
        r = aibubble.simulate(s, paths=300, seed=1)
    assert r.summary_dict()["collapsed_series"]
