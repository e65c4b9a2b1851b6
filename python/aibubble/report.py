"""A self-contained HTML report of one or more runs (``aibubble.report``).

One file that works offline: Plotly's JavaScript is embedded once, every
chart's data is in the page. Contents, per scenario: the question and the
scenario's description; the per-lab table; fan charts of revenue, gross
margins and marks; the phi distributions; P(pop) by year; the comparison
with the frozen-competition counterfactual and the Shapley channels of the
repricing; the reverse-DCF table; every input with its distribution and
source; the assumptions; the run's seed, paths and version. Several runs
are compared side by side first.

Every number in a table is a cell with its exact value in ``data-value``
(what the browser test checks against the result) and a rounded display.
"""

from __future__ import annotations

import html
import os
from typing import Any, Dict, List, Mapping, Optional, Sequence, Tuple, Union, cast

import numpy as np
import pandas as pd

from . import _core, _tables
from ._html import table as _table
from ._compare import channels as _channels
from ._files import write_atomic
from ._implied import implied as _implied
from ._outputs import axis_label
from ._result import Result, simulate
from .errors import ArgumentError

QUESTION = (
    "What happens to the valuations of the closed AI labs if open-weight models keep getting "
    "almost as good for a fraction of the price? Each run below draws the uncertain inputs and "
    "the process noise path by path and values every lab by discounted cash flow; phi is fair "
    "value over the latest mark, a pop a quarter-end mark below the pop threshold."
)

Results = Union[Result, Sequence[Result], Mapping[str, Result]]


def _plotly() -> Tuple[Any, Any, Any]:
    try:
        import plotly.graph_objects as go
        import plotly.offline as po
        from plotly.subplots import make_subplots
    except ImportError as e:  # pragma: no cover - exercised without the extra
        raise ImportError('aibubble.report needs Plotly: pip install "aibubble[explore]"') from e
    return go, po, make_subplots


def _named(results: Results) -> List[Tuple[str, Result]]:
    if isinstance(results, Result):
        return [(results.scenario.name, results)]
    items = list(results.items()) if isinstance(results, Mapping) else [(None, r) for r in results]
    if not items:
        raise ArgumentError("invalid argument results: at least one Result")
    out: List[Tuple[str, Result]] = []
    seen: Dict[str, int] = {}
    for name, r in items:
        if not isinstance(r, Result):
            raise TypeError(f"results: expected aibubble.Result, got {type(r).__name__}")
        name = r.scenario.name if name is None else str(name)
        if name in seen:
            seen[name] += 1
            name = f"{name} ({seen[name]})"
        else:
            seen[name] = 1
        out.append((name, r))
    return out


def report(
    results: Results,
    path: Union[str, "os.PathLike[str]"],
    *,
    analyses: bool = True,
    analysis_paths: int = 2_000,
    title: Optional[str] = None,
) -> None:
    """Write an HTML report of ``results`` (a :class:`Result`, a list of
    them, or a mapping of names to them) at ``path``, complete or absent.

    With ``analyses`` (the default), each scenario's frozen-competition
    counterfactual is run on the result's own paths and seed (a paired
    comparison), and the Shapley channels and the reverse DCF of each marked
    closed lab are run at ``analysis_paths`` paths on the result's seed
    (about a minute per scenario at 2,000 paths); ``analyses=False`` leaves
    those sections out and says so.
    """
    named = _named(results)
    if isinstance(analysis_paths, bool) or not isinstance(analysis_paths, int) or analysis_paths < 1:
        raise ArgumentError(f"invalid argument analysis_paths: a positive integer, got {analysis_paths!r}")
    page = _Page(title or "aibubble report: " + ", ".join(n for n, _ in named))
    if len(named) > 1:
        page.side_by_side(named)
    for name, r in named:
        page.scenario(name, r, analyses=analyses, analysis_paths=analysis_paths)
    text = page.render().encode("utf-8")
    write_atomic(path, lambda f: f.write(text))


