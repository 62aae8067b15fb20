"""The module system's functions (``mkIf``, ``mkMerge``, ``mkForce``, ``mkOption``…) and the
``optional…`` functions (a condition nixlint cannot decide gives a Conditional).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from nixlint.evaluate.functions.args import (
    arg_int,
    arg_list,
)
from nixlint.evaluate.functions.registry import define
from nixlint.evaluate.values import (
    AttrSet,
    Conditional,
    Failure,
    List,
    MkIf,
    MkMerge,
    MkOrder,
    MkOverride,
    Opaque,
    OptionDecl,
    Thunk,
    Unknown,
    Value,
)

if TYPE_CHECKING:
    from nixlint.evaluate.evaluator import Evaluator


# -- lib: the module system -----------------------------------------------------------------


@define("mkIf", 2, builtin=False, lib=True)
def _l_mk_if(ev: Evaluator, cond: Thunk, content: Thunk) -> Value:
    return MkIf(cond, content)


@define("mkMerge", 1, builtin=False, lib=True)
def _l_mk_merge(ev: Evaluator, xs: Thunk) -> Value:
    value = arg_list("mkMerge", xs)
    return value if isinstance(value, Unknown) else MkMerge(value.items)


@define("mkOverride", 2, builtin=False, lib=True)
def _l_mk_override(ev: Evaluator, prio: Thunk, content: Thunk) -> Value:
    priority = arg_int("mkOverride", prio)
    return priority if isinstance(priority, Unknown) else MkOverride(priority, content)


@define("mkOrder", 2, builtin=False, lib=True)
def _l_mk_order(ev: Evaluator, prio: Thunk, content: Thunk) -> Value:
    priority = arg_int("mkOrder", prio)
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
