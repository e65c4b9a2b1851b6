"""The outputs' vocabulary (the core's, declared once in Rust): every lab
metric and every recorded series, with its unit, an axis label and its
meaning."""

from __future__ import annotations

from typing import Dict, Tuple

import pandas as pd

from . import _core

_COLUMNS = ("name", "kind", "per", "unit", "label", "meaning", "quantiles", "accuracy")

#: One row per output, lab metrics first, then series (the core's order).
_ROWS: Tuple[Dict[str, str], ...] = tuple(dict(zip(_COLUMNS, row)) for row in _core.OUTPUTS)
_BY_NAME: Dict[str, Dict[str, str]] = {row["name"]: row for row in _ROWS}


def outputs() -> pd.DataFrame:
    """Every output aibubble writes: the per-path lab metrics
    (:data:`aibubble.LAB_METRICS`, ``kind="lab_metric"``) and the series
    recorded at quarter ends (:data:`aibubble.SERIES`, ``kind="series"``),
    indexed by name, with what each is kept for (``per``: ``run``,
    ``segment``, ``lab`` or ``marked_lab``), its ``unit``, a short ``label``
    for an axis, its ``meaning``, and how its quantiles are computed:
    ``quantiles`` is ``exact`` (lab metrics, from every path), ``relative``
    (a series sketched with relative accuracy: within ``accuracy``, 1%, of
    the value) or ``absolute`` (shares and margins, sketched on a bounded
    range: within ``accuracy``, 2^-11 or about 0.05 percentage points, of
    numpy's quantile, in the series' unit).

    >>> import aibubble
    >>> aibubble.outputs().loc["spend", "unit"]
    'USD bn/year'
    >>> aibubble.outputs().loc["closed_spend_share", "quantiles"]
    'absolute'
    >>> float(aibubble.outputs().loc["closed_spend_share", "accuracy"])
    0.00048828125
    """
    df = pd.DataFrame(list(_ROWS), columns=list(_COLUMNS)).set_index("name")
    df["accuracy"] = df["accuracy"].astype(float)
    return df


def unit(name: str) -> str:
    """The unit of an output (a lab metric or a series)."""
    return _BY_NAME[name]["unit"]


def axis_label(name: str) -> str:
    """``"label (unit)"`` for an output; the name itself for anything else."""
    row = _BY_NAME.get(name)
    return f"{row['label']} ({row['unit']})" if row else name
