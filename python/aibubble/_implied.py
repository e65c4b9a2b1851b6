"""The reverse DCF, "what must you believe" (docs/analysis.md): a thin
wrapper over the core's ``implied`` that returns a DataFrame."""

from __future__ import annotations

import json
from typing import Any, Dict, List, Optional, Tuple

import pandas as pd

from . import _core
from ._scenario import Scenario


def implied(
    scenario: Scenario,
    *,
    lab: str,
    input: Optional[str] = None,
    target: str = "mean",
    bracket: Optional[Tuple[float, float]] = None,
    paths: int = 5_000,
    seed: int = 42,
    client: Any = None,
    progress: bool = False,
) -> pd.DataFrame:
    """The value of ``input`` at which ``lab``'s fair value meets its mark
    (as ``aibubble implied LAB --input PATH``): one row per input, indexed by
    its field path.

    ``target="mean"`` solves mean fair value = mean mark, ``"median"``
    median fair value / mark = 1. A fixed input is set (``how = "set"``); an
    uncertain one has every draw shifted (``"shift"``) or, for a positive-only
    input, scaled (``"scale"``). ``today`` and ``root`` are the input's central
    value (fixed value or median) now and at the root, ``change`` the shift or
    the factor, ``se`` the root's Monte Carlo standard error (delta method),
    ``check_gap`` / ``check_se`` / ``check_ok`` the rerun at the root on seed
    ``seed + 1``; ``revenue_<year>`` is the lab's median revenue that year at
    the root (USD bn) and ``percentile_<year>`` its percentile today (2030
    and 2035). ``bracket`` is in the input's unit.

    Without ``input``, the investor's page: a standard set of inputs, each in
    its default bracket; an input without a root there has only ``note``.
    A bracket without a root, or one the input cannot take, raises
    :class:`ArgumentError` with the values at both ends or the field's name.

    With ``client`` (a ``dask.distributed.Client``), each run of the search
    is split into path ranges that run as tasks on its cluster (see
    :mod:`aibubble.dask`); Brent's method still runs here, on the same
    values, so the table is the same bit for bit. ``progress``: one tqdm
    bar over the tasks (its total grows as the search asks for runs). A
    ``client`` that is not a Client raises :class:`ArgumentError`.
    """
    if not isinstance(scenario, Scenario):
        raise TypeError(f"scenario must be an aibubble.Scenario, got {type(scenario).__name__}")
    if bracket is not None:
        lo, hi = bracket
        bracket = (float(lo), float(hi))
    from .dask import runner

    with runner(client, progress, f"implied {lab}") as run:
        rows = json.loads(_core.implied(scenario._inner, lab, input, target, bracket, paths, seed, runner=run))
    out: List[Dict[str, Any]] = []
    for r in rows:
        if "note" in r:
            out.append({"input": r["input"], "note": r["note"]})
            continue
        row: Dict[str, Any] = {
            k: r[k]
            for k in (
                "input",
                "lab",
                "unit",
                "target",
                "how",
                "today",
                "root",
                "change",
                "se",
                "slope",
                "gap_today",
                "gap_at_root",
                "runs",
            )
        }
        row["bracket_lo"], row["bracket_hi"] = r["bracket"]
        row["check_seed"] = r["check"]["seed"]
        row["check_gap"] = r["check"]["gap"]
        row["check_se"] = r["check"]["se"]
        row["check_ok"] = r["check"]["ok"]
        for y in r["revenue"]:
            row[f"revenue_{y['year']}"] = y["median"]
        for y in r["revenue"]:
            if y["year"] in r["percentile_years"]:
                row[f"percentile_{y['year']}"] = y["percentile_today"]
        row["note"] = None
        out.append(row)
    return pd.DataFrame(out).set_index("input")
