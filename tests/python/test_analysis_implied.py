"""aibubble.implied: the reverse DCF as a DataFrame, and its errors."""

import math

import pytest

import aibubble

# ``baseline`` is the session's preset (conftest.py).


def test_one_input_gives_a_confirmed_root(baseline):
    df = aibubble.implied(baseline, lab="anthropic", input="labs.anthropic.gross_margin_inf", paths=400, seed=7)
    assert list(df.index) == ["labs.anthropic.gross_margin_inf"]
    row = df.iloc[0]
    assert row["how"] == "set" and row["target"] == "mean"
    assert math.isfinite(row["root"]) and row["se"] > 0
    assert row["bracket_lo"] <= row["root"] <= row["bracket_hi"]
    assert bool(row["check_ok"]) and abs(row["check_gap"]) <= 3 * row["check_se"]
    assert "revenue_2030" in df.columns and "percentile_2035" in df.columns


def test_an_uncertain_input_is_shifted_and_the_median_target_works(baseline):
    df = aibubble.implied(
        baseline,
        lab="openai",
        input="segments.consumer.growth_0",
        target="median",
        paths=400,
        seed=3,
    )
    row = df.iloc[0]
    assert row["how"] == "shift" and row["target"] == "median"
    assert math.isclose(row["change"], row["root"] - row["today"], rel_tol=1e-9, abs_tol=1e-12)


def test_no_root_and_out_of_domain_are_argument_errors(baseline):
    with pytest.raises(aibubble.ArgumentError, match=r"no root .*\(the same sign\)"):
        aibubble.implied(
            baseline, lab="openai", input="labs.openai.gross_margin_inf", bracket=(0.1, 0.2), paths=300
        )
    with pytest.raises(aibubble.ArgumentError, match="labs.anthropic.committed: a shift by"):
        aibubble.implied(
            baseline, lab="anthropic", input="labs.anthropic.committed", bracket=(0.5, 1.2), paths=300
        )
    with pytest.raises(aibubble.ArgumentError, match="target"):
        aibubble.implied(baseline, lab="anthropic", input="labs.anthropic.committed", target="mode")
