"""Flakes: the hosts a ``flake.nix`` defines.

``outputs`` is applied to opaque inputs in which every input's ``lib`` is nixlint's ``lib``
plus ``nixosSystem``/``darwinSystem`` (recording their arguments instead of building a
system) and flake-parts' ``mkFlake`` (whose modules are merged like NixOS modules). Hosts
built by helper functions, ``genAttrs``, ``mapAttrs`` or ``listToAttrs`` over names the
evaluator can know are found; the others are reported as unresolved, with the reason.
"""

from __future__ import annotations

import os
from collections.abc import Callable
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
    from nixlint.graph import OptionGraph
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
        if name == "lib" and self.label == "haumea":
            from nixlint.haumea import HAUMEA_LIB

            return HAUMEA_LIB
        if name == "lib" and "." not in self.label:
            return FLAKE_LIB
        return Opaque(f"{self.label}.{name}", span or self.span)


class FlakeInputs(Opaque):
    """The argument of ``outputs``: every name is an input, ``self`` is the outputs."""

    __slots__ = ("directory", "outputs")

    def __init__(self, outputs: Thunk, directory: str) -> None:
        super().__init__("inputs")
        self.outputs = outputs
        self.directory = directory

    def select(self, name: str, span: Span | None = None) -> Value:  # type: ignore[override]
        if name == "self":
            return FlakeSelf(self)
        return FlakeInput(name, span)


class FlakeSelf(Opaque):
    """``self``: the flake's outputs, plus ``outputs``, ``inputs`` and ``outPath``."""

    __slots__ = ("inputs",)

    def __init__(self, inputs: FlakeInputs) -> None:
        super().__init__("self")
        self.inputs = inputs

    def select(self, name: str, span: Span | None = None) -> Value:  # type: ignore[override]
        if name == "inputs":
            return self.inputs
        if name == "outPath":
            return self.out_path()
        outputs = self.inputs.outputs.force()
        if name == "outputs":
            return outputs
        if isinstance(outputs, AttrSet):
            found = outputs.get(name)
            if found is not None:
                return found.force()
        if isinstance(outputs, Opaque):
            return outputs.select(name, span)
        return Opaque(f"self.{name}", span)

    def out_path(self) -> Value:
        """The flake's source: its store copy holds the files of the flake's directory."""
        return Path(self.inputs.directory)


def _system(kind: str) -> Builtin:
    def call(ev: Evaluator, args: Thunk) -> Value:
        return SystemCall(kind, args, args.span)

    return Builtin(f"{kind}System", 1, call)


def _extend(ev: Evaluator, f: Thunk) -> Value:
    return FLAKE_LIB  # the extension's own names stay unknown: the set is partial


def _mk_flake(ev: Evaluator, args: Thunk, module: Thunk) -> Value:
    return FlakePartsOutputs(ev, args, module)


FLAKE_LIB = AttrSet(dict(LIB.attrs), partial="lib")
FLAKE_LIB.attrs.update(
    {
        "nixosSystem": Attr(Thunk.of(_system("nixos"))),
        "darwinSystem": Attr(Thunk.of(_system("darwin"))),
        "extend": Attr(Thunk.of(Builtin("extend", 1, _extend))),
        "mkFlake": Attr(Thunk.of(Builtin("mkFlake", 2, _mk_flake))),
    }
)


class FlakePartsOutputs(Opaque):
    """flake-parts' ``mkFlake``: the outputs are the ``flake.*`` options of its modules,
    merged like NixOS modules. Built on first use, so that modules may refer to ``self``."""

    __slots__ = ("_args", "_building", "_ev", "_graph", "_module")

    def __init__(self, ev: Evaluator, args: Thunk, module: Thunk) -> None:
        super().__init__("flake-parts outputs")
        self._ev, self._args, self._module = ev, args, module
        self._graph: OptionGraph | None = None
        self._building = False

    def select(self, name: str, span: Span | None = None) -> Value:  # type: ignore[override]
        graph = self.graph()
        if graph is None:
            return Opaque(f"self.{name}", span)
        return _value_at(graph, ("flake", name))

    def names(self) -> list[str]:
        graph = self.graph()
        return graph.children(("flake",)) if graph is not None else []

    def graph(self) -> OptionGraph | None:
        if self._graph is None and not self._building:
            self._building = True
            try:
                self._graph = _flake_parts_graph(self._ev, self._args, self._module)
            finally:
                self._building = False
        return self._graph


def _with_system(ev: Evaluator, system: Thunk, fn: Thunk) -> Value:
    """flake-parts' ``withSystem system f``: ``f`` of that system's ``perSystem`` arguments."""
    args = AttrSet(
        {
            "system": Attr(system),
            "pkgs": Attr(Thunk.of(Opaque("pkgs"))),
            "inputs'": Attr(Thunk.of(Opaque("inputs'"))),
            "self'": Attr(Thunk.of(Opaque("self'"))),
            "config": Attr(Thunk.of(Opaque("perSystem config"))),
        },
        partial="perSystem arguments",
    )
    return ev.apply(fn.force(), Thunk.of(args))


