"""What systemd makes of a service unit's settings, for the security assessment.

:func:`load` reads ``Key=value`` lines the way systemd 252 parses them — line by line, an
empty assignment resets a list, ``~`` turns an allow list into a deny list, later lines merge
with earlier ones — and then applies what loading the unit implies (``DynamicUser=`` turns on
``ProtectSystem=strict`` and more, ``PrivateDevices=`` and ``ProtectClock=`` drop
capabilities and add device rules, …). The result is the state the assessors read.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import lru_cache

from nixlint.systemd.table import (
    ADDRESS_FAMILIES,
    ALL_CAPS,
    ARCHITECTURES,
    CAP_BIT,
    NAMESPACES,
    syscall_names,
)

#: Settings (booleans) that a check reads as they are.
BOOLEANS = (
    "PrivateDevices",
    "PrivateMounts",
    "PrivateNetwork",
    "PrivateTmp",
    "PrivateUsers",
    "ProtectControlGroups",
    "ProtectKernelModules",
    "ProtectKernelTunables",
    "ProtectKernelLogs",
    "ProtectClock",
    "ProtectHostname",
    "LockPersonality",
    "MemoryDenyWriteExecute",
    "NoNewPrivileges",
    "RestrictRealtime",
    "RestrictSUIDSGID",
    "RemoveIPC",
    "DynamicUser",
)
_TRUE = frozenset({"1", "yes", "y", "true", "t", "on"})
_FALSE = frozenset({"0", "no", "n", "false", "f", "off"})
_INITIAL = -1  # RestrictNamespaces= never set
_NS_ALL = (1 << len(NAMESPACES)) - 1
_DEVICE = re.compile(r"^(/dev/\S+|char-\S+|block-\S+)$")


#: Reads one ``Key=value`` line into the state.
Handler = Callable[["ExecState", str], None]


def parse_boolean(text: str) -> bool | None:
    lowered = text.strip().lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    return None


@dataclass
class ExecState:
    """The settings of one service as the assessors see them."""

    name: str = "unit"
    default_dependencies: bool = True
    user: str | None = None
    flags: dict[str, bool] = field(default_factory=dict)
    supplementary_groups: list[str] = field(default_factory=list)
    protect_home: str = "no"
    protect_system: str = "no"
    root_directory: str = ""
    root_image: str = ""
    capability_bounding_set: int = ALL_CAPS
    ambient_capabilities: int = 0
    umask: int = 0o022
    keyring_mode: str = "private"
    protect_proc: str = "default"
    proc_subset: str = "all"
    notify_access: str = "none"
    delegate: bool = False
    restrict_namespaces: int = _INITIAL
    address_families: set[str] | None = None
    address_families_allow_list: bool = False
    syscall_archs: set[str] = field(default_factory=set)
    syscall_filter: set[str] | frozenset[str] | None = None
    syscall_allow_list: bool = False
    ip_deny: set[tuple[int, int]] = field(default_factory=set)
    ip_allow: set[ipaddress.IPv4Network | ipaddress.IPv6Network] = field(default_factory=set)
    ip_filters: dict[str, bool] = field(default_factory=dict)
    device_policy: str = "auto"
    device_allow: list[str] = field(default_factory=list)

    def flag(self, name: str) -> bool:
        return self.flags.get(name, False)

    @property
    def namespaces_allowed(self) -> int:
        """Bit i set: namespace ``NAMESPACES[i]`` may be created."""
        return _NS_ALL if self.restrict_namespaces == _INITIAL else self.restrict_namespaces

    @property
    def runs_privileged(self) -> bool:
        if self.user in ("0", "root"):
            return True
        if self.flag("DynamicUser"):
            return False
        return not self.user


def load(
    lines: Iterable[tuple[str, str, str]], name: str = "unit", *, live: bool = False
) -> ExecState:
    """The state of a unit from its ``(section, key, value)`` lines, in file order.

    With ``live``, also what ``systemd-analyze security`` infers for a running unit (read
    over D-Bus) but not for a unit file (``--offline=yes``): ``PrivateMounts=`` implied by the
    settings that need a mount namespace.
    """
    return finish(read(lines, name), live=live)


def finish(state: ExecState, *, live: bool = False) -> ExecState:
    """``state`` with what loading the unit implies (and, with ``live``, what a running
    unit implies), changed in place."""
    _patch(state)
    if live:
        _imply_private_mounts(state)
    return state


def read(lines: Iterable[tuple[str, str, str]], name: str = "unit") -> ExecState:
    """The state the lines set, before what loading the unit implies (:func:`load` adds
    that). Each setting reads and writes only fields of its own."""
    state = ExecState(name=name)
    filters: list[str] = []
    for section, key, value in lines:
        if section == "Unit":
            handler = _UNIT.get(key)
        elif key == "SystemCallFilter":
            filters.append(value)  # it sets only its own fields: read below, in one go
            continue
        else:
            handler = _SERVICE.get(key)
        if handler is not None:
            handler(state, value)
    if filters:
        state.syscall_filter, state.syscall_allow_list = _syscall_filters(tuple(filters))
    return state


# -- [Unit] ----------------------------------------------------------------------------------


def _default_dependencies(state: ExecState, value: str) -> None:
    parsed = parse_boolean(value)
    if parsed is not None:
        state.default_dependencies = parsed


# -- [Service] -------------------------------------------------------------------------------


def _boolean(key: str) -> Handler:
    def handle(state: ExecState, value: str) -> None:
        parsed = parse_boolean(value)
        if parsed is not None:
            state.flags[key] = parsed

    return handle


def _user(state: ExecState, value: str) -> None:
    state.user = value.strip() or None


def _groups(state: ExecState, value: str) -> None:
    if not value.strip():
        state.supplementary_groups = []
    else:
        state.supplementary_groups.extend(value.split())


def _choice(attr: str, choices: dict[str, str]) -> Handler:
    def handle(state: ExecState, value: str) -> None:
        found = choices.get(value.strip())
        if found is not None:
            setattr(state, attr, found)

    return handle


def _protect(attr: str, others: tuple[str, ...]) -> Handler:
    def handle(state: ExecState, value: str) -> None:
        text = value.strip()
        parsed = parse_boolean(text)
        if parsed is not None:
            setattr(state, attr, "yes" if parsed else "no")
        elif text in others:
            setattr(state, attr, text)
        elif not text:
            setattr(state, attr, "no")

    return handle


def _path(attr: str) -> Handler:
    def handle(state: ExecState, value: str) -> None:
        setattr(state, attr, value.strip())

    return handle


def _caps(text: str) -> int:
    total = 0
    for word in text.split():
        upper = word.upper()
        if upper in CAP_BIT:
            total |= 1 << CAP_BIT[upper]
        elif word.isdigit() and int(word) < 64:
            total |= 1 << int(word)
    return total


def _capability_set(attr: str, initial: int) -> Handler:
    def handle(state: ExecState, value: str) -> None:
        text = value.strip()
        invert = text.startswith("~")
        if invert:
            text = text[1:]
        total = _caps(text)
        current = getattr(state, attr)
        if total == 0 or current == initial:
            setattr(state, attr, (ALL_CAPS & ~total) if invert else total)
        elif invert:
            setattr(state, attr, current & ~total)
        else:
            setattr(state, attr, current | total)

    return handle


def _umask(state: ExecState, value: str) -> None:
    text = value.strip()
    if text and all(c in "01234567" for c in text) and int(text, 8) <= 0o7777:
        state.umask = int(text, 8)


def _delegate(state: ExecState, value: str) -> None:
    parsed = parse_boolean(value)
    state.delegate = True if parsed is None else parsed


def _namespaces(state: ExecState, value: str) -> None:
    text = value.strip()
    if not text:
        state.restrict_namespaces = _INITIAL
        return
    parsed = parse_boolean(text)
    if parsed is not None:
        state.restrict_namespaces = 0 if parsed else _NS_ALL
        return
    invert = text.startswith("~")
    if invert:
        text = text[1:]
    flags = 0
    for word in text.split():
        if word not in NAMESPACES:
            return  # systemd ignores the whole line
        flags |= 1 << NAMESPACES.index(word)
    if invert:
        flags = _NS_ALL & ~flags
    if state.restrict_namespaces == _INITIAL:
        state.restrict_namespaces = flags
    elif invert:
        state.restrict_namespaces &= flags
    else:
        state.restrict_namespaces |= flags


def _address_families(state: ExecState, value: str) -> None:
    text = value.strip()
    if not text:
        state.address_families, state.address_families_allow_list = None, False
        return
    if text == "none":
        state.address_families, state.address_families_allow_list = None, True
        return
    invert = text.startswith("~")
    if invert:
        text = text[1:]
    if state.address_families is None:
        state.address_families = set()
        state.address_families_allow_list = not invert
    for word in text.split():
        family = ADDRESS_FAMILIES.get(word.upper())
        if family is None:
            continue
        if invert == state.address_families_allow_list:
            state.address_families.discard(family)
        else:
            state.address_families.add(family)


def _archs(state: ExecState, value: str) -> None:
    text = value.strip()
    if not text:
        state.syscall_archs = set()
        return
    state.syscall_archs |= {word for word in text.split() if word in ARCHITECTURES}


@lru_cache(maxsize=256)
def _syscall_filters(values: tuple[str, ...]) -> tuple[frozenset[str] | None, bool]:
    """``SystemCallFilter=`` lines read in order: (the system calls, whether they are an
    allow list), remembered (a filter is a set of hundreds of names)."""
    state = ExecState()
    for value in values:
        _syscall_filter(state, value)
    listed = state.syscall_filter
    return (None if listed is None else frozenset(listed)), state.syscall_allow_list


def _syscall_filter(state: ExecState, value: str) -> None:
    text = value.strip()
    if not text:
        state.syscall_filter, state.syscall_allow_list = None, False
        return
    invert = text.startswith("~")
    if invert:
        text = text[1:]
    if state.syscall_filter is None:
        state.syscall_filter = set()
        state.syscall_allow_list = not invert
        if not invert:
            state.syscall_filter |= syscall_names("@default")
    put = invert != state.syscall_allow_list
    for word in text.split():
        names = syscall_names(word.split(":", 1)[0])
        if put:
            state.syscall_filter |= names
        else:
            state.syscall_filter -= names


_IP_WORDS = {
    "any": ("0.0.0.0/0", "::/0"),
    "localhost": ("127.0.0.0/8", "::1/128"),
    "link-local": ("169.254.0.0/16", "fe80::/64"),
    "multicast": ("224.0.0.0/4", "ff00::/8"),
}


@lru_cache(maxsize=1024)
def _networks(text: str) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    out: list[ipaddress.IPv4Network | ipaddress.IPv6Network] = []
    for word in text.split():
        for item in _IP_WORDS.get(word, (word,)):
            try:
                out.append(ipaddress.ip_network(item, strict=False))
            except ValueError:
                continue
    return tuple(out)


def _ip_deny(state: ExecState, value: str) -> None:
    if not value.strip():
        state.ip_deny = set()
        return
    state.ip_deny |= {(net.version, net.prefixlen) for net in _networks(value)}


def _ip_allow(state: ExecState, value: str) -> None:
    if not value.strip():
        state.ip_allow = set()
        return
    state.ip_allow |= set(_networks(value))


def _ip_filter(direction: str) -> Handler:
    def handle(state: ExecState, value: str) -> None:
        state.ip_filters[direction] = bool(value.strip())

    return handle


def _device_allow(state: ExecState, value: str) -> None:
    text = value.strip()
    if not text:
        state.device_allow = []
        return
    path = text.split()[0]
    if _DEVICE.match(path):
        state.device_allow.append(text)


_UNIT: dict[str, Handler] = {"DefaultDependencies": _default_dependencies}
_SERVICE: dict[str, Handler] = {
    **{key: _boolean(key) for key in BOOLEANS},
    "User": _user,
    "SupplementaryGroups": _groups,
    "ProtectHome": _protect("protect_home", ("read-only", "tmpfs")),
    "ProtectSystem": _protect("protect_system", ("full", "strict")),
    "RootDirectory": _path("root_directory"),
    "RootImage": _path("root_image"),
    "CapabilityBoundingSet": _capability_set("capability_bounding_set", ALL_CAPS),
    "AmbientCapabilities": _capability_set("ambient_capabilities", 0),
    "UMask": _umask,
    "KeyringMode": _choice(
        "keyring_mode", {v: v for v in ("inherit", "private", "shared")} | {"": "private"}
    ),
    "ProtectProc": _choice(
        "protect_proc",
        {v: v for v in ("noaccess", "invisible", "ptraceable", "default")} | {"": "default"},
    ),
    "ProcSubset": _choice("proc_subset", {"all": "all", "pid": "pid", "": "all"}),
    "NotifyAccess": _choice(
        "notify_access", {v: v for v in ("none", "main", "exec", "all")} | {"": "none"}
    ),
    "Delegate": _delegate,
    "RestrictNamespaces": _namespaces,
    "RestrictAddressFamilies": _address_families,
    "SystemCallArchitectures": _archs,
    "SystemCallFilter": _syscall_filter,
    "IPAddressDeny": _ip_deny,
    "IPAddressAllow": _ip_allow,
    "IPIngressFilterPath": _ip_filter("ingress"),
    "IPEgressFilterPath": _ip_filter("egress"),
    "DevicePolicy": _choice(
        "device_policy", {v: v for v in ("auto", "closed", "strict")} | {"": "auto"}
    ),
    "DeviceAllow": _device_allow,
}

#: Every setting :func:`load` reads, by section.
SETTINGS = {"Unit": frozenset(_UNIT), "Service": frozenset(_SERVICE)}


def _drop(state: ExecState, *caps: str) -> None:
    for cap in caps:
        state.capability_bounding_set &= ~(1 << CAP_BIT[cap])


def _patch(state: ExecState) -> None:
    """What loading the unit implies (systemd's ``unit_patch_contexts``)."""
    if state.flag("DynamicUser"):
        if state.user is None:
            state.user = state.name
        for key in ("PrivateTmp", "RemoveIPC", "NoNewPrivileges", "RestrictSUIDSGID"):
            state.flags[key] = True
        state.protect_system = "strict"
        if state.protect_home == "no":
            state.protect_home = "read-only"
    if state.flag("PrivateDevices"):
        _drop(state, "CAP_MKNOD", "CAP_SYS_RAWIO")
        if state.device_policy == "auto":
            state.device_policy = "closed"
    if state.flag("ProtectKernelModules"):
        _drop(state, "CAP_SYS_MODULE")
    if state.flag("ProtectKernelLogs"):
        _drop(state, "CAP_SYSLOG")
    if state.flag("ProtectClock"):
        _drop(state, "CAP_SYS_TIME", "CAP_WAKE_ALARM")
    if state.root_image and (state.device_policy != "auto" or state.device_allow):
        state.device_allow += ["/dev/loop-control rw", "block-loop rwm", "block-blkext rwm"]
    if state.flag("ProtectClock"):
        state.device_allow.append("char-rtc r")


def _imply_private_mounts(state: ExecState) -> None:
    if (
        any(
            state.flag(key)
            for key in (
                "PrivateDevices",
                "PrivateTmp",
                "ProtectControlGroups",
                "ProtectKernelTunables",
                "ProtectKernelModules",
            )
        )
        or state.protect_home != "no"
        or state.protect_system != "no"
        or state.root_image
    ):
        state.flags["PrivateMounts"] = True
