#!/usr/bin/env python3
"""The figures of docs/model.md, "What the presets say": every table there is
printed by this script, from the command-line interface, on common random
numbers (the same seed and paths for every run). Run from the repository root
after `cargo build --release`:

    python3 docs/headline.py table        # per preset and lab, v2.1 ("steady"), with net columns
    python3 docs/headline.py rules        # the same under both mature-multiple rules, and v2
    python3 docs/headline.py amendments   # each v2.1 amendment switched back to v2, one at a time
    python3 docs/headline.py sweeps       # reference_lead, max_premium_rise, premium_sensitivity
    python3 docs/headline.py levers       # the levers of v2 (today's gap, the elasticity) under v2.1
    .venv/bin/python docs/headline.py marks   # OpenAI's zero-value paths whose last mark is above today's

Options: --paths N (default 20000), --seed S (default 1), --bin PATH.
Each run with `--net` also runs the scenario with competition frozen
(docs/equations.md §11) on the same paths.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PRESETS = ["moat_holds", "baseline", "open_parity", "big_tech_switch", "open_killer_app", "ft_bubble"]
# v2's presets, kept as they were calibrated for v2 (tests/data/v2/).
V2 = ROOT / "tests" / "data" / "v2"
MARKED = ["openai", "anthropic", "mistral"]
# The "given" rule: a software comparable on revenue, as v2 used for revenue
# marks (growth-equity index 8.4x, middle-market 4.8x; 2003-2022 averages).
GIVEN = '{ dist = "triangular", lo = 4.8, mode = 8.4, hi = 12.0 }'


def given_rule() -> list[str]:
    out = []
    for lab in MARKED:
        out += [f'labs.{lab}.mature_multiple="given"', f"labs.{lab}.multiple_inf={GIVEN}"]
    return out


def run(args, scenario: str, sets: list[str], net: bool = True) -> dict:
    cmd = [args.bin, "run", scenario, "--paths", str(args.paths), "--seed", str(args.seed), "--json"]
    if net:
        cmd.append("--net")
    for s in sets:
        cmd += ["--set", s]
    done = subprocess.run(cmd, capture_output=True, text=True)
    if done.returncode != 0:
        sys.exit(f"{' '.join(cmd)} failed ({done.returncode}):\n{done.stderr}")
    return json.loads(done.stdout)


def variant(args, preset: str, edit) -> str:
    """A preset, expanded to JSON and edited (for what `--set` cannot do, such as removing a field)."""
    shown = subprocess.run([args.bin, "show", preset, "--json", "--expanded"], capture_output=True, text=True, check=True)
    doc = json.loads(shown.stdout)
    edit(doc)
    path = Path(tempfile.mkdtemp(prefix="aibubble-headline-")) / f"{preset}_variant.json"
    path.write_text(json.dumps(doc))
    return str(path)


def one_way(doc):
    """v2's pressure: one-way, anchored to each path's own draw of today's gap."""
    doc["prices"]["pressure"] = "one_way"
    doc["prices"].pop("reference_lead", None)
    doc["prices"].pop("max_premium_rise", None)


def pct(x) -> str:
    return "" if x is None else f"{x:.2f}"


def net(lab, key) -> str:
    v, se = lab.get(f"{key}_net"), lab.get(f"{key}_net_se")
    if v is None:
        return ""
    return f"{v:+.2f} ({se:.3f})"


def sector_fv_net(summary) -> float:
    ids = set(summary["sector"]["labs"])
    return sum(l["fair_value_net"] for l in summary["labs"] if l["id"] in ids)


