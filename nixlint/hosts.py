"""Hosts: a root module plus every module it imports, evaluated and merged as NixOS
would merge them into one option graph."""

from __future__ import annotations

import os
from dataclasses import dataclass, field

from nixlint.evaluate.context import Context, active
from nixlint.evaluate.evaluator import Evaluator
from nixlint.evaluate.values import AttrSet, Lambda, Opaque, Unknown, Value
from nixlint.graph import OptionGraph
from nixlint.modules import Import, Module, evaluate_module, module_args
from nixlint.parse import SourceFile
from nixlint.workspace import FileStore

#: Files larger than this are syntax-checked but not evaluated as modules.
MAX_MODULE_BYTES = 4 * 1024 * 1024


def host_name(root: str) -> str:
    stem = os.path.splitext(os.path.basename(root))[0]
    if stem == "default":
        return os.path.basename(os.path.dirname(root)) or stem
    return stem


@dataclass
class Host:
    """One host: its name, root module, evaluated modules and option graph."""

    name: str
    root: str
    graph: OptionGraph
    modules: list[Module]
    missing: list[Import] = field(default_factory=list)
    outside: list[Import] = field(default_factory=list)
    external: list[Import] = field(default_factory=list)

    @property
    def files(self) -> list[str]:
        return sorted({m.path for m in self.modules})


class ModuleCache:
    """Modules taken apart once and shared by every host that imports them.

    A module's skeleton (its definitions, declarations and imports) cannot depend on the
    host — NixOS forbids it — so it is built once per file and set of module arguments.
    Values that read ``config`` are computed per host when asked (see
    :mod:`nixlint.evaluate.context`).
    """

    def __init__(self, store: FileStore) -> None:
        self.store = store
        self.evaluator = Evaluator(loader=store.get)
        self._modules: dict[tuple[str, object], list[Module]] = {}
        self._args: dict[object, AttrSet] = {}

    def arguments(self, extra: dict[str, Value] | None = None) -> tuple[object, AttrSet]:
        key = _args_key(extra)
        args = self._args.get(key)
        if args is None:
            args = self._args[key] = module_args(extra)
        return key, args

    def modules(self, path: str, src: SourceFile, args_key: object, args: AttrSet) -> list[Module]:
        """The module of a file and the inline modules it imports, taken apart."""
        key = (path, args_key)
        found = self._modules.get(key)
        if found is not None:
            return found
        ev = self.evaluator
        found = []
        with active(Context()):
            ev.steps = 0
            module = Module(id=path, src=src)
            if len(src.data) > MAX_MODULE_BYTES:
                module.problem = Unknown("file too large to evaluate")
            else:
                evaluate_module(ev, module, ev.eval_file(src), args, src.span_of(0, 0))
            pending = [module]
            while pending:
                current = pending.pop(0)
                found.append(current)
                for index, imp in enumerate(current.imports):
                    if imp.kind == "inline":
                        origin = imp.value.src if isinstance(imp.value, Lambda) else current.src
                        inline = Module(id=f"{current.id}#{index}", src=origin)
                        evaluate_module(ev, inline, imp.value, args, imp.span)
                        pending.append(inline)
        self._modules[key] = found
        return found


def _args_key(extra: dict[str, Value] | None) -> object:
    if not extra:
        return ()
    return tuple(sorted((name, _describe(value)) for name, value in extra.items()))


def _describe(value: Value) -> object:
    if value is None or isinstance(value, (bool, int, float, str)):
        return (type(value).__name__, value)
    if isinstance(value, Opaque):
        return ("opaque", value.label)
    return ("object", id(value))


def build_host(
    name: str,
    roots: list[str],
    store: FileStore,
    args: dict[str, Value] | None = None,
    cache: ModuleCache | None = None,
) -> Host:
    """Take ``roots`` and their import closure for one host and merge them."""
    cache = cache or ModuleCache(store)
    args_key, module_arguments = cache.arguments(args)
    modules: list[Module] = []
    missing: list[Import] = []
    outside: list[Import] = []
    external: list[Import] = []
    seen: set[str] = set()
    queue: list[tuple[str, Import | None]] = [(r, None) for r in roots]
    while queue:
        path, via = queue.pop(0)
        if path in seen:
            continue
        seen.add(path)
        src = store.get(path)
        if src is None:
            if via is not None:
                (missing if store.allowed(path) else outside).append(via)
            continue
        for module in cache.modules(path, src, args_key, module_arguments):
            modules.append(module)
            for imp in module.imports:
                if imp.kind == "file" and imp.path is not None:
                    queue.append((imp.path, imp))
                elif imp.kind in ("external", "unknown"):
                    external.append(imp)
    graph = OptionGraph(name, modules, cache.evaluator)
    return Host(name, roots[0], graph, modules, missing, outside, external)
