"""A live explorer of a scenario (``aibubble.explore``): sliders over the
inputs that drive the story, each change rerun on common random numbers.

Each input moves as the reverse DCF moves it (``Scenario.movement``): a
fixed input is set to the slider's value; an uncertain one keeps its shape,
every draw shifted (or, on a positive-only domain, scaled) so that its
median sits at the slider's value. The moved draws go to the engine as an
input table built from the starting run's own draws, so every other draw
and every shock stays the same: a difference from the starting scenario is
the assumption's, not the noise's. Each rerun also runs the
frozen-competition counterfactual of the current settings on the same
paths and seed, for P(pop) beside its frozen value.

The logic lives in :class:`Explorer` (usable, and tested, without a
browser); :meth:`Explorer.widget` builds the ipywidgets interface, whose
reruns run on a worker thread after a short debounce, so the kernel stays
responsive.
"""

from __future__ import annotations

import concurrent.futures
import datetime as _dt
import io
import json
import os
import threading
from dataclasses import dataclass
from typing import Any, Dict, List, Optional, Sequence, Tuple, Union

import numpy as np
import pandas as pd

from . import _core, _tables
from ._files import write_atomic
from ._html import table as html_table
from ._outputs import axis_label
from ._result import SERIES, Result, simulate
from ._scenario import Scenario
from .errors import AibubbleError, ArgumentError

#: The inputs offered first, where the scenario has them (``{event}`` stands
#: for each event's id).
STORY_INPUTS: Tuple[str, ...] = (
    "gap.half_life",
    "gap.long_run",
    "prices.premium_sensitivity",
    "segments.enterprise.substitution",
    "segments.consumer.substitution",
    "segments.enterprise.elasticity",
    "events.{event}.hazard",
    "labs.openai.committed",
    "valuation.discount_rate",
    "labs.openai.mark",
    "labs.anthropic.mark",
)

# Per-lab table: (column, summary statistic), in display order.
_TABLE = [
    ("fair value p50", "fair_value_p50"),
    ("fair value mean", "fair_value_mean"),
    ("phi p50", "phi_p50"),
    ("P(pop)", "p_pop"),
    ("P(pop), frozen", None),
    ("P(crunch)", "p_crunch"),
]


@dataclass(frozen=True)
class Movement:
    """How one input moves: ``how`` is ``set``, ``shift`` or ``scale``;
    ``today`` its central value (fixed value or median) in the starting
    scenario; ``lo``/``hi`` the slider's range, inside what it can take."""

    path: str
    how: str
    today: float
    lo: float
    hi: float
    unit: str


def movement(scenario: Scenario, path: str) -> Movement:
    """How ``path`` moves in ``scenario`` (an :class:`ArgumentError` naming
    it if it is not an input that may be uncertain)."""
    m = json.loads(scenario._inner.movement(path))
    lo, hi = m["bracket"]
    return Movement(path, m["how"], float(m["today"]), float(lo), float(hi), m["unit"])


def _story_inputs(scenario: Scenario) -> List[str]:
    events = [e["id"] for e in scenario.to_dict().get("events", [])]
    out: List[str] = []
    for p in STORY_INPUTS:
        for path in [p.format(event=e) for e in events] if "{event}" in p else [p]:
            try:
                movement(scenario, path)
            except AibubbleError:
                continue
            out.append(path)
    return out


