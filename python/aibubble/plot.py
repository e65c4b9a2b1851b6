"""Plots of results with matplotlib. Every function takes an optional ``ax``
and returns the ``Axes`` it drew on."""

from __future__ import annotations

from typing import TYPE_CHECKING, Mapping, Optional, Sequence

import numpy as np

from ._outputs import axis_label
from .errors import ArgumentError

if TYPE_CHECKING:
    import pandas as pd
    from matplotlib.axes import Axes

    from ._result import Result

__all__ = ["fan_chart", "phi_distribution", "pop_by_year", "compare", "event_times", "sweep", "tornado", "backtest", "sobol"]


def _axes(ax: Optional["Axes"]) -> "Axes":
    if ax is not None:
        return ax
    import matplotlib.pyplot as plt

    _, new = plt.subplots(figsize=(7, 4))
    return new


def fan_chart(
    result: "Result",
    variable: str,
    lab: Optional[str] = None,
    segment: Optional[str] = None,
    *,
    ax: Optional["Axes"] = None,
    color: str = "C0",
    label: Optional[str] = None,
) -> "Axes":
    """Median and 50% / 90% bands of a time series at quarter ends."""
    ts = result.timeseries(variable, lab=lab, segment=segment)
    ax = _axes(ax)
    t = ts.index.to_numpy()
    prefix = f"{label}: " if label else ""
    ax.fill_between(t, ts["p5"], ts["p95"], color=color, alpha=0.15, lw=0, label=f"{prefix}90% band")
    ax.fill_between(t, ts["p25"], ts["p75"], color=color, alpha=0.3, lw=0, label=f"{prefix}50% band")
    ax.plot(t, ts["p50"], color=color, lw=2, label=f"{prefix}median")
    who = lab or segment
    ax.set_title(f"{variable}" + (f" ({who})" if who else ""))
    ax.set_xlabel("year")
    ax.set_ylabel(axis_label(variable))
    ax.legend(loc="best", fontsize="small")
    return ax


def phi_distribution(result: "Result", lab: str, *, ax: Optional["Axes"] = None, bins: int = 60) -> "Axes":
    """Histogram of fair value / mark (phi), the mark at 1 and P(phi < 0.5) written on it."""
    phi = result.distribution(lab, "phi")
    phi = phi[np.isfinite(phi)]
    if phi.size == 0:
        raise ArgumentError(f"invalid argument lab: lab {lab!r} has no mark, so no phi")
    ax = _axes(ax)
    ax.hist(phi, bins=bins, color="C0", alpha=0.8)
    ax.axvline(1.0, color="k", lw=1.5, label="latest mark (phi = 1)")
    ax.axvline(0.5, color="C3", lw=1.2, ls="--", label="half the mark")
    p = float(np.mean(phi < 0.5))
    ax.text(
        0.98,
        0.95,
        f"P(phi < 0.5) = {100 * p:.1f}%\nmedian phi = {np.median(phi):.2f}",
        transform=ax.transAxes,
        ha="right",
        va="top",
        bbox={"boxstyle": "round", "fc": "white", "alpha": 0.8},
    )
    ax.set_xlabel(axis_label("phi"))
    ax.set_ylabel("paths")
    ax.set_title(f"Fair value against the mark: {lab}")
    ax.legend(loc="center right", fontsize="small")
    return ax


def pop_by_year(result: "Result", *, ax: Optional["Axes"] = None, labs: Optional[Sequence[str]] = None) -> "Axes":
    """P(bubble pop by the end of each calendar year), one line per lab with a mark."""
    ax = _axes(ax)
    df = result.pop_probability_by_year()
    for lab in labs or list(df.columns):
        ax.plot(df.index, 100 * df[lab], marker="o", label=lab)
    ax.set_xlabel("by the end of year")
    ax.set_ylabel("P(bubble pop), %")
    ax.set_title("Probability the market mark falls below half the latest round")
    ax.legend(loc="best", fontsize="small")
    return ax


