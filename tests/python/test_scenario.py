"""Scenario: presets, overrides by field path, round trips, describe, diff."""

from __future__ import annotations

import copy
import math
import os
import pickle
from pathlib import Path
from typing import Any, Dict

import pandas as pd
import pytest

import aibubble
from aibubble import Scenario, ScenarioError

SWITCHING = "segments.enterprise.switching"


# Presets -------------------------------------------------------------------


def test_presets_listed_and_loadable() -> None:
    names = aibubble.presets()
    assert isinstance(names, list) and "baseline" in names
    assert len(set(names)) == len(names)
    for name in names:
        s = Scenario.preset(name)
        assert s.name == name
        s.validate()  # presets are valid


def test_unknown_preset_names_the_presets() -> None:
    with pytest.raises(aibubble.AibubbleError) as info:
        Scenario.preset("no_such_preset")
    assert isinstance(info.value, ValueError)
    assert "no_such_preset" in str(info.value)
    assert "baseline" in str(info.value)


def test_repr_names_scenario_and_labs(baseline: Scenario) -> None:
    text = repr(baseline)
    assert text.startswith("<Scenario 'baseline'")
    for lab in baseline.to_dict()["labs"]:
        assert lab["id"] in text


def test_scenario_is_unhashable_and_compares_by_value(baseline: Scenario) -> None:
    with pytest.raises(TypeError):
        hash(baseline)
    assert baseline == Scenario.preset("baseline")
    assert baseline != baseline.replace({SWITCHING: 0.5})
    assert (baseline == "baseline") is False


def test_direct_construction_is_refused() -> None:
    with pytest.raises(TypeError, match="Scenario.preset"):
        Scenario("baseline")  # type: ignore[arg-type]


# Overrides by path -----------------------------------------------------------


def test_replace_changes_get_and_nothing_else(baseline: Scenario) -> None:
    s2 = baseline.replace({SWITCHING: 0.5})
    assert s2.get(SWITCHING) == 0.5
    assert baseline.get(SWITCHING) != 0.5  # the original is unchanged
    assert list(s2.diff(baseline).index) == [SWITCHING]


def test_replace_with_a_distribution(baseline: Scenario) -> None:
    dist = {"dist": "uniform", "lo": 0.2, "hi": 0.4}
    s2 = baseline.replace({SWITCHING: dist})
    got = s2.get(SWITCHING)
    assert got["dist"] == "uniform"
    assert (got["lo"], got["hi"]) == (0.2, 0.4)
    row = s2.describe().loc[SWITCHING]
    assert bool(row["drawn"]) is True
    assert row["distribution"].startswith("uniform(")


def test_replace_several_paths_at_once(baseline: Scenario) -> None:
    lab = baseline.to_dict()["labs"][0]["id"]
    s2 = baseline.replace({SWITCHING: 0.5, f"labs.{lab}.mark": 123.0})
    assert s2.get(f"labs.{lab}.mark") == 123.0
    assert set(baseline.diff(s2).index) == {SWITCHING, f"labs.{lab}.mark"}


def test_bad_value_raises_scenario_error_naming_the_path(baseline: Scenario) -> None:
    with pytest.raises(ScenarioError) as info:
        baseline.replace({SWITCHING: -3.0})
    e = info.value
    assert isinstance(e, ValueError) and isinstance(e, aibubble.AibubbleError)
    assert e.paths == [SWITCHING]
    (path, message), = e.problems
    assert path == SWITCHING
    assert "-3" in message  # the offending value is named
    assert SWITCHING in str(e)


def test_every_problem_is_listed(baseline: Scenario) -> None:
    with pytest.raises(ScenarioError) as info:
        baseline.replace({SWITCHING: -3.0, "segments.consumer.switching": -1.0})
    assert {SWITCHING, "segments.consumer.switching"} <= set(info.value.paths)
    assert str(info.value).startswith(f"{len(info.value.problems)} problems")


