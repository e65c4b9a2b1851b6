"""The exception hierarchy of aibubble.

Every error raised by the library is an :class:`AibubbleError`. The Rust core
maps each of its error variants to one class here (``src/python/errors.rs``).
"""

from __future__ import annotations

from typing import List, Sequence, Tuple

__all__ = [
    "AibubbleError",
    "ScenarioError",
    "ArgumentError",
    "ResourceLimitError",
    "NumericalError",
    "ResultsFileError",
    "SchemaVersionError",
    "FileError",
    "CancelledError",
    "InternalError",
]


class AibubbleError(Exception):
    """Base class of every aibubble error."""


class ScenarioError(AibubbleError, ValueError):
    """A scenario breaks the model's rules or cannot be parsed.

    ``problems`` lists ``(field path, message)`` pairs, every problem found.
    """

    def __init__(self, message: str, problems: Sequence[Tuple[str, str]] = ()) -> None:
        super().__init__(message)
        self.problems: List[Tuple[str, str]] = [tuple(p) for p in problems]  # type: ignore[misc]

    @property
    def paths(self) -> List[str]:
        """The field paths with problems."""
        return [p for p, _ in self.problems]


class ArgumentError(AibubbleError, ValueError):
    """Arguments out of range or that do not fit together (``paths=0``, a path
    range outside the run, merge parts of different runs, an unknown lab or
    series); the message names the argument. Raised by the core."""


class ResourceLimitError(AibubbleError):
    """A run would exceed the engine's limits (paths, memory)."""


class NumericalError(AibubbleError, ArithmeticError):
    """A computation produced a value the model cannot use."""


class ResultsFileError(AibubbleError, ValueError):
    """A results file that cannot be read."""


class SchemaVersionError(ResultsFileError):
    """A results file written by a newer or unknown schema version."""


class FileError(AibubbleError, OSError):
    """A file that cannot be read or written."""


class CancelledError(AibubbleError):
    """A run cancelled through its token."""


class InternalError(AibubbleError):
    """A bug in aibubble (a Rust panic caught at the boundary)."""


# A warning, not an error: exported by the package, outside this module's
# list of errors.
class CorrelatedInputsWarning(UserWarning):
    """An analysis treated inputs as independent that the scenario
    rank-correlates (``correlation.inputs``): Sobol indices computed that
    way do not decompose the scenario's variance."""
