"""Execute every notebook in notebooks/ top to bottom.

    python tests/run_notebooks.py             # run copies; the committed files are not touched
    python tests/run_notebooks.py --in-place  # re-execute and save outputs (``make notebooks``)

The path count of every run in a notebook comes from the environment variable
``AIBUBBLE_PATHS`` (the test command sets a small one). A failing cell fails
the run with a non-zero exit status.
"""

from __future__ import annotations

import argparse
import pathlib
import sys
import time

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

ROOT = pathlib.Path(__file__).resolve().parents[1]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--in-place", action="store_true", help="save the executed notebooks")
    parser.add_argument("notebooks", nargs="*", type=pathlib.Path)
    args = parser.parse_args()
    paths = args.notebooks or sorted((ROOT / "notebooks").glob("*.ipynb"))
    if not paths:
        print("no notebooks found", file=sys.stderr)
        return 1
    passed = failed = 0
    for path in paths:
        nb = nbformat.read(path, as_version=4)
        client = NotebookClient(
            nb, timeout=1800, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}}
        )
        t0 = time.perf_counter()
        try:
            client.execute()
        except CellExecutionError as e:
            failed += 1
            print(f"FAILED {path.name}:\n{e}", file=sys.stderr)
            continue
        passed += 1
        print(f"ok {path.name} ({time.perf_counter() - t0:.1f} s)")
        if args.in_place:
            nbformat.write(nb, path)
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