def test_unknown_id_lists_known_ids(baseline: Scenario) -> None:
    segments = [seg["id"] for seg in baseline.to_dict()["segments"]]
    with pytest.raises(ScenarioError) as info:
        baseline.replace({"segments.nope.switching": 0.5})
    assert info.value.paths == ["segments.nope.switching"]
    for seg in segments:
        assert seg in info.value.problems[0][1]


def test_unknown_lab_lists_known_labs(baseline: Scenario) -> None:
    labs = [lab["id"] for lab in baseline.to_dict()["labs"]]
    with pytest.raises(ScenarioError) as info:
        baseline.replace({"labs.nope.mark": 100.0})
    for lab in labs:
        assert lab in str(info.value)


def test_unknown_field_lists_known_fields(baseline: Scenario) -> None:
    with pytest.raises(ScenarioError) as info:
        baseline.replace({"segments.enterprise.nope": 0.5})
    assert info.value.paths == ["segments.enterprise.nope"]
    assert "switching" in info.value.problems[0][1]


def test_wrong_value_type_is_a_scenario_error(baseline: Scenario) -> None:
    with pytest.raises(ScenarioError) as info:
        baseline.replace({SWITCHING: "abc"})
    assert info.value.paths == [SWITCHING]


@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf])
def test_non_finite_override_names_the_path(baseline: Scenario, bad: float) -> None:
    with pytest.raises(ScenarioError) as info:
        baseline.replace({SWITCHING: bad})
    assert info.value.paths == [SWITCHING]
    assert "finite" in info.value.problems[0][1]


def test_non_finite_inside_a_distribution(baseline: Scenario) -> None:
    with pytest.raises(ScenarioError) as info:
        baseline.replace({SWITCHING: {"dist": "normal", "mean": math.nan, "sd": 0.1}})
    assert info.value.paths == [f"{SWITCHING}.mean"]


@pytest.mark.parametrize("bad", [5, "segments.enterprise.switching=0.5", [(SWITCHING, 0.5)], None])
def test_replace_needs_a_mapping(baseline: Scenario, bad: object) -> None:
    with pytest.raises(TypeError):
        baseline.replace(bad)  # type: ignore[arg-type]


def test_replace_needs_string_paths(baseline: Scenario) -> None:
    with pytest.raises(TypeError):
        baseline.replace({3: 0.5})  # type: ignore[dict-item]


def test_replace_with_an_unserialisable_value(baseline: Scenario) -> None:
    with pytest.raises(TypeError):
        baseline.replace({SWITCHING: object()})


def test_get_unknown_path(baseline: Scenario) -> None:
    with pytest.raises(ScenarioError) as info:
        baseline.get("nope.x")
    assert info.value.paths == ["nope.x"]
    assert "labs" in str(info.value)  # the known top-level names


@pytest.mark.parametrize("bad", [5, None, b"baseline"])
def test_constructors_reject_wrong_types(bad: object) -> None:
    for ctor in (
        Scenario.preset,
        Scenario.from_toml,
        Scenario.from_json,
        Scenario.from_toml_str,
        Scenario.from_json_str,
        Scenario.from_dict,
    ):
        with pytest.raises(TypeError):
            ctor(bad)  # type: ignore[arg-type]


# Round trips -------------------------------------------------------------------


def test_round_trip_dict(baseline: Scenario) -> None:
    assert Scenario.from_dict(baseline.to_dict()) == baseline


def test_round_trip_expanded_dict(baseline: Scenario) -> None:
    expanded = baseline.to_dict(expanded=True)
    assert Scenario.from_dict(expanded) == baseline
    # Expanded adds defaulted fields, never removes any.
    assert set(baseline.to_dict()) <= set(expanded)


def test_round_trip_toml(baseline: Scenario) -> None:
    assert Scenario.from_toml_str(baseline.to_toml()) == baseline


def test_round_trip_json(baseline: Scenario) -> None:
    assert Scenario.from_json_str(baseline.to_json()) == baseline


