"""Golden tests: nixlint's exposure score against ``systemd-analyze security --offline=yes``.

Each case is a ``serviceConfig`` (and sometimes a ``unitConfig``) written as Nix, scored by
nixlint from the Nix source, and rendered to a unit file the way NixOS renders it for
systemd 252 to score. ``EXPECTED`` holds what systemd 252 (252.38) printed for each case —
the exposure in tenths and every check's badness — so the comparison runs everywhere;
where ``systemd-analyze`` is installed, it is asked again. To record anew::

    python -m tests.test_systemd_golden > /tmp/expected.py
"""

from __future__ import annotations

import json
import os
import random
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

from nixlint.systemd.render import Setting, unit_file
from nixlint.systemd.report import ServiceReport, scan
from nixlint.systemd.table import assessors

BOOL = [True, False, "yes", "no", "on", None]
#: What each setting may be in a generated case.
CHOICES: dict[str, list[Setting]] = {
    "User": ["root", "nobody", "svc", "0", "", None],
    "DynamicUser": [True, False, "yes", "no"],
    "SupplementaryGroups": [["wheel"], [], ["a", ""], "", None],
    **{
        key: BOOL
        for key in [
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
        ]
    },
    "ProtectHome": [True, False, "read-only", "tmpfs", "bogus", None],
    "ProtectSystem": [True, False, "full", "strict", "bogus", None],
    "RootDirectory": ["/", "/srv/root", "", None],
    "RootImage": ["/img.raw", "", None],
    "CapabilityBoundingSet": [
        "",
        "~",
        "CAP_NET_BIND_SERVICE",
        ["CAP_NET_RAW", "CAP_SYS_ADMIN"],
        "~CAP_SYS_ADMIN CAP_SYS_PTRACE",
        ["~CAP_SYS_ADMIN", "~CAP_BPF CAP_KILL"],
        ["CAP_CHOWN", "~CAP_CHOWN"],
        ["cap_sys_time bogus"],
        None,
        ["CAP_SYS_ADMIN", ""],
    ],
    "AmbientCapabilities": ["", "CAP_NET_BIND_SERVICE", "~CAP_NET_RAW", ["CAP_KILL", ""], None],
    "UMask": ["0077", "0027", "0007", "0022", "0002", "0000", "077", "bogus", None],
    "KeyringMode": ["inherit", "private", "shared", None],
    "ProtectProc": ["noaccess", "invisible", "ptraceable", "default", None],
    "ProcSubset": ["all", "pid", None],
    "NotifyAccess": ["none", "main", "exec", "all", None],
    "Delegate": [True, False, "cpu memory", None],
    "RestrictNamespaces": [
        True,
        False,
        "net ipc",
        "~user mnt",
        ["net", "ipc"],
        ["~net", "~ipc"],
        ["net", "~net"],
        ["yes", ""],
        "~",
        "bogus net",
        None,
    ],
    "RestrictAddressFamilies": [
        "AF_UNIX",
        "~AF_PACKET AF_NETLINK",
        "none",
        ["AF_UNIX", "~AF_UNIX"],
        ["AF_INET AF_INET6", "AF_UNIX"],
        "~AF_INET",
        ["AF_UNIX", "", "AF_INET"],
        "AF_BLUETOOTH",
        "~AF_BLUETOOTH",
        "AF_LOCAL AF_ROUTE",
        None,
    ],
    "SystemCallArchitectures": ["native", "x86-64", "native x86", ["native", ""], "bogus", None],
    "SystemCallFilter": [
        "@system-service",
        "~@privileged",
        ["@system-service", "~@privileged @resources"],
        ["~@mount", "~@clock"],
        "~@clock @cpu-emulation @debug @module @mount @obsolete @privileged @raw-io @reboot "
        "@resources @swap",
        "@default",
        ["@system-service", "swapon"],
        "~adjtimex clock_adjtime settimeofday clock_settime",
        ["~@privileged", "@privileged"],
        "read write",
        "~read",
        "@known",
        "~@known",
        ["@system-service", "~@privileged:EPERM"],
        None,
    ],
    "IPAddressDeny": ["any", "0.0.0.0/0", ["0.0.0.0/0", "::/0"], "", ["any", ""], None],
    "IPAddressAllow": [
        "localhost",
        "10.0.0.0/8",
        "link-local",
        "127.0.0.1",
        "::1",
        ["localhost", "192.168.1.0/24"],
        "multicast",
        "",
        None,
    ],
    "IPIngressFilterPath": ["/sys/fs/bpf/x", "", None],
    "DevicePolicy": ["auto", "closed", "strict", None],
    "DeviceAllow": ["/dev/null rw", ["/dev/sda r", ""], "char-rtc r", "", "bogus", None],
}
#: Cases written by hand: each of systemd's implications and parsing rules at least once.
NAMED: dict[str, tuple[dict[str, Setting], dict[str, Setting]]] = {
    "bare": ({}, {}),
    "dynamic-user": ({"DynamicUser": True}, {}),
    "dynamic-user-overrides": (
        {"DynamicUser": True, "ProtectSystem": "full", "ProtectHome": "tmpfs"},
        {},
    ),
    "dynamic-user-root": ({"DynamicUser": True, "User": "root"}, {}),
    "static-user-groups": ({"User": "svc", "SupplementaryGroups": ["wheel", "audio"]}, {}),
    "nobody": ({"User": "nobody"}, {}),
    "private-devices": ({"PrivateDevices": True}, {}),
    "private-devices-clock": ({"PrivateDevices": True, "ProtectClock": True}, {}),
    "kernel-modules-logs": ({"ProtectKernelModules": True, "ProtectKernelLogs": True}, {}),
    "private-tmp-no-mounts": ({"PrivateTmp": True, "ProtectSystem": "strict"}, {}),
    "root-image-closed": ({"RootImage": "/srv/app.raw", "DevicePolicy": "closed"}, {}),
    "root-directory-slash": ({"RootDirectory": "/"}, {}),
    "no-default-dependencies": ({"PrivateTmp": False}, {"DefaultDependencies": False}),
    "umask-strict": ({"UMask": "0077"}, {}),
    "umask-group-read": ({"UMask": "0027"}, {}),
    "caps-empty": ({"CapabilityBoundingSet": ""}, {}),
    "caps-allow-merge": ({"CapabilityBoundingSet": ["CAP_NET_BIND_SERVICE", "CAP_CHOWN"]}, {}),
    "caps-deny-merge": ({"CapabilityBoundingSet": ["~CAP_SYS_ADMIN", "~CAP_SYS_PTRACE"]}, {}),
    "caps-ambient": ({"User": "svc", "AmbientCapabilities": "CAP_NET_BIND_SERVICE"}, {}),
    "families-deny-inet-only": ({"RestrictAddressFamilies": "~AF_INET"}, {}),
    "families-none": ({"RestrictAddressFamilies": "none"}, {}),
    "families-reset": ({"RestrictAddressFamilies": ["AF_UNIX", "", "AF_INET6"]}, {}),
    "namespaces-allow-merge": ({"RestrictNamespaces": ["net", "ipc"]}, {}),
    "namespaces-deny-merge": ({"RestrictNamespaces": ["~net", "~user"]}, {}),
    "namespaces-yes-then-list": ({"RestrictNamespaces": ["yes", "net"]}, {}),
    "syscalls-allow": ({"SystemCallFilter": "@system-service"}, {}),
    "syscalls-allow-then-deny": (
        {"SystemCallFilter": ["@system-service", "~@privileged", "~@resources"]},
        {},
    ),
    "syscalls-deny-names": (
        {"SystemCallFilter": "~adjtimex clock_adjtime settimeofday clock_settime"},
        {},
    ),
    "syscalls-native": ({"SystemCallArchitectures": "native"}, {}),
    "ip-deny-all": ({"IPAddressDeny": "any"}, {}),
    "ip-allow-localhost": ({"IPAddressDeny": "any", "IPAddressAllow": "localhost"}, {}),
    "ip-allow-other": ({"IPAddressDeny": "any", "IPAddressAllow": ["127.0.0.1", "10.0.0.0/8"]}, {}),
    "ip-deny-v4-only": ({"IPAddressDeny": "0.0.0.0/0"}, {}),
    "ip-bpf-filter": ({"IPEgressFilterPath": "/sys/fs/bpf/egress"}, {}),
    "devices-strict-allow": ({"DevicePolicy": "strict", "DeviceAllow": "/dev/null rw"}, {}),
    "proc": ({"ProtectProc": "noaccess", "ProcSubset": "pid"}, {}),
    "dangerous": (
        {"KeyringMode": "shared", "NotifyAccess": "all", "Delegate": True, "UMask": "0000"},
        {},
    ),
    "hardened": (
        {
            "DynamicUser": True,
            "CapabilityBoundingSet": "",
            "SystemCallFilter": ["@system-service", "~@privileged", "~@resources"],
            "SystemCallArchitectures": "native",
            "RestrictNamespaces": True,
            "RestrictAddressFamilies": ["AF_UNIX", "AF_INET", "AF_INET6"],
            "PrivateDevices": True,
            "PrivateNetwork": True,
            "PrivateUsers": True,
            "ProtectHome": True,
            "ProtectKernelTunables": True,
            "ProtectKernelModules": True,
            "ProtectKernelLogs": True,
            "ProtectControlGroups": True,
            "ProtectClock": True,
            "ProtectHostname": True,
            "ProtectProc": "invisible",
            "ProcSubset": "pid",
            "LockPersonality": True,
            "MemoryDenyWriteExecute": True,
            "RestrictRealtime": True,
            "PrivateMounts": True,
            "IPAddressDeny": "any",
            "UMask": "0077",
        },
        {},
    ),
}
GENERATED = 60
SEED = 252


