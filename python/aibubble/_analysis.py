"""Sweeps, tornados and Sobol indices: the analysis layer of the core (``src/analysis/``)
as DataFrames. Every run of one call shares the seed and the paths (common
random numbers)."""

from __future__ import annotations

import json
import warnings
from typing import Any, Iterable, Optional, Sequence

import numpy as np
import pandas as pd

from . import _core
from ._scenario import Scenario
from .errors import ArgumentError, CorrelatedInputsWarning


def _check(scenario: Any) -> None:
    if not isinstance(scenario, Scenario):
        raise TypeError(f"scenario must be an aibubble.Scenario, got {type(scenario).__name__}")


def sweep(
    scenario: Scenario,
    input: str,
    values: Iterable[float],
    paths: int = 10_000,
    seed: int = 42,
    *,
    net: bool = False,
    threads: Optional[int] = None,
    client: Any = None,
    progress: bool = False,
) -> pd.DataFrame:
    """Fix ``input`` (a field path) at each of ``values`` on every path, as
    ``aibubble sweep SCENARIO --input INPUT --values ...`` does, and return
    the headline statistics at each value: every measure of each lab with a
    mark and the sector's (``labs.openai.fair_value.mean``, ``labs.openai.p_pop``,
    ``sector.phi.p50``, ...).

    One row per value and statistic, with columns ``value``, ``statistic``,
    ``estimate``, ``se`` (None for a median), ``p5`` and ``p95`` (of the
    per-path fair value or phi; NaN for a probability) and, with
    ``net=True``, ``net`` and ``net_se``: the statistic net of the
    frozen-competition counterfactual's on the same paths.

    A value at each point equals ``simulate(scenario.replace({input: v}),
    paths, seed)``'s bit for bit. An unknown input raises
    :class:`ArgumentError`; a value outside its domain, :class:`ScenarioError`.

    With ``client`` (a ``dask.distributed.Client``), each value's run is a
    task on its cluster (see :mod:`aibubble.dask`); the table is the same
    bit for bit. ``progress``: one tqdm bar over the values.
    """
    _check(scenario)
    vals = [float(v) for v in np.asarray(list(values), dtype=np.float64).ravel()]
    if client is None or not vals:
        out = json.loads(_core.sweep(scenario._inner, input, vals, paths, seed, net=net, threads=threads))
    else:
        from .dask import run_in_order

        text = scenario.to_json()
        tasks = [(text, input, v, paths, seed, net) for v in vals]
        outs = run_in_order(client, _sweep_one, tasks, progress=progress, desc=input, unit="value")
        out = dict(outs[0], rows=[row for o in outs for row in o["rows"]])
    df = pd.DataFrame(out["rows"], columns=["value", "statistic", "estimate", "se", "p5", "p95", "net", "net_se"])
    for c in ["estimate", "se", "p5", "p95", "net", "net_se"]:
        df[c] = pd.to_numeric(df[c], errors="coerce").astype(float)
    if not out["net"]:
        df = df.drop(columns=["net", "net_se"])
    df.attrs.update(
        scenario=out["scenario"], input=out["input"], paths=out["paths"], seed=out["seed"]
    )
    return df


def _sweep_one(scenario_json: str, input: str, value: float, paths: int, seed: int, net: bool) -> Any:
    """One value of a sweep, as a task: the scenario travels as JSON; one
    thread, since a worker runs its tasks side by side."""
    scenario = Scenario.from_json_str(scenario_json)
    return json.loads(_core.sweep(scenario._inner, input, [value], paths, seed, net=net, threads=1))


