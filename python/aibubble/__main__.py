"""``python -m aibubble ...``: the command line (see ``aibubble._cli``)."""

import sys

from ._cli import main

sys.exit(main())
