"""Which settings would lower a service's exposure most, as Nix to paste into
``serviceConfig``."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache

from nixlint.systemd.assess import exposure as quick_exposure
from nixlint.systemd.choices import ABSENT
from nixlint.systemd.compose import replaced, unpatched
from nixlint.systemd.ranges import exposure_of, freeze, scored_name, thaw
from nixlint.systemd.render import Setting

#: Settings to try, with the value to suggest (most need checking that the service still
#: works: the message says what they do, the documentation what to watch for).
CANDIDATES: tuple[tuple[str, Setting], ...] = (
    ("DynamicUser", True),
    ("PrivateNetwork", True),
    ("ProtectSystem", "strict"),
    ("ProtectHome", True),
    ("PrivateTmp", True),
    ("PrivateDevices", True),
    ("PrivateUsers", True),
    ("PrivateMounts", True),
    ("NoNewPrivileges", True),
    ("CapabilityBoundingSet", ""),
    ("SystemCallFilter", ["@system-service", "~@privileged", "~@resources"]),
    ("SystemCallArchitectures", "native"),
    ("RestrictAddressFamilies", ["AF_UNIX", "AF_INET", "AF_INET6"]),
    ("RestrictNamespaces", True),
    ("IPAddressDeny", "any"),
    ("DevicePolicy", "closed"),
    ("ProtectKernelTunables", True),
    ("ProtectKernelModules", True),
    ("ProtectKernelLogs", True),
    ("ProtectControlGroups", True),
    ("ProtectClock", True),
    ("ProtectProc", "invisible"),
    ("ProcSubset", "pid"),
    ("RestrictSUIDSGID", True),
    ("RestrictRealtime", True),
    ("LockPersonality", True),
    ("MemoryDenyWriteExecute", True),
    ("ProtectHostname", True),
    ("RemoveIPC", True),
    ("UMask", "0077"),
    ("KeyringMode", "private"),
    ("NotifyAccess", "main"),
    ("Delegate", False),
    ("AmbientCapabilities", []),
    ("SupplementaryGroups", []),
)
MAX_SUGGESTIONS = 5


@dataclass(frozen=True, slots=True)
class Suggestion:
    key: str
    value: Setting
    #: What applying it (after the suggestions before it) takes off the exposure, in tenths.
    saves: int
    #: The setting is already defined with ``mkForce`` (or a lower priority number).
    forced: bool = False

    @property
    def nix(self) -> str:
        value = nix_value(self.value)
        if self.forced:
            value = f"lib.mkForce {value}"
        return f"{self.key} = {value};"


def nix_value(value: Setting) -> str:
    if value is True:
        return "true"
    if value is False:
        return "false"
    if value is None:
        return "null"
    if isinstance(value, list):
        return "[ " + " ".join(nix_value(v) for v in value) + " ]" if value else "[ ]"
    if isinstance(value, str):
        return json.dumps(value).replace("${", "\\${")
    return str(value)


def suggest(
    name: str,
    service: Mapping[str, Setting],
    unit: Mapping[str, Setting],
    live: bool = False,
    limit: int = MAX_SUGGESTIONS,
    forced: frozenset[str] = frozenset(),
) -> list[Suggestion]:
    """Up to ``limit`` settings, each the one that lowers the exposure most given the ones
    before it; only settings that lower it at all (remembered, as scores are)."""
    return list(_suggest(scored_name(name), freeze(service), freeze(unit), live, limit, forced))


@lru_cache(maxsize=4096)
def _suggest(
    name: str,
    frozen_service: tuple[tuple[str, object], ...],
    frozen_unit: tuple[tuple[str, object], ...],
    live: bool,
    limit: int,
    forced: frozenset[str],
) -> tuple[Suggestion, ...]:
    unit = thaw(frozen_unit)
    current = thaw(frozen_service)
    exposure = exposure_of(name, current, unit, live)
    out: list[Suggestion] = []
    tried = [(k, v) for k, v in CANDIDATES if current.get(k) != v]
    while len(out) < limit and exposure > 0:
        best: tuple[int, str, Setting] | None = None
        base = unpatched(current, unit, name)
        for key, value in tried:
            after = quick_exposure(replaced(base, key, current.get(key, ABSENT), value, live=live))
            if after < exposure and (best is None or after < best[0]):
                best = (after, key, value)
        if best is None:
            break
        after, key, value = best
        out.append(Suggestion(key, value, exposure - after, key in forced))
        current[key] = value
        exposure = after
        tried = [(k, v) for k, v in tried if k != key]
    return tuple(out)
