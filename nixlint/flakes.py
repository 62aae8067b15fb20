"""Flakes: the hosts a ``flake.nix`` defines.

``outputs`` is applied to opaque inputs in which every input's ``lib`` is nixlint's ``lib``
plus ``nixosSystem``/``darwinSystem`` (recording their arguments instead of building a
system) and flake-parts' ``mkFlake`` (whose modules are merged like NixOS modules). Hosts
built by helper functions, ``genAttrs``, ``mapAttrs`` or ``listToAttrs`` over names the
evaluator can know are found; the others are reported as unresolved, with the reason.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from nixlint.evaluate.context import Context, active
from nixlint.evaluate.library import LIB
from nixlint.evaluate.values import (
    Attr,
    AttrSet,
    Builtin,
    ConfigRef,
    Lambda,
    List,
    Opaque,
    Path,
    Thunk,
    Unknown,
    Value,
)
from nixlint.modules import Import, Module, classify_import, evaluate_module

if TYPE_CHECKING:
    from nixlint.evaluate.evaluator import Evaluator
    from nixlint.parse import SourceFile
    from nixlint.span import Span

#: Output attributes that hold hosts, and the kind of system they build.
HOST_OUTPUTS = (("nixosConfigurations", "nixos"), ("darwinConfigurations", "darwin"))


class SystemCall(Opaque):
    """The value of ``nixosSystem { … }``: opaque to the evaluator, a host to nixlint."""

    __slots__ = ("args", "kind")

    def __init__(self, kind: str, args: Thunk, span: Span | None) -> None:
        super().__init__(f"{kind}System {{ … }}", span)
        self.kind = kind
        self.args = args


class FlakeInput(Opaque):
    """A flake input (``nixpkgs``, ``home-manager``…): opaque, except its ``lib``."""

    __slots__ = ()

    def select(self, name: str, span: Span | None = None) -> Value:  # type: ignore[override]
        if name == "lib" and "." not in self.label:
            return FLAKE_LIB
        return Opaque(f"{self.label}.{name}", span or self.span)


class FlakeInputs(Opaque):
    """The argument of ``outputs``: every name is an input, ``self`` is the outputs."""

    __slots__ = ("outputs",)

    def __init__(self, outputs: Thunk) -> None:
        super().__init__("inputs")
        self.outputs = outputs

    def select(self, name: str, span: Span | None = None) -> Value:  # type: ignore[override]
        if name == "self":
            return self.outputs.force()
        return FlakeInput(name, span)


def _system(kind: str) -> Builtin:
    def call(ev: Evaluator, args: Thunk) -> Value:
        return SystemCall(kind, args, args.span)

    return Builtin(f"{kind}System", 1, call)


def _extend(ev: Evaluator, f: Thunk) -> Value:
    return FLAKE_LIB  # the extension's own names stay unknown: the set is partial


def _mk_flake(ev: Evaluator, args: Thunk, module: Thunk) -> Value:
    return _flake_parts_outputs(ev, args, module)


FLAKE_LIB = AttrSet(dict(LIB.attrs), partial="lib")
FLAKE_LIB.attrs.update(
    {
        "nixosSystem": Attr(Thunk.of(_system("nixos"))),
        "darwinSystem": Attr(Thunk.of(_system("darwin"))),
        "extend": Attr(Thunk.of(Builtin("extend", 1, _extend))),
        "mkFlake": Attr(Thunk.of(Builtin("mkFlake", 2, _mk_flake))),
    }
)


def _flake_parts_outputs(ev: Evaluator, args: Thunk, module: Thunk) -> Value:
    """flake-parts: merge the top module and its imports; ``flake.*`` are the outputs."""
    from nixlint.graph import OptionGraph

    given = args.force()
    inputs: Value = Opaque("inputs")
    if isinstance(given, AttrSet) and "inputs" in given.attrs:
        inputs = given.attrs["inputs"].thunk.force()
    self_value = inputs.select("self") if isinstance(inputs, FlakeInputs) else Opaque("self")
    module_args = AttrSet(
        {
            "inputs": Attr(Thunk.of(inputs)),
            "self": Attr(Thunk.of(self_value)),
            "lib": Attr(Thunk.of(FLAKE_LIB)),
            "config": Attr(Thunk.of(ConfigRef(()))),
            "withSystem": Attr(Thunk.of(Opaque("withSystem"))),
            "flake-parts-lib": Attr(Thunk.of(Opaque("flake-parts-lib"))),
        },
        partial="flake-parts module arguments",
    )
    modules: list[Module] = []
    seen: set[str] = set()
    pending: list[tuple[Value, SourceFile | None, Span | None]] = [
        (module.force(), None, module.span)
    ]
    while pending and len(modules) < 500:
        value, src, span = pending.pop(0)
        if isinstance(value, Path) and not value.external:
            path = (
                value.path
                if not os.path.isdir(value.path)
                else os.path.join(value.path, "default.nix")
            )
            if path in seen or ev.loader is None:
                continue
            seen.add(path)
            src = ev.loader(path)
            if src is None:
                continue
            value, span = ev.eval_file(src), src.span_of(0, 0)
        origin = value.src if isinstance(value, Lambda) else src or module.src
        if origin is None:
            continue
        current = Module(id=f"{origin.path}#flake-parts{len(modules)}", src=origin)
        evaluate_module(ev, current, value, module_args, span)
        modules.append(current)
        for imp in current.imports:
            if imp.kind == "file" and imp.path:
                pending.append((Path(imp.path), None, imp.span))
            elif imp.kind == "inline":
                pending.append((imp.value, current.src, imp.span))
    graph = OptionGraph("flake-parts", modules, ev)
    outputs: dict[str, Attr] = {}
    for attr, _kind in HOST_OUTPUTS:
        names = graph.children(("flake", attr))
        if names:
            entries = {
                name: Attr(Thunk.lazy(_resolved(graph, ("flake", attr, name))))
                for name in names
                if name != "*"
            }
            outputs[attr] = Attr(Thunk.of(AttrSet(entries)))
    return AttrSet(outputs, partial="flake-parts outputs")


def _resolved(graph: object, path: tuple[str, ...]):  # type: ignore[no-untyped-def]
    return lambda: graph.value(path)  # type: ignore[attr-defined]


@dataclass
class HostSpec:
    """One host a flake defines: its modules and the extra arguments they get."""

    name: str
    kind: str
    flake: str
    span: Span | None
    modules: list[Import] = field(default_factory=list)
    special_args: dict[str, Thunk] = field(default_factory=dict)


@dataclass
class FlakeHosts:
    path: str
    hosts: list[HostSpec] = field(default_factory=list)
    #: what could not be resolved, e.g. ``nixosConfigurations: computed by readDir``
    unresolved: list[str] = field(default_factory=list)


def flake_hosts(src: SourceFile, ev: Evaluator) -> FlakeHosts:
    """The hosts ``src`` (a flake.nix) defines."""
    found = FlakeHosts(src.path)
    with active(Context()):
        top = ev.eval_file(src)
        if not isinstance(top, AttrSet) or "outputs" not in top.attrs:
            found.unresolved.append("flake.nix is not a set with outputs")
            return found
        outputs_fn = top.attrs["outputs"].thunk

        def outputs() -> Value:
            return ev.apply(outputs_fn.force(), Thunk.of(inputs), outputs_fn.span)

        result = Thunk.lazy(outputs)
        inputs = FlakeInputs(result)
        value = result.force()
        if not isinstance(value, AttrSet):
            reason = value.reason if isinstance(value, Unknown) else "not a set"
            found.unresolved.append(f"outputs: {reason}")
            return found
        for attr, kind in HOST_OUTPUTS:
            entry = value.attrs.get(attr)
            if entry is None:
                if value.partial is not None and value.partial != "flake-parts outputs":
                    found.unresolved.append(f"{attr}: outputs are not fully known")
                continue
            _collect(found, attr, kind, entry.thunk, ev)
    return found


def _collect(found: FlakeHosts, attr: str, kind: str, thunk: Thunk, ev: Evaluator) -> None:
    confs = thunk.force()
    if not isinstance(confs, AttrSet):
        reason = confs.reason if isinstance(confs, Unknown) else "not a set"
        found.unresolved.append(f"{attr}: {reason}")
        return
    for key, _attr in confs.dynamic:
        found.unresolved.append(f"{attr}: a host whose name is not known ({key.reason})")
    if confs.partial is not None:
        found.unresolved.append(f"{attr}: not every name is known")
    for name, entry in confs.items():
        value = entry.thunk.force()
        if not isinstance(value, SystemCall):
            reason = value.reason if isinstance(value, Unknown) else f"a {type(value).__name__}"
            found.unresolved.append(f"{attr}.{name}: {reason}")
            continue
        found.hosts.append(_spec(name, value, found.path, entry.span or value.span))


def _spec(name: str, call: SystemCall, flake: str, span: Span | None) -> HostSpec:
    spec = HostSpec(name, call.kind, flake, span)
    args = call.args.force()
    if not isinstance(args, AttrSet):
        spec.modules.append(
            Import("unknown", span, label="the arguments of nixosSystem are not known")
        )
        return spec
    modules = args.get("modules")
    if modules is not None:
        listed = modules.force()
        if isinstance(listed, List):
            for item in listed.items:
                spec.modules.append(classify_import(item.force(), item.span or span))
        else:
            reason = listed.reason if isinstance(listed, Unknown) else "not a list"
            spec.modules.append(Import("unknown", modules.span or span, label=f"modules: {reason}"))
    special = args.get("specialArgs")
    if special is not None:
        extra = special.force()
        if isinstance(extra, AttrSet):
            spec.special_args = {k: a.thunk for k, a in extra.attrs.items()}
    return spec