def lab_rows(name: str, summary: dict) -> list[str]:
    rows = []
    for lab in summary["labs"]:
        if lab.get("mark") is None:
            continue
        fv = lab["fair_value"]
        rows.append(
            f"| {name} | {lab['name']} | {lab['mark']:,.0f} | {fv['p50']:,.0f} | {fv['mean']:,.0f} "
            f"| {pct(lab['p_zero'])} / {pct(lab['p_zero_frozen'])} | {net(lab, 'p_zero')} "
            f"| {pct(lab['p_pop'])} / {pct(lab['p_pop_frozen'])} | {net(lab, 'p_pop')} "
            f"| {pct(lab['p_crunch'])} / {pct(lab['p_crunch_frozen'])} | {net(lab, 'p_crunch')} "
            f"| {lab['fair_value_net']:+,.0f} |"
        )
    s = summary["sector"]
    rows.append(
        f"| {name} | sector | {s['mark']:,.0f} | {s['fair_value']['p50']:,.0f} | {s['fair_value']['mean']:,.0f} "
        f"| | | | | | | {sector_fv_net(summary):+,.0f} |"
    )
    return rows


HEADER = (
    "| preset | lab | mark | FV p50 | FV mean | P(FV = 0) S / frozen | net (se) | P(pop) S / frozen | net (se) "
    "| P(crunch) S / frozen | net (se) | FV net (mean) |\n"
    "|---|---|---|---|---|---|---|---|---|---|---|---|"
)


def table(args):
    print(HEADER)
    order = []
    for p in PRESETS:
        s = run(args, p, [])
        print("\n".join(lab_rows(p, s)))
        order.append((s["sector"]["phi"]["p50"], p))
    print()
    print("sector phi, median: " + ", ".join(f"{p} {v:.2f}" for v, p in sorted(order, reverse=True)))


def rules(args):
    print("| preset | rule | lab | FV mean | P(pop) S / frozen | net (se) | P(FV = 0) S / frozen | net (se) |")
    print("|---|---|---|---|---|---|---|---|")
    for p in PRESETS:
        for rule, scenario, sets in (
            ("v2", str(V2 / f"{p}.toml"), []),
            ("v2.1 given", p, given_rule()),
            ("v2.1 steady", p, []),
        ):
            s = run(args, scenario, sets)
            for lab in s["labs"]:
                if lab["id"] in ("openai", "anthropic"):
                    print(
                        f"| {p} | {rule} | {lab['name']} | {lab['fair_value']['mean']:,.0f} "
                        f"| {pct(lab['p_pop'])} / {pct(lab['p_pop_frozen'])} | {net(lab, 'p_pop')} "
                        f"| {pct(lab['p_zero'])} / {pct(lab['p_zero_frozen'])} | {net(lab, 'p_zero')} |"
                    )


def one_line(label: str, s: dict) -> str:
    o = next(l for l in s["labs"] if l["id"] == "openai")
    a = next(l for l in s["labs"] if l["id"] == "anthropic")
    return (
        f"| {label} | {s['sector']['fair_value']['mean']:,.0f} | {sector_fv_net(s):+,.0f} "
        f"| {pct(o['p_pop'])} / {pct(o['p_pop_frozen'])} | {net(o, 'p_pop')} "
        f"| {pct(a['p_pop'])} / {pct(a['p_pop_frozen'])} | {net(a, 'p_pop')} |"
    )


LINE_HEADER = (
    "| setting | sector FV mean | sector FV net | OpenAI P(pop) S / frozen | net (se) "
    "| Anthropic P(pop) S / frozen | net (se) |\n|---|---|---|---|---|---|---|"
)


def amendments(args):
    for p in ("baseline", "ft_bubble"):
        print(f"\n{p}\n")
        print(LINE_HEADER)
        print(one_line("v2.1 (the preset)", run(args, p, [])))
        print(one_line('pressure back to "one_way" (anchor: each path\'s G_0)', run(args, variant(args, p, one_way), [])))
        print(one_line('spend back to "absolute"', run(args, p, ['demand.price_effect="absolute"'])))
        print(one_line('mature multiple back to "given"', run(args, p, given_rule())))
        print(one_line("v2 (its own calibration)", run(args, str(V2 / f"{p}.toml"), [])))


