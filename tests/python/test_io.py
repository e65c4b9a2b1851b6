"""Saving, loading and pickling results; unreadable and newer-schema files."""

from __future__ import annotations

import base64
import gzip
import json
import os
import pickle
from pathlib import Path
from typing import Any, Callable, Dict

import numpy as np
import pytest

import aibubble
from aibubble import Result, ResultsFileError, SchemaVersionError


def _drop_last(column: Dict[str, Any]) -> None:
    """Drop a column's last value (columns are base64 of little-endian f64s)."""
    values = np.frombuffer(base64.b64decode(column["values"]), dtype="<f8")
    column["values"] = base64.b64encode(values[:-1].tobytes()).decode()


@pytest.fixture(scope="module")
def tiny(baseline: aibubble.Scenario) -> Result:
    """A run small enough to damage in many ways quickly."""
    return aibubble.simulate(baseline, paths=300, seed=1, store_paths=3)


@pytest.fixture
def saved(tiny: Result) -> Dict[str, Any]:
    """The full results of ``tiny`` as JSON (what ``save`` writes, uncompressed); a fresh copy."""
    out: Dict[str, Any] = json.loads(tiny._inner.to_json())
    return out


def _write_gz(path: Path, data: Any) -> Path:
    with gzip.open(path, "wt", encoding="utf-8", compresslevel=1) as f:
        f.write(data if isinstance(data, str) else json.dumps(data))
    return path


def test_save_load_round_trip(small: Result, tmp_path: Path) -> None:
    path = tmp_path / "run.json"
    small.save(path)
    back = aibubble.load(path)
    assert back == small
    assert back.summary_json() == small.summary_json()
    assert back.summary().equals(small.summary())
    np.testing.assert_array_equal(back.trajectories("gap"), small.trajectories("gap"))
    assert back.scenario == small.scenario
    assert (back.seed, back.path_range) == (small.seed, small.path_range)
    # Non-finite values survive (inf pop times, NaN phi).
    lab = small.labs[-1]
    np.testing.assert_array_equal(back.distribution(lab, "phi"), small.distribution(lab, "phi"))


def test_save_accepts_str_paths_and_leaves_no_temporary(small: Result, tmp_path: Path) -> None:
    path = str(tmp_path / "run.json")
    small.save(path)
    assert aibubble.load(path) == small
    assert os.listdir(tmp_path) == ["run.json"]
    with open(path, encoding="utf-8") as f:
        assert json.load(f)["schema_version"] == 2


def test_save_overwrites(small: Result, baseline: aibubble.Scenario, tmp_path: Path) -> None:
    path = tmp_path / "run.gz"
    aibubble.simulate(baseline, paths=100, seed=1).save(path)
    small.save(path)
    assert aibubble.load(path) == small


def test_save_into_a_missing_directory(small: Result, tmp_path: Path) -> None:
    with pytest.raises(OSError):
        small.save(tmp_path / "missing" / "run.gz")
    assert os.listdir(tmp_path) == []


def test_load_of_a_split_run_merges(baseline: aibubble.Scenario, small: Result, tmp_path: Path) -> None:
    paths = []
    for i, r in enumerate([(0, 1000), (1000, small.n_paths)]):
        part = aibubble.simulate(baseline, paths=small.n_paths, seed=small.seed, path_range=r, store_paths=5)
        paths.append(tmp_path / f"part{i}.gz")
        part.save(paths[-1])
    assert aibubble.merge(aibubble.load(p) for p in paths) == small


def test_pickle_result(small: Result) -> None:
    back = pickle.loads(pickle.dumps(small))
    assert isinstance(back, Result)
    assert back == small
    assert back.summary_dict() == small.summary_dict()


def test_pickle_core_objects(small: Result, baseline: aibubble.Scenario) -> None:
    assert pickle.loads(pickle.dumps(small._inner)) == small._inner
    assert pickle.loads(pickle.dumps(baseline._inner)) == baseline._inner


