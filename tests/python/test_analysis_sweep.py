"""Input tables, sweeps and tornados from Python (docs/analysis.md):
``simulate(inputs=...)``, ``aibubble.sweep``, ``aibubble.tornado`` and their
plots, against direct runs on the same seed and paths."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import aibubble

DATA = Path(__file__).resolve().parents[1] / "data"
PATHS = 300
SEED = 3


@pytest.fixture(scope="module")
def frozen() -> aibubble.Scenario:
    return aibubble.Scenario.from_toml(DATA / "frozen.toml")


def lab_outputs(r: aibubble.Result) -> pd.DataFrame:
    return r.per_path()[[c for c in r.per_path().columns if c.startswith("alpha.") or c.startswith("beta.")]]


def test_an_input_table_reproduces_a_fixed_input(frozen: aibubble.Scenario) -> None:
    table = pd.DataFrame({"valuation.discount_rate": np.full(PATHS, 0.13)})
    tabled = aibubble.simulate(frozen, PATHS, SEED, inputs=table)
    fixed = aibubble.simulate(frozen.replace({"valuation.discount_rate": 0.13}), PATHS, SEED)
    assert tabled.summary_dict()["labs"] == fixed.summary_dict()["labs"]
    assert (tabled.inputs()["valuation.discount_rate"] == 0.13).all()
    # A table varying per path: each path takes its row.
    varying = pd.DataFrame({"valuation.discount_rate": np.linspace(0.1, 0.2, PATHS)})
    r = aibubble.simulate(frozen, PATHS, SEED, inputs=varying)
    np.testing.assert_array_equal(r.inputs()["valuation.discount_rate"].to_numpy(), varying.iloc[:, 0].to_numpy())


def test_a_noise_stream_column_sets_each_rows_process_noise() -> None:
    """``noise_stream`` (as in ``run --inputs``): the indices 0..n-1 give the
    run without them bit for bit; every row on index 5 repeats one path's
    noise, so equal inputs give equal paths; a bad index names its row."""
    s = aibubble.Scenario.preset("baseline")
    rate = np.full(PATHS, 0.13)
    plain = aibubble.simulate(s, PATHS, SEED, inputs=pd.DataFrame({"valuation.discount_rate": rate}))
    indexed = aibubble.simulate(
        s, PATHS, SEED, inputs=pd.DataFrame({"valuation.discount_rate": rate, "noise_stream": np.arange(PATHS)})
    )
    assert indexed.summary_json() == plain.summary_json()
    # Every input from path 5's draws, and path 5's noise, on every row: path 5 repeated.
    drawn = aibubble.simulate(s, PATHS, SEED)
    row5 = drawn.inputs().iloc[[5] * PATHS].reset_index(drop=True).assign(noise_stream=5)
    same = aibubble.simulate(s, PATHS, SEED, inputs=row5)
    fv = same.distribution("openai", "fair_value")
    assert np.all(fv == drawn.distribution("openai", "fair_value")[5])
    assert not np.all(drawn.distribution("openai", "fair_value") == fv[0])
    with pytest.raises(aibubble.ArgumentError, match="row 2.*noise_stream"):
        aibubble.simulate(
            s, 3, SEED, inputs=pd.DataFrame({"valuation.discount_rate": [0.1] * 3, "noise_stream": [0, 1, 2.5]})
        )


def test_bad_input_tables_are_named(frozen: aibubble.Scenario) -> None:
    with pytest.raises(aibubble.ScenarioError, match="valuation.discount_rat"):
        aibubble.simulate(frozen, 10, inputs=pd.DataFrame({"valuation.discount_rat": np.full(10, 0.1)}))
    with pytest.raises(aibubble.ScenarioError, match=r"valuation.discount_rate.*-0\.5"):
        aibubble.simulate(frozen, 10, inputs=pd.DataFrame({"valuation.discount_rate": [0.1] * 9 + [-0.5]}))
    with pytest.raises(aibubble.ArgumentError, match="9 rows, paths is 10"):
        aibubble.simulate(frozen, 10, inputs=pd.DataFrame({"valuation.discount_rate": np.full(9, 0.1)}))
    with pytest.raises(aibubble.ArgumentError, match="'gap.initial' is not numeric"):
        aibubble.simulate(frozen, 2, inputs=pd.DataFrame({"gap.initial": ["a", "b"]}))
    with pytest.raises(aibubble.ArgumentError, match="row 1: must be finite"):
        aibubble.simulate(frozen, 2, inputs=pd.DataFrame({"gap.initial": [3.0, np.nan]}))
    with pytest.raises(TypeError):
        aibubble.simulate(frozen, 2, inputs={"gap.initial": [3.0, 3.0]})  # type: ignore[arg-type]


def test_a_sweep_equals_runs_with_the_input_set(frozen: aibubble.Scenario) -> None:
    values = [0.01, 0.04]
    df = aibubble.sweep(frozen, "valuation.terminal_growth", values, paths=PATHS, seed=SEED, net=True)
    assert set(df["value"]) == set(values)
    assert {"labs.alpha.fair_value.mean", "labs.alpha.p_pop", "sector.phi.p50"} <= set(df["statistic"])
    for v in values:
        r = aibubble.simulate(frozen.replace({"valuation.terminal_growth": v}), PATHS, SEED)
        lab = r.summary_dict()["labs"][0]
        at = df[(df["value"] == v)].set_index("statistic")
        assert at.loc["labs.alpha.fair_value.mean", "estimate"] == lab["fair_value"]["mean"]
        assert at.loc["labs.alpha.p_pop", "estimate"] == lab["p_pop"]
        assert np.isfinite(at.loc["labs.alpha.p_pop", "net"])
    with pytest.raises(aibubble.ArgumentError, match="nope.x"):
        aibubble.sweep(frozen, "nope.x", [1.0], paths=20)
    with pytest.raises(aibubble.ScenarioError, match="valuation.discount_rate"):
        aibubble.sweep(frozen, "valuation.discount_rate", [-1.0], paths=20)


def test_a_tornado_ranks_the_one_driver_first() -> None:
    text = (DATA / "deterministic_full.toml").read_text()
    text = text.replace("\ndiscount_rate = 0.11\n", '\ndiscount_rate = { dist = "uniform", lo = 0.08, hi = 0.16 }\n')
    text = text.replace("\nmark = 400.0\n", '\nmark = { dist = "uniform", lo = 300.0, hi = 500.0 }\n')
    s = aibubble.Scenario.from_toml_str(text)
    df = aibubble.tornado(s, "labs.alpha.fair_value.mean", paths=400)
    assert list(df.index) == ["valuation.discount_rate", "labs.beta.mark"]
    assert abs(df["rank_correlation"].iloc[0]) > 0.99
    assert abs(df["rank_correlation"].iloc[1]) < 0.2


def test_a_tornado_of_runs_has_the_sign_of_the_effect(frozen: aibubble.Scenario) -> None:
    df = aibubble.tornado(
        frozen,
        "labs.alpha.fair_value.mean",
        method="runs",
        paths=PATHS,
        inputs=["valuation.discount_rate"],
    )
    row = df.loc["valuation.discount_rate"]
    assert row["input_low"] < row["input_high"]
    assert row["swing"] < 0 and abs(row["swing"]) > 4 * row["swing_se"]
    assert "rank_correlation" not in df.columns
    with pytest.raises(aibubble.ArgumentError, match="is not an uncertain input"):
        aibubble.tornado(frozen, "labs.alpha.p_pop", paths=50, inputs=["valuation.terminal_growth"])
    with pytest.raises(aibubble.ArgumentError, match="p_popp"):
        aibubble.tornado(frozen, "labs.alpha.p_popp", paths=50)


def test_the_plots_draw(frozen: aibubble.Scenario) -> None:
    pytest.importorskip("matplotlib")
    import matplotlib

    matplotlib.use("Agg")
    from aibubble import plot

    df = aibubble.sweep(frozen, "valuation.terminal_growth", [0.0, 0.02, 0.04], paths=100)
    assert plot.sweep(df, "labs.alpha.fair_value.mean") is not None
    assert plot.sweep(df, "labs.alpha.fair_value.mean", band="fan") is not None
    with pytest.raises(aibubble.ArgumentError, match="probability"):
        plot.sweep(df, "labs.alpha.p_pop", band="fan")
    with pytest.raises(aibubble.ArgumentError, match="not in the sweep"):
        plot.sweep(df, "labs.alpha.nothing")
    t = aibubble.tornado(frozen, "labs.alpha.fair_value.mean", paths=100)
    assert plot.tornado(t) is not None
