"""Back-tests: dated observations placed in a scenario's distribution at their
dates (the core's ``analysis::backtest``, ``aibubble backtest``). See
docs/analysis.md, "Back-test"."""

from __future__ import annotations

import json
import os
from typing import Union

import pandas as pd

from . import _core
from ._scenario import Scenario
from .errors import FileError

COLUMNS = [
    "line", "date", "output", "lab", "segment", "value", "unit", "source", "notes",
    "step", "percentile", "percentile_se", "p0_5", "p5", "p50", "p95", "p99_5", "in_90", "in_99",
]


def _csv_text(observations: Union[str, "os.PathLike[str]", pd.DataFrame]) -> "tuple[str, str]":
    if isinstance(observations, pd.DataFrame):
        df = observations.copy()
        if "date" in df.columns and pd.api.types.is_datetime64_any_dtype(df["date"]):
            df["date"] = df["date"].dt.strftime("%Y-%m-%d")
        return df.to_csv(index=False), "<DataFrame>"
    if isinstance(observations, (str, os.PathLike)):
        path = os.fspath(observations)
        try:
            with open(path, encoding="utf-8") as f:
                return f.read(), path
        except OSError as e:
            raise FileError(f"{path}: {e.strerror or e}") from e
    raise TypeError(f"observations must be a path or a DataFrame, got {type(observations).__name__}")


def backtest(
    scenario: Union[Scenario, str],
    observations: Union[str, "os.PathLike[str]", pd.DataFrame],
    paths: int = 10_000,
    seed: int = 42,
    *,
    threads: Union[int, None] = None,
) -> pd.DataFrame:
    """Place each dated observation in ``scenario``'s distribution at its
    date, as ``aibubble backtest SCENARIO --observations FILE`` does.

    ``scenario`` is a :class:`Scenario` or a preset name (``"hindcast_2024"``).
    ``observations`` is a CSV file's path or a DataFrame with the same
    columns: ``date`` (``YYYY-MM-DD`` or ``YYYY-MM``, the first of the month;
    datetimes are written as days), ``output`` (a recorded series: ``revenue``,
    the annualised run rate at the step; ``gap``; ``price_ratio``;
    ``closed_share`` or ``open_share`` = 1 - closed_share, per segment;
    ``market_value``, per marked lab; ...), ``lab`` and ``segment`` where the
    series needs one, ``value``, ``source`` (required), ``unit`` and ``notes``.
    A DataFrame's row ``i`` is line ``i + 2`` in messages.

    Returns one row per observation, in order: the observation's columns,
    ``line``, ``step`` (the step nearest the date, ``t_k = start_year +
    k / steps_per_year``), ``percentile`` (the share of paths below the value,
    ties counted half) and ``percentile_se`` (``sqrt(p (1 - p) / paths)``),
    the model's quantiles ``p0_5``, ``p5``, ``p50``, ``p95``, ``p99_5`` at that
    step, and ``in_90`` / ``in_99`` (inside p5..p95 / p0.5..p99.5).
    ``df.attrs`` holds the summary: ``n``, ``in_90`` and ``in_90_se`` (the
    share inside the 90% band and its binomial standard error), ``in_99``
    and ``in_99_se``, ``pit`` (counts of percentiles in ten bins of width
    0.1), and ``scenario``, ``observations``, ``paths``, ``seed``.

    A malformed row, an unknown output, lab or segment, or a date outside the
    run's horizon raises :class:`ScenarioError` (a ValueError) naming the
    line; a file that cannot be read, :class:`FileError`.
    """
    if isinstance(scenario, str):
        scenario = Scenario.preset(scenario)
    if not isinstance(scenario, Scenario):
        raise TypeError(f"scenario must be an aibubble.Scenario or a preset name, got {type(scenario).__name__}")
    text, name = _csv_text(observations)
    out = json.loads(_core.backtest(scenario._inner, text, name, paths, seed, threads=threads))
    df = pd.DataFrame(out["rows"], columns=COLUMNS)
    for c in ["value", "percentile", "percentile_se", "p0_5", "p5", "p50", "p95", "p99_5"]:
        df[c] = df[c].astype(float)
    df["in_90"] = df["in_90"].astype(bool)
    df["in_99"] = df["in_99"].astype(bool)
    s = out["summary"]
    df.attrs.update(
        scenario=out["scenario"],
        observations=out["observations"],
        paths=out["paths"],
        seed=out["seed"],
        n=s["n"],
        in_90=s["in_90"]["share"],
        in_90_se=s["in_90"]["se"],
        in_99=s["in_99"]["share"],
        in_99_se=s["in_99"]["se"],
        pit=list(s["pit"]),
    )
    return df