def cases() -> dict[str, tuple[dict[str, Setting], dict[str, Setting]]]:
    """The named cases, then ``GENERATED`` random ones (always the same)."""
    out = dict(NAMED)
    rng = random.Random(SEED)
    keys = sorted(CHOICES)
    for i in range(GENERATED):
        config = {key: rng.choice(CHOICES[key]) for key in rng.sample(keys, rng.randint(3, 25))}
        unit: dict[str, Setting] = {"DefaultDependencies": False} if rng.random() < 0.1 else {}
        out[f"generated-{i:02d}"] = (config, unit)
    return out


def service_name(case: str) -> str:
    return "golden-" + case


def nix(value: Setting) -> str:
    """A setting written as Nix."""
    if value is True:
        return "true"
    if value is False:
        return "false"
    if value is None:
        return "null"
    if isinstance(value, list):
        return "[ " + " ".join(nix(v) for v in value) + " ]"
    if isinstance(value, str):
        return json.dumps(value).replace("${", "\\${")
    return str(value)


def module(all_cases: dict[str, tuple[dict[str, Setting], dict[str, Setting]]]) -> str:
    """One NixOS module defining every case as a service."""
    lines = ["{ pkgs, ... }:", "{"]
    for case, (config, unit) in all_cases.items():
        lines.append(f"  systemd.services.{service_name(case)} = {{")
        lines.append("    serviceConfig = {")
        lines.append('      ExecStart = "/run/current-system/sw/bin/true";')
        lines += [f"      {key} = {nix(value)};" for key, value in config.items()]
        lines.append("    };")
        lines += [f"    unitConfig.{key} = {nix(value)};" for key, value in unit.items()]
        lines.append("  };")
    lines.append("}")
    return "\n".join(lines) + "\n"


def badness_string(report: ServiceReport) -> str:
    assert report.worst is not None
    return ",".join("-" if c.badness is None else str(c.badness) for c in report.worst.checks)


@pytest.fixture(scope="module")
def scored(tmp_path_factory: pytest.TempPathFactory) -> dict[str, ServiceReport]:
    folder = tmp_path_factory.mktemp("golden")
    (folder / "configuration.nix").write_text(module(cases()))
    return {r.name: r for r in scan([str(folder)])}


def test_there_are_enough_cases() -> None:
    assert len(cases()) >= 50 + len(NAMED)
    assert set(EXPECTED) == set(cases())


@pytest.mark.parametrize("case", sorted(cases()))
def test_nixlint_scores_as_systemd_252_did(case: str, scored: dict[str, ServiceReport]) -> None:
    report = scored[service_name(case)]
    assert report.exact and report.worst is not None
    exposure, badness = EXPECTED[case]
    assert (report.worst.exposure, badness_string(report)) == (exposure, badness)


