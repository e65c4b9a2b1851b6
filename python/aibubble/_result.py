"""Running scenarios and reading their results as numpy arrays and pandas frames."""

from __future__ import annotations

import gzip
import json
import os
import stat
import warnings
import zlib
from typing import Any, Callable, Dict, Iterable, List, Optional, Tuple, Union

import numpy as np
import pandas as pd

from . import _core
from ._files import write_atomic
from ._scenario import Scenario
from .errors import ArgumentError, ResultsFileError

#: Quantiles reported by :meth:`Result.timeseries` (the core's).
QUANTILES = tuple(_core.SERIES_QUANTILES)

#: Per-path metrics of each lab (docs/equations.md §10 output names, the core's;
#: units and meanings in :func:`aibubble.outputs`).
LAB_METRICS = tuple(_core.LAB_METRICS)

#: Time series recorded at quarter ends (the core's, in recording order).
SERIES = tuple(_core.SERIES)


def _check_str(**values: Any) -> None:
    """Names (``variable``, ``lab``, ``segment``) are strings or ``None``."""
    for name, value in values.items():
        if value is not None and not isinstance(value, str):
            raise TypeError(f"{name} must be a str, got {type(value).__name__}")


def simulate(
    scenario: Scenario,
    paths: int = 100_000,
    seed: int = 42,
    *,
    threads: Optional[int] = None,
    path_range: Optional[Tuple[int, int]] = None,
    store_paths: int = 0,
    progress: bool = False,
    max_memory: Union[int, str, None] = None,
    inputs: Optional[pd.DataFrame] = None,
    keep_years: bool = False,
) -> "Result":
    """Run a scenario.

    Parameters
    ----------
    scenario : Scenario
    paths : int
        Number of paths ``N`` of the whole run.
    seed : int
        The same scenario and seed give bit-identical results, whatever
        ``threads`` or ``path_range``.
    threads : int, optional
        Size of a thread pool for this call only (default: all cores).
    path_range : (start, end), optional
        Run only paths ``[start, end)`` of the ``paths``-path run; join the
        parts with :func:`merge`.
    store_paths : int
        Keep every step of the first ``store_paths`` paths (for :meth:`Result.trajectories`).
    progress : bool
        Show a tqdm progress bar.
    max_memory : int or str, optional
        Refuse the run (:class:`ResourceLimitError`, before anything is
        allocated) if it would need more memory than this: bytes, or text
        such as ``"8G"``. Default: ``AIBUBBLE_MAX_MEMORY`` if set. The memory
        available on the machine always limits the run.
    inputs : pandas.DataFrame, optional
        Input values per path instead of draws: columns named by field path
        (inputs that may be uncertain), one row per path, as many rows as
        ``paths``. The other inputs are drawn as usual, on the same random
        numbers as without the table. A column that is no such input, or a
        value outside its input's domain, raises :class:`ScenarioError`
        naming the column (and the value). A ``noise_stream`` column (whole
        numbers) sets each row's process-noise stream: the path whose
        sub-streams of the gap, prices, demand, labs and events it draws
        from (by default its own index; inputs not in the table are still
        drawn at the row's own index).
    keep_years : bool
        Keep each lab's revenue and FCF of every calendar year per path:
        what :meth:`Result.annual`'s quantiles and
        :meth:`Result.distribution` of ``revenue.<year>`` need. Without it
        (the default) each year has its mean and sd only, from exact sums
        over the paths, and the run takes much less memory (at the default
        horizon the yearly values are most of the per-path table).

    An argument out of range raises :class:`ArgumentError` naming it; one of
    the wrong type, ``TypeError``. ``threads`` beyond the cores available
    warns (``RuntimeWarning``) and is capped. The run releases the GIL;
    Ctrl-C stops it within about 0.1 s (every path checks at each step) and
    raises ``KeyboardInterrupt``.
    """
    if not isinstance(scenario, Scenario):
        raise TypeError(f"scenario must be an aibubble.Scenario, got {type(scenario).__name__}")
    # The core checks the other arguments, warns when threads are capped,
    # and reports progress as (done, total).
    callback: Optional[Callable[[int, int], None]] = None
    bar: Any = None
    if progress:
        tqdm = _progress_bar_class()

        def callback(done: int, total: int) -> None:
            nonlocal bar
            if bar is None:
                bar = tqdm(total=total, unit="path", desc=scenario.name)
            bar.update(done - bar.n)

    table = None if inputs is None else _input_table(inputs, paths)
    try:
        inner = _core.simulate(
            scenario._inner,
            paths,
            seed,
            threads=threads,
            path_range=path_range,
            store_paths=store_paths,
            progress=callback,
            max_memory=max_memory,
            inputs=table,
            keep_years=keep_years,
        )
    finally:
        if bar is not None:
            bar.close()
    collapsed = inner.collapsed_series()
    if collapsed:
        warnings.warn(
            f"the values of {len(collapsed)} series span more than 17 orders of magnitude "
            f"({', '.join(collapsed[:3])}{', ...' if len(collapsed) > 3 else ''}); their low quantiles are coarse",
            RuntimeWarning,
            stacklevel=2,
        )
    return Result(inner)