@pytest.mark.parametrize("name", aibubble.presets())
def test_every_preset_round_trips(name: str) -> None:
    s = Scenario.preset(name)
    assert Scenario.from_dict(s.to_dict()) == s
    assert Scenario.from_toml_str(s.to_toml()) == s
    assert Scenario.from_json_str(s.to_json()) == s


def test_round_trip_of_a_modified_scenario(baseline: Scenario) -> None:
    s2 = baseline.replace({SWITCHING: {"dist": "uniform", "lo": 0.2, "hi": 0.4}})
    for back in (
        Scenario.from_dict(s2.to_dict()),
        Scenario.from_toml_str(s2.to_toml()),
        Scenario.from_json_str(s2.to_json()),
    ):
        assert back == s2
        assert back != baseline


@pytest.mark.parametrize("kind", ["toml", "json"])
def test_from_file_path(baseline: Scenario, tmp_path: Path, kind: str) -> None:
    path = tmp_path / f"scenario.{kind}"
    path.write_text(baseline.to_toml() if kind == "toml" else baseline.to_json(), encoding="utf-8")
    read = Scenario.from_toml if kind == "toml" else Scenario.from_json
    assert read(path) == baseline  # os.PathLike
    assert read(str(path)) == baseline  # a str naming an existing file


def test_missing_file_path(tmp_path: Path) -> None:
    missing = tmp_path / "missing.toml"
    for read in (Scenario.from_toml, Scenario.from_json):
        with pytest.raises(aibubble.FileError) as info:
            read(missing)
        assert str(missing) in str(info.value)
        assert isinstance(info.value, OSError)
    # A typo in a file name is not parsed as TOML text.
    with pytest.raises(aibubble.FileError, match="typo.toml"):
        Scenario.from_toml("typo.toml")


def test_text_given_as_a_path_points_to_the_str_readers(baseline: Scenario) -> None:
    with pytest.raises(aibubble.FileError, match="from_toml_str"):
        Scenario.from_toml(baseline.to_toml())
    with pytest.raises(aibubble.FileError, match="from_json_str"):
        Scenario.from_json(baseline.to_json())


def test_the_format_is_the_reader_not_the_extension(baseline: Scenario, tmp_path: Path) -> None:
    path = tmp_path / "scenario.toml"
    path.write_text(baseline.to_json(), encoding="utf-8")
    assert Scenario.from_json(path) == baseline
    with pytest.raises(ScenarioError, match="scenario.toml"):
        Scenario.from_toml(path)


# Reading files: a regular file named *.toml or *.json, at most 16 MiB ------


def _within(f: Any, seconds: float = 20.0) -> Any:
    """``f()`` on a daemon thread: a read that blocks fails the test, not hangs it."""
    import threading

    out: Dict[str, Any] = {}

    def target() -> None:
        try:
            out["value"] = f()
        except BaseException as e:  # noqa: BLE001 - handed back to the test
            out["error"] = e

    t = threading.Thread(target=target, daemon=True)
    t.start()
    t.join(seconds)
    assert not t.is_alive(), f"no answer within {seconds} s: blocked or reading without end"
    if "error" in out:
        raise out["error"]
    return out["value"]


SECRET = "root:$6$SECRETHASH0123:19000:0:99999:7:::"


def test_files_that_are_no_scenario_files_are_refused(baseline: Scenario, tmp_path: Path) -> None:
    (tmp_path / "scenario.txt").write_text(baseline.to_toml(), encoding="utf-8")
    (tmp_path / "dir.toml").mkdir()
    (tmp_path / "zero.toml").symlink_to("/dev/zero")
    os.mkfifo(tmp_path / "pipe.toml")
    (tmp_path / "big.json").write_text("#" * (17 << 20), encoding="utf-8")
    cases = {
        "/dev/zero": ".toml or .json",
        str(tmp_path / "scenario.txt"): ".toml or .json",
        str(tmp_path / "dir.toml"): "a directory",
        str(tmp_path / "zero.toml"): "a device",
        str(tmp_path / "pipe.toml"): "FIFO",
        str(tmp_path / "big.json"): "larger than 16 MiB",
    }
    for path, why in cases.items():
        for read in (Scenario.from_toml, Scenario.from_json):
            with pytest.raises(aibubble.FileError) as info:
                _within(lambda: read(path))
            assert path in str(info.value) and why in str(info.value), str(info.value)


