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
"""

from __future__ import annotations

import importlib
from typing import Any, List, Optional, Sequence, Tuple, Union

from ._result import Result, _progress_bar_class, merge
from ._result import simulate as _simulate
from ._scenario import Scenario
from .errors import ArgumentError

__all__ = ["simulate", "shard_ranges"]

Shards = Union[int, Sequence[Tuple[int, int]], None]


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


def _run_shard(scenario_json: str, paths: int, seed: int, start: int, end: int, store_paths: int) -> Result:
    """One task: the scenario travels as JSON and is rebuilt on the worker.
    One thread per task: Dask runs a worker's tasks side by side."""
    scenario = Scenario.from_json_str(scenario_json)
    # store_paths counts from path 0 of the whole run: the engine keeps this
    # shard's part of them.
    return _simulate(scenario, paths, seed, threads=1, path_range=(start, end), store_paths=store_paths)


def simulate(
    scenario: Scenario,
    paths: int = 100_000,
    seed: int = 42,
    *,
    client: Any = None,
    shards: Shards = None,
    store_paths: int = 0,
    progress: bool = False,
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

    Bad shards or a ``client`` that is not a ``dask.distributed.Client``
    raise :class:`~aibubble.ArgumentError`; a task's error is raised here.
    """
    if not isinstance(scenario, Scenario):
        raise TypeError(f"scenario must be an aibubble.Scenario, got {type(scenario).__name__}")
    if isinstance(store_paths, bool) or not isinstance(store_paths, int) or store_paths < 0:
        raise ArgumentError(f"store_paths: must be a non-negative integer, got {store_paths!r}")
    try:
        # Imported here so that aibubble itself never needs Dask (untyped: Any).
        dd: Any = importlib.import_module("dask.distributed")
    except ImportError as e:  # pragma: no cover - depends on the environment
        raise ImportError('aibubble.dask needs dask.distributed: pip install "aibubble[dask]"') from e
    if client is not None and not isinstance(client, dd.Client):
        raise ArgumentError(f"client: must be a dask.distributed.Client, got {type(client).__name__}")
    # The arguments are checked before a cluster starts.
    shard_ranges(paths, shards)
    own: Optional[Any] = None
    if client is None:
        own = dd.LocalCluster(dashboard_address=None, processes=True)
        client = dd.Client(own)
    try:
        ranges = shard_ranges(paths, shards, sum(client.nthreads().values()))
        text = scenario.to_json()
        futures = [
            client.submit(_run_shard, text, paths, seed, a, b, store_paths, pure=False) for a, b in ranges
        ]
        index = {f.key: i for i, f in enumerate(futures)}
        parts: List[Optional[Result]] = [None] * len(futures)
        bar: Any = _progress_bar_class()(total=len(futures), unit="shard", desc=scenario.name) if progress else None
        try:
            for f in dd.as_completed(futures):
                parts[index[f.key]] = f.result()
                if bar is not None:
                    bar.update(1)
        finally:
            if bar is not None:
                bar.close()
            for f in futures:
                f.cancel()
    finally:
        if own is not None:
            client.close()
            own.close()
    return merge(p for p in parts if p is not None)
