"""``systemd.services.<name>`` in a host's option graph: which services the scanned files
define, and what their unit settings may be.

Values are read through the option graph, so they merge as NixOS merges them (priorities,
``mkIf``, list concatenation across files). A setting whose definition sits under a
condition nixlint cannot decide may be absent or present; an Unknown value may be anything:
both become choices (:mod:`nixlint.systemd.ranges`).
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from nixlint import schema
from nixlint.evaluate.values import AttrSet, List, Path, Value
from nixlint.modules import DEFAULT_ORDER, DEFAULT_PRIORITY
from nixlint.systemd.choices import ABSENT, ANY, Alternative, Choice

if TYPE_CHECKING:
    from nixlint.graph import DefinitionState, Resolution
    from nixlint.modules import OptionPath
    from nixlint.rules.base import HostContext
    from nixlint.systemd.ranges import Inputs

#: What ``confinement.enable`` sets (``nixos/modules/security/systemd-confinement.nix``),
#: all with ``mkDefault`` but ``RootDirectory``; ``True`` stands for ``mode == "full-apivfs"``.
CONFINEMENT_DEFAULTS: dict[str, bool] = {
    "PrivateDevices": True,
    "PrivateTmp": True,
    "PrivateUsers": True,
    "ProtectControlGroups": True,
    "ProtectKernelModules": True,
    "ProtectKernelTunables": True,
}


def written_here(ctx: HostContext, path: OptionPath) -> bool:
    """True when the scanned modules define what the service runs: not only an addition to
    (``mkAfter``) or a replacement of (``mkForce``) the command of a service that NixOS or
    systemd defines."""
    if path[-1].startswith("systemd-"):
        return False  # units that systemd itself ships
    defines = False
    for option in (("script",), ("serviceConfig", "ExecStart")):
        for state in ctx.resolve((*path, *option)).candidates:
            d = state.definition
            if d.priority < DEFAULT_PRIORITY or d.order != DEFAULT_ORDER:
                return False
            defines = True
    return defines


def nixos_module_named(ctx: HostContext, name: str) -> str | None:
    """``services.clamav`` for ``clamav-freshclam`` when the host configures that NixOS
    module (and no scanned module declares it: then it is the user's own)."""
    head = name.split("-")[0]
    for prefix in (("services", name), ("services", head), ("programs", head)):
        if ctx.graph.exists(prefix) and not ctx.graph.declares_under(prefix):
            return schema.join(prefix)
    return None


def enabled(ctx: HostContext, path: OptionPath) -> bool:
    value, _, _ = ctx.effective((*path, "enable"))
    return value is not False


def read_inputs(ctx: HostContext, path: OptionPath) -> Inputs:
    """The settings of ``systemd.services.<name>`` that the assessment reads."""
    from nixlint.systemd.ranges import Inputs
    from nixlint.systemd.unit import SETTINGS

    inputs = Inputs(path[-1])
    for key in _defined(ctx, path, "serviceConfig", SETTINGS["Service"]):
        res = ctx.resolve((*path, "serviceConfig", key))
        choice = choice_of(res)
        if choice != (ABSENT,):
            inputs.service[key] = choice
        if any(c.definition.priority < DEFAULT_PRIORITY for c in res.candidates):
            inputs.forced.add(key)
    for key in _defined(ctx, path, "unitConfig", SETTINGS["Unit"]):
        choice = choice_of(ctx.resolve((*path, "unitConfig", key)))
        if choice != (ABSENT,):
            inputs.unit[key] = choice
    _confine(ctx, path, inputs)
    return inputs


def _defined(ctx: HostContext, path: OptionPath, section: str, keys: frozenset[str]) -> list[str]:
    """The keys of ``keys`` some definition may set under ``<path>.<section>``: those written
    there or for every service (``systemd.services.${name}``), or all of them when a value
    nixlint cannot take apart (an Unknown set) encloses them."""
    wild = ("systemd", "services", "*")
    for enclosing in (path[:1], path[:2], path, (*path, section), wild, (*wild, section)):
        if any(d.kind == "opaque" for d in ctx.graph.definitions(enclosing)):
            return sorted(keys)
    found = set(ctx.children((*path, section)))
    found |= set(ctx.children(("systemd", "services", "*", section)))
    return sorted(found & keys)


def _confine(ctx: HostContext, path: OptionPath, inputs: Inputs) -> None:
    enable = choice_of(ctx.resolve((*path, "confinement", "enable")))
    if True not in enable and ANY not in enable:
        return
    maybe = enable != (True,)
    if maybe:
        inputs.options.add("confinement.enable")
    mode = choice_of(ctx.resolve((*path, "confinement", "mode")))
    if len(mode) > 1 or ANY in mode:
        inputs.options.add("confinement.mode")
    full = {True, False} if ANY in mode else {a != "chroot-only" for a in mode}
    defaults: dict[str, Choice] = {k: tuple(sorted(full)) for k in CONFINEMENT_DEFAULTS}
    defaults["PrivateMounts"] = (True,)
    defaults["RootDirectory"] = (f"/run/confinement/{path[-1]}",)
    for key, values in defaults.items():
        current = inputs.service.get(key, (ABSENT,))
        if ABSENT not in current:
            continue
        rest = tuple(a for a in current if a is not ABSENT)
        added = tuple(v for v in values if v not in rest)
        inputs.service[key] = rest + added + ((ABSENT,) if maybe else ())


def choice_of(res: Resolution) -> Choice:
    """The values a setting may take, from the definitions that make (or may make) it."""
    if not res.candidates:
        return (ABSENT,)
    certain = [c for c in res.candidates if not c.conditional]
    maybe = [c for c in res.candidates if c.conditional]
    combos = [certain] + [[*certain, m] for m in maybe]
    if len(maybe) > 1:
        combos.append(certain + maybe)
    out: list[Alternative] = []
    for combo in combos:
        alternative = _merge(combo)
        if alternative not in out:
            out.append(alternative)
    return tuple(out)


def _merge(states: list[DefinitionState]) -> Alternative:
    """The value definitions make together (``unitOption``: lists concatenate, a scalar
    among lists counts as a one-element list, scalars must agree)."""
    if not states:
        return ABSENT
    best = min(s.definition.priority for s in states)
    defs = sorted(
        (s.definition for s in states if s.definition.priority == best), key=lambda d: d.order
    )
    values = [_alternative(d.value.force()) for d in defs]
    if len(values) == 1:
        return values[0]
    if any(isinstance(v, list) for v in values):
        items: list[object] = []
        for v in values:
            items.extend(v if isinstance(v, list) else [v])
        return items  # type: ignore[return-value]
    if any(v is ANY for v in values) or any(v != values[0] for v in values):
        return ANY
    return values[0]


def _alternative(value: Value) -> Alternative:
    if isinstance(value, List):
        return [_scalar(item.force()) for item in value.items]  # type: ignore[misc]
    return _scalar(value)


def _scalar(value: Value) -> Alternative:
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, Path):
        return value.path if value.external else f"/nix/store/{os.path.basename(value.path)}"
    if isinstance(value, AttrSet) and "outPath" in value:
        return "/nix/store/package"
    return ANY  # an Unknown, or a value no setting takes
