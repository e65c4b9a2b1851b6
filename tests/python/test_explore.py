"""The explorer without a browser: its reruns equal direct runs with the
same settings (common random numbers), its widgets rerun once per burst of
changes, and "Save scenario" writes a file that extends the base."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Dict

import numpy as np
import pandas as pd
import pytest

import aibubble
from aibubble import ArgumentError, Scenario
from aibubble.explore import STORY_INPUTS, Explorer

PATHS, SEED = 300, 9


@pytest.fixture(scope="module")
def base() -> Scenario:
    return Scenario.preset("baseline")


def _direct(s: Scenario, inputs: "pd.DataFrame | None" = None) -> Dict[str, pd.DataFrame]:
    r = aibubble.simulate(s, paths=PATHS, seed=SEED, inputs=inputs)
    frozen_inputs = None
    if inputs is not None:
        drawn = {row[0] for row in s.freeze_competition()._inner.fields() if row[4]}
        keep = [c for c in inputs.columns if c in drawn]
        frozen_inputs = inputs[keep] if keep else None
    f = aibubble.simulate(s.freeze_competition(), paths=PATHS, seed=SEED, inputs=frozen_inputs)
    return {"run": r.summary(), "frozen": f.summary()}


def _same(a: float, b: float) -> bool:
    return (math.isnan(a) and math.isnan(b)) or a == b


def test_the_story_inputs_are_offered_where_the_scenario_has_them(base: Scenario) -> None:
    x = Explorer(base, paths=PATHS, seed=SEED)
    assert list(x.moves) == [
        "gap.half_life",
        "gap.long_run",
        "prices.premium_sensitivity",
        "segments.enterprise.substitution",
        "segments.consumer.substitution",
        "segments.enterprise.elasticity",
        "events.big_tech_switch.hazard",
        "events.open_killer_app.hazard",
        "labs.openai.committed",
        "valuation.discount_rate",
        "labs.openai.mark",
        "labs.anthropic.mark",
    ]
    assert len(STORY_INPUTS) == 11
    for m in x.moves.values():
        assert m.lo <= m.today <= m.hi, m
    # A hazard's slider reaches ten times today's rate.
    assert x.moves["events.big_tech_switch.hazard"].hi == pytest.approx(0.2)


def test_a_set_input_reruns_as_a_direct_run_with_that_value(base: Scenario) -> None:
    x = Explorer(base, paths=PATHS, seed=SEED)
    x.set("events.big_tech_switch.hazard", 0.15)
    table = x.run()
    want = _direct(base.replace({"events.big_tech_switch.hazard": 0.15}))
    for lab in table.index:
        assert _same(table.loc[lab, "fair value mean"], want["run"].loc[lab, "fair_value_mean"]), lab
        assert _same(table.loc[lab, "fair value p50"], want["run"].loc[lab, "fair_value_p50"]), lab
    assert table.loc["openai", "P(pop)"] == want["run"].loc["openai", "p_pop"]
    assert table.loc["openai", "P(pop), frozen"] == want["frozen"].loc["openai", "p_pop"]
    start = _direct(base)["run"]
    assert table.loc["openai", "Δ fair value mean"] == (
        want["run"].loc["openai", "fair_value_mean"] - start.loc["openai", "fair_value_mean"]
    )


def test_an_uncertain_input_keeps_its_draws_shifted_and_every_other_draw(base: Scenario) -> None:
    x = Explorer(base, paths=PATHS, seed=SEED)
    x.set("gap.long_run", 4.0)
    table = x.run()
    start = aibubble.simulate(base, paths=PATHS, seed=SEED)
    m = x.moves["gap.long_run"]
    assert m.how == "shift"
    moved = pd.DataFrame({"gap.long_run": start.inputs()["gap.long_run"].to_numpy() + (4.0 - m.today)})
    want = _direct(base, moved)["run"]
    assert (table["fair value mean"] == want["fair_value_mean"]).all()
    inputs = x.result.inputs()  # type: ignore[union-attr]
    for col in inputs.columns.drop("gap.long_run"):
        assert np.array_equal(inputs[col].to_numpy(), start.inputs()[col].to_numpy()), col
    # Moving back is the starting scenario, bit for bit.
    x.set("gap.long_run", m.today)
    assert (x.run()["fair value mean"] == start.summary()["fair_value_mean"]).all()


def test_an_input_the_domain_refuses_names_itself(base: Scenario) -> None:
    x = Explorer(base, paths=PATHS, seed=SEED)
    with pytest.raises(ArgumentError, match="labs.openai.committed"):
        x.set("labs.openai.committed", 1.5)
    with pytest.raises(ArgumentError, match="no.such"):
        x.add_input("no.such.input")
    with pytest.raises(ArgumentError, match="paths"):
        Explorer(base, paths=0)
    assert x.changed() == {}


def test_save_scenario_writes_a_file_that_extends_the_base(base: Scenario, tmp_path: Path) -> None:
    x = Explorer("baseline", paths=PATHS, seed=SEED)
    x.set("events.open_killer_app.hazard", 0.1)
    x.set("gap.half_life", 0.3)
    table = x.run()
    path = tmp_path / "mine.toml"
    text = x.save_scenario(path)
    assert text.splitlines()[1] == 'extends = "baseline"'
    saved = Scenario.from_toml(path)
    assert saved.get("events.open_killer_app.hazard") == 0.1
    assert saved.to_dict()["sources"]["gap.half_life"].startswith("assumption: its distribution moved (scale)")
    # The saved distribution is the moved one: the same runs, up to rounding in its parameters.
    r = aibubble.simulate(saved, paths=PATHS, seed=SEED).summary()
    np.testing.assert_allclose(r["fair_value_mean"], table["fair value mean"], rtol=1e-9)
    # A scenario file extends by its relative path.
    sub = tmp_path / "sub"
    sub.mkdir()
    y = Explorer(path, paths=PATHS, seed=SEED)
    y.set("labs.openai.mark", 400.0)
    assert 'extends = "../mine.toml"' in y.save_scenario(sub / "again.toml")
    assert Scenario.from_toml(sub / "again.toml").get("labs.openai.mark") == 400.0
    # An in-memory scenario has nothing to extend.
    z = Explorer(base.replace({"labs.openai.mark": 450.0}), paths=PATHS, seed=SEED)
    with pytest.raises(ArgumentError, match="preset or a scenario file"):
        z.save_scenario(tmp_path / "no.toml")
    assert not (tmp_path / "no.toml").exists()


def test_the_widget_reruns_once_per_burst_and_shows_the_direct_numbers(base: Scenario) -> None:
    pytest.importorskip("ipywidgets")
    # A long debounce: the three moves below come well within it.
    w = aibubble.explore(base, paths=PATHS, seed=SEED, debounce=3.0)
    try:
        assert w.wait(120)
        assert w.runs == 1
        w.set("events.big_tech_switch.hazard", 0.05)
        w.set("events.big_tech_switch.hazard", 0.08)
        w.set("valuation.discount_rate", 0.15)
        assert w.wait(120)
        assert w.runs == 2
        want = _direct(
            base.replace({"events.big_tech_switch.hazard": 0.08}),
            pd.DataFrame(
                {
                    "valuation.discount_rate": aibubble.simulate(base, paths=PATHS, seed=SEED)
                    .inputs()["valuation.discount_rate"]
                    .to_numpy()
                    + (0.15 - w.x.moves["valuation.discount_rate"].today)
                }
            ),
        )["run"]
        html = w.table_html.value
        value = f'data-value="{float(want.loc["openai", "fair_value_mean"])!r}"'
        assert value in html
        assert "events.big_tech_switch.hazard" in w.changes_html.value
        assert w.fan.value[:4] == b"\x89PNG"
        # Another series redraws the fan from the same run.
        fan = w.fan.value
        w.series.value = "gross_margin"
        assert w.wait(120)
        assert w.runs == 2 and w.fan.value != fan
    finally:
        w.close()
