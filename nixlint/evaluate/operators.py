"""Nix operators over partially known values."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING

from nixlint.evaluate.interpolation import coerce_to_string, join_parts
from nixlint.evaluate.values import (
    MAX_LIST,
    Attr,
    AttrSet,
    Builtin,
    Conditional,
    Failure,
    Lambda,
    List,
    Opaque,
    PartialString,
    PartlyKnownSet,
    Path,
    Thunk,
    Unknown,
    Value,
    first_unknown,
    type_name,
)

if TYPE_CHECKING:
    from nixlint.evaluate.evaluator import Evaluator
    from nixlint.span import Span


def _is_number(value: Value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _unknown(a: Value, b: Value, span: Span | None) -> Unknown | None:
    return first_unknown(a, b)


def short_circuit(outcomes: Iterable[bool | Unknown], stop: bool) -> bool | Unknown:
    """Steps run in order, as Nix runs them (list equality, ``elem``, ``any``…): the first
    outcome equal to ``stop`` ends the run with ``stop``, a failure ends it failing. An
    Unknown outcome may or may not stop the run, so a later failure may be reached or not:
    the result may fail."""
    pending: Unknown | None = None
    for outcome in outcomes:
        if outcome is stop:
            return stop
        if isinstance(outcome, Failure):
            return _may_fail(outcome) if pending is not None else outcome
        if isinstance(outcome, Unknown) and pending is None:
            pending = outcome
    return pending if pending is not None else not stop


def _may_fail(failure: Failure) -> Failure:
    return Failure(f"may fail: {failure.reason}", failure.span)


def not_(value: Value, span: Span | None) -> Value:
    if isinstance(value, bool):
        return not value
    if isinstance(value, Unknown):
        return value
    return Failure("`!` applied to a value that is not a Boolean", span)


def negate(value: Value, span: Span | None) -> Value:
    if _is_number(value):
        return -value  # type: ignore[operator]
    if isinstance(value, Unknown):
        return value
    return Failure("`-` applied to a value that is not a number", span)


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
    if op == "+":
        return add(a, b, span)
    if op in _COMBINE:
        return _combine(op, a, b, span)
    return Unknown(f"unsupported operator {op}", span)


def _combine(op: str, a: Value, b: Value, span: Span | None) -> Value:
    """``a ++ b`` or ``a // b``. When a side depends on a condition nixlint cannot decide
    (``x ++ lib.optionals c y``), the result does too: each outcome is combined with the
    other side, so that the module collector still sees both sides."""
    cond = a if isinstance(a, Conditional) else b if isinstance(b, Conditional) else None
    if cond is None:
        return _COMBINE[op](a, b, span)
    left = cond is a
    if op == "//":
        merged = _update_per_attribute(cond, b if left else a, left, span)
        if merged is not None:
            return merged

    def outcome(branch: Thunk) -> Thunk:
        if left:
            return Thunk.lazy(lambda: _combine(op, branch.force(), b, span))
        return Thunk.lazy(lambda: _combine(op, a, branch.force(), span))

    reason = Unknown(cond.reason.removeprefix("depends on a condition: "), cond.span)
    return Conditional(
        cond.condition, outcome(cond.then), outcome(cond.otherwise), reason, cond.span
    )


def _and(left: Thunk, right: Thunk, span: Span | None) -> Value:
    a = left.force()
    if a is False:
        return False
    if a is True:
        b = right.force()
        return (
            b if isinstance(b, (bool, Unknown)) else Failure("`&&` operand is not a Boolean", span)
        )
    if isinstance(a, Failure):
        return a
    if isinstance(a, Unknown):
        return _after_unknown(a, right.force(), False, "&&", span)
    return Failure("`&&` operand is not a Boolean", span)


def _after_unknown(a: Unknown, b: Value, stop: bool, op: str, span: Span | None) -> Value:
    """``a && b`` (``stop`` False) or ``a || b`` (``stop`` True) for an unknown Boolean ``a``:
    ``b`` decides when it is ``stop``; when it fails, the whole may fail."""
    if b is stop:
        return stop
    if isinstance(b, Failure):
        return _may_fail(b)
    if not isinstance(b, (bool, Unknown)):
        return Failure(f"may fail: `{op}` operand is not a Boolean", span)
    return a


def _or(left: Thunk, right: Thunk, span: Span | None) -> Value:
    return _or_values(left.force(), right, span)


def _or_values(a: Value, right: Thunk, span: Span | None) -> Value:
    if a is True:
        return True
    if a is False:
        b = right.force()
        return (
            b if isinstance(b, (bool, Unknown)) else Failure("`||` operand is not a Boolean", span)
        )
    if isinstance(a, Failure):
        return a
    if isinstance(a, Unknown):
        return _after_unknown(a, right.force(), True, "||", span)
    return Failure("`||` operand is not a Boolean", span)


def add(a: Value, b: Value, span: Span | None) -> Value:
    if _is_number(a) and _is_number(b):
        return _wrap(a + b)  # type: ignore[operator]
    if isinstance(a, Path):
        suffix = coerce_to_string(b, span) if not isinstance(b, Path) else b.path
        if isinstance(suffix, Unknown):
            return Unknown(f"path with an unknown part: {suffix.reason}", span)
        if a.external:
            return Path(a.path + suffix, external=True)
        from nixlint.evaluate.interpolation import make_path

        return make_path(a.path + suffix, "/")
    if _stringy(a) or _stringy(b):
        parts = [_string_operand(a, span), _string_operand(b, span)]
        return join_parts(parts, span)
    unknown = _unknown(a, b, span)
    if unknown is not None:
        return unknown
    if isinstance(a, AttrSet) and "outPath" in a.attrs:
        return add(coerce_to_string(a, span), b, span)
    return Failure("`+` applied to values that cannot be added", span)


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
        return Failure(f"`{op}` applied to values that are not numbers", span)
    x, y = a, b  # type: ignore[assignment]
    if op == "-":
        return _wrap(x - y)  # type: ignore[operator]
    if op == "*":
        return _wrap(x * y)  # type: ignore[operator]
    if y == 0:
        return Failure("division by zero", span)
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
        return _compare_lists(ev, a.items, b.items, span)
    return Failure(f"cannot compare a {type_name(a)} with a {type_name(b)}", span)


def _compare_lists(
    ev: Evaluator, xs: list[Thunk], ys: list[Thunk], span: Span | None
) -> int | Unknown:
    """Like Nix: equal items are skipped, the first unequal pair decides, then the lengths."""
    for index, (x, y) in enumerate(zip(xs, ys, strict=False)):
        xv, yv = x.force(), y.force()
        e = equal(ev, xv, yv)
        if e is False:
            return compare(ev, xv, yv, span)
        if isinstance(e, Failure):
            return e
        if isinstance(e, Unknown):
            rest = _compare_lists(ev, xs[index + 1 :], ys[index + 1 :], span)
            return _may_fail(rest) if isinstance(rest, Failure) else e
    return (len(xs) > len(ys)) - (len(xs) < len(ys))


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
        return short_circuit(_pairs(ev, a.items, b.items, depth), stop=False)
    if isinstance(a, AttrSet) and isinstance(b, AttrSet):
        return _equal_sets(ev, a, b, depth)
    if isinstance(a, (Lambda, Builtin)) or isinstance(b, (Lambda, Builtin)):
        return Unknown("comparison of functions")
    if type(a) is not type(b):
        known = (str, int, float, type(None), Path, List, AttrSet)
        if isinstance(a, known) and isinstance(b, known):
            return False
    return Unknown("comparison of values nixlint does not model")


def _pairs(ev: Evaluator, xs: list[Thunk], ys: list[Thunk], depth: int) -> Iterator[bool | Unknown]:
    for x, y in zip(xs, ys, strict=True):
        yield equal(ev, x.force(), y.force(), depth + 1)


def _equal_sets(ev: Evaluator, a: AttrSet, b: AttrSet, depth: int) -> bool | Unknown:
    """Nix compares two derivations by their outPath; other sets of the same size attribute
    by attribute, in an order of its own, stopping at the first difference. So a failing
    comparison matters only where no other attribute differs."""
    if not (a.complete and b.complete):
        return Unknown("comparison of sets with unknown attribute names")
    if _is_derivation(a) and _is_derivation(b):
        return equal(ev, a.attrs["outPath"].thunk.force(), b.attrs["outPath"].thunk.force())
    if len(a.attrs) != len(b.attrs):
        return False
    common = sorted(set(a.attrs) & set(b.attrs))
    outcomes = [
        equal(ev, a.attrs[n].thunk.force(), b.attrs[n].thunk.force(), depth + 1) for n in common
    ]
    failure = next((o for o in outcomes if isinstance(o, Failure)), None)
    unknown = next((o for o in outcomes if isinstance(o, Unknown) and o is not failure), None)
    differs = len(common) != len(a.attrs) or any(o is False for o in outcomes)
    if failure is not None:
        return _may_fail(failure) if differs or unknown is not None else failure
    if differs:
        return False
    return unknown or True


def _is_derivation(value: AttrSet) -> bool:
    kind = value.get("type")
    return kind is not None and "outPath" in value.attrs and kind.force() == "derivation"


def concat_lists(a: Value, b: Value, span: Span | None) -> Value:
    if isinstance(a, List) and isinstance(b, List):
        if len(a.items) + len(b.items) > MAX_LIST:
            return Unknown("list too long to track", span)
        return List(a.items + b.items, span)
    unknown = _unknown(a, b, span)
    if unknown is not None:
        return unknown
    return Failure("`++` applied to values that are not lists", span)


def update(a: Value, b: Value, span: Span | None) -> Value:
    if isinstance(a, AttrSet) and isinstance(b, AttrSet):
        # a set modelled in part (``lib``) stays so: its missing names stay Unknown
        partial = b.partial or a.partial
        kind = PartlyKnownSet if isinstance(a, PartlyKnownSet) else AttrSet
        return kind({**a.attrs, **b.attrs}, a.dynamic + b.dynamic, span, partial)
    if isinstance(b, AttrSet) and type(a) in (Unknown, Opaque):
        # ``unknown // { x = …; }`` has every attribute of the right side (it wins), and
        # others nixlint cannot name: a partial set. (Failures stay failures; the values
        # nixlint models further, ``config`` or a flake's outputs, keep their own rules.)
        label = f"({a.label if isinstance(a, Opaque) else a.reason}) // {{ … }}"
        return PartlyKnownSet(dict(b.attrs), list(b.dynamic), span, b.partial or label)
    unknown = _unknown(a, b, span)
    if unknown is not None:
        return unknown
    return Failure("`//` applied to values that are not sets", span)


_COMBINE = {"++": concat_lists, "//": update}
#: What an attribute is in the outcome of a condition that does not set it: an empty set,
#: which the module collector reads as defining nothing.
_ABSENT = AttrSet()


def _update_per_attribute(
    cond: Conditional, other: Value, cond_left: bool, span: Span | None
) -> Value | None:
    """``set // optionalAttrs c extra`` (or the other way round) as one set whose attributes
    from ``extra`` depend on ``c`` and whose others do not, so that an undecided condition
    does not make the whole set conditional. None when a side is not a set nixlint knows."""
    then, otherwise = cond.then.force(), cond.otherwise.force()
    if not (
        isinstance(other, AttrSet)
        and isinstance(then, AttrSet)
        and isinstance(otherwise, AttrSet)
        and then.complete
        and otherwise.complete
    ):
        return None
    reason = Unknown(cond.reason.removeprefix("depends on a condition: "), cond.span)
    attrs = dict(other.attrs)
    for name in {*then.attrs, *otherwise.attrs}:
        if cond_left and name in other.attrs:
            continue  # the right side wins
        base = None if cond_left else other.attrs.get(name)
        outcomes = [
            branch.attrs[name].thunk
            if name in branch.attrs
            else base.thunk
            if base is not None
            else Thunk.of(_ABSENT)
            for branch in (then, otherwise)
        ]
        written = (
            then.attrs.get(name) or otherwise.attrs.get(name) or base or Attr(outcomes[0])
        ).span
        if outcomes[0] is outcomes[1]:
            attrs[name] = Attr(outcomes[0], written)
            continue
        value = Conditional(cond.condition, outcomes[0], outcomes[1], reason, span or cond.span)
        attrs[name] = Attr(Thunk.of(value), written)
    return AttrSet(attrs, list(other.dynamic), span, other.partial)
