"""The exposure score: each assessor's badness, weighted, as ``systemd-analyze security``
computes it (``assess()`` in ``src/analyze/analyze-security.c``, systemd 252)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING

from nixlint.systemd.table import NAMESPACES, Assessor, assessors, group_members, label
from nixlint.systemd.unit import ExecState

if TYPE_CHECKING:
    from ipaddress import IPv4Network, IPv6Network


@dataclass(frozen=True, slots=True)
class Check:
    """One assessor's verdict: badness from 0 to its range, or None when it does not apply."""

    assessor: Assessor
    badness: int | None

    def share(self, total: int) -> int:
        """The check's part of the exposure in tenths, as systemd prints it (``total``: the
        weight of the checks that apply)."""
        a = self.assessor
        if not self.badness:
            return 0
        return ceil_div(ceil_div(self.badness * a.weight * 100, a.range), total)

    @property
    def points(self) -> int:
        """What the check adds to the weighted badness sum."""
        a = self.assessor
        if self.badness is None:
            return 0
        return ceil_div(self.badness * a.weight, a.range)


@dataclass(frozen=True, slots=True)
class Score:
    """The result for one unit: the checks, and the exposure in tenths (0–100)."""

    checks: tuple[Check, ...]
    exposure: int

    @property
    def value(self) -> float:
        return self.exposure / 10

    @property
    def label(self) -> str:
        return label(self.exposure)

    @property
    def weight_sum(self) -> int:
        return weight_sum(self.checks)