CSS = """
body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:2rem auto;max-width:1200px;color:#222;padding:0 1rem}
h1{font-size:1.6rem} h2{border-bottom:2px solid #ddd;padding-bottom:.2rem;margin-top:2.5rem} h3{margin-top:1.8rem}
table{border-collapse:collapse;font-size:.85rem;margin:.5rem 0 1rem;display:block;overflow-x:auto}
th,td{border-bottom:1px solid #e4e4e4;padding:.2rem .5rem;text-align:left;vertical-align:top}
td.num{text-align:right;font-variant-numeric:tabular-nums} th{background:#f5f5f5}
.note{color:#555;font-size:.9rem} .chart{margin:1rem 0} code{background:#f3f3f3;padding:0 .2rem}
"""


class _Page:
    def __init__(self, title: str) -> None:
        self.go, self.po, self.make_subplots = _plotly()
        self.title = title
        self.parts: List[str] = []
        self.charts = 0

    def add(self, s: str) -> None:
        self.parts.append(s)

    def chart(self, fig: Any, name: str) -> None:
        self.charts += 1
        fig.update_layout(template="plotly_white", margin={"l": 60, "r": 20, "t": 50, "b": 50})
        div = fig.to_html(full_html=False, include_plotlyjs=False, div_id=f"chart-{self.charts}", config={"responsive": True})
        self.add(f'<div class="chart" data-chart="{html.escape(name)}">{div}</div>')

    def render(self) -> str:
        js = self.po.get_plotlyjs()
        return (
            '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
            f"<title>{html.escape(self.title)}</title><style>{CSS}</style>"
            f'<script type="text/javascript">{js}</script></head><body>'
            f"<h1>{html.escape(self.title)}</h1><p>{html.escape(QUESTION)}</p>"
            + "".join(self.parts)
            + f'<p class="note">Made by aibubble {html.escape(_core.__version__)}.</p></body></html>'
        )

    # Sections -------------------------------------------------------------
    def side_by_side(self, named: List[Tuple[str, Result]]) -> None:
        self.add("<h2>The scenarios side by side</h2>")
        # The marked labs' headline statistics, one column per scenario.
        stats = ["fair value, mean", "fair value, p50", "phi, p50", "P(phi < 1/2)", "P(pop)", "P(crunch)"]
        rows = []
        labs: List[str] = []
        for _, r in named:
            labs += [lab for lab in _tables.marked_labs(r) if lab not in labs]
        heads = {name: _tables.headline(r) for name, r in named}
        for lab in labs:
            for stat in stats:
                row: Dict[str, Any] = {"lab": lab, "statistic": stat}
                for name, _ in named:
                    h = heads[name]
                    row[name] = float(cast(Any, h.loc[lab, stat])) if lab in h.index and stat in h.columns else float("nan")
                rows.append(row)
        self.add(_table(pd.DataFrame(rows), "side-by-side", index=False))
        go = self.go
        fig = go.Figure()
        for name, r in named:
            pop = r.pop_probability_by_year()
            for lab in pop.columns:
                fig.add_trace(go.Scatter(x=pop.index, y=pop[lab], mode="lines+markers", name=f"{name}: {lab}"))
        fig.update_layout(title="P(pop) by the end of each year", xaxis_title="year", yaxis_title="probability")
        self.chart(fig, "pop-by-year-all")

    def scenario(self, name: str, r: Result, *, analyses: bool, analysis_paths: int) -> None:
        info = _tables.run_info(r)
        self.add(f"<h2>Scenario {html.escape(name)}</h2><p>{html.escape(str(info['description']))}</p>")
        self.add(
            f'<p class="note">Run: {info["paths"]:,} paths, seed {info["seed"]}, start {info["start year"]}, '
            f"aibubble {html.escape(str(info['aibubble version']))}.</p>"
        )
        self.add("<h3>Per lab</h3>")
        self.add(_table(_tables.headline(r), f"headline:{name}"))
        labs = _tables.marked_labs(r)
        for series in ("revenue", "gross_margin", "market_value"):
            self.fan(r, series, labs, name)
        self.phi(r, labs, name)
        self.pop(r, name)
        if analyses:
            self.frozen(r, name)
            self.channels(r, labs, name, analysis_paths)
            self.implied(r, labs, name, analysis_paths)
        else:
            self.add('<p class="note">The counterfactual, channels and reverse DCF were left out (analyses=False).</p>')
        self.add("<h3>Inputs</h3>")
        self.add(_table(_tables.inputs_table(r), f"inputs:{name}", index=False))
        src = _tables.sources_table(r)
        self.add("<h3>Assumptions</h3><p class='note'>Inputs that no dated source gives, as the scenario states them.</p><ul>")
        for row in src[src["assumption"]].itertuples():
            self.add(f"<li><code>{html.escape(str(row.path))}</code>: {html.escape(str(row.source))}</li>")
        self.add("</ul>")

    def fan(self, r: Result, series: str, labs: List[str], name: str) -> None:
        if not labs:
            return
        go = self.go
        fig = self.make_subplots(rows=1, cols=len(labs), subplot_titles=labs, shared_yaxes=False)
        for j, lab in enumerate(labs, start=1):
            q = r.timeseries(series, lab=lab)
            t = q.index.to_numpy()
            for lo, hi, alpha in (("p5", "p95", 0.18), ("p25", "p75", 0.35)):
                fig.add_trace(go.Scatter(x=t, y=q[hi], mode="lines", line={"width": 0}, showlegend=False, hoverinfo="skip"), 1, j)
                fig.add_trace(
                    go.Scatter(
                        x=t, y=q[lo], mode="lines", line={"width": 0}, fill="tonexty",
                        fillcolor=f"rgba(31,119,180,{alpha})", name=f"{lo}-{hi}", showlegend=j == 1,
                    ),
                    1, j,
                )
            fig.add_trace(go.Scatter(x=t, y=q["p50"], mode="lines", line={"color": "#1f77b4"}, name="p50", showlegend=j == 1), 1, j)
        fig.update_layout(title=f"{axis_label(series)}: fan of p5-p95, p25-p75 and the median", height=360)
        self.chart(fig, f"fan:{series}:{name}")

    def phi(self, r: Result, labs: List[str], name: str) -> None:
        if not labs:
            return
        go = self.go
        fig = go.Figure()
        for lab in labs:
            x = r.distribution(lab, "phi")
            x = x[np.isfinite(x)]
            hi = float(np.quantile(x, 0.99)) if x.size else 1.0
            fig.add_trace(go.Histogram(x=np.clip(x, None, hi), name=lab, opacity=0.6, histnorm="probability", nbinsx=60))
        fig.add_vline(x=1.0, line_dash="dash", line_color="#888")
        fig.update_layout(barmode="overlay", title="phi = fair value / latest mark (clipped at its 99th percentile)", xaxis_title="phi", yaxis_title="share of paths")
        self.chart(fig, f"phi:{name}")

    def pop(self, r: Result, name: str) -> None:
        pop = r.pop_probability_by_year()
        if pop.empty:
            return
        go = self.go
        fig = go.Figure([go.Scatter(x=pop.index, y=pop[lab], mode="lines+markers", name=lab) for lab in pop.columns])
        fig.update_layout(title="P(pop) by the end of each year", xaxis_title="year", yaxis_title="probability")
        self.chart(fig, f"pop:{name}")
        self.add(_table(pop, f"pop:{name}"))

    def frozen(self, r: Result, name: str) -> None:
        frozen = simulate(r.scenario.freeze_competition(), paths=r.n_paths, seed=r.seed)
        net = r.net(frozen)
        cols = [c for c in ("name", "fair_value", "fair_value_frozen", "fair_value_net", "fair_value_net_se",
                            "p_pop", "p_pop_frozen", "p_pop_net", "p_pop_net_se") if c in net.columns]
        self.add(
            "<h3>Against frozen competition</h3><p class='note'>The same paths and seed with the open models "
            "frozen where they are today: the difference is what competition does (paired, with its standard error).</p>"
        )
        self.add(_table(net[cols], f"frozen:{name}"))

    def channels(self, r: Result, labs: List[str], name: str, paths: int) -> None:
        closed = [lab for lab in labs if r.summary().loc[lab, "class"] == "closed"]
        if not closed:
            return
        stats = [f"labs.{lab}.fair_value.mean" for lab in closed]
        ch = _channels(r.scenario, paths=paths, seed=r.seed, statistics=stats)
        go = self.go
        fig = go.Figure()
        parts = ch[~ch["channel"].isin(["total", "every channel off"])]
        for lab, stat in zip(closed, stats):
            d = parts[parts["statistic"] == stat]
            fig.add_trace(go.Bar(x=d["channel"], y=d["value"], name=lab, error_y={"type": "data", "array": 2 * d["se"]}))
        fig.update_layout(title=f"Where the repricing comes from: Shapley channels of mean fair value against frozen competition (USD bn, {paths:,} paths, ±2 SE)", barmode="group")
        self.add("<h3>Channels of the repricing</h3>")
        self.chart(fig, f"channels:{name}")
        self.add(_table(ch, f"channels:{name}", index=False))

    def implied(self, r: Result, labs: List[str], name: str, paths: int) -> None:
        closed = [lab for lab in labs if r.summary().loc[lab, "class"] == "closed"]
        if not closed:
            return
        self.add(
            "<h3>What must you believe (reverse DCF)</h3><p class='note'>The value of each input at which the "
            f"lab's mean fair value meets its mark ({paths:,} paths a run); ‘no root’ means no value in the bracket does.</p>"
        )
        for lab in closed:
            df = _implied(r.scenario, lab=lab, paths=paths, seed=r.seed)
            cols = [c for c in ("today", "root", "change", "se", "percentile_2030", "note") if c in df.columns]
            self.add(f"<p><b>{html.escape(lab)}</b></p>")
            self.add(_table(df[cols], f"implied:{lab}:{name}"))


