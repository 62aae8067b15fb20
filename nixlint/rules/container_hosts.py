"""1xx: containers — the container and VM hosts themselves: who can use the runtimes (groups
that are root-equivalent), runtime APIs on the network, and QEMU running as root."""

from __future__ import annotations

import re
from collections.abc import Iterator

from nixlint import schema
from nixlint.findings import Confidence, Severity
from nixlint.rules.base import (
    Hit,
    HostContext,
    Item,
    RootGroup,
    confidence_for,
    known_text,
    root_equivalent_groups,
    rule,
    when,
)
from nixlint.rules.table import OptionCheck, Requires, equals, table_rule

DOCKER = "virtualisation.docker"


def _display(name: str) -> str:
    return "…" if name == "*" else name


@rule(
    "NIX120",
    "root-equivalent-group",
    category="containers",
    severity=Severity.MEDIUM,
    summary="A user is in a group whose members can become root (docker, libvirtd, lxd…)",
    cwe=269,
    rationale="""
    Membership in `docker` (with Docker enabled), `podman` (with its Docker-compatible
    socket), `lxd`, `incus-admin` or `libvirtd` lets a user start a container or VM with the
    host's root file system mounted: root without a password, without sudo's log, and for
    any program running as that user. `disk` reads and writes the raw disks. It is root
    access that does not look like it.
    """,
    remediation="""
    Leave the group out and use the runtime through sudo, or rootless:
    ```nix
    users.users.alice.extraGroups = [ "wheel" ];
    virtualisation.docker.rootless = { enable = true; setSocketVariable = true; };
    ```
    """,
    caveat="""
    The user's tools (docker CLI, virt-manager, IDE integrations) stop working without
    sudo; rootless Docker cannot bind ports below 1024 or use some storage drivers. Decide
    per user whether root access is intended — then suppress the finding with that reason.
    """,
    references=(
        "https://docs.docker.com/engine/security/#docker-daemon-attack-surface",
        "https://search.nixos.org/options?query=users.users.%3Cname%3E.extraGroups",
        "https://wiki.nixos.org/wiki/Docker",
    ),
    bad="""
    {
      virtualisation.docker.enable = true;
      users.users.alice = {
        isNormalUser = true;
        extraGroups = [ "wheel" "docker" ];
      };
    }
    """,
    good="""
    {
      virtualisation.docker.enable = true;
      users.users.alice = {
        isNormalUser = true;
        extraGroups = [ "wheel" ];
      };
    }
    """,
)
def root_equivalent_group(ctx: HostContext) -> Iterator[Hit]:
    """Flags `users.users.<name>.extraGroups` entries (and `users.groups.<group>.members`)
    naming a group of `schema/groups.json` whose condition holds on the host: `docker` when
    `virtualisation.docker.enable`, `podman` when `virtualisation.podman.dockerSocket.enable`,
    `lxd`, `incus-admin`, `libvirtd` when their service is enabled, `disk` always. A
    condition nixlint cannot decide lowers the confidence; root itself is not reported."""
    groups = {g.name: g for g in root_equivalent_groups(ctx) if g.active is not False}
    if not groups:
        return
    for user_path in ctx.match("users.users.*"):
        user = user_path[-1]
        if user == "root":
            continue
        option = schema.join((*user_path, "extraGroups"))
        for item in ctx.items((*user_path, "extraGroups")):
            group = groups.get(item.text or "")
            if group is not None:
                yield _group_hit(item, _display(user), group, option)
    for group_path in ctx.match("users.groups.*"):
        group = groups.get(group_path[-1])
        if group is None:
            continue
        option = schema.join((*group_path, "members"))
        for item in ctx.items((*group_path, "members")):
            member = item.text
            if member and member != "root":
                yield _group_hit(item, member, group, option)


def _group_hit(item: Item, user: str, group: RootGroup, option: str) -> Hit:
    undecided = group.active is None
    condition = f" (if {group.condition} is true, which nixlint cannot decide)" if undecided else ""
    return Hit(
        item.span,
        f"user '{user}' is in group '{group.name}'{condition}{when(item.conditional)}: "
        f"{group.why}, so the user is root without a password; remove the group, or use "
        "the runtime through sudo or rootless",
        option,
        confidence=confidence_for(
            Confidence.HIGH if not undecided else Confidence.MEDIUM, item.conditional
        ),
    )


# -- NIX121 Docker over TCP ---------------------------------------------------------------

_LOOPBACK = re.compile(r"^(?:127\.[0-9.]+|localhost|\[?::1\]?)$")
_HOST_FLAG = re.compile(r"(?:^|\s)(?:-H|--host)(?:[ \t]*=?[ \t]*)(tcp://\S+)")


