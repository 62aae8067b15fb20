"""Knowledge about NixOS that rules rely on, kept as data: renamed options and defaults."""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any

OptionPath = tuple[str, ...]
_MAX_CHAIN = 8


def _load(name: str) -> dict[str, Any]:
    text = resources.files(__package__).joinpath(name).read_text(encoding="utf-8")
    return json.loads(text)


def split(path: str) -> OptionPath:
    """``a.b."c.d"`` → ``("a", "b", "c.d")``."""
    parts: list[str] = []
    buf: list[str] = []
    quoted = False
    for ch in path:
        if ch == '"':
            quoted = not quoted
        elif ch == "." and not quoted:
            parts.append("".join(buf))
            buf = []
        else:
            buf.append(ch)
    parts.append("".join(buf))
    return tuple(parts)


def join(path: OptionPath) -> str:
    """The inverse of :func:`split`: components with dots or odd characters are quoted."""
    out = []
    for part in path:
        if part and (part == "*" or all(c.isalnum() or c in "_-'" for c in part)):
            out.append(part)
        else:
            out.append(f'"{part}"')
    return ".".join(out)


@cache
def _renames() -> list[tuple[OptionPath, OptionPath]]:
    table = _load("renames.json")["renames"]
    pairs = [(split(old), split(new)) for old, new in table.items()]
    # most specific (longest) first
    pairs.sort(key=lambda p: -len(p[0]))
    return pairs


def _match_prefix(pattern: OptionPath, path: OptionPath) -> list[str] | None:
    if len(path) < len(pattern):
        return None
    captured: list[str] = []
    for want, got in zip(pattern, path, strict=False):
        if want == "*":
            captured.append(got)
        elif want != got:
            return None
    return captured


def canonical(path: OptionPath) -> OptionPath:
    """Map a renamed or aliased option path to its current name (following chains)."""
    for _ in range(_MAX_CHAIN):
        for old, new in _renames():
            captured = _match_prefix(old, path)
            if captured is None:
                continue
            fill = iter(captured)
            head = tuple(next(fill) if part == "*" else part for part in new)
            path = head + path[len(old) :]
            break
        else:
            return path
    return path


@cache
def _defaults() -> list[tuple[OptionPath, Any]]:
    return [(split(k), v) for k, v in _load("defaults.json")["defaults"].items()]


_NO_DEFAULT = object()


def default(path: OptionPath) -> Any:
    """The NixOS default of an option, or :data:`NO_DEFAULT` when nixlint does not know it."""
    for pattern, value in _defaults():
        if len(pattern) == len(path) and _match_prefix(pattern, path) is not None:
            return value
    return _NO_DEFAULT


NO_DEFAULT = _NO_DEFAULT
