"""The explorer in a browser, with no code visible: ``python -m aibubble.app``
(or ``aibubble explore-app``) serves :func:`aibubble.explore` through Voilà.

>>> python -m aibubble.app ft_bubble --paths 2000 --port 8866   # doctest: +SKIP

Then open http://127.0.0.1:8866/ (the command prints the address; ``--open``
opens it). Needs the ``explore`` extra (``pip install "aibubble[explore]"``).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from typing import List, Optional

from . import _core


def notebook(scenario: str, paths: int, seed: int) -> str:
    """The notebook Voilà runs: one cell that shows the explorer."""
    code = (
        "import aibubble\n"
        f"aibubble.explore({scenario!r}, paths={paths}, seed={seed})"
    )
    nb = {
        "cells": [{"cell_type": "code", "execution_count": None, "metadata": {}, "outputs": [], "source": code}],
        "metadata": {
            "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
            "language_info": {"name": "python"},
        },
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    return json.dumps(nb, indent=1)


TEMPLATE = "aibubble-offline"


def _offline_template(root: str) -> str:
    """A Voilà template under ``root`` (returned as a Jupyter data path):
    Voilà's own ``lab`` template less the stylesheets it links from a CDN
    (Font Awesome, which the explorer does not use), so that the page loads
    nothing from the internet."""
    from jupyter_core.paths import jupyter_path

    lab = next(
        (os.path.join(p, "index.html.j2") for p in jupyter_path("voila", "templates", "lab")
         if os.path.isfile(os.path.join(p, "index.html.j2"))),
        None,
    )
    data = os.path.join(root, "jupyter-data")
    out = os.path.join(data, "voila", "templates", TEMPLATE)
    os.makedirs(out, exist_ok=True)
    with open(os.path.join(out, "conf.json"), "w", encoding="utf-8") as f:
        json.dump({"base_template": "lab"}, f)
    if lab is not None:
        with open(lab, encoding="utf-8") as f:
            lines = [line for line in f if not ("<link" in line and "://cdn." in line)]
        with open(os.path.join(out, "index.html.j2"), "w", encoding="utf-8") as f:
            f.writelines(lines)
    return data


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="aibubble explore-app",
        description="Serve the aibubble explorer in a browser (Voilà), with no code visible.",
    )
    p.add_argument("scenario", nargs="?", default="baseline", help="a preset name or a scenario file (default: baseline)")
    p.add_argument("--paths", type=int, default=2000, help="paths per run (default 2000)")
    p.add_argument("--seed", type=int, default=42, help="seed of every run (default 42)")
    p.add_argument("--port", type=int, default=8866, help="port to listen on, on 127.0.0.1 (default 8866)")
    p.add_argument("--open", action="store_true", help="open the page in the default browser")
    return p


def main(argv: Optional[List[str]] = None) -> int:
    """Run the app until interrupted; returns Voilà's exit status."""
    args = _parser().parse_args(argv)
    if args.paths < 1:
        print(f"aibubble explore-app: error: --paths: at least 1, got {args.paths}", file=sys.stderr)
        return 2
    scenario = args.scenario
    if scenario not in _core.presets():
        if not os.path.isfile(scenario):
            print(f"aibubble explore-app: error: {scenario!r} is neither a preset nor a scenario file", file=sys.stderr)
            return 2
        scenario = os.path.abspath(scenario)
    try:
        import voila  # noqa: F401
    except ImportError:
        print('aibubble explore-app: error: needs Voilà: pip install "aibubble[explore]"', file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory(prefix="aibubble-app-") as d:
        path = os.path.join(d, "aibubble explorer.ipynb")
        with open(path, "w", encoding="utf-8") as f:
            f.write(notebook(scenario, args.paths, args.seed))
        cmd = [
            sys.executable, "-m", "voila", path,
            f"--port={args.port}", "--Voila.ip=127.0.0.1",
            "--no-browser" if not args.open else "--Voila.open_browser=True",
            "--VoilaConfiguration.show_tracebacks=True",
            f"--template={TEMPLATE}",
        ]
        env = dict(os.environ, JUPYTER_PATH=os.pathsep.join(filter(None, [_offline_template(d), os.environ.get("JUPYTER_PATH")])))
        print(f"aibubble explore-app: serving {args.scenario} at http://127.0.0.1:{args.port}/ (Ctrl-C stops)", flush=True)
        try:
            return subprocess.call(cmd, cwd=d, env=env)
        except KeyboardInterrupt:
            return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