def _tcp_address(entry: str) -> str | None:
    """The address of a TCP endpoint in ``listenOptions`` (systemd ListenStream syntax) or
    a daemon ``hosts`` entry; None for a Unix socket or ``fd://``."""
    entry = entry.strip()
    if entry.startswith("tcp://"):
        rest = entry[len("tcp://") :].split("/", 1)[0]
        return rest.rsplit(":", 1)[0] if ":" in rest.lstrip("[").split("]")[-1] else rest
    if entry.startswith(("/", "@", "unix://", "fd://", "npipe://", "ssh://")) or not entry:
        return None
    if entry.isdigit():
        return ""  # a port alone: every address
    if entry.startswith("["):
        return entry[1:].split("]", 1)[0]
    if ":" in entry:
        return entry.rsplit(":", 1)[0]
    return None


def _tls(ctx: HostContext) -> bool:
    tlsverify, conditional, _ = ctx.effective(f"{DOCKER}.daemon.settings.tlsverify")
    if tlsverify is True and not conditional:
        return True
    options = known_text(ctx.effective(f"{DOCKER}.extraOptions")[0]) or ""
    return "--tlsverify" in options


@rule(
    "NIX121",
    "docker-tcp-socket",
    category="containers",
    severity=Severity.CRITICAL,
    summary="The Docker daemon's API listens on a TCP port",
    cwe=306,
    rationale="""
    The Docker API has no authentication of its own: whoever reaches the port can run a
    privileged container with the host's root file system mounted. On a network address
    that is root for the network (Docker API ports are scanned for constantly); on loopback
    it is root for every local user and process, past the `docker` group's permissions.
    TLS client verification (`tlsverify`) limits it to holders of a client certificate.
    """,
    remediation="""
    Keep the Unix socket only, and reach a remote daemon over SSH
    (`DOCKER_HOST=ssh://host`):
    ```nix
    virtualisation.docker.listenOptions = [ "/run/docker.sock" ];
    ```
    """,
    caveat="""
    Remote clients (CI runners, Portainer agents) that used the TCP port must switch to SSH
    or to a TLS-protected port with client certificates before the port is closed.
    """,
    references=(
        "https://docs.docker.com/engine/security/protect-access/",
        "https://search.nixos.org/options?query=virtualisation.docker.listenOptions",
    ),
    bad="""
    {
      virtualisation.docker = {
        enable = true;
        listenOptions = [ "/run/docker.sock" "0.0.0.0:2375" ];
      };
    }
    """,
    good="""
    {
      virtualisation.docker = {
        enable = true;
        listenOptions = [ "/run/docker.sock" ];
      };
    }
    """,
)
def docker_tcp_socket(ctx: HostContext) -> Iterator[Hit]:
    """Flags TCP endpoints in `virtualisation.docker.listenOptions` (`2375`,
    `0.0.0.0:2375`, `[::]:2376`…), in `virtualisation.docker.daemon.settings.hosts`
    (`tcp://…`) and as `-H tcp://…`/`--host=tcp://…` in `virtualisation.docker.extraOptions`:
    critical on a network address, high on loopback, medium with `tlsverify`."""
    tls = _tls(ctx)
    for key in ("listenOptions", "daemon.settings.hosts"):
        option = f"{DOCKER}.{key}"
        for item in ctx.items(option):
            text = item.text
            if text is None or "…" in text:
                continue
            address = _tcp_address(text)
            if address is not None:
                yield _docker_hit(item, text, address, tls, option)
    for item in ctx.candidate_values(f"{DOCKER}.extraOptions"):
        for match in _HOST_FLAG.finditer(known_text(item.value) or ""):
            endpoint = match.group(1)
            address = _tcp_address(endpoint)
            if address is not None:
                located = Item(
                    item.value,
                    item.span_of(re.compile(re.escape(endpoint))),
                    item.definition,
                    item.conditional,
                    item.thunk,
                )
                yield _docker_hit(located, endpoint, address, tls, f"{DOCKER}.extraOptions")


def _docker_hit(item: Item, endpoint: str, address: str, tls: bool, option: str) -> Hit:
    loopback = bool(_LOOPBACK.match(address))
    if tls:
        severity, who = Severity.MEDIUM, "whoever holds a client certificate"
    elif loopback:
        severity, who = Severity.HIGH, "every local user and process (not only the docker group)"
    else:
        severity, who = Severity.CRITICAL, "anyone who reaches the port"
    return Hit(
        item.span,
        f"the Docker API listens on {endpoint}{when(item.conditional)}: {who} can run a "
        "privileged container with the host's file system, which is root on the host; keep "
        "the Unix socket only and reach remote daemons over SSH",
        option,
        severity=severity,
        confidence=confidence_for(Confidence.HIGH, item.conditional),
    )


