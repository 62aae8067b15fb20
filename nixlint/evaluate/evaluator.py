"""The partial evaluator: a lazy tree-walking interpreter over tree-sitter nodes.

It evaluates what can be known from the text alone and returns :class:`Unknown` (with a
reason and a span) for everything else. It never raises on user input: a Nix evaluation
error becomes an Unknown too. Work is bounded by a step budget and a nesting limit.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import TYPE_CHECKING, Protocol

from nixlint.evaluate import strings
from nixlint.evaluate.context import STATE, taint
from nixlint.evaluate.values import (
    Attr,
    AttrSet,
    Builtin,
    ConfigRef,
    Failure,
    Lambda,
    List,
    Opaque,
    PartialString,
    Path,
    Thunk,
    Unknown,
    Value,
    caused_by,
    type_name,
)

if TYPE_CHECKING:
    from tree_sitter import Node

    from nixlint.parse import SourceFile
    from nixlint.span import Span

#: Evaluation steps (node visits and calls) allowed per evaluator.
DEFAULT_BUDGET = 500_000
#: Nesting of evaluations (syntax depth plus call depth) before giving up.
MAX_DEPTH = 250
MAX_STRING = 1 << 20
MAX_LIST = 200_000


class Scope:
    """A lexical scope (``vars``) or a ``with`` scope (``with_``), chained to its parent."""

    __slots__ = ("parent", "vars", "with_")

    def __init__(
        self, vars: dict[str, Thunk], parent: Scope | None = None, with_: Thunk | None = None
    ) -> None:
        self.vars = vars
        self.parent = parent
        self.with_ = with_


class Conditional(Unknown):
    """A value chosen by a condition nixlint cannot decide (``if``, ``optionalAttrs``…).

    To every consumer it is Unknown; the module collector splits it into two conditional
    definitions instead. ``condition`` is an unforced thunk, so that it can be evaluated
    again once the host's options are known.
    """

    __slots__ = ("condition", "otherwise", "then")

    def __init__(
        self,
        condition: Thunk,
        then: Thunk,
        otherwise: Thunk,
        reason: Unknown,
        span: Span | None = None,
    ) -> None:
        super().__init__(f"depends on a condition: {reason.reason}", span or reason.span)
        self.condition = condition
        self.then = then
        self.otherwise = otherwise


Loader = Callable[[str], "SourceFile | None"]


class FileAccess(Protocol):
    """What ``readFile``, ``readDir`` and ``pathExists`` may see (None: outside the scan)."""

    def read_bytes(self, path: str) -> bytes | None: ...

    def list_dir(self, path: str) -> dict[str, str] | None: ...

    def exists(self, path: str) -> bool | None: ...


class Evaluator:
    """Evaluates syntax nodes. One evaluator per analysis unit (a host or a file)."""

    def __init__(
        self,
        loader: Loader | None = None,
        files: FileAccess | None = None,
        budget: int = DEFAULT_BUDGET,
    ) -> None:
        from nixlint.evaluate.library import GLOBALS

        self.loader = loader
        self.files = files
        self.budget = budget
        self.steps = 0
        self.depth = 0
        self.root = Scope(GLOBALS)
        self._imports: dict[str, tuple[SourceFile, Thunk]] = {}

    # -- entry points -------------------------------------------------------------------

    def eval_file(self, src: SourceFile) -> Value:
        root = src.root
        if root is None:
            return Unknown("file could not be parsed", src.span_of(0, 0))
        return self.eval(root, self.root, src)

    def import_file(self, path: str, span: Span | None) -> Value:
        """``import path``: evaluate a file once per evaluator (again when its text is not
        the one evaluated: a long-lived evaluator sees files change)."""
        src = self.loader(path) if self.loader else None
        if src is None:
            return Unknown(f"cannot import {path} (not found or outside the scanned tree)", span)
        known = self._imports.get(path)
        if known is None or known[0] is not src:
            known = (src, Thunk.lazy(lambda: self.eval_file(src)))
            self._imports[path] = known
        return known[1].force()

    def forget(self, path: str) -> None:
        """Let an imported file's value go."""
        self._imports.pop(path, None)

    def eval(self, node: Node, env: Scope, src: SourceFile) -> Value:
        self.steps += 1
        if self.steps > self.budget:
            return Unknown("evaluation budget exhausted", src.span(node))
        if self.depth >= MAX_DEPTH:
            return Unknown("expression nested too deeply", src.span(node))
        handler = _HANDLERS.get(node.type)
        if handler is None:
            return Unknown(f"cannot evaluate {node.type.replace('_', ' ')}", src.span(node))
        self.depth += 1
        try:
            return handler(self, node, env, src)
        finally:
            self.depth -= 1

    def thunk(self, node: Node, env: Scope, src: SourceFile) -> Thunk:
        return Thunk(node, env, src, self)

    # -- variables ----------------------------------------------------------------------

    def lookup(self, name: str, env: Scope, span: Span | None) -> Value:
        withs: list[Thunk] = []
        scope: Scope | None = env
        while scope is not None:
            if scope.with_ is None:
                found = scope.vars.get(name)
                if found is not None:
                    return found.force()
            else:
                withs.append(scope.with_)
            scope = scope.parent
        for w in withs:
            value = w.force()
            if isinstance(value, AttrSet):
                found = value.get(name)
                if found is not None:
                    return self.resolved(found.force())
                if value.partial is not None:
                    return Unknown(f"{value.partial}.{name} is not modelled", span)
                if value.dynamic:
                    return Unknown(f"{name!r} may be a dynamic attribute of a `with` set", span)
                continue
            if isinstance(value, Opaque):
                return self.resolved(value.select(name, span))
            if isinstance(value, Unknown):
                return caused_by(
                    f"{name!r} may come from a `with` set: {value.reason}", value, span
                )
            return Failure("`with` applied to a value that is not a set", span)
        return Failure(f"undefined variable {name!r}", span)

    def resolved(self, value: Value) -> Value:
        """Replace ``config.…`` references by the active host's value where it is known
        (the value computed from it is then remembered for that host only)."""
        if isinstance(value, ConfigRef):
            taint()
            resolver = STATE.context.resolver
            if resolver is not None:
                return resolver(value)
        return value

    # -- attribute names and selection ----------------------------------------------------

    def attr_name(self, node: Node, env: Scope, src: SourceFile) -> str | Unknown | None:
        """The name an attrpath component denotes; None for ``${null}`` (no attribute)."""
        kind = node.type
        if kind == "identifier":
            return src.data[node.start_byte : node.end_byte].decode("utf-8", "replace")
        if kind == "interpolation":
            inner = node.child_by_field_name("expression")
            if inner is None:
                return Unknown("empty interpolation", src.span(node))
            value = self.eval(inner, env, src)
        else:
            value = self.eval(node, env, src)
        if isinstance(value, str):
            return value
        if value is None:
            return None
        if isinstance(value, Unknown):
            return value
        return Failure(f"attribute name is a {type(value).__name__}, not a string", src.span(node))

    def select(self, value: Value, name: str, span: Span | None) -> Value:
        """``value.name`` for one known name (missing → Unknown)."""
        if isinstance(value, Opaque):
            return value.select(name, span)
        if isinstance(value, AttrSet):
            found = value.get(name)
            if found is not None:
                return found.force()
            if value.partial is not None:
                return Unknown(f"{value.partial}.{name} is not modelled", span)
            if value.dynamic:
                return Unknown(f"attribute {name!r} may be defined under a dynamic name", span)
            return Failure(f"attribute {name!r} missing", span)
        if isinstance(value, Unknown):
            return value
        return Failure(f"cannot select {name!r} from a value that is not a set", span)

    # -- calls ---------------------------------------------------------------------------

    def apply(self, fn: Value, arg: Thunk, span: Span | None = None) -> Value:
        self.steps += 1
        if self.steps > self.budget:
            return Unknown("evaluation budget exhausted", span)
        if isinstance(fn, Lambda):
            if self.depth >= MAX_DEPTH:
                return Unknown("calls nested too deeply", span)
            self.depth += 1
            try:
                return self._call_lambda(fn, arg)
            finally:
                self.depth -= 1
        if isinstance(fn, Builtin):
            args = (*fn.args, arg)
            if len(args) < fn.arity:
                return Builtin(fn.name, fn.arity, fn.fn, args)
            return fn.fn(self, *args)
        if isinstance(fn, AttrSet):
            functor = fn.get("__functor")
            if functor is not None:
                inner = self.apply(functor.force(), Thunk.of(fn), span)
                return self.apply(inner, arg, span)
            return Failure("attempt to call a set", span)
        if isinstance(fn, Opaque):
            return Unknown(f"result of calling {fn.label}", span)
        if isinstance(fn, Unknown):
            if fn.reason.startswith("call of an unknown function"):
                return fn  # already says so: keep the first reason, not a chain of them
            return caused_by(f"call of an unknown function: {fn.reason}", fn, fn.span or span)
        return Failure("attempt to call something that is not a function", span)

    def call(self, fn: Value, *values: Value) -> Value:
        """Apply a function to already evaluated arguments."""
        result = fn
        for value in values:
            result = self.apply(result, Thunk.of(value))
        return result

    def _call_lambda(self, fn: Lambda, arg: Thunk) -> Value:
        node, src = fn.node, fn.src
        variables: dict[str, Thunk] = {}
        scope = Scope(variables, fn.env)
        universal = node.child_by_field_name("universal")
        if universal is not None:
            variables[_text(universal, src)] = arg
        formals = node.child_by_field_name("formals")
        if formals is not None:
            problem = self._bind_formals(formals, arg, scope, src)
            if problem is not None:
                return problem
        body = node.child_by_field_name("body")
        if body is None:
            return Unknown("function without a body", src.span(node))
        return self.eval(body, scope, src)

    def _bind_formals(
        self, formals: Node, arg: Thunk, scope: Scope, src: SourceFile
    ) -> Unknown | None:
        value = arg.force()
        if isinstance(value, Failure):
            return value
        names: list[str] = []
        for formal in formals.children_by_field_name("formal"):
            name_node = formal.child_by_field_name("name")
            if name_node is None:
                continue
            name = _text(name_node, src)
            names.append(name)
            default = formal.child_by_field_name("default")
            if isinstance(value, AttrSet):
                given = value.get(name)
                if given is not None:
                    scope.vars[name] = given
                elif default is not None:
                    scope.vars[name] = Thunk(default, scope, src, self)
                elif value.partial is not None or value.dynamic:
                    scope.vars[name] = Thunk.of(Opaque(name, src.span(name_node)))
                else:
                    return Failure(
                        f"function called without required argument {name!r}", src.span(formal)
                    )
            elif isinstance(value, Opaque):
                scope.vars[name] = Thunk.of(value.select(name, src.span(name_node)))
            elif isinstance(value, Unknown):
                scope.vars[name] = Thunk.of(
                    Unknown(f"argument {name!r} of an unknown set: {value.reason}", value.span)
                )
            else:
                return Failure(
                    "function expecting a set called with something else", src.span(formals)
                )
        if (
            isinstance(value, AttrSet)
            and formals.child_by_field_name("ellipses") is None
            and value.complete
        ):
            extra = set(value.attrs) - set(names)
            if extra:
                return Failure(
                    f"function called with unexpected argument {sorted(extra)[0]!r}",
                    src.span(formals),
                )
        return None

    # -- attribute sets ------------------------------------------------------------------

    def build_attrs(
        self,
        bindings: Node | None,
        value_env: Scope,
        inherit_env: Scope,
        src: SourceFile,
        span: Span | None = None,
    ) -> Value:
        """The set the bindings define: an AttrSet, or a Failure when a dynamic attribute
        name fails or is defined twice."""
        builder = _Builder(self)
        if bindings is not None:
            builder.fill(bindings, value_env, inherit_env, src)
        return builder.finish(span)

    def recursive_scope(
        self, bindings: Node | None, env: Scope, src: SourceFile, span: Span | None = None
    ) -> tuple[Scope, Value]:
        """A scope whose variables are the bindings themselves (``let`` and ``rec``), and the
        set they define. Dynamic attributes are not in scope; their names are evaluated in it."""
        scope = Scope({}, env)
        builder = _Builder(self)
        if bindings is not None:
            builder.fill(bindings, scope, env, src)
        scope.vars.update(builder.static_thunks())
        return scope, builder.finish(span)

    def coerce(self, value: Value, span: Span | None = None) -> str | Unknown:
        """What ``"${value}"`` gives: :func:`coerce_to_string`, but a set's ``__toString``
        is applied."""
        if isinstance(value, AttrSet):
            to_string = value.get("__toString")
            if to_string is not None:
                return self.coerce(self.apply(to_string.force(), Thunk.of(value), span), span)
        return coerce_to_string(value, span)

    # -- deep forcing ----------------------------------------------------------------------

    def deep(self, value: Value, depth: int = 0) -> object:
        """Force a value completely into JSON-like Python data, or return an Unknown (a
        Failure when forcing some part of it fails, as ``--strict`` does in Nix)."""
        if depth > MAX_DEPTH:
            return Unknown("value nested too deeply")
        self.steps += 1
        if self.steps > self.budget:
            return Unknown("evaluation budget exhausted")
        if value is None or isinstance(value, (bool, int, float, str)):
            return value
        if isinstance(value, Path):
            return (
                Unknown("a path is copied to the store when serialised")
                if not value.external
                else value
            )
        if isinstance(value, List):
            return self._deep_items([(None, item) for item in value.items], depth, [])
        if isinstance(value, AttrSet):
            if not value.complete:
                return Unknown("set with unknown attribute names")
            if "__toString" in value.attrs:
                return self.coerce(value)
            if "outPath" in value.attrs:
                return self.deep(value.attrs["outPath"].thunk.force(), depth + 1)
            items = [(name, attr.thunk) for name, attr in value.items()]
            return self._deep_items(items, depth, {})
        if isinstance(value, Unknown):
            return value
        if isinstance(value, (Lambda, Builtin)):
            return Failure("cannot convert a function to JSON")
        return Unknown(f"cannot serialise a {type(value).__name__}")

    def _deep_items(
        self,
        items: list[tuple[str | None, Thunk]],
        depth: int,
        out: list[object] | dict[str, object],
    ) -> object:
        """Fill a list (names None) or an object; a failure anywhere wins over an Unknown."""
        unknown: Unknown | None = None
        for name, thunk in items:
            v = self.deep(thunk.force(), depth + 1)
            if isinstance(v, Failure):
                return v
            if isinstance(v, Unknown):
                unknown = unknown or v
            elif isinstance(out, list):
                out.append(v)
            elif name is not None:
                out[name] = v
        return unknown if unknown is not None else out


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