def test_load_missing_file(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        aibubble.load(tmp_path / "missing.gz")


def test_load_wrong_type() -> None:
    # An int would otherwise be taken as a file descriptor by open().
    with pytest.raises(TypeError):
        aibubble.load(5)  # type: ignore[arg-type]


def _truncated(small: Result, tmp: Path) -> bytes:
    small.save(tmp / "full.gz", compress=True)
    data = (tmp / "full.gz").read_bytes()
    return data[: len(data) // 2]


def _flipped(small: Result, tmp: Path) -> bytes:
    small.save(tmp / "full.gz", compress=True)
    data = bytearray((tmp / "full.gz").read_bytes())
    for i in range(len(data) // 2, len(data) // 2 + 64):
        data[i] ^= 0xFF
    return bytes(data)


CORRUPT: Dict[str, Callable[[Result, Path], bytes]] = {
    "empty": lambda r, t: b"",
    "not json": lambda r, t: b"this is not a results file",
    "truncated json": lambda r, t: r._inner.to_json().encode()[:-100],
    "truncated gzip": _truncated,
    "damaged gzip": _flipped,
    "gzip of bytes that are not utf-8": lambda r, t: gzip.compress(b"\xff\xfe\x00garbage"),
    "gzip of text that is not json": lambda r, t: gzip.compress(b"hello"),
    "gzip of json without schema": lambda r, t: gzip.compress(b'{"x": 1}'),
    "gzip of a json list": lambda r, t: gzip.compress(b"[1, 2]"),
    "gzip of a scenario": lambda r, t: gzip.compress(r.scenario.to_json().encode()),
}


@pytest.mark.parametrize("kind", list(CORRUPT))
def test_load_of_a_corrupt_file(tiny: Result, tmp_path: Path, kind: str) -> None:
    path = tmp_path / "bad.gz"
    path.write_bytes(CORRUPT[kind](tiny, tmp_path))
    with pytest.raises(ResultsFileError) as info:
        aibubble.load(path)
    assert not isinstance(info.value, SchemaVersionError)
    assert isinstance(info.value, ValueError) and isinstance(info.value, aibubble.AibubbleError)


@pytest.mark.parametrize("version", [999, 1, 0])
def test_load_of_another_schema_version(saved: Dict[str, Any], tmp_path: Path, version: int) -> None:
    data = dict(saved, schema_version=version)
    with pytest.raises(SchemaVersionError) as info:
        aibubble.load(_write_gz(tmp_path / "newer.gz", data))
    assert str(version) in str(info.value)
    assert isinstance(info.value, ResultsFileError)


def _mutations() -> Dict[str, Callable[[Dict[str, Any]], None]]:
    def stored_short(d: Dict[str, Any]) -> None:
        d["stored"] = d["stored"][:-3]

    def input_short(d: Dict[str, Any]) -> None:
        _drop_last(d["inputs"][0])

    def metric_short(d: Dict[str, Any]) -> None:
        _drop_last(d["labs"][0]["metrics"][0])

    def event_short(d: Dict[str, Any]) -> None:
        _drop_last(d["events"][0])

    def end_past_paths(d: Dict[str, Any]) -> None:
        d["end"] = d["paths"] + 10

    def start_after_end(d: Dict[str, Any]) -> None:
        d["start"], d["end"] = d["end"], d["start"]

    def steps_changed(d: Dict[str, Any]) -> None:
        d["steps"] = 10**6

    def store_paths_changed(d: Dict[str, Any]) -> None:
        d["store_paths"] = 100

    def quarters_short(d: Dict[str, Any]) -> None:
        d["quarter_times"] = d["quarter_times"][:3]

    def series_dropped(d: Dict[str, Any]) -> None:
        d["series"] = d["series"][:1]

    def years_dropped(d: Dict[str, Any]) -> None:
        d["years"] = []

    def lab_dropped(d: Dict[str, Any]) -> None:
        d["labs"].pop()

    def scenario_lab_dropped(d: Dict[str, Any]) -> None:
        d["scenario"]["labs"].pop()

    def steps_per_year_zero(d: Dict[str, Any]) -> None:
        d["steps_per_year"] = 0

    def invalid_scenario(d: Dict[str, Any]) -> None:
        d["scenario"]["horizon"] = -1.0

    def value_of_wrong_type(d: Dict[str, Any]) -> None:
        d["inputs"][0]["values"] = "seven!"  # not base64 of f64s

    def ragged_bytes(d: Dict[str, Any]) -> None:
        d["inputs"][0]["values"] = base64.b64encode(b"\x00" * 12).decode()

    return {f.__name__: f for f in locals().values() if callable(f)}


MUTATIONS = _mutations()


@pytest.mark.parametrize("mutation", list(MUTATIONS))
def test_load_of_an_inconsistent_file(saved: Dict[str, Any], tmp_path: Path, mutation: str) -> None:
    """Valid JSON that does not hang together is refused at load: no Rust panic
    reaches Python later, from any accessor."""
    data = saved
    if mutation == "event_short" and not data["events"]:
        pytest.skip("no events in this preset")
    MUTATIONS[mutation](data)
    with pytest.raises(ResultsFileError):
        aibubble.load(_write_gz(tmp_path / "bad.gz", data))
    with pytest.raises(ResultsFileError):
        aibubble._core.Results.from_json(json.dumps(data))  # what unpickling calls


def test_load_of_the_unmodified_json(saved: Dict[str, Any], tiny: Result, tmp_path: Path) -> None:
    """The control of the tests above: the same file unmodified loads."""
    assert aibubble.load(_write_gz(tmp_path / "ok.gz", saved)) == tiny


def test_columns_are_exact_bytes_and_plain_lists_are_read_too(small: Result, tmp_path: Path) -> None:
    # Saved columns hold the f64 bits (inf, NaN included); a hand-written
    # file with plain lists of numbers and "inf"/"nan" strings also loads.
    path = tmp_path / "r.json"
    small.save(path)
    with open(path, encoding="utf-8") as f:
        d = json.load(f)
    col = d["labs"][0]["metrics"][4]  # pop_time: finite, inf or NaN
    raw = np.frombuffer(base64.b64decode(col["values"]), dtype="<f8")
    np.testing.assert_array_equal(raw, small.distribution(small.labs[0], col["name"]))
    col["values"] = ["nan" if np.isnan(x) else ("inf" if np.isinf(x) else float(x)) for x in raw]
    with gzip.open(path, "wt", encoding="utf-8") as f:  # gzip files load too
        json.dump(d, f)
    assert aibubble.load(path) == small


@pytest.mark.parametrize("compress", [False, True])
def test_save_plain_or_compressed_loads_back_equal(small: Result, tmp_path: Path, compress: bool) -> None:
    path = tmp_path / "r.json"
    small.save(path, compress=compress)
    assert path.read_bytes()[:2] == (b"\x1f\x8b" if compress else b'{"')
    assert aibubble.load(path) == small


def test_a_value_edited_by_hand_fails_the_checksum(saved: Dict[str, Any], tmp_path: Path) -> None:
    """A fair value set to NaN in an otherwise consistent file is refused."""
    column = saved["labs"][0]["metrics"][0]
    values = np.frombuffer(base64.b64decode(column["values"]), dtype="<f8").copy()
    values[3] = np.nan
    column["values"] = base64.b64encode(values.tobytes()).decode()
    with pytest.raises(ResultsFileError, match="checksum"):
        aibubble.load(_write_gz(tmp_path / "edited.gz", saved))
    # Written as a plain list of numbers, the same edit is refused too.
    column["values"] = [float(x) if np.isfinite(x) else "nan" for x in values]
    with pytest.raises(ResultsFileError, match="checksum"):
        aibubble.load(_write_gz(tmp_path / "edited_list.gz", saved))