def tornado(
    scenario: Scenario,
    output: str,
    method: str = "single",
    paths: int = 10_000,
    seed: int = 42,
    *,
    inputs: Optional[Sequence[str]] = None,
    threads: Optional[int] = None,
    client: Any = None,
    progress: bool = False,
) -> pd.DataFrame:
    """Which uncertain input drives ``output`` (a statistic path such as
    ``labs.openai.phi.mean``), as ``aibubble tornado`` does.

    ``method="single"``: one run; for each drawn input, Spearman's rank
    correlation of its draws with the per-path output
    (``rank_correlation``) and the statistic over the paths in its lowest
    and highest decile of draws. ``method="runs"``: each input held at its
    10th and 90th percentile on every path (the others drawn as usual, on
    common random numbers); the swing is the paired difference.

    One row per input, indexed by field path, largest ``|swing|`` first,
    with columns ``input_low``, ``input_high``, ``low``, ``high``, ``swing``,
    ``swing_se`` and ``rank_correlation`` (single only). ``df.attrs["base"]``
    is the statistic in the ordinary run. Unknown outputs and inputs, and
    inputs that are not drawn, raise :class:`ArgumentError`.

    With ``client`` (a ``dask.distributed.Client``), the runs are tasks on
    its cluster, each split into path ranges (see :mod:`aibubble.dask`);
    with ``method="runs"`` the base run and every p10 and p90 run go out as
    one batch. The table is the same bit for bit. ``progress``: one tqdm bar
    over the tasks.
    """
    _check(scenario)
    from .dask import runner

    with runner(client, progress, f"tornado {output}") as run:
        out = json.loads(
            _core.tornado(
                scenario._inner, output, method, paths, seed, inputs=list(inputs or []), threads=threads, runner=run
            )
        )
    cols = ["input", "input_low", "input_high", "low", "high", "swing", "swing_se", "rank_correlation"]
    df = pd.DataFrame(out["rows"], columns=cols).set_index("input")
    for c in cols[1:]:
        df[c] = pd.to_numeric(df[c], errors="coerce").astype(float)
    if out["method"] == "runs":
        df = df.drop(columns=["rank_correlation"])
    df.attrs.update(
        scenario=out["scenario"],
        output=out["output"],
        method=out["method"],
        paths=out["paths"],
        seed=out["seed"],
        base=out["base"]["value"],
        base_se=out["base"]["se"],
    )
    return df


_SOBOL_COLUMNS = ["S1", "S1_lo", "S1_hi", "ST", "ST_lo", "ST_hi", "S1_se", "ST_se"]


