"""Result: arrays and frames (dtypes, shapes, index names), and their agreement
with the summary. Session run: ``baseline``, 2000 paths, seed 7, 5 stored paths."""

from __future__ import annotations

import math
import os
from typing import Any, List

import numpy as np
import pandas as pd
import pytest

import aibubble
from aibubble import LAB_METRICS, QUANTILES, SERIES, Result

from conftest import PATHS, SEED, STORE

#: Relative accuracy of the quantile sketches of the time series (src/stats.rs).
SKETCH_ALPHA = 0.01


def _steps(r: Result) -> int:
    d = r.scenario.to_dict(expanded=True)
    return round(d["horizon"] * d["steps_per_year"])


# Basic properties ------------------------------------------------------------------


def test_properties(small: Result, baseline: aibubble.Scenario) -> None:
    assert small.n_paths == PATHS
    assert small.path_range == (0, PATHS)
    assert small.seed == SEED
    assert small.scenario == baseline
    assert small.labs == [lab["id"] for lab in baseline.to_dict()["labs"]]


def test_repr_and_html(small: Result) -> None:
    text = repr(small)
    assert "'baseline'" in text and f"{PATHS} paths" in text and f"seed {SEED}" in text
    html = small._repr_html_()
    assert html.startswith("<p><b>aibubble results")
    for lab in small.labs:
        assert lab in text and lab in html


def test_result_is_unhashable(small: Result) -> None:
    with pytest.raises(TypeError):
        hash(small)


# Dtypes and shapes -------------------------------------------------------------------


@pytest.mark.parametrize("metric", LAB_METRICS)
def test_distribution_dtype_and_shape(small: Result, metric: str) -> None:
    for lab in small.labs:
        v = small.distribution(lab, metric)
        assert isinstance(v, np.ndarray)
        assert v.dtype == np.float64
        assert v.shape == (PATHS,)


def test_distribution_of_calendar_years(small_years: Result, small: Result) -> None:
    lab = small_years.labs[0]
    years = small_years.annual(lab).index
    for variable in ("revenue", "fcf"):
        v = small_years.distribution(lab, f"{variable}.{years[0]}")
        assert v.dtype == np.float64 and v.shape == (PATHS,)
        assert small_years.annual(lab, variable).loc[years[0], "mean"] == pytest.approx(v.mean(), rel=1e-12, abs=1e-12)
        # Without keep_years: the same mean and sd from the exact sums.
        assert small.annual(lab, variable).loc[years[0], "mean"] == pytest.approx(v.mean(), rel=1e-12, abs=1e-12)
        assert small.annual(lab, variable).loc[years[0], "sd"] == pytest.approx(v.std(ddof=1), rel=1e-12, abs=1e-12)
        with pytest.raises(aibubble.ArgumentError, match="keep_years") as info:
            small.distribution(lab, f"{variable}.{years[0]}")
        assert isinstance(info.value, ValueError)


def test_distribution_is_a_copy(small: Result) -> None:
    lab = small.labs[0]
    v = small.distribution(lab, "fair_value")
    v[:] = -1.0
    assert (small.distribution(lab, "fair_value") != -1.0).any()


def test_distribution_errors(small: Result) -> None:
    with pytest.raises(aibubble.ArgumentError, match="unknown lab"):
        small.distribution("nope", "phi")
    with pytest.raises(aibubble.ArgumentError, match="nope"):
        small.distribution(small.labs[0], "nope")
    with pytest.raises(TypeError):
        small.distribution(0, "phi")  # type: ignore[arg-type]


def test_stored_paths_shape(small: Result) -> None:
    steps = _steps(small)
    t = small.times()
    assert t.dtype == np.float64 and t.shape == (steps + 1,)
    assert t[0] == small.scenario.to_dict(expanded=True)["start_year"]
    assert np.all(np.diff(t) > 0)
    seg = small.scenario.to_dict()["segments"][0]["id"]
    for variable, kw in [("gap", {}), ("closed_share", {"segment": seg}), ("revenue", {"lab": small.labs[0]})]:
        p = small.trajectories(variable, **kw)
        assert isinstance(p, np.ndarray) and p.dtype == np.float64
        assert p.shape == (STORE, steps + 1)
        assert np.isfinite(p).all()


