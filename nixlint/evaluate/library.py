"""The functions nixlint models: Nix builtins and the parts of nixpkgs ``lib`` that modules use.

Each function is a plain Python function of the evaluator and its argument thunks,
registered with :func:`define`. Arguments of the wrong type give an Unknown, never an
exception. Names not modelled here are Unknown when used (``lib`` is a *partial* set).
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING

from nixlint.evaluate.evaluator import (
    MAX_LIST,
    Conditional,
    Evaluator,
    coerce_to_string,
    join_parts,
)
from nixlint.evaluate.operators import compare, equal, short_circuit
from nixlint.evaluate.values import (
    Attr,
    AttrSet,
    Builtin,
    Failure,
    Lambda,
    List,
    MkIf,
    MkMerge,
    MkOrder,
    MkOverride,
    Opaque,
    OptionDecl,
    PartialString,
    Path,
    Thunk,
    Unknown,
    Value,
    caused_by,
    first_unknown,
    type_name,
)

if TYPE_CHECKING:
    from nixlint.span import Span

Fn = Callable[..., Value]

_BUILTINS: dict[str, Thunk] = {}
_LIB: dict[str, Thunk] = {}
_GLOBALS: dict[str, Thunk] = {}

#: Names bound at top level in every Nix file besides ``builtins`` itself.
_GLOBAL_NAMES = {
    "abort",
    "baseNameOf",
    "derivation",
    "dirOf",
    "fetchGit",
    "fetchTarball",
    "fetchTree",
    "fromTOML",
    "import",
    "isNull",
    "map",
    "placeholder",
    "removeAttrs",
    "scopedImport",
    "throw",
    "toString",
}


def define(
    name: str, arity: int, *, builtin: bool = True, lib: bool | str = False
) -> Callable[[Fn], Fn]:
    """Register ``fn`` as ``builtins.<name>`` and/or ``lib.<name>`` (or ``lib.<lib>``)."""

    def register(fn: Fn) -> Fn:
        value = Thunk.of(Builtin(name, arity, fn))
        if builtin:
            _BUILTINS[name] = value
        if lib:
            _LIB[lib if isinstance(lib, str) else name] = value
        return fn

    return register


# -- argument helpers ----------------------------------------------------------------------


def _err(fn: str, expected: str, value: Value) -> Unknown:
    if isinstance(value, Unknown):
        return value
    return Failure(f"{fn}: expected {expected}, got a {type_name(value)}")


def _list(fn: str, t: Thunk) -> List | Unknown:
    value = t.force()
    return value if isinstance(value, List) else _err(fn, "a list", value)


def _set(fn: str, t: Thunk) -> AttrSet | Unknown:
    value = t.force()
    return value if isinstance(value, AttrSet) else _err(fn, "a set", value)


def _str(fn: str, t: Thunk) -> str | Unknown:
    value = t.force()
    return value if isinstance(value, str) else _err(fn, "a string", value)


def _int(fn: str, t: Thunk) -> int | Unknown:
    value = t.force()
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    return _err(fn, "an integer", value)


def _bool(fn: str, t: Thunk) -> bool | Unknown:
    value = t.force()
    return value if isinstance(value, bool) else _err(fn, "a Boolean", value)


def _first_unknown(*values: object) -> Unknown | None:
    return first_unknown(*values)


def _function(fn: str, t: Thunk) -> Value:
    """A function argument, which Nix forces first: a value that is not a function fails."""
    value = t.force()
    if isinstance(value, (Lambda, Builtin, Unknown)):
        return value
    if isinstance(value, AttrSet) and "__functor" in value.attrs:
        return value
    return Failure(f"{fn}: expected a function, got a {type_name(value)}")


def _set_complete(fn: str, value: AttrSet) -> Unknown | None:
    if value.complete:
        return None
    return Unknown(f"{fn}: the set has attributes nixlint cannot name")


def _call_later(ev: Evaluator, f: Value, *args: Thunk) -> Thunk:
    def run() -> Value:
        result = f
        for arg in args:
            result = ev.apply(result, arg)
        return result

    return Thunk.lazy(run)


def _make_set(pairs: dict[str, Thunk]) -> AttrSet:
    return AttrSet({k: Attr(v) for k, v in pairs.items()})


def _to_string(ev: Evaluator, value: Value, span: Span | None = None) -> str | Unknown:
    """``toString``: more lenient than interpolation."""
    if isinstance(value, bool):
        return "1" if value else ""
    if value is None:
        return ""
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return f"{value:f}"
    if isinstance(value, Path):
        return value.path if value.external else os.path.abspath(value.path)
    if isinstance(value, List):
        return _list_to_string(ev, value, span)
    if isinstance(value, AttrSet):
        to_string = value.get("__toString")
        if to_string is not None:
            result = ev.apply(to_string.force(), Thunk.of(value))
            return _to_string(ev, result, span)
    return coerce_to_string(value, span)


def _list_to_string(ev: Evaluator, value: List, span: Span | None) -> str | Unknown:
    """Items joined by spaces, except that Nix puts none after an empty list."""
    out: list[str] = []
    last = len(value.items) - 1
    for index, item in enumerate(value.items):
        v = item.force()
        s = _to_string(ev, v, span)
        if isinstance(s, Unknown):
            return s
        out.append(s)
        if index < last and not (isinstance(v, List) and not v.items):
            out.append(" ")
    return "".join(out)


# -- builtins -------------------------------------------------------------------------------


@define("toString", 1, lib=True)
def _b_to_string(ev: Evaluator, x: Thunk) -> Value:
    return _to_string(ev, x.force())


@define("throw", 1)
def _b_throw(ev: Evaluator, msg: Thunk) -> Value:
    text = msg.force()
    return Failure(f"evaluation error: throw {text!r}" if isinstance(text, str) else "throw")


@define("abort", 1)
def _b_abort(ev: Evaluator, msg: Thunk) -> Value:
    return Failure("evaluation aborted")


@define("length", 1, lib=True)
def _b_length(ev: Evaluator, xs: Thunk) -> Value:
    value = _list("length", xs)
    return value if isinstance(value, Unknown) else len(value.items)


@define("head", 1, lib=True)
def _b_head(ev: Evaluator, xs: Thunk) -> Value:
    value = _list("head", xs)
    if isinstance(value, Unknown):
        return value
    return value.items[0].force() if value.items else Failure("head of an empty list")


@define("tail", 1, lib=True)
def _b_tail(ev: Evaluator, xs: Thunk) -> Value:
    value = _list("tail", xs)
    if isinstance(value, Unknown):
        return value
    return List(value.items[1:]) if value.items else Failure("tail of an empty list")


@define("elemAt", 2, lib=True)
def _b_elem_at(ev: Evaluator, xs: Thunk, n: Thunk) -> Value:
    value, index = _list("elemAt", xs), _int("elemAt", n)
    unknown = _first_unknown(value, index)
    if unknown:
        return unknown
    assert isinstance(value, List) and isinstance(index, int)
    if 0 <= index < len(value.items):
        return value.items[index].force()
    return Failure("elemAt: index out of bounds")


@define("elem", 2, lib=True)
def _b_elem(ev: Evaluator, x: Thunk, xs: Thunk) -> Value:
    value = _list("elem", xs)
    if isinstance(value, Unknown):
        return value
    needle = x.force()
    return short_circuit((equal(ev, needle, item.force()) for item in value.items), stop=True)


@define("filter", 2, lib=True)
def _b_filter(ev: Evaluator, f: Thunk, xs: Thunk) -> Value:
    fn = _function("filter", f)
    if isinstance(fn, Failure):
        return fn
    value = _list("filter", xs)
    if isinstance(value, Unknown):
        return value
    kept: list[Thunk] = []
    for item in value.items:
        keep = ev.apply(fn, item)
        if isinstance(keep, Unknown):
            return caused_by(f"filter: {keep.reason}", keep)
        if keep is True:
            kept.append(item)
        elif keep is not False:
            return Failure("filter: predicate did not return a Boolean")
    return List(kept)


@define("map", 2, lib=True)
def _b_map(ev: Evaluator, f: Thunk, xs: Thunk) -> Value:
    value = _list("map", xs)
    if isinstance(value, Unknown):
        return value
    fn = f.force()
    return List([_call_later(ev, fn, item) for item in value.items])


@define("concatLists", 1, lib=True)
def _b_concat_lists(ev: Evaluator, xss: Thunk) -> Value:
    value = _list("concatLists", xss)
    if isinstance(value, Unknown):
        return value
    items: list[Thunk] = []
    for sub in value.items:
        inner = _list("concatLists", sub)
        if isinstance(inner, Unknown):
            return inner
        items.extend(inner.items)
        if len(items) > MAX_LIST:
            return Unknown("list too long to track")
    return List(items)


@define("concatMap", 2, lib=True)
def _b_concat_map(ev: Evaluator, f: Thunk, xs: Thunk) -> Value:
    fn = _function("concatMap", f)
    if isinstance(fn, Failure):
        return fn
    mapped = _b_map(ev, f, xs)
    if isinstance(mapped, Unknown):
        return mapped
    return _b_concat_lists(ev, Thunk.of(mapped))


@define("concatStringsSep", 2, lib=True)
def _b_concat_strings_sep(ev: Evaluator, sep: Thunk, xs: Thunk) -> Value:
    separator, value = _str("concatStringsSep", sep), _list("concatStringsSep", xs)
    unknown = _first_unknown(value)
    if isinstance(separator, Failure) or unknown:
        return separator if isinstance(separator, Failure) else unknown
    assert isinstance(value, List)
    parts: list[str | Unknown] = []
    for index, item in enumerate(value.items):
        if index:
            parts.append(separator)
        parts.append(coerce_to_string(item.force(), item.span))
    return join_parts(parts, None) if parts else ("" if isinstance(separator, str) else separator)


@define("attrNames", 1, lib=True)
def _b_attr_names(ev: Evaluator, s: Thunk) -> Value:
    value = _set("attrNames", s)
    if isinstance(value, Unknown):
        return value
    return _set_complete("attrNames", value) or List([Thunk.of(k) for k in sorted(value.attrs)])


@define("attrValues", 1, lib=True)
def _b_attr_values(ev: Evaluator, s: Thunk) -> Value:
    value = _set("attrValues", s)
    if isinstance(value, Unknown):
        return value
    return _set_complete("attrValues", value) or List([a.thunk for _, a in value.items()])


@define("hasAttr", 2, lib=True)
def _b_has_attr(ev: Evaluator, name: Thunk, s: Thunk) -> Value:
    key, value = _str("hasAttr", name), _set("hasAttr", s)
    unknown = _first_unknown(key, value)
    if unknown:
        return unknown
    assert isinstance(key, str) and isinstance(value, AttrSet)
    if key in value.attrs:
        return True
    return Unknown("hasAttr: unknown attribute names") if not value.complete else False


@define("getAttr", 2, lib=True)
def _b_get_attr(ev: Evaluator, name: Thunk, s: Thunk) -> Value:
    key = _str("getAttr", name)
    if isinstance(key, Unknown):
        return key
    return ev.select(s.force(), key, None)


@define("listToAttrs", 1, lib=True)
def _b_list_to_attrs(ev: Evaluator, xs: Thunk) -> Value:
    value = _list("listToAttrs", xs)
    if isinstance(value, Unknown):
        return value
    attrs: dict[str, Attr] = {}
    dynamic: list[tuple[Unknown, Attr]] = []
    for item in value.items:
        pair = _set("listToAttrs", item)
        if isinstance(pair, Unknown):
            return pair
        name_t, value_t = pair.get("name"), pair.get("value")
        if name_t is None or value_t is None:
            if not pair.complete:
                return Unknown("listToAttrs: element that may lack a name or value")
            return Failure("listToAttrs: element without name or value")
        name = name_t.force()
        if isinstance(name, Failure):
            return name
        if isinstance(name, Unknown):
            dynamic.append((name, Attr(value_t, item.span)))
        elif isinstance(name, str):
            attrs.setdefault(name, Attr(value_t, item.span))
        else:
            return Failure("listToAttrs: name is not a string")
    return AttrSet(attrs, dynamic)


@define("mapAttrs", 2, lib=True)
def _b_map_attrs(ev: Evaluator, f: Thunk, s: Thunk) -> Value:
    value = _set("mapAttrs", s)
    if isinstance(value, Unknown):
        return value
    fn = f.force()
    attrs = {
        k: Attr(_call_later(ev, fn, Thunk.of(k), a.thunk), a.span) for k, a in value.attrs.items()
    }
    dynamic = [
        (k, Attr(Thunk.of(Unknown("mapAttrs over an unknown name")), a.span))
        for k, a in value.dynamic
    ]
    return AttrSet(attrs, dynamic, value.span, value.partial)


@define("removeAttrs", 2)
def _b_remove_attrs(ev: Evaluator, s: Thunk, names: Thunk) -> Value:
    value, names_list = _set("removeAttrs", s), _list("removeAttrs", names)
    unknown = _first_unknown(value, names_list)
    if unknown:
        return unknown
    assert isinstance(value, AttrSet) and isinstance(names_list, List)
    drop: set[str] = set()
    for item in names_list.items:
        name = item.force()
        if not isinstance(name, str):
            return _err("removeAttrs", "a string", name)
        drop.add(name)
    attrs = {k: a for k, a in value.attrs.items() if k not in drop}
    return AttrSet(attrs, value.dynamic, value.span, value.partial)


@define("intersectAttrs", 2, lib=True)
def _b_intersect_attrs(ev: Evaluator, a: Thunk, b: Thunk) -> Value:
    x, y = _set("intersectAttrs", a), _set("intersectAttrs", b)
    unknown = _first_unknown(x, y)
    if unknown:
        return unknown
    assert isinstance(x, AttrSet) and isinstance(y, AttrSet)
    if not x.complete:
        return Unknown("intersectAttrs: unknown attribute names")
    return AttrSet({k: v for k, v in y.attrs.items() if k in x.attrs}, [], None)


@define("catAttrs", 2, lib=True)
def _b_cat_attrs(ev: Evaluator, name: Thunk, xs: Thunk) -> Value:
    key, value = _str("catAttrs", name), _list("catAttrs", xs)
    unknown = _first_unknown(key, value)
    if unknown:
        return unknown
    assert isinstance(key, str) and isinstance(value, List)
    out: list[Thunk] = []
    for item in value.items:
        s = _set("catAttrs", item)
        if isinstance(s, Unknown):
            return s
        found = s.get(key)
        if found is not None:
            out.append(found)
        elif not s.complete:
            return Unknown("catAttrs: unknown attribute names")
    return List(out)


def _quantifier(name: str, want: bool) -> Fn:
    def run(ev: Evaluator, f: Thunk, xs: Thunk) -> Value:
        fn = _function(name, f)
        if isinstance(fn, Failure):
            return fn
        value = _list(name, xs)
        if isinstance(value, Unknown):
            return value
        return short_circuit((_predicate(ev, name, fn, item) for item in value.items), stop=want)

    return run


def _predicate(ev: Evaluator, name: str, fn: Value, item: Thunk) -> bool | Unknown:
    r = ev.apply(fn, item)
    if isinstance(r, (bool, Unknown)):
        return r
    return Failure(f"{name}: predicate did not return a Boolean")


define("any", 2, lib=True)(_quantifier("any", True))
define("all", 2, lib=True)(_quantifier("all", False))


@define("typeOf", 1, lib=True)
def _b_type_of(ev: Evaluator, x: Thunk) -> Value:
    value = x.force()
    if isinstance(value, Unknown):
        return value
    return type_name(value)


def _type_test(name: str, kind: str) -> None:
    def run(ev: Evaluator, x: Thunk) -> Value:
        value = x.force()
        if isinstance(value, Unknown):
            return value
        return type_name(value) == kind

    define(name, 1, lib=True)(run)


for _name, _kind in (
    ("isString", "string"),
    ("isInt", "int"),
    ("isBool", "bool"),
    ("isList", "list"),
    ("isAttrs", "set"),
    ("isFunction", "lambda"),
    ("isFloat", "float"),
    ("isNull", "null"),
    ("isPath", "path"),
):
    _type_test(_name, _kind)


def _arith(name: str, op: str) -> None:
    from nixlint.evaluate.operators import arithmetic, compare_op

    def run(ev: Evaluator, a: Thunk, b: Thunk) -> Value:
        if op == "<":
            return compare_op(ev, "<", a.force(), b.force(), None)
        if op == "+":
            from nixlint.evaluate.operators import add

            x, y = a.force(), b.force()
            if isinstance(x, (int, float, Unknown)) and isinstance(y, (int, float, Unknown)):
                return add(x, y, None)
            return first_unknown(x, y) or Failure("add: expected numbers")
        return arithmetic(op, a.force(), b.force(), None)

    define(name, 2, lib=True)(run)


for _name, _op in (("add", "+"), ("sub", "-"), ("mul", "*"), ("div", "/"), ("lessThan", "<")):
    _arith(_name, _op)


@define("foldl'", 3, lib=True)
def _b_foldl(ev: Evaluator, f: Thunk, init: Thunk, xs: Thunk) -> Value:
    fn = _function("foldl'", f)
    if isinstance(fn, Failure):
        return fn
    value = _list("foldl'", xs)
    if isinstance(value, Unknown):
        return value
    acc: Value = init.force()
    for item in value.items:
        acc = ev.apply(ev.apply(fn, Thunk.of(acc)), item)
        if isinstance(acc, Failure) or (isinstance(acc, Unknown) and ev.steps > ev.budget):
            return acc  # each step is forced in Nix: a failure stops the fold
    return acc


@define("genList", 2, lib=True)
def _b_gen_list(ev: Evaluator, f: Thunk, n: Thunk) -> Value:
    count = _int("genList", n)
    if isinstance(count, Unknown):
        return count
    if count < 0:
        return Failure("genList: negative length")
    if count > MAX_LIST:
        return Unknown("list too long to track")
    fn = f.force()
    return List([_call_later(ev, fn, Thunk.of(i)) for i in range(count)])


@define("stringLength", 1, lib=True)
def _b_string_length(ev: Evaluator, s: Thunk) -> Value:
    value = coerce_to_string(s.force(), None)
    return value if isinstance(value, Unknown) else len(value.encode())


@define("substring", 3, lib=True)
def _b_substring(ev: Evaluator, start: Thunk, length: Thunk, s: Thunk) -> Value:
    a, n = _int("substring", start), _int("substring", length)
    text = coerce_to_string(s.force(), None)
    unknown = _first_unknown(a, n, text)
    if unknown:
        return unknown
    assert isinstance(a, int) and isinstance(n, int) and isinstance(text, str)
    if a < 0:
        return Failure("substring: negative start")
    data = text.encode()
    end = len(data) if n < 0 else a + n
    return _decode(data[a:end], "substring")


def _decode(data: bytes, fn: str) -> str | Unknown:
    """Nix strings are bytes: one that is not UTF-8 has no exact Python value."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return Unknown(f"{fn}: the result splits a UTF-8 character")


