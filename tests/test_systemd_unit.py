"""How unit settings are read (systemd 252's parsers and load-time implications) and
scored, checked on small units with exact values."""

from __future__ import annotations

import pytest

from nixlint.systemd.assess import score
from nixlint.systemd.render import Setting, section_lines, to_option, unit_file, unit_lines
from nixlint.systemd.table import CAP_BIT, assessors, label, syscalls
from nixlint.systemd.unit import ExecState, load


def state(service: dict[str, Setting], unit: dict[str, Setting] | None = None) -> ExecState:
    return load(unit_lines(service, unit), "svc")


def badness(service: dict[str, Setting], check: str, *, live: bool = False) -> int | None:
    result = score(load(unit_lines(service), "svc", live=live))
    return next(c.badness for c in result.checks if c.assessor.id == check)


def exposure(service: dict[str, Setting], unit: dict[str, Setting] | None = None) -> int:
    return score(state(service, unit)).exposure


def caps(s: ExecState, *names: str) -> list[bool]:
    return [bool(s.capability_bounding_set & (1 << CAP_BIT[n])) for n in names]


# -- the table -------------------------------------------------------------------------------


def test_the_table_has_every_assessor_of_systemd_252() -> None:
    rows = assessors()
    assert len(rows) == 81
    assert sum(a.weight for a in rows) == 56460
    assert [a.id for a in rows[:3]] == [
        "User=/DynamicUser=",
        "SupplementaryGroups=",
        "PrivateDevices=",
    ]
    assert {a.kind for a in rows if a.range == 10} == {
        "user",
        "protect_home",
        "protect_system",
        "umask",
        "syscall_archs",
        "syscall_filter",
        "ip_address",
        "device_allow",
    }
    assert [a.weight for a in rows if a.default_dependencies_only] == [1000, 1000, 1000, 200]


def test_labels_follow_systemd_bands() -> None:
    assert [label(x) for x in (100, 99, 90, 89, 75, 74, 50, 49, 10, 9, 1, 0)] == [
        "DANGEROUS",
        "UNSAFE",
        "UNSAFE",
        "EXPOSED",
        "EXPOSED",
        "MEDIUM",
        "MEDIUM",
        "OK",
        "OK",
        "SAFE",
        "SAFE",
        "PERFECT",
    ]


def test_syscall_groups_expand_to_x86_64_names() -> None:
    table = syscalls()
    assert sorted(table.expand("@clock")) == [
        "adjtimex",
        "clock_adjtime",
        "clock_settime",
        "settimeofday",
    ]
    assert table.expand("@privileged") >= table.expand("@swap") | table.expand("@reboot")
    assert table.expand("clock_settime64") == frozenset()  # not an x86-64 system call
    assert table.expand("@no-such-group") == frozenset()


# -- rendering as NixOS does -----------------------------------------------------------------


def test_nixos_rendering() -> None:
    assert [to_option(v) for v in (True, False, None, 7, "x")] == ["true", "false", "", "7", "x"]
    lines = list(section_lines({"b": ["1", "2"], "a": True, "c": [], "d": None}))
    assert lines == [("a", "true"), ("b", "1"), ("b", "2"), ("d", "")]
    assert unit_file("x", {"PrivateTmp": True}, {"DefaultDependencies": False}) == (
        "[Unit]\nDefaultDependencies=false\nDescription=x\n\n[Service]\nPrivateTmp=true\n"
    )


# -- parsing -----------------------------------------------------------------------------------


def test_a_bare_root_service_scores_9_6() -> None:
    assert exposure({"ExecStart": "/bin/true"}) == 96
    s = state({})
    assert (s.user, s.runs_privileged, s.umask, s.keyring_mode) == (None, True, 0o022, "private")


@pytest.mark.parametrize(
    ("value", "parsed"),
    [("yes", True), ("on", True), ("1", True), ("true", True), ("no", False), ("bogus", None)],
)
def test_booleans(value: str, parsed: bool | None) -> None:
    s = state({"PrivateTmp": [True, value]})
    assert s.flag("PrivateTmp") is (True if parsed is None else parsed)


def test_protect_system_and_home_values() -> None:
    assert [badness({"ProtectSystem": v}, "ProtectSystem=") for v in (True, "full", "strict")] == [
        5,
        3,
        0,
    ]
    assert [badness({"ProtectHome": v}, "ProtectHome=") for v in (True, "read-only", "tmpfs")] == [
        0,
        5,
        1,
    ]
    assert badness({"ProtectSystem": ["strict", "bogus"]}, "ProtectSystem=") == 0


