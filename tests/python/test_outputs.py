"""The outputs' vocabulary (``aibubble.outputs()``) is the core's, covers every
lab metric and series, and every plot labels its axis with its unit."""

from __future__ import annotations

import ast
import inspect
from typing import List

import pytest

import aibubble
from aibubble import LAB_METRICS, SERIES, Result, plot

pytestmark = pytest.mark.usefixtures("close_figures")


def test_outputs_cover_every_metric_and_series_once() -> None:
    df = aibubble.outputs()
    assert list(df.columns) == ["kind", "per", "unit", "label", "meaning", "quantiles", "accuracy"]
    assert df.index.is_unique
    assert list(df.index[df["kind"] == "lab_metric"]) == list(LAB_METRICS)
    assert list(df.index[df["kind"] == "series"]) == list(SERIES)
    assert set(df["per"]) <= {"run", "segment", "lab", "marked_lab"}
    assert (df[["unit", "label", "meaning"]] != "").all().all()
    assert df.loc["spend", "unit"] == "USD bn/year"
    assert df.loc["closed_share", "per"] == "segment"
    assert df.loc["funding_need", "unit"] == "USD bn"


def test_outputs_state_how_each_quantile_is_computed() -> None:
    df = aibubble.outputs()
    assert set(df.loc[list(LAB_METRICS), "quantiles"]) == {"exact"}
    assert (df.loc[list(LAB_METRICS), "accuracy"] == 0.0).all()
    bounded = df.index[df["quantiles"] == "absolute"]
    # Every fraction-valued series is sketched on its range, to 0.1 percentage point or better.
    assert sorted(bounded) == sorted(df.index[(df["kind"] == "series") & (df["unit"] == "fraction")])
    assert sorted(bounded) == ["closed_share", "closed_spend_share", "gross_margin"]
    assert (df.loc[bounded, "accuracy"] <= 0.001).all()
    assert df.loc["spend", "quantiles"] == "relative" and df.loc["spend", "accuracy"] == 0.01


def _expected(name: str) -> str:
    row = aibubble.outputs().loc[name]
    return f"{row['label']} ({row['unit']})"


def test_every_fan_chart_axis_carries_the_vocabulary_s_unit(small: Result, marked_labs: List[str]) -> None:
    seg = small.scenario.to_dict()["segments"][0]["id"]
    where = {"run": {}, "segment": {"segment": seg}, "lab": {"lab": small.labs[0]}, "marked_lab": {"lab": marked_labs[0]}}
    per = aibubble.outputs()["per"]
    for variable in SERIES:
        ax = plot.fan_chart(small, variable, **where[per[variable]])
        assert ax.get_ylabel() == _expected(variable), variable


def test_metric_axes_carry_the_vocabulary_s_unit(small: Result, marked_labs: List[str]) -> None:
    ax = plot.phi_distribution(small, marked_labs[0])
    assert ax.get_xlabel() == _expected("phi")
    for metric in LAB_METRICS:
        if metric in ("pop_time", "crunch_time", "first_negative_cash"):
            continue  # times that never came are inf: no finite quantiles on every lab
        ax = plot.compare({"a": small}, metric=metric, labs=marked_labs)
        assert ax.get_ylabel().startswith(_expected(metric) + ":"), metric


def test_plot_declares_no_units_of_its_own() -> None:
    """No dictionary in plot.py maps an output's name to a label: the units live in the vocabulary."""
    tree = ast.parse(inspect.getsource(plot))
    names = set(LAB_METRICS) | set(SERIES)
    for node in ast.walk(tree):
        if isinstance(node, ast.Dict):
            keys = {k.value for k in node.keys if isinstance(k, ast.Constant)}
            assert not keys & names, f"plot.py maps {sorted(keys & names)} itself"
