"""NixOS modules: their forms, imports, and the definitions they make.

A module's value is taken apart the way nixpkgs' ``lib/modules.nix`` does it:
``mkIf``/``mkMerge``/``mkOverride`` are pushed down through nested sets until each
definition sits on an option path with its priority, list order and conditions. Values stay
lazy: a definition holds a thunk that is evaluated only when a rule or a merge asks.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

from nixlint import schema
from nixlint.evaluate.context import STATE, noted, replay
from nixlint.evaluate.evaluator import Evaluator
from nixlint.evaluate.library import LIB, pkgs_value
from nixlint.evaluate.values import (
    MARKERS,
    Attr,
    AttrSet,
    Conditional,
    ConfigRef,
    Lambda,
    List,
    MkIf,
    MkMerge,
    MkOrder,
    MkOverride,
    Opaque,
    OptionDecl,
    PartialString,
    PartlyKnownSet,
    Path,
    Thunk,
    Unknown,
    Value,
)

if TYPE_CHECKING:
    from nixlint.parse import SourceFile
    from nixlint.span import Span

OptionPath = tuple[str, ...]
WILDCARD = "*"
DEFAULT_PRIORITY = 100
DEFAULT_ORDER = 1000
OPTION_DEFAULT_PRIORITY = 1500
MAX_NESTING = 120
#: Undecidable conditions nested on one definition before it is kept as one opaque value
#: (each one doubles the definitions: ``if`` on an unknown length in a recursive function).
MAX_CONDITIONS = 8
#: Values one module may take apart before the rest is kept opaque.
MAX_COLLECT_STEPS = 50_000

#: Top-level attributes of a module that are not configuration.
MODULE_META = frozenset(
    {"imports", "_file", "key", "disabledModules", "meta", "require", "_class", "freeformType"}
)
#: Node types whose value can never be a set or a module-system marker.
_LEAF_NODES = frozenset(
    {
        "string_expression",
        "indented_string_expression",
        "integer_expression",
        "float_expression",
        "path_expression",
        "hpath_expression",
        "spath_expression",
        "uri_expression",
        "list_expression",
        "function_expression",
    }
)


class Cond:
    """One condition a definition depends on (``mkIf c``, or ``!c`` for an ``else`` branch).

    The condition is evaluated once the host's options are known, and remembered.
    """

    __slots__ = ("negate", "span", "thunk")

    def __init__(self, thunk: Thunk, negate: bool = False, span: Span | None = None) -> None:
        self.thunk = thunk
        self.negate = negate
        self.span = span or thunk.span

    def evaluate(self) -> bool | Unknown:
        """The condition for the active host (remembered per host)."""
        context = STATE.context
        states = context.conditions
        state = states.get(self)
        if state is not None:
            if STATE.reads:
                replay(context.deps.get(self))
            return state  # type: ignore[no-any-return]
        states[self] = Unknown("condition is being evaluated", self.span)
        if STATE.reads:
            value, context.deps[self] = noted(self.thunk.fresh().force)
        else:
            value = self.thunk.fresh().force()
        if isinstance(value, bool):
            state = (not value) if self.negate else value
        elif isinstance(value, Unknown):
            state = Unknown(value.reason, value.span or self.span)
        else:
            state = Unknown("condition is not a Boolean", self.span)
        states[self] = state
        return state  # type: ignore[no-any-return]

    def describe(self) -> str:
        node, src = self.thunk.node, self.thunk.src
        text = src.text(node) if node is not None and src is not None else "condition"
        text = " ".join(text.split())
        if len(text) > 60:
            text = text[:57] + "..."
        return f"!({text})" if self.negate else text


Kind = Literal["value", "namespace", "opaque"]


@dataclass(slots=True)
class Definition:
    """One definition of an option path by one module."""

    path: OptionPath
    value: Thunk
    span: Span
    module: str
    kind: Kind = "value"
    priority: int = DEFAULT_PRIORITY
    order: int = DEFAULT_ORDER
    conditions: tuple[Cond, ...] = ()
    written: OptionPath | None = None  # the path as written, when a rename applied

    @property
    def file(self) -> str:
        return self.span.path

    def condition(self) -> bool | Unknown:
        """True, False, or Unknown (the definition is conditional)."""
        result: bool | Unknown = True
        for cond in self.conditions:
            state = cond.evaluate()
            if state is False:
                return False
            if isinstance(state, Unknown):
                result = state
        return result

    @property
    def value_span(self) -> Span:
        return self.value.span or self.span


@dataclass(slots=True)
class Declaration:
    """``options.a.b = mkOption { default = …; }`` in a scanned module."""

    path: OptionPath
    default: Thunk | None
    span: Span | None
    module: str


@dataclass(slots=True)
class Import:
    """One entry of a module's ``imports``: a file, an inline module, or something external."""

    kind: Literal["file", "inline", "external", "unknown", "missing"]
    span: Span | None
    path: str | None = None
    label: str = ""
    value: Value = None


