"""Hosts: a root module plus every module it imports, evaluated and merged as NixOS
would merge them into one option graph."""

from __future__ import annotations

import os
from dataclasses import dataclass, field

from nixlint.evaluate.evaluator import Evaluator
from nixlint.evaluate.values import ConfigRef, Lambda, Unknown, Value
from nixlint.graph import OptionGraph
from nixlint.modules import Import, Module, evaluate_module, module_args
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
