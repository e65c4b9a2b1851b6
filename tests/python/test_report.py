"""The HTML report: one self-contained file whose tables carry the
result's exact numbers, every chart rendered in a real headless Chromium,
offline."""

from __future__ import annotations

import re
import time
from html.parser import HTMLParser
from pathlib import Path
from typing import Any, Dict, Iterator, List, Optional, Tuple

import pytest

import aibubble
from aibubble import ArgumentError, Result

pytest.importorskip("plotly")

from _browser import chromium, console_errors, screenshot  # noqa: E402

PATHS, SEED = 400, 11


@pytest.fixture(scope="module")
def results() -> Dict[str, Result]:
    return {
        name: aibubble.simulate(aibubble.Scenario.preset(name), paths=PATHS, seed=SEED)
        for name in ("baseline", "ft_bubble")
    }


@pytest.fixture(scope="module")
def full(results: Dict[str, Result], tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One scenario with every analysis (small runs)."""
    path = tmp_path_factory.mktemp("report") / "baseline.html"
    aibubble.report(results["baseline"], path, analysis_paths=150)
    return path


@pytest.fixture(scope="module")
def pair(results: Dict[str, Result], tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("report") / "pair.html"
    aibubble.report(results, path, analyses=False)
    return path


class _TableParser(HTMLParser):
    """Each ``data-table``'s rows as (data-value, text) cells."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: Dict[str, List[List[Tuple[str, str]]]] = {}
        self.table: Optional[str] = None
        self.cell: Optional[List[str]] = None

    def handle_starttag(self, tag: str, attrs: List[Tuple[str, Optional[str]]]) -> None:
        a = dict(attrs)
        if tag == "table" and a.get("data-table"):
            self.table = a["data-table"]
            self.tables[self.table] = []
        elif tag == "tr" and self.table:
            self.tables[self.table].append([])
        elif tag in ("td", "th") and self.table:
            self.cell = [a.get("data-value") or "", ""]

    def handle_data(self, data: str) -> None:
        if self.cell is not None:
            self.cell[1] += data

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self.table and self.cell is not None:
            self.tables[self.table][-1].append((self.cell[0], self.cell[1]))
            self.cell = None
        elif tag == "table":
            self.table = None


def _tables(html: str) -> Dict[str, List[List[Tuple[str, str]]]]:
    p = _TableParser()
    p.feed(html)
    return p.tables


def test_the_report_holds_every_section_and_the_results_exact_numbers(results: Dict[str, Result], full: Path) -> None:
    html = full.read_text(encoding="utf-8")
    r = results["baseline"]
    for heading in (
        "Per lab",
        "Against frozen competition",
        "Channels of the repricing",
        "What must you believe (reverse DCF)",
        "Inputs",
        "Assumptions",
    ):
        assert f"<h3>{heading}</h3>" in html, heading
    assert f"{PATHS:,} paths, seed {SEED}" in html and f"aibubble {aibubble.__version__}" in html
    assert "What happens to the valuations of the closed AI labs" in html
    head = _tables(html)["headline:baseline"]
    names = [text for _, text in head[0]]
    s = r.summary()
    col = names.index("fair value, mean")
    for row in head[1:]:
        lab = row[0][1]
        assert float(row[col][0]) == s.loc[lab, "fair_value_mean"], lab
    pop = _tables(html)["pop:baseline"]
    want = r.pop_probability_by_year()
    assert len(pop) - 1 == len(want)
    # Every input with its distribution and source.
    inputs = _tables(html)["inputs:baseline"]
    assert len(inputs) - 1 == len(r.scenario.describe())
    for chart in ("fan:revenue", "fan:gross_margin", "fan:market_value", "phi:", "pop:", "channels:"):
        assert f'data-chart="{chart}' in html, chart


def test_the_report_is_offline_one_file(full: Path) -> None:
    html = full.read_text(encoding="utf-8")
    # Plotly's JavaScript is inline: nothing is fetched.
    assert not re.search(r'<script[^>]+src=', html)
    assert not re.search(r'<link[^>]+href="?https?:', html)
    assert html.count("<script") >= 1 and "Plotly" in html


def test_several_scenarios_sit_side_by_side(results: Dict[str, Result], pair: Path) -> None:
    html = pair.read_text(encoding="utf-8")
    side = _tables(html)["side-by-side"]
    assert [t for _, t in side[0]] == ["lab", "statistic", "baseline", "ft_bubble"]
    row = next(r for r in side[1:] if r[0][1] == "openai" and r[1][1] == "P(pop)")
    assert float(row[2][0]) == results["baseline"].summary().loc["openai", "p_pop"]
    assert float(row[3][0]) == results["ft_bubble"].summary().loc["openai", "p_pop"]
    assert "analyses=False" in html


def test_bad_arguments_leave_no_file(results: Dict[str, Result], tmp_path: Path) -> None:
    with pytest.raises(ArgumentError, match="analysis_paths"):
        aibubble.report(results["baseline"], tmp_path / "r.html", analysis_paths=0)
    with pytest.raises(ArgumentError, match="at least one"):
        aibubble.report([], tmp_path / "r.html")
    with pytest.raises(TypeError, match="Result"):
        aibubble.report([1], tmp_path / "r.html")  # type: ignore[list-item]
    assert list(tmp_path.iterdir()) == []


@pytest.fixture
def browser() -> Iterator[Any]:
    yield from chromium(1300, 3000)


def test_every_chart_renders_in_chromium(
    browser: Any, full: Path, results: Dict[str, Result], tmp_path: Path
) -> None:
    from selenium.webdriver.common.by import By

    browser.get(full.as_uri())
    charts = browser.find_elements(By.CSS_SELECTOR, "[data-chart]")
    assert len(charts) >= 6
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        drawn = browser.execute_script(
            "return [...document.querySelectorAll('[data-chart]')]"
            ".filter(c => c.querySelector('.main-svg .trace') !== null).length"
        )
        if drawn == len(charts):
            break
        time.sleep(0.2)
    assert drawn == len(charts), f"{drawn} of {len(charts)} charts rendered"
    # Offline: every resource the page loaded is the file itself or inline.
    fetched = browser.execute_script("return performance.getEntriesByType('resource').map(e => e.name)")
    assert all(not u.startswith("http") for u in fetched), fetched
    assert console_errors(browser) == []
    # The table the reader sees shows the numbers the result holds.
    shown = browser.execute_script(
        "const t = document.querySelector('table[data-table=\"headline:baseline\"]');"
        "const heads = [...t.querySelectorAll('th')].map(h => h.textContent);"
        "return [heads, [...t.querySelectorAll('tbody tr')].map(r => [...r.children].map("
        "c => [c.getAttribute('data-value'), c.textContent]))];"
    )
    heads, rows = shown
    s = results["baseline"].summary()
    for stat, col in (("fair_value_mean", "fair value, mean"), ("fair_value_p50", "fair value, p50"), ("p_pop", "P(pop)")):
        j = heads.index(col)
        for row in rows:
            lab = row[0][1]
            value, text = row[j]
            assert float(value) == s.loc[lab, stat] or (value == "nan" and s.loc[lab, stat] != s.loc[lab, stat])
            assert text == aibubble._html.fmt(float(value))
    screenshot(browser, tmp_path, "report.png")
    assert (tmp_path / "report.png").stat().st_size > 10_000
