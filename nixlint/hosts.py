"""Hosts: a root module plus every module it imports, evaluated and merged as NixOS
would merge them into one option graph."""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field

from nixlint.evaluate.context import Context, active
from nixlint.evaluate.evaluator import Evaluator
from nixlint.evaluate.values import AttrSet, Lambda, Opaque, Thunk, Unknown, Value
from nixlint.graph import OptionGraph
from nixlint.logs import LazyLogger
from nixlint.modules import Import, Module, evaluate_module, module_args
from nixlint.parse import SourceFile
from nixlint.patch import patch_module
from nixlint.span import Span
from nixlint.workspace import FileStore

log = LazyLogger("nixlint")

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
        return sorted({m.path for m in self.modules if m.problem is None})

    @property
    def is_configuration(self) -> bool:
        """False when no file of it is a module (a package expression, a library)."""
        return any(m.problem is None for m in self.modules)


class ModuleCache:
    """Modules taken apart once and shared by every host that imports them.

    A module's skeleton (its definitions, declarations and imports) cannot depend on the
    host — NixOS forbids it — so it is built once per file and set of module arguments.
    Values that read ``config`` are computed per host when asked (see
    :mod:`nixlint.evaluate.context`).
    """

    def __init__(self, store: FileStore) -> None:
        self.store = store
        self.evaluator = Evaluator(loader=store.get, files=store)
        self._modules: dict[tuple[str, object], list[Module]] = {}
        self._args: dict[object, AttrSet] = {}
        #: fingerprints of what each module read, checked before reuse in a later analysis
        self._inputs: dict[tuple[str, object], dict[str, str]] = {}
        #: modules of the previous analysis whose file was edited (see :mod:`nixlint.patch`)
        self._previous: dict[tuple[str, object], list[Module]] = {}

    @classmethod
    def for_store(cls, store: FileStore) -> ModuleCache:
        """The session's module cache, moved onto ``store`` (or a new one): modules whose
        inputs did not change are reused, the others taken apart again."""
        session = store.session
        cache = session.modules if session is not None else None
        if not isinstance(cache, cls):
            cache = cls(store)
            if session is not None:
                session.modules = cache
            return cache
        cache.store = store
        cache.evaluator.loader = store.get
        cache.evaluator.files = store
        cache._previous = {}
        for key, inputs in list(cache._inputs.items()):
            edited = [path for path, print_ in inputs.items() if store.fingerprint(path) != print_]
            if not edited:
                continue
            old = cache._modules.pop(key, None)
            del cache._inputs[key]
            if old is not None and edited == [key[0]]:
                cache._previous[key] = old  # only its own text changed: maybe a patch will do
        return cache

    def arguments(self, extra: dict[str, Value | Thunk] | None = None) -> tuple[object, AttrSet]:
        """The module arguments for ``extra`` (a flake's ``specialArgs``), and their key: a
        description of each extra argument, so that hosts given equal arguments share."""
        key = _args_key(extra)
        args = self._args.get(key)
        if args is None:
            args = self._args[key] = module_args(extra)
        return key, args

    def modules(self, path: str, src: SourceFile, args_key: object, args: AttrSet) -> list[Module]:
        """The module of a file and the inline modules it imports, taken apart. Hosts whose
        extra arguments differ only in ones the module does not take share it."""
        if len(src.data) > MAX_MODULE_BYTES:
            module = Module(id=path, src=src, problem=Unknown("file too large to evaluate"))
            return [module]
        with active(Context()):
            value = self.evaluator.eval_file(src)
        key = (path, _used_args(value, args_key))
        found = self._modules.get(key)
        if found is None:
            earlier = self._previous.pop(key, None)
            if earlier is not None:
                try:
                    found = patch_module(earlier, src, self.store)
                except Exception:  # a patch is an optimisation: take the module apart instead
                    log.exception("patching %s failed; taking it apart again", path)
            if found is None:
                found = self._take_apart(Module(id=path, src=src), value, args, src.span_of(0, 0))
            self._modules[key] = found
            if self.store.session is not None:
                read = {path}.union(*(m.deps for m in found))
                self._inputs[key] = {p: self.store.fingerprint(p) for p in read}
        return found

    def forget(self, path: str) -> None:
        """Let the modules of a file go (no host left to build uses them)."""
        for key in [k for k in self._modules if k[0] == path]:
            del self._modules[key]
        self.evaluator.forget(path)

    def _take_apart(
        self, module: Module, value: Value | None, args: AttrSet, span: Span | None
    ) -> list[Module]:
        """Evaluate a module (its file's value when ``value`` is None) and take it apart,
        with its inline imports, outside any host."""
        ev = self.evaluator
        found: list[Module] = []
        start = time.perf_counter()
        with active(Context()), self.store.recording() as seen:
            ev.steps = 0
            if value is None:
                value = ev.eval_file(module.src)
            evaluate_module(ev, module, value, args, span)
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
        module.deps = seen
        module.seconds = time.perf_counter() - start
        return found

    def inline(self, imp: Import, module_id: str, args_key: object, args: AttrSet) -> list[Module]:
        """A module given as a value (in a flake's module list) and its inline imports."""
        value = imp.value
        src = value.src if isinstance(value, Lambda) else None
        if src is None and imp.span is not None:
            src = self.store.get(imp.span.path)
        if src is None:
            return []
        key = (module_id, id(value), args_key)
        found = self._modules.get(key)
        if found is None:
            found = self._take_apart(Module(id=module_id, src=src), value, args, imp.span)
            self._modules[key] = found
        return found