def test_capability_lists_merge_as_systemd_merges_them() -> None:
    assert caps(state({"CapabilityBoundingSet": ""}), "CAP_CHOWN", "CAP_SYS_ADMIN") == [
        False,
        False,
    ]
    allow = state({"CapabilityBoundingSet": ["CAP_CHOWN", "CAP_KILL"]})
    assert caps(allow, "CAP_CHOWN", "CAP_KILL", "CAP_SYS_ADMIN") == [True, True, False]
    deny = state({"CapabilityBoundingSet": ["~CAP_SYS_ADMIN", "~CAP_KILL"]})
    assert caps(deny, "CAP_CHOWN", "CAP_KILL", "CAP_SYS_ADMIN") == [True, False, False]
    # a deny list after an allow list takes away from it; an allow list after a deny list adds
    assert caps(state({"CapabilityBoundingSet": ["CAP_CHOWN", "~CAP_CHOWN"]}), "CAP_CHOWN") == [
        False
    ]
    assert caps(state({"CapabilityBoundingSet": ["~CAP_KILL", "CAP_KILL"]}), "CAP_KILL") == [True]
    # names are case-insensitive, unknown ones are skipped
    assert caps(state({"CapabilityBoundingSet": "cap_kill bogus"}), "CAP_KILL", "CAP_CHOWN") == [
        True,
        False,
    ]


def test_ambient_capabilities() -> None:
    assert badness({"AmbientCapabilities": "CAP_NET_BIND_SERVICE"}, "AmbientCapabilities=") == 1
    assert badness({"AmbientCapabilities": ["CAP_KILL", ""]}, "AmbientCapabilities=") == 0


def test_namespaces() -> None:
    def allowed(value: Setting) -> int:
        return state({"RestrictNamespaces": value}).namespaces_allowed

    assert allowed(True) == 0
    assert allowed(False) == allowed([]) == 0b1111111
    assert allowed("net ipc") == allowed(["net", "ipc"]) == 0b0000110
    assert allowed(["~net", "~ipc"]) == 0b1111001
    assert allowed(["net", "~net"]) == 0
    assert allowed(["yes", "net"]) == 0b0000100
    assert allowed(["yes", ""]) == 0b1111111
    assert allowed("bogus net") == 0b1111111  # the whole line is ignored


def test_address_families() -> None:
    checks = [a.id for a in assessors() if a.kind == "address_family"]

    def bad(value: Setting) -> list[int | None]:
        return [badness({"RestrictAddressFamilies": value}, c) for c in checks]

    # order: inet, unix, netlink, packet, other
    assert bad("AF_UNIX") == [0, 1, 0, 0, 0]
    assert bad("none") == [0, 0, 0, 0, 0]
    assert bad("~AF_INET") == [0, 1, 1, 1, 1]  # one of AF_INET, AF_INET6 is enough
    assert bad(["AF_UNIX", "~AF_UNIX"]) == [0, 0, 0, 0, 0]
    assert bad(["AF_UNIX", "", "AF_INET6"]) == [1, 0, 0, 0, 0]
    assert bad("AF_LOCAL AF_ROUTE") == [0, 1, 1, 0, 0]
    assert bad("~AF_BLUETOOTH") == [1, 1, 1, 1, 0]
    assert bad("AF_UNSPEC") == [0, 0, 0, 0, 0]  # an empty allow list


def test_system_call_filters() -> None:
    def bad(value: Setting, group: str) -> int | None:
        return badness({"SystemCallFilter": value}, f"SystemCallFilter=~{group}")

    assert bad(None, "@clock") == 10
    assert bad("@system-service", "@clock") == 0
    assert bad("@system-service", "@privileged") == 9  # chown is in both
    assert bad(["@system-service", "~@privileged"], "@privileged") == 0
    assert bad("~@privileged", "@clock") == 0  # @privileged includes @clock
    assert bad("~@privileged", "@mount") == 10
    assert bad("~adjtimex clock_adjtime settimeofday clock_settime", "@clock") == 0
    assert bad(["@system-service", "swapon"], "@swap") == 9
    assert bad("read", "@clock") == 0  # an allow list always holds @default, never @clock
    assert bad(["@default", ""], "@clock") == 10


def test_architectures() -> None:
    def bad(value: Setting) -> int | None:
        return badness({"SystemCallArchitectures": value}, "SystemCallArchitectures=")

    assert [bad("native"), bad("x86-64"), bad("native x86"), bad("bogus")] == [0, 8, 8, 10]


