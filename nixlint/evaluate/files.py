"""Builtins that read the scanned tree (``readFile``, ``readDir``, ``pathExists``), TOML,
and the fixed-point helpers of ``lib`` that flakes build their own libraries with.

Reading is confined to the scan's roots: a path outside them is Unknown, as is everything
when the evaluator has no file access.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from nixlint.evaluate.functions.registry import define
from nixlint.evaluate.functions.serialise import from_python
from nixlint.evaluate.operators import update
from nixlint.evaluate.values import Attr, AttrSet, Builtin, List, Path, Thunk, Unknown, Value

if TYPE_CHECKING:
    from nixlint.evaluate.evaluator import Evaluator


def _local_path(fn: str, t: Thunk) -> str | Unknown:
    value = t.force()
    if isinstance(value, Path) and not value.external:
        return value.path
    if isinstance(value, str) and value.startswith("/"):
        return value
    if isinstance(value, Unknown):
        return value
    return Unknown(f"{fn}: not a path in the scanned tree")


@define("readFile", 1, lib=True)
def _read_file(ev: Evaluator, p: Thunk) -> Value:
    path = _local_path("readFile", p)
    if isinstance(path, Unknown):
        return path
    data = ev.files.read_bytes(path) if ev.files is not None else None
    if data is None:
        return Unknown(f"readFile: {path} is outside the scanned tree or unreadable", p.span)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return Unknown(f"readFile: {path} is not UTF-8 text", p.span)


@define("fileContents", 1, builtin=False, lib=True)
def _file_contents(ev: Evaluator, p: Thunk) -> Value:
    text = _read_file(ev, p)
    return text.removesuffix("\n") if isinstance(text, str) else text


@define("readDir", 1)
def _read_dir(ev: Evaluator, p: Thunk) -> Value:
    path = _local_path("readDir", p)
    if isinstance(path, Unknown):
        return path
    listing = ev.files.list_dir(path) if ev.files is not None else None
    if listing is None:
        return Unknown(f"readDir: {path} is outside the scanned tree or not a directory", p.span)
    return AttrSet({name: Attr(Thunk.of(kind)) for name, kind in sorted(listing.items())})


@define("pathExists", 1)
def _path_exists(ev: Evaluator, p: Thunk) -> Value:
    path = _local_path("pathExists", p)
    if isinstance(path, Unknown):
        return path
    exists = ev.files.exists(path) if ev.files is not None else None
    if exists is None:
        return Unknown(f"pathExists: {path} is outside the scanned tree", p.span)
    return exists


@define("fromTOML", 1)
def _from_toml(ev: Evaluator, s: Thunk) -> Value:
    text = s.force()
    if not isinstance(text, str):
        return text if isinstance(text, Unknown) else Unknown("fromTOML: not a string")
    import tomllib  # only files that read TOML need the parser

    try:
        data = tomllib.loads(text)
    except (tomllib.TOMLDecodeError, RecursionError):
        return Unknown("fromTOML: invalid TOML")
    if _has_datetime(data):
        return Unknown("fromTOML: dates and times are not modelled")
    return from_python(data)


def _has_datetime(data: object) -> bool:
    if isinstance(data, dict):
        return any(_has_datetime(v) for v in data.values())
    if isinstance(data, list):
        return any(_has_datetime(v) for v in data)
    return not isinstance(data, (str, int, float, bool))


@define("mergeAttrsList", 1, builtin=False, lib=True)
def _merge_attrs_list(ev: Evaluator, xs: Thunk) -> Value:
    listed = xs.force()
    if not isinstance(listed, List):
        return listed if isinstance(listed, Unknown) else Unknown("mergeAttrsList: not a list")
    result: Value = AttrSet()
    for item in listed.items:
        result = update(result, item.force(), None)
        if isinstance(result, Unknown):
            return result
    return result


@define("fix", 1, builtin=False, lib=True)
def _fix(ev: Evaluator, f: Thunk) -> Value:
    """``fix f = let x = f x; in x``."""
    fn = f.force()
    result = Thunk.lazy(lambda: ev.apply(fn, result))
    return result.force()


@define("makeExtensible", 1, builtin=False, lib=True)
def _make_extensible(ev: Evaluator, f: Thunk) -> Value:
    """``makeExtensible f``: the fixed point of ``f``, with an ``extend`` that lays an
    overlay ``final: prev: { … }`` over it."""
    return _extensible(ev, f.force())


def _extensible(ev: Evaluator, fn: Value) -> Value:
    result = Thunk.lazy(lambda: _with_extend(ev, ev.apply(fn, result), fn))
    return result.force()


def _with_extend(ev: Evaluator, value: Value, fn: Value) -> Value:
    if not isinstance(value, AttrSet):
        return value

    def extend(ev2: Evaluator, overlay: Thunk) -> Value:
        layer = overlay.force()

        def extended(ev3: Evaluator, final: Thunk) -> Value:
            prev = Thunk.lazy(lambda: ev3.apply(fn, final))
            added = ev3.apply(ev3.apply(layer, final), prev)
            return update(prev.force(), added, None)

        return _extensible(ev2, Builtin("extended", 1, extended))

    attrs = dict(value.attrs)
    attrs["extend"] = Attr(Thunk.of(Builtin("extend", 1, extend)))
    return AttrSet(attrs, value.dynamic, value.span, value.partial)
