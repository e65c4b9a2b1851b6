"""Saving, loading and pickling results; unreadable and newer-schema files."""

from __future__ import annotations

import base64
import gzip
import json
import os
import pickle
import re
import stat
import tempfile
import threading
from pathlib import Path
from typing import Any, Callable, Dict, List

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


def _fnv1a64(data: bytes) -> int:
    h = 0xCBF29CE484222325
    for b in data:
        h = ((h ^ b) * 0x100000001B3) & 0xFFFFFFFFFFFFFFFF
    return h


def _signed(data: Dict[str, Any]) -> str:
    """``data`` as a results file with a valid checksum (of every byte but
    itself), as if aibubble had written it: edits made here reach the checks
    behind the checksum."""
    body = json.dumps({k: v for k, v in data.items() if k != "checksum"}, separators=(",", ":"))
    return f'{{"checksum":"fnv1a64:{_fnv1a64(body.encode()):016x}",{body[1:]}'


def _write_gz(path: Path, data: Any, sign: bool = True) -> Path:
    if not isinstance(data, str):
        data = _signed(data) if sign else json.dumps(data)
    with gzip.open(path, "wt", encoding="utf-8", compresslevel=1) as f:
        f.write(data)
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
        assert json.load(f)["schema_version"] == 4


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
        aibubble._core.Results.from_json(_signed(data))  # what unpickling calls


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
    _write_gz(path, d)  # gzip files load too
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
        aibubble.load(_write_gz(tmp_path / "edited.gz", saved, sign=False))
    # Written as a plain list of numbers, the same edit is refused too.
    column["values"] = [float(x) if np.isfinite(x) else "nan" for x in values]
    with pytest.raises(ResultsFileError, match="checksum"):
        aibubble.load(_write_gz(tmp_path / "edited_list.gz", saved, sign=False))


# Issue 13: edits anywhere are refused; saving never writes through a planted
# file; loading never exhausts the memory or blocks.


def _edits() -> Dict[str, Callable[[str], str]]:
    """Edits of a saved file's text, each a change of content that the
    columns' checksum of schema 2 did not see."""

    def sub(pattern: str, repl: Callable[["re.Match[str]"], str]) -> Callable[[str], str]:
        def edit(text: str) -> str:
            edited, n = re.subn(pattern, repl, text, count=1)
            assert n == 1 and edited != text, pattern
            return edited

        return edit

    return {
        # Doubles a quantile of the series (a sketch's buckets moved up).
        "sketch offset + 40": sub(r'"offset":(-?\d+)', lambda m: f'"offset":{int(m[1]) + 40}'),
        "seed": sub(r'"seed":(\d+)', lambda m: f'"seed":{int(m[1]) + 1}'),
        "scenario name": sub(r'"name":"baseline"', lambda m: '"name":"other"'),
        "input name": sub(r'"inputs":\[\{"name":"([^"]+)"', lambda m: f'"inputs":[{{"name":"{m[1]}x"'),
        "a bound of a scenario distribution": sub(r'"lo":([0-9.]+)', lambda m: f'"lo":{float(m[1]) / 2}'),
    }


EDITS = _edits()


@pytest.mark.parametrize("edit", list(EDITS))
def test_a_field_edited_anywhere_fails_the_checksum(tiny: Result, tmp_path: Path, edit: str) -> None:
    path = tmp_path / "r.json"
    tiny.save(path)
    text = path.read_text(encoding="utf-8")
    path.write_text(EDITS[edit](text), encoding="utf-8")
    with pytest.raises(ResultsFileError, match="checksum"):
        aibubble.load(path)
    # The control: the same text unedited loads.
    path.write_text(text, encoding="utf-8")
    assert aibubble.load(path) == tiny


def test_save_does_not_follow_a_link_at_the_old_temporary_name(tiny: Result, tmp_path: Path) -> None:
    """``PATH.tmp-PID`` was the temporary name: a link planted there made save
    write through it."""
    victim = tmp_path / "victim"
    victim.write_text("precious")
    path = tmp_path / "r.json"
    os.symlink(victim, f"{path}.tmp-{os.getpid()}")
    tiny.save(path)
    assert victim.read_text() == "precious"
    assert aibubble.load(path) == tiny


