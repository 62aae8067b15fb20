"""List functions: ``builtins`` (``map``, ``filter``, ``foldl'``, ``sort``…) and ``lib.lists``."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from nixlint.evaluate.functions.args import (
    arg_function,
    arg_int,
    arg_list,
    call_later,
    make_set,
)
from nixlint.evaluate.functions.registry import Fn, define
from nixlint.evaluate.operators import equal, short_circuit
from nixlint.evaluate.values import (
    MAX_LIST,
    Builtin,
    Failure,
    List,
    Thunk,
    Unknown,
    Value,
    caused_by,
    first_unknown,
)

if TYPE_CHECKING:
    from nixlint.evaluate.evaluator import Evaluator


@define("length", 1, lib=True)
def _b_length(ev: Evaluator, xs: Thunk) -> Value:
    value = arg_list("length", xs)
    return value if isinstance(value, Unknown) else len(value.items)


@define("head", 1, lib=True)
def _b_head(ev: Evaluator, xs: Thunk) -> Value:
    value = arg_list("head", xs)
    if isinstance(value, Unknown):
        return value
    return value.items[0].force() if value.items else Failure("head of an empty list")


@define("tail", 1, lib=True)
def _b_tail(ev: Evaluator, xs: Thunk) -> Value:
    value = arg_list("tail", xs)
    if isinstance(value, Unknown):
        return value
    return List(value.items[1:]) if value.items else Failure("tail of an empty list")


@define("elemAt", 2, lib=True)
def _b_elem_at(ev: Evaluator, xs: Thunk, n: Thunk) -> Value:
    value, index = arg_list("elemAt", xs), arg_int("elemAt", n)
    unknown = first_unknown(value, index)
    if unknown:
        return unknown
    assert isinstance(value, List) and isinstance(index, int)
    if 0 <= index < len(value.items):
        return value.items[index].force()
    return Failure("elemAt: index out of bounds")


@define("elem", 2, lib=True)
def _b_elem(ev: Evaluator, x: Thunk, xs: Thunk) -> Value:
    value = arg_list("elem", xs)
    if isinstance(value, Unknown):
        return value
    needle = x.force()
    return short_circuit((equal(ev, needle, item.force()) for item in value.items), stop=True)


@define("filter", 2, lib=True)
def _b_filter(ev: Evaluator, f: Thunk, xs: Thunk) -> Value:
    fn = arg_function("filter", f)
    if isinstance(fn, Failure):
        return fn
    value = arg_list("filter", xs)
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
def map_list(ev: Evaluator, f: Thunk, xs: Thunk) -> Value:
    value = arg_list("map", xs)
    if isinstance(value, Unknown):
        return value
    fn = f.force()
    return List([call_later(ev, fn, item) for item in value.items])


@define("concatLists", 1, lib=True)
def _b_concat_lists(ev: Evaluator, xss: Thunk) -> Value:
    value = arg_list("concatLists", xss)
    if isinstance(value, Unknown):
        return value
    items: list[Thunk] = []
    for sub in value.items:
        inner = arg_list("concatLists", sub)
        if isinstance(inner, Unknown):
            return inner
        items.extend(inner.items)
        if len(items) > MAX_LIST:
            return Unknown("list too long to track")
    return List(items)


@define("concatMap", 2, lib=True)
def _b_concat_map(ev: Evaluator, f: Thunk, xs: Thunk) -> Value:
    fn = arg_function("concatMap", f)
    if isinstance(fn, Failure):
        return fn
    mapped = map_list(ev, f, xs)
    if isinstance(mapped, Unknown):
        return mapped
    return _b_concat_lists(ev, Thunk.of(mapped))


def _quantifier(name: str, want: bool) -> Fn:
    def run(ev: Evaluator, f: Thunk, xs: Thunk) -> Value:
        fn = arg_function(name, f)
        if isinstance(fn, Failure):
            return fn
        value = arg_list(name, xs)
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


@define("foldl'", 3, lib=True)
def _b_foldl(ev: Evaluator, f: Thunk, init: Thunk, xs: Thunk) -> Value:
    fn = arg_function("foldl'", f)
    if isinstance(fn, Failure):
        return fn
    value = arg_list("foldl'", xs)
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
    count = arg_int("genList", n)
    if isinstance(count, Unknown):
        return count
    if count < 0:
        return Failure("genList: negative length")
    if count > MAX_LIST:
        return Unknown("list too long to track")
    fn = f.force()
    return List([call_later(ev, fn, Thunk.of(i)) for i in range(count)])


@define("sort", 2, lib=True)
def _b_sort(ev: Evaluator, f: Thunk, xs: Thunk) -> Value:
    fn = arg_function("sort", f)
    if isinstance(fn, Failure):
        return fn
    value = arg_list("sort", xs)
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
    fn = arg_function("partition", f)
    if isinstance(fn, Failure):
        return fn
    value = arg_list("partition", xs)
    if isinstance(value, Unknown):
        return value
    right: list[Thunk] = []
    wrong: list[Thunk] = []
    for item in value.items:
        r = ev.apply(fn, item)
        if not isinstance(r, bool):
            return r if isinstance(r, Unknown) else Failure("partition: predicate result")
        (right if r else wrong).append(item)
    return make_set({"right": Thunk.of(List(right)), "wrong": Thunk.of(List(wrong))})


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
    value = arg_list("unique", xs)
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
    value = arg_list("last", xs)
    if isinstance(value, Unknown):
        return value
    return value.items[-1].force() if value.items else Unknown("last of an empty list")


@define("init", 1, builtin=False, lib=True)
def _l_init(ev: Evaluator, xs: Thunk) -> Value:
    value = arg_list("init", xs)
    if isinstance(value, Unknown):
        return value
    return List(value.items[:-1]) if value.items else Unknown("init of an empty list")


@define("range", 2, builtin=False, lib=True)
def _l_range(ev: Evaluator, a: Thunk, b: Thunk) -> Value:
    lo, hi = arg_int("range", a), arg_int("range", b)
    unknown = first_unknown(lo, hi)
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
    value = arg_list("foldr", xs)
    if isinstance(value, Unknown):
        return value
    fn = f.force()
    acc: Value = init.force()
    for item in reversed(value.items):
        acc = ev.apply(ev.apply(fn, item), Thunk.of(acc))
    return acc


def _imap(base: int) -> Fn:
    def run(ev: Evaluator, f: Thunk, xs: Thunk) -> Value:
        value = arg_list("imap", xs)
        if isinstance(value, Unknown):
            return value
        fn = f.force()
        return List([call_later(ev, fn, Thunk.of(i + base), t) for i, t in enumerate(value.items)])

    return run


define("imap0", 2, builtin=False, lib=True)(_imap(0))
define("imap1", 2, builtin=False, lib=True)(_imap(1))


@define("count", 2, builtin=False, lib=True)
def _l_count(ev: Evaluator, f: Thunk, xs: Thunk) -> Value:
    kept = _b_filter(ev, f, xs)
    return kept if isinstance(kept, Unknown) else len(kept.items)  # type: ignore[union-attr]


@define("take", 2, builtin=False, lib=True)
def _l_take(ev: Evaluator, n: Thunk, xs: Thunk) -> Value:
    count, value = arg_int("take", n), arg_list("take", xs)
    unknown = first_unknown(count, value)
    if unknown:
        return unknown
    return List(value.items[: max(count, 0)])  # type: ignore[union-attr,arg-type]


@define("drop", 2, builtin=False, lib=True)
def _l_drop(ev: Evaluator, n: Thunk, xs: Thunk) -> Value:
    count, value = arg_int("drop", n), arg_list("drop", xs)
    unknown = first_unknown(count, value)
    if unknown:
        return unknown
    return List(value.items[max(count, 0) :])  # type: ignore[union-attr,arg-type]


@define("reverseList", 1, builtin=False, lib=True)
def _l_reverse_list(ev: Evaluator, xs: Thunk) -> Value:
    value = arg_list("reverseList", xs)
    return value if isinstance(value, Unknown) else List(list(reversed(value.items)))


@define("toList", 1, builtin=False, lib=True)
def _l_to_list(ev: Evaluator, x: Thunk) -> Value:
    value = x.force()
    if isinstance(value, (List, Unknown)):
        return value
    return List([x])


define("singleton", 1, builtin=False, lib=True)(lambda ev, x: List([x]))
define("forEach", 2, builtin=False, lib=True)(lambda ev, xs, f: map_list(ev, f, xs))


@define("subtractLists", 2, builtin=False, lib=True)
def _l_subtract_lists(ev: Evaluator, e: Thunk, xs: Thunk) -> Value:
    remove = arg_list("subtractLists", e)
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
