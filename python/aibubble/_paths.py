"""Field paths on plain dicts: the grammar of the core (``labs.openai.mark``),
for ``Scenario.diff`` and friends."""

from __future__ import annotations

from typing import Any, Dict, Iterator, Tuple


def flatten(value: Any, prefix: str = "") -> Iterator[Tuple[str, Any]]:
    """Yield ``(path, leaf)`` for every leaf; lists of dicts with ids are keyed by id,
    distributions (dicts with ``dist``) and other lists are leaves."""
    if isinstance(value, dict) and "dist" not in value:
        for k, v in value.items():
            yield from flatten(v, f"{prefix}.{k}" if prefix else str(k))
    elif isinstance(value, list) and value and all(isinstance(e, dict) and "id" in e for e in value):
        for e in value:
            yield from flatten({k: v for k, v in e.items() if k != "id"}, f"{prefix}.{e['id']}")
    else:
        yield prefix, value


def flat_dict(value: Any) -> Dict[str, Any]:
    return dict(flatten(value))
