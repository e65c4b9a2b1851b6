"""Back-tests from Python (docs/analysis.md, "Back-test"): ``aibubble.backtest``
on a file and on a DataFrame, the summary in ``df.attrs``, against a
distribution known in closed form, and its errors."""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd
import pytest
from statistics import NormalDist

import aibubble

ROOT = Path(__file__).resolve().parents[2]
MINIMAL = ROOT / "tests" / "data" / "minimal.toml"
OBSERVATIONS = ROOT / "data" / "observations_2024_2025.csv"


@pytest.fixture(scope="module")
def normal_gap() -> aibubble.Scenario:
    """minimal.toml with today's gap ~ N(20, 2): with no noise and no jumps the
    gap at t is normal, mean 2 + 18 e^{-kappa t}, sd 2 e^{-kappa t} (kappa = ln 2)."""
    text = MINIMAL.read_text().replace("initial = 4.0", 'initial = { dist = "normal", mean = 20.0, sd = 2.0 }', 1)
    return aibubble.Scenario.from_toml_str(text)


def quantile(t: float, q: float) -> float:
    d = math.exp(-math.log(2) * t)
    return NormalDist(2 + 18 * d, 2 * d).inv_cdf(q)


def test_percentiles_of_a_closed_form_distribution(normal_gap: aibubble.Scenario) -> None:
    points = [("2027-01", 1.0, 0.1), ("2028-07-01", 2.5, 0.5), ("2030-01", 4.0, 0.97)]
    obs = pd.DataFrame(
        {
            "date": [d for d, _, _ in points],
            "output": "gap",
            "value": [quantile(t, q) for _, t, q in points],
            "source": "closed form",
        }
    )
    n = 4000
    df = aibubble.backtest(normal_gap, obs, paths=n, seed=5)
    assert list(df.output) == ["gap"] * 3
    for (_, _, q), p, se in zip(points, df.percentile, df.percentile_se):
        assert abs(p - q) < 4 * math.sqrt(q * (1 - q) / n), (p, q)
        assert se == pytest.approx(math.sqrt(p * (1 - p) / n))
    assert list(df.in_90) == [True, True, False]
    assert df.attrs["n"] == 3 and sum(df.attrs["pit"]) == 3
    assert df.attrs["in_90"] == pytest.approx(2 / 3)
    assert df.attrs["in_90_se"] == pytest.approx(math.sqrt(2 / 9 / 3))
    assert df.attrs["paths"] == n and df.attrs["seed"] == 5


def test_the_shipped_observations_against_the_hindcast() -> None:
    df = aibubble.backtest("hindcast_2024", OBSERVATIONS, paths=300, seed=1)
    assert len(df) == len(pd.read_csv(OBSERVATIONS))
    assert df.percentile.between(0, 1).all() and (df.p5 <= df.p95).all()
    assert df.attrs["scenario"] == "hindcast_2024"
    # A file and the same rows as a DataFrame give the same report.
    again = aibubble.backtest("hindcast_2024", pd.read_csv(OBSERVATIONS), paths=300, seed=1)
    pd.testing.assert_series_equal(df.percentile, again.percentile)


def test_errors_name_the_line(tmp_path: Path) -> None:
    obs = pd.DataFrame({"date": ["2027-01", "2027-01"], "output": ["gap", "revenue"], "lab": ["", "omega"],
                        "value": [1.0, 2.0], "source": ["s", "s"]})
    with pytest.raises(aibubble.ScenarioError, match=r'line 3: unknown lab "omega"'):
        aibubble.backtest(aibubble.Scenario.from_toml(MINIMAL), obs, paths=10)
    with pytest.raises(ValueError, match="outside the run's horizon"):
        aibubble.backtest(aibubble.Scenario.from_toml(MINIMAL), obs.iloc[:1].assign(date="2040-01"), paths=10)
    bad = tmp_path / "bad.csv"
    bad.write_text("date,output,value,source\n2027-01,gap,x,s\n")
    with pytest.raises(aibubble.ScenarioError, match=r'bad.csv.*line 2: value "x"'):
        aibubble.backtest(aibubble.Scenario.from_toml(MINIMAL), bad, paths=10)
    with pytest.raises(aibubble.FileError):
        aibubble.backtest("baseline", tmp_path / "missing.csv", paths=10)
    with pytest.raises(TypeError):
        aibubble.backtest("baseline", 3, paths=10)  # type: ignore[arg-type]


def test_the_pit_plot_draws_the_histogram() -> None:
    import matplotlib

    matplotlib.use("Agg")
    df = aibubble.backtest("hindcast_2024", OBSERVATIONS, paths=200, seed=1)
    ax = aibubble.plot.backtest(df)
    heights = [p.get_height() for p in ax.patches]
    assert heights == [float(c) for c in df.attrs["pit"]]
    with pytest.raises(aibubble.ArgumentError):
        aibubble.plot.backtest(df.iloc[:0])
