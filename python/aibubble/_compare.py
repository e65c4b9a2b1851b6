"""The analysis layer's tools (the core's ``analysis`` module): scenarios
compared on common random numbers, and where a scenario's repricing comes
from, split over the model's channels. See docs/analysis.md."""

from __future__ import annotations

import json
from typing import Any, Dict, Iterable, List, Optional, Tuple, Union

import pandas as pd

from . import _core
from ._scenario import Scenario

ScenarioLike = Union[Scenario, str, Tuple[str, Union[Scenario, str]]]


def _scenario(s: Union[Scenario, str]) -> Scenario:
    if isinstance(s, Scenario):
        return s
    if isinstance(s, str):
        return Scenario.preset(s)
    raise TypeError(f"expected a Scenario or a preset name, got {type(s).__name__}")


def _named(items: Iterable[ScenarioLike]) -> List[Tuple[str, Scenario]]:
    out: List[Tuple[str, Scenario]] = []
    for item in items:
        if isinstance(item, tuple):
            name, s = item
            out.append((str(name), _scenario(s)))
        else:
            s = _scenario(item)
            name = item if isinstance(item, str) else s.name
            if s.to_dict().get("counterfactual") == "frozen_competition":
                name += ", frozen"
            out.append((name, s))
    # Names given twice (a scenario and its frozen copy share a name) are numbered.
    seen: Dict[str, int] = {}
    for i, (name, s) in enumerate(out):
        seen[name] = seen.get(name, 0) + 1
        if seen[name] > 1:
            out[i] = (f"{name} ({seen[name]})", s)
    return out


def compare(
    *scenarios: ScenarioLike,
    paths: int = 20_000,
    seed: int = 42,
    base: Optional[str] = None,
    statistics: Optional[List[str]] = None,
    threads: Optional[int] = None,
    client: Any = None,
    progress: bool = False,
) -> pd.DataFrame:
    """Compare scenarios on common random numbers (as ``aibubble compare``).

    Each scenario is a :class:`Scenario`, a preset name, or a ``(name,
    scenario)`` pair; every one is run with the same ``paths`` and ``seed``.
    ``base`` is None (the first scenario), a scenario's name, or
    ``"frozen"``: each scenario against its own frozen-competition
    counterfactual (:meth:`Scenario.freeze_competition`).

    Returns a long (tidy) DataFrame, one row per statistic and scenario:
    ``statistic`` (``labs.openai.p_pop``, ``sector.fair_value.mean``; default:
    each lab's mean fair value, P(pop), P(FV = 0), P(phi < 0.5), and the
    sector's), ``scenario``, ``value`` and ``se`` (its standard error),
    ``base_value`` and ``base_se`` (the base scenario's or the frozen run's
    value; NaN for the base scenario itself), ``difference`` and
    ``difference_se`` (the mean of the per-path differences, scenario minus
    base, and ``sd / sqrt(N)``). ``df.attrs["inputs"]`` is a DataFrame of
    the inputs that differ from the base scenario (the first when the base
    is frozen): ``scenario``, ``against``, ``path``, ``base`` and ``value``
    (values as JSON-loaded Python objects).

    With ``client`` (a ``dask.distributed.Client``), every scenario's run
    (and frozen run) is split into path ranges, all of them one batch of
    tasks on its cluster (see :mod:`aibubble.dask`); the table is the same
    bit for bit. ``progress``: one tqdm bar over the tasks.
    """
    named = _named(scenarios)
    from .dask import runner

    with runner(client, progress, "compare") as run:
        c = json.loads(
            _core.compare(
                [(n, s._inner) for n, s in named],
                list(statistics or []),
                paths,
                seed,
                base,
                threads,
                runner=run,
            )
        )

    def value(e: Optional[Dict[str, Optional[float]]], key: str) -> float:
        x = None if e is None else e.get(key)
        return float("nan") if x is None else float(x)

    rows = [
        {
            "statistic": r["statistic"],
            "scenario": r["scenario"],
            "value": value(r["value"], "value"),
            "se": value(r["value"], "se"),
            "base_value": value(r["base"], "value"),
            "base_se": value(r["base"], "se"),
            "difference": value(r["difference"], "value"),
            "difference_se": value(r["difference"], "se"),
        }
        for r in c["rows"]
    ]
    df = pd.DataFrame(
        rows,
        columns=["statistic", "scenario", "value", "se", "base_value", "base_se", "difference", "difference_se"],
    )
    df.attrs["inputs"] = pd.DataFrame(
        [
            {"scenario": d["scenario"], "against": d["against"], "path": f["path"], "base": f["a"], "value": f["b"]}
            for d in c["inputs"]
            for f in d["fields"]
        ],
        columns=["scenario", "against", "path", "base", "value"],
    )
    df.attrs.update({"paths": c["paths"], "seed": c["seed"], "base": c["base"]})
    return df


