"""aibubble.sobol: the indices against SALib's ``sobol.analyze`` fed the
same design's outputs, the correlated-inputs warning, and bad requests."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from SALib.analyze import sobol as salib_sobol
from SALib.sample import sobol as salib_sample
from SALib.test_functions import Ishigami

import aibubble

PATHS = 200
SEED = 5


@pytest.fixture(scope="module")
def grouped(baseline: aibubble.Scenario):
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # grouped blocks: no warning
        return aibubble.sobol(baseline, "labs.openai.fair_value", PATHS, SEED, bootstrap=50, group_correlated=True)


def test_the_indices_are_salibs_on_the_same_design(grouped) -> None:
    df = grouped
    out = df.attrs["outputs"]
    a, b, ab = out["A"], out["B"], out["AB"]
    k = len(df)
    assert ab.shape == (PATHS, k) and a.shape == b.shape == (PATHS,)
    assert df.attrs["evaluations"] == PATHS * (k + 2)
    assert df.attrs["output"] == "labs.openai.fair_value"
    # SALib's layout without second order: per base row, A, AB_1..AB_k, B.
    y = np.column_stack([a, ab, b]).ravel()
    problem = {"num_vars": k, "names": list(df.index), "bounds": [[0.0, 1.0]] * k}
    si = salib_sobol.analyze(problem, y, calc_second_order=False, num_resamples=10, seed=1)
    np.testing.assert_allclose(df["S1"].to_numpy(), si["S1"], rtol=0, atol=1e-10)
    np.testing.assert_allclose(df["ST"].to_numpy(), si["ST"], rtol=0, atol=1e-10)
    # Intervals hold their estimates; the noise is a group of its own, last.
    assert (df["S1_lo"] <= df["S1"]).all() and (df["S1"] <= df["S1_hi"]).all()
    assert (df["ST_lo"] <= df["ST"]).all() and (df["ST"] <= df["ST_hi"]).all()
    assert df.index[-1] == "noise" and df.loc["noise", "inputs"] == []
    assert not df.attrs["correlated"]
    assert any("+" in g for g in df.index)  # baseline's correlated blocks


def test_salibs_ishigami_design_through_aibubbles_estimator() -> None:
    problem = {"num_vars": 3, "names": ["x1", "x2", "x3"], "bounds": [[-np.pi, np.pi]] * 3}
    x = salib_sample.sample(problem, 1024, calc_second_order=False, seed=3)
    y = Ishigami.evaluate(x)  # a = 7, b = 0.1
    rows = y.reshape(-1, 5)  # per base row: A, AB_1..AB_3, B
    df = aibubble.sobol_indices(rows[:, 0], rows[:, 4], rows[:, 1:4], names=problem["names"], seed=2)
    si = salib_sobol.analyze(problem, y, calc_second_order=False, num_resamples=10, seed=1)
    np.testing.assert_allclose(df["S1"].to_numpy(), si["S1"], rtol=0, atol=1e-10)
    np.testing.assert_allclose(df["ST"].to_numpy(), si["ST"], rtol=0, atol=1e-10)
    # The analytic indices (Ishigami and Homma 1990), within four bootstrap SEs.
    for name, s1, st in [("x1", 0.3139, 0.5576), ("x2", 0.4424, 0.4424), ("x3", 0.0, 0.2437)]:
        assert abs(df.loc[name, "S1"] - s1) < 4 * df.loc[name, "S1_se"], (name, df.loc[name].to_dict())
        assert abs(df.loc[name, "ST"] - st) < 4 * df.loc[name, "ST_se"], (name, df.loc[name].to_dict())
    with pytest.raises(aibubble.ArgumentError, match="not finite"):
        aibubble.sobol_indices([1.0, np.nan], [1.0, 2.0], [[1.0], [2.0]])
    with pytest.raises(aibubble.ArgumentError, match="names"):
        aibubble.sobol_indices([1.0, 2.0], [1.0, 2.0], [[1.0], [2.0]], names=["a", "b"])


def test_correlated_inputs_warn_and_are_flagged(baseline: aibubble.Scenario) -> None:
    with pytest.warns(aibubble.CorrelatedInputsWarning, match="gap.half_life"):
        df = aibubble.sobol(baseline, "labs.openai.p_pop", 40, SEED, bootstrap=10)
    assert df.attrs["correlated"] is True
    assert "gap.long_run" in df.attrs["correlated_inputs"]
    assert "gap.half_life" in df.index  # one group per input


@pytest.mark.parametrize(
    "kwargs, says",
    [
        ({"output": "labs.openai.fair_valu"}, "fair_valu"),
        ({"output": "labs.nope.fair_value"}, "nope"),
        ({"output": "labs.openai.fair_value.p50"}, "not a per-path output"),
        ({"output": "labs.openai.fair_value", "groups": ["valuation.tax_rate"]}, "names no uncertain input"),
        ({"output": "labs.openai.fair_value", "bootstrap": 1}, "bootstrap"),
    ],
)
def test_bad_requests_raise_argument_errors(baseline: aibubble.Scenario, kwargs, says) -> None:
    with pytest.raises(aibubble.ArgumentError, match=says):
        aibubble.sobol(baseline, paths=40, seed=1, **kwargs)
