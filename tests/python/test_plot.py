"""Plots render with the Agg backend (set in conftest), draw something, use the
``ax`` they are given and return it."""

from __future__ import annotations

from pathlib import Path
from typing import List

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.axes import Axes

import aibubble
from aibubble import Result, plot

pytestmark = pytest.mark.usefixtures("close_figures")


def _drawn(ax: Axes) -> int:
    return len(ax.lines) + len(ax.patches) + len(ax.collections)


def _render(ax: Axes) -> None:
    ax.figure.canvas.draw()  # lays out and rasterises: errors show here


def test_backend_is_agg() -> None:
    assert matplotlib.get_backend().lower() == "agg"


def test_fan_chart(small: Result) -> None:
    lab = small.labs[0]
    seg = small.scenario.to_dict()["segments"][0]["id"]
    for variable, kw in [("gap", {}), ("revenue", {"lab": lab}), ("closed_share", {"segment": seg})]:
        ax = plot.fan_chart(small, variable, **kw)
        assert isinstance(ax, Axes)
        assert len(ax.collections) == 2  # the 50% and 90% bands
        (median,) = ax.lines
        ts = small.timeseries(variable, **kw)
        np.testing.assert_array_equal(median.get_xdata(), ts.index.to_numpy())
        np.testing.assert_array_equal(median.get_ydata(), ts["p50"].to_numpy())
        assert ax.get_legend() is not None
        assert variable in ax.get_title()
        _render(ax)


def test_fan_chart_errors(small: Result) -> None:
    n = len(plt.get_fignums())
    with pytest.raises(aibubble.ArgumentError):
        plot.fan_chart(small, "revenue")  # needs a lab
    assert len(plt.get_fignums()) == n  # no figure left behind


def test_phi_distribution(small: Result, marked_labs: List[str]) -> None:
    lab = marked_labs[0]
    ax = plot.phi_distribution(small, lab, bins=30)
    assert isinstance(ax, Axes)
    assert len(ax.patches) == 30  # histogram bars
    assert len(ax.lines) == 2  # the mark (phi = 1) and half of it
    texts = [t.get_text() for t in ax.texts]
    p = np.mean(small.distribution(lab, "phi") < 0.5)
    assert any(f"P(phi < 0.5) = {100 * p:.1f}%" in t for t in texts), texts
    assert lab in ax.get_title()
    _render(ax)


def test_phi_distribution_of_a_lab_without_mark(small: Result, unmarked_labs: List[str]) -> None:
    n = len(plt.get_fignums())
    with pytest.raises(aibubble.ArgumentError, match="no mark"):
        plot.phi_distribution(small, unmarked_labs[0])
    assert len(plt.get_fignums()) == n


def test_pop_by_year(small: Result, marked_labs: List[str]) -> None:
    ax = plot.pop_by_year(small)
    assert [line.get_label() for line in ax.lines] == marked_labs
    df = small.pop_probability_by_year()
    np.testing.assert_allclose(ax.lines[0].get_ydata(), 100 * df[marked_labs[0]].to_numpy())
    _render(ax)
    ax = plot.pop_by_year(small, labs=marked_labs[:1])
    assert len(ax.lines) == 1


def test_compare(small: Result, baseline: aibubble.Scenario, marked_labs: List[str]) -> None:
    other = aibubble.simulate(baseline.replace({"segments.enterprise.switching": 0.5}), paths=500, seed=1)
    ax = plot.compare({"baseline": small, "switching 0.5": other})
    assert isinstance(ax, Axes)
    # One bar per scenario and lab with phi (the labs with a mark).
    assert len(ax.patches) == 2 * len(marked_labs)
    assert [t.get_text() for t in ax.get_xticklabels()] == marked_labs
    _render(ax)
    ax = plot.compare({"baseline": small}, metric="fair_value", labs=small.labs[:3])
    assert len(ax.patches) == 3
    _render(ax)


def test_compare_of_nothing() -> None:
    with pytest.raises(aibubble.ArgumentError):
        plot.compare({})


def test_event_times(small: Result) -> None:
    events = list(small.events().columns)
    if not events:
        pytest.skip("no events in this preset")
    ax = plot.event_times(small, bins=20)
    assert len(ax.patches) == 20 * len(events)
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    for name, label in zip(events, labels):
        assert label.startswith(name) and "% of paths" in label
    _render(ax)


def test_event_times_without_events(baseline: aibubble.Scenario) -> None:
    d = baseline.to_dict()
    d.pop("events", None)
    d["sources"] = {k: v for k, v in d.get("sources", {}).items() if not k.startswith("events.")}
    r = aibubble.simulate(aibubble.Scenario.from_dict(d), paths=200, seed=1)
    with pytest.raises(aibubble.ArgumentError, match="no events"):
        plot.event_times(r)


def test_every_plot_uses_the_given_axes(small: Result, marked_labs: List[str], baseline: aibubble.Scenario) -> None:
    fig, axes = plt.subplots(2, 4)
    sweep = aibubble.sweep(baseline, "prices.premium_sensitivity", [0.0, 0.2], paths=60, seed=1)
    tornado = aibubble.tornado(baseline, f"labs.{marked_labs[0]}.fair_value.mean", paths=60, seed=1)
    backtest = aibubble.backtest(
        "hindcast_2024", Path(__file__).resolve().parents[2] / "data" / "observations_2024_2025.csv", paths=60, seed=1
    )
    sobol = aibubble.sobol(baseline, f"labs.{marked_labs[0]}.fair_value", paths=30, seed=1, group_correlated=True)
    calls = [
        lambda ax: plot.sobol(sobol, ax=ax),
        lambda ax: plot.sweep(sweep, f"labs.{marked_labs[0]}.fair_value.mean", ax=ax),
        lambda ax: plot.tornado(tornado, ax=ax),
        lambda ax: plot.fan_chart(small, "gap", ax=ax),
        lambda ax: plot.phi_distribution(small, marked_labs[0], ax=ax),
        lambda ax: plot.pop_by_year(small, ax=ax),
        lambda ax: plot.compare({"a": small}, ax=ax),
        lambda ax: plot.event_times(small, ax=ax) if len(small.events().columns) else plot.fan_chart(small, "gap", ax=ax),
        lambda ax: plot.backtest(backtest, ax=ax),
    ]
    n = len(plt.get_fignums())
    for call, ax in zip(calls, axes.flat):
        assert _drawn(ax) == 0
        assert call(ax) is ax
        assert _drawn(ax) > 0
    assert len(plt.get_fignums()) == n  # no new figures
    fig.canvas.draw()
    assert set(plot.__all__) == {
        "fan_chart",
        "phi_distribution",
        "pop_by_year",
        "compare",
        "event_times",
        "sweep",
        "tornado",
        "backtest",
        "sobol",
    }


def test_a_new_figure_without_ax(small: Result) -> None:
    n = len(plt.get_fignums())
    ax = plot.fan_chart(small, "gap")
    assert len(plt.get_fignums()) == n + 1
    assert ax.figure.number == plt.get_fignums()[-1]