def test_extends_names_a_preset_or_a_scenario_file(tmp_path: Path) -> None:
    (tmp_path / "shadow.txt").write_text(SECRET + "\n", encoding="utf-8")
    os.mkfifo(tmp_path / "pipe.toml")
    child = tmp_path / "child.toml"
    for base, why in [
        ("/dev/zero", ".toml or .json"),
        ("shadow.txt", ".toml or .json"),
        ("pipe.toml", "FIFO"),
        ("missing.toml", "readable"),
    ]:
        child.write_text(f'extends = "{base}"\nname = "c"\n', encoding="utf-8")
        with pytest.raises(ScenarioError) as info:
            _within(lambda: Scenario.from_toml(child))
        message = str(info.value)
        assert info.value.paths == ["extends"], message
        assert f"`{base}`" in message and str(child) in message and why in message, message
        assert "SECRETHASH" not in message


def test_extends_is_relative_to_the_extending_file(tmp_path: Path) -> None:
    (tmp_path / "base.toml").write_text('extends = "baseline"\nname = "outer"\n', encoding="utf-8")
    sub = tmp_path / "sub"
    sub.mkdir()
    (sub / "base.toml").write_text('extends = "baseline"\nname = "inner"\n', encoding="utf-8")
    (sub / "child.toml").write_text('extends = "base.toml"\n', encoding="utf-8")
    (sub / "up.json").write_text('{"extends": "../base.toml"}', encoding="utf-8")
    assert Scenario.from_toml(sub / "child.toml").name == "inner"
    assert Scenario.from_json(sub / "up.json").name == "outer"


def test_text_extends_files_only_with_a_base_dir(tmp_path: Path) -> None:
    (tmp_path / "base.toml").write_text('extends = "baseline"\nname = "from_file"\n', encoding="utf-8")
    toml = 'extends = "base.toml"\n[overrides]\n"gap.floor" = -1.0\n'
    json_text = '{"extends": "base.toml", "overrides": {"gap.floor": -1.0}}'
    for parse in (lambda: Scenario.from_toml_str(toml), lambda: Scenario.from_json_str(json_text)):
        with pytest.raises(ScenarioError, match="presets only") as info:
            parse()
        assert "base_dir" in str(info.value) and "`base.toml`" in str(info.value)
    for base_dir in (tmp_path, str(tmp_path)):
        s = Scenario.from_toml_str(toml, base_dir=base_dir)
        assert s.name == "from_file" and s.get("gap.floor") == -1.0
        assert Scenario.from_json_str(json_text, base_dir=base_dir) == s
    with pytest.raises(TypeError, match="base_dir"):
        Scenario.from_toml_str(toml, base_dir=3)  # type: ignore[arg-type]


def test_to_dict_is_a_copy(baseline: Scenario) -> None:
    d = baseline.to_dict()
    d["labs"].clear()
    assert baseline.to_dict()["labs"]


def test_from_dict_accepts_a_modified_dict(baseline: Scenario) -> None:
    d = copy.deepcopy(baseline.to_dict())
    d["name"] = "my_scenario"
    s = Scenario.from_dict(d)
    assert s.name == "my_scenario"
    assert list(s.diff(baseline).index) == ["name"]


def test_from_dict_validates_and_lists_problems(baseline: Scenario) -> None:
    d = baseline.to_dict()
    d["horizon"] = -1.0
    for seg in d["segments"]:
        seg["switching"] = -1.0
    with pytest.raises(ScenarioError) as info:
        Scenario.from_dict(d)
    expected = {"horizon"} | {f"segments.{seg['id']}.switching" for seg in d["segments"]}
    assert expected <= set(info.value.paths)


