"""Scale-out on a Dask cluster: one run split into path ranges, each range a
task, the shards merged in path order.

>>> from dask.distributed import Client          # doctest: +SKIP
>>> import aibubble, aibubble.dask
>>> client = Client("tcp://scheduler:8786")       # doctest: +SKIP
>>> r = aibubble.dask.simulate(aibubble.Scenario.preset("baseline"),
...                            paths=1_000_000, seed=7, client=client)  # doctest: +SKIP

Each task receives the scenario as JSON and runs
``aibubble.simulate(scenario, paths, seed, path_range=(start, end))``; its
:class:`~aibubble.Result` travels back pickled (as the results file's JSON)
and :func:`aibubble.merge` joins the shards. Since a path's random numbers
depend only on the seed and its index, the merged result equals the
single-process run's bit for bit, whatever the shards. Dask is imported only
when a run starts: install it with ``pip install "aibubble[dask]"``.

The analysis tools take a client too (``implied``, ``sweep``, ``tornado``,
``sobol``, ``compare``, ``channels``): each run they ask for is split into
path ranges the same way (an input table travels as the rows of its range),
and the runs an analysis can ask for at once (a tornado's p10 and p90 runs,
a Sobol design's matrices, a comparison's scenarios) are one batch of tasks.
"""

from __future__ import annotations

import contextlib
import importlib
from typing import Any, Callable, Iterator, List, Optional, Sequence, Tuple, TypeVar, Union

import numpy as np

from . import _core
from ._result import Result, _progress_bar_class, merge
from ._result import simulate as _simulate
from ._scenario import Scenario
from .errors import ArgumentError

__all__ = ["simulate", "shard_ranges", "run_in_order"]

Shards = Union[int, Sequence[Tuple[int, int]], None]
T = TypeVar("T")


