"""Argument helpers of the modelled functions: an argument of the expected type, or an
Unknown (a Failure when Nix would fail) saying what was expected.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from nixlint.evaluate.values import (
    Attr,
    AttrSet,
    Builtin,
    Failure,
    Lambda,
    List,
    Thunk,
    Unknown,
    Value,
    type_name,
)

if TYPE_CHECKING:
    from nixlint.evaluate.evaluator import Evaluator


def arg_error(fn: str, expected: str, value: Value) -> Unknown:
    if isinstance(value, Unknown):
        return value
    return Failure(f"{fn}: expected {expected}, got a {type_name(value)}")


def arg_list(fn: str, t: Thunk) -> List | Unknown:
    value = t.force()
    return value if isinstance(value, List) else arg_error(fn, "a list", value)


def arg_set(fn: str, t: Thunk) -> AttrSet | Unknown:
    value = t.force()
    return value if isinstance(value, AttrSet) else arg_error(fn, "a set", value)


def arg_str(fn: str, t: Thunk) -> str | Unknown:
    value = t.force()
    return value if isinstance(value, str) else arg_error(fn, "a string", value)


def arg_int(fn: str, t: Thunk) -> int | Unknown:
    value = t.force()
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    return arg_error(fn, "an integer", value)


def arg_bool(fn: str, t: Thunk) -> bool | Unknown:
    value = t.force()
    return value if isinstance(value, bool) else arg_error(fn, "a Boolean", value)


def arg_function(fn: str, t: Thunk) -> Value:
    """A function argument, which Nix forces first: a value that is not a function fails."""
    value = t.force()
    if isinstance(value, (Lambda, Builtin, Unknown)):
        return value
    if isinstance(value, AttrSet) and "__functor" in value.attrs:
        return value
    return Failure(f"{fn}: expected a function, got a {type_name(value)}")


def set_complete(fn: str, value: AttrSet) -> Unknown | None:
    if value.complete:
        return None
    return Unknown(f"{fn}: the set has attributes nixlint cannot name")


def call_later(ev: Evaluator, f: Value, *args: Thunk) -> Thunk:
    def run() -> Value:
        result = f
        for arg in args:
            result = ev.apply(result, arg)
        return result

    return Thunk.lazy(run)


def make_set(pairs: dict[str, Thunk]) -> AttrSet:
    return AttrSet({k: Attr(v) for k, v in pairs.items()})
