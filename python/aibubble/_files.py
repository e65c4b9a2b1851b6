"""Files aibubble writes: complete or absent, never written through a file
or link that is already there."""

from __future__ import annotations

import os
import tempfile
from typing import IO, Callable, Union

PathLike = Union[str, "os.PathLike[str]"]


def umask() -> int:
    """The process's umask, read without setting it (``os.umask`` sets it for
    every thread); 0o022 where it cannot be read."""
    try:
        with open("/proc/self/status", encoding="ascii") as f:
            for line in f:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError, IndexError):
        pass
    return 0o022


def write_atomic(path: PathLike, write: Callable[[IO[bytes]], object]) -> None:
    """Call ``write`` on a new temporary file of a random name beside
    ``path`` (created exclusively: a file or link already there is never
    written through), then rename it over ``path``: the file is complete or
    absent, and of two writes to one path at once, one wins whole."""
    path = os.fspath(path)
    directory, name = os.path.split(path)
    fd, tmp = tempfile.mkstemp(dir=directory or ".", prefix=f".{name}.", suffix=".tmp")
    try:
        with open(fd, "wb", closefd=True) as f:
            # mkstemp makes the file private (0600); give it the mode open() would.
            if hasattr(os, "fchmod"):
                os.fchmod(fd, 0o666 & ~umask())
            write(f)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.remove(tmp)
        except FileNotFoundError:
            pass
        raise
