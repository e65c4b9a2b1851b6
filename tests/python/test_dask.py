"""aibubble.dask.simulate on a LocalCluster of two worker processes: the
merged shards equal the single-process run bit for bit."""

from __future__ import annotations

from typing import Any, Iterator

import numpy as np
import pandas as pd
import pytest

import aibubble
import aibubble.dask as abd

distributed = pytest.importorskip("dask.distributed")

from _cluster import local_client  # noqa: E402

PATHS = 1500
SEED = 11


@pytest.fixture(scope="module")
def client() -> Iterator[Any]:
    yield from local_client()


@pytest.fixture(scope="module")
def single(baseline: aibubble.Scenario) -> aibubble.Result:
    return aibubble.simulate(baseline, PATHS, SEED, store_paths=4)


def _same(a: aibubble.Result, b: aibubble.Result) -> None:
    assert a.summary_json() == b.summary_json()
    pd.testing.assert_frame_equal(a.per_path(), b.per_path(), check_exact=True)
    pd.testing.assert_frame_equal(a.events(), b.events(), check_exact=True)
    for variable, lab in [("gap", None), ("closed_spend_share", None), ("revenue", "openai")]:
        pd.testing.assert_frame_equal(a.timeseries(variable, lab), b.timeseries(variable, lab), check_exact=True)
    assert a == b


def test_keep_years_passes_through_and_both_modes_merge_bit_for_bit(
    client: Any, baseline: aibubble.Scenario, single: aibubble.Result
) -> None:
    # Without keep_years (as `single`), the yearly moments are exact sums.
    assert not single.keep_years
    kept = aibubble.simulate(baseline, 600, SEED, keep_years=True)
    merged = abd.simulate(baseline, 600, SEED, client=client, shards=[(0, 250), (250, 600)], keep_years=True)
    assert merged.keep_years
    _same(merged, kept)
    assert "labs.openai.revenue.2030" in merged.per_path().columns


def test_unequal_shards_on_two_processes_equal_the_single_run_bit_for_bit(
    client: Any, baseline: aibubble.Scenario, single: aibubble.Result
) -> None:
    # Shards of 1, 299, 700 and 500 paths; the stored paths straddle the first cut.
    shards = [(0, 1), (1, 300), (300, 1000), (1000, PATHS)]
    merged = abd.simulate(baseline, PATHS, SEED, client=client, shards=shards, store_paths=4)
    assert merged.path_range == (0, PATHS)
    _same(merged, single)
    # The trajectories of the stored paths cross the first shard boundary.
    np.testing.assert_array_equal(merged.trajectories("gap"), single.trajectories("gap"))


def test_a_count_of_shards_and_the_progress_bar(
    client: Any, baseline: aibubble.Scenario, single: aibubble.Result, capsys: pytest.CaptureFixture[str]
) -> None:
    merged = abd.simulate(baseline, PATHS, SEED, client=client, shards=3, store_paths=4, progress=True)
    _same(merged, single)
    err = capsys.readouterr().err
    assert "3/3" in err and "shard" in err


def test_a_different_seed_differs(client: Any, baseline: aibubble.Scenario, single: aibubble.Result) -> None:
    # The check above could pass by returning the single run: this cannot.
    other = abd.simulate(baseline, PATHS, SEED + 1, client=client, shards=2, store_paths=4)
    assert other.summary_json() != single.summary_json()


def test_shard_ranges() -> None:
    assert abd.shard_ranges(10, 3) == [(0, 3), (3, 6), (6, 10)]
    assert abd.shard_ranges(10, [(0, 4), (4, 10)]) == [(0, 4), (4, 10)]
    # Default: four per task slot, at most one per 256-path batch.
    assert len(abd.shard_ranges(100_000, None, slots=2)) == 8
    assert abd.shard_ranges(300, None, slots=8) == [(0, 300)]


@pytest.mark.parametrize(
    "shards, words",
    [
        (0, "between 1 and paths"),
        (PATHS + 1, "between 1 and paths"),
        ([], "empty"),
        ([(0, 10), (20, PATHS)], "shards[1]"),
        ([(0, 10), (10, 10), (10, PATHS)], "shards[1]"),
        ([(0, 10), (10, 100)], "not at paths"),
        ("four", "list of (start, end)"),
        (True, "list of (start, end)"),
    ],
)
def test_bad_shards_are_argument_errors(
    client: Any, baseline: aibubble.Scenario, shards: object, words: str
) -> None:
    with pytest.raises(aibubble.ArgumentError, match="shards") as e:
        abd.simulate(baseline, PATHS, SEED, client=client, shards=shards)  # type: ignore[arg-type]
    assert words in str(e.value)


def test_a_client_that_is_not_a_client(baseline: aibubble.Scenario) -> None:
    with pytest.raises(aibubble.ArgumentError, match="client: must be a dask.distributed.Client, got str"):
        abd.simulate(baseline, PATHS, SEED, client="tcp://scheduler:8786")


def test_bad_paths_and_store_paths(client: Any, baseline: aibubble.Scenario) -> None:
    with pytest.raises(aibubble.ArgumentError, match="paths"):
        abd.simulate(baseline, 0, SEED, client=client)
    with pytest.raises(aibubble.ArgumentError, match="store_paths"):
        abd.simulate(baseline, PATHS, SEED, client=client, store_paths=-1)


def test_an_error_in_a_task_is_raised_here(client: Any, baseline: aibubble.Scenario) -> None:
    # A seed the core refuses fails inside every task; the first comes back
    # as the library's own error, its message intact.
    with pytest.raises(aibubble.ArgumentError, match="seed: must be >= 0, got -1"):
        abd.simulate(baseline, PATHS, -1, client=client, shards=2)


def test_a_sweep_on_the_cluster_equals_the_local_sweep(client: Any, baseline: aibubble.Scenario) -> None:
    values = [0.08, 0.10, 0.14]
    local = aibubble.sweep(baseline, "valuation.discount_rate", values, 600, SEED, net=True)
    remote = aibubble.sweep(baseline, "valuation.discount_rate", values, 600, SEED, net=True, client=client)
    pd.testing.assert_frame_equal(remote, local, check_exact=True)
    assert remote.attrs == local.attrs
    assert list(remote["value"].unique()) == values
    with pytest.raises(aibubble.ArgumentError, match="no.such"):
        aibubble.sweep(baseline, "no.such", values, 600, SEED, client=client)
    with pytest.raises(aibubble.ArgumentError, match="client: must be a dask.distributed.Client, got int"):
        aibubble.sweep(baseline, "valuation.discount_rate", values, 600, SEED, client=3)


def test_without_a_client_a_local_cluster_is_made_and_closed(
    baseline: aibubble.Scenario, monkeypatch: pytest.MonkeyPatch
) -> None:
    made: list[Any] = []

    class Recorded(distributed.LocalCluster):  # type: ignore[misc, name-defined]
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            made.append(kwargs)
            super().__init__(*args, **kwargs)
            made.append(self)

    monkeypatch.setattr(distributed, "LocalCluster", Recorded)
    small = aibubble.simulate(baseline, 600, SEED)
    assert abd.simulate(baseline, 600, SEED, shards=2) == small
    kwargs, cluster = made
    assert kwargs["dashboard_address"] is None and kwargs["processes"] is True
    assert cluster.status.name == "closed"