def test_save_never_writes_through_a_file_at_its_temporary_name(
    tiny: Result, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Temporaries are created exclusively: with the random names made
    predictable, a link at the first one is skipped, not followed."""
    names = iter(["first", "second"])
    monkeypatch.setattr(tempfile, "_get_candidate_names", lambda: names)
    victim = tmp_path / "victim"
    victim.write_text("precious")
    os.symlink(victim, tmp_path / ".r.json.first.tmp")
    tiny.save(tmp_path / "r.json")
    assert victim.read_text() == "precious"
    assert aibubble.load(tmp_path / "r.json") == tiny
    assert sorted(os.listdir(tmp_path)) == [".r.json.first.tmp", "r.json", "victim"]


def test_two_threads_saving_one_path_both_succeed(tiny: Result, small: Result, tmp_path: Path) -> None:
    path = tmp_path / "r.json"
    errors: List[BaseException] = []
    start = threading.Barrier(2)

    def save(r: Result) -> None:
        try:
            start.wait()
            for _ in range(10):
                r.save(path)
        except BaseException as e:  # noqa: BLE001 - reported below
            errors.append(e)

    threads = [threading.Thread(target=save, args=(r,)) for r in (tiny, small)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert aibubble.load(path) in (tiny, small)
    assert os.listdir(tmp_path) == ["r.json"]


def test_a_failed_save_leaves_no_temporary_and_the_old_file(
    tiny: Result, small: Result, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "r.json"
    tiny.save(path)

    def full(fd: int) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", full)
    with pytest.raises(OSError, match="No space"):
        small.save(path)
    assert os.listdir(tmp_path) == ["r.json"]
    monkeypatch.undo()
    assert aibubble.load(path) == tiny
    # A directory at the path: refused by the rename, nothing left either.
    (tmp_path / "d").mkdir()
    with pytest.raises(OSError):
        tiny.save(tmp_path / "d")
    assert sorted(os.listdir(tmp_path)) == ["d", "r.json"]
    assert os.listdir(tmp_path / "d") == []


def test_saved_files_get_the_mode_of_the_umask(tiny: Result, tmp_path: Path) -> None:
    old = os.umask(0o027)
    try:
        tiny.save(tmp_path / "r.json")
    finally:
        os.umask(old)
    assert stat.S_IMODE(os.stat(tmp_path / "r.json").st_mode) == 0o640


def _gzip_of_zeros(size: int) -> bytes:
    return gzip.compress(bytes(size), compresslevel=9)


def test_a_compression_bomb_is_refused_at_the_limit(tmp_path: Path) -> None:
    path = tmp_path / "bomb.gz"
    path.write_bytes(_gzip_of_zeros(64 << 20))  # 64 MiB of zeros in about 64 kB
    assert path.stat().st_size < 100_000
    with pytest.raises(ResultsFileError, match="inflates to more than 1048576 bytes") as info:
        aibubble.load(path, max_bytes=1 << 20)
    assert str(path) in str(info.value) and "max_bytes" in str(info.value)
    # Several members inflate to their sum, checked as it grows.
    path.write_bytes(_gzip_of_zeros(600_000) * 2)
    with pytest.raises(ResultsFileError, match="inflates to more than 1048576"):
        aibubble.load(path, max_bytes=1 << 20)


def test_a_file_beyond_the_limit_is_refused_unread(tiny: Result, tmp_path: Path) -> None:
    path = tmp_path / "r.json"
    tiny.save(path)
    size = path.stat().st_size
    with pytest.raises(ResultsFileError, match=f"holds more than {size - 1} bytes"):
        aibubble.load(path, max_bytes=size - 1)
    assert aibubble.load(path, max_bytes=size) == tiny
    tiny.save(path, compress=True)
    with pytest.raises(ResultsFileError, match=f"inflates to more than {size - 1} bytes"):
        aibubble.load(path, max_bytes=size - 1)
    # At the default limit, a sparse file of 4 GiB + 1 is refused by its size.
    big = tmp_path / "big.json"
    with open(big, "wb") as f:
        f.truncate(aibubble.MAX_LOAD_BYTES + 1)
    with pytest.raises(ResultsFileError, match=f"{aibubble.MAX_LOAD_BYTES} bytes"):
        aibubble.load(big)
    with pytest.raises(aibubble.ArgumentError, match="max_bytes"):
        aibubble.load(path, max_bytes=-1)


def _load_in_a_thread(path: Any) -> BaseException:
    """``load(path)``'s exception, failing the test if it blocks."""
    result: List[BaseException] = []

    def target() -> None:
        try:
            aibubble.load(path)
        except BaseException as e:  # noqa: BLE001 - returned
            result.append(e)

    t = threading.Thread(target=target, daemon=True)
    t.start()
    t.join(30)
    assert not t.is_alive(), f"load({path}) blocked"
    assert result, f"load({path}) succeeded"
    return result[0]


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs")
def test_a_fifo_is_refused_without_blocking(tmp_path: Path) -> None:
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    e = _load_in_a_thread(fifo)
    assert isinstance(e, ResultsFileError), repr(e)
    assert str(fifo) in str(e) and "FIFO" in str(e)


@pytest.mark.skipif(not os.path.exists("/dev/zero"), reason="no /dev/zero")
def test_a_device_is_refused_without_reading_it() -> None:
    e = _load_in_a_thread("/dev/zero")
    assert isinstance(e, ResultsFileError), repr(e)
    assert "/dev/zero" in str(e) and "character device" in str(e)
    e = _load_in_a_thread(Path(__file__).parent)
    assert isinstance(e, ResultsFileError) and "a directory" in str(e), repr(e)
