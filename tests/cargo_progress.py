#!/usr/bin/env python3
"""Run a cargo build command with a line as each target of this package
starts and ends, and a line each minute while they build:

    python3 tests/cargo_progress.py test --no-run

cargo prints a single "Compiling aibubble" line for every target of the
package, so building the optimised test binaries (the library twice, as an
rlib and as its unit tests, about two minutes each on a fresh clone, then a
binary per file in tests/ and per example) would pass in silence for
minutes. Here cargo runs with -v (its "Running `rustc ...`" lines tell when
a target starts; they and the "Fresh" lines are left out) and with JSON
messages (which tell when a target is done); its other lines (Compiling,
warnings, errors) go to stderr as they come. The exit status is cargo's.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import threading
import time
from typing import IO, List, Optional, Tuple

# Seconds without a line before "still building".
HEARTBEAT = float(os.environ.get("CARGO_PROGRESS_HEARTBEAT", "60"))

Key = Tuple[str, bool]  # (crate name, built as tests)


class Progress:
    def __init__(self) -> None:
        self.start = time.monotonic()
        self.last = self.start
        self.lock = threading.Lock()
        self.building: List[Tuple[Key, str, float]] = []  # key, label, start time
        self.built = 0

    def say(self, text: str) -> None:
        with self.lock:
            now = time.monotonic()
            print(f"    {time.strftime('%H:%M:%S')}  {text} ({now - self.start:.0f} s)", flush=True)
            self.last = now

    def started(self, key: Key, label: str) -> None:
        with self.lock:
            self.building.append((key, label, time.monotonic()))
        self.say(f"building {label}")

    def finished(self, key: Key, label: str) -> None:
        took: Optional[float] = None
        with self.lock:
            for i, (k, started_as, t) in enumerate(self.building):
                if k == key:
                    took = time.monotonic() - t
                    label = started_as
                    del self.building[i]
                    break
            self.built += 1
        self.say(f"built {label}" + (f" in {took:.0f} s" if took is not None else ""))

    def heartbeat(self, done: threading.Event) -> None:
        while not done.wait(min(5.0, HEARTBEAT)):
            with self.lock:
                quiet = time.monotonic() - self.last >= HEARTBEAT
                names = ", ".join(label for _, label, _ in self.building)
            if quiet and names:
                self.say(f"still building {names}")


def _name(name: str) -> str:
    return name.replace("-", "_")


RUSTC = re.compile(r"^\s*Running `.*\brustc --crate-name (\S+) (?:--edition=\S+ )?(\S+)")


def _label(name: str, test: bool, path: str) -> str:
    """What a target is, from its source path relative to the package:
    ``library aibubble``, ``unit tests of the library``, ``tests cli``,
    ``example ft_bubble``."""
    for folder, kind in (("examples/", "example"), ("tests/", "tests"), ("benches/", "bench")):
        if path.startswith(folder):
            return f"{kind} {name}"
    if path == "src/lib.rs":
        return "unit tests of the library" if test else f"library {name}"
    if path.startswith("src/"):
        return f"unit tests of bin {name}" if test else f"bin {name}"
    return f"{name} ({path})"


def read_stderr(stream: IO[str], progress: Progress) -> None:
    for line in stream:
        if re.match(r"^\s*Fresh ", line):
            continue
        m = RUSTC.match(line)
        if m:
            name, path = m.group(1), m.group(2)
            # Only the package's own targets: their sources are relative paths.
            if not path.startswith("/"):
                test = " --test " in line
                progress.started((_name(name), test), _label(name, test, path))
            continue
        if line.lstrip().startswith("Running `"):
            continue  # build scripts and the like
        with progress.lock:
            sys.stderr.write(line)
            sys.stderr.flush()
            progress.last = time.monotonic()


def main(argv: List[str]) -> int:
    if not argv:
        print(__doc__, file=sys.stderr)
        return 2
    cmd = ["cargo", *argv, "-v", "--message-format=json-render-diagnostics"]
    progress = Progress()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, bufsize=1)
    assert proc.stdout is not None and proc.stderr is not None
    errors = threading.Thread(target=read_stderr, args=(proc.stderr, progress), daemon=True)
    errors.start()
    done = threading.Event()
    beat = threading.Thread(target=progress.heartbeat, args=(done,), daemon=True)
    beat.start()
    for line in proc.stdout:
        try:
            msg = json.loads(line)
        except ValueError:
            print(line, end="", flush=True)
            continue
        # The package's own targets (a path package) built now.
        if msg.get("reason") != "compiler-artifact" or msg.get("fresh"):
            continue
        if "path+file://" not in msg.get("package_id", ""):
            continue
        target = msg["target"]
        test = bool(msg.get("profile", {}).get("test"))
        path = os.path.relpath(target.get("src_path", ""), os.path.dirname(msg.get("manifest_path", "")))
        progress.finished((_name(target["name"]), test), _label(target["name"], test, path))
    rc = proc.wait()
    errors.join()
    done.set()
    if rc == 0:
        progress.say(f"{progress.built} target(s) of the package built")
    return rc


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