def test_ip_address_lists() -> None:
    def bad(deny: Setting, allow: Setting = None) -> int | None:
        return badness({"IPAddressDeny": deny, "IPAddressAllow": allow}, "IPAddressDeny=")

    assert bad("any") == 0
    assert bad("0.0.0.0/0") == 10  # IPv6 stays open
    assert bad(["0.0.0.0/0", "::/0"]) == 0
    assert bad("any", "localhost") == 2
    assert bad("any", ["127.0.0.2", "::1"]) == 2
    assert bad("any", "link-local") == 5
    assert bad("any", "10.0.0.0/8") == 5
    assert bad(["any", ""]) == 10
    assert badness({"IPIngressFilterPath": "/sys/fs/bpf/in"}, "IPAddressDeny=") == 0


def test_umask() -> None:
    values = ["0000", "0002", "0022", "0027", "0077", "077", "bogus"]
    assert [badness({"UMask": v}, "UMask=") for v in values] == [10, 5, 5, 1, 0, 0, 5]


def test_users() -> None:
    assert badness({"User": "root"}, "User=/DynamicUser=") == 10
    assert badness({"User": "0"}, "User=/DynamicUser=") == 10
    assert badness({"User": "nobody"}, "User=/DynamicUser=") == 9
    assert badness({"User": "svc"}, "User=/DynamicUser=") == 0
    assert badness({"User": ["svc", ""]}, "User=/DynamicUser=") == 10
    assert badness({"User": "svc", "SupplementaryGroups": "wheel"}, "SupplementaryGroups=") == 1
    assert badness({"SupplementaryGroups": "wheel"}, "SupplementaryGroups=") is None  # root
    assert badness({"User": "svc"}, "RemoveIPC=") == 1


# -- what loading a unit implies ----------------------------------------------------------------


def test_dynamic_user_implies_a_sandbox() -> None:
    s = state({"DynamicUser": True, "ProtectSystem": "full", "ProtectHome": "tmpfs"})
    assert s.user == "svc"
    assert (s.protect_system, s.protect_home) == ("strict", "tmpfs")
    assert [
        s.flag(k) for k in ("PrivateTmp", "RemoveIPC", "NoNewPrivileges", "RestrictSUIDSGID")
    ] == [True] * 4
    assert state({"DynamicUser": True}).protect_home == "read-only"
    assert badness({"DynamicUser": True, "User": "root"}, "User=/DynamicUser=") == 10


def test_protect_settings_drop_capabilities() -> None:
    s = state({"PrivateDevices": True, "ProtectKernelModules": True})
    assert caps(s, "CAP_MKNOD", "CAP_SYS_RAWIO", "CAP_SYS_MODULE", "CAP_SYSLOG") == [
        False,
        False,
        False,
        True,
    ]
    s = state({"ProtectKernelLogs": True, "ProtectClock": True})
    assert caps(s, "CAP_SYSLOG", "CAP_SYS_TIME", "CAP_WAKE_ALARM", "CAP_SYS_ADMIN") == [
        False,
        False,
        False,
        True,
    ]


def test_device_policy() -> None:
    assert badness({"PrivateDevices": True}, "DeviceAllow=") == 0  # closed, nothing allowed
    assert badness({"PrivateDevices": True, "ProtectClock": True}, "DeviceAllow=") == 5  # rtc
    assert badness({"DevicePolicy": "strict", "DeviceAllow": "/dev/null rw"}, "DeviceAllow=") == 5
    assert badness({"DevicePolicy": "closed", "DeviceAllow": "bogus"}, "DeviceAllow=") == 0
    assert badness({"RootImage": "/a.raw", "DevicePolicy": "closed"}, "DeviceAllow=") == 5
    assert badness({"RootImage": "/a.raw"}, "DeviceAllow=") == 10


def test_private_mounts_is_implied_only_for_running_units() -> None:
    assert badness({"PrivateTmp": True}, "PrivateMounts=") == 1
    assert badness({"PrivateTmp": True}, "PrivateMounts=", live=True) == 0
    assert badness({"ProtectSystem": "full"}, "PrivateMounts=", live=True) == 0
    assert badness({"PrivateNetwork": True}, "PrivateMounts=", live=True) == 1


def test_without_default_dependencies_four_more_checks_do_not_apply() -> None:
    s = score(state({}, {"DefaultDependencies": False}))
    skipped = sorted(c.assessor.id for c in s.checks if c.badness is None)
    assert skipped == [
        "PrivateTmp=",
        "ProtectHome=",
        "ProtectSystem=",
        "RemoveIPC=",
        "RootDirectory=/RootImage=",
        "SupplementaryGroups=",
    ]
    assert s.exposure == 95