def ceil_div(a: int, b: int) -> int:
    """``DIV_ROUND_UP``: integer division rounding up."""
    return -(-a // b)


def weight_sum(checks: tuple[Check, ...]) -> int:
    """The weights of the checks that apply."""
    return sum(c.assessor.weight for c in checks if c.badness is not None)


def exposure_of(checks: tuple[Check, ...]) -> int:
    return ceil_div(sum(c.points for c in checks) * 100, weight_sum(checks))


def score(state: ExecState) -> Score:
    checks = tuple(Check(a, _badness(a, state)) for a in assessors())
    return Score(checks, exposure_of(checks))


def exposure(state: ExecState) -> int:
    """``score(state).exposure``, without making the checks (ranges and suggestions score
    many combinations and keep only the exposure of most). Checks of one kind that read
    the same part of the state are added up once per value of that part."""
    points = 0
    weights = 0
    for group in _groups():
        part = group.part(state) if group.part is not None else None
        found = group.seen.get(part) if part is not None else None
        if found is None:
            found = group.add(state)
            if part is not None:
                if len(group.seen) >= group.limit:
                    group.seen.clear()
                group.seen[part] = found
        points += found[0]
        weights += found[1]
    return -((points * 100) // -weights)


class _Group:
    """Checks of one kind, and what of the state they read (None: not remembered)."""

    __slots__ = ("checks", "limit", "part", "seen")

    def __init__(
        self,
        checks: list[Assessor],
        part: Callable[[ExecState], object] | None,
        limit: int = 4096,
    ) -> None:
        self.checks = tuple((a, _KINDS[a.kind], a.weight, a.range) for a in checks)
        self.part = part
        #: parts remembered at most (then forgotten all at once)
        self.limit = limit
        self.seen: dict[object, tuple[int, int]] = {}

    def add(self, state: ExecState) -> tuple[int, int]:
        """(points, weights) of the checks that apply."""
        points = 0
        weights = 0
        dependencies = state.default_dependencies
        for a, badness, weight, range_ in self.checks:
            if a.default_dependencies_only and not dependencies:
                continue
            b = badness(a, state)
            if b is None:
                continue
            weights += weight
            if b:
                points -= (b * weight) // -range_
        return points, weights


def _flags_part(fields: tuple[str, ...]) -> Callable[[ExecState], object]:
    def part(state: ExecState) -> object:
        flags = state.flags
        return (
            state.default_dependencies,
            state.delegate,
            tuple([flags.get(f, False) for f in fields]),
        )

    return part


def _families_part(state: ExecState) -> object:
    families = state.address_families
    return (
        state.address_families_allow_list,
        None if families is None else frozenset(families),
    )


@cache
def _groups() -> tuple[_Group, ...]:
    by_kind: dict[str, list[Assessor]] = {}
    for a in assessors():
        by_kind.setdefault(a.kind, []).append(a)
    groups: list[_Group] = []
    rest: list[Assessor] = []
    for kind, checks in by_kind.items():
        only = any(a.default_dependencies_only for a in checks)
        if kind == "bool":
            groups.append(_Group(checks, _flags_part(tuple(a.field for a in checks))))
        elif kind in _PARTS and not only:
            # a system-call filter is a set of hundreds of names: remember fewer
            limit = 256 if kind == "syscall_filter" else 4096
            groups.append(_Group(checks, _PARTS[kind], limit))
        else:
            rest.extend(checks)
    # the other kinds each read a field or two: remembered together, by those fields
    known = all(a.kind in _REST_KINDS for a in rest)
    groups.append(_Group(rest, _rest_part if known else None))
    return tuple(groups)


#: The kinds :func:`_rest_part` covers (what each reads is listed there).
_REST_KINDS = frozenset(
    {
        "user",
        "supplementary_groups",
        "protect_home",
        "protect_system",
        "root_directory",
        "umask",
        "keyring_mode",
        "protect_proc",
        "proc_subset",
        "notify_access",
        "remove_ipc",
        "syscall_archs",
        "ip_address",
        "device_allow",
        "ambient_capabilities",
    }
)


def _rest_part(s: ExecState) -> object:
    """Everything the checks of :data:`_REST_KINDS` read."""
    flags = s.flags
    return (
        s.default_dependencies,
        s.user,  # user, supplementary_groups, remove_ipc
        flags.get("DynamicUser", False),  # user, supplementary_groups, remove_ipc
        flags.get("RemoveIPC", False),
        bool(s.supplementary_groups),
        s.protect_home,
        s.protect_system,
        s.root_directory,
        s.root_image,
        s.umask,
        s.keyring_mode,
        s.protect_proc,
        s.proc_subset,
        s.notify_access,
        frozenset(s.syscall_archs),
        any(s.ip_filters.values()),  # ip_address
        frozenset(s.ip_deny),
        frozenset(s.ip_allow),
        s.device_policy,  # device_allow
        bool(s.device_allow),
        s.ambient_capabilities != 0,
    )


def _capability_part(state: ExecState) -> object:
    return state.capability_bounding_set


def _namespace_part(state: ExecState) -> object:
    return state.namespaces_allowed


def _syscalls_part(state: ExecState) -> object:
    listed = state.syscall_filter
    if listed is not None and not isinstance(listed, frozenset):
        listed = frozenset(listed)
    return state.syscall_allow_list, listed


#: What the checks of a kind read, for the kinds whose checks are remembered together.
_PARTS: dict[str, Callable[[ExecState], object]] = {
    "capability": _capability_part,
    "namespace": _namespace_part,
    "address_family": _families_part,
    "syscall_filter": _syscalls_part,
}


def _badness(a: Assessor, state: ExecState) -> int | None:
    if a.default_dependencies_only and not state.default_dependencies:
        return None
    return _KINDS[a.kind](a, state)


def _user(a: Assessor, s: ExecState) -> int | None:
    if s.user == "nobody":
        return 9
    if s.flag("DynamicUser") and s.user not in ("0", "root"):
        return 0
    if s.user and s.user not in ("0", "root"):
        return 0
    return 10


def _bool(a: Assessor, s: ExecState) -> int | None:
    value = s.delegate if a.field == "Delegate" else s.flag(a.field)
    return int(value) if a.invert else int(not value)


def _protect_home(a: Assessor, s: ExecState) -> int | None:
    return {"yes": 0, "read-only": 5, "tmpfs": 1}.get(s.protect_home, 10)


def _protect_system(a: Assessor, s: ExecState) -> int | None:
    return {"yes": 5, "full": 3, "strict": 0}.get(s.protect_system, 10)


def _root(path: str) -> bool:
    return not path or path.strip("/") == ""


def _root_directory(a: Assessor, s: ExecState) -> int | None:
    return int(_root(s.root_directory) and _root(s.root_image))


def _capability(a: Assessor, s: ExecState) -> int | None:
    return int(bool(s.capability_bounding_set & a.caps))


def _umask(a: Assessor, s: ExecState) -> int | None:
    mask = s.umask
    if not mask & 0o002:
        return 10
    if not mask & 0o004:
        return 5
    if not mask & 0o020:
        return 2
    if not mask & 0o040:
        return 1
    return 0


def _keyring(a: Assessor, s: ExecState) -> int | None:
    return int(s.keyring_mode != "private")


def _protect_proc(a: Assessor, s: ExecState) -> int | None:
    if s.protect_proc == "noaccess":
        return 1
    return 0 if s.protect_proc in ("invisible", "ptraceable") else 3


def _proc_subset(a: Assessor, s: ExecState) -> int | None:
    return int(s.proc_subset != "pid")


def _notify(a: Assessor, s: ExecState) -> int | None:
    return int(s.notify_access == "all")


def _remove_ipc(a: Assessor, s: ExecState) -> int | None:
    return None if s.runs_privileged else int(not s.flag("RemoveIPC"))


def _supplementary(a: Assessor, s: ExecState) -> int | None:
    return None if s.runs_privileged else int(bool(s.supplementary_groups))


def _namespace(a: Assessor, s: ExecState) -> int | None:
    return int(bool(s.namespaces_allowed & (1 << NAMESPACES.index(a.namespace))))


_FAMILIES = {"inet": ("AF_INET", "AF_INET6"), "unix": ("AF_UNIX",)}
_FAMILIES |= {"netlink": ("AF_NETLINK",), "packet": ("AF_PACKET",)}
_NAMED = frozenset(f for names in _FAMILIES.values() for f in names)


def _address_family(a: Assessor, s: ExecState) -> int | None:
    allow = s.address_families_allow_list
    restricted = allow  # the default when the list does not name the family
    listed = s.address_families or set()
    if a.family == "other":
        if any(f not in _NAMED for f in listed):
            restricted = not allow
    elif any(f in listed for f in _FAMILIES[a.family]):
        restricted = not allow
    return int(not restricted)


def _archs(a: Assessor, s: ExecState) -> int | None:
    if not s.syscall_archs:
        return 10
    return 0 if s.syscall_archs == {"native"} else 8


def _syscall_filter(a: Assessor, s: ExecState) -> int | None:
    listed = s.syscall_filter or set()
    if not s.syscall_allow_list and not listed:
        return 10
    members = group_members(a.group)
    if s.syscall_allow_list:
        return 9 if members & listed else 0
    return 10 if members - listed else 0


def _ip_address(a: Assessor, s: ExecState) -> int | None:
    if any(s.ip_filters.values()):
        return 0
    if not ((4, 0) in s.ip_deny and (6, 0) in s.ip_deny):
        return 10
    if any(not _localhost(net) for net in s.ip_allow):
        return 5
    return 2 if s.ip_allow else 0


def _localhost(net: IPv4Network | IPv6Network) -> bool:
    address = net.network_address
    if address.version == 4:
        return int(address) >> 24 == 127
    return address.is_loopback


def _device_allow(a: Assessor, s: ExecState) -> int | None:
    if s.device_policy in ("strict", "closed"):
        return 5 if s.device_allow else 0
    return 10


def _ambient(a: Assessor, s: ExecState) -> int | None:
    return int(s.ambient_capabilities != 0)


_KINDS: dict[str, Callable[[Assessor, ExecState], int | None]] = {
    "user": _user,
    "supplementary_groups": _supplementary,
    "bool": _bool,
    "protect_home": _protect_home,
    "protect_system": _protect_system,
    "root_directory": _root_directory,
    "capability": _capability,
    "umask": _umask,
    "keyring_mode": _keyring,
    "protect_proc": _protect_proc,
    "proc_subset": _proc_subset,
    "notify_access": _notify,
    "remove_ipc": _remove_ipc,
    "namespace": _namespace,
    "address_family": _address_family,
    "syscall_archs": _archs,
    "syscall_filter": _syscall_filter,
    "ip_address": _ip_address,
    "device_allow": _device_allow,
    "ambient_capabilities": _ambient,
}