def _input_table(inputs: Any, paths: int) -> Tuple[List[str], "np.ndarray"]:
    """A DataFrame of inputs as the core takes it: its column names and its
    values, row-major."""
    if not isinstance(inputs, pd.DataFrame):
        raise TypeError(f"inputs must be a pandas DataFrame, got {type(inputs).__name__}")
    columns = [str(c) for c in inputs.columns]
    if not columns:
        raise ArgumentError("inputs: the table has no columns")
    if len(inputs) != paths:
        raise ArgumentError(f"inputs: the table has {len(inputs)} rows, paths is {paths}: one row per path")
    for c in inputs.columns:
        if not pd.api.types.is_numeric_dtype(inputs[c]) or pd.api.types.is_bool_dtype(inputs[c]):
            raise ArgumentError(f"inputs: column {c!r} is not numeric ({inputs[c].dtype})")
    values = np.ascontiguousarray(inputs.to_numpy(dtype=np.float64)).ravel()
    bad = ~np.isfinite(values)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        row, col = divmod(i, len(columns))
        raise ArgumentError(f"inputs: column {columns[col]!r} row {row}: must be finite, got {values[i]}")
    return columns, values


def net(
    scenario: Scenario,
    paths: int = 100_000,
    seed: int = 42,
    *,
    threads: Optional[int] = None,
    path_range: Optional[Tuple[int, int]] = None,
    max_memory: Union[int, str, None] = None,
) -> pd.DataFrame:
    """Run ``scenario`` and ``scenario.freeze_competition()`` on the same seed
    and paths (as ``aibubble run SCENARIO --net``) and return
    :meth:`Result.net`: one row per lab, figures net of frozen competition.

    The arguments are those of :func:`simulate`, which runs each scenario.
    """
    if not isinstance(scenario, Scenario):
        raise TypeError(f"scenario must be an aibubble.Scenario, got {type(scenario).__name__}")
    runs = [
        simulate(s, paths, seed, threads=threads, path_range=path_range, max_memory=max_memory)
        for s in (scenario, scenario.freeze_competition())
    ]
    return runs[0].net(runs[1])


#: The columns of :meth:`Result.net`, in order.
NET_COLUMNS = (
    "name",
    "p_pop",
    "p_pop_frozen",
    "p_pop_net",
    "p_pop_net_se",
    "p_pop_only_competition",
    "p_pop_only_competition_se",
    "p_pop_only_counterfactual",
    "p_pop_only_counterfactual_se",
    "p_zero",
    "p_zero_frozen",
    "p_zero_net",
    "p_zero_net_se",
    "p_crunch",
    "p_crunch_frozen",
    "p_crunch_net",
    "p_crunch_net_se",
    "fair_value",
    "fair_value_frozen",
    "fair_value_net",
    "fair_value_net_se",
)


def _progress_bar_class() -> Any:
    """tqdm's notebook widget when ipywidgets is there, else the text bar
    (``tqdm.auto`` would warn in a notebook without ipywidgets)."""
    try:
        import ipywidgets  # type: ignore[import-untyped, import-not-found, unused-ignore]  # noqa: F401

        from tqdm.auto import tqdm  # type: ignore[import-untyped, unused-ignore]
    except ImportError:
        from tqdm import tqdm  # type: ignore[import-untyped, unused-ignore]
    return tqdm


def merge(results: Iterable["Result"]) -> "Result":
    """Join the results of split runs (``path_range``) of one run, in path order."""
    parts = list(results)
    for r in parts:
        if not isinstance(r, Result):
            raise TypeError(f"merge takes aibubble.Result objects, got {type(r).__name__}")
    return Result(_core.merge([r._inner for r in parts]))


