"""Calibration from data: the core's ``src/analysis/calibrate/`` as
DataFrames (``aibubble calibrate FILE`` on the command line)."""

from __future__ import annotations

import json
import os
from typing import Any, Dict, Optional, Union

import pandas as pd

from . import _core

PARAMETER_COLUMNS = [
    "parameter", "symbol", "value", "se", "unit", "method", "n", "statistic", "statistic_value", "window", "note",
]
CURVE_COLUMNS = ["curve", "t", "value", "kind"]


def _run(path: Union[str, "os.PathLike[str]"], as_of: Optional[str]) -> Dict[str, Any]:
    if as_of is not None and not isinstance(as_of, str):
        as_of = str(as_of)[:10]  # a datetime.date or pandas Timestamp
    out: Dict[str, Any] = json.loads(_core.calibrate(os.fspath(path), as_of))
    return out


def _attrs(df: pd.DataFrame, out: Dict[str, Any]) -> pd.DataFrame:
    df.attrs.update(
        source=out["source"], as_of=out["as_of"], rows_read=out["rows_read"], rows_used=out["rows_used"],
        last_date=out["last_date"], window=tuple(out["window"]),
    )
    return df


def calibrate(path: Union[str, "os.PathLike[str]"], as_of: Optional[str] = None) -> pd.DataFrame:
    """Fit the model's parameters to a releases file (``data/models.csv``),
    as ``aibubble calibrate PATH [--as-of DATE]`` does.

    One row per parameter, with columns ``parameter`` (the scenario field it
    calibrates, ``gap.half_life``, or a plain name such as ``pace`` where no
    field holds it), ``symbol``, ``value``, ``se``, ``unit``, ``method``,
    ``n`` (rows used), ``statistic`` and ``statistic_value`` (the
    goodness of fit: ``R2``, ``RMSE`` or ``log-likelihood``), ``window``
    (dates of the data used) and ``note`` (why a parameter is not
    identified; its value and se are then NaN).

    ``as_of`` (``YYYY-MM-DD``) keeps only the rows dated before it; the fits'
    two-year window then ends there. ``df.attrs`` holds ``source``,
    ``as_of``, ``rows_read``, ``rows_used``, ``last_date`` and ``window``.

    A malformed row raises :class:`ScenarioError` (a ``ValueError``) naming
    its line, column and value; a bad ``as_of``, :class:`ArgumentError`; a
    missing file, :class:`FileError`.
    """
    out = _run(path, as_of)
    df = pd.DataFrame(out["parameters"], columns=PARAMETER_COLUMNS)
    for c in ["value", "se", "statistic_value"]:
        df[c] = pd.to_numeric(df[c], errors="coerce").astype(float)
    return _attrs(df, out)


def calibration_curves(path: Union[str, "os.PathLike[str]"], as_of: Optional[str] = None) -> pd.DataFrame:
    """The calibrated curves over their data, for plotting: one row per
    point, with columns ``curve`` (``gap.vertical``, ``gap.horizontal_lag``,
    ``eci.closed_frontier``, ``eci.open_best``, ``price.closed``,
    ``price.open``), ``t`` (decimal year), ``value`` (months, score points,
    USD per million tokens blended 3:1) and ``kind`` (``data`` or ``fit``).
    Arguments and errors as :func:`calibrate`.
    """
    out = _run(path, as_of)
    return _attrs(pd.DataFrame(out["curves"], columns=CURVE_COLUMNS), out)