@define("replaceStrings", 3, lib=True)
def _b_replace_strings(ev: Evaluator, old: Thunk, new: Thunk, s: Thunk) -> Value:
    olds, news, text = (
        _list("replaceStrings", old),
        _list("replaceStrings", new),
        _str("replaceStrings", s),
    )
    if isinstance(olds, List) and isinstance(news, List):
        if len(olds.items) != len(news.items):
            return Failure("replaceStrings: lists of different lengths")
        strs = [_str("replaceStrings", t) for t in olds.items + news.items]
    else:
        strs = []
    unknown = _first_unknown(olds, news, *strs, text)
    if unknown:
        return unknown
    assert isinstance(olds, List) and isinstance(text, str)
    encoded = [v.encode() for v in strs]  # type: ignore[union-attr]
    pats, reps = encoded[: len(olds.items)], encoded[len(olds.items) :]
    return _decode(_replace_bytes(text.encode(), pats, reps), "replaceStrings")


def _replace_bytes(data: bytes, pats: list[bytes], reps: list[bytes]) -> bytes:
    """Nix's replaceStrings, byte by byte: the first pattern matching at a position wins;
    an empty pattern matches before every byte and at the end."""
    out: list[bytes] = []
    i = 0
    while i <= len(data):
        for p, r in zip(pats, reps, strict=True):
            if data.startswith(p, i):
                out.append(r)
                if p:
                    i += len(p)
                else:
                    out.append(data[i : i + 1])
                    i += 1
                break
        else:
            out.append(data[i : i + 1])
            i += 1
    return b"".join(out)