def sweeps(args):
    for p, path, values in (
        ("baseline", "prices.reference_lead", [3.0, 4.0, 4.83, 5.5, 7.0]),
        ("baseline", "prices.max_premium_rise", [0.2231, 0.4055, 0.6931, 1.0986, 1.7918]),
        ("baseline", "prices.premium_sensitivity", [0.0, 0.08, 0.2, 0.35, 0.5]),
        ("ft_bubble", "prices.premium_sensitivity", [0.0, 0.08, 0.2, 0.35, 0.5]),
    ):
        print(f"\n{p}: {path}\n")
        print(LINE_HEADER)
        print(one_line("as drawn (the preset)", run(args, p, [])))
        for v in values:
            print(one_line(f"{path} = {v}", run(args, p, [f"{path}={v}"])))


def levers(args):
    print(LINE_HEADER)
    for label, sets in (
        ("baseline", []),
        ("gap.initial = 0.75", ["gap.initial=0.75"]),
        ("gap.initial = 8.0", ["gap.initial=8.0"]),
        ("elasticity = 0.3", [f"segments.{s}.elasticity=0.3" for s in ("consumer", "enterprise", "frontier")]),
        ("elasticity = 1.3", [f"segments.{s}.elasticity=1.3" for s in ("consumer", "enterprise", "frontier")]),
        ("closed_decline = 0", ["prices.closed_decline=0"]),
        ("closed_decline = 0.3", ["prices.closed_decline=0.3"]),
        ("per-lab drifts = 0 (OpenAI, Anthropic)", ["labs.openai.drift=0", "labs.anthropic.drift=0"]),
        ("projection error without the pre-breakout row (b = +0.086)", [
            'segments.consumer.growth_0={ dist = "normal", mean = 1.138, sd = 0.23, min = 0.218, max = 2.058 }',
            'segments.enterprise.growth_0={ dist = "normal", mean = 1.551, sd = 0.23, min = 0.631, max = 2.471 }',
            'segments.frontier.growth_0={ dist = "normal", mean = 1.551, sd = 0.23, min = 0.631, max = 2.471 }',
        ]),
        ("no projection error (b = 0: the labs' projections as the centre)", [
            'segments.consumer.growth_0={ dist = "normal", mean = 1.052, sd = 0.23, min = 0.132, max = 1.972 }',
            'segments.enterprise.growth_0={ dist = "normal", mean = 1.465, sd = 0.23, min = 0.545, max = 2.385 }',
            'segments.frontier.growth_0={ dist = "normal", mean = 1.465, sd = 0.23, min = 0.545, max = 2.385 }',
        ]),
    ):
        print(one_line(label, run(args, "baseline", sets)))


def marks(args):
    """Do marks meet fundamentals? On the paths where OpenAI's fair value is 0,
    the share whose mark at the horizon is above today's (Python package)."""
    import aibubble as ab  # the only table that needs per-path trajectories

    for name, scenario in (
        ("v2.1 baseline", ab.Scenario.preset("baseline")),
        ("v2 baseline", ab.Scenario.from_toml(V2 / "baseline.toml")),
    ):
        n = min(args.paths, 5000)  # every step of every path is stored
        r = ab.simulate(scenario, paths=n, seed=args.seed, store_paths=n)
        zero = r.per_path()["labs.openai.fair_value"].to_numpy() == 0
        v = r.trajectories("market_value", lab="openai")
        above = (v[zero, -1] > v[zero, 0]).mean()
        print(f"{name} ({n} paths): P(FV = 0) {zero.mean():.3f}; of those paths, the mark at the horizon is above "
              f"today's on {above:.3f}; median mark at the horizon {sorted(v[:, -1])[n // 2]:,.0f}")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("what", choices=["table", "rules", "amendments", "sweeps", "levers", "marks"])
    ap.add_argument("--paths", type=int, default=20000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--bin", default=str(ROOT / "target" / "release" / "aibubble"))
    args = ap.parse_args()
    globals()[args.what](args)


if __name__ == "__main__":
    main()
