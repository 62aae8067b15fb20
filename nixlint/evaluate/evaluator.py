"""The partial evaluator: a lazy tree-walking interpreter over tree-sitter nodes.

It evaluates what can be known from the text alone and returns :class:`Unknown` (with a
reason and a span) for everything else. It never raises on user input: a Nix evaluation
error becomes an Unknown too. Work is bounded by a step budget and a nesting limit.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Protocol

from nixlint.evaluate import expressions, interpolation  # noqa: F401  (register handlers)
from nixlint.evaluate.bindings import Builder
from nixlint.evaluate.context import STATE, taint
from nixlint.evaluate.handlers import HANDLERS, node_text
from nixlint.evaluate.interpolation import coerce_to_string
from nixlint.evaluate.values import (
    AttrSet,
    Builtin,
    ConfigRef,
    Failure,
    Lambda,
    List,
    Opaque,
    Path,
    Scope,
    Thunk,
    Unknown,
    Value,
    caused_by,
)

if TYPE_CHECKING:
    from tree_sitter import Node

    from nixlint.parse import SourceFile
    from nixlint.span import Span

#: Evaluation steps (node visits and calls) allowed per evaluator.
DEFAULT_BUDGET = 500_000
#: Nesting of evaluations (syntax depth plus call depth) before giving up.
MAX_DEPTH = 250


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
        handler = HANDLERS.get(node.type)
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
            variables[node_text(universal, src)] = arg
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
            name = node_text(name_node, src)
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
        builder = Builder(self)
        if bindings is not None:
            builder.fill(bindings, value_env, inherit_env, src)
        return builder.finish(span)

    def recursive_scope(
        self, bindings: Node | None, env: Scope, src: SourceFile, span: Span | None = None
    ) -> tuple[Scope, Value]:
        """A scope whose variables are the bindings themselves (``let`` and ``rec``), and the
        set they define. Dynamic attributes are not in scope; their names are evaluated in it."""
        scope = Scope({}, env)
        builder = Builder(self)
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