def _args_key(extra: dict[str, Value | Thunk] | None) -> object:
    if not extra:
        return ()
    return tuple(sorted((name, _describe(value)) for name, value in extra.items()))


def _used_args(value: Value, args_key: object) -> object:
    """The part of ``args_key`` a module can see: the arguments it names, unless it binds
    them all (``args@{ … }``)."""
    if not isinstance(value, Lambda):
        return ()
    formals = value.formals()
    if formals is None or value.node.child_by_field_name("universal") is not None:
        return args_key
    names = {name for name, _ in formals}
    assert isinstance(args_key, tuple)
    return tuple(item for item in args_key if item[0] in names)


def _describe(value: Value | Thunk) -> object:
    if isinstance(value, Thunk):
        value = value.force()
    if value is None or isinstance(value, (bool, int, float, str)):
        return (type(value).__name__, value)
    if isinstance(value, Opaque):
        return ("opaque", value.label)
    return ("object", id(value))


def build_host(
    name: str,
    roots: list[str | Import],
    store: FileStore,
    args: dict[str, Value | Thunk] | None = None,
    cache: ModuleCache | None = None,
    origin: str | None = None,
) -> Host:
    """Take ``roots`` (files, or a flake's module list) and their import closure for one
    host and merge them."""
    cache = cache or ModuleCache(store)
    args_key, module_arguments = cache.arguments(args)
    modules: list[Module] = []
    missing: list[Import] = []
    outside: list[Import] = []
    external: list[Import] = []
    seen: set[str] = set()
    queue: list[tuple[str, Import | None]] = []
    for index, root in enumerate(roots):
        if isinstance(root, str):
            queue.append((root, None))
        elif root.kind == "file" and root.path is not None:
            queue.append((root.path, root))
        elif root.kind == "inline":
            modules.extend(
                cache.inline(root, f"{origin or name}#{index}", args_key, module_arguments)
            )
        else:
            external.append(root)
    for module in list(modules):
        _follow(module, queue, external)
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
            _follow(module, queue, external)
    graph = OptionGraph(name, modules, cache.evaluator)
    first = roots[0] if roots else origin or name
    root = first if isinstance(first, str) else origin or (first.path or name)
    return Host(name, root, graph, modules, missing, outside, external)


def _follow(module: Module, queue: list[tuple[str, Import | None]], external: list[Import]) -> None:
    for imp in module.imports:
        if imp.kind == "file" and imp.path is not None:
            queue.append((imp.path, imp))
        elif imp.kind in ("external", "unknown"):
            external.append(imp)
