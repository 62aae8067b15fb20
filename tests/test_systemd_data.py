"""The data nixlint takes from systemd 252 — the assessor table and the system-call groups —
checked against the ``systemd-analyze`` installed here (skipped where there is none)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from nixlint.systemd.table import SYSTEMD_VERSION, assessors, syscalls

needs_systemd = pytest.mark.skipif(
    shutil.which("systemd-analyze") is None, reason="systemd-analyze is not installed"
)


def run(*args: str) -> str:
    env = {**os.environ, "SYSTEMD_ANALYZE_DEBUG": "1", "SYSTEMD_COLORS": "0"}
    done = subprocess.run(
        ["systemd-analyze", *args], capture_output=True, text=True, env=env, check=False
    )
    return done.stdout


def test_table_data_is_consistent() -> None:
    groups = syscalls().groups
    for a in assessors():
        assert a.weight > 0 and a.range > 0, a.id
        assert (a.kind == "syscall_filter") == bool(a.group), a.id
        if a.group:
            assert a.group in groups
            assert syscalls().expand(a.group), a.group
    assert len({a.id for a in assessors()}) == len(assessors())
    assert SYSTEMD_VERSION == "252"


@needs_systemd
def test_the_installed_systemd_is_the_one_followed() -> None:
    assert run("--version").startswith(f"systemd {SYSTEMD_VERSION} ")


@needs_systemd
def test_weights_and_ranges_match_systemd_analyze(tmp_path: Path) -> None:
    unit = tmp_path / "bare.service"
    unit.write_text("[Service]\nExecStart=/bin/true\n")
    rows = {}
    for line in run("security", "--offline=yes", str(unit)).splitlines():
        found = re.match(r"^.{2}(\S+=\S*)\s.*?\s(\d+)\s+(\d+)\s+(\d+)(?:\s+\d+\.\d)?\s*$", line)
        if found:
            rows[found.group(1)] = (int(found.group(2)), int(found.group(4)))
    assert rows == {a.id: (a.weight, a.range) for a in assessors()}


@needs_systemd
def test_syscall_groups_match_systemd_analyze() -> None:
    groups: dict[str, list[str]] = {}
    current: list[str] | None = None
    for line in run("syscall-filter").splitlines():
        if line.startswith("@"):
            current = groups.setdefault(line.strip(), [])
        elif line.strip() and not line.strip().startswith("#") and current is not None:
            current.append(line.strip())
    assert groups == {name: list(members) for name, members in syscalls().groups.items()}
