"""Knowledge about NixOS that rules rely on, kept as data: renamed options, defaults,
root-equivalent groups and sensitive ports."""

from __future__ import annotations

import json
import os
import re
from functools import cache, lru_cache
from typing import Any

OptionPath = tuple[str, ...]
_MAX_CHAIN = 8


def _load(name: str) -> dict[str, Any]:
    # the data files are installed beside this module (package data); read directly, as
    # importlib.resources costs a pre-commit hook's run more than the reading itself
    with open(os.path.join(os.path.dirname(__file__), name), encoding="utf-8") as handle:
        return json.load(handle)


@lru_cache(maxsize=4096)
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


_PLAIN = re.compile(r"[A-Za-z0-9_'-]+|\*")


@lru_cache(maxsize=1 << 14)
def join(path: OptionPath) -> str:
    """The inverse of :func:`split`: components with dots or odd characters are quoted."""
    if all(_PLAIN.fullmatch(part) for part in path):
        return ".".join(path)
    out = []
    for part in path:
        if part and (part == "*" or all(c.isalnum() or c in "_-'" for c in part)):
            out.append(part)
        else:
            out.append(f'"{part}"')
    return ".".join(out)


@cache
def _renames() -> dict[str, list[tuple[OptionPath, OptionPath]]]:
    """Rename rules indexed by their first component, most specific (longest) first."""
    table = _load("renames.json")["renames"]
    index: dict[str, list[tuple[OptionPath, OptionPath]]] = {}
    for old, new in table.items():
        key = split(old)
        if key[0] == "*":
            raise ValueError(f"a rename must start with a name: {old}")
        index.setdefault(key[0], []).append((key, split(new)))
    for rules in index.values():
        rules.sort(key=lambda p: -len(p[0]))
    return index


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


@lru_cache(maxsize=1 << 16)
def canonical(path: OptionPath) -> OptionPath:
    """Map a renamed or aliased option path to its current name (following chains)."""
    index = _renames()
    for _ in range(_MAX_CHAIN):
        rules = index.get(path[0]) if path else None
        for old, new in rules or ():
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
def _defaults() -> dict[tuple[int, str], list[tuple[OptionPath, Any]]]:
    """Defaults indexed by (length, first component)."""
    index: dict[tuple[int, str], list[tuple[OptionPath, Any]]] = {}
    for key, value in _load("defaults.json")["defaults"].items():
        path = split(key)
        index.setdefault((len(path), path[0]), []).append((path, value))
    return index


_NO_DEFAULT = object()


@lru_cache(maxsize=1 << 14)
def default(path: OptionPath) -> Any:
    """The NixOS default of an option, or :data:`NO_DEFAULT` when nixlint does not know it."""
    if not path:
        return _NO_DEFAULT
    for pattern, value in _defaults().get((len(path), path[0]), ()):
        if _match_prefix(pattern, path) is not None:
            return value
    return _NO_DEFAULT


NO_DEFAULT = _NO_DEFAULT


@cache
def data(name: str) -> dict[str, Any]:
    """A knowledge file of this package (``groups.json``, ``ports.json``…), parsed."""
    return _load(name)


def root_groups() -> dict[str, dict[str, Any]]:
    """Root-equivalent groups: name → ``{"when": option or None, "why": text}``."""
    return data("groups.json")["groups"]


def network() -> dict[str, Any]:
    """Sensitive ports, services whose ``openFirewall`` exposes an administration interface,
    and interface-name prefixes (``network.json``)."""
    return data("network.json")
