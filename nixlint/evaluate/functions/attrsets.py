"""Attribute set functions: ``builtins`` (``attrNames``, ``listToAttrs``, ``mapAttrs``…)
and ``lib.attrsets``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from nixlint.evaluate.functions.args import (
    arg_error,
    arg_list,
    arg_set,
    arg_str,
    call_later,
    make_set,
    set_complete,
)
from nixlint.evaluate.functions.registry import define
from nixlint.evaluate.values import (
    Attr,
    AttrSet,
    Failure,
    List,
    Opaque,
    Thunk,
    Unknown,
    Value,
    first_unknown,
)

if TYPE_CHECKING:
    from nixlint.evaluate.evaluator import Evaluator


@define("attrNames", 1, lib=True)
def _b_attr_names(ev: Evaluator, s: Thunk) -> Value:
    value = arg_set("attrNames", s)
    if isinstance(value, Unknown):
        return value
    return set_complete("attrNames", value) or List([Thunk.of(k) for k in sorted(value.attrs)])


@define("attrValues", 1, lib=True)
def _b_attr_values(ev: Evaluator, s: Thunk) -> Value:
    value = arg_set("attrValues", s)
    if isinstance(value, Unknown):
        return value
    return set_complete("attrValues", value) or List([a.thunk for _, a in value.items()])


@define("hasAttr", 2, lib=True)
def _b_has_attr(ev: Evaluator, name: Thunk, s: Thunk) -> Value:
    key, value = arg_str("hasAttr", name), arg_set("hasAttr", s)
    unknown = first_unknown(key, value)
    if unknown:
        return unknown
    assert isinstance(key, str) and isinstance(value, AttrSet)
    if key in value.attrs:
        return True
    return Unknown("hasAttr: unknown attribute names") if not value.complete else False


@define("getAttr", 2, lib=True)
def _b_get_attr(ev: Evaluator, name: Thunk, s: Thunk) -> Value:
    key = arg_str("getAttr", name)
    if isinstance(key, Unknown):
        return key
    return ev.select(s.force(), key, None)


@define("listToAttrs", 1, lib=True)
def _b_list_to_attrs(ev: Evaluator, xs: Thunk) -> Value:
    value = arg_list("listToAttrs", xs)
    if isinstance(value, Unknown):
        return value
    attrs: dict[str, Attr] = {}
    dynamic: list[tuple[Unknown, Attr]] = []
    for item in value.items:
        pair = arg_set("listToAttrs", item)
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
    value = arg_set("mapAttrs", s)
    if isinstance(value, Unknown):
        return value
    fn = f.force()
    attrs = {
        k: Attr(call_later(ev, fn, Thunk.of(k), a.thunk), a.span) for k, a in value.attrs.items()
    }
    dynamic = [
        (k, Attr(Thunk.of(Unknown("mapAttrs over an unknown name")), a.span))
        for k, a in value.dynamic
    ]
    return AttrSet(attrs, dynamic, value.span, value.partial)


@define("removeAttrs", 2)
def _b_remove_attrs(ev: Evaluator, s: Thunk, names: Thunk) -> Value:
    value, names_list = arg_set("removeAttrs", s), arg_list("removeAttrs", names)
    unknown = first_unknown(value, names_list)
    if unknown:
        return unknown
    assert isinstance(value, AttrSet) and isinstance(names_list, List)
    drop: set[str] = set()
    for item in names_list.items:
        name = item.force()
        if not isinstance(name, str):
            return arg_error("removeAttrs", "a string", name)
        drop.add(name)
    attrs = {k: a for k, a in value.attrs.items() if k not in drop}
    return AttrSet(attrs, value.dynamic, value.span, value.partial)


@define("intersectAttrs", 2, lib=True)
def _b_intersect_attrs(ev: Evaluator, a: Thunk, b: Thunk) -> Value:
    x, y = arg_set("intersectAttrs", a), arg_set("intersectAttrs", b)
    unknown = first_unknown(x, y)
    if unknown:
        return unknown
    assert isinstance(x, AttrSet) and isinstance(y, AttrSet)
    if not x.complete:
        return Unknown("intersectAttrs: unknown attribute names")
    return AttrSet({k: v for k, v in y.attrs.items() if k in x.attrs}, [], None)


@define("catAttrs", 2, lib=True)
def _b_cat_attrs(ev: Evaluator, name: Thunk, xs: Thunk) -> Value:
    key, value = arg_str("catAttrs", name), arg_list("catAttrs", xs)
    unknown = first_unknown(key, value)
    if unknown:
        return unknown
    assert isinstance(key, str) and isinstance(value, List)
    out: list[Thunk] = []
    for item in value.items:
        s = arg_set("catAttrs", item)
        if isinstance(s, Unknown):
            return s
        found = s.get(key)
        if found is not None:
            out.append(found)
        elif not s.complete:
            return Unknown("catAttrs: unknown attribute names")
    return List(out)


@define("nameValuePair", 2, builtin=False, lib=True)
def _l_name_value_pair(ev: Evaluator, name: Thunk, value: Thunk) -> Value:
    return make_set({"name": name, "value": value})


@define("genAttrs", 2, builtin=False, lib=True)
def _l_gen_attrs(ev: Evaluator, names: Thunk, f: Thunk) -> Value:
    value = arg_list("genAttrs", names)
    if isinstance(value, Unknown):
        return value
    fn = f.force()
    pairs = List(
        [Thunk.of(make_set({"name": t, "value": call_later(ev, fn, t)})) for t in value.items]
    )
    return _b_list_to_attrs(ev, Thunk.of(pairs))


@define("mapAttrsToList", 2, builtin=False, lib=True)
def _l_map_attrs_to_list(ev: Evaluator, f: Thunk, s: Thunk) -> Value:
    value = arg_set("mapAttrsToList", s)
    if isinstance(value, Unknown):
        return value
    if not value.complete:
        return Unknown("mapAttrsToList: unknown attribute names")
    fn = f.force()
    return List([call_later(ev, fn, Thunk.of(k), a.thunk) for k, a in value.items()])


@define("mapAttrs'", 2, builtin=False, lib=True)
def _l_map_attrs_prime(ev: Evaluator, f: Thunk, s: Thunk) -> Value:
    pairs = _l_map_attrs_to_list(ev, f, s)
    if isinstance(pairs, Unknown):
        return pairs
    return _b_list_to_attrs(ev, Thunk.of(pairs))


@define("filterAttrs", 2, builtin=False, lib=True)
def _l_filter_attrs(ev: Evaluator, f: Thunk, s: Thunk) -> Value:
    value = arg_set("filterAttrs", s)
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
    value = arg_list(fn, t)
    if isinstance(value, Unknown):
        return value
    names: list[str] = []
    for item in value.items:
        name = item.force()
        if not isinstance(name, str):
            return arg_error(fn, "a list of strings", name)
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
        result = Thunk.of(make_set({name: result}))
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
    value = arg_list("zipAttrsWith", sets)
    if isinstance(value, Unknown):
        return value
    collected: dict[str, list[Thunk]] = {}
    for item in value.items:
        s = arg_set("zipAttrsWith", item)
        if isinstance(s, Unknown):
            return s
        if not s.complete:
            return Unknown("zipAttrsWith: unknown attribute names")
        for name, attr in s.items():
            collected.setdefault(name, []).append(attr.thunk)
    fn = f.force()
    return make_set(
        {k: call_later(ev, fn, Thunk.of(k), Thunk.of(List(v))) for k, v in collected.items()}
    )