_GZIP_MAGIC = b"\x1f\x8b"

#: The largest results file :func:`load` reads by default, in bytes, as
#: stored and, for a gzip file, once inflated: 4 GiB, about a million paths
#: of ``baseline``. A larger file (or one that inflates beyond it, such as a
#: compression bomb) is refused with :class:`ResultsFileError` before it
#: fills the memory; ``load(path, max_bytes=...)`` raises the limit.
MAX_LOAD_BYTES = 4 * 2**30


def load(path: Union[str, "os.PathLike[str]"], *, max_bytes: int = MAX_LOAD_BYTES) -> "Result":
    """Read results written by :meth:`Result.save` (plain or gzip-compressed).

    Only regular files are read (a FIFO or a device such as ``/dev/zero`` is
    refused at once, not waited on), and at most ``max_bytes`` of them, as
    stored and as inflated (default :data:`MAX_LOAD_BYTES`, 4 GiB). A file
    that is not an aibubble results file, was changed after it was written
    (it fails its checksum), or is beyond the limit raises
    :class:`ResultsFileError` naming it; a missing file, ``FileNotFoundError``.
    """
    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"load takes a file path, got {type(path).__name__}")
    if isinstance(max_bytes, bool) or not isinstance(max_bytes, int):
        raise TypeError(f"max_bytes must be an int, got {type(max_bytes).__name__}")
    if max_bytes < 0:
        raise ArgumentError(f"invalid argument max_bytes: must be >= 0, got {max_bytes}")
    try:
        data = _read_regular(path, max_bytes)
        if data.startswith(_GZIP_MAGIC):
            data = _inflate(path, data, max_bytes)
        text = data.decode("utf-8")
    except (OSError, EOFError, UnicodeDecodeError, zlib.error) as e:
        if isinstance(e, FileNotFoundError):
            raise
        raise ResultsFileError(f"{path}: not an aibubble results file ({e})") from e
    return Result(_core.Results.from_json(text))


def _too_large(path: Any, limit: int, what: str) -> ResultsFileError:
    return ResultsFileError(
        f"{path}: {what} more than {limit} bytes, the limit of aibubble.load "
        f"(pass max_bytes= to read a larger results file)"
    )


def _read_regular(path: Union[str, "os.PathLike[str]"], limit: int) -> bytes:
    """At most ``limit`` bytes of a regular file, or ``ResultsFileError``."""
    # O_NONBLOCK: opening a FIFO for reading would otherwise wait for a writer.
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0)
    fd = os.open(path, flags)
    with open(fd, "rb", closefd=True) as f:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            kind = _FILE_KINDS.get(stat.S_IFMT(st.st_mode), "not a regular file")
            raise ResultsFileError(f"{path}: not a results file ({kind}); load reads regular files only")
        if st.st_size > limit:
            raise _too_large(path, limit, "holds")
        # The size may change while it is read: read one byte past the limit at most.
        data = f.read(limit + 1)
    if len(data) > limit:
        raise _too_large(path, limit, "holds")
    return data


_FILE_KINDS = {
    stat.S_IFDIR: "a directory",
    stat.S_IFIFO: "a FIFO",
    stat.S_IFCHR: "a character device",
    stat.S_IFBLK: "a block device",
    stat.S_IFSOCK: "a socket",
}


def _inflate(path: Any, data: bytes, limit: int) -> bytes:
    """The gzip members of ``data`` inflated, stopping as soon as they pass ``limit`` bytes."""
    out = bytearray()
    rest = data
    while True:
        d = zlib.decompressobj(wbits=zlib.MAX_WBITS | 16)
        chunk = rest
        while True:
            # Never more than one byte past the limit in memory.
            out += d.decompress(chunk, limit + 1 - len(out))
            if len(out) > limit:
                raise _too_large(path, limit, "inflates to")
            chunk = d.unconsumed_tail
            if d.eof or not chunk:
                break
        if not d.eof:
            raise EOFError("compressed file ended before the end-of-stream marker was reached")
        rest = d.unused_data
        if not rest.strip(b"\0"):  # gzip allows zero padding after the last member
            return bytes(out)
        if not rest.startswith(_GZIP_MAGIC):
            raise OSError("trailing garbage after the compressed data")


