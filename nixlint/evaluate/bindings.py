"""Attribute sets from bindings: attrpaths (``a.b.c = …``), ``inherit``, dynamic names, and
the set, ``rec`` set and ``let`` expressions built from them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from nixlint.evaluate.handlers import expression_of, handles
from nixlint.evaluate.values import (
    Attr,
    AttrSet,
    Failure,
    Scope,
    Thunk,
    Unknown,
    Value,
)

if TYPE_CHECKING:
    from tree_sitter import Node

    from nixlint.evaluate.evaluator import Evaluator
    from nixlint.parse import SourceFile
    from nixlint.span import Span


class _Dynamic:
    """An attribute name written with an interpolation (``${e}``, ``"a${e}"``): evaluated when
    the set is, added after the static names, never merged with them, not in ``rec`` scope."""

    __slots__ = ("env", "node", "src")

    def __init__(self, node: Node, env: Scope, src: SourceFile) -> None:
        self.node = node
        self.env = env
        self.src = src


#: One component of an attrpath in a binding: a static name or a dynamic one.
Component = str | _Dynamic


class _Nested:
    """An attribute set under construction from several attrpaths (``a.b = 1; a.c = 2;``)."""

    __slots__ = ("_thunk", "attrs", "pending", "problem", "span")

    def __init__(self, span: Span | None) -> None:
        self.attrs: dict[str, Attr | _Nested] = {}
        #: Dynamic attributes: the name, the rest of the attrpath, the value, where.
        self.pending: list[tuple[_Dynamic, list[Component], Thunk, Span]] = []
        #: Set when the result is not modelled (a ``rec`` set extended by other bindings).
        self.problem: Unknown | None = None
        self.span = span
        self._thunk: Thunk | None = None

    def thunk(self, ev: Evaluator) -> Thunk:
        """The finished set, built when first forced (nested dynamic names are lazy in Nix)."""
        if self._thunk is None:
            self._thunk = Thunk.lazy(lambda: _finish(ev, self, self.span))
        return self._thunk


class Builder:
    def __init__(self, ev: Evaluator) -> None:
        self.ev = ev
        self.root = _Nested(None)

    def fill(self, bindings: Node, value_env: Scope, inherit_env: Scope, src: SourceFile) -> None:
        self._fill(self.root, bindings, value_env, inherit_env, src)

    def _fill(
        self,
        target: _Nested,
        bindings: Node,
        value_env: Scope,
        inherit_env: Scope,
        src: SourceFile,
        statics_only: bool = False,
    ) -> None:
        ev = self.ev
        data = src.data
        for binding in bindings.named_children:
            kind = binding.type
            if kind == "binding":
                path = binding.child_by_field_name("attrpath")
                expr = binding.child_by_field_name("expression")
                if path is None or expr is None:
                    continue
                comps: list[Component] = [
                    # an identifier, the usual component, read here directly
                    data[c.start_byte : c.end_byte].decode("utf-8", "replace")
                    if c.type == "identifier"
                    else self._component(c, value_env, src)
                    for c in path.children_by_field_name("attr")
                ]
                if not comps or (statics_only and isinstance(comps[0], _Dynamic)):
                    continue
                self._add(target, comps, Thunk(expr, value_env, src, ev), src.span(path), src)
            elif kind == "inherit":
                attrs = binding.child_by_field_name("attrs")
                for name_node in attrs.children_by_field_name("attr") if attrs else ():
                    name = ev.attr_name(name_node, inherit_env, src)
                    if not isinstance(name, str):
                        continue
                    span = src.span(name_node)
                    thunk = Thunk.lazy(_lookup_later(ev, name, inherit_env, span), name_node, src)
                    self._add(target, [name], thunk, span, src)
            elif kind == "inherit_from":
                attrs = binding.child_by_field_name("attrs")
                expr = binding.child_by_field_name("expression")
                if expr is None or attrs is None:
                    continue
                origin = Thunk(expr, value_env, src, ev)
                for name_node in attrs.children_by_field_name("attr"):
                    name = ev.attr_name(name_node, value_env, src)
                    if not isinstance(name, str):
                        continue
                    span = src.span(name_node)
                    thunk = Thunk.lazy(_select_later(ev, origin, name, span), name_node, src)
                    self._add(target, [name], thunk, span, src)

    def _component(self, node: Node, env: Scope, src: SourceFile) -> Component:
        if _is_static(node):
            name = self.ev.attr_name(node, env, src)
            if isinstance(name, str):
                return name
        return _Dynamic(node, env, src)

    def _add(
        self,
        target: _Nested,
        comps: list[Component],
        thunk: Thunk,
        span: Span,
        src: SourceFile,
    ) -> None:
        cur = target
        for index, name in enumerate(comps):
            if isinstance(name, _Dynamic):
                cur.pending.append((name, comps[index + 1 :], thunk, span))
                return
            existing = cur.attrs.get(name)
            if index == len(comps) - 1:
                if existing is None:
                    cur.attrs[name] = Attr(thunk, span)
                elif isinstance(existing, _Nested) and _set_literal(thunk) is not None:
                    self._merge_literal(existing, thunk, first=False)
                else:
                    cur.attrs[name] = _duplicate(name, span)
                return
            if existing is None:
                nested = _Nested(span)
                cur.attrs[name] = nested
                cur = nested
            elif isinstance(existing, _Nested):
                cur = existing
            elif _set_literal(existing.thunk) is not None:
                nested = _Nested(existing.span)
                self._merge_literal(nested, existing.thunk, first=True)
                cur.attrs[name] = nested
                cur = nested
            else:
                cur.attrs[name] = _duplicate(name, span)
                return

    def _merge_literal(self, target: _Nested, thunk: Thunk, first: bool) -> None:
        """Merge a set literal into ``target``, as Nix does for ``a = { … }; a.b = …;``.

        A literal written first keeps its dynamic attributes; one written after other
        bindings of the same name contributes only its static ones. A ``rec`` literal written
        first makes the merged bindings see its attributes: that is not modelled."""
        node = _set_literal(thunk)
        assert node is not None and thunk.src is not None and thunk.env is not None
        if first and node.type == "rec_attrset_expression":
            target.problem = Unknown("a `rec` set extended by other bindings", thunk.span)
            return
        bindings = _binding_set(node)
        if bindings is not None:
            self._fill(target, bindings, thunk.env, thunk.env, thunk.src, statics_only=not first)

    def static_thunks(self) -> dict[str, Thunk]:
        """The values of the static attributes at the top level."""
        return {
            name: entry.thunk(self.ev) if isinstance(entry, _Nested) else entry.thunk
            for name, entry in self.root.attrs.items()
        }

    def finish(self, span: Span | None) -> Value:
        return _finish(self.ev, self.root, span)


def _finish(ev: Evaluator, nested: _Nested, span: Span | None) -> Value:
    if nested.problem is not None:
        return nested.problem
    attrs: dict[str, Attr] = {}
    for name, entry in nested.attrs.items():
        if isinstance(entry, _Nested):
            attrs[name] = Attr(entry.thunk(ev), entry.span)
        else:
            attrs[name] = entry
    dynamic: list[tuple[Unknown, Attr]] = []
    for comp, rest, thunk, where in nested.pending:
        name = ev.attr_name(comp.node, comp.env, comp.src)
        if name is None:
            continue  # ``${null}`` defines nothing
        if isinstance(name, Failure):
            return name
        value = thunk if not rest else Thunk.lazy(_nest_later(ev, rest, thunk, where, comp.src))
        if isinstance(name, Unknown):
            dynamic.append((name, Attr(value, where)))
        elif name in attrs:
            return Failure(f"dynamic attribute {name!r} already defined", where)
        else:
            attrs[name] = Attr(value, where)
    return AttrSet(attrs, dynamic, span)


def _duplicate(name: str, span: Span) -> Attr:
    """An attribute defined twice: Nix rejects the file; here the attribute fails."""
    return Attr(Thunk.of(Failure(f"attribute {name!r} already defined", span)), span)


def _is_static(node: Node) -> bool:
    """Whether an attrpath component is a name fixed by the text, as Nix's parser decides:
    an identifier, a string without interpolation, or ``${…}`` around such a string."""
    if node.type == "identifier":
        return True
    if node.type == "interpolation":
        inner = expression_of(node)
        while inner is not None and inner.type == "parenthesized_expression":
            inner = expression_of(inner)
        if inner is None:
            return False
        node = inner
    if node.type not in ("string_expression", "indented_string_expression"):
        return False
    return not any(child.type == "interpolation" for child in node.children)


def _has_dynamic_binding(bindings: Node | None) -> bool:
    """Whether a binding's attrpath starts with a dynamic name (not allowed in ``let``)."""
    if bindings is None:
        return False
    for binding in bindings.named_children:
        path = binding.child_by_field_name("attrpath") if binding.type == "binding" else None
        first = path.child_by_field_name("attr") if path is not None else None
        if first is not None and not _is_static(first):
            return True
    return False