@dataclass
class Module:
    """A module as evaluated for one host."""

    id: str
    src: SourceFile
    definitions: list[Definition] = field(default_factory=list)
    declarations: list[Declaration] = field(default_factory=list)
    imports: list[Import] = field(default_factory=list)
    problem: Unknown | None = None  # set when the file is not a module nixlint can read
    #: files and directories read while taking it apart, and how long that took
    deps: set[str] = field(default_factory=set)
    seconds: float = 0.0
    index: ModuleIndex | None = field(default=None, repr=False)
    #: the module's evaluated attribute set (what a patch of one of its values edits)
    body: AttrSet | None = field(default=None, repr=False, compare=False)
    #: for a module patched from an earlier version: that version, the option paths whose
    #: definitions the patch replaced, and those whose names below changed
    #: (see :mod:`nixlint.patch`)
    previous: Module | None = field(default=None, repr=False, compare=False)
    changed: frozenset[OptionPath] | None = field(default=None, repr=False, compare=False)
    reshaped: frozenset[OptionPath] | None = field(default=None, repr=False, compare=False)
    generation: int = field(default=0, repr=False, compare=False)

    @property
    def path(self) -> str:
        return self.src.path


@dataclass
class ModuleIndex:
    """A module's definitions by option path, and the option tree they span. Built once per
    module and shared by the option graphs of every host that imports it."""

    definitions: dict[OptionPath, list[Definition]] = field(default_factory=dict)
    children: dict[OptionPath, set[str]] = field(default_factory=dict)
    declarations: list[Declaration] = field(default_factory=list)
    opaque: set[OptionPath] = field(default_factory=set)
    wild_parents: set[OptionPath] = field(default_factory=set)
    #: the defined paths a filter keeps, by the filter (see :meth:`paths_where`)
    _kept: dict[Callable[[OptionPath], bool], list[OptionPath]] = field(default_factory=dict)

    def paths_where(self, keep: Callable[[OptionPath], bool]) -> list[OptionPath]:
        """The defined paths ``keep`` accepts, in order; worked out once per module and
        filter (rules that look for a few names among every path of a host use it)."""
        found = self._kept.get(keep)
        if found is None:
            found = self._kept[keep] = [p for p in self.definitions if keep(p)]
        return found


def index_of(module: Module) -> ModuleIndex:
    if module.index is None:
        index = ModuleIndex()
        for definition in module.definitions:
            path = definition.path
            index.definitions.setdefault(path, []).append(definition)
            if path and definition.written is None and path[:-1] in index.definitions:
                # its parent set was defined (and linked) just before: one link is enough
                index.children.setdefault(path[:-1], set()).add(path[-1])
            else:
                for i in range(len(path)):
                    index.children.setdefault(path[:i], set()).add(path[i])
            if definition.kind == "opaque":
                index.opaque.add(path)
            if WILDCARD in path:
                index.wild_parents.add(path[: path.index(WILDCARD)])
        for decl in module.declarations:
            index.declarations.append(decl)
            for i in range(len(decl.path)):
                index.children.setdefault(decl.path[:i], set()).add(decl.path[i])
        module.index = index
    return module.index


def module_args(extra: dict[str, Value | Thunk] | None = None) -> AttrSet:
    """The arguments NixOS passes to a module function (``extra``: a flake's
    ``specialArgs``); the rest are opaque."""
    values: dict[str, Value | Thunk] = {
        "config": ConfigRef(()),
        "lib": LIB,
        "pkgs": pkgs_value(),
        "options": Opaque("options"),
        "modulesPath": Path("<modulesPath>", external=True),
        "utils": Opaque("utils"),
    }
    if extra:
        values.update(extra)
    attrs = {k: Attr(v if isinstance(v, Thunk) else Thunk.of(v)) for k, v in values.items()}
    return AttrSet(attrs, partial="module arguments")