def test_from_dict_non_finite_names_the_path(baseline: Scenario) -> None:
    d = baseline.to_dict()
    d["valuation"]["terminal_growth"] = math.nan
    d["labs"][0]["mark"] = math.inf
    with pytest.raises(ScenarioError) as info:
        Scenario.from_dict(d)
    assert set(info.value.paths) == {"valuation.terminal_growth", f"labs.{d['labs'][0]['id']}.mark"}


def test_from_dict_unknown_field(baseline: Scenario) -> None:
    d = baseline.to_dict()
    d["nope"] = 1
    with pytest.raises(ScenarioError) as info:
        Scenario.from_dict(d)
    assert info.value.paths == ["nope"]


def test_unparseable_text_is_a_scenario_error() -> None:
    with pytest.raises(ScenarioError, match="TOML"):
        Scenario.from_toml_str("x = = 1")
    with pytest.raises(ScenarioError, match="JSON"):
        Scenario.from_json_str("{")


def test_pickle(baseline: Scenario) -> None:
    s2 = baseline.replace({SWITCHING: 0.5})
    for s in (baseline, s2):
        back = pickle.loads(pickle.dumps(s))
        assert isinstance(back, Scenario)
        assert back == s


# describe and diff ---------------------------------------------------------------


def test_describe_has_a_row_per_input(baseline: Scenario, small: aibubble.Result) -> None:
    d = baseline.describe()
    assert isinstance(d, pd.DataFrame)
    assert d.index.name == "path"
    assert d.index.is_unique
    assert list(d.columns) == ["value", "distribution", "drawn", "unit", "domain", "source"]
    assert SWITCHING in d.index
    # Exactly the drawn inputs are reported per path.
    assert set(d.index[d["drawn"].astype(bool)]) == set(small.inputs().columns)
    # A fixed input has a value; a drawn one a distribution.
    for _, row in d.iterrows():
        if row["drawn"]:
            assert isinstance(row["distribution"], str) and "(" in row["distribution"]
        else:
            assert row["value"] is not None
    # Every input has a unit and a domain (strings; a ratio may have unit "").
    assert d["unit"].map(lambda u: isinstance(u, str)).all()
    assert d["domain"].map(lambda u: isinstance(u, str) and u != "").all()


def test_describe_units_and_sources(baseline: Scenario) -> None:
    d = baseline.to_dict()
    d["sources"] = {SWITCHING: "a test citation", "gap.initial": "assumption: a test"}
    desc = Scenario.from_dict(d).describe()
    assert desc.loc[SWITCHING, "source"] == "a test citation"
    assert desc.loc["gap.initial", "source"] == "assumption: a test"
    assert desc.loc["gap.initial", "unit"] == "months"
    assert desc.loc["valuation.discount_rate", "unit"] == "1/year"


def test_diff_lists_changed_paths(baseline: Scenario) -> None:
    assert baseline.diff(baseline).empty
    s2 = baseline.replace({SWITCHING: 0.5})
    diff = s2.diff(baseline)
    assert list(diff.columns) == ["self", "other"]
    assert diff.index.name == "path"
    assert diff.loc[SWITCHING, "self"] == 0.5
    assert diff.loc[SWITCHING, "other"] == baseline.get(SWITCHING)


def test_diff_between_presets_lists_paths(baseline: Scenario) -> None:
    other = Scenario.preset(next(n for n in aibubble.presets() if n != "baseline"))
    diff = baseline.diff(other)
    assert "name" in diff.index
    assert all(isinstance(p, str) and p for p in diff.index)


def test_diff_needs_a_scenario(baseline: Scenario) -> None:
    with pytest.raises(TypeError):
        baseline.diff(baseline.to_dict())  # type: ignore[arg-type]


# Non-finite numbers and Python types (checked by the core) ------------------------