class Explorer:
    """The explorer's state and reruns, without any widget.

    ``scenario`` is a :class:`Scenario`, a preset name or a scenario file
    path; ``inputs`` the field paths to offer (default: :data:`STORY_INPUTS`
    the scenario has); ``paths`` and ``seed`` those of every run.
    """

    def __init__(
        self,
        scenario: Union[Scenario, str, "os.PathLike[str]"],
        *,
        inputs: Optional[Sequence[str]] = None,
        paths: int = 2_000,
        seed: int = 42,
    ) -> None:
        self.base, self.base_file = _load(scenario)
        self.seed = _check_int("seed", seed, 0)
        self.paths = _check_int("paths", paths, 1)
        self.moves: Dict[str, Movement] = {}
        self.values: Dict[str, float] = {}
        self._lock = threading.Lock()
        for path in _story_inputs(self.base) if inputs is None else inputs:
            self.add_input(path)
        self._start: Optional[Tuple[Result, Result]] = None
        self.result: Optional[Result] = None
        self.frozen: Optional[Result] = None

    # Inputs ---------------------------------------------------------------
    def add_input(self, path: str) -> Movement:
        """Offer one more input (any field path that may be uncertain)."""
        if not isinstance(path, str):
            raise TypeError(f"path must be a str, got {type(path).__name__}")
        if path not in self.moves:
            m = self._widened(movement(self.base, path))
            self.moves[path] = m
            self.values[path] = m.today
        return self.moves[path]

    def _admits(self, path: str, x: float) -> bool:
        try:
            self.base._inner.moved(path, x)
        except AibubbleError:
            return False
        return True

    def _widened(self, m: Movement) -> Movement:
        """The analyses' bracket is narrow for a small rate (a hazard of 2%
        a year spans up to 12%): a slider reaches up to ten times today's
        value, or as far as the input can go."""
        if not (m.today > 0 and m.hi < 10 * m.today):
            return m
        hi, target = m.hi, 10 * m.today
        if self._admits(m.path, target):
            hi = target
        else:
            ok, bad = m.hi, target
            for _ in range(40):
                mid = 0.5 * (ok + bad)
                ok, bad = (mid, bad) if self._admits(m.path, mid) else (ok, mid)
            hi = ok
        return Movement(m.path, m.how, m.today, m.lo, hi, m.unit)

    def set(self, path: str, value: float) -> None:
        """Put ``path``'s central value at ``value`` (checked against what
        the input can take; the rerun is :meth:`run`'s)."""
        m = self.moves.get(path) or self.add_input(path)
        x = float(value)
        if not (np.isfinite(x)):
            raise ArgumentError(f"invalid argument {path}: a finite number, got {value!r}")
        # The engine's own check names the field and the domain.
        json.loads(self.base._inner.moved(path, x))
        self.values[m.path] = x

    def changed(self) -> Dict[str, float]:
        """The inputs moved away from the starting scenario, with their values."""
        return {p: v for p, v in self.values.items() if v != self.moves[p].today}

    def set_paths(self, paths: int) -> None:
        """Change the paths per run (the starting runs are made again)."""
        self.paths = _check_int("paths", paths, 1)
        self._start = None

    # Runs -----------------------------------------------------------------
    def scenario(self) -> Scenario:
        """The current settings as a scenario: every moved input set, or its
        distribution moved (what :meth:`save_scenario` writes)."""
        overrides = {p: json.loads(self.base._inner.moved(p, v)) for p, v in self.changed().items()}
        return self.base.replace(overrides) if overrides else self.base

    def _start_runs(self) -> Tuple[Result, Result]:
        if self._start is None:
            r = simulate(self.base, paths=self.paths, seed=self.seed)
            f = simulate(self.base.freeze_competition(), paths=self.paths, seed=self.seed)
            self._start = (r, f)
        return self._start

    def _runs(self, values: Dict[str, float]) -> Tuple[Result, Result]:
        start, _ = self._start_runs()
        fixed: Dict[str, Any] = {}
        table: Dict[str, np.ndarray] = {}
        draws = start.inputs()
        for p, v in values.items():
            m = self.moves[p]
            if v == m.today:
                continue
            if m.how == "set":
                fixed[p] = v
            elif m.how == "shift":
                table[p] = draws[p].to_numpy() + (v - m.today)
            else:
                table[p] = draws[p].to_numpy() * (v / m.today)
        s = self.base.replace(fixed) if fixed else self.base
        frozen = s.freeze_competition()
        inputs = pd.DataFrame(table) if table else None
        r = simulate(s, paths=self.paths, seed=self.seed, inputs=inputs)
        # The frozen counterfactual draws the inputs it does not pin.
        frozen_inputs = _columns_drawn_in(frozen, inputs)
        f = simulate(frozen, paths=self.paths, seed=self.seed, inputs=frozen_inputs)
        return r, f

    def run(self) -> pd.DataFrame:
        """Rerun at the current settings and return :meth:`table`."""
        with self._lock:
            values = dict(self.values)
        r, f = self._runs(values)
        with self._lock:
            self.result, self.frozen = r, f
        return self.table()

    def table(self) -> pd.DataFrame:
        """Per lab: fair value p50 and mean, phi p50, P(pop) beside its
        frozen-competition value, P(crunch); then the change of each
        against the starting scenario (``Δ`` columns)."""
        if self.result is None or self.frozen is None:
            self.run()
        assert self.result is not None and self.frozen is not None
        start, start_frozen = self._start_runs()
        now = _lab_table(self.result, self.frozen)
        then = _lab_table(start, start_frozen)
        for col in ("fair value mean", "P(pop)"):
            now[f"Δ {col}"] = now[col] - then[col]
        return now

    # Saving ---------------------------------------------------------------
    def save_scenario(self, path: Union[str, "os.PathLike[str]"], *, name: Optional[str] = None) -> str:
        """Write the current settings as a scenario file that ``extends`` the
        starting scenario (a preset by name, a file by its path relative to
        the new file), every moved input under ``[overrides]`` with a
        ``[sources]`` line saying it was set here. Returns the text written.
        The file is complete or absent."""
        path = os.fspath(path)
        if self.base_file is not None:
            rel = os.path.relpath(os.path.abspath(self.base_file), os.path.dirname(os.path.abspath(path)))
            extends = rel
        elif self.base.name in _core.presets() and Scenario.preset(self.base.name) == self.base:
            extends = self.base.name
        else:
            raise ArgumentError(
                "invalid argument scenario: save_scenario writes a file that extends the starting scenario, "
                "which must be a preset or a scenario file; start the explorer from one"
            )
        text = self.scenario_toml(extends, name=name)
        data = text.encode("utf-8")
        write_atomic(path, lambda f: f.write(data))
        return text

    def scenario_toml(self, extends: str, *, name: Optional[str] = None) -> str:
        """The TOML of :meth:`save_scenario`, extending ``extends``."""
        today = _dt.date.today().isoformat()
        lines = [
            "# Written by aibubble.explore: the starting scenario with the inputs moved in the explorer.",
            f"extends = {_toml_str(extends)}",
            f"name = {_toml_str(name or self.base.name + '_explored')}",
            "",
            "[overrides]",
        ]
        changed = self.changed()
        for p, v in changed.items():
            lines.append(f"{_toml_str(p)} = {_toml_value(json.loads(self.base._inner.moved(p, v)))}")
        lines += ["", "[sources]"]
        for p, v in changed.items():
            m = self.moves[p]
            what = "set to" if m.how == "set" else f"its distribution moved ({m.how}) to a median of"
            lines.append(
                f"{_toml_str(p)} = "
                + _toml_str(f"assumption: {what} {v:.6g} {m.unit} in aibubble.explore on {today} (was {m.today:.6g})")
            )
        return "\n".join(lines) + "\n"

    # Widgets --------------------------------------------------------------
    def widget(self, *, series: str = "revenue", lab: Optional[str] = None, debounce: float = 0.4) -> "ExplorerWidget":
        """The ipywidgets interface over this explorer."""
        return ExplorerWidget(self, series=series, lab=lab, debounce=debounce)


