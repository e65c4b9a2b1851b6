"""Excel workbooks of a run (``Result.to_excel``), written with XlsxWriter.

Sheets: **Summary** (the run, the per-lab table with native Excel charts of a
revenue fan and the phi histogram, every summary statistic), **Inputs**
(value or distribution, unit, domain, source), **Time series** (quantiles
at every quarter end), **Per path** (every path up to Excel's row limit,
then an evenly spaced sample, stated on the sheet) and **Sources**. Numbers
are typed cells; a missing value (a statistic that does not apply, ``NaN``)
is an empty cell and a time that never came (``inf``) is the text
``never``, as the sheets say.
"""

from __future__ import annotations

import math
import os
from typing import IO, Any, List, Optional, Union

import numpy as np
import pandas as pd

from . import _tables
from ._files import write_atomic
from ._result import Result
from .errors import ArgumentError

#: Rows of a worksheet (Excel 2007 and later), the header included.
EXCEL_MAX_ROWS = 1_048_576

NEVER = "never"


def _xlsxwriter() -> Any:
    try:
        import xlsxwriter
    except ImportError as e:  # pragma: no cover - exercised without the extra
        raise ImportError(
            'Result.to_excel needs XlsxWriter: pip install "aibubble[explore]" (or pip install xlsxwriter)'
        ) from e
    return xlsxwriter


def write_workbook(result: Result, path: Union[str, "os.PathLike[str]"], *, max_rows: Optional[int] = None) -> None:
    """Write ``result`` as a workbook at ``path`` (complete or absent).

    ``max_rows`` caps the per-path sheet (default: Excel's limit less the
    header, 1,048,575 paths); above it the sheet holds an evenly spaced
    sample of paths, with their path numbers, and says so.
    """
    if not isinstance(result, Result):
        raise TypeError(f"result must be an aibubble.Result, got {type(result).__name__}")
    limit = EXCEL_MAX_ROWS - 1
    if max_rows is not None:
        if isinstance(max_rows, bool) or not isinstance(max_rows, int) or not 1 <= max_rows <= limit:
            raise ArgumentError(f"invalid argument max_rows: an integer in [1, {limit}], got {max_rows!r}")
        limit = max_rows
    xlsxwriter = _xlsxwriter()

    def write(f: IO[bytes]) -> None:
        # constant_memory: rows go to disk as they are written, so a million
        # paths do not hold the sheet in memory.
        wb = xlsxwriter.Workbook(f, {"constant_memory": True, "strings_to_numbers": False})
        try:
            _Writer(wb, result, limit).write()
        finally:
            wb.close()

    write_atomic(path, write)


