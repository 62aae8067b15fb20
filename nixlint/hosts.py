"""Finding files, root modules and hosts, and evaluating a host's modules.

A *root* is a scanned file that no other scanned file refers to by path (``flake.nix``
aside: its references are not imports). A root plus every module it imports is one host,
merged as NixOS would merge it.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import cache

from nixlint.evaluate.evaluator import Evaluator
from nixlint.evaluate.values import ConfigRef, Lambda, Unknown, Value
from nixlint.graph import OptionGraph
from nixlint.modules import Import, Module, evaluate_module, module_args
from nixlint.parse import SourceFile, language, parse

#: Files larger than this are syntax-checked but not evaluated as modules.
MAX_MODULE_BYTES = 4 * 1024 * 1024

#: Directories never descended into.
SKIP_DIRS = frozenset(
    {".git", ".hg", ".svn", "node_modules", ".direnv", "result", ".venv", "__pycache__"}
)


def discover(paths: Iterable[str]) -> list[str]:
    """Every ``.nix`` file under ``paths`` (files given explicitly are kept whatever their
    name), as absolute paths, sorted, without duplicates."""
    found: set[str] = set()
    for given in paths:
        path = os.path.realpath(given)
        if os.path.isfile(path):
            found.add(path)
            continue
        for top, dirs, files in os.walk(path):
            dirs[:] = sorted(d for d in dirs if d not in SKIP_DIRS and not d.startswith("result-"))
            for name in files:
                if name.endswith(".nix"):
                    full = os.path.realpath(os.path.join(top, name))
                    if os.path.isfile(full):
                        found.add(full)
    return sorted(found)


class FileStore:
    """Parsed files by absolute path; reads only inside the allowed roots."""

    def __init__(self, roots: Iterable[str], overlays: dict[str, bytes] | None = None) -> None:
        self.roots = [os.path.realpath(r) for r in roots]
        self.overlays = {os.path.realpath(k): v for k, v in (overlays or {}).items()}
        self._files: dict[str, SourceFile | None] = {}

    def allowed(self, path: str) -> bool:
        for root in self.roots:
            if path == root or path.startswith(root.rstrip(os.sep) + os.sep):
                return True
        return False

    def get(self, path: str) -> SourceFile | None:
        path = os.path.realpath(path)  # as Nix does, so relative paths start from the target
        if path in self._files:
            return self._files[path]
        src: SourceFile | None = None
        if self.allowed(path):
            data = self.overlays.get(path)
            if data is None:
                try:
                    with open(path, "rb") as handle:
                        data = handle.read()
                except OSError:
                    data = None
            if data is not None:
                src = parse(data, path)
        self._files[path] = src
        return src

    def read_error(self, path: str) -> str | None:
        """Why a file cannot be read, or None."""
        try:
            with open(path, "rb"):
                return None
        except OSError as err:
            return err.strerror or str(err)


@cache
def _path_query() -> object:
    from tree_sitter import Query

    from nixlint.grammars import query_text

    return Query(language(), query_text("paths"))


def path_references(src: SourceFile) -> Iterator[str]:
    """Absolute paths of the files a source refers to with literal paths (``./x.nix``, ``./dir``)."""
    root = src.root
    if root is None:
        return
    from tree_sitter import QueryCursor

    cursor = QueryCursor(_path_query())  # type: ignore[arg-type]
    base = os.path.dirname(src.path)
    for node in cursor.captures(root).get("path", []):
        if node.named_child_count != 1:
            continue  # interpolated paths are not followed here
        text = src.text(node)
        if text.startswith("/"):
            target = os.path.normpath(text)
        elif text.startswith("."):
            target = os.path.normpath(os.path.join(base, text))
        else:
            continue
        if os.path.isdir(target):
            target = os.path.join(target, "default.nix")
        yield os.path.realpath(target)


def is_flake(path: str) -> bool:
    return os.path.basename(path) == "flake.nix"


def find_roots(files: list[str], store: FileStore) -> list[str]:
    """Files no other scanned file refers to; files only reachable through a cycle are
    roots too, so that every file belongs to some host."""
    scanned = set(files)
    edges: dict[str, set[str]] = {}
    referenced: set[str] = set()
    for path in files:
        src = store.get(path)
        if src is None or is_flake(path):
            continue
        targets = {t for t in path_references(src) if t in scanned and t != path}
        edges[path] = targets
        referenced |= targets
    roots = [f for f in files if f not in referenced and not is_flake(f)]
    reached: set[str] = set()
    stack = list(roots)
    while stack:
        cur = stack.pop()
        if cur in reached:
            continue
        reached.add(cur)
        stack.extend(edges.get(cur, ()))
    for path in files:
        if path not in reached and not is_flake(path):
            roots.append(path)
            stack = [path]
            while stack:
                cur = stack.pop()
                if cur not in reached:
                    reached.add(cur)
                    stack.extend(edges.get(cur, ()))
    return sorted(roots)


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


def build_host(
    name: str, roots: list[str], store: FileStore, args: dict[str, Value] | None = None
) -> Host:
    """Evaluate ``roots`` and their import closure for one host and merge them."""
    holder: list[OptionGraph] = []

    def resolve(ref: ConfigRef) -> Value:
        return holder[0].resolve_config(ref) if holder else ref

    ev = Evaluator(loader=store.get, resolve_config=resolve)
    module_arguments = module_args(args)
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
        module = Module(id=path, src=src)
        if len(src.data) > MAX_MODULE_BYTES:
            module.problem = Unknown("file too large to evaluate")
        else:
            evaluate_module(ev, module, ev.eval_file(src), module_arguments, src.span_of(0, 0))
        pending = [module]
        while pending:
            current = pending.pop(0)
            modules.append(current)
            for index, imp in enumerate(current.imports):
                if imp.kind == "file" and imp.path is not None:
                    queue.append((imp.path, imp))
                elif imp.kind == "inline":
                    origin = imp.value.src if isinstance(imp.value, Lambda) else current.src
                    inline = Module(id=f"{current.id}#{index}", src=origin)
                    evaluate_module(ev, inline, imp.value, module_arguments, imp.span)
                    pending.append(inline)
                elif imp.kind in ("external", "unknown"):
                    external.append(imp)
    graph = OptionGraph(name, modules, ev)
    holder.append(graph)
    graph.ready = True
    return Host(name, roots[0], graph, modules, missing, outside, external)