def sobol(
    scenario: Scenario,
    output: str,
    paths: int = 2_000,
    seed: int = 42,
    *,
    bootstrap: int = 200,
    groups: Optional[Sequence[str]] = None,
    group_correlated: bool = False,
    threads: Optional[int] = None,
    client: Any = None,
    progress: bool = False,
) -> pd.DataFrame:
    """Sobol indices of a per-path ``output`` (``labs.openai.fair_value``,
    ``labs.openai.phi``, ``sector.fair_value``, or a probability's indicator
    such as ``labs.openai.p_pop``) over the scenario's uncertain inputs and
    the process noise (the group ``noise``), as ``aibubble sobol`` does.

    Saltelli's design on ``paths`` base rows (N(k+2) evaluations for k
    groups): first-order indices by Saltelli 2010 and total indices by
    Jansen 1999, SALib's ``sobol.analyze`` estimators, with 95% percentile
    intervals of a bootstrap over the base rows (``bootstrap`` resamples,
    seeded from ``seed``). ``groups``: prefixes, each gathering the inputs
    under it into one group; ``group_correlated``: each block of
    rank-correlated inputs one group.

    One row per group, indexed by ``group``, with columns ``S1``, ``S1_lo``,
    ``S1_hi``, ``ST``, ``ST_lo``, ``ST_hi``, ``S1_se``, ``ST_se`` and
    ``inputs``. ``df.attrs`` holds the design's size (``paths``,
    ``evaluations``), ``mean``, ``variance``, ``correlated`` and
    ``correlated_inputs``, and ``outputs`` (the design's outputs: ``A``,
    ``B`` and ``AB``, N x k). When the design breaks a rank correlation
    between inputs, a :class:`CorrelatedInputsWarning` is issued. Unknown
    outputs, medians (not per-path), and groups naming no uncertain input
    raise :class:`ArgumentError`.

    With ``client`` (a ``dask.distributed.Client``), the design's rows run
    as tasks on its cluster in chunks of rows (path ranges, see
    :mod:`aibubble.dask`): first A and B (one run of 2N paths), then every
    ``AB_g`` at once, each chunk with its rows of the input table and their
    noise streams. The indices are computed here from the gathered outputs,
    the same bit for bit. ``progress``: one tqdm bar over the tasks.
    """
    _check(scenario)
    from .dask import runner

    with runner(client, progress, f"sobol {output}") as run:
        out = json.loads(
            _core.sobol(
                scenario._inner,
                output,
                paths,
                seed,
                bootstrap,
                groups=list(groups or []),
                group_correlated=group_correlated,
                threads=threads,
                runner=run,
            )
        )
    keys = ["group", "s1", "s1_lo", "s1_hi", "st", "st_lo", "st_hi", "s1_se", "st_se", "inputs"]
    df = pd.DataFrame([[r[k] for k in keys] for r in out["rows"]], columns=["group", *_SOBOL_COLUMNS, "inputs"])
    df = df.set_index("group")
    for c in _SOBOL_COLUMNS:
        df[c] = df[c].astype(float)
    design = out["design"]
    df.attrs.update(
        scenario=out["scenario"],
        output=out["output"],
        paths=out["paths"],
        seed=out["seed"],
        bootstrap=out["bootstrap"],
        evaluations=out["evaluations"],
        mean=out["mean"],
        variance=out["variance"],
        correlated=out["correlated"],
        correlated_inputs=out["correlated_inputs"],
        outputs={
            "A": np.asarray(design["a"], dtype=float),
            "B": np.asarray(design["b"], dtype=float),
            "AB": np.asarray(design["ab"], dtype=float).T,
        },
    )
    if out["correlated"]:
        warnings.warn(
            "the Sobol design breaks the rank correlation of "
            + ", ".join(out["correlated_inputs"])
            + " (correlation.inputs): the indices do not decompose the scenario's variance; "
            "group_correlated=True keeps each block whole",
            CorrelatedInputsWarning,
            stacklevel=2,
        )
    return df


def sobol_indices(
    a: Any,
    b: Any,
    ab: Any,
    *,
    names: Optional[Sequence[str]] = None,
    bootstrap: int = 200,
    seed: int = 0,
) -> pd.DataFrame:
    """The estimator of :func:`sobol` on any design's outputs: ``a`` and
    ``b`` (N values each, the model on the base samples A and B) and ``ab``
    (N x k, column g the model on A with group g's columns from B). One row
    per group (``names``, default ``x1..xk``) with the columns of
    :func:`sobol` but ``inputs``; the bootstrap resamples are drawn from
    ``seed``. Lengths that do not match, values that are not finite and a
    constant output raise :class:`ArgumentError`.
    """
    a_ = np.asarray(a, dtype=float).ravel()
    b_ = np.asarray(b, dtype=float).ravel()
    ab_ = np.asarray(ab, dtype=float)
    if ab_.ndim != 2:
        raise ArgumentError(f"invalid argument ab: expected an N x k array, got {ab_.ndim} dimension(s)")
    k = ab_.shape[1]
    labels = list(names) if names is not None else [f"x{j + 1}" for j in range(k)]
    if len(labels) != k:
        raise ArgumentError(f"invalid argument names: {len(labels)} names for {k} groups")
    rows = _core.sobol_indices(a_.tolist(), b_.tolist(), ab_.T.tolist(), bootstrap, seed)
    order = ["S1", "S1_se", "S1_lo", "S1_hi", "ST", "ST_se", "ST_lo", "ST_hi"]
    df = pd.DataFrame(rows, columns=order, index=pd.Index(labels, name="group"))
    return df[_SOBOL_COLUMNS].astype(float)
