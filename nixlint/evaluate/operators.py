"""Nix operators over partially known values."""

from __future__ import annotations

from typing import TYPE_CHECKING

from nixlint.evaluate.evaluator import MAX_LIST, coerce_to_string, join_parts
from nixlint.evaluate.values import (
    AttrSet,
    Builtin,
    Lambda,
    List,
    PartialString,
    Path,
    Thunk,
    Unknown,
    Value,
)

if TYPE_CHECKING:
    from nixlint.evaluate.evaluator import Evaluator
    from nixlint.span import Span


def _is_number(value: Value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _unknown(a: Value, b: Value, span: Span | None) -> Unknown | None:
    for value in (a, b):
        if isinstance(value, Unknown):
            return value
    return None


def not_(value: Value, span: Span | None) -> Value:
    if isinstance(value, bool):
        return not value
    if isinstance(value, Unknown):
        return value
    return Unknown("`!` applied to a value that is not a Boolean", span)


def negate(value: Value, span: Span | None) -> Value:
    if _is_number(value):
        return -value  # type: ignore[operator]
    if isinstance(value, Unknown):
        return value
    return Unknown("`-` applied to a value that is not a number", span)


def binary(ev: Evaluator, op: str, left: Thunk, right: Thunk, span: Span | None) -> Value:
    if op == "&&":
        return _and(left, right, span)
    if op == "||":
        return _or(left, right, span)
    if op == "->":
        return _or_values(not_(left.force(), span), right, span)
    a = left.force()
    b = right.force()
    if op == "==":
        return equal(ev, a, b)
    if op == "!=":
        return not_(equal(ev, a, b), span)
    if op == "+":
        return add(a, b, span)
    if op in ("-", "*", "/"):
        return arithmetic(op, a, b, span)
    if op in ("<", "<=", ">", ">="):
        return compare_op(ev, op, a, b, span)
    if op == "++":
        return concat_lists(a, b, span)
    if op == "//":
        return update(a, b, span)
    return Unknown(f"unsupported operator {op}", span)


def _and(left: Thunk, right: Thunk, span: Span | None) -> Value:
    a = left.force()
    if a is False:
        return False
    if a is True:
        b = right.force()
        return b if isinstance(b, (bool, Unknown)) else Unknown("`&&` operand is not a Boolean", span)
    if isinstance(a, Unknown):
        b = right.force()
        return False if b is False else a
    return Unknown("`&&` operand is not a Boolean", span)


def _or(left: Thunk, right: Thunk, span: Span | None) -> Value:
    return _or_values(left.force(), right, span)


def _or_values(a: Value, right: Thunk, span: Span | None) -> Value:
    if a is True:
        return True
    if a is False:
        b = right.force()
        return b if isinstance(b, (bool, Unknown)) else Unknown("`||` operand is not a Boolean", span)
    if isinstance(a, Unknown):
        b = right.force()
        return True if b is True else a
    return Unknown("`||` operand is not a Boolean", span)


def add(a: Value, b: Value, span: Span | None) -> Value:
    if _is_number(a) and _is_number(b):
        return _wrap(a + b)  # type: ignore[operator]
    if isinstance(a, Path):
        suffix = coerce_to_string(b, span) if not isinstance(b, Path) else b.path
        if isinstance(suffix, Unknown):
            return Unknown(f"path with an unknown part: {suffix.reason}", span)
        if a.external:
            return Path(a.path + suffix, external=True)
        from nixlint.evaluate.evaluator import make_path

        return make_path(a.path + suffix, "/")
    if _stringy(a) or _stringy(b):
        parts = [_string_operand(a, span), _string_operand(b, span)]
        return join_parts(parts, span)
    unknown = _unknown(a, b, span)
    if unknown is not None:
        return unknown
    if isinstance(a, AttrSet) and "outPath" in a.attrs:
        return add(coerce_to_string(a, span), b, span)
    return Unknown("`+` applied to values that cannot be added", span)


def _stringy(value: Value) -> bool:
    return isinstance(value, (str, PartialString))


def _string_operand(value: Value, span: Span | None) -> str | Unknown:
    if isinstance(value, Path):
        return Unknown(f"store path of {value.path}", span)
    return coerce_to_string(value, span)


def _wrap(value: int | float) -> int | float:
    if isinstance(value, int) and not -(1 << 63) <= value < (1 << 63):
        return Unknown("integer overflow")  # type: ignore[return-value]
    return value


def arithmetic(op: str, a: Value, b: Value, span: Span | None) -> Value:
    unknown = _unknown(a, b, span)
    if unknown is not None:
        return unknown
    if not (_is_number(a) and _is_number(b)):
        return Unknown(f"`{op}` applied to values that are not numbers", span)
    x, y = a, b  # type: ignore[assignment]
    if op == "-":
        return _wrap(x - y)  # type: ignore[operator]
    if op == "*":
        return _wrap(x * y)  # type: ignore[operator]
    if y == 0:
        return Unknown("division by zero", span)
    if isinstance(x, int) and isinstance(y, int):
        q = abs(x) // abs(y)
        return q if (x >= 0) == (y >= 0) else -q
    return x / y  # type: ignore[operator]


def compare(ev: Evaluator, a: Value, b: Value, span: Span | None) -> int | Unknown:
    """-1, 0 or 1 as Nix orders numbers, strings, paths and lists."""
    unknown = _unknown(a, b, span)
    if unknown is not None:
        return unknown
    if _is_number(a) and _is_number(b):
        return (a > b) - (a < b)  # type: ignore[operator]
    if isinstance(a, str) and isinstance(b, str):
        x, y = a.encode(), b.encode()
        return (x > y) - (x < y)
    if isinstance(a, Path) and isinstance(b, Path):
        return (a.path > b.path) - (a.path < b.path)
    if isinstance(a, List) and isinstance(b, List):
        for x, y in zip(a.items, b.items, strict=False):
            c = compare(ev, x.force(), y.force(), span)
            if c != 0:
                return c
        return (len(a.items) > len(b.items)) - (len(a.items) < len(b.items))
    return Unknown("cannot compare these values", span)


def compare_op(ev: Evaluator, op: str, a: Value, b: Value, span: Span | None) -> Value:
    c = compare(ev, a, b, span)
    if isinstance(c, Unknown):
        return c
    return {"<": c < 0, "<=": c <= 0, ">": c > 0, ">=": c >= 0}[op]


def equal(ev: Evaluator, a: Value, b: Value, depth: int = 0) -> bool | Unknown:
    if depth > 100:
        return Unknown("comparison nested too deeply")
    unknown = _unknown(a, b, None)
    if unknown is not None:
        return unknown
    if isinstance(a, bool) or isinstance(b, bool):
        return isinstance(a, bool) and isinstance(b, bool) and a == b
    if _is_number(a) and _is_number(b):
        return a == b
    if a is None or b is None:
        return a is None and b is None
    if isinstance(a, str) and isinstance(b, str):
        return a == b
    if isinstance(a, Path) and isinstance(b, Path):
        return a.path == b.path
    if isinstance(a, List) and isinstance(b, List):
        if len(a.items) != len(b.items):
            return False
        result: bool | Unknown = True
        for x, y in zip(a.items, b.items, strict=True):
            e = equal(ev, x.force(), y.force(), depth + 1)
            if e is False:
                return False
            if isinstance(e, Unknown):
                result = e
        return result
    if isinstance(a, AttrSet) and isinstance(b, AttrSet):
        if not (a.complete and b.complete):
            return Unknown("comparison of sets with unknown attribute names")
        if set(a.attrs) != set(b.attrs):
            return False
        if "outPath" in a.attrs and "outPath" in b.attrs:
            return equal(ev, a.attrs["outPath"].thunk.force(), b.attrs["outPath"].thunk.force())
        result = True
        for name, attr in a.items():
            e = equal(ev, attr.thunk.force(), b.attrs[name].thunk.force(), depth + 1)
            if e is False:
                return False
            if isinstance(e, Unknown):
                result = e
        return result
    if isinstance(a, (Lambda, Builtin)) or isinstance(b, (Lambda, Builtin)):
        return Unknown("comparison of functions")
    if type(a) is not type(b):
        known = (str, int, float, type(None), Path, List, AttrSet)
        if isinstance(a, known) and isinstance(b, known):
            return False
    return Unknown("comparison of values nixlint does not model")


def concat_lists(a: Value, b: Value, span: Span | None) -> Value:
    if isinstance(a, List) and isinstance(b, List):
        if len(a.items) + len(b.items) > MAX_LIST:
            return Unknown("list too long to track", span)
        return List(a.items + b.items, span)
    unknown = _unknown(a, b, span)
    if unknown is not None:
        return unknown
    return Unknown("`++` applied to values that are not lists", span)


def update(a: Value, b: Value, span: Span | None) -> Value:
    if isinstance(a, AttrSet) and isinstance(b, AttrSet):
        if b.partial is not None or a.partial is not None:
            return Unknown("`//` on a set nixlint models only in part", span)
        return AttrSet({**a.attrs, **b.attrs}, a.dynamic + b.dynamic, span)
    unknown = _unknown(a, b, span)
    if unknown is not None:
        return unknown
    return Unknown("`//` applied to values that are not sets", span)