@define("seq", 2)
def _b_seq(ev: Evaluator, a: Thunk, b: Thunk) -> Value:
    first = a.force()
    return first if isinstance(first, Failure) else b.force()


@define("deepSeq", 2)
def _b_deep_seq(ev: Evaluator, a: Thunk, b: Thunk) -> Value:
    first = ev.deep(a.force())
    return first if isinstance(first, Failure) else b.force()


@define("trace", 2)
def _b_trace(ev: Evaluator, a: Thunk, b: Thunk) -> Value:
    return _b_seq(ev, a, b)


@define("toJSON", 1)
def _b_to_json(ev: Evaluator, x: Thunk) -> Value:
    data = ev.deep(x.force())
    if isinstance(data, Unknown):
        return data
    return _json(data)


def _json(data: object) -> str | Unknown:
    """JSON text as Nix writes it: no spaces, floats with 6 significant digits, control
    characters other than newline, return and tab as ``\\u00XX``."""
    if isinstance(data, Path):
        return Unknown("toJSON of a path")
    if isinstance(data, float):
        return _json_float(data)
    if isinstance(data, str):
        return _json_string(data)
    if isinstance(data, list):
        parts = [_json(v) for v in data]
        unknown = _first_unknown(*parts)
        return unknown or "[" + ",".join(parts) + "]"  # type: ignore[arg-type]
    if isinstance(data, dict):
        parts = [_json(v) for v in data.values()]
        unknown = _first_unknown(*parts)
        if unknown:
            return unknown
        fields = [f"{_json_string(k)}:{v}" for k, v in zip(data, parts, strict=True)]
        return "{" + ",".join(fields) + "}"
    return json.dumps(data)


