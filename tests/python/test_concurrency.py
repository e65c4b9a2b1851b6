"""Runs release the GIL, and Ctrl-C stops them within a step of each path.

Nothing here is timed tightly: run sizes come from a short calibration run on
this machine, and the bounds are fractions of the calibrated durations (or,
for the latency of Ctrl-C, 0.5 s against a measured tens of ms). The
measured figures are printed (``pytest -s``).

Ctrl-C is simulated with ``_thread.interrupt_main``, which does nothing when
SIGINT is ignored, as it is in a test run started in the background
(``nohup make test &``): the ``sigint`` fixture installs Python's default
handler for those tests and puts back what was there.
"""

from __future__ import annotations

import _thread
import concurrent.futures
import io
import math
import pathlib
import signal
import threading
import time
from typing import Any, Callable, Iterator, List, Tuple

import pytest
from tqdm.auto import tqdm as _tqdm

import aibubble
from aibubble import Result, Scenario

from conftest import PATHS, SEED, STORE

BATCH = 256  # paths per batch of the engine (src/engine/mod.rs)
THREADS = 2  # worker threads of the timed runs: their length does not depend on the core count


@pytest.fixture
def sigint() -> Iterator[None]:
    """SIGINT raises KeyboardInterrupt during the test, whatever the process inherited."""
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


def _rate(scenario: Scenario, threads: int) -> float:
    """Paths per second of this machine for ``scenario`` on ``threads`` threads."""
    n = 8 * BATCH
    aibubble.simulate(scenario, paths=BATCH, seed=0, threads=threads)  # warm up
    t0 = time.perf_counter()
    aibubble.simulate(scenario, paths=n, seed=0, threads=threads)
    return n / (time.perf_counter() - t0)


def _paths_for(seconds: float, rate: float) -> int:
    return max(BATCH, math.ceil(seconds * rate / BATCH) * BATCH)


def test_another_thread_runs_during_a_run(baseline: Scenario) -> None:
    """A Python thread spinning on a counter keeps going while a run of a few
    seconds is in progress: the run holds the GIL only to report progress."""
    rate = _rate(baseline, threads=1)
    paths = _paths_for(3.0, rate)

    stop = threading.Event()
    count = [0]
    stamps: List[float] = []

    def spin() -> None:
        n = 0
        while not stop.is_set():
            n += 1
            if n % 2000 == 0:
                count[0] = n
                stamps.append(time.perf_counter())
        count[0] = n

    spinner = threading.Thread(target=spin, daemon=True)
    spinner.start()
    try:
        # The spinner's rate with the main thread idle, for reference.
        c0 = count[0]
        time.sleep(0.3)
        free_rate = (count[0] - c0) / 0.3

        c0, t0 = count[0], time.perf_counter()
        aibubble.simulate(baseline, paths=paths, seed=1, threads=1)
        t1, c1 = time.perf_counter(), count[0]
    finally:
        stop.set()
        spinner.join()

    during = c1 - c0
    duration = t1 - t0
    inside = [t for t in stamps if t0 <= t <= t1]
    gaps = [b - a for a, b in zip([t0, *inside], [*inside, t1])]
    print(
        f"\nGIL: run of {paths} paths took {duration:.2f} s; the other thread counted {during:,} "
        f"({during / duration:,.0f}/s, {free_rate:,.0f}/s when alone); longest pause {max(gaps) * 1000:.0f} ms"
    )
    # Holding the GIL for the run would leave the spinner a few switch intervals at most.
    assert during >= 0.1 * free_rate * duration
    assert max(gaps) < duration / 3


def test_runs_in_two_threads_at_once(baseline: Scenario, small: Result) -> None:
    """Two runs in two Python threads proceed together and give the results they give alone."""
    with concurrent.futures.ThreadPoolExecutor(max_workers=2) as pool:
        a = pool.submit(aibubble.simulate, baseline, paths=PATHS, seed=SEED, store_paths=STORE, threads=1)
        b = pool.submit(aibubble.simulate, baseline, paths=700, seed=2, threads=1)
        ra, rb = a.result(timeout=600), b.result(timeout=600)
    assert ra == small
    assert rb == aibubble.simulate(baseline, paths=700, seed=2)


class _RecordingBar:
    """Stands in for the tqdm bar class: a real bar (to a string) that remembers itself."""

    bars: List[Any] = []

    def __new__(cls, *args: Any, **kwargs: Any) -> Any:
        kwargs.setdefault("file", io.StringIO())
        bar = _tqdm(*args, **kwargs)
        cls.bars.append(bar)
        return bar


def _interrupted_run(after: float, scenario: Scenario, **kwargs: Any) -> Tuple[float, float]:
    """Run ``simulate(scenario, **kwargs)`` with Ctrl-C sent ``after``
    seconds in; it must raise KeyboardInterrupt. Returns the seconds from
    the start and from the signal to the interrupt."""
    return _interrupted(after, lambda: aibubble.simulate(scenario, **kwargs))