def evaluate_module(
    ev: Evaluator,
    module: Module,
    value: Value,
    args: AttrSet,
    span: Span | None,
    lazy_below: int | None = None,
) -> None:
    """Take a module value apart into ``module``'s definitions, declarations and imports.

    With ``lazy_below``, values at paths that long are kept whole and unevaluated (for
    module systems whose values may refer back to the result, as flake-parts' do)."""
    if isinstance(value, Lambda):
        value = ev.apply(value, Thunk.of(args), span)
    if isinstance(value, (MkIf, MkMerge, MkOverride, Conditional)):
        # ``lib.mkIf c { … }`` as the whole module: shorthand configuration
        _Collector(module, lazy_below).collect((), Thunk.of(value), span, _Context())
        return
    if not isinstance(value, AttrSet):
        if isinstance(value, Unknown):
            module.problem = value
        else:
            module.problem = Unknown(f"a {type(value).__name__} is not a module", span)
        return
    module.body = value
    attrs = value.attrs
    imports = attrs.get("imports")
    if imports is not None:
        module.imports.extend(_imports(ev, imports.thunk, module))
    collector = _Collector(module, lazy_below)
    if "config" in attrs or "options" in attrs:
        config = attrs.get("config")
        if config is not None:
            collector.collect((), config.thunk, config.span, _Context())
        options = attrs.get("options")
        if options is not None:
            collector.declare((), options.thunk, 0)
    else:
        for name, attr in attrs.items():
            if name not in MODULE_META:
                collector.collect((name,), attr.thunk, attr.span, _Context())
        for _key, attr in value.dynamic:
            collector.collect((WILDCARD,), attr.thunk, attr.span, _Context())


def _imports(ev: Evaluator, thunk: Thunk, module: Module) -> list[Import]:
    value = thunk.force()
    if isinstance(value, MkMerge):
        return []
    if not isinstance(value, List):
        reason = value.reason if isinstance(value, Unknown) else "imports is not a list"
        return [Import("unknown", thunk.span, label=reason)]
    found: list[Import] = []
    for item in value.items:
        found.append(classify_import(item.force(), item.span or thunk.span))
    return found


#: Attributes only a flake's outputs have.
_FLAKE_OUTPUTS = frozenset(
    {
        "nixosConfigurations",
        "darwinConfigurations",
        "homeConfigurations",
        "nixosModules",
        "homeManagerModules",
        "devShells",
        "legacyPackages",
        "overlays",
        "hydraJobs",
    }
)


def _flake_outputs(value: AttrSet, module: Module) -> bool:
    """True for a flake's outputs (a set written in a ``flake.nix`` other than the
    module's own file, with attributes only outputs have)."""
    where = value.span.path if value.span is not None else None
    return (
        where is not None
        and where != module.path
        and os.path.basename(where) == "flake.nix"
        and not _FLAKE_OUTPUTS.isdisjoint(value.attrs)
    )


def classify_import(value: Value, span: Span | None) -> Import:
    if isinstance(value, Path) and value.external:
        return Import("external", span, label=value.path)
    if isinstance(value, Path) or (isinstance(value, str) and value.startswith("/")):
        path = value.path if isinstance(value, Path) else value
        if os.path.isdir(path):
            path = os.path.join(path, "default.nix")
        return Import("file", span, path=path, label=path)
    if isinstance(value, str) and value.startswith("<") and ">" in value:
        return Import("external", span, label=value)  # "${toString modulesPath}/…"
    if isinstance(value, (AttrSet, Lambda)):
        return Import("inline", span, label="inline module", value=value)
    if isinstance(value, PartialString):
        if value.local_path is not None:
            return classify_import(value.local_path, span)
        return Import("external", span, label=value.known_text)
    if isinstance(value, Opaque):
        return Import("external", span, label=value.label)
    if isinstance(value, Unknown):
        return Import("unknown", span, label=value.reason)
    return Import("unknown", span, label=f"a {type(value).__name__} in imports")


@dataclass(slots=True, frozen=True)
class _Context:
    priority: int | None = None
    order: int | None = None
    conditions: tuple[Cond, ...] = ()

    def with_cond(self, cond: Cond) -> _Context:
        return _Context(self.priority, self.order, (*self.conditions, cond))