def test_stored_paths_start_at_the_drawn_inputs(small: Result) -> None:
    inputs = small.inputs()
    if "gap.initial" in inputs:
        np.testing.assert_array_equal(small.trajectories("gap")[:, 0], inputs["gap.initial"].to_numpy()[:STORE])


def test_unknown_series_lists_the_series(small: Result) -> None:
    with pytest.raises(aibubble.ArgumentError) as info:
        small.trajectories("nope")
    assert "gap" in str(info.value)
    with pytest.raises(aibubble.ArgumentError):
        small.trajectories("revenue")  # needs a lab


def test_no_stored_paths_by_default(baseline: aibubble.Scenario) -> None:
    r = aibubble.simulate(baseline, paths=300, seed=1)
    assert r.trajectories("gap").shape == (0, _steps(r) + 1)


def test_stored_paths_of_a_path_range(baseline: aibubble.Scenario) -> None:
    r = aibubble.simulate(baseline, paths=600, seed=1, path_range=(100, 300), store_paths=150)
    assert r.trajectories("gap").shape == (50, _steps(r) + 1)  # paths 100..150
    full = aibubble.simulate(baseline, paths=600, seed=1, store_paths=150)
    np.testing.assert_array_equal(r.trajectories("gap"), full.trajectories("gap")[100:150])


def test_per_path_frame(small: Result) -> None:
    df = small.per_path()
    assert df.shape[0] == PATHS
    assert df.index.name == "path"
    assert list(df.index) == list(range(PATHS))
    assert set(df.dtypes) == {np.dtype(np.float64)}
    for lab in small.labs:
        for metric in LAB_METRICS:
            np.testing.assert_array_equal(df[f"labs.{lab}.{metric}"].to_numpy(), small.distribution(lab, metric))
    for column in small.inputs().columns:
        assert column in df.columns
    assert "pv_savings" in df.columns


def test_frames_of_a_path_range_are_indexed_by_path(baseline: aibubble.Scenario) -> None:
    r = aibubble.simulate(baseline, paths=600, seed=1, path_range=(256, 600))
    for df in (r.per_path(), r.inputs(), r.events()):
        assert df.index.name == "path"
        assert (df.index[0], df.index[-1], len(df)) == (256, 599, 344)


def test_inputs_frame(small: Result) -> None:
    df = small.inputs()
    assert df.shape[0] == PATHS and df.index.name == "path"
    assert set(df.dtypes) == {np.dtype(np.float64)}
    assert np.isfinite(df.to_numpy()).all()
    # Drawn inputs vary across paths.
    assert (df.std() > 0).all()


def test_events_never_fired_are_inf(small: Result) -> None:
    ev = small.events()
    events = [e["id"] for e in small.scenario.to_dict().get("events", [])]
    assert list(ev.columns) == events
    assert ev.index.name == "path"
    assert set(ev.dtypes) <= {np.dtype(np.float64)}
    d = small.scenario.to_dict(expanded=True)
    start, end = d["start_year"], d["start_year"] + d["horizon"]
    summary = {e["id"]: e for e in small.summary_dict()["events"]}
    for name in ev.columns:
        t = ev[name].to_numpy()
        fired = np.isfinite(t)
        assert np.all(np.isposinf(t[~fired]))  # never: +inf, not NaN
        assert np.all((t[fired] >= start) & (t[fired] <= end + 1e-9))  # calendar years
        assert summary[name]["p_fired"] == pytest.approx(fired.mean(), abs=1e-15)


def test_scenario_without_events(baseline: aibubble.Scenario) -> None:
    d = baseline.to_dict()
    d.pop("events", None)
    d["sources"] = {k: v for k, v in d.get("sources", {}).items() if not k.startswith("events.")}
    r = aibubble.simulate(aibubble.Scenario.from_dict(d), paths=300, seed=1)
    ev = r.events()
    assert ev.shape == (300, 0)
    assert ev.index.name == "path"


def test_pop_time_is_inf_when_no_pop(small: Result, marked_labs: List[str]) -> None:
    for lab in marked_labs:
        t = small.distribution(lab, "pop_time")
        assert not np.isnan(t).any()
        assert np.all(np.isfinite(t) | np.isposinf(t))


def test_phi_is_nan_without_a_mark(small: Result, marked_labs: List[str], unmarked_labs: List[str]) -> None:
    assert marked_labs and unmarked_labs, "the baseline has labs with and without a mark"
    for lab in unmarked_labs:
        assert np.isnan(small.distribution(lab, "phi")).all()
        assert np.isnan(small.distribution(lab, "pop_time")).all()
    for lab in marked_labs:
        assert np.isfinite(small.distribution(lab, "phi")).all()


