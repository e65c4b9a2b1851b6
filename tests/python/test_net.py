"""The frozen-competition counterfactual from Python (docs/equations.md §11):
``Scenario.freeze_competition``, ``Result.net`` and ``aibubble.net``, and
their agreement with ``aibubble run --net --json``."""

from __future__ import annotations

import json
import subprocess
from typing import Any, List

import numpy as np
import pandas as pd
import pytest

import aibubble
from aibubble import _result

PATHS = 600
SEED = 5


@pytest.fixture(scope="module")
def ft() -> aibubble.Scenario:
    return aibubble.Scenario.preset("ft_bubble")


@pytest.fixture(scope="module")
def pair(ft: aibubble.Scenario) -> Any:
    return (
        aibubble.simulate(ft, PATHS, SEED),
        aibubble.simulate(ft.freeze_competition(), PATHS, SEED),
    )


def test_freeze_competition_is_a_setting_that_round_trips(ft: aibubble.Scenario) -> None:
    frozen = ft.freeze_competition()
    assert frozen != ft
    assert frozen.freeze_competition() == frozen
    assert frozen.to_dict()["counterfactual"] == "frozen_competition"
    assert "counterfactual" not in ft.to_dict()
    assert aibubble.Scenario.from_toml_str(frozen.to_toml()) == frozen
    assert aibubble.Scenario.from_json_str(frozen.to_json()) == frozen
    diff = ft.diff(frozen)
    assert list(diff.index) == ["counterfactual"]
    assert diff.loc["counterfactual", "other"] == "frozen_competition"
    # Everything else as written: the inputs and their distributions.
    assert ft.describe().equals(frozen.describe())


def test_frozen_runs_keep_prices_and_usage_at_today(ft: aibubble.Scenario) -> None:
    r = aibubble.simulate(ft.freeze_competition(), 50, SEED, store_paths=50)
    y = r.trajectories("price_pressure")
    rho = r.trajectories("price_ratio")
    assert (y == 0.0).all()
    assert (rho == rho[:, :1]).all()
    u = r.trajectories("closed_share", segment="enterprise")
    assert (u == r.inputs()["segments.enterprise.closed_share_0"].to_numpy()[:, None]).all()
    # The removed events never fire; their inputs leave the table.
    assert np.isinf(r.events().to_numpy()).all()
    drawn = aibubble.simulate(ft, 50, SEED).inputs()
    frozen = r.inputs()
    assert (frozen["prices.ratio_drift"] == 0.0).all()
    assert (frozen["segments.consumer.switching"] == 0.0).all()
    for column in ("labs.anthropic.mark", "gap.half_life", "segments.consumer.elasticity"):
        assert (frozen[column].to_numpy() == drawn[column].to_numpy()).all(), column


def test_result_net_has_one_row_per_lab_with_paired_figures(pair: Any) -> None:
    s, f = pair
    net = s.net(f)
    assert isinstance(net, pd.DataFrame)
    assert list(net.index) == s.labs
    assert tuple(net.columns) == _result.NET_COLUMNS
    summary, frozen = s.summary(), f.summary()
    for lab in s.labs:
        row = net.loc[lab]
        for key in ("p_pop", "p_zero", "p_crunch"):
            assert row[key] == pytest.approx(summary.loc[lab, key], nan_ok=True)
            assert row[f"{key}_frozen"] == pytest.approx(frozen.loc[lab, key], nan_ok=True)
            assert row[f"{key}_net"] == pytest.approx(row[key] - row[f"{key}_frozen"], abs=1e-12, nan_ok=True)
        e_s, e_f = s.distribution(lab, "fair_value"), f.distribution(lab, "fair_value")
        d = e_s - e_f
        assert row["fair_value_net"] == pytest.approx(d.mean(), rel=1e-9, abs=1e-9)
        assert row["fair_value_net_se"] == pytest.approx(d.std(ddof=1) / np.sqrt(len(d)), rel=1e-9, abs=1e-12)
        z = (e_s == 0).astype(float) - (e_f == 0).astype(float)
        assert row["p_zero_net_se"] == pytest.approx(z.std(ddof=1) / np.sqrt(len(z)), rel=1e-9, abs=1e-12)
    openai = net.loc["openai"]
    pop_s = np.isfinite(s.distribution("openai", "pop_time"))
    pop_f = np.isfinite(f.distribution("openai", "pop_time"))
    assert openai["p_pop_only_competition"] == pytest.approx((pop_s & ~pop_f).mean())
    assert openai["p_pop_only_counterfactual"] == pytest.approx((pop_f & ~pop_s).mean())
    # Labs without a mark have no pop figures.
    unmarked: List[str] = [lab for lab in s.labs if np.isnan(summary.loc[lab, "p_pop"])]
    assert unmarked and net.loc[unmarked, "p_pop_net"].isna().all()


def test_net_runs_the_pair(ft: aibubble.Scenario, pair: Any) -> None:
    s, f = pair
    pd.testing.assert_frame_equal(aibubble.net(ft, paths=PATHS, seed=SEED), s.net(f))


def test_net_refuses_pairs_that_do_not_match(ft: aibubble.Scenario, pair: Any) -> None:
    s, f = pair
    with pytest.raises(aibubble.ArgumentError, match="same paths with the same seed"):
        s.net(aibubble.simulate(ft.freeze_competition(), PATHS, SEED + 1))
    with pytest.raises(aibubble.ArgumentError, match="frozen-competition counterfactual"):
        s.net(s)
    with pytest.raises(TypeError):
        s.net("frozen")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        aibubble.net("ft_bubble")  # type: ignore[arg-type]


def test_net_matches_the_command_line(pair: Any, cli: Any) -> None:
    s, f = pair
    out = subprocess.run(
        [cli, "run", "ft_bubble", "--net", "--json", "--paths", str(PATHS), "--seed", str(SEED)],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    net = s.net(f)
    for lab in json.loads(out)["labs"]:
        row = net.loc[lab["id"]]
        for key in ("p_pop_net", "p_pop_net_se", "p_zero_net", "p_crunch_frozen", "fair_value_net", "fair_value_net_se"):
            want = np.nan if lab[key] is None else lab[key]
            assert row[key] == pytest.approx(want, rel=1e-12, abs=0.0, nan_ok=True), (lab["id"], key)
