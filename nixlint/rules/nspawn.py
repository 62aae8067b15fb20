"""1xx: containers — NixOS (systemd-nspawn) containers given host devices, or whose extra
flags turn user namespacing off."""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterator

from nixlint import schema
from nixlint.evaluate.values import AttrSet
from nixlint.findings import Confidence, Severity
from nixlint.rules.base import Hit, HostContext, attr, confidence_for, known_text, rule, when
from nixlint.rules.containers import nixos_containers

NSPAWN_REFS = (
    "https://nixos.org/manual/nixos/stable/#ch-containers",
    "https://search.nixos.org/options?query=containers.%3Cname%3E",
)

_BLOCK = re.compile(
    r"^(?:/dev/(?:sd[a-z]|nvme\d|vd[a-z]|xvd[a-z]|hd[a-z]|mmcblk\d|dm-\d|md\d|loop\d|"
    r"mapper/|disk/|zd\d|nbd\d|bcache\d)|block-)"
)
_MEMORY = frozenset({"/dev/mem", "/dev/kmem", "/dev/port"})


@rule(
    "NIX118",
    "container-block-device-access",
    category="containers",
    severity=Severity.HIGH,
    summary="A NixOS container may use a host block device or the host's memory",
    cwe=250,
    rationale="""
    `allowedDevices` opens the container's device cgroup to a host device. A disk or
    partition with write (`w`) or create (`m`) access lets the container rewrite the file
    systems of the host underneath it; read access alone still reads every file on it,
    permissions notwithstanding. `/dev/mem` is the host's physical memory.
    """,
    remediation="""
    Give the container a directory instead of the device, or a device it needs that holds
    no host data:
    ```nix
    containers.backup.bindMounts."/data" = { hostPath = "/srv/backup"; isReadOnly = false; };
    containers.backup.allowedDevices = [ ];
    ```
    """,
    caveat="""
    A container that formats or images disks (an installer, a backup tool) needs the device:
    give it a disk the host does not use, by its stable `/dev/disk/by-id/` path, and read
    access only where it only reads.
    """,
    references=(
        "https://search.nixos.org/options?query=containers.%3Cname%3E.allowedDevices",
        "https://www.freedesktop.org/software/systemd/man/latest/systemd.resource-control.html#DeviceAllow=",
        *NSPAWN_REFS,
    ),
    bad="""
    {
      containers.backup = {
        privateUsers = "pick";
        allowedDevices = [ { node = "/dev/sda"; modifier = "rwm"; } ];
        config = { };
      };
    }
    """,
    good="""
    {
      containers.backup = {
        privateUsers = "pick";
        allowedDevices = [ { node = "/dev/net/tun"; modifier = "rwm"; } ];
        config = { };
      };
    }
    """,
)
def container_block_device_access(ctx: HostContext) -> Iterator[Hit]:
    """Flags `containers.<name>.allowedDevices` entries for a block device (`/dev/sd*`,
    `/dev/nvme*`, `/dev/mapper/…`, `/dev/disk/…`, a `block-…` class) with `w` or `m` in
    `modifier` (high) or read-only (medium), and for `/dev/mem`, `/dev/kmem`, `/dev/port`
    (critical)."""
    for name, path in nixos_containers(ctx):
        option = schema.join((*path, "allowedDevices"))
        for item in ctx.items((*path, "allowedDevices")):
            entry = item.value
            if not isinstance(entry, AttrSet):
                continue
            node = known_text(attr(entry, "node"))
            modifier = known_text(attr(entry, "modifier"))
            if node is None or modifier is None or "…" in node:
                continue
            device = posixpath.normpath(node) if node.startswith("/") else node
            if device in _MEMORY:
                severity, what = Severity.CRITICAL, "the host's physical memory"
            elif _BLOCK.match(device):
                writes = bool(set(modifier) & {"w", "m"})
                severity = Severity.HIGH if writes else Severity.MEDIUM
                what = (
                    "a writable host block device, so it can rewrite the host's file systems"
                    if writes
                    else "a host block device, so it can read every file on it"
                )
            else:
                continue
            yield Hit(
                item.span,
                f"container '{name}' may use {node} ({modifier}), {what}{when(item.conditional)}; "
                "give it a directory (bindMounts) instead of the device",
                option,
                severity=severity,
                confidence=confidence_for(Confidence.HIGH, item.conditional),
            )


_PRIVATE_USERS = re.compile(r"^(?:--private-users|-U)(?:=(.*))?$")


@rule(
    "NIX119",
    "container-userns-disabled-by-flag",
    category="containers",
    severity=Severity.HIGH,
    summary="A NixOS container's extraFlags turn user namespacing off",
    cwe=250,
    rationale="""
    `extraFlags` come after the flags NixOS derives from `privateUsers` on the
    systemd-nspawn command line, and the last one wins: `--private-users=no` undoes
    `privateUsers = "pick"`, and root in the container is root on the host again, while the
    configuration still looks confined. `identity` and a base of 0 map the container's root
    to the host's root too.
    """,
    remediation="""
    Remove the flag and set user namespacing with the option:
    ```nix
    containers.web.privateUsers = "pick";
    containers.web.extraFlags = [ ];
    ```
    """,
    caveat="""
    With user namespacing, files the container writes on bind mounts belong to a high UID
    range: existing data may need a `chown` (or an id-mapped mount) first.
    """,
    references=(
        "https://www.freedesktop.org/software/systemd/man/latest/systemd-nspawn.html#--private-users=",
        "https://search.nixos.org/options?query=containers.%3Cname%3E.extraFlags",
        *NSPAWN_REFS,
    ),
    bad="""
    {
      containers.web = {
        privateUsers = "pick";
        extraFlags = [ "--private-users=no" ];
        config = { };
      };
    }
    """,
    good="""
    {
      containers.web = {
        privateUsers = "pick";
        extraFlags = [ "--private-network" ];
        config = { };
      };
    }
    """,
)
def container_userns_disabled_by_flag(ctx: HostContext) -> Iterator[Hit]:
    """Flags `--private-users=no` (or `false`) in `containers.<name>.extraFlags` (high), and
    `--private-users=identity` or a UID base of 0 (`--private-users=0`, `0:65536`) (medium).
    Each element may hold several flags, as NixOS passes them to the shell unquoted."""
    for name, path in nixos_containers(ctx):
        option = schema.join((*path, "extraFlags"))
        for item in ctx.items((*path, "extraFlags")):
            for word in (item.text or "").split():
                match = _PRIVATE_USERS.match(word.strip("\"'"))
                if match is None or match.group(1) is None:
                    continue
                value = match.group(1).strip("\"'").lower()
                if value in ("no", "false", "off"):
                    severity, what = Severity.HIGH, "turns user namespacing off"
                elif value == "identity" or value == "0" or value.startswith("0:"):
                    severity, what = Severity.MEDIUM, "maps the container's root to the host's root"
                else:
                    continue
                yield Hit(
                    item.span_of(re.compile(re.escape(word))),
                    f"container '{name}' extraFlags {word} {what}, overriding privateUsers"
                    f"{when(item.conditional)}: root in the container is root on the host; "
                    'remove the flag and set privateUsers = "pick"',
                    option,
                    severity=severity,
                    confidence=confidence_for(Confidence.HIGH, item.conditional),
                )
