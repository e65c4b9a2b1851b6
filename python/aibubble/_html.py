"""Numbers in HTML tables: each cell carries its exact value in
``data-value`` (what tests and scripts read back) beside a rounded display."""

from __future__ import annotations

import html
import math
from typing import Any

import numpy as np
import pandas as pd


def fmt(x: float) -> str:
    """A number for reading: three significant figures or thousands
    separators, ``–`` for NaN, ``never`` for +inf (a time that never came)."""
    if math.isnan(x):
        return "–"
    if math.isinf(x):
        return "never" if x > 0 else "-inf"
    a = abs(x)
    if a != 0 and (a >= 1e6 or a < 1e-3):
        return f"{x:.3g}"
    if a >= 100:
        return f"{x:,.0f}"
    if a >= 10:
        return f"{x:,.1f}"
    return f"{x:,.3f}"


def cell(v: Any) -> str:
    """One ``<td>``: a number with its exact value, or escaped text."""
    if isinstance(v, (bool, np.bool_)):
        return f"<td>{'yes' if v else 'no'}</td>"
    if isinstance(v, (int, float, np.integer, np.floating)):
        x = float(v)
        return f'<td class="num" data-value="{x!r}">{fmt(x)}</td>'
    if v is None:
        return "<td></td>"
    return f"<td>{html.escape(str(v))}</td>"


def table(df: pd.DataFrame, name: str, index: bool = True) -> str:
    """``df`` as a table whose cells carry their exact values; ``name``
    (``data-table``) lets a test find it."""
    if index:
        df = df.reset_index()
    head = "".join(f"<th>{html.escape(str(c))}</th>" for c in df.columns)
    rows = ["<tr>" + "".join(cell(v) for v in row) + "</tr>" for row in df.itertuples(index=False, name=None)]
    return (
        f'<table data-table="{html.escape(name)}"><thead><tr>{head}</tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table>"
    )
