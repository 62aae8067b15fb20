"""``haumea.lib.load`` (nix-community/haumea): a directory tree loaded into a nested set.

Each ``<name>.nix`` file below ``src`` becomes the attribute ``<name>`` (a directory becomes
a nested set); a file that is a function is called with the ``inputs`` it names and
haumea's own ``self``, ``super`` and ``root`` (opaque here). Entries whose name starts with
``_`` are private to the tree and not exported. Flakes use it to gather hosts from a
directory. A custom ``loader`` or ``transformer`` is not modelled (the result is Unknown).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import TYPE_CHECKING

from nixlint.evaluate.values import (
    Attr,
    AttrSet,
    Builtin,
    Failure,
    Lambda,
    Opaque,
    Path,
    Thunk,
    Unknown,
    Value,
)

if TYPE_CHECKING:
    from nixlint.evaluate.evaluator import Evaluator
    from nixlint.span import Span


def _load(ev: Evaluator, args: Thunk) -> Value:
    given = args.force()
    if not isinstance(given, AttrSet):
        return given if isinstance(given, Unknown) else Unknown("haumea.lib.load: not a set")
    for option in ("loader", "transformer"):
        if option in given.attrs:
            return Unknown(f"haumea.lib.load with a {option} is not modelled", args.span)
    src = given.attrs.get("src")
    if src is None:
        return Unknown("haumea.lib.load: no src", args.span)
    where = src.thunk.force()
    if not isinstance(where, Path) or where.external:
        reason = where.reason if isinstance(where, Unknown) else "src is not a local path"
        return Unknown(f"haumea.lib.load: {reason}", args.span)
    inputs = given.attrs.get("inputs")
    return _directory(ev, where.path, inputs.thunk if inputs else Thunk.of(AttrSet({})), args.span)


def _directory(ev: Evaluator, path: str, inputs: Thunk, span: Span | None) -> Value:
    listing = ev.files.list_dir(path) if ev.files is not None else None
    if listing is None:
        return Unknown(f"haumea.lib.load: {path} is outside the scanned tree", span)
    attrs: dict[str, Attr] = {}
    for name, kind in sorted(listing.items()):
        if name.startswith("_"):
            continue
        full = os.path.join(path, name)
        if kind == "directory":
            attrs[name] = Attr(Thunk.lazy(_later(_directory, ev, full, inputs, span)))
        elif name.endswith(".nix") and kind in ("regular", "symlink"):
            attrs[name[: -len(".nix")]] = Attr(Thunk.lazy(_later(_file, ev, full, inputs, span)))
    return AttrSet(attrs)


def _file(ev: Evaluator, path: str, inputs: Thunk, span: Span | None) -> Value:
    value = ev.import_file(path, span)
    if not isinstance(value, Lambda):
        return value
    # haumea passes each argument the function names lazily: one it does not have fails
    # only when it is used (one with a default keeps its default)
    given = inputs.force()
    complete = isinstance(given, AttrSet) and given.partial is None and not given.dynamic
    known = dict(given.attrs) if isinstance(given, AttrSet) else {}
    known.update(
        {name: Attr(Thunk.of(Opaque(f"haumea {name}"))) for name in ("self", "super", "root")}
    )
    args: dict[str, Attr] = {}
    for name, has_default in value.formals() or ():
        if name in known:
            args[name] = known[name]
        elif not complete:
            args[name] = Attr(Thunk.of(Unknown(f"haumea input {name}", span)))
        elif not has_default:
            args[name] = Attr(Thunk.of(Failure(f"haumea: no input {name!r}", span)))
    return ev.apply(value, Thunk.of(AttrSet(args)), span)


def _later(
    fn: Callable[[Evaluator, str, Thunk, Span | None], Value],
    ev: Evaluator,
    path: str,
    inputs: Thunk,
    span: Span | None,
) -> Callable[[], Value]:
    return lambda: fn(ev, path, inputs, span)


#: ``inputs.haumea.lib``
HAUMEA_LIB = AttrSet({"load": Attr(Thunk.of(Builtin("load", 1, _load)))}, partial="haumea.lib")