class _Writer:
    def __init__(self, wb: Any, result: Result, limit: int) -> None:
        self.wb, self.r, self.limit = wb, result, limit
        self.bold = wb.add_format({"bold": True})
        self.title = wb.add_format({"bold": True, "font_size": 14})
        self.wrap = wb.add_format({"text_wrap": True, "valign": "top"})
        self.note = wb.add_format({"italic": True, "font_color": "#555555"})

    def write(self) -> None:
        # Built first: the summary's fan chart points into this sheet.
        series = _tables.series_table(self.r)
        summary = self.wb.add_worksheet("Summary")
        inputs = self.wb.add_worksheet("Inputs")
        ts = self.wb.add_worksheet("Time series")
        per_path = self.wb.add_worksheet("Per path")
        sources = self.wb.add_worksheet("Sources")
        self._summary(summary, series)
        self._frame(inputs, _tables.inputs_table(self.r), 0)
        self._frame(ts, series, 0)
        self._per_path(per_path)
        self._frame(sources, _tables.sources_table(self.r), 0)

    # Cells ----------------------------------------------------------------
    def cell(self, ws: Any, row: int, col: int, value: Any, fmt: Any = None) -> None:
        """A typed cell: numbers as numbers, NaN empty, inf ``never``."""
        if value is None:
            return
        if isinstance(value, (bool, np.bool_)):
            ws.write_boolean(row, col, bool(value), fmt)
        elif isinstance(value, (int, float, np.integer, np.floating)):
            x = float(value)
            if math.isnan(x):
                return
            if math.isinf(x):
                ws.write_string(row, col, NEVER if x > 0 else "-inf", fmt)
            else:
                ws.write_number(row, col, x, fmt)
        else:
            text = str(value)
            if text:
                ws.write_string(row, col, text, fmt)

    def _frame(self, ws: Any, df: pd.DataFrame, top: int, index: bool = False) -> int:
        """``df`` at row ``top`` with a bold header; returns the next free row."""
        if index:
            df = df.reset_index()
        for j, name in enumerate(df.columns):
            ws.write_string(top, j, str(name), self.bold)
        for i, row in enumerate(df.itertuples(index=False, name=None), start=top + 1):
            for j, v in enumerate(row):
                self.cell(ws, i, j, v)
        ws.freeze_panes(top + 1, 0) if top == 0 else None
        return top + 1 + len(df)

    # Sheets ---------------------------------------------------------------
    def _summary(self, ws: Any, series: pd.DataFrame) -> None:
        info = _tables.run_info(self.r)
        ws.write_string(0, 0, "aibubble: fair values of the AI labs under open-model competition", self.title)
        row = 2
        for k, v in info.items():
            ws.write_string(row, 0, k, self.bold)
            self.cell(ws, row, 1, v, self.wrap if k == "description" else None)
            row += 1
        ws.set_column(0, 0, 26)
        ws.set_column(1, 14, 14)
        row += 1
        ws.write_string(row, 0, "Per lab (USD bn; probabilities over the paths; empty: no mark)", self.bold)
        head = _tables.headline(self.r)
        table_top = row + 1
        row = self._frame(ws, head, table_top, index=True)
        row += 1
        ws.write_string(row, 0, "Every summary statistic, by lab", self.bold)
        stats = self.r.summary().drop(columns=["name", "class"]).T
        stats.index.name = "statistic"
        stats_top = row + 1
        row = self._frame(ws, stats, stats_top, index=True)
        row += 1
        labs = _tables.marked_labs(self.r)
        if not labs:
            return
        lab = labs[0]
        chart_row = table_top
        chart_col = len(head.columns) + 2
        self._fan_chart(ws, series, lab, chart_row, chart_col)
        self._phi_histogram(ws, lab, row, chart_row + 18, chart_col)

    def _fan_chart(self, ws: Any, series: pd.DataFrame, lab: str, at_row: int, at_col: int) -> None:
        rows = np.flatnonzero(((series["series"] == "revenue") & (series["of"] == lab)).to_numpy())
        if rows.size == 0:
            return
        # Rows in the Time series sheet: its header is row 0, frame row i is row i + 1.
        first, last = int(rows[0]) + 1, int(rows[-1]) + 1
        time_col = list(series.columns).index("time")
        chart = self.wb.add_chart({"type": "line"})
        for q in _tables.QUANTILE_COLUMNS:
            col = list(series.columns).index(q)
            chart.add_series(
                {
                    "name": f"revenue {q}",
                    "categories": ["Time series", first, time_col, last, time_col],
                    "values": ["Time series", first, col, last, col],
                    "line": {"width": 2.25 if q == "p50" else 1.0, "dash_type": "solid" if q == "p50" else "dash"},
                }
            )
        chart.set_title({"name": f"{lab}: revenue fan (USD bn/year), p5 to p95"})
        chart.set_x_axis({"name": "year", "num_format": "0", "interval_unit": 4})
        chart.set_y_axis({"name": "USD bn/year"})
        chart.set_size({"width": 640, "height": 340})
        ws.insert_chart(at_row, at_col, chart)

    def _phi_histogram(self, ws: Any, lab: str, data_row: int, at_row: int, at_col: int) -> None:
        hist = _tables.histogram(self.r.distribution(lab, "phi"))
        ws.write_string(data_row, 0, f"{lab}: histogram of phi (fair value / latest mark); the last bin is open above", self.bold)
        top = data_row + 1
        end = self._frame(ws, hist, top)
        chart = self.wb.add_chart({"type": "column"})
        chart.add_series(
            {
                "name": f"{lab}: paths",
                "categories": ["Summary", top + 1, 0, end - 1, 0],
                "values": ["Summary", top + 1, 2, end - 1, 2],
                "gap": 10,
            }
        )
        chart.set_title({"name": f"{lab}: phi = fair value / latest mark"})
        chart.set_x_axis({"name": "phi (bin from)", "num_format": "0.00"})
        chart.set_y_axis({"name": "paths"})
        chart.set_legend({"none": True})
        chart.set_size({"width": 640, "height": 340})
        ws.insert_chart(at_row, at_col, chart)

    def _per_path(self, ws: Any) -> None:
        n = self.r.n_paths
        df = self.r.per_path()
        events = self.r.events()
        if len(events.columns):
            df = df.join(events.add_prefix("event."))
        if n > self.limit:
            df = df.iloc[_sample(n, self.limit)]
            note = (
                f"{self.limit:,} of {n:,} paths: an evenly spaced sample (every path i = floor(j * {n} / "
                f"{self.limit}), j = 0, 1, ...), the row limit of a sheet; the path column numbers them. "
                "Empty: does not apply (NaN); never: the time never came (inf)."
            )
        else:
            note = f"All {n:,} paths. Empty: does not apply (NaN); never: the time never came (inf)."
        ws.write_string(0, 0, note, self.note)
        # constant_memory writes rows in order: the note's row comes first.
        self._frame(ws, df, 1, index=True)
        ws.freeze_panes(2, 1)


def _sample(n: int, k: int) -> List[int]:
    """``k`` evenly spaced indices of ``range(n)``, the first 0."""
    return [j * n // k for j in range(k)]


__all__: List[str] = ["write_workbook", "EXCEL_MAX_ROWS"]