class _Builder:
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
        for binding in bindings.named_children:
            kind = binding.type
            if kind == "binding":
                path = binding.child_by_field_name("attrpath")
                expr = binding.child_by_field_name("expression")
                if path is None or expr is None:
                    continue
                comps = [
                    self._component(c, value_env, src) for c in path.children_by_field_name("attr")
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
        inner = _expr(node)
        while inner is not None and inner.type == "parenthesized_expression":
            inner = _expr(inner)
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
        node = _expr(node)
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
        builder = _Builder(ev)
        builder._add(builder.root, rest, thunk, span, src)
        return builder.finish(span)

    return build


def _text(node: Node, src: SourceFile) -> str:
    return src.data[node.start_byte : node.end_byte].decode("utf-8", "replace")


def _expr(node: Node) -> Node | None:
    return node.child_by_field_name("expression")


# -- node handlers -------------------------------------------------------------------------

Handler = Callable[[Evaluator, "Node", Scope, "SourceFile"], Value]
_HANDLERS: dict[str, Handler] = {}


def handles(*kinds: str) -> Callable[[Handler], Handler]:
    def register(fn: Handler) -> Handler:
        for kind in kinds:
            _HANDLERS[kind] = fn
        return fn

    return register


@handles("source_code", "parenthesized_expression")
def _eval_wrapper(ev: Evaluator, node: Node, env: Scope, src: SourceFile) -> Value:
    inner = _expr(node)
    if inner is None:
        return Unknown("empty expression", src.span(node))
    return ev.eval(inner, env, src)


@handles("integer_expression")
def _eval_int(ev: Evaluator, node: Node, env: Scope, src: SourceFile) -> Value:
    value = int(_text(node, src))
    if value >= 1 << 63:
        return Failure("integer literal out of range", src.span(node))
    return value


@handles("float_expression")
def _eval_float(ev: Evaluator, node: Node, env: Scope, src: SourceFile) -> Value:
    try:
        return float(_text(node, src))
    except ValueError:
        return Failure("malformed float literal", src.span(node))


@handles("uri_expression")
def _eval_uri(ev: Evaluator, node: Node, env: Scope, src: SourceFile) -> Value:
    return _text(node, src)


@handles("variable_expression")
def _eval_variable(ev: Evaluator, node: Node, env: Scope, src: SourceFile) -> Value:
    name_node = node.child_by_field_name("name")
    name = _text(name_node if name_node is not None else node, src)
    return ev.lookup(name, env, src.span(node))


def _interpolated(ev: Evaluator, node: Node, env: Scope, src: SourceFile) -> str | Unknown:
    inner = _expr(node)
    if inner is None:
        return Unknown("empty interpolation", src.span(node))
    value = ev.eval(inner, env, src)
    return ev.coerce(value, src.span(inner))


def coerce_to_string(value: Value, span: Span | None) -> str | Unknown:
    """What ``"${value}"`` gives: strings and string-like sets; others are errors in Nix
    (a Failure). A set's ``__toString`` is not applied here (an Unknown)."""
    if isinstance(value, str):
        return value
    if isinstance(value, Path):
        if value.external:
            return Unknown(f"store path of {value.path}", span)
        return Unknown(f"store path of {value.path} (copied when interpolated)", span)
    if isinstance(value, AttrSet):
        if "__toString" in value.attrs:
            return Unknown("a set coerced to a string by its __toString", span)
        out = value.get("outPath")
        if out is not None:
            return coerce_to_string(out.force(), span)
        if not value.complete:
            return Unknown("a set that may have an outPath", span)
        return Failure("a set without outPath cannot be coerced to a string", span)
    if isinstance(value, Unknown):
        return value
    return Failure(f"cannot coerce a value of type {type_name(value)} to a string", span)


def join_parts(parts: list[str | Unknown], span: Span | None) -> Value:
    """Concatenated string parts; a failing part makes the whole a failure."""
    failure = next((p for p in parts if isinstance(p, Failure)), None)
    if failure is not None:
        return failure
    if all(isinstance(p, str) for p in parts):
        if sum(len(p) for p in parts) > MAX_STRING:  # type: ignore[arg-type]
            return Unknown("string too long to track", span)
        return "".join(parts)  # type: ignore[arg-type]
    merged: list[str | Unknown] = []
    for part in parts:
        if isinstance(part, PartialString):
            merged.extend(part.parts)
        elif merged and isinstance(part, str) and isinstance(merged[-1], str):
            merged[-1] = merged[-1] + part
        else:
            merged.append(part)
    return PartialString(tuple(merged), span)


@handles("string_expression")
def _eval_string(ev: Evaluator, node: Node, env: Scope, src: SourceFile) -> Value:
    parts: list[str | Unknown] = []
    data = src.data
    pos = node.start_byte + 1  # after the opening quote
    end = node.end_byte - 1
    for child in node.children:
        if child.type != "interpolation":
            continue
        if child.start_byte > pos:
            parts.append(
                strings.unescape_double(data[pos : child.start_byte].decode("utf-8", "replace"))
            )
        parts.append(_interpolated(ev, child, env, src))
        pos = child.end_byte
    if end > pos:
        parts.append(strings.unescape_double(data[pos:end].decode("utf-8", "replace")))
    return join_parts(parts, src.span(node))


@handles("indented_string_expression")
def _eval_indented(ev: Evaluator, node: Node, env: Scope, src: SourceFile) -> Value:
    data = src.data
    pos = node.start_byte + 2
    end = node.end_byte - 2
    raw: list[str | None] = []
    values: list[str | Unknown] = []
    for child in node.children:
        if child.type != "interpolation":
            continue
        raw.append(data[pos : child.start_byte].decode("utf-8", "replace"))
        raw.append(None)
        values.append(_interpolated(ev, child, env, src))
        pos = child.end_byte
    raw.append(data[pos:end].decode("utf-8", "replace"))
    raw[0] = strings.strip_opening(raw[0] or "")
    raw = [r for r in raw if r != ""]
    texts = strings.strip_indentation(strings.indented_parts(raw))
    parts: list[str | Unknown] = []
    slots = iter(values)
    for text in texts:
        parts.append(next(slots) if text is None else text)
    return join_parts(parts, src.span(node))


@handles("path_expression")
def _eval_path(ev: Evaluator, node: Node, env: Scope, src: SourceFile) -> Value:
    parts: list[str | Unknown] = []
    for child in node.children:
        if child.type == "interpolation":
            parts.append(_interpolated(ev, child, env, src))
        else:
            parts.append(_text(child, src))
    text = join_parts(parts, src.span(node))
    if isinstance(text, Unknown):
        return Unknown(f"path with an unknown part: {text.reason}", src.span(node))
    assert isinstance(text, str)
    return make_path(text, src.path)


def make_path(text: str, base_file: str) -> Path:
    if text.startswith("/"):
        return Path(os.path.normpath(text).replace("//", "/"))
    base = os.path.dirname(base_file) or "."
    return Path(os.path.normpath(os.path.join(base, text)))


@handles("spath_expression")
def _eval_spath(ev: Evaluator, node: Node, env: Scope, src: SourceFile) -> Value:
    return Path(_text(node, src), external=True)


@handles("hpath_expression")
def _eval_hpath(ev: Evaluator, node: Node, env: Scope, src: SourceFile) -> Value:
    return Unknown(f"home-relative path {_text(node, src)} depends on the user", src.span(node))


@handles("list_expression")
def _eval_list(ev: Evaluator, node: Node, env: Scope, src: SourceFile) -> Value:
    return List(
        [Thunk(e, env, src, ev) for e in node.children_by_field_name("element")], src.span(node)
    )


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


@handles("with_expression")
def _eval_with(ev: Evaluator, node: Node, env: Scope, src: SourceFile) -> Value:
    environment = node.child_by_field_name("environment")
    body = node.child_by_field_name("body")
    if environment is None or body is None:
        return Unknown("incomplete with expression", src.span(node))
    return ev.eval(body, Scope({}, env, Thunk(environment, env, src, ev)), src)


@handles("function_expression")
def _eval_function(ev: Evaluator, node: Node, env: Scope, src: SourceFile) -> Value:
    return Lambda(node, env, src)


@handles("apply_expression")
def _eval_apply(ev: Evaluator, node: Node, env: Scope, src: SourceFile) -> Value:
    fn_node = node.child_by_field_name("function")
    arg_node = node.child_by_field_name("argument")
    if fn_node is None or arg_node is None:
        return Unknown("incomplete function call", src.span(node))
    fn = ev.eval(fn_node, env, src)
    return ev.apply(fn, Thunk(arg_node, env, src, ev), src.span(node))


@handles("select_expression")
def _eval_select(ev: Evaluator, node: Node, env: Scope, src: SourceFile) -> Value:
    base_node = _expr(node)
    path = node.child_by_field_name("attrpath")
    if base_node is None or path is None:
        return Unknown("incomplete selection", src.span(node))
    default = node.child_by_field_name("default")
    value = ev.eval(base_node, env, src)
    span = src.span(node)
    for component in path.children_by_field_name("attr"):
        name = ev.attr_name(component, env, src)
        if name is None:
            return Failure("selection of ${null}", span)
        if isinstance(name, Unknown):
            return caused_by(
                f"selection with an unknown name: {name.reason}", name, name.span or span
            )
        if isinstance(value, Opaque):
            value = value.select(name, span)
            continue
        if isinstance(value, AttrSet):
            found = value.get(name)
            if found is None:
                if value.partial is not None:
                    return Unknown(f"{value.partial}.{name} is not modelled", span)
                if value.dynamic:
                    return Unknown(f"attribute {name!r} may be defined under a dynamic name", span)
                if default is not None:
                    return ev.eval(default, env, src)
                return Failure(f"attribute {name!r} missing", span)
            value = found.force()
            continue
        if isinstance(value, Unknown):
            return value
        if default is not None:
            return ev.eval(default, env, src)
        return Failure(f"cannot select {name!r} from a value that is not a set", span)
    return ev.resolved(value)


@handles("has_attr_expression")
def _eval_has_attr(ev: Evaluator, node: Node, env: Scope, src: SourceFile) -> Value:
    base_node = _expr(node)
    path = node.child_by_field_name("attrpath")
    if base_node is None or path is None:
        return Unknown("incomplete `?` expression", src.span(node))
    value = ev.eval(base_node, env, src)
    span = src.span(node)
    for component in path.children_by_field_name("attr"):
        name = ev.attr_name(component, env, src)
        if name is None:
            return Failure("`?` with the name ${null}", span)
        if isinstance(name, Unknown):
            return caused_by(f"`?` with an unknown name: {name.reason}", name, span)
        value = ev.resolved(value)
        if isinstance(value, AttrSet):
            found = value.get(name)
            if found is None:
                if value.partial is not None or value.dynamic:
                    return Unknown(f"whether attribute {name!r} exists is unknown", span)
                return False
            value = found.force()
        elif isinstance(value, Unknown):
            return caused_by(f"`?` on an unknown value: {value.reason}", value, value.span or span)
        else:
            return False
    return True


@handles("if_expression")
def _eval_if(ev: Evaluator, node: Node, env: Scope, src: SourceFile) -> Value:
    cond_node = node.child_by_field_name("condition")
    then_node = node.child_by_field_name("consequence")
    else_node = node.child_by_field_name("alternative")
    if cond_node is None or then_node is None or else_node is None:
        return Unknown("incomplete if expression", src.span(node))
    cond = ev.eval(cond_node, env, src)
    if cond is True:
        return ev.eval(then_node, env, src)
    if cond is False:
        return ev.eval(else_node, env, src)
    if isinstance(cond, Failure):
        return cond
    if isinstance(cond, Unknown):
        return Conditional(
            Thunk(cond_node, env, src, ev),
            Thunk(then_node, env, src, ev),
            Thunk(else_node, env, src, ev),
            cond,
            src.span(node),
        )
    return Failure("if condition is not a Boolean", src.span(cond_node))


@handles("assert_expression")
def _eval_assert(ev: Evaluator, node: Node, env: Scope, src: SourceFile) -> Value:
    cond_node = node.child_by_field_name("condition")
    body = node.child_by_field_name("body")
    if cond_node is None or body is None:
        return Unknown("incomplete assert", src.span(node))
    cond = ev.eval(cond_node, env, src)
    if cond is False:
        return Failure("assertion failed", src.span(cond_node))
    if isinstance(cond, Failure):
        return cond
    if isinstance(cond, Unknown):
        # the body where the assertion holds, a failure where it does not
        return Conditional(
            Thunk(cond_node, env, src, ev),
            Thunk(body, env, src, ev),
            Thunk.of(Failure("assertion failed", src.span(cond_node))),
            cond,
            src.span(node),
        )
    if cond is not True:
        return Failure("assertion condition is not a Boolean", src.span(cond_node))
    return ev.eval(body, env, src)


@handles("unary_expression")
def _eval_unary(ev: Evaluator, node: Node, env: Scope, src: SourceFile) -> Value:
    from nixlint.evaluate.operators import negate, not_

    op = node.child_by_field_name("operator")
    arg = node.child_by_field_name("argument")
    if op is None or arg is None:
        return Unknown("incomplete unary expression", src.span(node))
    value = ev.eval(arg, env, src)
    span = src.span(node)
    return not_(value, span) if op.type == "!" else negate(value, span)


@handles("binary_expression")
def _eval_binary(ev: Evaluator, node: Node, env: Scope, src: SourceFile) -> Value:
    from nixlint.evaluate.operators import binary

    op = node.child_by_field_name("operator")
    left = node.child_by_field_name("left")
    right = node.child_by_field_name("right")
    if op is None or left is None or right is None:
        return Unknown("incomplete binary expression", src.span(node))
    return binary(
        ev, op.type, Thunk(left, env, src, ev), Thunk(right, env, src, ev), src.span(node)
    )


@handles("ERROR")
def _eval_error(ev: Evaluator, node: Node, env: Scope, src: SourceFile) -> Value:
    return Unknown("syntax error", src.span(node))