def test_from_dict_reports_non_finite_numbers_like_toml() -> None:
    """One walker in the core: a dict and TOML text name the same paths with the same messages."""
    d = {  # in TOML's order of keys
        "gap": {"half_life": -math.inf},
        "labs": [{"id": "a", "mark": math.inf, "plan": [[2026.0, math.nan]]}],
        "name": "x",
        "valuation": {"terminal_growth": math.nan},
    }
    text = """
name = "x"
[gap]
half_life = -inf
[valuation]
terminal_growth = nan
[[labs]]
id = "a"
mark = inf
plan = [[2026.0, nan]]
"""
    with pytest.raises(ScenarioError) as from_dict:
        Scenario.from_dict(d)
    with pytest.raises(ScenarioError) as from_toml:
        Scenario.from_toml_str(text)
    assert from_dict.value.problems == from_toml.value.problems == [
        ("gap.half_life", "must be finite, got -inf"),
        ("labs.a.mark", "must be finite, got inf"),
        ("labs.a.plan[0][1]", "must be finite, got NaN"),
        ("valuation.terminal_growth", "must be finite, got NaN"),
    ]
    assert str(from_dict.value) == str(from_toml.value)
    assert str(from_dict.value).startswith("4 problems in scenario:")


def test_from_dict_takes_tuples_and_other_mappings(baseline: Scenario) -> None:
    from types import MappingProxyType

    d = baseline.to_dict()
    d["segments"] = tuple(MappingProxyType(seg) for seg in d["segments"])
    assert Scenario.from_dict(MappingProxyType(d)) == baseline


@pytest.mark.parametrize("bad", [object(), {1, 2}, b"x", 1j])
def test_from_dict_names_where_a_value_of_another_type_is(baseline: Scenario, bad: object) -> None:
    d = baseline.to_dict()
    d["labs"][1]["mark"] = bad
    with pytest.raises(TypeError, match=r"labs\[1\]\.mark: .*not " + type(bad).__name__):
        Scenario.from_dict(d)


def test_from_dict_keys_are_strings(baseline: Scenario) -> None:
    d = baseline.to_dict()
    d["gap"][3] = 1.0
    with pytest.raises(TypeError, match="gap: keys are strings, got int 3"):
        Scenario.from_dict(d)


def test_from_dict_of_a_deep_nesting_is_a_scenario_error() -> None:
    deep: object = 1.0
    for _ in range(200):
        deep = [deep]
    with pytest.raises(ScenarioError, match="nested more than"):
        Scenario.from_dict({"name": deep})
    loop: list = []
    loop.append(loop)
    with pytest.raises(ScenarioError, match="nested more than"):
        Scenario.from_dict({"name": loop})


def test_large_integers_read_like_json_text(baseline: Scenario) -> None:
    """Integers beyond 64 bits are floats, as the core reads them from JSON text."""
    import json

    d = baseline.to_dict()
    d["labs"][0]["mark"] = 2**70
    assert Scenario.from_dict(d) == Scenario.from_json_str(json.dumps(d))
    d["labs"][0]["mark"] = 10**400
    with pytest.raises(ScenarioError, match="must be finite, got inf"):
        Scenario.from_dict(d)


def test_replace_non_finite_in_several_overrides(baseline: Scenario) -> None:
    with pytest.raises(ScenarioError) as info:
        baseline.replace({SWITCHING: math.nan, "gap.sigma": {"dist": "normal", "mean": 0.1, "sd": math.inf}})
    assert info.value.problems == [(SWITCHING, "must be finite, got NaN"), ("gap.sigma.sd", "must be finite, got inf")]


def test_the_core_takes_dicts() -> None:
    """The checks live in the core: the facade hands the objects over."""
    from aibubble import _core

    core = _core.Scenario.preset("baseline")
    with pytest.raises(ScenarioError):
        _core.Scenario.from_dict({"name": math.nan})
    with pytest.raises(TypeError, match="expected a mapping, got list"):
        _core.Scenario.from_dict([])  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="overrides must be a mapping of field paths, got str"):
        core.replace("gap.sigma=1")  # type: ignore[arg-type]
    assert core.replace({SWITCHING: 0.5}).get(SWITCHING) == "0.5"


# Diff -------------------------------------------------------------------------