CHANNEL_NAMES = {
    "usage": "usage share",
    "pressure": "price pressure",
    "pass_through": "margin pass-through",
    "event_preferences": "events' preference shifts",
    "event_prices": "events' price effects",
    "marks": "marks",
}


def channels(
    scenario: Union[Scenario, str],
    base: Union[Scenario, str] = "frozen",
    *,
    paths: int = 20_000,
    seed: int = 42,
    statistics: Optional[List[str]] = None,
    threads: Optional[int] = None,
    client: Any = None,
    progress: bool = False,
) -> pd.DataFrame:
    """Where a scenario's repricing comes from (as ``aibubble channels``): the
    exact Shapley decomposition of its difference from ``base`` over six
    channels (usage share, price pressure, margin pass-through, the events'
    preference shifts, the events' price effects, marks), every one of the
    ``2 ** 7`` runs on the same ``paths`` and ``seed``.

    ``base`` is ``"frozen"`` (each channel set against its own
    frozen-competition counterfactual), a preset name or a
    :class:`Scenario` (with the same channels off). What each channel's
    "off" is: docs/analysis.md.

    Returns a long (tidy) DataFrame, one row per statistic and channel:
    ``statistic`` (default: each marked lab's mean fair value, P(pop) and
    P(FV = 0), and the sector's mean fair value), ``channel`` (the six
    channels, then ``"every channel off"``, the difference with every
    channel off, and ``"total"``, the scenario against the base), ``value``
    and ``se`` (``sd / sqrt(N)`` of the per-path Shapley value). For each
    statistic the rows other than ``"total"`` add up to it.

    With ``client`` (a ``dask.distributed.Client``), each pair of runs (a
    channel set, on the scenario and on the base) is split into path ranges
    that run as one batch of tasks on its cluster (see :mod:`aibubble.dask`);
    the table is the same bit for bit. ``progress``: one tqdm bar over the
    tasks.
    """
    s = _scenario(scenario)
    name = scenario if isinstance(scenario, str) else s.name
    base_name: Optional[str] = None
    base_inner: Optional[_core.Scenario] = None
    if not (isinstance(base, str) and base == "frozen"):
        b = _scenario(base)
        base_name, base_inner = (base if isinstance(base, str) else b.name), b._inner
    from .dask import runner

    with runner(client, progress, f"channels {name}") as run:
        c = json.loads(
            _core.channels(
                name, s._inner, list(statistics or []), paths, seed, base_name, base_inner, threads, runner=run
            )
        )
    names = [CHANNEL_NAMES[ch] for ch in c["channels"]]
    rows = []
    for d in c["statistics"]:
        estimates = list(zip(names, d["shapley"])) + [("every channel off", d["rest"]), ("total", d["total"])]
        for channel, e in estimates:
            rows.append({"statistic": d["statistic"], "channel": channel, "value": e["value"], "se": e["se"]})
    df = pd.DataFrame(rows, columns=["statistic", "channel", "value", "se"])
    df.attrs.update({"scenario": c["scenario"], "base": c["base"], "paths": c["paths"], "seed": c["seed"]})
    return df