def _interrupted(after: float, call: Callable[[], Any]) -> Tuple[float, float]:
    """Call ``call()`` with Ctrl-C sent ``after`` seconds in; it must raise
    KeyboardInterrupt. Returns the seconds from the start and from the
    signal to the interrupt."""
    fired: List[float] = []

    def ctrl_c() -> None:
        fired.append(time.perf_counter())
        _thread.interrupt_main()

    timer = threading.Timer(after, ctrl_c)
    t0 = time.perf_counter()
    timer.start()
    try:
        with pytest.raises(KeyboardInterrupt):
            call()
        t1 = time.perf_counter()
    finally:
        timer.cancel()
        timer.join()
    assert fired, "the timer did not fire"
    return t1 - t0, t1 - fired[0]


@pytest.mark.parametrize("progress", [True, False], ids=["progress", "quiet"])
def test_interrupt_stops_a_long_run(
    baseline: Scenario, small: Result, monkeypatch: pytest.MonkeyPatch, progress: bool, sigint: None
) -> None:
    """Ctrl-C (simulated with ``_thread.interrupt_main`` one second in) stops a
    run sized to take about a minute: KeyboardInterrupt is raised long before
    the run would have finished, after fewer paths than asked for, and the
    process is usable afterwards."""
    import aibubble._result

    rate = _rate(baseline, threads=THREADS)
    paths = _paths_for(60.0, rate)
    expected = paths / rate
    _RecordingBar.bars = []
    monkeypatch.setattr(aibubble._result, "_progress_bar_class", lambda: _RecordingBar)

    elapsed, latency = _interrupted_run(1.0, baseline, paths=paths, seed=1, threads=THREADS, progress=progress)
    print(
        f"\nCtrl-C: run of {paths} paths (about {expected:.0f} s) interrupted after {elapsed:.2f} s; "
        f"KeyboardInterrupt {latency * 1000:.0f} ms after the signal"
    )
    assert elapsed < expected / 4
    if progress:
        (bar,) = _RecordingBar.bars
        print(f"Ctrl-C: the bar saw {bar.n} of {bar.total} paths")
        assert bar.total == paths
        assert bar.n < paths  # fewer batches done than asked for
        assert bar.n % BATCH == 0  # progress comes in whole batches
        assert bar.disable  # closed by simulate
    else:
        assert _RecordingBar.bars == []

    # The process is usable afterwards, and the next run is not affected.
    assert aibubble.simulate(baseline, paths=PATHS, seed=SEED, store_paths=STORE) == small


def test_interrupt_stops_a_run_inside_its_one_batch(baseline: Scenario, sigint: None) -> None:
    """One batch of long paths (100 years at 364 steps a year, about 70 ms a
    path here, so about 9 s on 2 threads): Ctrl-C 0.3 s in raises KeyboardInterrupt
    well within 0.5 s. Before, the run read its token only between batches
    and finished the batch first. Measured: tens of ms (the 40 ms polling of
    the waiting thread, then a step of each path)."""
    long = baseline.replace({"horizon": 100.0, "steps_per_year": 364})
    elapsed, latency = _interrupted_run(0.3, long, paths=BATCH, seed=1, threads=THREADS)
    print(f"\nCtrl-C inside a batch: KeyboardInterrupt {latency * 1000:.0f} ms after the signal ({elapsed:.2f} s in)")
    assert latency < 0.5


OBSERVATIONS = str(pathlib.Path(__file__).resolve().parents[2] / "data" / "observations_2024_2025.csv")

# Each analysis function, with runs sized to take about a minute in all.
ANALYSES = {
    "sweep": lambda s, n: aibubble.sweep(s, "prices.premium_sensitivity", [0.1, 0.2, 0.3, 0.4], paths=n // 4),
    "tornado": lambda s, n: aibubble.tornado(
        s, output="labs.openai.fair_value.mean", method="runs", inputs=["gap.half_life"], paths=n // 3
    ),
    "compare": lambda s, n: aibubble.compare(s, "ft_bubble", paths=n // 2),
    "channels": lambda s, n: aibubble.channels(s, paths=n // 64),
    "implied": lambda s, n: aibubble.implied(s, lab="openai", input="valuation.discount_rate", paths=n // 12),
    "sobol": lambda s, n: aibubble.sobol(s, "labs.openai.fair_value", paths=n // 42, group_correlated=True),
    "backtest": lambda s, n: aibubble.backtest("hindcast_2024", OBSERVATIONS, paths=n),
}


@pytest.mark.parametrize("name", sorted(ANALYSES))
def test_interrupt_stops_an_analysis(baseline: Scenario, name: str, sigint: None) -> None:
    """Ctrl-C one second into an analysis sized to take about a minute
    raises KeyboardInterrupt long before it would have finished: the
    analysis functions release the GIL and cancel their runs as simulate
    does."""
    rate = _rate(baseline, threads=THREADS)
    paths = _paths_for(60.0, rate)
    elapsed, latency = _interrupted(1.0, lambda: ANALYSES[name](baseline, paths))
    print(f"\nCtrl-C: {name} of about 60 s interrupted after {elapsed:.2f} s ({latency * 1000:.0f} ms after the signal)")
    assert elapsed < 15.0