def _value_at(graph: OptionGraph, path: tuple[str, ...]) -> Value:
    """An option's value, or for a set of options a set of their values (lazily)."""
    if any(d.kind != "namespace" for d in graph.definitions(path)):
        return graph.value(path)
    names = [n for n in graph.children(path) if n != "*"]
    if not names:
        return Unknown(f"{'.'.join(path)} is not defined")
    return AttrSet({n: Attr(Thunk.lazy(_value_later(graph, (*path, n)))) for n in names})


def _value_later(graph: OptionGraph, path: tuple[str, ...]) -> Callable[[], Value]:
    return lambda: _value_at(graph, path)


def _flake_parts_graph(ev: Evaluator, args: Thunk, module: Thunk) -> OptionGraph:
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
            "withSystem": Attr(Thunk.of(Builtin("withSystem", 2, _with_system))),
            "flake-parts-lib": Attr(Thunk.of(Opaque("flake-parts-lib"))),
        },
        partial="flake-parts module arguments",
    )
    modules: list[Module] = []
    seen: set[str] = set()
    pending: list[tuple[Value, SourceFile | None, Span | None]] = [
        (module.force(), module.src, module.span)
    ]
    while pending and len(modules) < 500:
        value, src, span = pending.pop(0)
        if isinstance(value, Path) and not value.external:
            path = value.path
            if os.path.isdir(path):
                path = os.path.join(path, "default.nix")
            if path in seen or ev.loader is None:
                continue
            seen.add(path)
            src = ev.loader(path)
            if src is None:
                continue
            value, span = ev.eval_file(src), src.span_of(0, 0)
        origin = value.src if isinstance(value, Lambda) else src
        if origin is None:
            continue
        current = Module(id=f"{origin.path}#flake-parts{len(modules)}", src=origin)
        # flake.<output>.<name> stays unevaluated: such values often refer to ``self``
        evaluate_module(ev, current, value, module_args, span, lazy_below=3)
        modules.append(current)
        for imp in current.imports:
            if imp.kind == "file" and imp.path:
                pending.append((Path(imp.path), None, imp.span))
            elif imp.kind == "inline":
                pending.append((imp.value, current.src, imp.span))
    return OptionGraph("flake-parts", modules, ev)


@dataclass
class HostSpec:
    """One host a flake defines: its modules and the extra arguments they get."""

    name: str
    kind: str
    flake: str
    span: Span | None
    modules: list[Import] = field(default_factory=list)
    special_args: dict[str, Thunk] = field(default_factory=dict)


def _select_later(outputs: FlakePartsOutputs, name: str) -> Callable[[], Value]:
    return lambda: outputs.select(name)


@dataclass
class FlakeHosts:
    path: str
    hosts: list[HostSpec] = field(default_factory=list)
    #: what could not be resolved, e.g. ``nixosConfigurations: computed by readDir``
    unresolved: list[str] = field(default_factory=list)
    #: the file is a function, not a flake: a NixOS module that happens to be named so
    is_module: bool = False


def flake_hosts(src: SourceFile, ev: Evaluator) -> FlakeHosts:
    """The hosts ``src`` (a flake.nix) defines."""
    found = FlakeHosts(src.path)
    with active(Context()):
        top = ev.eval_file(src)
        if isinstance(top, Lambda):
            found.is_module = True
            return found
        if not isinstance(top, AttrSet) or "outputs" not in top.attrs:
            found.unresolved.append("flake.nix is not a set with outputs")
            return found
        outputs_fn = top.attrs["outputs"].thunk

        def outputs() -> Value:
            return ev.apply(outputs_fn.force(), Thunk.of(inputs), outputs_fn.span)

        result = Thunk.lazy(outputs)
        inputs = FlakeInputs(result, os.path.dirname(src.path))
        value = result.force()
        if not isinstance(value, (AttrSet, FlakePartsOutputs)):
            reason = value.reason if isinstance(value, Unknown) else "not a set"
            found.unresolved.append(f"outputs: {reason}")
            return found
        for attr, kind in HOST_OUTPUTS:
            if isinstance(value, FlakePartsOutputs):
                if attr in value.names():
                    _collect(found, attr, kind, Thunk.lazy(_select_later(value, attr)), ev)
                continue
            entry = value.attrs.get(attr)
            if entry is not None:
                _collect(found, attr, kind, entry.thunk, ev)
        # outputs known in part: hosts may hide in what is not known, unless the flake
        # names its host outputs in the part that is
        if (
            isinstance(value, AttrSet)
            and value.partial is not None
            and not any(attr in value.attrs for attr, _kind in HOST_OUTPUTS)
        ):
            found.unresolved.append(f"outputs are not fully known: {value.partial}")
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
