"""The :class:`Scenario` of the Python API."""

from __future__ import annotations

import json
import os
from typing import Any, Dict, List, Mapping, Optional, Union

import pandas as pd

from . import _core
from .errors import FileError

PathLike = Union[str, "os.PathLike[str]"]


def _path(path: PathLike, kind: str) -> str:
    """A file path as a str; text that looks like a scenario gets a pointed hint."""
    if isinstance(path, os.PathLike):
        return os.fspath(path)
    if not isinstance(path, str):
        raise TypeError(f"expected a file path, got {type(path).__name__}")
    if "\n" in path or "=" in path or path.lstrip().startswith("{"):
        raise FileError(
            f"{path[:40]!r}...: not a file; to parse {kind} text use Scenario.from_{kind.lower()}_str"
        )
    return path


def _dir(base_dir: Optional[PathLike]) -> Optional[str]:
    if base_dir is None:
        return None
    if not isinstance(base_dir, (str, os.PathLike)):
        raise TypeError(f"base_dir must be a path, got {type(base_dir).__name__}")
    return os.fspath(base_dir)


class Scenario:
    """A validated scenario: every input of one model run.

    Build one from a preset, a TOML or JSON file or text, or a dict; change
    inputs by field path with :meth:`replace`.

    >>> s = Scenario.preset("baseline")
    >>> s2 = s.replace({"segments.enterprise.switching": 0.5})
    >>> s2.get("segments.enterprise.switching")
    0.5
    """

    __slots__ = ("_inner",)

    def __init__(self, inner: _core.Scenario) -> None:
        if not isinstance(inner, _core.Scenario):
            raise TypeError("use Scenario.preset, from_toml, from_json, from_toml_str, from_json_str or from_dict")
        self._inner = inner

    # Construction ---------------------------------------------------------
    @classmethod
    def preset(cls, name: str) -> "Scenario":
        """A preset by name (see :func:`aibubble.presets`)."""
        if not isinstance(name, str):
            raise TypeError(f"preset name must be a str, got {type(name).__name__}")
        return cls(_core.Scenario.preset(name))

    @classmethod
    def from_toml(cls, path: PathLike) -> "Scenario":
        """Read a scenario file as TOML.

        The file must be a regular file named ``*.toml`` or ``*.json`` of at
        most 16 MiB; anything else (a missing file, another name, a
        directory, FIFO or device, a larger file) raises :class:`FileError`.
        """
        return cls(_core.Scenario.from_file(_path(path, "TOML"), "toml"))

    @classmethod
    def from_json(cls, path: PathLike) -> "Scenario":
        """Read a scenario file as JSON (the file as for :meth:`from_toml`)."""
        return cls(_core.Scenario.from_file(_path(path, "JSON"), "json"))

    @classmethod
    def from_toml_str(cls, text: str, base_dir: Optional[PathLike] = None) -> "Scenario":
        """Parse a scenario written as TOML text.

        Text has no directory: its ``extends`` may name presets only, unless
        ``base_dir`` is given, against which a file it names is resolved.
        """
        if not isinstance(text, str):
            raise TypeError(f"expected TOML text, got {type(text).__name__}")
        return cls(_core.Scenario.from_toml_str(text, _dir(base_dir)))

    @classmethod
    def from_json_str(cls, text: str, base_dir: Optional[PathLike] = None) -> "Scenario":
        """Parse a scenario written as JSON text (``base_dir`` as for :meth:`from_toml_str`)."""
        if not isinstance(text, str):
            raise TypeError(f"expected JSON text, got {type(text).__name__}")
        return cls(_core.Scenario.from_json_str(text, _dir(base_dir)))

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> "Scenario":
        """Build from a dict shaped like the JSON form (see :meth:`to_dict`).

        Values are dicts, lists, strings, numbers, booleans and ``None``
        (anything else is a ``TypeError``); a ``nan`` or ``inf`` is a
        :class:`ScenarioError` naming its field path, like every other problem.
        """
        return cls(_core.Scenario.from_dict(d))

    # Conversion ------------------------------------------------------------
    def to_dict(self, expanded: bool = False) -> Dict[str, Any]:
        """The JSON form as a dict; ``expanded=True`` writes every defaulted field."""
        text = self._inner.to_json_expanded() if expanded else self._inner.to_json()
        result: Dict[str, Any] = json.loads(text)
        return result

    def to_toml(self) -> str:
        return self._inner.to_toml()

    def to_json(self) -> str:
        return self._inner.to_json()

    # Inputs ------------------------------------------------------------------
    @property
    def name(self) -> str:
        return self._inner.name

    def get(self, path: str) -> Any:
        """The value at a field path (a number, or a distribution dict)."""
        return json.loads(self._inner.get(path))

    def replace(self, overrides: Mapping[str, Any]) -> "Scenario":
        """A new, validated scenario with values replaced by field path.

        ``overrides`` maps paths such as ``"segments.enterprise.switching"`` or
        ``"labs.openai.mark"`` to numbers or distribution dicts. Every
        problem, a ``nan`` or ``inf`` included, is listed by a
        :class:`ScenarioError`; a value that is not a number, string, list,
        dict, boolean or ``None`` is a ``TypeError``.
        """
        return Scenario(self._inner.replace(overrides))

    def validate(self) -> None:
        """Check the model's rules; raises :class:`ScenarioError` listing every problem."""
        self._inner.validate()

    def describe(self) -> pd.DataFrame:
        """Every scalar input: path, value or distribution, unit, domain, source."""
        sources: Dict[str, str] = self.to_dict().get("sources", {})
        rows: List[Dict[str, Any]] = []
        for path, value_json, unit, domain, drawn in self._inner.fields():
            value = json.loads(value_json)
            rows.append(
                {
                    "path": path,
                    "value": value if not isinstance(value, dict) else None,
                    "distribution": _describe_dist(value) if isinstance(value, dict) else None,
                    "drawn": drawn,
                    "unit": unit,
                    "domain": domain,
                    "source": sources.get(path),
                }
            )
        return pd.DataFrame(rows).set_index("path")

    def diff(self, other: "Scenario") -> pd.DataFrame:
        """Field paths whose values differ between two scenarios, with every
        defaulted field written out: one row per path (a distribution is one
        value), ``None`` where a scenario has no such field."""
        if not isinstance(other, Scenario):
            raise TypeError(f"can only diff with a Scenario, got {type(other).__name__}")
        rows = [
            {"path": path, "self": _load(a), "other": _load(b)} for path, a, b in self._inner.diff(other._inner)
        ]
        return pd.DataFrame(rows, columns=["path", "self", "other"]).set_index("path")

    def freeze_competition(self) -> "Scenario":
        """``freeze(S)``: this scenario with competition frozen at today's state
        (docs/equations.md §11), for figures net of what changes in
        competition do not cause.

        The copy sets ``counterfactual = "frozen_competition"``. Run with the
        same seed and paths, it draws every input as this scenario does (input
        correlations included) and then sets ``prices.ratio_drift``,
        ``prices.sigma_ratio``, ``prices.premium_sensitivity``, every
        segment's ``switching`` and every kept event's ``gap_sensitivity`` to
        0 on every path; events with an effect on a brand premium, a
        switching speed, the gap, the price pressure or the price ratio never
        fire. So the price pressure, the price ratio and usage stay at today's
        values. Freezing a frozen scenario returns it unchanged. See
        :func:`aibubble.net` and :meth:`Result.net`.
        """
        return Scenario(self._inner.freeze_competition())

    # Python protocol ---------------------------------------------------------
    def __eq__(self, other: object) -> bool:
        return isinstance(other, Scenario) and self._inner == other._inner

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        d = self.to_dict()
        labs = ", ".join(lab["id"] for lab in d["labs"])
        drawn = sum(1 for f in self._inner.fields() if f[4])
        events = ", ".join(e["id"] for e in d.get("events", [])) or "none"
        return (
            f"<Scenario {d['name']!r}: {len(d['segments'])} segments, labs [{labs}], "
            f"events [{events}], {drawn} uncertain inputs, "
            f"{d.get('horizon', 10.0):g} years from {d.get('start_year', 2026.0):g}>"
        )

    def __reduce__(self) -> Any:
        return (Scenario.from_json_str, (self.to_json(),))


def _load(text: Optional[str]) -> Any:
    return None if text is None else json.loads(text)


def _describe_dist(d: Dict[str, Any]) -> str:
    params = ", ".join(f"{k}={v}" for k, v in d.items() if k not in ("dist", "min", "max"))
    text = f"{d['dist']}({params})"
    if "min" in d or "max" in d:
        text += f" truncated to [{d.get('min', '-inf')}, {d.get('max', 'inf')}]"
    return text
