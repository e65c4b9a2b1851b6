"""aibubble.compare and aibubble.channels: the core's analysis tools as
DataFrames (docs/analysis.md)."""

import math

import pytest

import aibubble

PATHS = 300


def test_compare_against_frozen_gives_the_net_figures():
    s = aibubble.Scenario.preset("ft_bubble")
    df = aibubble.compare(s, paths=PATHS, seed=3, base="frozen")
    assert list(df.columns) == [
        "statistic", "scenario", "value", "se", "base_value", "base_se", "difference", "difference_se",
    ]
    net = aibubble.net(s, paths=PATHS, seed=3)
    row = df[(df.statistic == "labs.openai.p_pop")].iloc[0]
    assert row.value == pytest.approx(net.loc["openai", "p_pop"], abs=1e-12)
    assert row.base_value == pytest.approx(net.loc["openai", "p_pop_frozen"], abs=1e-12)
    assert row.difference == pytest.approx(net.loc["openai", "p_pop_net"], abs=1e-12)
    assert row.difference_se == pytest.approx(net.loc["openai", "p_pop_net_se"], abs=1e-12)


def test_compare_pairs_against_the_first_and_lists_differing_inputs():
    a = aibubble.Scenario.preset("baseline")
    df = aibubble.compare(a, a.freeze_competition(), "ft_bubble", paths=PATHS, seed=1,
                          statistics=["sector.fair_value.mean"])
    assert list(df.scenario) == ["baseline", "baseline, frozen", "ft_bubble"]
    assert math.isnan(df.iloc[0].difference)
    assert df.iloc[1].difference == pytest.approx(df.iloc[1].value - df.iloc[0].value, rel=1e-9)
    inputs = df.attrs["inputs"]
    assert set(inputs[inputs.scenario == "baseline, frozen"].path) == {"counterfactual"}
    assert "gap.long_run" in set(inputs[inputs.scenario == "ft_bubble"].path)


def test_channels_rows_add_up_to_the_total():
    df = aibubble.channels("ft_bubble", paths=40, seed=2, statistics=["labs.openai.p_pop", "sector.fair_value.mean"])
    assert list(df.columns) == ["statistic", "channel", "value", "se"]
    for stat, g in df.groupby("statistic"):
        total = g[g.channel == "total"].value.iloc[0]
        assert g[g.channel != "total"].value.sum() == pytest.approx(total, rel=1e-9, abs=1e-12), stat
    assert len(df) == 2 * 8
    vs = aibubble.channels("ft_bubble", base="moat_holds", paths=20, seed=2, statistics=["labs.openai.p_pop"])
    assert vs.attrs["base"] == "moat_holds"


def test_unknown_statistics_and_presets_are_named():
    with pytest.raises(aibubble.ArgumentError, match="labs.nobody.p_pop"):
        aibubble.compare("baseline", paths=10, statistics=["labs.nobody.p_pop"])
    with pytest.raises(aibubble.ArgumentError, match="nowhere"):
        aibubble.compare("baseline", paths=10, base="nowhere")
    with pytest.raises(aibubble.AibubbleError, match="no_such_preset"):
        aibubble.channels("baseline", base="no_such_preset", paths=10)
