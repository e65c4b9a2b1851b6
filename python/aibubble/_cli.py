"""The ``aibubble`` console script and ``python -m aibubble``: the Rust
command line, compiled into the extension, so that ``pip install .`` gives
the same ``aibubble`` command as ``cargo install --path .``."""

from __future__ import annotations

import sys
from typing import List, Optional

from . import _core


def main(argv: Optional[List[str]] = None) -> int:
    """Run the command line on ``argv`` (default: ``sys.argv[1:]``) and
    return its exit status; as a console script, exit with it."""
    args = sys.argv[1:] if argv is None else list(argv)
    # Flush Python's buffers first: the Rust side writes to the same descriptors.
    sys.stdout.flush()
    sys.stderr.flush()
    return _core.cli_main(["aibubble", *args])


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