def _lab_table(r: Result, f: Result) -> pd.DataFrame:
    s, fs = r.summary(), f.summary()
    out = pd.DataFrame(index=s.index)
    for col, stat in _TABLE:
        if stat is None:
            out[col] = fs["p_pop"] if "p_pop" in fs.columns else np.nan
        else:
            out[col] = s[stat] if stat in s.columns else np.nan
    return out


def _columns_drawn_in(s: Scenario, inputs: Optional[pd.DataFrame]) -> Optional[pd.DataFrame]:
    if inputs is None:
        return None
    drawn = {row[0] for row in s._inner.fields() if row[4]}
    keep = [c for c in inputs.columns if c in drawn]
    return inputs[keep] if keep else None


def _load(scenario: Union[Scenario, str, "os.PathLike[str]"]) -> Tuple[Scenario, Optional[str]]:
    if isinstance(scenario, Scenario):
        return scenario, None
    if isinstance(scenario, (str, os.PathLike)):
        text = os.fspath(scenario)
        if isinstance(scenario, str) and text in _core.presets():
            return Scenario.preset(text), None
        if text.endswith(".json"):
            return Scenario.from_json(text), text
        return Scenario.from_toml(text), text
    raise TypeError(f"scenario must be a Scenario, a preset name or a file path, got {type(scenario).__name__}")