def compare(
    results: Mapping[str, "Result"],
    *,
    metric: str = "phi",
    labs: Optional[Sequence[str]] = None,
    ax: Optional["Axes"] = None,
) -> "Axes":
    """Median and 5-95% range of a lab metric across scenarios, grouped by lab."""
    names = list(results)
    if not names:
        raise ArgumentError("invalid argument results: compare needs at least one result")
    ax = _axes(ax)
    first = results[names[0]]
    if labs is None:
        labs = [lab for lab in first.labs if np.isfinite(first.distribution(lab, metric)).any()]
    width = 0.8 / len(names)
    x = np.arange(len(labs))
    for j, name in enumerate(names):
        med, lo, hi = [], [], []
        for lab in labs:
            v = results[name].distribution(lab, metric)
            v = v[np.isfinite(v)]
            q5, q50, q95 = np.quantile(v, [0.05, 0.5, 0.95])
            med.append(q50)
            lo.append(q50 - q5)
            hi.append(q95 - q50)
        ax.bar(x + (j - (len(names) - 1) / 2) * width, med, width, yerr=[lo, hi], capsize=3, label=name)
    if metric == "phi":
        ax.axhline(1.0, color="k", lw=1, label="latest mark")
    ax.set_xticks(x)
    ax.set_xticklabels(labs)
    ax.set_ylabel(f"{axis_label(metric)}: median, 5-95% range")
    ax.set_title(f"{metric} by scenario")
    ax.legend(loc="best", fontsize="small")
    return ax


def event_times(result: "Result", *, ax: Optional["Axes"] = None, bins: int = 40) -> "Axes":
    """Histogram of when each event fired (paths where it never fired left out)."""
    ev = result.events()
    if ev.columns.empty:
        raise ArgumentError(f"invalid argument result: scenario {result.scenario.name!r} has no events")
    ax = _axes(ax)
    for name in ev.columns:
        t = ev[name].to_numpy()
        t = t[np.isfinite(t)]
        ax.hist(t, bins=bins, alpha=0.6, label=f"{name} ({100 * t.size / max(len(ev), 1):.0f}% of paths)")
    ax.set_xlabel("year the event fired")
    ax.set_ylabel("paths")
    ax.set_title("Turning points")
    ax.legend(loc="best", fontsize="small")
    return ax


def sweep(
    df: "pd.DataFrame",
    statistic: str,
    *,
    band: str = "se",
    ax: Optional["Axes"] = None,
    color: str = "C0",
    label: Optional[str] = None,
) -> "Axes":
    """One statistic of :func:`aibubble.sweep`'s table against the swept
    input's value: a line with a band of +-2 standard errors (``band="se"``),
    or, for a fair value or phi, the fan of the per-path 5th-95th
    percentiles at each value (``band="fan"``)."""
    if band not in ("se", "fan"):
        raise ArgumentError(f"invalid argument band: expected 'se' or 'fan', got {band!r}")
    rows = df[df["statistic"] == statistic].sort_values("value")
    if rows.empty:
        known = ", ".join(sorted(df["statistic"].unique()))
        raise ArgumentError(f"invalid argument statistic: {statistic!r} is not in the sweep; it has {known}")
    ax = _axes(ax)
    x = rows["value"].to_numpy(dtype=float)
    y = rows["estimate"].to_numpy(dtype=float)
    ax.plot(x, y, "o-", color=color, label=label or statistic)
    if band == "se":
        se = rows["se"].to_numpy(dtype=float)
        if np.isfinite(se).any():
            ax.fill_between(x, y - 2 * se, y + 2 * se, color=color, alpha=0.25, lw=0, label="+-2 se")
    else:
        lo, hi = rows["p5"].to_numpy(dtype=float), rows["p95"].to_numpy(dtype=float)
        if not np.isfinite(lo).any():
            raise ArgumentError(
                f"invalid argument band: {statistic!r} is a probability, with no per-path fan; use band='se'"
            )
        ax.fill_between(x, lo, hi, color=color, alpha=0.2, lw=0, label="paths' p5-p95")
    ax.set_xlabel(str(df.attrs.get("input", "input")))
    ax.set_ylabel(statistic)
    ax.set_title(f"Sweep of {df.attrs.get('input', 'an input')} ({df.attrs.get('scenario', '')})")
    ax.legend(loc="best", fontsize="small")
    return ax