class _Collector:
    def __init__(self, module: Module, lazy_below: int | None = None) -> None:
        self.module = module
        self.steps = 0
        self.lazy_below = lazy_below or 1 << 30
        self._file_start: Span | None = None

    def _start(self) -> Span:
        """Where a definition with no place of its own is anchored: the file's start."""
        if self._file_start is None:
            self._file_start = self.module.src.span_of(0, 0)
        return self._file_start

    def _define(
        self, path: OptionPath, thunk: Thunk, span: Span | None, ctx: _Context, kind: Kind
    ) -> None:
        anchor = span or thunk.span or self._start()
        canonical = schema.canonical(path)
        self.module.definitions.append(
            Definition(
                path=canonical,
                value=thunk,
                span=anchor,
                module=self.module.id,
                kind=kind,
                priority=DEFAULT_PRIORITY if ctx.priority is None else ctx.priority,
                order=DEFAULT_ORDER if ctx.order is None else ctx.order,
                conditions=ctx.conditions,
                written=path if canonical != path else None,
            )
        )

    def collect(
        self, path: OptionPath, thunk: Thunk, span: Span | None, ctx: _Context, depth: int = 0
    ) -> None:
        node = thunk.node
        if not thunk.evaluated and (
            (node is not None and node.type in _LEAF_NODES) or len(path) >= self.lazy_below
        ):
            self._define(path, thunk, span, ctx, "value")
            return
        self.steps += 1
        if depth > MAX_NESTING or self.steps > MAX_COLLECT_STEPS:
            why = "nested too deeply" if depth > MAX_NESTING else "too large to take apart"
            self._define(path, Thunk.of(Unknown(f"definition {why}", span)), span, ctx, "opaque")
            return
        value = thunk.force()
        if not thunk.shared and not isinstance(value, (AttrSet, *MARKERS, Conditional)):
            # computed from ``config``: a value each host computes for itself
            self._define(path, thunk.fresh(), span, ctx, "value")
            return
        if isinstance(value, MkIf):
            self.collect(path, value.content, span, ctx.with_cond(Cond(value.condition)), depth + 1)
        elif isinstance(value, MkMerge):
            for item in value.contents:
                self.collect(path, item, span, ctx, depth + 1)
        elif isinstance(value, MkOverride):
            prio = value.priority if ctx.priority is None else ctx.priority
            inner = _Context(prio, ctx.order, ctx.conditions)
            self.collect(path, value.content, span, inner, depth + 1)
        elif isinstance(value, MkOrder):
            order = value.priority if ctx.order is None else ctx.order
            self.collect(
                path, value.content, span, _Context(ctx.priority, order, ctx.conditions), depth + 1
            )
        elif isinstance(value, Conditional):
            if value.then is value.otherwise:
                self.collect(path, value.then, span, ctx, depth + 1)
            elif len(ctx.conditions) >= MAX_CONDITIONS:
                self._define(path, thunk, span, ctx, "opaque")
            else:
                cond = value.condition
                self.collect(path, value.then, span, ctx.with_cond(Cond(cond)), depth + 1)
                self.collect(
                    path, value.otherwise, span, ctx.with_cond(Cond(cond, negate=True)), depth + 1
                )
        elif isinstance(value, AttrSet) and _flake_outputs(value, self.module):
            # a flake's outputs handed to modules (``specialArgs = { inherit outputs; }``,
            # then ``extraSpecialArgs = { inherit outputs; }``): a value, not options
            self._define(path, thunk, span, ctx, "value")
        elif isinstance(value, AttrSet):
            self._define(path, thunk, span or value.span, ctx, "namespace")
            if isinstance(value, PartlyKnownSet):
                # names nixlint cannot list (``unknown // { … }``) may set any option below
                rest = Unknown(f"{value.partial} has attributes nixlint cannot name", span)
                self._define(path, Thunk.of(rest), span or value.span, ctx, "opaque")
            for name, attr in value.attrs.items():
                self.collect((*path, name), attr.thunk, attr.span, ctx, depth + 1)
            for _key, attr in value.dynamic:
                self.collect((*path, WILDCARD), attr.thunk, attr.span, ctx, depth + 1)
        elif isinstance(value, Unknown):
            self._define(path, thunk, span, ctx, "opaque")
        else:
            self._define(path, thunk, span, ctx, "value")

    def declare(self, path: OptionPath, thunk: Thunk, depth: int) -> None:
        if depth > MAX_NESTING:
            return
        value = thunk.force()
        if isinstance(value, OptionDecl):
            self.module.declarations.append(
                Declaration(
                    schema.canonical(path), value.default, value.span or thunk.span, self.module.id
                )
            )
        elif isinstance(value, AttrSet):
            for name, attr in value.attrs.items():
                self.declare((*path, name), attr.thunk, depth + 1)
        elif isinstance(value, (MkMerge, MkIf)):
            items = value.contents if isinstance(value, MkMerge) else [value.content]
            for item in items:
                self.declare(path, item, depth + 1)