# Tables ----------------------------------------------------------------------------


def test_summary_frame(small: Result, marked_labs: List[str], unmarked_labs: List[str]) -> None:
    df = small.summary()
    assert df.index.name == "id"
    assert list(df.index) == small.labs
    for column in ("name", "class", "mark", "fair_value_p50", "phi_p_below_half", "p_pop", "p_pop_se"):
        assert column in df.columns
    counts = [c for c in df.columns if c.endswith("_n")]
    assert "fair_value_n" in counts and set(df[counts].dtypes) == {np.dtype(np.int64)}
    assert (df["fair_value_n"] == small.n_paths).all()
    assert (df.loc[unmarked_labs, "phi_n"] == 0).all() and (df.loc[marked_labs, "phi_n"] == small.n_paths).all()
    numeric = df.drop(columns=["name", "class", *counts])
    assert set(numeric.dtypes) == {np.dtype(np.float64)}
    assert df.loc[unmarked_labs, "mark"].isna().all()
    assert df.loc[unmarked_labs, "p_pop"].isna().all()
    assert df.loc[marked_labs, "p_pop"].notna().all()


def test_summary_agrees_with_the_distributions(small: Result, marked_labs: List[str]) -> None:
    df = small.summary()
    n = small.n_paths
    for lab in small.labs:
        fv = small.distribution(lab, "fair_value")
        row = df.loc[lab]
        assert row["fair_value_mean"] == pytest.approx(fv.mean(), rel=1e-12, abs=1e-9)
        assert row["fair_value_sd"] == pytest.approx(fv.std(ddof=1), rel=1e-9, abs=1e-9)
        assert row["fair_value_se"] == pytest.approx(fv.std(ddof=1) / math.sqrt(n), rel=1e-9, abs=1e-9)
        for q in QUANTILES:
            assert row[f"fair_value_p{round(100 * q)}"] == pytest.approx(np.quantile(fv, q), rel=1e-12, abs=1e-9)
        neg = np.isfinite(small.distribution(lab, "first_negative_cash")).mean()
        assert row["p_cash_negative"] == pytest.approx(neg, abs=1e-15)
    for lab in marked_labs:
        phi = small.distribution(lab, "phi")
        row = df.loc[lab]
        p = np.mean(phi < 0.5)
        assert row["phi_p_below_half"] == pytest.approx(p, abs=1e-15)
        assert row["phi_p_below_half_se"] == pytest.approx(math.sqrt(p * (1 - p) / n), rel=1e-6, abs=1e-12)
        pop = np.isfinite(small.distribution(lab, "pop_time")).mean()
        assert row["p_pop"] == pytest.approx(pop, abs=1e-15)


def test_sector(small: Result, marked_labs: List[str]) -> None:
    s = small.sector()
    assert isinstance(s, pd.Series) and s.name == "sector"
    closed = [
        lab["id"]
        for lab in small.summary_dict()["labs"]
        if lab["class"] == "closed" and lab["mark"] is not None
    ]
    assert s["labs"] == ", ".join(closed)
    assert set(closed) <= set(marked_labs)
    marks = small.summary().loc[closed, "mark"].sum()
    assert s["mark"] == pytest.approx(marks, rel=1e-12)
    fv = sum(small.distribution(lab, "fair_value") for lab in closed)
    assert s["fair_value_mean"] == pytest.approx(np.mean(fv), rel=1e-12)


def test_pop_probability_by_year(small: Result, marked_labs: List[str]) -> None:
    df = small.pop_probability_by_year()
    assert df.index.name == "year"
    assert list(df.columns) == marked_labs
    years = [y for y, _ in small._inner.years]
    assert list(df.index) == years
    start = small.scenario.to_dict(expanded=True)["start_year"]
    for lab in marked_labs:
        p = df[lab].to_numpy()
        assert np.all(np.diff(p) >= 0)  # cumulative
        t = small.distribution(lab, "pop_time")
        # By the end of year Y: start_year + pop_time <= Y + 1.
        expected = [np.mean(start + t <= y + 1 + 1e-9) for y in years]
        np.testing.assert_allclose(p, expected, atol=1e-15)
        assert p[-1] == pytest.approx(small.summary().loc[lab, "p_pop"], abs=1e-15)


