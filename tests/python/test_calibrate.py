"""`aibubble.calibrate`: the parameters fitted to data/models.csv as a
DataFrame, the as-of cut, the curves, and errors that name the bad row."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

import aibubble

MODELS = Path(__file__).resolve().parents[2] / "data" / "models.csv"


def test_one_row_per_parameter_with_its_standard_error() -> None:
    df = aibubble.calibrate(MODELS)
    assert list(df.columns) == [
        "parameter", "symbol", "value", "se", "unit", "method", "n", "statistic", "statistic_value", "window", "note",
    ]
    p = df.set_index("parameter")
    for name in ["gap.half_life", "gap.long_run", "gap.release_rate", "prices.closed_decline", "prices.ratio_0",
                 "prices.ratio_drift", "prices.premium_sensitivity", "attractiveness.jump_rate"]:
        assert math.isfinite(p.loc[name, "value"]) and p.loc[name, "se"] > 0, name
        assert p.loc[name, "note"] == ""
    # The presets' numbers (data/fit_gap.py, fit_premium.py).
    assert p.loc["gap.release_rate", "value"] == 6.0
    assert p.loc["prices.premium_sensitivity", "value"] == pytest.approx(0.08, abs=0.005)
    assert df.attrs["rows_used"] == df.attrs["rows_read"]
    assert df.attrs["window"] == ("2024-01-01", "2026-01-01")


def test_as_of_uses_only_earlier_rows_and_marks_what_it_cannot_identify() -> None:
    df = aibubble.calibrate(MODELS, as_of="2024-01-01")
    assert df.attrs["last_date"] < "2024-01-01"
    assert df.attrs["rows_used"] < df.attrs["rows_read"]
    missing = df[df["value"].isna()]
    assert not missing.empty and missing["note"].str.startswith("not identified").all()
    assert df[df["value"].notna()]["note"].eq("").all()


def test_curves_hold_data_and_fit() -> None:
    c = aibubble.calibration_curves(MODELS)
    assert list(c.columns) == ["curve", "t", "value", "kind"]
    gap = c[c["curve"] == "gap.vertical"]
    assert set(gap["kind"]) == {"data", "fit"}
    assert (gap.groupby("kind").size() == 24).all()


def test_a_malformed_row_is_a_value_error_naming_it(tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text(MODELS.read_text().replace("2023-07-11,", "2023-07-32,", 1))
    with pytest.raises(aibubble.ScenarioError, match=r'line 4: column release_date: "2023-07-32"') as e:
        aibubble.calibrate(bad)
    assert isinstance(e.value, ValueError)
    with pytest.raises(aibubble.ArgumentError, match="as_of"):
        aibubble.calibrate(MODELS, as_of="soon")
    with pytest.raises(aibubble.FileError):
        aibubble.calibrate(tmp_path / "none.csv")
