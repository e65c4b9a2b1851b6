"""The analysis tools with a Dask client (a LocalCluster of two worker
processes): each run split into path ranges, an input table travelling as
its rows; every table equals the local one bit for bit."""

from __future__ import annotations

from typing import Any, Callable, Iterator, List

import numpy as np
import pandas as pd
import pytest

import aibubble
import aibubble.dask as abd
from aibubble import _core

distributed = pytest.importorskip("dask.distributed")

from _cluster import local_client  # noqa: E402

# 600 paths: two path ranges of 300 per run (a range is at least 256 paths).
PATHS = 600
SEED = 5


@pytest.fixture(scope="module")
def client() -> Iterator[Any]:
    yield from local_client()


@pytest.fixture
def jobs(monkeypatch: pytest.MonkeyPatch) -> List[int]:
    """The sizes of the batches the core hands the Dask runner: proof that
    the runs went to the cluster (an equal table alone could be local)."""
    seen: List[int] = []
    call = abd._Runner.__call__

    def counted(self: Any, batch: Any) -> Any:
        seen.append(len(batch))
        return call(self, batch)

    monkeypatch.setattr(abd._Runner, "__call__", counted)
    return seen


def _same(remote: pd.DataFrame, local: pd.DataFrame) -> None:
    pd.testing.assert_frame_equal(remote, local, check_exact=True)


def test_implied_on_the_cluster_is_the_same_search(
    client: Any, baseline: aibubble.Scenario, jobs: List[int]
) -> None:
    # A shifted uncertain input (its runs carry an input table, in two
    # ranges) and a set one: the same Brent iterates, so every column is the
    # same bit for bit, the count of runs included.
    runs = 0
    for paths, kwargs in [
        (PATHS, dict(lab="openai", input="segments.consumer.growth_0", target="median")),
        (300, dict(lab="anthropic", input="labs.anthropic.gross_margin_inf")),
    ]:
        local = aibubble.implied(baseline, paths=paths, seed=SEED, **kwargs)  # type: ignore[arg-type]
        remote = aibubble.implied(baseline, paths=paths, seed=SEED, client=client, **kwargs)  # type: ignore[arg-type]
        _same(remote, local)
        runs += int(remote["runs"].iloc[0])
    # Every run of the search went to the cluster, one at a time.
    assert runs > 10 and jobs == [1] * runs


def test_sobol_on_the_cluster_equals_the_local_design(
    client: Any, baseline: aibubble.Scenario, jobs: List[int]
) -> None:
    # 300 base rows: A and B one run of 600 paths (two chunks of rows), then
    # every AB_g at once, a run of 300 on a table with its noise streams.
    # The inputs grouped by their first name: 8 groups with the noise.
    groups = ["attractiveness", "demand", "gap", "labs", "prices", "segments", "valuation"]
    args = (baseline, "labs.openai.fair_value", 300, SEED)
    local = aibubble.sobol(*args, bootstrap=20, groups=groups)
    remote = aibubble.sobol(*args, bootstrap=20, groups=groups, client=client)
    _same(remote, local)
    for key in ["A", "B", "AB"]:
        np.testing.assert_array_equal(remote.attrs["outputs"][key], local.attrs["outputs"][key])
    assert remote.attrs["mean"] == local.attrs["mean"] and remote.attrs["variance"] == local.attrs["variance"]
    assert len(local) == 8 and jobs == [1, 8]


def test_tornado_on_the_cluster(client: Any, baseline: aibubble.Scenario, jobs: List[int]) -> None:
    inputs = ["valuation.discount_rate", "segments.consumer.growth_0"]
    for method in ["runs", "single"]:
        local = aibubble.tornado(baseline, "labs.openai.fair_value.mean", method, PATHS, SEED, inputs=inputs)
        remote = aibubble.tornado(
            baseline, "labs.openai.fair_value.mean", method, PATHS, SEED, inputs=inputs, client=client
        )
        _same(remote, local)
        assert remote.attrs == local.attrs
    # The base run and the four held runs in one batch; then the single run.
    assert jobs == [5, 1]


def test_compare_and_channels_on_the_cluster(client: Any, baseline: aibubble.Scenario, jobs: List[int]) -> None:
    for base in [None, "frozen"]:
        local = aibubble.compare("baseline", "moat_holds", paths=300, seed=SEED, base=base)
        remote = aibubble.compare("baseline", "moat_holds", paths=300, seed=SEED, base=base, client=client)
        _same(remote, local)
    assert jobs == [2, 4]
    stats = ["labs.openai.fair_value.mean"]
    local = aibubble.channels("moat_holds", "baseline", paths=20, seed=SEED, statistics=stats)
    remote = aibubble.channels("moat_holds", "baseline", paths=20, seed=SEED, statistics=stats, client=client)
    _same(remote, local)
    # A pair of runs (scenario and base) per set of channels switched off.
    assert jobs[2:] == [2] * 2**6


def test_one_bar_over_the_tasks(client: Any, baseline: aibubble.Scenario, capsys: pytest.CaptureFixture[str]) -> None:
    # The base run and four held runs, two ranges each: one bar of 10 tasks.
    aibubble.tornado(
        baseline,
        "labs.openai.fair_value.mean",
        "runs",
        PATHS,
        SEED,
        inputs=["valuation.discount_rate", "segments.consumer.growth_0"],
        client=client,
        progress=True,
    )
    err = capsys.readouterr().err
    assert "10/10" in err and "tornado" in err
    aibubble.sweep(baseline, "valuation.discount_rate", [0.1, 0.12], 300, SEED, client=client, progress=True)
    assert "2/2" in capsys.readouterr().err


@pytest.mark.parametrize(
    "call",
    [
        lambda s, c: aibubble.implied(s, lab="openai", input="valuation.discount_rate", paths=300, client=c),
        lambda s, c: aibubble.sobol(s, "labs.openai.fair_value", 40, client=c),
        lambda s, c: aibubble.tornado(s, "labs.openai.fair_value.mean", "runs", 300, client=c),
        lambda s, c: aibubble.compare(s, "moat_holds", paths=300, client=c),
        lambda s, c: aibubble.channels(s, paths=300, client=c),
    ],
)
def test_a_client_that_is_not_a_client(baseline: aibubble.Scenario, call: Callable[..., Any]) -> None:
    with pytest.raises(aibubble.ArgumentError, match="client: must be a dask.distributed.Client, got str"):
        call(baseline, "tcp://scheduler:8786")


def test_the_runner_s_own_error_is_raised_as_it_is(baseline: aibubble.Scenario) -> None:
    # What the runner raises (a task's error, KeyboardInterrupt) comes out of
    # the core unchanged; a runner with too few results is an ArgumentError.
    def boom(jobs: Any) -> Any:
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        _core.implied(baseline._inner, "openai", "valuation.discount_rate", "mean", None, 300, 1, runner=boom)
    with pytest.raises(aibubble.ArgumentError, match="executor: answered 0 results for 5 runs"):
        _core.tornado(
            baseline._inner,
            "labs.openai.fair_value.mean",
            "runs",
            300,
            1,
            inputs=["valuation.discount_rate", "segments.consumer.growth_0"],
            runner=lambda jobs: [],
        )