def _json_float(value: float) -> str | Unknown:
    if not math.isfinite(value):
        return Unknown("toJSON of a float that is not finite")
    return f"{value:g}"


_JSON_ESCAPES = {'"': '\\"', "\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _json_string(text: str) -> str:
    out = []
    for ch in text:
        escaped = _JSON_ESCAPES.get(ch)
        if escaped is None and ord(ch) < 32:
            escaped = f"\\u{ord(ch):04x}"
        out.append(escaped or ch)
    return '"' + "".join(out) + '"'


@define("fromJSON", 1)
def _b_from_json(ev: Evaluator, s: Thunk) -> Value:
    text = _str("fromJSON", s)
    if isinstance(text, Unknown):
        return text
    try:
        return from_python(json.loads(text))
    except (ValueError, RecursionError):
        return Failure("fromJSON: invalid JSON")


def from_python(data: object) -> Value:
    if isinstance(data, dict):
        return _make_set({k: Thunk.of(from_python(v)) for k, v in data.items()})
    if isinstance(data, list):
        return List([Thunk.of(from_python(v)) for v in data])
    return data  # type: ignore[return-value]


@define("functionArgs", 1, lib=True)
def _b_function_args(ev: Evaluator, f: Thunk) -> Value:
    fn = f.force()
    if isinstance(fn, Lambda):
        formals = fn.node.child_by_field_name("formals")
        out: dict[str, Thunk] = {}
        if formals is not None:
            for formal in formals.children_by_field_name("formal"):
                name_node = formal.child_by_field_name("name")
                if name_node is not None:
                    name = fn.src.text(name_node)
                    out[name] = Thunk.of(formal.child_by_field_name("default") is not None)
        return _make_set(out)
    if isinstance(fn, Unknown):
        return fn
    return Unknown("functionArgs of a modelled function")


@define("sort", 2, lib=True)
def _b_sort(ev: Evaluator, f: Thunk, xs: Thunk) -> Value:
    fn = _function("sort", f)
    if isinstance(fn, Failure):
        return fn
    value = _list("sort", xs)
    if isinstance(value, Unknown):
        return value
    failed = next((v for v in (t.force() for t in value.items) if isinstance(v, Failure)), None)
    if failed is not None:
        return failed
    failure: list[Unknown] = []

    def less(a: Thunk, b: Thunk) -> bool:
        r = ev.apply(ev.apply(fn, a), b)
        if not isinstance(r, bool):
            failure.append(r if isinstance(r, Unknown) else Failure("sort: comparator result"))
            return False
        return r

    items = _merge_sort(value.items, less)
    return failure[0] if failure else List(items)


def _merge_sort(items: list[Thunk], less: Callable[[Thunk, Thunk], bool]) -> list[Thunk]:
    if len(items) <= 1:
        return list(items)
    mid = len(items) // 2
    left, right = _merge_sort(items[:mid], less), _merge_sort(items[mid:], less)
    out: list[Thunk] = []
    i = j = 0
    while i < len(left) and j < len(right):
        if less(right[j], left[i]):
            out.append(right[j])
            j += 1
        else:
            out.append(left[i])
            i += 1
    return out + left[i:] + right[j:]


@define("partition", 2, lib=True)
def _b_partition(ev: Evaluator, f: Thunk, xs: Thunk) -> Value:
    fn = _function("partition", f)
    if isinstance(fn, Failure):
        return fn
    value = _list("partition", xs)
    if isinstance(value, Unknown):
        return value
    right: list[Thunk] = []
    wrong: list[Thunk] = []
    for item in value.items:
        r = ev.apply(fn, item)
        if not isinstance(r, bool):
            return r if isinstance(r, Unknown) else Failure("partition: predicate result")
        (right if r else wrong).append(item)
    return _make_set({"right": Thunk.of(List(right)), "wrong": Thunk.of(List(wrong))})


@define("baseNameOf", 1, lib=True)
def _b_base_name_of(ev: Evaluator, p: Thunk) -> Value:
    value = p.force()
    text = value.path if isinstance(value, Path) else coerce_to_string(value, None)
    if isinstance(text, Unknown):
        return text
    return text.rstrip("/").rsplit("/", 1)[-1]


@define("dirOf", 1)
def _b_dir_of(ev: Evaluator, p: Thunk) -> Value:
    value = p.force()
    if isinstance(value, Path):
        return Path(os.path.dirname(value.path) or ".", value.external)
    text = coerce_to_string(value, None)
    if isinstance(text, Unknown):
        return text
    if "/" not in text:
        return "."
    head = text.rsplit("/", 1)[0]
    return head or "/"


def _unknowable(name: str, arity: int, why: str, lib: bool = False) -> None:
    def run(ev: Evaluator, *args: Thunk) -> Value:
        return Unknown(f"{name}: {why}")

    define(name, arity, lib=lib)(run)


for _name, _arity, _why in (
    ("getEnv", 1, "depends on the environment"),
    ("match", 2, "regular expressions are not modelled"),
    ("split", 2, "regular expressions are not modelled"),
    ("hashString", 2, "hashes are not computed"),
    ("hashFile", 2, "hashes are not computed"),
    ("fetchTarball", 1, "fetches are not performed"),
    ("fetchGit", 1, "fetches are not performed"),
    ("fetchTree", 1, "fetches are not performed"),
    ("fetchurl", 1, "fetches are not performed"),
    ("derivation", 1, "derivations are not built"),
    ("toFile", 2, "store paths are not computed"),
    ("path", 1, "store paths are not computed"),
    ("filterSource", 2, "store paths are not computed"),
    ("storePath", 1, "store paths are not computed"),
    ("scopedImport", 2, "scopedImport is not modelled"),
    ("placeholder", 1, "placeholders depend on the build"),
    ("tryEval", 1, "error recovery is not modelled"),
    ("genericClosure", 1, "genericClosure is not modelled"),
    ("unsafeGetAttrPos", 2, "positions are not modelled"),
):
    _unknowable(_name, _arity, _why)


@define("import", 1)
def _b_import(ev: Evaluator, p: Thunk) -> Value:
    value = p.force()
    if isinstance(value, Path):
        if value.external:
            return Opaque(f"import {value.path}")
        return ev.import_file(_default_nix(value.path), p.span)
    if isinstance(value, AttrSet) and "outPath" in value.attrs:
        return Unknown("import of a derivation or flake input")
    if isinstance(value, str) and value.startswith("/"):
        return ev.import_file(_default_nix(value), p.span)
    if isinstance(value, Unknown):
        return Unknown(f"import of an unknown path: {value.reason}", value.span)
    return Unknown("import of something that is not a path")


def _default_nix(path: str) -> str:
    if os.path.isdir(path):
        return os.path.join(path, "default.nix")
    return path


@define("ceil", 1)
def _b_ceil(ev: Evaluator, x: Thunk) -> Value:
    value = x.force()
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return math.ceil(value)
    return _err("ceil", "a number", value)


@define("floor", 1)
def _b_floor(ev: Evaluator, x: Thunk) -> Value:
    value = x.force()
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return math.floor(value)
    return _err("floor", "a number", value)


@define("compareVersions", 2, lib=True)
def _b_compare_versions(ev: Evaluator, a: Thunk, b: Thunk) -> Value:
    x, y = _str("compareVersions", a), _str("compareVersions", b)
    unknown = _first_unknown(x, y)
    if unknown:
        return unknown
    assert isinstance(x, str) and isinstance(y, str)
    return _compare_versions(x, y)


def _version_parts(v: str) -> list[str]:
    import re

    return re.findall(r"[0-9]+|[a-zA-Z]+", v)


def _compare_versions(x: str, y: str) -> int:
    def key_cmp(p: str, q: str) -> int:
        if p.isdigit() and q.isdigit():
            return (int(p) > int(q)) - (int(p) < int(q))
        if p == "" and q.isdigit():
            return -1
        if q == "" and p.isdigit():
            return 1
        if p == "pre" and q != "pre":
            return -1
        if q == "pre" and p != "pre":
            return 1
        if q.isdigit():
            return -1
        if p.isdigit():
            return 1
        return (p > q) - (p < q)

    xs, ys = _version_parts(x), _version_parts(y)
    for i in range(max(len(xs), len(ys))):
        c = key_cmp(xs[i] if i < len(xs) else "", ys[i] if i < len(ys) else "")
        if c:
            return c
    return 0


# -- lib: the module system -----------------------------------------------------------------


@define("mkIf", 2, builtin=False, lib=True)
def _l_mk_if(ev: Evaluator, cond: Thunk, content: Thunk) -> Value:
    return MkIf(cond, content)


@define("mkMerge", 1, builtin=False, lib=True)
def _l_mk_merge(ev: Evaluator, xs: Thunk) -> Value:
    value = _list("mkMerge", xs)
    return value if isinstance(value, Unknown) else MkMerge(value.items)


@define("mkOverride", 2, builtin=False, lib=True)
def _l_mk_override(ev: Evaluator, prio: Thunk, content: Thunk) -> Value:
    priority = _int("mkOverride", prio)
    return priority if isinstance(priority, Unknown) else MkOverride(priority, content)


@define("mkOrder", 2, builtin=False, lib=True)
def _l_mk_order(ev: Evaluator, prio: Thunk, content: Thunk) -> Value:
    priority = _int("mkOrder", prio)
    return priority if isinstance(priority, Unknown) else MkOrder(priority, content)


def _fixed_override(name: str, priority: int) -> None:
    define(name, 1, builtin=False, lib=True)(lambda ev, content: MkOverride(priority, content))


for _name, _prio in (
    ("mkVMOverride", 10),
    ("mkForce", 50),
    ("mkImageMediaOverride", 60),
    ("mkDefault", 1000),
    ("mkOptionDefault", 1500),
):
    _fixed_override(_name, _prio)

define("mkBefore", 1, builtin=False, lib=True)(lambda ev, content: MkOrder(500, content))
define("mkAfter", 1, builtin=False, lib=True)(lambda ev, content: MkOrder(1500, content))


@define("mkOption", 1, builtin=False, lib=True)
def _l_mk_option(ev: Evaluator, attrs: Thunk) -> Value:
    value = attrs.force()
    if not isinstance(value, AttrSet):
        return OptionDecl(None, attrs.span)
    description = value.get("description")
    text = description.force() if description is not None else None
    return OptionDecl(value.get("default"), attrs.span, text if isinstance(text, str) else None)


@define("mkEnableOption", 1, builtin=False, lib=True)
def _l_mk_enable_option(ev: Evaluator, name: Thunk) -> Value:
    text = name.force()
    return OptionDecl(Thunk.of(False), name.span, text if isinstance(text, str) else None)


@define("mkPackageOption", 3, builtin=False, lib=True)
def _l_mk_package_option(ev: Evaluator, pkgs: Thunk, name: Thunk, extra: Thunk) -> Value:
    label = name.force()
    default = Opaque(f"pkgs.{label}") if isinstance(label, str) else Unknown("package option")
    return OptionDecl(Thunk.of(default), name.span)


for _name in ("literalExpression", "literalExample", "literalMD", "mdDoc"):
    define(_name, 1, builtin=False, lib=True)(lambda ev, x: x.force())


# -- lib: conditionals (a condition nixlint cannot decide gives a Conditional) -----------------


def _conditional(fn: str, cond: Thunk, then: Callable[[], Value], otherwise: Value) -> Value:
    c = cond.force()
    if c is True:
        return then()
    if c is False:
        return otherwise
    if isinstance(c, Failure):
        return c
    if isinstance(c, Unknown):
        return Conditional(cond.fresh(), Thunk.lazy(then), Thunk.of(otherwise), c, cond.span)
    return Failure(f"{fn}: condition is not a Boolean")


@define("optional", 2, builtin=False, lib=True)
def _l_optional(ev: Evaluator, cond: Thunk, x: Thunk) -> Value:
    return _conditional("optional", cond, lambda: List([x]), List([]))


@define("optionals", 2, builtin=False, lib=True)
def _l_optionals(ev: Evaluator, cond: Thunk, xs: Thunk) -> Value:
    return _conditional("optionals", cond, xs.force, List([]))


@define("optionalAttrs", 2, builtin=False, lib=True)
def _l_optional_attrs(ev: Evaluator, cond: Thunk, attrs: Thunk) -> Value:
    return _conditional("optionalAttrs", cond, attrs.force, AttrSet())


@define("optionalString", 2, builtin=False, lib=True)
def _l_optional_string(ev: Evaluator, cond: Thunk, s: Thunk) -> Value:
    return _conditional("optionalString", cond, s.force, "")


# -- lib: trivial, lists, strings, attrsets -------------------------------------------------

define("id", 1, builtin=False, lib=True)(lambda ev, x: x.force())
define("const", 2, builtin=False, lib=True)(lambda ev, x, y: x.force())
define("flip", 3, builtin=False, lib=True)(lambda ev, f, a, b: ev.apply(ev.apply(f.force(), b), a))
define("warn", 2, builtin=False, lib=True)(lambda ev, msg, x: x.force())


@define("boolToString", 1, builtin=False, lib=True)
def _l_bool_to_string(ev: Evaluator, b: Thunk) -> Value:
    value = _bool("boolToString", b)
    return value if isinstance(value, Unknown) else ("true" if value else "false")


@define("concatStrings", 1, builtin=False, lib=True)
def _l_concat_strings(ev: Evaluator, xs: Thunk) -> Value:
    return _b_concat_strings_sep(ev, Thunk.of(""), xs)


@define("concatMapStrings", 2, builtin=False, lib=True)
def _l_concat_map_strings(ev: Evaluator, f: Thunk, xs: Thunk) -> Value:
    return _b_concat_strings_sep(ev, Thunk.of(""), Thunk.of(_b_map(ev, f, xs)))


@define("concatMapStringsSep", 3, builtin=False, lib=True)
def _l_concat_map_strings_sep(ev: Evaluator, sep: Thunk, f: Thunk, xs: Thunk) -> Value:
    return _b_concat_strings_sep(ev, sep, Thunk.of(_b_map(ev, f, xs)))


def _string_pred(name: str, test: Callable[[str, str], Value]) -> None:
    def run(ev: Evaluator, a: Thunk, b: Thunk) -> Value:
        x, y = _str(name, a), b.force()
        if isinstance(y, PartialString) and isinstance(x, str):
            known = y.parts[0] if isinstance(y.parts[0], str) else ""
            if name == "hasPrefix" and known.startswith(x):
                return True
            return y
        y = coerce_to_string(y, None)
        unknown = _first_unknown(x, y)
        if unknown:
            return unknown
        return test(x, y)  # type: ignore[arg-type]

    define(name, 2, builtin=False, lib=True)(run)


_string_pred("hasPrefix", lambda p, s: s.startswith(p))
_string_pred("hasSuffix", lambda p, s: s.endswith(p))
_string_pred("hasInfix", lambda p, s: p in s)
_string_pred("removePrefix", lambda p, s: s[len(p) :] if s.startswith(p) else s)
_string_pred("removeSuffix", lambda p, s: s[: len(s) - len(p)] if p and s.endswith(p) else s)


@define("toUpper", 1, builtin=False, lib=True)
def _l_to_upper(ev: Evaluator, s: Thunk) -> Value:
    value = _str("toUpper", s)
    return value if isinstance(value, Unknown) else value.upper()


@define("toLower", 1, builtin=False, lib=True)
def _l_to_lower(ev: Evaluator, s: Thunk) -> Value:
    value = _str("toLower", s)
    return value if isinstance(value, Unknown) else value.lower()


@define("splitString", 2, builtin=False, lib=True)
def _l_split_string(ev: Evaluator, sep: Thunk, s: Thunk) -> Value:
    separator, text = _str("splitString", sep), _str("splitString", s)
    unknown = _first_unknown(separator, text)
    if unknown:
        return unknown
    assert isinstance(separator, str) and isinstance(text, str)
    if not separator:
        return Unknown("splitString with an empty separator")
    return List([Thunk.of(p) for p in text.split(separator)])


@define("escapeShellArg", 1, builtin=False, lib=True)
def _l_escape_shell_arg(ev: Evaluator, s: Thunk) -> Value:
    text = _to_string(ev, s.force())
    if isinstance(text, Unknown):
        return text
    return "'" + text.replace("'", "'\\''") + "'"


@define("flatten", 1, builtin=False, lib=True)
def _l_flatten(ev: Evaluator, x: Thunk) -> Value:
    value = x.force()
    if not isinstance(value, List):
        return value if isinstance(value, Unknown) else List([x])
    out: list[Thunk] = []
    for item in value.items:
        inner = _l_flatten(ev, item)
        if isinstance(inner, Unknown):
            return inner
        assert isinstance(inner, List)
        out.extend(inner.items)
    return List(out)


@define("unique", 1, builtin=False, lib=True)
def _l_unique(ev: Evaluator, xs: Thunk) -> Value:
    value = _list("unique", xs)
    if isinstance(value, Unknown):
        return value
    out: list[Thunk] = []
    for item in value.items:
        v = item.force()
        dup = False
        for kept in out:
            e = equal(ev, kept.force(), v)
            if isinstance(e, Unknown):
                return e
            if e:
                dup = True
                break
        if not dup:
            out.append(item)
    return List(out)


@define("last", 1, builtin=False, lib=True)
def _l_last(ev: Evaluator, xs: Thunk) -> Value:
    value = _list("last", xs)
    if isinstance(value, Unknown):
        return value
    return value.items[-1].force() if value.items else Unknown("last of an empty list")


@define("init", 1, builtin=False, lib=True)
def _l_init(ev: Evaluator, xs: Thunk) -> Value:
    value = _list("init", xs)
    if isinstance(value, Unknown):
        return value
    return List(value.items[:-1]) if value.items else Unknown("init of an empty list")


@define("range", 2, builtin=False, lib=True)
def _l_range(ev: Evaluator, a: Thunk, b: Thunk) -> Value:
    lo, hi = _int("range", a), _int("range", b)
    unknown = _first_unknown(lo, hi)
    if unknown:
        return unknown
    assert isinstance(lo, int) and isinstance(hi, int)
    if hi - lo > MAX_LIST:
        return Unknown("list too long to track")
    return List([Thunk.of(i) for i in range(lo, hi + 1)])


@define("foldl", 3, builtin=False, lib=True)
def _l_foldl(ev: Evaluator, f: Thunk, init: Thunk, xs: Thunk) -> Value:
    return _b_foldl(ev, f, init, xs)


@define("foldr", 3, builtin=False, lib=True)
def _l_foldr(ev: Evaluator, f: Thunk, init: Thunk, xs: Thunk) -> Value:
    value = _list("foldr", xs)
    if isinstance(value, Unknown):
        return value
    fn = f.force()
    acc: Value = init.force()
    for item in reversed(value.items):
        acc = ev.apply(ev.apply(fn, item), Thunk.of(acc))
    return acc


def _imap(base: int) -> Fn:
    def run(ev: Evaluator, f: Thunk, xs: Thunk) -> Value:
        value = _list("imap", xs)
        if isinstance(value, Unknown):
            return value
        fn = f.force()
        return List([_call_later(ev, fn, Thunk.of(i + base), t) for i, t in enumerate(value.items)])

    return run


define("imap0", 2, builtin=False, lib=True)(_imap(0))
define("imap1", 2, builtin=False, lib=True)(_imap(1))


@define("count", 2, builtin=False, lib=True)
def _l_count(ev: Evaluator, f: Thunk, xs: Thunk) -> Value:
    kept = _b_filter(ev, f, xs)
    return kept if isinstance(kept, Unknown) else len(kept.items)  # type: ignore[union-attr]


@define("take", 2, builtin=False, lib=True)
def _l_take(ev: Evaluator, n: Thunk, xs: Thunk) -> Value:
    count, value = _int("take", n), _list("take", xs)
    unknown = _first_unknown(count, value)
    if unknown:
        return unknown
    return List(value.items[: max(count, 0)])  # type: ignore[union-attr,arg-type]


@define("drop", 2, builtin=False, lib=True)
def _l_drop(ev: Evaluator, n: Thunk, xs: Thunk) -> Value:
    count, value = _int("drop", n), _list("drop", xs)
    unknown = _first_unknown(count, value)
    if unknown:
        return unknown
    return List(value.items[max(count, 0) :])  # type: ignore[union-attr,arg-type]


@define("reverseList", 1, builtin=False, lib=True)
def _l_reverse_list(ev: Evaluator, xs: Thunk) -> Value:
    value = _list("reverseList", xs)
    return value if isinstance(value, Unknown) else List(list(reversed(value.items)))


@define("toList", 1, builtin=False, lib=True)
def _l_to_list(ev: Evaluator, x: Thunk) -> Value:
    value = x.force()
    if isinstance(value, (List, Unknown)):
        return value
    return List([x])


define("singleton", 1, builtin=False, lib=True)(lambda ev, x: List([x]))
define("forEach", 2, builtin=False, lib=True)(lambda ev, xs, f: _b_map(ev, f, xs))


@define("subtractLists", 2, builtin=False, lib=True)
def _l_subtract_lists(ev: Evaluator, e: Thunk, xs: Thunk) -> Value:
    remove = _list("subtractLists", e)
    if isinstance(remove, Unknown):
        return remove
    return _b_filter(
        ev,
        Thunk.of(Builtin("subtractLists", 1, lambda ev2, x: not_in(ev2, x, remove))),
        xs,
    )


def not_in(ev: Evaluator, x: Thunk, xs: List) -> Value:
    found = _b_elem(ev, x, Thunk.of(xs))
    return found if isinstance(found, Unknown) else not found


@define("nameValuePair", 2, builtin=False, lib=True)
def _l_name_value_pair(ev: Evaluator, name: Thunk, value: Thunk) -> Value:
    return _make_set({"name": name, "value": value})


@define("genAttrs", 2, builtin=False, lib=True)
def _l_gen_attrs(ev: Evaluator, names: Thunk, f: Thunk) -> Value:
    value = _list("genAttrs", names)
    if isinstance(value, Unknown):
        return value
    fn = f.force()
    pairs = List(
        [Thunk.of(_make_set({"name": t, "value": _call_later(ev, fn, t)})) for t in value.items]
    )
    return _b_list_to_attrs(ev, Thunk.of(pairs))


@define("mapAttrsToList", 2, builtin=False, lib=True)
def _l_map_attrs_to_list(ev: Evaluator, f: Thunk, s: Thunk) -> Value:
    value = _set("mapAttrsToList", s)
    if isinstance(value, Unknown):
        return value
    if not value.complete:
        return Unknown("mapAttrsToList: unknown attribute names")
    fn = f.force()
    return List([_call_later(ev, fn, Thunk.of(k), a.thunk) for k, a in value.items()])


@define("mapAttrs'", 2, builtin=False, lib=True)
def _l_map_attrs_prime(ev: Evaluator, f: Thunk, s: Thunk) -> Value:
    pairs = _l_map_attrs_to_list(ev, f, s)
    if isinstance(pairs, Unknown):
        return pairs
    return _b_list_to_attrs(ev, Thunk.of(pairs))


@define("filterAttrs", 2, builtin=False, lib=True)
def _l_filter_attrs(ev: Evaluator, f: Thunk, s: Thunk) -> Value:
    value = _set("filterAttrs", s)
    if isinstance(value, Unknown):
        return value
    if not value.complete:
        return Unknown("filterAttrs: unknown attribute names")
    fn = f.force()
    kept: dict[str, Attr] = {}
    for name, attr in value.items():
        keep = ev.apply(ev.apply(fn, Thunk.of(name)), attr.thunk)
        if isinstance(keep, Unknown):
            return keep
        if keep is True:
            kept[name] = attr
    return AttrSet(kept, [], value.span)


def _path_names(fn: str, t: Thunk) -> list[str] | Unknown:
    value = _list(fn, t)
    if isinstance(value, Unknown):
        return value
    names: list[str] = []
    for item in value.items:
        name = item.force()
        if not isinstance(name, str):
            return _err(fn, "a list of strings", name)
        names.append(name)
    return names


@define("attrByPath", 3, builtin=False, lib=True)
def _l_attr_by_path(ev: Evaluator, path: Thunk, default: Thunk, s: Thunk) -> Value:
    names = _path_names("attrByPath", path)
    if isinstance(names, Unknown):
        return names
    value = s.force()
    for name in names:
        value = ev.resolved(value)
        if isinstance(value, AttrSet) and name in value.attrs:
            value = value.attrs[name].thunk.force()
        elif isinstance(value, AttrSet) and value.complete:
            return default.force()
        elif isinstance(value, Opaque):
            value = value.select(name)
        elif isinstance(value, Unknown):
            return value
        else:
            return default.force()
    return ev.resolved(value)


@define("getAttrFromPath", 2, builtin=False, lib=True)
def _l_get_attr_from_path(ev: Evaluator, path: Thunk, s: Thunk) -> Value:
    missing = Thunk.of(Unknown("getAttrFromPath: attribute missing"))
    return _l_attr_by_path(ev, path, missing, s)


@define("hasAttrByPath", 2, builtin=False, lib=True)
def _l_has_attr_by_path(ev: Evaluator, path: Thunk, s: Thunk) -> Value:
    names = _path_names("hasAttrByPath", path)
    if isinstance(names, Unknown):
        return names
    value = s.force()
    for name in names:
        if isinstance(value, AttrSet):
            if name in value.attrs:
                value = value.attrs[name].thunk.force()
                continue
            return False if value.complete else Unknown("hasAttrByPath: unknown names")
        if isinstance(value, Unknown):
            return value
        return False
    return True


@define("setAttrByPath", 2, builtin=False, lib=True)
def _l_set_attr_by_path(ev: Evaluator, path: Thunk, value: Thunk) -> Value:
    names = _path_names("setAttrByPath", path)
    if isinstance(names, Unknown):
        return names
    result = value
    for name in reversed(names):
        result = Thunk.of(_make_set({name: result}))
    return result.force()


@define("recursiveUpdate", 2, builtin=False, lib=True)
def _l_recursive_update(ev: Evaluator, a: Thunk, b: Thunk) -> Value:
    return _recursive_update(ev, a.force(), b.force(), 0)


def _recursive_update(ev: Evaluator, x: Value, y: Value, depth: int) -> Value:
    if not (isinstance(x, AttrSet) and isinstance(y, AttrSet)):
        return y
    if depth > 100:
        return Unknown("recursiveUpdate nested too deeply")
    if not y.complete:
        return Unknown("recursiveUpdate: unknown attribute names")
    attrs = dict(x.attrs)
    for name, attr in y.attrs.items():
        if name in attrs:
            left, right = attrs[name].thunk, attr.thunk
            merged = Thunk.lazy(
                lambda left=left, right=right: _recursive_update(
                    ev, left.force(), right.force(), depth + 1
                )
            )
            attrs[name] = Attr(merged, attr.span)
        else:
            attrs[name] = attr
    return AttrSet(attrs, x.dynamic, x.span)


@define("zipAttrsWith", 2, lib=True)
def _b_zip_attrs_with(ev: Evaluator, f: Thunk, sets: Thunk) -> Value:
    value = _list("zipAttrsWith", sets)
    if isinstance(value, Unknown):
        return value
    collected: dict[str, list[Thunk]] = {}
    for item in value.items:
        s = _set("zipAttrsWith", item)
        if isinstance(s, Unknown):
            return s
        if not s.complete:
            return Unknown("zipAttrsWith: unknown attribute names")
        for name, attr in s.items():
            collected.setdefault(name, []).append(attr.thunk)
    fn = f.force()
    return _make_set(
        {k: _call_later(ev, fn, Thunk.of(k), Thunk.of(List(v))) for k, v in collected.items()}
    )


@define("versionAtLeast", 2, builtin=False, lib=True)
def _l_version_at_least(ev: Evaluator, a: Thunk, b: Thunk) -> Value:
    c = _b_compare_versions(ev, a, b)
    return c if isinstance(c, Unknown) else c >= 0  # type: ignore[operator]


@define("versionOlder", 2, builtin=False, lib=True)
def _l_version_older(ev: Evaluator, a: Thunk, b: Thunk) -> Value:
    c = _b_compare_versions(ev, a, b)
    return c if isinstance(c, Unknown) else c < 0  # type: ignore[operator]


@define("min", 2, builtin=False, lib=True)
def _l_min(ev: Evaluator, a: Thunk, b: Thunk) -> Value:
    x, y = a.force(), b.force()
    c = compare(ev, x, y, None)
    return c if isinstance(c, Unknown) else (x if c <= 0 else y)


@define("max", 2, builtin=False, lib=True)
def _l_max(ev: Evaluator, a: Thunk, b: Thunk) -> Value:
    x, y = a.force(), b.force()
    c = compare(ev, x, y, None)
    return c if isinstance(c, Unknown) else (x if c >= 0 else y)


# -- assembling the sets ----------------------------------------------------------------------


class _Pkgs(Opaque):
    """``pkgs``: opaque, except that ``pkgs.lib`` is nixlint's ``lib``."""

    __slots__ = ()

    def select(self, name: str, span: Span | None = None) -> Value:  # type: ignore[override]
        if name == "lib" and self.label == "pkgs":
            return LIB
        return Opaque(f"{self.label}.{name}", span or self.span)


_BUILTINS["true"] = Thunk.of(True)
_BUILTINS["false"] = Thunk.of(False)
_BUILTINS["null"] = Thunk.of(None)
_BUILTINS["currentSystem"] = Thunk.of(Opaque("builtins.currentSystem"))
_BUILTINS["nixVersion"] = Thunk.of(Opaque("builtins.nixVersion"))
_BUILTINS["storeDir"] = Thunk.of(Opaque("builtins.storeDir"))

from nixlint.evaluate import files as _files  # noqa: E402, F401  (registers readFile, …)
from nixlint.evaluate import prelude as _prelude  # noqa: E402

LIB = AttrSet({name: Attr(t) for name, t in _LIB.items()}, partial="lib")
for _sub in ("lists", "strings", "attrsets", "trivial", "modules", "options", "versions"):
    LIB.attrs[_sub] = Attr(Thunk.of(LIB))
LIB.attrs["types"] = Attr(Thunk.of(Opaque("lib.types")))
LIB.attrs["mod"] = Attr(Thunk.of(Builtin("mod", 2, lambda ev, a, b: _mod(a.force(), b.force()))))


def _mod(a: Value, b: Value) -> Value:
    from nixlint.evaluate.operators import arithmetic

    q = arithmetic("/", a, b, None)
    if isinstance(q, Unknown):
        return q
    return a - q * b  # type: ignore[operator]


BUILTINS = AttrSet({name: Attr(t) for name, t in _BUILTINS.items()}, partial="builtins")
_GLOBALS.update({name: _BUILTINS[name] for name in _GLOBAL_NAMES if name in _BUILTINS})
_GLOBALS["builtins"] = Thunk.of(BUILTINS)
for _name in ("true", "false", "null"):
    _GLOBALS[_name] = _BUILTINS[_name]
for _name, _thunk in list(_BUILTINS.items()):
    _GLOBALS.setdefault(f"__{_name}", _thunk)

#: The top-level scope of every file.
GLOBALS: dict[str, Thunk] = _GLOBALS


def pkgs_value(label: str = "pkgs") -> Opaque:
    return _Pkgs(label)


for _name in _prelude.NAMES:  # evaluated when first used
    LIB.attrs.setdefault(_name, Attr(Thunk.lazy(partial(_prelude.function, LIB, _name))))
