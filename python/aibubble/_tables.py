"""The tables a shared document shows (workbook, HTML report), built once
from a :class:`Result` so that every surface shows the same numbers."""

from __future__ import annotations

from typing import Any, Dict, List, Optional, Tuple

import numpy as np
import pandas as pd

from . import _core
from ._outputs import outputs
from ._result import QUANTILES, Result

# The per-lab headline: (summary column, heading, unit), in display order.
HEADLINE: List[Tuple[str, str, str]] = [
    ("mark", "latest mark", "USD bn"),
    ("fair_value_mean", "fair value, mean", "USD bn"),
    ("fair_value_p5", "fair value, p5", "USD bn"),
    ("fair_value_p50", "fair value, p50", "USD bn"),
    ("fair_value_p95", "fair value, p95", "USD bn"),
    ("phi_p50", "phi, p50", "ratio"),
    ("phi_p_below_1", "P(phi < 1)", "probability"),
    ("phi_p_below_half", "P(phi < 1/2)", "probability"),
    ("p_pop", "P(pop)", "probability"),
    ("p_crunch", "P(crunch)", "probability"),
    ("p_zero", "P(fair value 0)", "probability"),
]

QUANTILE_COLUMNS = [f"p{round(100 * q)}" for q in QUANTILES]


def run_info(result: Result) -> Dict[str, Any]:
    """What identifies a run: scenario, description, paths, seed, version."""
    s = result.scenario
    return {
        "scenario": s.name,
        "description": s.to_dict().get("description", ""),
        "paths": result.n_paths,
        "seed": result.seed,
        "start year": result.summary_dict()["start_year"],
        "aibubble version": _core.__version__,
    }


def headline(result: Result) -> pd.DataFrame:
    """One row per lab: name, class and the :data:`HEADLINE` statistics
    (missing where a lab has no mark), headed by their display names."""
    df = result.summary()
    cols = [c for c, _, _ in HEADLINE if c in df.columns]
    out = df[["name", "class"] + cols].copy()
    names = {c: h for c, h, _ in HEADLINE}
    return out.rename(columns=names)


def headline_units() -> Dict[str, str]:
    """The unit of each :func:`headline` column."""
    return {h: u for _, h, u in HEADLINE}


def marked_labs(result: Result) -> List[str]:
    """The labs with a mark, in scenario order."""
    df = result.summary()
    return [lab for lab in df.index if not np.isnan(df.loc[lab, "mark"])]


def series_entities(result: Result, name: str) -> List[Optional[str]]:
    """The labs or segments a series is kept for (``[None]`` for a run-wide one)."""
    per = outputs().loc[name, "per"]
    out: List[Optional[str]]
    if per == "lab":
        out = list(result.labs)
    elif per == "marked_lab":
        out = list(marked_labs(result))
    elif per == "segment":
        out = [seg["id"] for seg in result.scenario.to_dict()["segments"]]
    else:
        out = [None]
    return out


def series_table(result: Result) -> pd.DataFrame:
    """Every series' quantiles at every quarter end, long: one row per
    (series, lab or segment, time), with the series' unit."""
    vocab = outputs()
    frames = []
    for name in vocab.index[vocab["kind"] == "series"]:
        per = vocab.loc[name, "per"]
        for entity in series_entities(result, name):
            kw = {"segment": entity} if per == "segment" else {"lab": entity} if entity else {}
            q = result.timeseries(name, **kw).reset_index()
            q.insert(0, "unit", vocab.loc[name, "unit"])
            q.insert(0, "of", entity or "")
            q.insert(0, "series", name)
            frames.append(q)
    return pd.concat(frames, ignore_index=True)


def inputs_table(result: Result) -> pd.DataFrame:
    """Every input: value or distribution, unit, domain and source."""
    d = result.scenario.describe().reset_index()
    return d[["path", "value", "distribution", "drawn", "unit", "domain", "source"]]


def sources_table(result: Result) -> pd.DataFrame:
    """The scenario's sources by field path, each marked as an assumption or not."""
    src = result.scenario.to_dict().get("sources", {}) or {}
    rows = [
        {"path": path, "assumption": str(text).lstrip().lower().startswith("assumption"), "source": text}
        for path, text in src.items()
    ]
    return pd.DataFrame(rows, columns=["path", "assumption", "source"])


def histogram(values: np.ndarray, bins: int = 40, upper_quantile: float = 0.99) -> pd.DataFrame:
    """Counts of the finite values in ``bins`` equal bins from 0 (or the
    minimum, if negative) to the ``upper_quantile`` quantile; values above
    go to the last bin, which is labelled as open."""
    x = values[np.isfinite(values)]
    if x.size == 0:
        return pd.DataFrame({"from": [], "to": [], "count": []})
    lo = min(0.0, float(x.min()))
    hi = float(np.quantile(x, upper_quantile))
    if not hi > lo:
        hi = lo + 1.0
    edges = np.linspace(lo, hi, bins + 1)
    counts, _ = np.histogram(np.clip(x, lo, hi), bins=edges)
    return pd.DataFrame({"from": edges[:-1], "to": edges[1:], "count": counts})
