"""The engine against the NumPy implementation of the same model (benches/numpy_model.py)
and against its own RNG floor (examples/rng_floor.rs), on one scenario.

Each configuration runs in its own subprocess, so its peak memory (ru_maxrss)
is its own: the engine on one thread and on every core, the NumPy model (on
the engine's drawn inputs, read from a file written beforehand), and the
RNG floor. Times are per path-step, wall and CPU (the machine may be
shared). Needs the package installed (`make venv`) and the example built
(`cargo build --release --example rng_floor`; done here when missing).

    python benches/compare.py [--scenario baseline] [--paths 100000,1000000] [--seed 1]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
FLOOR_BIN = ROOT / "target" / "release" / "examples" / "rng_floor"


def _scenario(name: str):
    import aibubble

    if name.endswith(".toml") or os.sep in name:
        return aibubble.Scenario.from_toml(name)
    return aibubble.Scenario.preset(name)


def _peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0  # KiB on Linux


def _timed(fn):
    wall, cpu = time.perf_counter(), time.process_time()
    fn()
    return time.perf_counter() - wall, time.process_time() - cpu


def child_engine(args) -> dict:
    import aibubble

    sc = _scenario(args.scenario)
    threads = None if args.threads == 0 else args.threads
    wall, cpu = _timed(lambda: aibubble.simulate(sc, paths=args.paths, seed=args.seed, threads=threads))
    return {"wall": wall, "cpu": cpu, "peak_mib": _peak_mib()}


def child_inputs(args) -> dict:
    """Write the engine's drawn inputs to a file (in chunks: the NumPy child's memory is its own)."""
    import aibubble

    sys.path.insert(0, str(ROOT / "benches"))
    from numpy_model import Values

    sc = _scenario(args.scenario)
    chunk = 100_000
    parts, names = [], None
    for start in range(0, args.paths, chunk):
        end = min(args.paths, start + chunk)
        res = aibubble.simulate(sc, paths=args.paths, seed=args.seed, path_range=(start, end))
        names, table = res._inner.inputs()
        parts.append(np.asarray(table, dtype=np.float64).reshape(end - start, len(names)))
        del res
    table = np.concatenate(parts)
    np.save(args.out, table)
    with open(args.out + ".names.json", "w") as f:
        json.dump(list(names), f)
    # Draws per path-step (docs/equations.md §0): four process normals and one per lab;
    # on average lambda_R dt lognormal jumps (when J_sd > 0) and lambda_a dt normal
    # jumps per lab (when s_a > 0); one uniform per hazard event not yet fired (counted
    # as one), and the Poisson counts (one per jump process, each 1 + mean uniforms:
    # Knuth's sampler, below a mean of 12, multiplies uniforms until the product falls
    # below exp(-mean)). benches/engine.rs counts them the same way.
    v = Values(sc, list(names), table[:1000], min(1000, len(table)))
    d = sc.to_dict(expanded=True)
    n = int(d.get("steps_per_year", 12))
    dt = 1.0 / n
    labs = len(d["labs"])
    mean = lambda p, dflt=0.0: float(np.mean(v.col(p, dflt)))  # noqa: E731
    lam_r, j_mean, j_sd = mean("gap.release_rate"), mean("gap.jump_mean"), mean("gap.jump_sd")
    lam_a, s_a = mean("attractiveness.jump_rate"), mean("attractiveness.jump_sd")
    gap_j = lam_r > 0 and j_mean > 0
    lab_j = lam_a > 0 and s_a > 0
    normals = 4 + labs + (lam_r * dt if gap_j and j_sd > 0 else 0.0) + (labs * lam_a * dt if lab_j else 0.0)
    hazards = sum(1 for e in d.get("events", []) if e.get("date") is None)
    uniforms = hazards + (1 + lam_r * dt if gap_j else 0) + (labs * (1 + lam_a * dt) if lab_j else 0)
    steps = int(round(float(d.get("horizon", 10.0)) * n))
    return {"normals": normals, "uniforms": uniforms, "steps": steps, "labs": labs}


def child_numpy(args) -> dict:
    sys.path.insert(0, str(ROOT / "benches"))
    from numpy_model import simulate

    sc = _scenario(args.scenario)
    table = np.load(args.out)
    with open(args.out + ".names.json") as f:
        names = json.load(f)
    wall, cpu = _timed(lambda: simulate(sc, names, table, seed=args.seed))
    return {"wall": wall, "cpu": cpu, "peak_mib": _peak_mib()}


def _run_child(argv: list) -> dict:
    out = subprocess.run([sys.executable, __file__, *argv], capture_output=True, text=True)
    if out.returncode != 0:
        raise subprocess.CalledProcessError(out.returncode, argv, out.stdout, out.stderr)
    return json.loads(out.stdout.strip().splitlines()[-1])


def _floor(paths: int, steps: int, normals: float, uniforms: float) -> dict:
    if not FLOOR_BIN.exists():
        subprocess.run(["cargo", "build", "--release", "--example", "rng_floor"], cwd=ROOT, check=True)
    out = subprocess.run(
        [str(FLOOR_BIN), str(paths), str(steps), f"{normals:.6f}", f"{uniforms:.6f}"],
        check=True,
        capture_output=True,
        text=True,
    )
    wall_ns, cpu_ns, peak = (float(x) for x in out.stdout.split())
    return {"wall_ns": wall_ns, "cpu_ns": cpu_ns, "peak_mib": peak}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scenario", default="baseline")
    ap.add_argument("--paths", default="100000,1000000", help="comma-separated path counts")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--skip-numpy-above", type=int, default=10**9, help="skip the NumPy model above this many paths")
    ap.add_argument("--child", choices=["engine", "inputs", "numpy"])
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--out", default="")
    args = ap.parse_args()
    if args.child:
        args.paths = int(float(args.paths))
        fn = {"engine": child_engine, "inputs": child_inputs, "numpy": child_numpy}[args.child]
        print(json.dumps(fn(args)))
        return

    import aibubble

    cores = aibubble.available_cores() if hasattr(aibubble, "available_cores") else os.cpu_count()
    rows = []
    common = ["--scenario", args.scenario, "--seed", str(args.seed)]
    for paths in [int(float(p)) for p in args.paths.split(",")]:
        with tempfile.TemporaryDirectory() as tmp:
            out = os.path.join(tmp, "inputs.npy")
            info = _run_child(["--child", "inputs", "--paths", str(paths), "--out", out, *common])
            ps = paths * info["steps"]
            e1 = _run_child(["--child", "engine", "--paths", str(paths), "--threads", "1", *common])
            en = _run_child(["--child", "engine", "--paths", str(paths), "--threads", "0", *common])
            npy = None
            if paths <= args.skip_numpy_above:
                try:
                    npy = _run_child(["--child", "numpy", "--paths", str(paths), "--out", out, *common])
                except subprocess.CalledProcessError as err:  # e.g. out of memory
                    print(f"NumPy at {paths} paths failed: {err.stderr.strip()[-300:]}", file=sys.stderr)
        fl = _floor(min(paths, 200_000), info["steps"], info["normals"], info["uniforms"])
        rows.append((paths, ps, e1, en, npy, fl, info))

    print(f"# {args.scenario}: ns per path-step, wall and CPU (all threads), {cores} cores; ratios of wall, then of CPU")
    hdr = (
        f"{'paths':>9} {'configuration':<20} {'wall ns':>8} {'CPU ns':>8} {'NumPy/this':>11} "
        f"{'this/floor':>11} {'peak MiB':>9}"
    )
    print(hdr)
    print("-" * len(hdr))
    for paths, ps, e1, en, npy, fl, info in rows:
        nw = npy["wall"] * 1e9 / ps if npy else float("nan")
        nc = npy["cpu"] * 1e9 / ps if npy else float("nan")

        def line(name, wall_ns, cpu_ns, peak):
            r_np = f"{nw / wall_ns:.2f}/{nc / cpu_ns:.2f}" if npy else "-"
            r_fl = f"{wall_ns / fl['wall_ns']:.1f}/{cpu_ns / fl['cpu_ns']:.1f}"
            print(f"{paths:>9} {name:<20} {wall_ns:>8.1f} {cpu_ns:>8.1f} {r_np:>11} {r_fl:>11} {peak:>9.0f}")

        line("engine, 1 thread", e1["wall"] * 1e9 / ps, e1["cpu"] * 1e9 / ps, e1["peak_mib"])
        line(f"engine, {cores} threads", en["wall"] * 1e9 / ps, en["cpu"] * 1e9 / ps, en["peak_mib"])
        if npy:
            line("NumPy", nw, nc, npy["peak_mib"])
        else:
            why = "skipped (--skip-numpy-above)" if paths > args.skip_numpy_above else "failed (see stderr)"
            print(f"{paths:>9} {'NumPy':<20} {why}")
        line("RNG floor, 1 thread", fl["wall_ns"], fl["cpu_ns"], fl["peak_mib"])
    info = rows[0][6]
    print(
        f"# floor: {info['normals']:.3f} normals and {info['uniforms']:.3f} uniforms per path-step "
        "(StandardNormal and uniforms on aibubble's Xoshiro256++ streams) on min(paths, 200000) paths; "
        "engine wall speed-up on all cores: "
        + ", ".join(f"{r[2]['wall'] / r[3]['wall']:.2f}x at {r[0]}" for r in rows)
        + "; peak RSS of the Python configurations includes the interpreter and imports"
    )


if __name__ == "__main__":
    main()