def shard_ranges(paths: int, shards: Shards, slots: int = 1) -> List[Tuple[int, int]]:
    """The path ranges of a run of ``paths`` paths: ``shards`` ranges of
    (nearly) equal size if it is an int, the given ranges if a sequence of
    ``(start, end)`` pairs (they must tile ``[0, paths)`` in order), and by
    default four per task slot of the cluster (``slots``: its worker threads),
    capped at one per 256 paths (the engine's batch)."""
    if isinstance(paths, bool) or not isinstance(paths, int) or paths < 1:
        raise ArgumentError(f"paths: must be a positive integer, got {paths!r}")
    if shards is None:
        shards = max(1, min(4 * max(1, slots), paths // 256))
    if isinstance(shards, bool):
        raise ArgumentError(f"shards: must be an int or a list of (start, end) ranges, got {shards!r}")
    if isinstance(shards, int):
        if not 1 <= shards <= paths:
            raise ArgumentError(f"shards: must be between 1 and paths ({paths}), got {shards}")
        cuts = [paths * i // shards for i in range(shards + 1)]
        return list(zip(cuts[:-1], cuts[1:]))
    try:
        ranges = [(int(a), int(b)) for a, b in shards]
    except (TypeError, ValueError):
        raise ArgumentError(f"shards: must be an int or a list of (start, end) ranges, got {shards!r}") from None
    if not ranges:
        raise ArgumentError("shards: the list of ranges is empty")
    expected = 0
    for i, (a, b) in enumerate(ranges):
        if a != expected or b <= a:
            raise ArgumentError(
                f"shards[{i}]: ({a}, {b}) must start at {expected} and be non-empty: "
                f"the ranges must tile [0, {paths}) in order"
            )
        expected = b
    if expected != paths:
        raise ArgumentError(f"shards: the ranges end at {expected}, not at paths ({paths})")
    return ranges


def _run_shard(
    scenario_json: str, paths: int, seed: int, start: int, end: int, store_paths: int, keep_years: bool = False
) -> Result:
    """One task: the scenario travels as JSON and is rebuilt on the worker.
    One thread per task: Dask runs a worker's tasks side by side."""
    scenario = Scenario.from_json_str(scenario_json)
    # store_paths counts from path 0 of the whole run: the engine keeps this
    # shard's part of them.
    return _simulate(
        scenario, paths, seed, threads=1, path_range=(start, end), store_paths=store_paths, keep_years=keep_years
    )


def simulate(
    scenario: Scenario,
    paths: int = 100_000,
    seed: int = 42,
    *,
    client: Any = None,
    shards: Shards = None,
    store_paths: int = 0,
    progress: bool = False,
    keep_years: bool = False,
) -> Result:
    """Run ``scenario`` as :func:`aibubble.simulate` does, split into path
    ranges that run as tasks on a Dask cluster, and merge the shards in path
    order. The result equals ``aibubble.simulate(scenario, paths, seed)``'s
    bit for bit.

    Parameters
    ----------
    client : dask.distributed.Client, optional
        The cluster to run on. Default: a ``LocalCluster`` (one worker process
        per core, no dashboard) made for this call and closed after it.
    shards : int or list of (start, end), optional
        How many ranges of nearly equal size, or the ranges themselves (they
        must tile ``[0, paths)`` in order). Default: four per worker thread.
    store_paths : int
        Keep every step of the first ``store_paths`` paths, as in
        :func:`aibubble.simulate`.
    progress : bool
        One tqdm bar over the shards, advanced as each finishes.
    keep_years : bool
        Keep each year's revenue and FCF per path, as in
        :func:`aibubble.simulate`. Without it the shards carry each year's
        exact sums, which merge to the single run's bits.

    Bad shards or a ``client`` that is not a ``dask.distributed.Client``
    raise :class:`~aibubble.ArgumentError`; a task's error is raised here.
    """
    if not isinstance(scenario, Scenario):
        raise TypeError(f"scenario must be an aibubble.Scenario, got {type(scenario).__name__}")
    if isinstance(store_paths, bool) or not isinstance(store_paths, int) or store_paths < 0:
        raise ArgumentError(f"store_paths: must be a non-negative integer, got {store_paths!r}")
    if not isinstance(keep_years, bool):
        raise TypeError(f"keep_years must be a bool, got {type(keep_years).__name__}")
    dd = _distributed()
    _check_client(dd, client)
    # The arguments are checked before a cluster starts.
    shard_ranges(paths, shards)
    own: Optional[Any] = None
    if client is None:
        # No dashboard, and the scheduler's HTTP server (health checks) on a
        # free port: it would take 8787, which another cluster may hold.
        own = dd.LocalCluster(dashboard_address=None, scheduler_kwargs={"dashboard_address": ":0"}, processes=True)
        client = dd.Client(own)
    try:
        ranges = shard_ranges(paths, shards, sum(client.nthreads().values()))
        text = scenario.to_json()
        tasks = [(text, paths, seed, a, b, store_paths, keep_years) for a, b in ranges]
        parts = run_in_order(client, _run_shard, tasks, progress=progress, desc=scenario.name, unit="shard")
    finally:
        if own is not None:
            client.close()
            own.close()
    return merge(parts)


def _distributed() -> Any:
    """``dask.distributed``, imported when a run starts so that aibubble never
    needs Dask otherwise (untyped: Any)."""
    try:
        return importlib.import_module("dask.distributed")
    except ImportError as e:  # pragma: no cover - depends on the environment
        raise ImportError('aibubble.dask needs dask.distributed: pip install "aibubble[dask]"') from e


def _check_client(dd: Any, client: Any) -> None:
    if client is not None and not isinstance(client, dd.Client):
        raise ArgumentError(f"client: must be a dask.distributed.Client, got {type(client).__name__}")


def run_in_order(
    client: Any,
    fn: Callable[..., T],
    tasks: Sequence[Tuple[Any, ...]],
    *,
    progress: bool = False,
    desc: str = "",
    unit: str = "task",
    bar: Any = None,
) -> List[T]:
    """``[fn(*t) for t in tasks]``, each call a task on ``client``'s cluster,
    the answers in the order of ``tasks``. The first task to fail (or
    Ctrl-C) raises its error here and cancels the others. ``progress``: one
    tqdm bar over the tasks; ``bar``: a bar of the caller's to extend by
    these tasks instead (left open)."""
    if not isinstance(client, _distributed().Client):
        raise ArgumentError(f"client: must be a dask.distributed.Client, got {type(client).__name__}")
    futures = [client.submit(fn, *t, pure=False) for t in tasks]
    index = {f.key: i for i, f in enumerate(futures)}
    out: List[Any] = [None] * len(futures)
    own = bar is None and progress
    if own:
        bar = _progress_bar_class()(total=len(futures), unit=unit, desc=desc)
    elif bar is not None:
        bar.total = (bar.total or 0) + len(futures)
        bar.refresh()
    try:
        for f in _distributed().as_completed(futures):
            out[index[f.key]] = f.result()
            if bar is not None:
                bar.update(1)
    finally:
        if own:
            bar.close()
        for f in futures:
            f.cancel()
    return out


def _run_rows(
    scenario_json: str,
    paths: int,
    seed: int,
    start: int,
    end: int,
    columns: Optional[List[str]],
    rows: Optional[np.ndarray],
    keep_years: bool = False,
) -> Result:
    """One task of an analysis's run: paths ``[start, end)``, with the rows
    of its input table for those paths if it has one. The engine reads a
    table's rows of the range only, so the rows outside it are filled with
    the range's first (a table has one row per path of the run)."""
    if columns is None or rows is None:
        return _run_shard(scenario_json, paths, seed, start, end, 0, keep_years)
    scenario = Scenario.from_json_str(scenario_json)
    width = len(columns)
    part = rows.reshape(end - start, width)
    full = np.empty((paths, width))
    full[start:end] = part
    full[:start] = part[0]
    full[end:] = part[0]
    return Result(
        _core.simulate(
            scenario._inner,
            paths,
            seed,
            threads=1,
            path_range=(start, end),
            inputs=(columns, full.ravel()),
            keep_years=keep_years,
        )
    )


class _Runner:
    """The runner an analysis of the core hands its runs to (a
    ``runner`` argument of ``_core``): each job ``(scenario_json, paths,
    seed, columns, values, keep_years)`` split into path ranges as :func:`simulate`
    splits a run, every task of a batch submitted at once, each job's
    shards merged. ``progress``: one bar over every task of the analysis,
    its total growing as batches come."""

    def __init__(self, client: Any, progress: bool, desc: str) -> None:
        self.client = client
        self.slots = sum(client.nthreads().values())
        self.bar: Any = _progress_bar_class()(total=0, unit="task", desc=desc) if progress else None

    def __call__(
        self, jobs: List[Tuple[str, int, int, Optional[List[str]], Optional[np.ndarray], bool]]
    ) -> List[Any]:
        tasks = []
        counts = []
        for text, paths, seed, columns, values, keep_years in jobs:
            ranges = shard_ranges(paths, None, self.slots)
            width = 0 if columns is None else len(columns)
            for a, b in ranges:
                rows = None if values is None else values[a * width : b * width]
                tasks.append((text, paths, seed, a, b, columns, rows, keep_years))
            counts.append(len(ranges))
        parts = run_in_order(self.client, _run_rows, tasks, bar=self.bar, progress=self.bar is not None)
        out = []
        for n in counts:
            out.append(merge(parts[:n])._inner)
            parts = parts[n:]
        return out

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


@contextlib.contextmanager
def runner(client: Any, progress: bool = False, desc: str = "") -> Iterator[Optional[_Runner]]:
    """The runner for an analysis's ``client`` argument: None without one
    (the runs are local), else a :class:`_Runner` on it, its bar closed when
    the analysis ends; a ``client`` that is not a
    ``dask.distributed.Client`` raises :class:`ArgumentError`."""
    if client is None:
        yield None
        return
    _check_client(_distributed(), client)
    run = _Runner(client, progress, desc)
    try:
        yield run
    finally:
        run.close()
