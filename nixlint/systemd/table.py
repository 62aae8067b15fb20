"""systemd's assessor table and the names its settings take, as data.

The table (``data/assessors.json``) lists every check of ``systemd-analyze security`` in
systemd 252 (``src/analyze/analyze-security.c``): its id, weight, range and how its badness
is decided (``kind``). ``data/syscalls.json`` holds the system-call groups of that systemd
and the names that exist on x86-64.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from functools import cache
from typing import Any

from nixlint.systemd import SYSTEMD_VERSION as SYSTEMD_VERSION

#: Linux capabilities by number (``CAP_CHOWN`` is bit 0).
CAPABILITIES = (
    "CAP_CHOWN",
    "CAP_DAC_OVERRIDE",
    "CAP_DAC_READ_SEARCH",
    "CAP_FOWNER",
    "CAP_FSETID",
    "CAP_KILL",
    "CAP_SETGID",
    "CAP_SETUID",
    "CAP_SETPCAP",
    "CAP_LINUX_IMMUTABLE",
    "CAP_NET_BIND_SERVICE",
    "CAP_NET_BROADCAST",
    "CAP_NET_ADMIN",
    "CAP_NET_RAW",
    "CAP_IPC_LOCK",
    "CAP_IPC_OWNER",
    "CAP_SYS_MODULE",
    "CAP_SYS_RAWIO",
    "CAP_SYS_CHROOT",
    "CAP_SYS_PTRACE",
    "CAP_SYS_PACCT",
    "CAP_SYS_ADMIN",
    "CAP_SYS_BOOT",
    "CAP_SYS_NICE",
    "CAP_SYS_RESOURCE",
    "CAP_SYS_TIME",
    "CAP_SYS_TTY_CONFIG",
    "CAP_MKNOD",
    "CAP_LEASE",
    "CAP_AUDIT_WRITE",
    "CAP_AUDIT_CONTROL",
    "CAP_SETFCAP",
    "CAP_MAC_OVERRIDE",
    "CAP_MAC_ADMIN",
    "CAP_SYSLOG",
    "CAP_WAKE_ALARM",
    "CAP_BLOCK_SUSPEND",
    "CAP_AUDIT_READ",
    "CAP_PERFMON",
    "CAP_BPF",
    "CAP_CHECKPOINT_RESTORE",
)
CAP_BIT = {name: i for i, name in enumerate(CAPABILITIES)}
ALL_CAPS = (1 << 64) - 1

#: Address family names systemd accepts (case does not matter), with their aliases.
ADDRESS_FAMILIES = {
    name: name
    for name in [
        "AF_UNIX",
        "AF_INET",
        "AF_AX25",
        "AF_IPX",
        "AF_APPLETALK",
        "AF_NETROM",
        "AF_BRIDGE",
        "AF_ATMPVC",
        "AF_X25",
        "AF_INET6",
        "AF_ROSE",
        "AF_DECNET",
        "AF_NETBEUI",
        "AF_SECURITY",
        "AF_KEY",
        "AF_NETLINK",
        "AF_PACKET",
        "AF_ASH",
        "AF_ECONET",
        "AF_ATMSVC",
        "AF_RDS",
        "AF_SNA",
        "AF_IRDA",
        "AF_PPPOX",
        "AF_WANPIPE",
        "AF_LLC",
        "AF_IB",
        "AF_MPLS",
        "AF_CAN",
        "AF_TIPC",
        "AF_BLUETOOTH",
        "AF_IUCV",
        "AF_RXRPC",
        "AF_ISDN",
        "AF_PHONET",
        "AF_IEEE802154",
        "AF_CAIF",
        "AF_ALG",
        "AF_NFC",
        "AF_VSOCK",
        "AF_KCM",
        "AF_QIPCRTR",
        "AF_SMC",
        "AF_XDP",
        "AF_MCTP",
    ]
} | {"AF_LOCAL": "AF_UNIX", "AF_FILE": "AF_UNIX", "AF_ROUTE": "AF_NETLINK"}

NAMESPACES = ("cgroup", "ipc", "net", "mnt", "pid", "user", "uts")

#: Architectures ``SystemCallArchitectures=`` accepts.
ARCHITECTURES = frozenset(
    [
        "native",
        "x86",
        "x86-64",
        "x32",
        "arm",
        "arm64",
        "loongarch64",
        "mips",
        "mips64",
        "mips64-n32",
        "mipsel",
        "mipsel64",
        "mipsel64-n32",
        "ppc",
        "ppc64",
        "ppc64-le",
        "riscv64",
        "s390",
        "s390x",
        "parisc",
        "parisc64",
    ]
)


@dataclass(frozen=True, slots=True)
class Assessor:
    """One row of systemd's assessor table."""

    id: str
    kind: str
    weight: int
    range: int
    good: str
    bad: str
    field: str = ""
    invert: bool = False
    caps: int = 0
    namespace: str = ""
    family: str = ""
    group: str = ""
    default_dependencies_only: bool = False

    @property
    def setting(self) -> str:
        """The unit setting the check reads (``CapabilityBoundingSet`` for the caps)."""
        return self.id.split("=", 1)[0].split("/", 1)[0]


def _read(name: str) -> Any:
    with open(os.path.join(os.path.dirname(__file__), "data", name), encoding="utf-8") as handle:
        return json.load(handle)


@cache
def assessors() -> tuple[Assessor, ...]:
    rows = _read("assessors.json")["assessors"]
    out: list[Assessor] = []
    for row in rows:
        caps = 0
        for cap in row.get("caps", ()):
            caps |= 1 << CAP_BIT[cap]
        out.append(
            Assessor(
                id=row["id"],
                kind=row["kind"],
                weight=row["weight"],
                range=row["range"],
                good=row["good"],
                bad=row["bad"],
                field=row.get("field", ""),
                invert=row.get("invert", False),
                caps=caps,
                namespace=row.get("namespace", ""),
                family=row.get("family", ""),
                group=row.get("group", ""),
                default_dependencies_only=row.get("default_dependencies_only", False),
            )
        )
    return tuple(out)


@cache
def bands() -> tuple[tuple[int, str], ...]:
    """``(lowest exposure in tenths, label)``, worst first."""
    return tuple((int(low), str(label)) for low, label in _read("assessors.json")["bands"])


def label(exposure: int) -> str:
    """systemd's label for an exposure given in tenths (0–100)."""
    for low, name in bands():
        if exposure >= low:
            return name
    return "PERFECT"


@dataclass(frozen=True, slots=True)
class Syscalls:
    groups: dict[str, tuple[str, ...]]
    native: frozenset[str]

    def expand(self, name: str, seen: frozenset[str] = frozenset()) -> frozenset[str]:
        """The system calls of a group (recursively) or a single name, that exist on x86-64."""
        if not name.startswith("@"):
            return frozenset({name}) if name in self.native else frozenset()
        members = self.groups.get(name)
        if members is None or name in seen:
            return frozenset()
        out: set[str] = set()
        for member in members:
            out |= self.expand(member, seen | {name})
        return frozenset(out)


@cache
def syscalls() -> Syscalls:
    data = _read("syscalls.json")
    groups = {name: tuple(entry["members"]) for name, entry in data["groups"].items()}
    return Syscalls(groups, frozenset(data["x86_64"]))


@cache
def syscall_names(word: str) -> frozenset[str]:
    """The x86-64 system calls a ``SystemCallFilter=`` word (a group or a name) stands for."""
    return syscalls().expand(word)


#: The system calls of a group, for the checks.
group_members = syscall_names