class Result:
    """The results of a run: per-path metrics, quantile time series, stored paths.

    Lab metrics are per path (``fair_value``, ``phi``, ``pop_time``, ...); a
    time that never came is ``inf``; what does not apply to a lab without a
    mark is ``NaN``.
    """

    __slots__ = ("_inner", "_summary")

    def __init__(self, inner: _core.Results) -> None:
        self._inner = inner
        self._summary: Optional[Dict[str, Any]] = None

    # Raw -------------------------------------------------------------------
    @property
    def n_paths(self) -> int:
        """Paths held (``end - start``)."""
        return len(self._inner)

    @property
    def path_range(self) -> Tuple[int, int]:
        return (self._inner.start, self._inner.end)

    @property
    def seed(self) -> int:
        return self._inner.seed

    @property
    def scenario(self) -> Scenario:
        return Scenario.from_json_str(self._inner.scenario_json)

    @property
    def labs(self) -> List[str]:
        return list(self._inner.lab_ids)

    @property
    def keep_years(self) -> bool:
        """Whether the run kept each year's revenue and FCF per path (``keep_years``)."""
        return bool(self._inner.keep_years)

    def summary_dict(self) -> Dict[str, Any]:
        """The CLI's ``--json`` summary as a dict."""
        if self._summary is None:
            self._summary = json.loads(self._inner.summary_json())
        return self._summary

    def summary_json(self) -> str:
        """The CLI's ``--json`` summary as text (same scenario and seed give
        the same text). :meth:`save` writes the full results."""
        return self._inner.summary_json()

    def to_json(self) -> str:
        """Deprecated alias of :meth:`summary_json`: it returns the summary,
        not the full results (see :meth:`save`)."""
        warnings.warn(
            "Result.to_json() is deprecated: use Result.summary_json(), which returns the same summary",
            DeprecationWarning,
            stacklevel=2,
        )
        return self.summary_json()

    # Tables ------------------------------------------------------------------
    def summary(self) -> pd.DataFrame:
        """One row per lab: the JSON summary flattened (``fair_value_p50``,
        ``phi_p_below_half``, ``p_pop``, ``p_pop_se``, ...). Each statistic
        has the count of the paths that define it (``tv_share_n``); over none
        (``tv_share`` where PV <= 0 on every path) its figures are missing
        and the count is 0."""
        rows = []
        for lab in self.summary_dict()["labs"]:
            row: Dict[str, Any] = {}
            for k, v in lab.items():
                if k in ("revenue", "fcf", "pop_by_year", "crunch_by_year"):
                    continue
                if isinstance(v, dict):
                    row.update({f"{k}_{kk}": vv for kk, vv in v.items()})
                elif v is None and k in ("phi", "drawdown", "mark_distribution"):
                    continue
                else:
                    row[k] = v
            rows.append(row)
        df = pd.DataFrame(rows).set_index("id")
        # A count is missing where the statistic does not apply (phi of a lab
        # without a mark): no path defines it.
        counts = [c for c in df.columns if c.endswith("_n")]
        df[counts] = df[counts].fillna(0)
        return df.astype({c: (int if c in counts else float) for c in df.columns if c not in ("name", "class")})

    def net(self, frozen: "Result") -> pd.DataFrame:
        """Figures of this run of a scenario ``S`` net of ``frozen``, the run of
        ``S.freeze_competition()`` on the same seed and paths
        (docs/equations.md §11): one row per lab, indexed by id, with
        ``p_pop``, ``p_zero`` (P(fair value = 0)) and ``p_crunch`` in ``S``,
        their ``*_frozen`` values, the paired differences ``*_net`` with
        standard errors ``*_net_se`` (``sd(d) / sqrt(N)`` of the per-path
        difference of the 0/1 indicators), ``p_pop_only_competition`` (a pop
        in ``S`` and none frozen) and ``p_pop_only_counterfactual``, and
        the mean fair values with ``fair_value_net`` (mean of the per-path
        ``E(S) - E(freeze(S))``, USD bn). Pop and crunch figures are NaN for
        labs without a mark.

        Raises :class:`ArgumentError` when the runs do not pair: ``frozen``
        is not of ``S.freeze_competition()``, or the seeds, paths or path
        ranges differ.
        """
        if not isinstance(frozen, Result):
            raise TypeError(f"frozen must be an aibubble.Result, got {type(frozen).__name__}")
        labs = json.loads(self._inner.net_json(frozen._inner))["labs"]
        df = pd.DataFrame(labs, columns=["id", *NET_COLUMNS]).set_index("id")
        return df.astype({c: float for c in NET_COLUMNS if c != "name"})

    def sector(self) -> pd.Series:
        """The closed labs with a mark, together: marks, fair value and phi."""
        s = self.summary_dict()["sector"]
        out: Dict[str, Any] = {"labs": ", ".join(s["labs"]), "mark": s["mark"]}
        for key in ("fair_value", "phi"):
            out.update({f"{key}_{k}": v for k, v in s[key].items()})
        return pd.Series(out, name="sector")

    def distribution(self, lab: str, metric: str) -> np.ndarray:
        """Per-path values of a lab metric: one of :data:`LAB_METRICS`, or
        ``revenue.<year>`` / ``fcf.<year>`` (calendar-year sums)."""
        if not isinstance(lab, str) or not isinstance(metric, str):
            raise TypeError("lab and metric are strings")
        return self._inner.distribution(lab, metric)

    def pv_savings(self) -> np.ndarray:
        """Per path, the present value of the savings moved to users (USD bn)."""
        return self._inner.pv_savings()

    def event_summary(self) -> pd.DataFrame:
        """P(each event fires within the horizon), with its standard error."""
        rows = [
            {"id": e["id"], "name": e["name"], "p_fired": e["p_fired"], "p_fired_se": e["p_fired_se"]}
            for e in self.summary_dict()["events"]
        ]
        return pd.DataFrame(rows, columns=["id", "name", "p_fired", "p_fired_se"]).set_index("id")

    def inputs(self) -> pd.DataFrame:
        """The drawn inputs per path, one column per field path."""
        names, arr = self._inner.inputs()
        return self._frame(names, arr)

    def per_path(self) -> pd.DataFrame:
        """Every per-path metric and input, one row per path."""
        names, arr = self._inner.per_path()
        return self._frame(names, arr)

    def events(self) -> pd.DataFrame:
        """Firing time of each event per path, as a calendar year (``inf``: never)."""
        names, arr = self._inner.events()
        return self._frame(names, arr + self._inner.start_year)

    def pop_probability_by_year(self) -> pd.DataFrame:
        """P(bubble pop by the end of each calendar year), one column per marked lab."""
        data = {}
        for lab in self.summary_dict()["labs"]:
            if lab["pop_by_year"] is not None:
                data[lab["id"]] = pd.Series({y["year"]: y["p"] for y in lab["pop_by_year"]})
        df = pd.DataFrame(data)
        df.index.name = "year"
        return df

    def annual(self, lab: str, variable: str = "revenue", quantiles: Optional[bool] = None) -> pd.DataFrame:
        """Calendar-year ``revenue`` or ``fcf`` of a lab: the paths (``n``),
        mean, sd and se, and the quantiles ``p5`` ... ``p95`` of a run with
        ``keep_years``. ``quantiles=True`` asks for them (an
        :class:`ArgumentError` naming ``keep_years`` without it),
        ``False`` leaves them out; by default they are there when kept."""
        _check_str(lab=lab, variable=variable)
        if variable not in ("revenue", "fcf"):
            raise ArgumentError(f"invalid argument variable: 'revenue' or 'fcf', got {variable!r}")
        if quantiles is not None and not isinstance(quantiles, bool):
            raise TypeError(f"quantiles must be a bool or None, got {type(quantiles).__name__}")
        if quantiles and not self.keep_years:
            raise ArgumentError(
                "invalid argument keep_years: per-year quantiles need a run that keeps yearly values "
                "per path: simulate(..., keep_years=True); without it a run keeps each year's mean and sd only"
            )
        moments = ["year", "fraction", "n", "mean", "sd", "se"]
        for entry in self.summary_dict()["labs"]:
            if entry["id"] == lab:
                df = pd.DataFrame(entry[variable])
                if quantiles is False:
                    df = df[moments]
                return df.set_index("year")
        raise ArgumentError(f"invalid argument lab: unknown lab {lab!r} (labs: {', '.join(self.labs)})")

    def timeseries(self, variable: str, lab: Optional[str] = None, segment: Optional[str] = None) -> pd.DataFrame:
        """Quantiles (p5 ... p95) of a series at every quarter end, indexed by calendar time.

        ``variable`` is one of :data:`SERIES`; ``revenue``, ``gross_margin``, ``market_value`` and
        ``cash`` need ``lab``, ``closed_share`` needs ``segment``.
        """
        _check_str(variable=variable, lab=lab, segment=segment)
        times, q = self._inner.quantiles(variable, lab=lab, segment=segment)
        df = pd.DataFrame(q, columns=[f"p{round(100 * x)}" for x in QUANTILES])
        df.index = pd.Index(np.asarray(times), name="time")
        return df

    def trajectories(self, variable: str, lab: Optional[str] = None, segment: Optional[str] = None) -> np.ndarray:
        """Every step of the stored paths (see ``store_paths`` of :func:`simulate`)
        of one series of :data:`SERIES`: shape ``(n_stored, steps + 1)``, the
        columns at :meth:`times`."""
        _check_str(variable=variable, lab=lab, segment=segment)
        return self._inner.stored(variable, lab=lab, segment=segment)

    def paths(self, variable: str, lab: Optional[str] = None, segment: Optional[str] = None) -> np.ndarray:
        """Deprecated alias of :meth:`trajectories` (``n_paths`` is the number of paths)."""
        warnings.warn(
            "Result.paths() is deprecated: use Result.trajectories(), which returns the same arrays",
            DeprecationWarning,
            stacklevel=2,
        )
        return self.trajectories(variable, lab=lab, segment=segment)

    def times(self) -> np.ndarray:
        """Calendar time of each step, the columns of :meth:`trajectories`."""
        n = self._inner.steps_per_year
        return self._inner.start_year + np.arange(self._inner.steps + 1) / n

    # Persistence -------------------------------------------------------------
    def save(self, path: Union[str, "os.PathLike[str]"], *, compress: bool = False) -> None:
        """Write the full results so that :func:`load` reads them back, bit for bit.

        The file is JSON with the per-path columns as base64 of their float64
        bytes (about 3.4 kB per path for ``baseline``); ``compress=True``
        gzips it, which halves the size but takes several times longer. The
        file is written to a new temporary file of a random name beside it
        (created exclusively: a file or link already there is never written
        through) and renamed over ``path``, so it is complete or absent, and
        of two saves to one path at once, one wins whole.
        """
        data = self._inner.to_json().encode("utf-8")
        if compress:
            data = gzip.compress(data, compresslevel=1)
        write_atomic(path, lambda f: f.write(data))

    def to_excel(self, path: Union[str, "os.PathLike[str]"], *, max_rows: Optional[int] = None) -> None:
        """Write the run as an Excel workbook (needs XlsxWriter, in the
        ``explore`` extra): Summary (with native charts of a revenue fan and
        the phi histogram), Inputs, Time series, Per path and Sources; see
        :mod:`aibubble.excel`. The file is complete or absent."""
        from .excel import write_workbook

        write_workbook(self, path, max_rows=max_rows)

    def __reduce__(self) -> Any:
        return (_restore, (self._inner.to_json(),))

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Result) and self._inner == other._inner

    __hash__ = None  # type: ignore[assignment]

    # Display -------------------------------------------------------------------
    def _index(self) -> pd.Index:
        start, end = self.path_range
        return pd.RangeIndex(start, end, name="path")

    def _frame(self, names: List[str], arr: np.ndarray) -> pd.DataFrame:
        # The core gives a (0, 0) array when there are no columns (no events).
        arr = arr.reshape(self.n_paths, len(names))
        return pd.DataFrame(arr, columns=names, index=self._index())

    def _headline(self) -> str:
        s = self.summary_dict()
        return f"aibubble results: scenario {s['scenario']!r}, {s['paths']} paths, seed {s['seed']}"

    def _table(self) -> pd.DataFrame:
        df = self.summary()
        cols = ["name", "class", "mark", "fair_value_p5", "fair_value_p50", "fair_value_p95", "p_zero"]
        cols += [c for c in ("phi_p_below_half", "p_pop", "p_crunch") if c in df.columns]
        return df[cols + ["p_cash_negative"]]

    def __repr__(self) -> str:
        return f"{self._headline()}\n{self._table().to_string()}"

    def _repr_html_(self) -> str:
        sector = self.summary_dict()["sector"]
        note = (
            f"<p>Sector ({', '.join(sector['labs'])}): marks {sector['mark']:.0f} bn, "
            f"median fair value {sector['fair_value']['p50']:.0f} bn, "
            f"P(fair value &lt; half the marks) {100 * sector['phi']['p_below_half']:.1f}%</p>"
        )
        table = self._table().to_html(float_format=lambda x: f"{x:,.3g}", na_rep="-")
        return f"<p><b>{self._headline()}</b></p>{table}{note}"


def _restore(text: str) -> Result:
    return Result(_core.Results.from_json(text))