def systemd_analyze(units: dict[str, str]) -> tuple[dict[str, int], dict[str, str]]:
    """Exposure (tenths) and per-check badness ``systemd-analyze security --offline=yes``
    gives each unit file (name → text)."""
    order = [a.id for a in assessors()]
    with tempfile.TemporaryDirectory() as folder:
        paths = []
        for name, text in units.items():
            path = Path(folder) / f"{name}.service"
            path.write_text(text)
            paths.append(str(path))
        env = {**os.environ, "SYSTEMD_ANALYZE_DEBUG": "1", "SYSTEMD_COLORS": "0"}
        out = subprocess.run(
            ["systemd-analyze", "security", "--offline=yes", "--no-pager", *paths],
            capture_output=True,
            text=True,
            env=env,
            check=False,
        ).stdout
    exposures: dict[str, int] = {}
    badness: dict[str, str] = {}
    rows: dict[str, str] = {}
    for line in out.splitlines():
        found = re.match(r"→ Overall exposure level for (\S+)\.service: (\d+)\.(\d)", line)
        if found:
            name = found.group(1)
            exposures[name] = int(found.group(2)) * 10 + int(found.group(3))
            badness[name] = ",".join(rows.get(i, "?") for i in order)
            rows = {}
            continue
        row = re.match(r"^.{2}(\S+=\S*)\s.*?\s(\d+)\s+(\d+)\s+(\d+)(?:\s+\d+\.\d)?\s*$", line)
        if row:
            value = row.group(3)
            rows[row.group(1)] = "-" if value == str(2**64 - 1) else value
    return exposures, badness


needs_systemd = pytest.mark.skipif(
    shutil.which("systemd-analyze") is None, reason="systemd-analyze is not installed"
)


@needs_systemd
def test_systemd_analyze_agrees(scored: dict[str, ServiceReport]) -> None:
    all_cases = cases()
    units = {
        service_name(c): unit_file(service_name(c), *_with_exec(*all_cases[c])) for c in all_cases
    }
    exposures, badness = systemd_analyze(units)
    assert len(exposures) == len(all_cases)
    deviations = {}
    for case in all_cases:
        name = service_name(case)
        report = scored[name]
        assert report.worst is not None
        deviations[case] = abs(report.worst.exposure - exposures[name])
        assert badness[name] == badness_string(report), case
    assert max(deviations.values()) <= 1  # within 0.1; in fact equal
    assert sum(deviations.values()) == 0


@needs_systemd
def test_recorded_values_are_systemd_analyze_output() -> None:
    all_cases = cases()
    units = {
        service_name(c): unit_file(service_name(c), *_with_exec(*all_cases[c])) for c in all_cases
    }
    exposures, badness = systemd_analyze(units)
    recorded = {service_name(c): EXPECTED[c] for c in all_cases}
    assert {n: (exposures[n], badness[n]) for n in recorded} == recorded


def _with_exec(
    config: dict[str, Setting], unit: dict[str, Setting]
) -> tuple[dict[str, Setting], dict[str, Setting]]:
    return {"ExecStart": "/run/current-system/sw/bin/true", **config}, unit


def record() -> str:
    """``EXPECTED`` as systemd-analyze gives it here."""
    all_cases = cases()
    units = {
        service_name(c): unit_file(service_name(c), *_with_exec(*all_cases[c])) for c in all_cases
    }
    exposures, badness = systemd_analyze(units)
    lines = ["EXPECTED: dict[str, tuple[int, str]] = {"]
    for case in all_cases:
        name = service_name(case)
        lines.append(f"    {case!r}: ({exposures[name]}, {badness[name]!r}),")
    lines.append("}")
    return "\n".join(lines)