# -- NIX122 Podman's network socket -------------------------------------------------------

PODMAN_SOCKET = "virtualisation.podman.networkSocket"


@rule(
    "NIX122",
    "podman-network-socket",
    category="containers",
    severity=Severity.MEDIUM,
    summary="Podman's API is served on the network",
    cwe=284,
    rationale="""
    `networkSocket` serves the rootful Podman API over TLS on port 2376, by default on every
    address. Each client certificate the CA signs is root on the host: it can run a
    privileged container with the host's file system. With `openFirewall` the port is open
    to every network the host is on.
    """,
    remediation="""
    Use Podman remotely over SSH (`podman --url ssh://…`) instead of a network socket, or
    listen on one trusted address without opening the firewall:
    ```nix
    virtualisation.podman.networkSocket = {
      enable = true;
      listenAddress = "10.0.0.5";
      openFirewall = false;
    };
    ```
    """,
    caveat="""
    Remote clients must switch to SSH, or reach the address through the trusted network,
    before the socket is closed.
    """,
    references=(
        "https://search.nixos.org/options?query=virtualisation.podman.networkSocket",
        "https://docs.podman.io/en/latest/markdown/podman-system-service.1.html",
    ),
    bad="""
    {
      virtualisation.podman.networkSocket = {
        enable = true;
        openFirewall = true;
      };
    }
    """,
    good="""
    {
      virtualisation.podman.enable = true;
    }
    """,
)
def podman_network_socket(ctx: HostContext) -> Iterator[Hit]:
    """Flags `virtualisation.podman.networkSocket.enable = true`: medium, high with
    `openFirewall = true` on a non-loopback `listenAddress` (the default, `0.0.0.0`), low
    on loopback."""
    firewall, _, _ = ctx.effective(f"{PODMAN_SOCKET}.openFirewall")
    address, _, _ = ctx.effective(f"{PODMAN_SOCKET}.listenAddress")
    loopback = isinstance(address, str) and bool(_LOOPBACK.match(address))
    for item in ctx.candidate_values(f"{PODMAN_SOCKET}.enable"):
        if item.value is not True:
            continue
        if loopback:
            severity, where_ = Severity.LOW, f"on loopback ({address})"
        elif firewall is True:
            severity, where_ = Severity.HIGH, "with the firewall opened for it"
        else:
            severity = None
            where_ = f"on {address}" if isinstance(address, str) else "on the network"
        yield Hit(
            item.span,
            f"Podman's API is served {where_}{when(item.conditional)}: every client "
            "certificate is root on the host; use Podman over SSH instead",
            f"{PODMAN_SOCKET}.enable",
            severity=severity,
            confidence=confidence_for(Confidence.HIGH, item.conditional),
        )


# -- NIX123 QEMU as root ------------------------------------------------------------------

table_rule(
    "NIX123",
    "libvirtd-qemu-root",
    category="containers",
    severity=Severity.MEDIUM,
    cwe=250,
    summary="libvirt runs QEMU virtual machines as root",
    why="an escape from a virtual machine through QEMU's device emulation is then root on the host",
    fix="set virtualisation.libvirtd.qemu.runAsRoot = false",
    details="NixOS's default is `true`, so a host that enables libvirtd and says nothing is reported.",
    checks=(
        OptionCheck(
            "virtualisation.libvirtd.qemu.runAsRoot",
            equals(True),
            "QEMU runs as root",
            unset=True,
            requires=(Requires("virtualisation.libvirtd.enable", equals(True)),),
        ),
    ),
    rationale="""
    QEMU emulates devices for the guest: a large, often-exploited attack surface. With
    `runAsRoot` (NixOS's default), a guest that escapes through it is root on the host;
    run as the unprivileged `qemu-libvirtd` user, it is confined to that user and to
    libvirt's per-VM sandboxing.
    """,
    remediation="""
    ```nix
    virtualisation.libvirtd = {
      enable = true;
      qemu.runAsRoot = false;
    };
    ```
    """,
    caveat="""
    Disk images, ISO files and passed-through devices must then be readable (and writable)
    by `qemu-libvirtd`: VMs whose images sit in a user's home directory fail to start until
    the permissions are fixed.
    """,
    references=(
        "https://search.nixos.org/options?query=virtualisation.libvirtd.qemu.runAsRoot",
        "https://libvirt.org/drvqemu.html#posix-users-groups",
    ),
    bad="""
    {
      virtualisation.libvirtd.enable = true;
    }
    """,
    good="""
    {
      virtualisation.libvirtd = {
        enable = true;
        qemu.runAsRoot = false;
      };
    }
    """,
)