def _flatten(value: object, prefix: str = "") -> dict:
    """The flattening the facade did before the core took it over (a reference)."""
    out: dict = {}
    if isinstance(value, dict) and "dist" not in value:
        for k, v in value.items():
            out.update(_flatten(v, f"{prefix}.{k}" if prefix else str(k)))
    elif isinstance(value, list) and value and all(isinstance(e, dict) and "id" in e for e in value):
        for e in value:
            out.update(_flatten({k: v for k, v in e.items() if k != "id"}, f"{prefix}.{e['id']}"))
    else:
        out[prefix] = value
    return out


def test_diff_of_equal_scenarios_is_empty(baseline: Scenario) -> None:
    df = baseline.diff(Scenario.from_dict(baseline.to_dict()))
    assert df.empty and list(df.columns) == ["self", "other"] and df.index.name == "path"


def test_diff_names_the_changed_paths(baseline: Scenario) -> None:
    dist = {"dist": "normal", "mean": 0.4, "sd": 0.05, "min": 0.0}
    other = baseline.replace({SWITCHING: 0.5, "gap.sigma": dist})
    df = baseline.diff(other)
    assert list(df.index) == sorted([SWITCHING, "gap.sigma"])
    assert df.loc[SWITCHING, "other"] == 0.5
    assert df.loc["gap.sigma", "other"] == other.to_dict()["gap"]["sigma"]  # a distribution is one value
    assert df.loc[SWITCHING, "self"] == baseline.get(SWITCHING)


@pytest.mark.parametrize("name", [n for n in aibubble.presets() if n != "baseline"])
def test_diff_of_presets_matches_the_reference(baseline: Scenario, name: str) -> None:
    other = Scenario.preset(name)
    a, b = _flatten(baseline.to_dict(expanded=True)), _flatten(other.to_dict(expanded=True))
    rows = [{"path": k, "self": a.get(k), "other": b.get(k)} for k in sorted(set(a) | set(b)) if a.get(k) != b.get(k)]
    expected = pd.DataFrame(rows, columns=["path", "self", "other"]).set_index("path")
    df = baseline.diff(other)
    assert len(df) > 0
    pd.testing.assert_frame_equal(df, expected)
    # The paths are the core's field paths.
    for path in df.index:
        value = df.loc[path, "self"]
        if value is not None and not path.startswith("sources."):
            assert baseline.get(path) == value, path


# Terminal safety -------------------------------------------------------------


def test_control_characters_in_errors_are_escaped(baseline: Scenario) -> None:
    clear = "\x1b[2J\x9b2J\x07"
    text = baseline.to_toml()
    bad = [
        text.replace('class = "closed"', f'class = "closed{clear}"', 1),  # an unknown variant
        text.replace("[gap]", f'[gap]\n"sigma{clear}" = 1', 1),  # an unknown key
        f'extends = "base{clear}"\n',  # an unknown base
        f'name = "x"\n{clear} = = 1\n',  # a syntax error
    ]
    d = baseline.to_dict()
    d["labs"][0]["id"] = f"x{clear}"  # a problem at a lab's path
    for build in [*(lambda t=t: Scenario.from_toml_str(t) for t in bad), lambda: Scenario.from_dict(d)]:
        with pytest.raises(ScenarioError) as info:
            build()
        for shown in [str(info.value), *(p + m for p, m in info.value.problems)]:
            assert not any(c.isprintable() is False and c != "\n" for c in shown), repr(shown)
        assert "\\u{1b}" in str(info.value), str(info.value)


def test_a_flood_of_problems_is_counted_in_the_message_and_kept_whole() -> None:
    n = 100_000
    text = 'extends = "baseline"\nname = "m"\n[sources]\n' + "".join(f'"gap.k{i}" = "x"\n' for i in range(n))
    with pytest.raises(ScenarioError) as info:
        Scenario.from_toml_str(text)
    message = str(info.value)
    assert len(message) < 20_000, len(message)
    assert message.startswith(f"{n} problems in scenario:")
    assert f"... and {n - 50} more" in message
    # The attribute keeps every problem (the message is what gets printed).
    assert len(info.value.problems) == n