EXPECTED: dict[str, tuple[int, str]] = {
    "bare": (
        96,
        "10,-,1,1,1,1,1,1,1,1,1,1,10,1,10,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,5,0,3,1,0,-,0,1,1,1,1,1,1,1,1,1,1,1,1,1,1,10,10,10,10,10,10,10,10,10,10,10,10,10,10,0",
    ),
    "dynamic-user": (
        84,
        "0,0,1,1,1,0,1,1,1,1,1,1,5,1,0,1,1,1,0,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,5,0,3,1,0,0,0,1,0,1,1,1,1,1,1,1,1,1,1,1,1,10,10,10,10,10,10,10,10,10,10,10,10,10,10,0",
    ),
    "dynamic-user-overrides": (
        83,
        "0,0,1,1,1,0,1,1,1,1,1,1,1,1,0,1,1,1,0,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,5,0,3,1,0,0,0,1,0,1,1,1,1,1,1,1,1,1,1,1,1,10,10,10,10,10,10,10,10,10,10,10,10,10,10,0",
    ),
    "dynamic-user-root": (
        88,
        "10,-,1,1,1,0,1,1,1,1,1,1,5,1,0,1,1,1,0,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,5,0,3,1,0,-,0,1,0,1,1,1,1,1,1,1,1,1,1,1,1,10,10,10,10,10,10,10,10,10,10,10,10,10,10,0",
    ),
    "static-user-groups": (
        92,
        "0,1,1,1,1,1,1,1,1,1,1,1,10,1,10,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,5,0,3,1,0,1,0,1,1,1,1,1,1,1,1,1,1,1,1,1,1,10,10,10,10,10,10,10,10,10,10,10,10,10,10,0",
    ),
    "nobody": (
        95,
        "9,0,1,1,1,1,1,1,1,1,1,1,10,1,10,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,5,0,3,1,0,1,0,1,1,1,1,1,1,1,1,1,1,1,1,1,1,10,10,10,10,10,10,10,10,10,10,10,10,10,10,0",
    ),
    "private-devices": (
        90,
        "10,-,0,1,1,1,1,1,1,1,1,1,10,1,10,1,1,1,1,1,1,1,1,1,0,1,1,1,1,0,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,5,0,3,1,0,-,0,1,1,1,1,1,1,1,1,1,1,1,1,1,1,10,10,10,10,10,10,10,10,10,10,10,10,10,0,0",
    ),
    "private-devices-clock": (
        87,
        "10,-,0,1,1,1,1,1,1,1,1,0,10,1,10,1,1,1,1,1,1,1,0,1,0,1,1,1,1,0,1,1,1,1,1,1,1,1,1,1,0,1,1,1,1,5,0,3,1,0,-,0,1,1,1,1,1,1,1,1,1,1,1,1,1,1,10,10,10,10,10,10,10,10,10,10,10,10,10,5,0",
    ),
    "kernel-modules-logs": (
        90,
        "10,-,1,1,1,1,1,1,0,1,0,1,10,1,10,1,1,1,1,1,1,1,1,1,1,0,1,0,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,5,0,3,1,0,-,0,1,1,1,1,1,1,1,1,1,1,1,1,1,1,10,10,10,10,10,10,10,10,10,10,10,10,10,10,0",
    ),
    "private-tmp-no-mounts": (
        92,
        "10,-,1,1,1,0,1,1,1,1,1,1,10,1,0,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,5,0,3,1,0,-,0,1,1,1,1,1,1,1,1,1,1,1,1,1,1,10,10,10,10,10,10,10,10,10,10,10,10,10,10,0",
    ),
    "root-image-closed": (
        95,
        "10,-,1,1,1,1,1,1,1,1,1,1,10,1,10,0,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,5,0,3,1,0,-,0,1,1,1,1,1,1,1,1,1,1,1,1,1,1,10,10,10,10,10,10,10,10,10,10,10,10,10,5,0",
    ),
    "root-directory-slash": (
        96,
        "10,-,1,1,1,1,1,1,1,1,1,1,10,1,10,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,5,0,3,1,0,-,0,1,1,1,1,1,1,1,1,1,1,1,1,1,1,10,10,10,10,10,10,10,10,10,10,10,10,10,10,0",
    ),
    "no-default-dependencies": (
        95,
        "10,-,1,1,1,-,1,1,1,1,1,1,-,1,-,-,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,5,0,3,1,0,-,0,1,1,1,1,1,1,1,1,1,1,1,1,1,1,10,10,10,10,10,10,10,10,10,10,10,10,10,10,0",
    ),
    "umask-strict": (
        96,
        "10,-,1,1,1,1,1,1,1,1,1,1,10,1,10,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,0,0,3,1,0,-,0,1,1,1,1,1,1,1,1,1,1,1,1,1,1,10,10,10,10,10,10,10,10,10,10,10,10,10,10,0",
    ),
    "umask-group-read": (
        96,
        "10,-,1,1,1,1,1,1,1,1,1,1,10,1,10,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,0,3,1,0,-,0,1,1,1,1,1,1,1,1,1,1,1,1,1,1,10,10,10,10,10,10,10,10,10,10,10,10,10,10,0",
    ),
    "caps-empty": (
        71,
        "10,-,1,1,1,1,1,1,1,1,1,1,10,1,10,1,1,1,1,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,5,0,3,1,0,-,0,1,1,1,1,1,1,1,1,1,1,1,1,1,1,10,10,10,10,10,10,10,10,10,10,10,10,10,10,0",
    ),
    "caps-allow-merge": (
        73,
        "10,-,1,1,1,1,1,1,1,1,1,1,10,1,10,1,1,1,1,0,0,0,0,0,0,0,0,0,0,0,1,0,0,1,0,0,0,0,0,0,0,0,0,0,0,5,0,3,1,0,-,0,1,1,1,1,1,1,1,1,1,1,1,1,1,1,10,10,10,10,10,10,10,10,10,10,10,10,10,10,0",
    ),
    "caps-deny-merge": (
        90,
        "10,-,1,1,1,1,1,1,1,1,1,1,10,1,10,1,1,1,1,0,1,0,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,5,0,3,1,0,-,0,1,1,1,1,1,1,1,1,1,1,1,1,1,1,10,10,10,10,10,10,10,10,10,10,10,10,10,10,0",
    ),
    "caps-ambient": (
        93,
        "0,0,1,1,1,1,1,1,1,1,1,1,10,1,10,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,5,0,3,1,0,1,0,1,1,1,1,1,1,1,1,1,1,1,1,1,1,10,10,10,10,10,10,10,10,10,10,10,10,10,10,1",
    ),
    "families-deny-inet-only": (
        93,
        "10,-,1,1,1,1,1,1,1,1,1,1,10,1,10,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,5,0,3,1,0,-,0,1,1,1,1,1,1,1,1,1,0,1,1,1,1,10,10,10,10,10,10,10,10,10,10,10,10,10,10,0",
    ),
    "families-none": (
        89,
        "10,-,1,1,1,1,1,1,1,1,1,1,10,1,10,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,5,0,3,1,0,-,0,1,1,1,1,1,1,1,1,1,0,0,0,0,0,10,10,10,10,10,10,10,10,10,10,10,10,10,10,0",
    ),
    "families-reset": (
        91,
        "10,-,1,1,1,1,1,1,1,1,1,1,10,1,10,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,5,0,3,1,0,-,0,1,1,1,1,1,1,1,1,1,1,0,0,0,0,10,10,10,10,10,10,10,10,10,10,10,10,10,10,0",
    ),
    "namespaces-allow-merge": (
        90,
        "10,-,1,1,1,1,1,1,1,1,1,1,10,1,10,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,5,0,3,1,0,-,0,1,1,0,0,1,0,0,1,0,1,1,1,1,1,10,10,10,10,10,10,10,10,10,10,10,10,10,10,0",
    ),
    "namespaces-deny-merge": (
        92,
        "10,-,1,1,1,1,1,1,1,1,1,1,10,1,10,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,5,0,3,1,0,-,0,1,1,0,1,1,1,1,0,1,1,1,1,1,1,10,10,10,10,10,10,10,10,10,10,10,10,10,10,0",
    ),
    "namespaces-yes-then-list": (
        89,
        "10,-,1,1,1,1,1,1,1,1,1,1,10,1,10,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,5,0,3,1,0,-,0,1,1,0,0,0,0,0,1,0,1,1,1,1,1,10,10,10,10,10,10,10,10,10,10,10,10,10,10,0",
    ),
    "syscalls-allow": (
        82,
        "10,-,1,1,1,1,1,1,1,1,1,1,10,1,10,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,5,0,3,1,0,-,0,1,1,1,1,1,1,1,1,1,1,1,1,1,1,10,0,0,0,0,0,0,0,0,0,9,9,10,10,0",
    ),
    "syscalls-allow-then-deny": (
        80,
        "10,-,1,1,1,1,1,1,1,1,1,1,10,1,10,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,5,0,3,1,0,-,0,1,1,1,1,1,1,1,1,1,1,1,1,1,1,10,0,0,0,0,0,0,0,0,0,0,0,10,10,0",
    ),
    "syscalls-deny-names": (
        94,
        "10,-,1,1,1,1,1,1,1,1,1,1,10,1,10,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,5,0,3,1,0,-,0,1,1,1,1,1,1,1,1,1,1,1,1,1,1,10,10,10,0,10,10,10,10,10,10,10,10,10,10,0",
    ),
    "syscalls-native": (
        94,
        "10,-,1,1,1,1,1,1,1,1,1,1,10,1,10,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,5,0,3,1,0,-,0,1,1,1,1,1,1,1,1,1,1,1,1,1,1,0,10,10,10,10,10,10,10,10,10,10,10,10,10,0",
    ),
    "ip-deny-all": (
        94,
        "10,-,1,1,1,1,1,1,1,1,1,1,10,1,10,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,5,0,3,1,0,-,0,1,1,1,1,1,1,1,1,1,1,1,1,1,1,10,10,10,10,10,10,10,10,10,10,10,10,0,10,0",
    ),
    "ip-allow-localhost": (
        94,
        "10,-,1,1,1,1,1,1,1,1,1,1,10,1,10,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,5,0,3,1,0,-,0,1,1,1,1,1,1,1,1,1,1,1,1,1,1,10,10,10,10,10,10,10,10,10,10,10,10,2,10,0",
    ),
    "ip-allow-other": (
        95,
        "10,-,1,1,1,1,1,1,1,1,1,1,10,1,10,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,5,0,3,1,0,-,0,1,1,1,1,1,1,1,1,1,1,1,1,1,1,10,10,10,10,10,10,10,10,10,10,10,10,5,10,0",
    ),
    "ip-deny-v4-only": (
        96,
        "10,-,1,1,1,1,1,1,1,1,1,1,10,1,10,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,5,0,3,1,0,-,0,1,1,1,1,1,1,1,1,1,1,1,1,1,1,10,10,10,10,10,10,10,10,10,10,10,10,10,10,0",
    ),
    "ip-bpf-filter": (
        94,
        "10,-,1,1,1,1,1,1,1,1,1,1,10,1,10,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,5,0,3,1,0,-,0,1,1,1,1,1,1,1,1,1,1,1,1,1,1,10,10,10,10,10,10,10,10,10,10,10,10,0,10,0",
    ),
    "devices-strict-allow": (
        95,
        "10,-,1,1,1,1,1,1,1,1,1,1,10,1,10,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,5,0,3,1,0,-,0,1,1,1,1,1,1,1,1,1,1,1,1,1,1,10,10,10,10,10,10,10,10,10,10,10,10,10,5,0",
    ),
    "proc": (
        95,
        "10,-,1,1,1,1,1,1,1,1,1,1,10,1,10,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,5,0,1,0,0,-,0,1,1,1,1,1,1,1,1,1,1,1,1,1,1,10,10,10,10,10,10,10,10,10,10,10,10,10,10,0",
    ),
    "dangerous": (
        100,
        "10,-,1,1,1,1,1,1,1,1,1,1,10,1,10,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,10,1,3,1,1,-,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,10,10,10,10,10,10,10,10,10,10,10,10,10,10,0",
    ),
    "hardened": (
        4,
        "0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,1,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,1,1,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,5,0",
    ),
    "generated-00": (
        52,
        "10,-,1,0,0,0,0,1,1,0,0,0,10,1,10,0,1,1,1,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,5,1,3,1,0,-,1,1,1,0,0,1,0,0,1,0,1,1,1,1,1,10,10,10,10,10,10,10,10,10,10,10,10,10,10,0",
    ),
    "generated-01": (
        74,
        "10,-,1,1,1,1,1,1,1,1,1,1,10,1,10,1,1,1,1,1,0,0,0,0,0,0,0,0,0,0,0,0,0,1,0,0,0,0,0,0,0,0,0,0,0,5,0,3,1,0,-,0,1,1,1,1,1,1,1,1,1,1,1,1,1,1,10,10,10,10,10,10,10,10,10,10,10,10,10,10,0",
    ),
    "generated-02": (
        90,
        "10,-,1,1,1,1,1,1,0,1,1,1,10,1,10,1,1,1,1,1,1,1,1,1,1,0,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,5,0,3,1,0,-,0,0,1,1,1,1,1,1,1,1,1,1,1,1,1,10,10,10,10,10,10,10,10,10,10,10,10,0,10,0",
    ),
    "generated-03": (
        70,
        "10,-,1,1,1,1,1,1,1,1,1,1,10,1,10,1,1,1,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,5,0,3,1,0,-,0,1,1,1,1,1,1,1,1,1,1,1,1,1,1,10,10,10,10,10,10,10,10,10,10,10,10,10,10,1",
    ),
    "generated-04": (
        48,
        "10,-,0,1,0,1,1,1,1,1,1,1,10,1,10,1,1,1,1,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,5,0,3,1,0,-,0,1,1,1,1,1,1,1,1,1,1,1,1,1,1,10,0,0,0,0,0,0,0,0,0,0,9,10,0,0",
    ),
    "generated-05": (
        78,
        "0,0,1,1,1,0,1,0,1,1,1,1,5,1,0,1,0,1,0,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,5,0,3,1,0,0,1,1,0,1,1,1,1,1,1,1,1,1,1,1,1,10,10,10,0,10,10,0,10,10,10,10,10,10,10,0",
    ),
    "generated-06": (
        91,
        "10,-,1,0,1,1,1,1,1,1,0,1,10,1,10,1,1,1,1,1,1,1,1,1,1,1,1,0,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,5,0,3,1,0,-,0,1,1,1,1,1,1,1,1,1,1,1,1,1,1,10,10,10,10,10,10,10,10,10,10,10,10,10,10,0",
    ),
    "generated-07": (
        72,
        "10,-,1,1,1,-,1,1,0,1,1,1,-,1,-,-,1,0,1,1,1,1,1,1,1,0,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,5,1,3,1,1,-,0,0,1,1,1,1,1,1,1,1,1,0,0,0,0,10,0,0,0,0,0,0,0,0,0,10,0,10,0,0",
    ),
    "generated-08": (
        66,
        "0,0,1,1,1,0,1,0,1,0,1,1,10,1,3,1,1,1,1,0,1,0,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,5,0,3,1,0,0,1,1,1,0,0,1,0,0,1,0,0,0,0,0,1,10,10,10,0,10,10,10,10,10,10,10,10,0,10,0",
    ),
    "generated-09": (
        88,
        "10,-,1,1,1,1,1,1,1,1,1,1,10,1,10,1,0,1,0,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,5,0,3,0,0,-,0,1,1,0,0,1,0,0,1,0,1,1,1,1,1,8,10,10,10,10,10,10,10,10,10,10,10,10,10,0",
    ),
    "generated-10": (
        59,
        "0,0,1,0,1,1,1,0,1,1,1,1,10,1,3,1,1,1,1,0,0,0,0,0,0,0,0,0,0,0,0,0,0,1,0,0,0,0,0,0,0,0,0,0,0,5,0,3,1,0,1,0,1,1,1,1,1,1,1,1,1,1,0,0,0,0,10,10,10,10,10,10,10,10,10,10,10,10,10,10,0",
    ),
    "generated-11": (
        88,
        "10,-,0,1,1,1,1,1,1,1,1,1,10,1,10,1,1,1,1,1,1,1,1,1,0,1,1,1,1,0,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,5,0,3,1,0,-,0,1,0,1,1,1,1,1,1,1,1,1,1,1,1,10,10,10,10,10,10,10,10,10,10,10,10,10,0,0",
    ),
    "generated-12": (
        88,
        "10,-,1,1,0,-,1,1,1,1,0,1,-,0,-,-,1,1,1,1,1,1,1,1,1,1,1,0,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,0,3,1,0,-,0,1,1,1,1,1,1,1,1,1,1,1,1,1,1,10,10,10,10,10,10,10,10,10,10,10,10,10,10,0",
    ),
    "generated-13": (
        61,
        "9,0,1,1,0,0,1,1,1,0,1,1,10,1,10,0,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,5,0,3,1,0,1,1,1,1,0,0,1,0,0,1,0,1,0,0,0,0,10,0,0,0,0,0,0,0,0,0,0,9,0,10,0",
    ),
    "generated-14": (
        93,
        "10,-,1,1,1,1,1,1,1,1,0,1,10,1,10,1,1,1,1,1,1,1,1,1,1,1,1,0,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,5,0,3,1,0,-,0,1,1,1,1,1,1,1,1,1,1,1,1,1,1,10,10,10,10,10,10,10,10,10,10,10,10,10,10,0",
    ),
    "generated-15": (
        92,
        "10,-,1,1,1,1,1,0,1,1,1,1,10,1,10,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,5,0,3,1,0,-,0,1,0,1,1,1,1,1,1,1,1,1,1,1,1,10,10,10,10,10,10,10,10,10,10,10,10,10,10,0",
    ),
    "generated-16": (
        52,
        "10,-,1,0,1,1,1,1,1,0,1,1,10,1,10,1,1,1,1,0,0,0,0,0,0,0,0,0,0,0,0,0,0,1,0,0,0,0,0,0,0,0,0,0,0,5,0,3,1,0,-,0,1,1,0,0,0,0,0,0,0,0,0,0,0,0,10,10,10,10,10,10,10,10,10,10,10,10,0,10,0",
    ),
    "generated-17": (
        87,
        "10,-,1,1,1,1,1,1,1,0,1,1,10,1,10,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,5,0,0,1,0,-,0,1,1,1,1,1,1,1,1,1,0,0,0,0,1,10,10,10,10,10,10,10,10,10,10,10,10,10,10,0",
    ),
    "generated-18": (
        80,
        "10,-,1,1,0,1,0,1,1,1,1,1,10,0,10,1,1,1,1,0,1,1,1,1,1,1,1,1,1,1,1,1,0,1,1,1,1,1,1,1,1,1,1,1,0,5,0,3,0,0,-,0,1,1,1,1,1,1,1,1,1,0,0,0,0,1,10,10,10,10,10,10,10,10,10,10,10,10,5,10,0",
    ),
    "generated-19": (
        72,
        "10,-,1,1,1,-,0,1,1,1,1,1,-,1,-,-,0,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,2,0,3,1,0,-,0,0,1,1,1,1,1,1,1,1,1,1,0,0,0,10,0,0,0,0,0,0,0,0,0,0,0,10,10,1",
    ),
    "generated-20": (
        63,
        "10,-,1,1,1,1,1,1,0,0,1,1,10,0,10,0,1,1,1,1,0,0,0,0,0,0,0,0,0,0,0,0,0,1,0,0,0,0,0,0,0,0,0,0,0,5,0,3,1,0,-,0,1,1,1,1,1,1,1,1,1,0,1,0,0,0,10,10,10,10,10,10,10,10,10,10,10,10,10,10,0",
    ),
    "generated-21": (
        61,
        "0,1,1,0,1,0,1,1,1,1,1,0,5,1,0,1,1,1,0,1,1,1,0,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,0,1,1,1,1,5,0,3,0,0,0,0,0,0,1,1,1,1,1,1,1,1,1,1,1,1,10,0,0,0,0,0,0,0,0,0,0,0,10,5,0",
    ),
    "generated-22": (
        66,
        "10,-,0,1,1,1,1,0,0,1,1,1,10,1,0,1,1,0,0,1,1,1,1,1,0,0,1,1,1,0,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,0,1,3,0,0,-,0,1,1,1,1,1,1,1,1,1,1,1,1,1,1,10,0,0,0,0,0,0,0,0,0,10,0,0,0,0",
    ),
    "generated-23": (
        93,
        "10,-,1,1,1,-,0,1,1,1,1,1,-,0,-,-,0,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,5,0,3,1,0,-,0,1,1,1,1,1,1,1,1,1,1,1,1,1,1,10,10,10,10,10,10,10,10,10,10,10,10,10,10,0",
    ),
    "generated-24": (
        93,
        "10,-,1,1,1,1,1,1,1,1,1,1,10,1,10,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,5,0,3,1,0,-,0,0,1,1,1,1,1,1,1,1,1,1,1,1,1,10,10,10,10,10,10,10,10,10,10,10,10,10,0,0",
    ),
    "generated-25": (
        59,
        "10,-,1,1,1,1,0,1,0,1,0,0,1,1,3,1,0,0,1,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,5,0,3,1,0,-,0,1,0,1,1,1,1,1,1,1,1,1,1,1,1,10,10,10,10,10,10,10,10,10,10,10,10,10,10,0",
    ),
    "generated-26": (
        81,
        "9,0,1,1,1,0,0,1,1,1,1,1,5,1,0,1,1,0,0,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,5,0,3,1,0,0,1,1,0,1,1,1,1,1,1,1,1,0,0,0,0,10,10,10,10,10,10,10,10,10,10,10,10,10,10,0",
    ),
    "generated-27": (
        83,
        "10,-,1,1,1,1,1,1,1,1,1,1,5,1,10,0,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,5,0,1,1,0,-,0,1,1,1,1,0,1,1,0,1,0,1,1,0,0,0,10,10,10,10,10,10,10,10,10,10,10,10,10,0",
    ),
    "generated-28": (
        78,
        "0,0,1,1,1,0,1,0,1,0,1,1,5,1,0,1,1,0,0,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,5,0,3,1,0,0,0,1,0,1,1,1,1,1,1,1,1,1,1,1,1,8,10,10,10,10,10,10,10,10,10,10,10,10,0,0",
    ),
    "generated-29": (
        77,
        "10,-,1,1,1,1,1,1,1,1,1,0,10,0,10,1,0,1,1,1,1,1,0,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,0,1,1,1,1,5,1,3,1,0,-,0,1,1,1,1,1,1,1,1,1,1,1,1,1,1,10,0,0,0,0,0,0,0,0,0,0,9,0,10,0",
    ),
    "generated-30": (
        94,
        "10,-,1,1,1,1,1,1,1,1,1,1,10,1,10,0,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,5,1,0,1,0,-,0,1,1,1,1,1,1,1,1,1,1,1,1,1,1,10,10,10,10,10,10,10,10,10,10,10,10,0,10,0",
    ),
    "generated-31": (
        81,
        "10,-,0,1,1,1,0,1,1,1,1,1,10,1,0,1,1,1,1,1,1,1,1,1,0,1,1,1,1,0,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,5,1,1,1,0,-,0,1,0,1,1,1,1,1,1,1,1,0,0,0,0,10,10,10,10,10,10,10,10,10,10,10,10,10,0,1",
    ),
    "generated-32": (
        82,
        "10,-,1,1,1,1,0,1,0,0,1,1,10,1,10,1,1,1,1,1,1,1,1,1,1,0,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,0,3,1,0,-,0,1,1,1,1,1,1,1,1,1,0,0,0,0,0,10,10,10,10,10,10,10,10,10,10,10,10,10,10,0",
    ),
    "generated-33": (
        94,
        "10,-,1,1,1,1,1,1,1,1,1,1,10,1,10,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,5,0,3,1,0,-,0,1,1,1,1,1,1,1,1,1,1,1,1,1,1,8,10,10,10,10,10,10,10,10,10,10,10,0,10,0",
    ),
    "generated-34": (
        71,
        "9,0,0,1,0,0,1,1,1,1,1,1,10,1,10,0,1,1,0,1,1,1,1,1,0,1,1,1,1,0,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,5,0,3,0,0,1,0,0,1,1,1,1,1,1,1,1,0,1,1,0,0,10,10,10,10,10,10,10,10,10,10,10,10,0,0,0",
    ),
    "generated-35": (
        94,
        "10,-,1,1,1,1,1,1,1,1,1,1,10,1,10,1,1,1,0,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,5,0,3,1,0,-,0,1,1,1,1,1,1,1,1,1,1,1,1,1,1,10,10,10,10,10,10,10,10,10,10,10,10,10,10,0",
    ),
    "generated-36": (
        86,
        "10,-,0,1,1,1,1,1,1,1,1,1,10,1,10,1,1,0,1,1,1,1,1,1,0,1,1,1,1,0,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,5,0,1,1,0,-,0,1,1,1,1,1,1,1,1,1,1,1,1,1,1,10,10,10,10,10,10,10,10,10,10,10,10,0,0,0",
    ),
    "generated-37": (
        78,
        "0,0,0,1,1,0,0,1,1,1,1,1,5,1,0,0,1,1,0,1,1,1,1,1,0,1,1,1,1,0,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,3,1,1,0,0,1,0,1,1,1,1,1,1,1,1,1,1,1,1,0,10,10,10,10,10,10,10,10,10,10,10,10,5,0",
    ),
    "generated-38": (
        84,
        "10,-,1,0,1,0,1,1,1,1,1,1,10,1,10,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,5,0,3,1,0,-,0,1,0,1,1,1,1,1,1,1,0,0,0,0,1,10,10,10,10,10,10,10,10,10,10,10,10,0,10,0",
    ),
    "generated-39": (
        78,
        "0,0,1,1,1,0,1,1,1,1,1,0,5,1,0,1,1,1,0,1,1,1,0,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,0,1,1,1,1,5,0,3,0,0,0,0,1,0,1,1,1,1,1,1,1,1,1,1,1,1,0,10,10,10,10,10,10,10,10,10,10,10,10,5,1",
    ),
    "generated-40": (
        96,
        "10,-,1,1,1,1,1,1,1,1,1,1,10,1,10,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,5,0,3,1,0,-,0,1,1,1,1,1,1,1,1,1,1,1,1,1,1,10,10,10,10,10,10,10,10,10,10,10,10,10,10,0",
    ),
    "generated-41": (
        84,
        "10,-,1,1,1,0,1,1,1,0,1,1,5,1,0,1,1,1,0,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,5,0,3,1,0,-,0,1,0,1,1,1,1,1,1,1,1,1,1,1,1,0,10,10,10,10,10,10,10,10,10,10,10,10,10,0",
    ),
    "generated-42": (
        60,
        "10,-,1,1,1,1,1,1,0,1,1,1,10,1,10,1,1,1,1,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,5,0,3,1,0,-,1,1,1,1,1,1,1,1,1,1,0,0,0,0,0,10,10,10,10,10,10,10,10,10,10,10,10,0,10,0",
    ),
    "generated-43": (
        96,
        "10,-,1,1,1,1,1,1,1,1,1,1,10,1,10,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,5,0,3,1,0,-,0,1,1,1,1,1,1,1,1,1,1,1,1,1,1,10,10,10,10,10,10,10,10,10,10,10,10,10,10,0",
    ),
    "generated-44": (
        85,
        "10,-,1,1,1,1,1,0,0,1,1,1,5,0,10,1,1,1,1,1,1,1,1,1,1,0,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,5,0,3,0,0,-,0,1,1,1,1,1,1,1,1,1,1,0,0,0,0,10,10,10,10,10,10,10,10,10,10,10,10,10,10,0",
    ),
    "generated-45": (
        64,
        "10,-,1,1,1,1,1,1,1,1,0,0,10,1,10,1,1,1,1,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,5,0,1,1,0,-,1,0,1,1,1,1,1,1,1,1,1,1,1,1,1,10,10,10,10,10,10,10,10,10,10,10,10,10,5,0",
    ),
    "generated-46": (
        87,
        "10,-,1,1,1,1,1,0,1,1,0,1,1,1,10,1,1,1,1,1,1,1,1,1,1,1,1,0,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,0,0,3,1,1,-,0,1,1,1,1,1,1,1,1,1,0,0,0,0,1,10,10,10,10,10,10,10,10,10,10,10,10,10,10,0",
    ),
    "generated-47": (
        75,
        "10,-,1,1,1,-,1,0,1,1,1,1,-,0,-,-,1,1,1,0,1,0,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,5,0,0,1,0,-,0,0,1,0,0,0,0,0,0,0,1,1,1,1,1,10,10,10,10,10,10,10,10,10,10,10,10,0,10,0",
    ),
    "generated-48": (
        71,
        "10,-,1,1,0,1,1,1,1,0,1,1,10,1,10,1,1,0,0,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,10,0,3,0,0,-,0,0,1,1,1,1,1,1,1,1,1,1,1,1,1,10,0,0,0,0,0,0,0,0,0,0,0,10,10,0",
    ),
    "generated-49": (
        96,
        "10,-,1,1,1,1,1,1,1,1,1,1,10,0,10,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,5,0,3,1,0,-,0,1,1,1,1,1,1,1,1,1,1,1,1,1,1,10,10,10,10,10,10,10,10,10,10,10,10,10,10,0",
    ),
    "generated-50": (
        53,
        "10,-,1,1,1,0,1,1,1,1,0,1,10,1,10,1,1,1,1,1,0,0,0,0,0,0,0,0,0,0,0,0,0,1,0,0,0,0,0,0,0,0,0,0,0,5,0,3,1,1,-,0,0,1,0,0,0,0,0,0,0,0,0,0,0,0,8,10,10,10,10,10,10,10,10,10,10,10,0,0,0",
    ),
    "generated-51": (
        92,
        "10,-,1,0,1,1,1,1,1,1,1,1,10,1,10,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,5,0,0,1,0,-,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,10,10,10,10,10,10,10,10,10,10,10,10,10,10,0",
    ),
    "generated-52": (
        94,
        "10,-,1,1,1,1,1,1,1,1,1,1,10,0,5,1,0,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,0,0,3,1,0,-,0,1,1,1,1,1,1,1,1,1,1,1,1,1,1,10,10,10,10,10,10,10,10,10,10,10,10,0,10,1",
    ),
    "generated-53": (
        54,
        "0,0,0,1,0,0,1,1,1,1,1,1,5,1,0,1,1,1,0,0,0,0,1,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,5,0,3,1,1,0,1,1,0,1,1,1,1,1,1,1,1,1,1,1,1,8,10,10,10,10,10,10,10,10,10,10,10,5,5,0",
    ),
    "generated-54": (
        58,
        "0,0,1,1,1,0,1,1,1,1,1,0,5,0,0,0,1,1,0,0,1,0,0,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,0,1,1,1,1,5,0,3,1,0,0,0,1,0,0,0,0,0,0,0,0,0,1,1,0,0,8,10,10,10,10,10,10,10,10,10,10,10,0,10,0",
    ),
    "generated-55": (
        83,
        "0,0,1,1,1,-,1,1,1,1,1,1,-,1,-,-,1,1,0,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,5,0,3,1,0,0,1,1,0,1,1,1,1,1,1,1,1,1,0,0,0,10,10,10,10,10,10,10,10,10,10,10,10,10,10,0",
    ),
    "generated-56": (
        88,
        "10,-,0,1,1,1,1,1,1,1,1,1,10,1,10,1,1,0,1,1,1,1,1,1,0,1,1,1,1,0,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,5,1,3,1,0,-,0,0,1,1,1,1,1,1,1,1,1,1,1,1,0,10,10,10,10,10,10,10,10,10,10,10,10,10,0,0",
    ),
    "generated-57": (
        88,
        "10,-,1,1,1,0,1,1,0,1,1,1,10,0,10,0,0,1,1,1,1,1,1,1,1,0,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,5,0,3,1,0,-,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,10,9,9,9,9,9,9,9,9,9,9,9,10,10,0",
    ),
    "generated-58": (
        56,
        "10,-,0,1,0,0,1,1,1,1,1,0,10,1,0,1,1,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,5,0,3,1,0,-,0,1,1,1,1,1,1,1,1,1,1,1,1,1,1,10,10,10,10,10,10,10,10,10,10,10,10,10,5,0",
    ),
    "generated-59": (
        65,
        "10,-,1,1,1,-,1,1,0,0,1,1,-,1,-,-,1,1,1,0,0,0,0,0,0,0,0,0,0,0,0,0,0,1,0,0,0,0,0,0,0,0,0,0,0,5,0,3,1,0,-,1,0,1,1,1,1,1,1,1,1,1,1,1,1,1,8,10,10,10,10,10,10,10,10,10,10,10,10,10,0",
    ),
}

if __name__ == "__main__":
    print(record())
