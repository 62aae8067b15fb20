"""Errors, forcing, types, arithmetic and the combinators of ``lib.trivial``."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from nixlint.evaluate.functions.args import (
    arg_error,
    make_set,
)
from nixlint.evaluate.functions.registry import define
from nixlint.evaluate.operators import compare
from nixlint.evaluate.values import (
    Failure,
    Lambda,
    Thunk,
    Unknown,
    Value,
    first_unknown,
    type_name,
)

if TYPE_CHECKING:
    from nixlint.evaluate.evaluator import Evaluator


@define("throw", 1)
def _b_throw(ev: Evaluator, msg: Thunk) -> Value:
    text = msg.force()
    return Failure(f"evaluation error: throw {text!r}" if isinstance(text, str) else "throw")


@define("abort", 1)
def _b_abort(ev: Evaluator, msg: Thunk) -> Value:
    return Failure("evaluation aborted")


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


@define("ceil", 1)
def _b_ceil(ev: Evaluator, x: Thunk) -> Value:
    value = x.force()
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return math.ceil(value)
    return arg_error("ceil", "a number", value)


@define("floor", 1)
def _b_floor(ev: Evaluator, x: Thunk) -> Value:
    value = x.force()
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return math.floor(value)
    return arg_error("floor", "a number", value)


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


define("id", 1, builtin=False, lib=True)(lambda ev, x: x.force())
define("const", 2, builtin=False, lib=True)(lambda ev, x, y: x.force())
define("flip", 3, builtin=False, lib=True)(lambda ev, f, a, b: ev.apply(ev.apply(f.force(), b), a))
define("warn", 2, builtin=False, lib=True)(lambda ev, msg, x: x.force())


@define("functionArgs", 1, lib=True)
def _b_function_args(ev: Evaluator, f: Thunk) -> Value:
    fn = f.force()
    if isinstance(fn, Lambda):
        return make_set({name: Thunk.of(default) for name, default in fn.formals() or ()})
    if isinstance(fn, Unknown):
        return fn
    return Unknown("functionArgs of a modelled function")
