"""The ``aibubble`` console script and ``python -m aibubble``: the Rust
command line, compiled into the extension, so that ``pip install .`` gives
the same ``aibubble`` command as ``cargo install --path .``; plus two
commands of the Python side, ``report`` (an HTML report) and
``explore-app`` (the explorer in a browser), which need the ``explore``
extra."""

from __future__ import annotations

import sys
from typing import List, Optional

from . import _core


def main(argv: Optional[List[str]] = None) -> int:
    """Run the command line on ``argv`` (default: ``sys.argv[1:]``) and
    return its exit status; as a console script, exit with it."""
    args = sys.argv[1:] if argv is None else list(argv)
    # Two commands live in Python: they need the `explore` extra.
    if args and args[0] == "report":
        from .report import main as report_main

        return report_main(args[1:])
    if args and args[0] == "explore-app":
        from .app import main as app_main

        return app_main(args[1:])
    # Flush Python's buffers first: the Rust side writes to the same descriptors.
    sys.stdout.flush()
    sys.stderr.flush()
    return _core.cli_main(["aibubble", *args])


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