def _set_literal(thunk: Thunk) -> Node | None:
    """The set literal (``{ … }`` or ``rec { … }``, maybe in parentheses) a thunk is, if any."""
    node = thunk.node
    if thunk.state != 0 or thunk.fn is not None:
        return None
    while node is not None and node.type == "parenthesized_expression":
        node = expression_of(node)
    if node is not None and node.type in ("attrset_expression", "rec_attrset_expression"):
        return node
    return None


def _binding_set(node: Node) -> Node | None:
    for child in node.named_children:
        if child.type == "binding_set":
            return child
    return None


def _lookup_later(ev: Evaluator, name: str, env: Scope, span: Span) -> Callable[[], Value]:
    return lambda: ev.lookup(name, env, span)


def _select_later(ev: Evaluator, origin: Thunk, name: str, span: Span) -> Callable[[], Value]:
    return lambda: ev.resolved(ev.select(origin.force(), name, span))


def _nest_later(
    ev: Evaluator, rest: list[Component], thunk: Thunk, span: Span, src: SourceFile
) -> Callable[[], Value]:
    def build() -> Value:
        builder = Builder(ev)
        builder._add(builder.root, rest, thunk, span, src)
        return builder.finish(span)

    return build


@handles("attrset_expression")
def _eval_attrset(ev: Evaluator, node: Node, env: Scope, src: SourceFile) -> Value:
    return ev.build_attrs(_binding_set(node), env, env, src, src.span(node))


@handles("rec_attrset_expression")
def _eval_rec(ev: Evaluator, node: Node, env: Scope, src: SourceFile) -> Value:
    _, attrs = ev.recursive_scope(_binding_set(node), env, src, src.span(node))
    return attrs


@handles("let_expression")
def _eval_let(ev: Evaluator, node: Node, env: Scope, src: SourceFile) -> Value:
    bindings = _binding_set(node)
    if _has_dynamic_binding(bindings):
        return Failure("dynamic attributes are not allowed in let", src.span(node))
    scope, _ = ev.recursive_scope(bindings, env, src)
    body = node.child_by_field_name("body")
    if body is None:
        return Unknown("let without a body", src.span(node))
    return ev.eval(body, scope, src)


@handles("let_attrset_expression")
def _eval_let_attrset(ev: Evaluator, node: Node, env: Scope, src: SourceFile) -> Value:
    _, attrs = ev.recursive_scope(_binding_set(node), env, src, src.span(node))
    return ev.select(attrs, "body", src.span(node))