def main(argv: Optional[List[str]] = None) -> int:
    """``aibubble report PRESET|FILE ... -o report.html``: run each scenario
    and write one report (the console script's ``report`` command)."""
    import argparse
    import sys

    from ._scenario import Scenario

    p = argparse.ArgumentParser(
        prog="aibubble report",
        description="Run scenarios and write one self-contained HTML report (works offline).",
    )
    p.add_argument("scenarios", nargs="+", metavar="PRESET|FILE", help="presets or scenario files, compared side by side")
    p.add_argument("-o", "--output", required=True, metavar="report.html", help="the report file to write")
    p.add_argument("--paths", type=int, default=20_000, help="paths per run (default 20000)")
    p.add_argument("--seed", type=int, default=42, help="seed (default 42)")
    p.add_argument("--analysis-paths", type=int, default=2_000, help="paths per run of the channels and reverse DCF (default 2000)")
    p.add_argument("--no-analyses", action="store_true", help="leave out the counterfactual, channels and reverse DCF")
    args = p.parse_args(argv)
    named: Dict[str, Result] = {}
    try:
        for text in args.scenarios:
            if text in _core.presets():
                s = Scenario.preset(text)
            elif text.endswith(".json"):
                s = Scenario.from_json(text)
            else:
                s = Scenario.from_toml(text)
            named[text] = simulate(s, paths=args.paths, seed=args.seed)
        report(named, args.output, analyses=not args.no_analyses, analysis_paths=args.analysis_paths)
    except (ValueError, OSError) as e:
        print(f"aibubble report: error: {e}", file=sys.stderr)
        return 2
    print(f"wrote {args.output}", file=sys.stderr)
    return 0


__all__: List[str] = ["report"]