def tornado(df: "pd.DataFrame", *, top: int = 15, ax: Optional["Axes"] = None) -> "Axes":
    """The bars of :func:`aibubble.tornado`'s table: for each input (largest
    swing on top), the statistic at the input's low end and at its high
    end, around the statistic in the ordinary run."""
    if df.empty:
        raise ArgumentError("invalid argument df: the tornado has no rows")
    rows = df.head(top).iloc[::-1]
    ax = _axes(ax)
    base = float(df.attrs.get("base", np.nan))
    if not np.isfinite(base):
        base = float(np.nanmean(np.r_[rows["low"].to_numpy(), rows["high"].to_numpy()]))
    y = np.arange(len(rows))
    low = rows["low"].to_numpy(dtype=float)
    high = rows["high"].to_numpy(dtype=float)
    ax.barh(y, low - base, left=base, color="C0", label="input low (p10 / lowest decile)")
    ax.barh(y, high - base, left=base, color="C3", label="input high (p90 / highest decile)")
    ax.axvline(base, color="k", lw=1)
    ax.set_yticks(y)
    ax.set_yticklabels([str(i) for i in rows.index])
    ax.set_xlabel(str(df.attrs.get("output", "statistic")))
    ax.set_title(f"Tornado ({df.attrs.get('method', '')}, {df.attrs.get('scenario', '')})")
    ax.legend(loc="best", fontsize="small")
    return ax


def backtest(df: "pd.DataFrame", *, ax: Optional["Axes"] = None) -> "Axes":
    """The PIT histogram of :func:`aibubble.backtest`: the observations'
    percentiles in ten bins of width 0.1 (``df.attrs["pit"]``), against the
    flat line a calibrated model gives, with the coverage in the title."""
    if df.empty:
        raise ArgumentError("invalid argument df: the back-test has no rows")
    counts = np.asarray(df.attrs.get("pit") or np.histogram(df["percentile"], bins=10, range=(0, 1))[0], dtype=float)
    ax = _axes(ax)
    ax.bar(np.arange(10) / 10 + 0.05, counts, width=0.09, color="C0", label="observations")
    ax.axhline(len(df) / 10, color="k", lw=1, ls="--", label="calibrated (flat)")
    ax.set_xlim(0, 1)
    ax.set_xlabel("percentile of the observation in the model's distribution")
    ax.set_ylabel("observations")
    inside = df["in_90"].mean()
    ax.set_title(f"Back-test of {df.attrs.get('scenario', '')}: {inside:.0%} inside the 90% band (n = {len(df)})")
    ax.legend(loc="best", fontsize="small")
    return ax


def sobol(df: "pd.DataFrame", *, top: int = 15, ax: Optional["Axes"] = None) -> "Axes":
    """The indices of :func:`aibubble.sobol`'s table: for each group (the
    largest total index on top), its first-order and total index with
    their 95% bootstrap intervals."""
    if df.empty:
        raise ArgumentError("invalid argument df: the Sobol table has no rows")
    rows = df.sort_values("ST", ascending=False).head(top).iloc[::-1]
    ax = _axes(ax)
    y = np.arange(len(rows))
    h = 0.4
    for shift, col, color, label in [(h / 2, "ST", "C3", "total (ST)"), (-h / 2, "S1", "C0", "first order (S1)")]:
        x = rows[col].to_numpy(dtype=float)
        err = np.vstack([x - rows[f"{col}_lo"].to_numpy(dtype=float), rows[f"{col}_hi"].to_numpy(dtype=float) - x])
        ax.barh(y + shift, x, height=h, color=color, xerr=np.clip(err, 0, None), label=label)
    ax.axvline(0, color="k", lw=1)
    ax.set_yticks(y)
    ax.set_yticklabels([str(i) for i in rows.index])
    ax.set_xlabel(f"Sobol index of {df.attrs.get('output', 'the output')}")
    ax.set_title(f"Sobol indices ({df.attrs.get('scenario', '')}, N = {df.attrs.get('paths', '?')})")
    ax.legend(loc="best", fontsize="small")
    return ax
