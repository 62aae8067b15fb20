"""String functions: ``toString``, ``builtins`` on strings, ``lib.strings`` and version
comparison.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import TYPE_CHECKING

from nixlint.evaluate.functions.args import (
    arg_bool,
    arg_int,
    arg_list,
    arg_str,
)
from nixlint.evaluate.functions.lists import map_list
from nixlint.evaluate.functions.registry import define
from nixlint.evaluate.interpolation import coerce_to_string, join_parts
from nixlint.evaluate.values import (
    AttrSet,
    Failure,
    List,
    PartialString,
    Path,
    Thunk,
    Unknown,
    Value,
    first_unknown,
)

if TYPE_CHECKING:
    from nixlint.evaluate.evaluator import Evaluator
    from nixlint.span import Span


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


@define("toString", 1, lib=True)
def _b_to_string(ev: Evaluator, x: Thunk) -> Value:
    return _to_string(ev, x.force())


@define("concatStringsSep", 2, lib=True)
def _b_concat_strings_sep(ev: Evaluator, sep: Thunk, xs: Thunk) -> Value:
    separator, value = arg_str("concatStringsSep", sep), arg_list("concatStringsSep", xs)
    unknown = first_unknown(value)
    if isinstance(separator, Failure) or unknown:
        return separator if isinstance(separator, Failure) else unknown
    assert isinstance(value, List)
    parts: list[str | Unknown] = []
    for index, item in enumerate(value.items):
        if index:
            parts.append(separator)
        parts.append(coerce_to_string(item.force(), item.span))
    return join_parts(parts, None) if parts else ("" if isinstance(separator, str) else separator)


@define("stringLength", 1, lib=True)
def _b_string_length(ev: Evaluator, s: Thunk) -> Value:
    value = coerce_to_string(s.force(), None)
    return value if isinstance(value, Unknown) else len(value.encode())


@define("substring", 3, lib=True)
def _b_substring(ev: Evaluator, start: Thunk, length: Thunk, s: Thunk) -> Value:
    a, n = arg_int("substring", start), arg_int("substring", length)
    text = coerce_to_string(s.force(), None)
    unknown = first_unknown(a, n, text)
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
        arg_list("replaceStrings", old),
        arg_list("replaceStrings", new),
        arg_str("replaceStrings", s),
    )
    if isinstance(olds, List) and isinstance(news, List):
        if len(olds.items) != len(news.items):
            return Failure("replaceStrings: lists of different lengths")
        strs = [arg_str("replaceStrings", t) for t in olds.items + news.items]
    else:
        strs = []
    unknown = first_unknown(olds, news, *strs, text)
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


@define("boolToString", 1, builtin=False, lib=True)
def _l_bool_to_string(ev: Evaluator, b: Thunk) -> Value:
    value = arg_bool("boolToString", b)
    return value if isinstance(value, Unknown) else ("true" if value else "false")


@define("concatStrings", 1, builtin=False, lib=True)
def _l_concat_strings(ev: Evaluator, xs: Thunk) -> Value:
    return _b_concat_strings_sep(ev, Thunk.of(""), xs)


@define("concatMapStrings", 2, builtin=False, lib=True)
def _l_concat_map_strings(ev: Evaluator, f: Thunk, xs: Thunk) -> Value:
    return _b_concat_strings_sep(ev, Thunk.of(""), Thunk.of(map_list(ev, f, xs)))


@define("concatMapStringsSep", 3, builtin=False, lib=True)
def _l_concat_map_strings_sep(ev: Evaluator, sep: Thunk, f: Thunk, xs: Thunk) -> Value:
    return _b_concat_strings_sep(ev, sep, Thunk.of(map_list(ev, f, xs)))


def _string_pred(name: str, test: Callable[[str, str], Value]) -> None:
    def run(ev: Evaluator, a: Thunk, b: Thunk) -> Value:
        x, y = arg_str(name, a), b.force()
        if name == "hasSuffix" and isinstance(x, str):
            tail = _known_tail(y)
            if tail is not None and len(x) <= len(tail):
                return tail.endswith(x)
        if isinstance(y, PartialString) and isinstance(x, str):
            known = y.parts[0] if isinstance(y.parts[0], str) else ""
            if name == "hasPrefix" and known.startswith(x):
                return True
            return y
        y = coerce_to_string(y, None)
        unknown = first_unknown(x, y)
        if unknown:
            return unknown
        return test(x, y)  # type: ignore[arg-type]

    define(name, 2, builtin=False, lib=True)(run)


def _known_tail(value: Value) -> str | None:
    """The known end of a string-like value: a local path's store copy ends with
    ``-<its name>`` (``/nix/store/<hash>-x.nix``); a partly known string with its last part."""
    if isinstance(value, Path) and not value.external:
        return "-" + os.path.basename(value.path.rstrip("/"))
    if isinstance(value, PartialString) and isinstance(value.parts[-1], str):
        return value.parts[-1]
    return None


_string_pred("hasPrefix", lambda p, s: s.startswith(p))
_string_pred("hasSuffix", lambda p, s: s.endswith(p))
_string_pred("hasInfix", lambda p, s: p in s)
_string_pred("removePrefix", lambda p, s: s[len(p) :] if s.startswith(p) else s)
_string_pred("removeSuffix", lambda p, s: s[: len(s) - len(p)] if p and s.endswith(p) else s)


@define("toUpper", 1, builtin=False, lib=True)
def _l_to_upper(ev: Evaluator, s: Thunk) -> Value:
    value = arg_str("toUpper", s)
    return value if isinstance(value, Unknown) else value.upper()


@define("toLower", 1, builtin=False, lib=True)
def _l_to_lower(ev: Evaluator, s: Thunk) -> Value:
    value = arg_str("toLower", s)
    return value if isinstance(value, Unknown) else value.lower()


@define("splitString", 2, builtin=False, lib=True)
def _l_split_string(ev: Evaluator, sep: Thunk, s: Thunk) -> Value:
    separator, text = arg_str("splitString", sep), arg_str("splitString", s)
    unknown = first_unknown(separator, text)
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


@define("compareVersions", 2, lib=True)
def _b_compare_versions(ev: Evaluator, a: Thunk, b: Thunk) -> Value:
    x, y = arg_str("compareVersions", a), arg_str("compareVersions", b)
    unknown = first_unknown(x, y)
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


@define("versionAtLeast", 2, builtin=False, lib=True)
def _l_version_at_least(ev: Evaluator, a: Thunk, b: Thunk) -> Value:
    c = _b_compare_versions(ev, a, b)
    return c if isinstance(c, Unknown) else c >= 0  # type: ignore[operator]


@define("versionOlder", 2, builtin=False, lib=True)
def _l_version_older(ev: Evaluator, a: Thunk, b: Thunk) -> Value:
    c = _b_compare_versions(ev, a, b)
    return c if isinstance(c, Unknown) else c < 0  # type: ignore[operator]