def test_annual(small: Result, small_years: Result) -> None:
    lab = small.labs[0]
    assert small_years.keep_years and not small.keep_years
    moments = ["fraction", "n", "mean", "sd", "se"]
    for variable in ("revenue", "fcf"):
        kept = small_years.annual(lab, variable)
        assert kept.index.name == "year"
        assert list(kept.columns) == [*moments, "p5", "p25", "p50", "p75", "p95"]
        assert kept["n"].dtype == np.int64 and (kept["n"] == small_years.n_paths).all()
        assert set(kept.drop(columns="n").dtypes) == {np.dtype(np.float64)}
        assert list(small_years.annual(lab, variable, quantiles=False).columns) == moments
        # Without keep_years: the moments only, equal to 1e-12.
        df = small.annual(lab, variable)
        assert list(df.columns) == moments
        assert (df["n"] == small.n_paths).all() and df["n"].dtype == np.int64
        for c in ("mean", "sd", "se"):
            np.testing.assert_allclose(df[c], kept[c], rtol=1e-12, atol=1e-12)
        with pytest.raises(aibubble.ArgumentError, match="keep_years"):
            small.annual(lab, variable, quantiles=True)
    with pytest.raises(aibubble.ArgumentError):
        small.annual(lab, "profit")
    with pytest.raises(aibubble.ArgumentError, match="unknown lab"):
        small.annual("nope")


def _series_args(r: Result) -> list:
    d = r.scenario.to_dict()
    lab = r.labs[0]
    seg = d["segments"][0]["id"]
    out = []
    for v in SERIES:
        if v in ("revenue", "gross_margin", "market_value", "cash"):
            out.append((v, lab, None))
        elif v == "closed_share":
            out.append((v, None, seg))
        else:
            out.append((v, None, None))
    return out


def test_timeseries_indexed_by_calendar_time(small: Result) -> None:
    d = small.scenario.to_dict(expanded=True)
    start, horizon = d["start_year"], d["horizon"]
    quarters = np.arange(round(4 * horizon) + 1) / 4
    for variable, lab, seg in _series_args(small):
        ts = small.timeseries(variable, lab=lab, segment=seg)
        assert ts.index.name == "time"
        assert ts.index.dtype == np.float64
        np.testing.assert_allclose(ts.index.to_numpy(), start + quarters, atol=1e-9)
        assert list(ts.columns) == ["p5", "p25", "p50", "p75", "p95"]
        assert set(ts.dtypes) == {np.dtype(np.float64)}
        q = ts.to_numpy()
        assert np.all(np.diff(q, axis=1) >= 0), variable  # quantiles in order


def test_timeseries_quantiles_match_the_paths(small: Result) -> None:
    """At t = 0 the gap is the drawn ``gap.initial``: the sketch's quantiles are
    within its relative accuracy of the exact order statistics."""
    inputs = small.inputs()
    if "gap.initial" not in inputs:
        pytest.skip("gap.initial is not drawn in this preset")
    x = np.sort(inputs["gap.initial"].to_numpy())
    first = small.timeseries("gap").iloc[0]
    n = len(x)
    for q, col in zip(QUANTILES, first.index):
        rank = math.floor(q * (n - 1))
        near = x[max(rank - 1, 0) : rank + 2]
        assert np.min(np.abs(first[col] - near) / np.abs(near)) <= SKETCH_ALPHA * (1 + 1e-9), col


def test_timeseries_errors(small: Result) -> None:
    with pytest.raises(aibubble.ArgumentError) as info:
        small.timeseries("nope")
    assert "gap" in str(info.value)
    with pytest.raises(aibubble.ArgumentError):
        small.timeseries("revenue")  # needs lab
    with pytest.raises(aibubble.ArgumentError):
        small.timeseries("closed_share", segment="nope")


# Statistics across seeds -----------------------------------------------------------