def _check_int(name: str, value: Any, least: int) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < least:
        raise ArgumentError(f"invalid argument {name}: an integer >= {least}, got {value!r}")
    return int(value)


def _toml_str(s: str) -> str:
    return json.dumps(s, ensure_ascii=False)


def _toml_value(v: Any) -> str:
    if isinstance(v, dict):
        return "{ " + ", ".join(f"{k} = {_toml_value(x)}" for k, x in v.items()) + " }"
    if isinstance(v, list):
        return "[" + ", ".join(_toml_value(x) for x in v) + "]"
    if isinstance(v, str):
        return _toml_str(v)
    return repr(float(v))


# The interface ------------------------------------------------------------


def _widgets() -> Any:
    try:
        import ipywidgets
    except ImportError as e:  # pragma: no cover - exercised without the extra
        raise ImportError('aibubble.explore needs ipywidgets: pip install "aibubble[explore]"') from e
    return ipywidgets


class ExplorerWidget:
    """Sliders, a per-lab table, a fan chart and the change against the
    starting scenario, over an :class:`Explorer`. A change is rerun after
    ``debounce`` seconds of quiet, on a worker thread; a newer change
    supersedes an older one."""

    def __init__(self, explorer: Explorer, *, series: str = "revenue", lab: Optional[str] = None, debounce: float = 0.4) -> None:
        w = _widgets()
        self.x = explorer
        self.debounce = float(debounce)
        self._pool = concurrent.futures.ThreadPoolExecutor(max_workers=1, thread_name_prefix="aibubble-explore")
        self._timer: Optional[threading.Timer] = None
        self._future: Optional["concurrent.futures.Future[None]"] = None
        self._generation = 0
        self._done_generation = -1
        self.runs = 0
        self._idle = threading.Condition()
        if series not in SERIES:
            raise ArgumentError(f"invalid argument series: one of {', '.join(SERIES)}, got {series!r}")
        labs = list(simulate(explorer.base, paths=1, seed=0).labs)
        self.sliders: Dict[str, Any] = {}
        self.slider_box = w.VBox()
        for path in explorer.moves:
            self._add_slider(path)
        self.paths = w.BoundedIntText(value=explorer.paths, min=1, max=10_000_000, step=1000, description="paths")
        self.series = w.Dropdown(options=list(SERIES), value=series, description="series")
        self.lab = w.Dropdown(options=labs, value=lab or labs[0], description="lab / segment")
        self.new_input = w.Text(placeholder="field path, e.g. gap.sigma", description="add input")
        self.add_button = w.Button(description="Add")
        self.save_path = w.Text(value=f"{explorer.base.name}_explored.toml", description="file")
        self.save_button = w.Button(description="Save scenario")
        self.status = w.HTML()
        self.table_html = w.HTML()
        self.changes_html = w.HTML()
        self.fan = w.Image(format="png", layout=w.Layout(width="720px"))
        self.paths.observe(self._on_paths, names="value")
        # Another series or lab redraws the fan from the run at hand.
        for c in (self.series, self.lab):
            c.observe(lambda _: self.schedule(now=True, redraw=True), names="value")
        self.add_button.on_click(self._on_add)
        self.save_button.on_click(self._on_save)
        controls = w.VBox(
            [
                w.HTML("<b>Inputs</b> (central value: fixed value or median; an uncertain input keeps its shape)"),
                self.slider_box,
                w.HBox([self.new_input, self.add_button]),
                w.HBox([self.paths, self.series, self.lab]),
                w.HBox([self.save_path, self.save_button]),
                self.status,
            ]
        )
        self.box = w.VBox([controls, self.table_html, self.changes_html, self.fan])
        self.schedule(now=True)

    def _ipython_display_(self) -> None:
        from IPython.display import display

        display(self.box)  # type: ignore[no-untyped-call]

    # Controls -------------------------------------------------------------
    def _add_slider(self, path: str) -> None:
        w = _widgets()
        m = self.x.moves[path]
        step = (m.hi - m.lo) / 200 if m.hi > m.lo else 0.01
        s = w.FloatSlider(
            value=self.x.values[path],
            min=m.lo,
            max=m.hi,
            step=step,
            description=path.split(".")[-1] if path.count(".") < 2 else ".".join(path.split(".")[1:]),
            readout_format=".4g",
            continuous_update=False,
            style={"description_width": "initial"},
            layout=w.Layout(width="560px"),
            tooltip=f"{path} ({m.unit}; {m.how})",
        )
        s.add_class("aibubble-slider")
        s.add_class("aibubble-input-" + path.replace(".", "-"))
        s.observe(lambda change, p=path: self._on_slider(p, change["new"]), names="value")
        self.sliders[path] = s
        self.slider_box.children = tuple(self.slider_box.children) + (
            w.HBox([s, w.HTML(f"<small><code>{path}</code> {m.unit}, {m.how}</small>")]),
        )

    def _on_slider(self, path: str, value: float) -> None:
        try:
            self.x.set(path, value)
        except AibubbleError as e:
            self.status.value = f"<span style='color:#b00'>{e}</span>"
            return
        self.schedule()

    def _on_paths(self, change: Dict[str, Any]) -> None:
        try:
            self.x.set_paths(int(change["new"]))
        except AibubbleError as e:
            self.status.value = f"<span style='color:#b00'>{e}</span>"
            return
        self.schedule()

    def _on_add(self, _: Any) -> None:
        path = self.new_input.value.strip()
        try:
            self.x.add_input(path)
        except AibubbleError as e:
            self.status.value = f"<span style='color:#b00'>{e}</span>"
            return
        if path not in self.sliders:
            self._add_slider(path)
        self.new_input.value = ""

    def _on_save(self, _: Any) -> None:
        try:
            self.x.save_scenario(self.save_path.value)
        except (AibubbleError, OSError) as e:
            self.status.value = f"<span style='color:#b00'>could not save: {e}</span>"
            return
        self.status.value = f"saved <code>{self.save_path.value}</code>"

    def set(self, path: str, value: float) -> None:
        """Move a slider from Python (as a user would)."""
        if path not in self.sliders:
            self.x.add_input(path)
            self._add_slider(path)
        self.sliders[path].value = value

    # Reruns ---------------------------------------------------------------
    def schedule(self, now: bool = False, redraw: bool = False) -> None:
        """Rerun after the debounce (at once with ``now``); with ``redraw``,
        only draw the fan again from the current run."""
        with self._idle:
            self._generation += 1
            gen = self._generation
            if self._timer is not None:
                self._timer.cancel()
            self._timer = threading.Timer(0.0 if now else self.debounce, self._submit, args=(gen, redraw))
            self._timer.daemon = True
            self._timer.start()

    def _submit(self, gen: int, redraw: bool) -> None:
        self._future = self._pool.submit(self._rerun, gen, redraw)

    def _rerun(self, gen: int, redraw: bool = False) -> None:
        if gen != self._generation:
            return  # superseded while waiting
        try:
            if redraw and self.x.result is not None:
                self.fan.value = self._fan_png()
                return
            self.status.value = "running…"
            table = self.x.run()
            self._show(table)
            self.runs += 1
            self.status.value = f"<span class='aibubble-status'>run {self.runs}: {self.x.paths:,} paths, seed {self.x.seed}</span>"
        except Exception as e:  # noqa: BLE001 - shown to the user, the explorer stays usable
            self.status.value = f"<span style='color:#b00'>{type(e).__name__}: {e}</span>"
        finally:
            with self._idle:
                self._done_generation = max(self._done_generation, gen)
                self._idle.notify_all()

    def wait(self, timeout: float = 120.0) -> bool:
        """Wait until the latest change has been rerun; False on timeout."""
        with self._idle:
            return self._idle.wait_for(lambda: self._done_generation >= self._generation, timeout)

    def close(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
        self._pool.shutdown(wait=False, cancel_futures=True)
        self.box.close()

    # Display --------------------------------------------------------------
    def _show(self, table: pd.DataFrame) -> None:
        keep = [lab for lab in table.index if not table.loc[lab].drop(["Δ fair value mean"]).isna().all()]
        self.table_html.value = "<b>Per lab</b>" + html_table(table.loc[keep], "explorer")
        changed = self.x.changed()
        if changed:
            rows = pd.DataFrame(
                [{"input": p, "from": self.x.moves[p].today, "to": v, "unit": self.x.moves[p].unit} for p, v in changed.items()]
            )
            self.changes_html.value = "<b>Changed against the starting scenario</b>" + html_table(rows, "changes", index=False)
        else:
            self.changes_html.value = "<i>The starting scenario: move a slider.</i>"
        self.fan.value = self._fan_png()

    def _fan_png(self) -> bytes:
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure

        r = self.x.result
        assert r is not None
        series, who = self.series.value, self.lab.value
        per = _tables.series_entities(r, series)
        kw: Dict[str, Any] = {}
        if per != [None]:
            entity = who if who in per else per[0]
            kw = {"segment": entity} if series == "closed_share" else {"lab": entity}
        q = r.timeseries(series, **kw)
        start = self.x._start_runs()[0].timeseries(series, **kw)
        fig = Figure(figsize=(8, 3.6))
        FigureCanvasAgg(fig)
        ax = fig.add_subplot()
        t = q.index.to_numpy()
        ax.fill_between(t, q["p5"], q["p95"], alpha=0.2, color="C0", label="p5-p95")
        ax.fill_between(t, q["p25"], q["p75"], alpha=0.35, color="C0", label="p25-p75")
        ax.plot(t, q["p50"], color="C0", label="median")
        ax.plot(start.index, start["p50"], color="0.4", ls="--", label="median, starting scenario")
        ax.set_ylabel(axis_label(series))
        ax.set_title(f"{series}{' of ' + next(iter(kw.values())) if kw else ''}")
        ax.legend(loc="best", fontsize=8)
        fig.tight_layout()
        buf = io.BytesIO()
        fig.savefig(buf, format="png", dpi=90)
        return buf.getvalue()


def explore(
    scenario: Union[Scenario, str, "os.PathLike[str]"],
    *,
    inputs: Optional[Sequence[str]] = None,
    paths: int = 2_000,
    seed: int = 42,
    series: str = "revenue",
    lab: Optional[str] = None,
    debounce: float = 0.4,
) -> ExplorerWidget:
    """A live explorer of ``scenario`` in Jupyter: sliders over the inputs
    that drive the story (:data:`STORY_INPUTS`, plus any field path added in
    the interface), each change rerun on common random numbers at ``paths``
    paths and ``seed``; a per-lab table (fair value p50 and mean, phi, P(pop)
    beside its frozen-competition value, P(crunch)), a fan chart of a chosen
    series and the change against the starting scenario; "Save scenario"
    writes the settings as a TOML file that ``extends`` the scenario.

    Needs the ``explore`` extra (``pip install "aibubble[explore]"``)."""
    return Explorer(scenario, inputs=inputs, paths=paths, seed=seed).widget(series=series, lab=lab, debounce=debounce)


__all__ = ["explore", "Explorer", "ExplorerWidget", "Movement", "movement", "STORY_INPUTS"]
