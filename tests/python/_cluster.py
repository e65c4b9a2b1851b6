"""The Dask tests' cluster: a `LocalCluster` of two worker processes with
one thread each and no dashboard (a generator for a module's fixture)."""

from __future__ import annotations

from typing import Any, Iterator

import pytest


def local_client() -> Iterator[Any]:
    """A client of a fresh two-process cluster, closed afterwards."""
    distributed = pytest.importorskip("dask.distributed")
    cluster = distributed.LocalCluster(
        n_workers=2,
        threads_per_worker=1,
        processes=True,
        memory_limit="600MiB",
        # No dashboard, and the scheduler's HTTP server on a free port, not on
        # 8787, which another cluster on the machine may hold.
        dashboard_address=None,
        scheduler_kwargs={"dashboard_address": ":0"},
    )
    c = distributed.Client(cluster)
    try:
        yield c
    finally:
        c.close()
        cluster.close()
