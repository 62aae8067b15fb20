"""The option graph of one host: modules, option paths, and how definitions merge.

Nodes are ``("module", id)`` and ``("option", "a.b.c")``; edges are ``imports`` between
modules and ``defines`` from a module to each option it defines (and ``contains`` from an
option path to its children). Merging follows nixpkgs' ``lib/modules.nix``: the definitions
at the best (lowest) priority win; lists concatenate in ``mkOrder`` order, equal values
agree, different scalars conflict (Unknown). A definition whose condition is Unknown is
*conditional*: it shows in the result's candidates, and the value depends on it.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

from nixlint import schema
from nixlint.evaluate.context import (
    FILTER,
    SHAPE,
    STATE,
    Context,
    active,
    note,
    noted,
    replay,
)
from nixlint.evaluate.evaluator import Evaluator
from nixlint.evaluate.functions.serialise import from_python
from nixlint.evaluate.operators import equal
from nixlint.evaluate.values import ConfigRef, List, Thunk, Unknown, Value
from nixlint.modules import (
    OPTION_DEFAULT_PRIORITY,
    WILDCARD,
    Declaration,
    Definition,
    Module,
    ModuleIndex,
    OptionPath,
    index_of,
)

if TYPE_CHECKING:
    import networkx as nx


_NONE: list[Definition] = []

ConditionState = Literal["true", "false", "unknown"]


@dataclass(slots=True)
class DefinitionState:
    """A definition with its condition evaluated for this host."""

    definition: Definition
    condition: bool | Unknown

    @property
    def state(self) -> ConditionState:
        if self.condition is True:
            return "true"
        if self.condition is False:
            return "false"
        return "unknown"

    @property
    def conditional(self) -> bool:
        return isinstance(self.condition, Unknown)


@dataclass
class Resolution:
    """The effective value of an option path and where it comes from."""

    path: OptionPath
    value: Value
    #: Definitions that make (or, when conditional, may make) the value.
    candidates: list[DefinitionState] = field(default_factory=list)
    #: Every definition of the path, whatever its condition and priority.
    definitions: list[DefinitionState] = field(default_factory=list)
    source: Literal["definitions", "declared-default", "default", "none"] = "definitions"

    @property
    def known(self) -> bool:
        return not isinstance(self.value, Unknown)

    @property
    def defined(self) -> bool:
        """True when some definition (not only a default) may set the value."""
        return bool(self.candidates)

    @property
    def conditional(self) -> bool:
        return any(c.conditional for c in self.candidates)

    @property
    def winners(self) -> list[Definition]:
        return [c.definition for c in self.candidates]


class OptionGraph:
    """All definitions of one host, indexed by option path, with module-system merging."""

    def __init__(self, name: str | None, modules: list[Module], evaluator: Evaluator) -> None:
        self.name = name
        self.modules = modules
        self.evaluator = evaluator
        self._indexes = [index_of(m) for m in modules]
        self._defs_memo: dict[OptionPath, list[Definition]] = {}
        self._children_memo: dict[OptionPath, set[str]] = {}
        self._matches: dict[OptionPath, list[OptionPath]] = {}
        self._decls: dict[OptionPath, Declaration] = {}
        self._resolved: dict[OptionPath, Resolution] = {}
        #: the same resolutions by the path as asked for (a string, or not yet canonical)
        self._requested: dict[OptionPath | str, Resolution] = {}
        self._resolving: set[OptionPath] = set()
        self._nx: nx.DiGraph | None = None
        self._opaque: set[OptionPath] = set()
        self._wild_parents: set[OptionPath] = set()
        for index in self._indexes:
            self._opaque |= index.opaque
            self._wild_parents |= index.wild_parents
            for decl in index.declarations:
                self._decls.setdefault(decl.path, decl)
        # the lengths of those paths: the prefixes of a path worth looking up
        self._opaque_sizes = sorted({len(p) for p in self._opaque})
        self._wild_sizes = sorted({len(p) for p in self._wild_parents})
        #: this host's evaluation context: its memo and how it reads ``config.…``
        self.context = Context(self.resolve_config)
        evaluator.steps = 0
        #: while reads are recorded: what computing each resolution and match read
        self._deps: dict[object, set[object]] = {}

    @property
    def indexes(self) -> list[ModuleIndex]:
        """The modules' indexes, in module order (shared with other hosts: not to change)."""
        note(())
        return self._indexes

    def _defs_at(self, path: OptionPath) -> list[Definition]:
        """The definitions of exactly ``path`` (not to be changed by the caller)."""
        if STATE.reads:
            STATE.reads[-1].add(path)
        found = self._defs_memo.get(path)
        if found is None:
            found = _NONE
            for index in self._indexes:
                some = index.definitions.get(path)
                if some:
                    found = some if found is _NONE else found + some
            self._defs_memo[path] = found
        return found

    def _children_at(self, path: OptionPath) -> set[str]:
        if STATE.reads:
            STATE.reads[-1].add((SHAPE, path))
        found = self._children_memo.get(path)
        if found is None:
            found = set()
            for index in self._indexes:
                names = index.children.get(path)
                if names:
                    found |= names
            self._children_memo[path] = found
        return found

    # -- networkx view ---------------------------------------------------------------------

    @property
    def nx(self) -> nx.DiGraph:
        """The graph as networkx sees it (built on first use)."""
        note(())
        if self._nx is None:
            import networkx as nx

            g = nx.DiGraph(host=self.name)
            for module in self.modules:
                g.add_node(("module", module.id), kind="module", path=module.path)
                for imp in module.imports:
                    if imp.kind == "file" and imp.path:
                        g.add_edge(("module", module.id), ("module", imp.path), kind="imports")
                for definition in module.definitions:
                    option = ("option", schema.join(definition.path))
                    g.add_node(option, kind="option", path=definition.path)
                    g.add_edge(
                        ("module", module.id), option, kind="defines", line=definition.span.line
                    )
            parents: set[OptionPath] = set()
            for index in self._indexes:
                parents.update(index.children)
            for parent in parents:
                for name in self._children_at(parent):
                    g.add_edge(
                        ("option", schema.join(parent)),
                        ("option", schema.join((*parent, name))),
                        kind="contains",
                    )
            self._nx = g
        return self._nx

    # -- queries ----------------------------------------------------------------------------

    def definitions(self, path: OptionPath | str) -> list[Definition]:
        return list(self._defs_at(_path(path)))

    def children(self, path: OptionPath | str) -> list[str]:
        return sorted(self._children_at(_path(path)))

    def exists(self, path: OptionPath | str) -> bool:
        key = _path(path)
        return bool(self._defs_at(key)) or bool(self._children_at(key))

    def declaration(self, path: OptionPath | str) -> Declaration | None:
        return self._decls.get(_path(path))

    def declares_under(self, prefix: OptionPath | str) -> bool:
        """True when a scanned module declares an option at or under ``prefix``."""
        key = _path(prefix)
        return any(path[: len(key)] == key for path in self._decls)

    def match(self, pattern: OptionPath | str) -> list[OptionPath]:
        """Paths that exist in this host and match ``pattern``; ``*`` matches one component
        (and shell-style globs such as ``docker*`` match within a component)."""
        want = _path(pattern)
        known = self._matches.get(want)
        if known is not None:
            if STATE.reads:
                replay(self._deps.get(("match", want)))
            return list(known)
        if STATE.reads:
            found, self._deps[("match", want)] = noted(lambda: self._match(want))
        else:
            found = self._match(want)
        self._matches[want] = found
        return list(found)

    def _match(self, want: OptionPath) -> list[OptionPath]:
        found: list[OptionPath] = []

        def walk(prefix: OptionPath, rest: OptionPath) -> None:
            if not rest:
                if self.exists(prefix):
                    found.append(prefix)
                return
            head = rest[0]
            names = self._children_at(prefix)
            if head == WILDCARD:
                for name in sorted(names):
                    walk((*prefix, name), rest[1:])
            elif "*" in head or "?" in head or "[" in head:
                for name in sorted(names):
                    if fnmatch.fnmatchcase(name, head):
                        walk((*prefix, name), rest[1:])
            elif head in names:
                walk((*prefix, head), rest[1:])

        walk((), want)
        return found

    def paths_where(self, keep: Callable[[OptionPath], bool]) -> list[OptionPath]:
        """The defined option paths that ``keep`` accepts, in module order, once each.
        A host has tens of thousands of paths and few that a rule looks for: each
        module's paths are filtered once and the filtered lists are shared by every host
        importing it (``keep`` should be a module-level function, judging names once)."""
        note((FILTER, keep))
        seen: set[OptionPath] = set()
        found: list[OptionPath] = []
        for index in self._indexes:
            for path in index.paths_where(keep):
                if path not in seen:
                    seen.add(path)
                    found.append(path)
        return found

    def all_paths(self) -> Iterator[OptionPath]:
        note(())
        seen: set[OptionPath] = set()
        for index in self._indexes:
            for path in index.definitions:
                if path not in seen:
                    seen.add(path)
                    yield path

    # -- merging ------------------------------------------------------------------------------

    def value(self, path: OptionPath | str) -> Value:
        return self.resolve(path).value

    def resolve(self, path: OptionPath | str) -> Resolution:
        cached = self._requested.get(path)
        if cached is not None:
            if STATE.reads:
                replay(self._deps.get(cached.path))
            return cached
        key = schema.canonical(_path(path))
        cached = self._resolved.get(key)
        if cached is not None:
            if STATE.reads:
                replay(self._deps.get(key))
            self._requested[path] = cached
            return cached
        if key in self._resolving:
            return Resolution(key, Unknown(f"infinite recursion through config.{schema.join(key)}"))
        self._resolving.add(key)
        try:
            if STATE.context is not self.context:
                with active(self.context):
                    result = self._merge_noted(key)
            else:
                result = self._merge_noted(key)
        finally:
            self._resolving.discard(key)
        self._resolved[key] = result
        self._requested[path] = result
        return result

    def _merge_noted(self, key: OptionPath) -> Resolution:
        if not STATE.reads:
            return self._merge(key)
        result, self._deps[key] = noted(lambda: self._merge(key))
        return result

    def activate(self) -> AbstractContextManager[Context]:
        """Evaluate in this host's context (for reading definitions outside ``resolve``)."""
        return active(self.context)

    def _relevant(self, path: OptionPath) -> list[Definition]:
        """Definitions at ``path``, at a path that matches it through a dynamic name, and
        opaque definitions of an enclosing path (which may set it)."""
        found = [d for d in self._defs_at(path) if d.kind != "namespace"]
        size = len(path)
        if self._opaque:
            for i in self._opaque_sizes:
                if i < size and path[:i] in self._opaque:
                    found.extend(d for d in self._defs_at(path[:i]) if d.kind == "opaque")
        if self._wild_parents and any(
            i < size and path[:i] in self._wild_parents for i in self._wild_sizes
        ):
            for other in self._wildcard_variants(path):
                found.extend(d for d in self._defs_at(other) if d.kind != "namespace")
        return found

    def _wildcard_variants(self, path: OptionPath) -> list[OptionPath]:
        """Existing paths equal to ``path`` except that some components are ``*``."""
        out: list[OptionPath] = []

        def walk(prefix: OptionPath, used: bool) -> None:
            i = len(prefix)
            if i == len(path):
                if used:
                    out.append(prefix)
                return
            kids = self._children_at(prefix)
            if path[i] in kids:
                walk((*prefix, path[i]), used)
            if WILDCARD in kids and path[i] != WILDCARD:
                walk((*prefix, WILDCARD), True)

        walk((), False)
        return out

    def _merge(self, path: OptionPath) -> Resolution:
        states = [DefinitionState(d, d.condition()) for d in self._relevant(path)]
        for state in states:
            d = state.definition
            if d.path != path and state.condition is True:
                # an enclosing opaque definition, or a dynamic name that may be this one
                why = "a dynamic attribute name" if WILDCARD in d.path else "an enclosing value"
                state.condition = Unknown(f"may apply through {why}", d.span)
        live = [s for s in states if s.condition is not False]
        declared = self._decls.get(path)
        if not live:
            return self._default(path, states, declared)
        certain = [s for s in live if s.condition is True]
        best = min((s.definition.priority for s in certain), default=None)
        if best is None:
            best = OPTION_DEFAULT_PRIORITY if self._has_default(path, declared) else 1 << 30
        candidates = [s for s in live if s.definition.priority <= best]
        if not candidates:
            return self._default(path, states, declared)
        candidates.sort(key=lambda s: s.definition.priority)
        if any(s.conditional for s in candidates):
            first = next(s for s in candidates if s.conditional)
            reason = first.condition
            assert isinstance(reason, Unknown)
            where = first.definition.span.short
            value: Value = Unknown(
                f"depends on a condition at {where}: {reason.reason}", first.definition.span
            )
            return Resolution(path, value, candidates, states)
        return Resolution(path, self._combine(path, candidates), candidates, states)

    def _combine(self, path: OptionPath, candidates: list[DefinitionState]) -> Value:
        defs = sorted((c.definition for c in candidates), key=lambda d: d.order)
        values = [d.value.force() for d in defs]
        for d, v in zip(defs, values, strict=True):
            if isinstance(v, Unknown):
                return v if v.span else Unknown(v.reason, d.span)
        if len(values) == 1:
            return values[0]
        if all(isinstance(v, List) for v in values):
            items: list[Thunk] = []
            for v in values:
                assert isinstance(v, List)
                items.extend(v.items)
            return List(items)
        first = values[0]
        for d, v in zip(defs[1:], values[1:], strict=True):
            same = equal(self.evaluator, first, v)
            if same is not True:
                return Unknown(
                    f"conflicting definitions of {schema.join(path)} at "
                    f"{defs[0].span.short} and {d.span.short}",
                    d.span,
                )
        return first

    def _has_default(self, path: OptionPath, declared: Declaration | None) -> bool:
        if declared is not None and declared.default is not None:
            return True
        return schema.default(path) is not schema.NO_DEFAULT

    def _default(
        self, path: OptionPath, states: list[DefinitionState], declared: Declaration | None
    ) -> Resolution:
        if declared is not None and declared.default is not None:
            return Resolution(path, declared.default.force(), [], states, "declared-default")
        known = schema.default(path)
        if known is not schema.NO_DEFAULT:
            return Resolution(path, from_python(known), [], states, "default")
        reason = f"{schema.join(path)} is not set in the scanned files and its default is not known"
        return Resolution(path, Unknown(reason), [], states, "none")

    # -- config.… inside modules -------------------------------------------------------------

    def resolve_config(self, ref: ConfigRef) -> Value:
        """The value ``config.a.b`` has in this host (the evaluator's hook)."""
        path = schema.canonical(ref.path)
        has_values = any(d.kind != "namespace" for d in self._defs_at(path))
        if not has_values and self._children_at(path):
            return ref  # an option set: stays symbolic until an option in it is selected
        value = self.resolve(path).value
        if isinstance(value, Unknown) and not isinstance(value, ConfigRef):
            return Unknown(f"config.{schema.join(path)}: {value.reason}", value.span or ref.span)
        return value


def _path(path: OptionPath | str) -> OptionPath:
    return schema.split(path) if isinstance(path, str) else path
