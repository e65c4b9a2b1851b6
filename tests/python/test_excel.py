"""Excel workbooks: Result.to_excel (XlsxWriter) and `aibubble run --xlsx`
(rust_xlsxwriter) read back with openpyxl and checked against the result."""

from __future__ import annotations

import math
import subprocess
import zipfile
from pathlib import Path
from typing import Any, Dict

import numpy as np
import pytest

import aibubble
from aibubble import ArgumentError, Result

openpyxl = pytest.importorskip("openpyxl")
pytest.importorskip("xlsxwriter")

SHEETS = ["Summary", "Inputs", "Time series", "Per path", "Sources"]
# XlsxWriter writes numbers with 16 significant digits (Excel keeps 15).
REL = 1e-15

PATHS, SEED = 300, 5


@pytest.fixture(scope="module")
def result() -> Result:
    return aibubble.simulate(aibubble.Scenario.preset("baseline"), paths=PATHS, seed=SEED)


@pytest.fixture(scope="module")
def book(result: Result, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("xlsx") / "run.xlsx"
    result.to_excel(path)
    return path


def _close(a: Any, b: float) -> bool:
    if isinstance(b, float) and math.isnan(b):
        return a is None
    if isinstance(b, float) and math.isinf(b):
        return a == "never"
    return isinstance(a, (int, float)) and abs(a - b) <= REL * abs(b)


def _headline(ws: Any) -> Dict[str, Dict[str, Any]]:
    """The per-lab table of the Summary sheet: {lab: {heading: value}}."""
    rows = list(ws.iter_rows(values_only=True))
    top = next(i for i, r in enumerate(rows) if r[0] == "id")
    heads = rows[top]
    out: Dict[str, Dict[str, Any]] = {}
    for r in rows[top + 1 :]:
        if r[0] is None:
            break
        out[r[0]] = dict(zip(heads, r))
    return out


def _statistics(ws: Any) -> Dict[str, Dict[str, Any]]:
    rows = list(ws.iter_rows(values_only=True))
    top = next(i for i, r in enumerate(rows) if r[0] == "statistic")
    labs = [x for x in rows[top][1:] if x is not None]
    out: Dict[str, Dict[str, Any]] = {lab: {} for lab in labs}
    for r in rows[top + 1 :]:
        if r[0] is None:
            break
        for j, lab in enumerate(labs):
            out[lab][r[0]] = r[1 + j]
    return out


def test_the_workbook_has_its_sheets_and_the_summary_equals_the_result(result: Result, book: Path) -> None:
    wb = openpyxl.load_workbook(book)
    assert wb.sheetnames == SHEETS
    head = _headline(wb["Summary"])
    s = result.summary()
    assert list(head) == list(s.index)
    for lab in s.index:
        assert _close(head[lab]["fair value, mean"], s.loc[lab, "fair_value_mean"]), lab
        assert _close(head[lab]["fair value, p50"], s.loc[lab, "fair_value_p50"]), lab
        assert _close(head[lab]["P(pop)"], s.loc[lab, "p_pop"] if "p_pop" in s else float("nan")), lab
    stats = _statistics(wb["Summary"])
    for lab in s.index:
        for col in s.columns.drop(["name", "class"]):
            assert _close(stats[lab][col], float(s.loc[lab, col])), (lab, col)


def test_numbers_are_typed_cells_and_undefined_values_are_empty(result: Result, book: Path) -> None:
    ws = openpyxl.load_workbook(book)["Per path"]
    rows = list(ws.iter_rows(min_row=2, values_only=True))
    names, data = rows[0], rows[1:]
    assert len(data) == PATHS
    pp = result.per_path()
    col = names.index("labs.openai.fair_value")
    got = np.array([r[col] for r in data], dtype=float)
    assert np.all(np.abs(got - pp["labs.openai.fair_value"].to_numpy()) <= REL * np.abs(got))
    pop = names.index("labs.openai.pop_time")
    want = pp["labs.openai.pop_time"].to_numpy()
    for r, w in zip(data, want):
        assert _close(r[pop], float(w))
    # A lab without a mark has no phi: empty cells, not text.
    phi = names.index("labs.google.phi")
    assert all(r[phi] is None for r in data)
    cells = list(ws.iter_rows(min_row=3, max_row=3))[0]
    assert cells[col].data_type == "n"


def test_the_charts_are_native_excel_charts(book: Path) -> None:
    with zipfile.ZipFile(book) as z:
        charts = sorted(n for n in z.namelist() if n.startswith("xl/charts/chart"))
        kinds = [z.read(n).decode() for n in charts]
    assert len(charts) == 2
    assert any("<c:lineChart>" in k and "'Time series'" in k for k in kinds)
    assert any("<c:barChart>" in k and "Summary" in k for k in kinds)


def test_time_series_inputs_and_sources(result: Result, book: Path) -> None:
    wb = openpyxl.load_workbook(book)
    ts = list(wb["Time series"].iter_rows(values_only=True))
    assert ts[0] == ("series", "of", "unit", "time", "p5", "p25", "p50", "p75", "p95")
    rev = [r for r in ts[1:] if r[0] == "revenue" and r[1] == "openai"]
    q = result.timeseries("revenue", lab="openai")
    assert len(rev) == len(q)
    for r, (_, row) in zip(rev, q.iterrows()):
        assert _close(r[3], float(row.name)) and _close(r[6], float(row["p50"]))
    inputs = list(wb["Inputs"].iter_rows(values_only=True))
    d = result.scenario.describe()
    assert [r[0] for r in inputs[1:]] == list(d.index)
    rate = next(r for r in inputs if r[0] == "valuation.discount_rate")
    assert rate[1] is None and rate[2].startswith("triangular(") and rate[3] is True
    sources = list(wb["Sources"].iter_rows(values_only=True))
    src = result.scenario.to_dict()["sources"]
    assert len(sources) - 1 == len(src)
    for path, assumption, text in sources[1:]:
        assert text == src[path]
        assert assumption == text.lower().startswith("assumption")


def test_above_the_row_limit_the_per_path_sheet_is_a_stated_sample(result: Result, tmp_path: Path) -> None:
    path = tmp_path / "sample.xlsx"
    result.to_excel(path, max_rows=7)
    rows = list(openpyxl.load_workbook(path)["Per path"].iter_rows(values_only=True))
    assert rows[0][0].startswith(f"7 of {PATHS} paths: an evenly spaced sample")
    assert [r[0] for r in rows[2:]] == [j * PATHS // 7 for j in range(7)]
    with pytest.raises(ArgumentError, match="max_rows"):
        result.to_excel(tmp_path / "bad.xlsx", max_rows=0)
    assert not (tmp_path / "bad.xlsx").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["sample.xlsx"]


def test_the_cli_workbook_has_the_same_sheets_and_numbers(result: Result, book: Path, cli: Path, tmp_path: Path) -> None:
    path = tmp_path / "cli.xlsx"
    subprocess.run(
        [str(cli), "run", "baseline", "--paths", str(PATHS), "--seed", str(SEED), "--xlsx", str(path)],
        check=True,
        capture_output=True,
    )
    rust = openpyxl.load_workbook(path)
    py = openpyxl.load_workbook(book)
    assert rust.sheetnames == SHEETS
    s = result.summary()
    # rust_xlsxwriter writes the shortest decimal that reads back exactly.
    head = _headline(rust["Summary"])
    stats = _statistics(rust["Summary"])
    for lab in s.index:
        assert head[lab]["fair value, mean"] == s.loc[lab, "fair_value_mean"]
        for col in s.columns.drop(["name", "class"]):
            x = float(s.loc[lab, col])
            assert (stats[lab][col] is None) if math.isnan(x) else stats[lab][col] == x, (lab, col)
    for sheet in ("Inputs", "Time series", "Sources"):
        a = list(rust[sheet].iter_rows(values_only=True))
        b = list(py[sheet].iter_rows(values_only=True))
        assert len(a) == len(b), sheet
        for ra, rb in zip(a, b):
            for x, y in zip(ra, rb):
                if isinstance(x, float) and isinstance(y, float):
                    assert abs(x - y) <= REL * abs(x), (sheet, ra[0])
                else:
                    assert x == y, (sheet, ra, rb)
    rows = list(rust["Per path"].iter_rows(min_row=2, values_only=True))
    assert len(rows) == PATHS + 1
    with zipfile.ZipFile(path) as z:
        assert len([n for n in z.namelist() if n.startswith("xl/charts/chart")]) == 2
    again = subprocess.run(
        [str(cli), "run", "baseline", "--paths", "10", "--xlsx", str(path)], capture_output=True, text=True
    )
    assert again.returncode == 2 and "exists" in again.stderr
