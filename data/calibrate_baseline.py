"""The frozen-dynamics table of docs/model.md, a check of the centre of the
calibration: `baseline` with its growth at the fit to the labs' projections
(data/fit_growth.py, without the projection error the preset adds) and no
per-lab drift, and with the open-model dynamics frozen (no gap noise or releases, no price noise or ratio drift, no
price pressure, no demand or attractiveness noise, no attractiveness jumps,
no switching, no turning points) should reproduce the labs' own projections:
revenue and burn by calendar year. Run from the repository root:

    .venv/bin/python data/calibrate_baseline.py [path/to/aibubble]

It runs the CLI (2,000 paths, seed 42; the uncertain inputs still vary) and
prints each target, its source, the model's median and the difference.
"""

from __future__ import annotations

import json
import subprocess
import sys

FROZEN = [
    "gap.sigma=0",
    "gap.release_rate=0",
    "prices.sigma_closed=0",
    "prices.sigma_ratio=0",
    "prices.ratio_drift=0",
    "prices.premium_sensitivity=0",
    "demand.sigma=0",
    "attractiveness.sigma=0",
    "attractiveness.jump_rate=0",
    "segments.consumer.switching=0",
    "segments.enterprise.switching=0",
    "segments.frontier.switching=0",
    "events.big_tech_switch.hazard=0",
    "events.open_killer_app.hazard=0",
    # The centre of model v2.1's growth: the fit to the projections
    # (data/fit_growth.py) without the projection error, and no drift.
    "segments.consumer.growth_0=1.052",
    "segments.enterprise.growth_0=1.465",
    "segments.frontier.growth_0=1.465",
    "labs.openai.drift=0",
    "labs.anthropic.drift=0",
    # Fixed growth cannot be rank-correlated: the preset's other pairs only.
    'correlation.inputs=[["gap.half_life", "gap.long_run", -0.9],'
    ' ["segments.consumer.closed_share_0", "segments.enterprise.closed_share_0", 0.5],'
    ' ["segments.consumer.closed_share_0", "segments.frontier.closed_share_0", 0.5],'
    ' ["segments.enterprise.closed_share_0", "segments.frontier.closed_share_0", 0.5]]',
]

# (lab, variable, year, target, source); burn is -FCF.
TARGETS = [
    ("openai", "revenue", 2026, 30.0, "The Information via press [S]"),
    ("openai", "revenue", 2027, 54.8, "interpolated (geometric) between 2026 and 2028"),
    ("openai", "revenue", 2028, 100.0, "The Information via press [S]"),
    ("openai", "revenue", 2029, 141.4, "interpolated (geometric) between 2028 and 2030"),
    ("openai", "revenue", 2030, 200.0, "The Information via press [S]"),
    ("anthropic", "revenue", 2026, 15.2, "press [S]"),
    ("anthropic", "revenue", 2027, 38.9, "press [S]"),
    ("anthropic", "revenue", 2028, 70.0, "press [S]"),
    ("openai", "burn", 2026, 17.0, "The Information via press [S]"),
    ("openai", "burn", 2027, 35.0, "The Information via press [S]"),
    ("openai", "burn", 2028, 45.0, "The Information via press [S]"),
    ("anthropic", "burn", 2026, 3.0, "assumption (a few $B); cash-flow positive 2027-2028 [S]"),
    ("anthropic", "burn", 2027, 0.0, "press [S]: cash-flow positive 2027-2028 (at most 0)"),
    ("anthropic", "burn", 2028, -5.0, "press [S]: cash-flow positive 2027-2028"),
    ("xai", "burn", 2026, 12.0, "press [S]: burns about $1B a month"),
]


def main() -> None:
    cli = sys.argv[1] if len(sys.argv) > 1 else "target/release/aibubble"
    args = [cli, "run", "baseline", "--paths", "2000", "--seed", "42", "--json"]
    for s in FROZEN:
        args += ["--set", s]
    summary = json.loads(subprocess.run(args, check=True, capture_output=True, text=True).stdout)
    labs = {lab["id"]: lab for lab in summary["labs"]}
    print(f"{'lab':<10} {'figure':<8} {'year':>4} {'target':>8} {'model':>8} {'diff':>7}  source")
    for lab, variable, year, target, source in TARGETS:
        rows = labs[lab]["revenue" if variable == "revenue" else "fcf"]
        value = next(r["p50"] for r in rows if r["year"] == year)
        if variable == "burn":
            value = -value
        diff = f"{100 * (value - target) / abs(target):+.0f}%" if target else f"{value - target:+.1f}"
        print(f"{lab:<10} {variable:<8} {year:>4} {target:>8.1f} {value:>8.1f} {diff:>7}  {source}")


if __name__ == "__main__":
    main()