def test_independent_seeds_agree_within_standard_errors(baseline: aibubble.Scenario, small: Result) -> None:
    """Another seed is another sample of the same model: means differ by a few
    standard errors at most (5 SE of the difference: a false failure about once
    in two million for each of the comparisons)."""
    other = aibubble.simulate(baseline, paths=PATHS, seed=SEED + 1)
    assert not np.array_equal(
        other.distribution(small.labs[0], "fair_value"), small.distribution(small.labs[0], "fair_value")
    )
    a, b = small.summary(), other.summary()
    for lab in small.labs:
        se = math.hypot(a.loc[lab, "fair_value_se"], b.loc[lab, "fair_value_se"])
        diff = abs(a.loc[lab, "fair_value_mean"] - b.loc[lab, "fair_value_mean"])
        assert diff <= 5 * se + 1e-9, lab
        if not math.isnan(a.loc[lab, "p_pop"]):
            se = math.hypot(a.loc[lab, "p_pop_se"], b.loc[lab, "p_pop_se"])
            # A zero count has zero SE: allow one path's worth.
            assert abs(a.loc[lab, "p_pop"] - b.loc[lab, "p_pop"]) <= 5 * se + 1 / PATHS, lab


@pytest.mark.parametrize(
    "call",
    [
        lambda r: r.timeseries(5),
        lambda r: r.timeseries("revenue", lab=3),
        lambda r: r.timeseries("closed_share", segment=["consumer"]),
        lambda r: r.trajectories(5),
        lambda r: r.trajectories("revenue", lab=3),
        lambda r: r.annual(5),
        lambda r: r.annual(r.labs[0], 5),
        lambda r: r.distribution(r.labs[0], 5),
    ],
)
def test_result_methods_reject_wrong_types(small: Result, call: Any) -> None:
    with pytest.raises(TypeError):
        call(small)


def test_pv_savings_and_event_summary_agree_with_per_path(small: Result) -> None:
    pv = small.pv_savings()
    assert pv.dtype == np.float64 and pv.shape == (small.n_paths,)
    np.testing.assert_array_equal(pv, small.per_path()["pv_savings"].to_numpy())
    ev = small.event_summary()
    times = small.events()
    assert list(ev.index) == list(times.columns)
    for eid in ev.index:
        p = float(np.isfinite(times[eid].to_numpy()).mean())
        assert ev.loc[eid, "p_fired"] == p
        assert ev.loc[eid, "p_fired_se"] == pytest.approx(np.sqrt(p * (1 - p) / small.n_paths), rel=1e-12)


def test_fan_chart_labels_name_the_scenario(small: Result) -> None:
    import matplotlib.pyplot as plt

    from aibubble import plot

    ax = plot.fan_chart(small, "gap", label="baseline")
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert labels == ["baseline: 90% band", "baseline: 50% band", "baseline: median"]
    plt.close(ax.figure)


# Names that say what they return --------------------------------------------------------


def test_summary_json_is_the_summary(small: Result) -> None:
    import json

    assert json.loads(small.summary_json()) == small.summary_dict()


def test_to_json_is_a_deprecated_alias(small: Result) -> None:
    with pytest.deprecated_call(match=r"Result\.summary_json\(\)"):
        text = small.to_json()
    assert text == small.summary_json()


def test_paths_is_a_deprecated_alias(small: Result) -> None:
    with pytest.deprecated_call(match=r"Result\.trajectories\(\)"):
        arr = small.paths("gap")
    np.testing.assert_array_equal(arr, small.trajectories("gap"))
    with pytest.deprecated_call():
        lab = small.labs[0]
        np.testing.assert_array_equal(small.paths("revenue", lab=lab), small.trajectories("revenue", lab=lab))


def test_a_statistic_over_no_defined_path_is_null_with_its_count() -> None:
    # Alpha's PV is below 0 on every path: its terminal-value share (defined
    # where PV > 0) is undefined, None in the dict and missing in the table,
    # with a count of 0 beside it.
    here = os.path.dirname(os.path.abspath(__file__))
    s = aibubble.Scenario.from_toml(os.path.join(here, "..", "data", "no_terminal_value.toml"))
    r = aibubble.simulate(s, paths=300, seed=SEED)
    alpha = r.summary_dict()["labs"][0]
    assert alpha["id"] == "alpha" and alpha["pv"]["p95"] < 0
    assert alpha["tv_share"]["n"] == 0
    assert all(alpha["tv_share"][k] is None for k in ("mean", "sd", "p5", "p50", "p95"))
    table = r.summary()
    assert table["tv_share_n"].dtype == np.int64 and table.loc["alpha", "tv_share_n"] == 0
    assert table.loc["alpha", ["tv_share_mean", "tv_share_p50"]].isna().all()
    assert table.loc["gamma", "tv_share_n"] == 300
    assert table.loc["alpha", "fair_value_n"] == 300
