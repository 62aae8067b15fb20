"""1xx: containers — OCI containers (``virtualisation.oci-containers``) and NixOS containers."""

from __future__ import annotations

import posixpath
from collections.abc import Iterator
from typing import TYPE_CHECKING

from nixlint import schema
from nixlint.evaluate.values import Unknown
from nixlint.findings import Confidence, Severity
from nixlint.rules.base import Hit, HostContext, Item, confidence_for, rule, when
from nixlint.span import Span

if TYPE_CHECKING:
    from nixlint.modules import OptionPath

OCI = "virtualisation.oci-containers.containers"

#: Capabilities that give a container a way out (high) or a strong foothold (medium).
CAPS_HIGH = frozenset({"ALL", "SYS_ADMIN", "SYS_MODULE", "SYS_RAWIO", "DAC_READ_SEARCH", "BPF"})
CAPS_MEDIUM = frozenset({"SYS_PTRACE", "NET_ADMIN", "NET_RAW", "SYS_BOOT", "SYS_TIME", "MAC_ADMIN"})

#: Container-runtime API sockets: access to one is root on the host.
RUNTIME_SOCKETS = frozenset(
    {
        "/var/run/docker.sock",
        "/run/docker.sock",
        "/run/podman/podman.sock",
        "/var/run/podman/podman.sock",
        "/run/containerd/containerd.sock",
        "/var/run/containerd/containerd.sock",
        "/run/crio/crio.sock",
        "/var/run/crio/crio.sock",
        "/run/incus/unix.socket",
        "/var/lib/incus/unix.socket",
        "/var/lib/lxd/unix.socket",
        "/run/libvirt/libvirt-sock",
    }
)
#: Host paths that must not be writable from a container.
SENSITIVE_EXACT = frozenset(
    {
        "/",
        "/etc",
        "/proc",
        "/sys",
        "/dev",
        "/boot",
        "/root",
        "/run",
        "/var/run",
        "/var",
        "/usr",
        "/nix",
        "/nix/store",
        "/nix/var",
        "/home",
        "/var/lib",
    }
)
SENSITIVE_PREFIXES = ("/etc/", "/root/", "/boot/", "/proc/", "/sys/", "/nix/var/", "/nix/store/")

HOST_NAMESPACE_FLAGS = {
    "--network": "network",
    "--net": "network",
    "--pid": "PID",
    "--ipc": "IPC",
    "--userns": "user",
    "--uts": "UTS",
    "--cgroupns": "cgroup",
}


def normalise_cap(cap: str) -> str:
    cap = cap.strip().upper()
    return cap[4:] if cap.startswith("CAP_") else cap


def cap_severity(cap: str) -> Severity | None:
    if cap in CAPS_HIGH:
        return Severity.HIGH
    if cap in CAPS_MEDIUM:
        return Severity.MEDIUM
    return None


def is_runtime_socket(path: str) -> bool:
    path = posixpath.normpath(path)
    return path in RUNTIME_SOCKETS or (
        path.startswith("/run/user/") and path.endswith("/podman/podman.sock")
    )


def is_sensitive(path: str) -> bool:
    if not path.startswith("/"):
        return False
    path = posixpath.normpath(path)
    if path.startswith("//"):
        path = path[1:]
    return path in SENSITIVE_EXACT or path.startswith(SENSITIVE_PREFIXES) or is_runtime_socket(path)


def cli_flags(items: list[Item]) -> Iterator[tuple[str, str | None, Item]]:
    """(flag, value, item) for a docker/podman/nspawn argument list: ``--f=v`` or ``--f v``."""
    for index, item in enumerate(items):
        text = item.text
        if text is None or not text.startswith("-"):
            continue
        if "=" in text:
            flag, value = text.split("=", 1)
            yield flag, value, item
            continue
        following = items[index + 1].text if index + 1 < len(items) else None
        value = following if following is not None and not following.startswith("-") else None
        yield text, value, item


def host_flags(ctx: HostContext, path: OptionPath) -> list[tuple[str, str | None, Item]]:
    """:func:`cli_flags` of the list option ``path``, worked out once per host and list
    (every container rule reads them)."""
    return ctx.remembered(("cli_flags", path), lambda: list(cli_flags(list(ctx.items(path)))))


def oci_containers(ctx: HostContext) -> list[tuple[str, tuple[str, ...]]]:
    return [(path[-1], path) for path in ctx.match(f"{OCI}.*")]


def _option(path: tuple[str, ...], *rest: str) -> str:
    return schema.join((*path, *rest))


@rule(
    "NIX101",
    "oci-privileged",
    category="containers",
    severity=Severity.HIGH,
    summary="An OCI container runs privileged",
    cwe=250,
    rationale="""
    A privileged container gets every capability, every host device and no seccomp or
    AppArmor confinement. Root in the container is root on the host.
    """,
    remediation="""
    Drop `privileged` and `--privileged`, and grant only what the workload needs, for
    example one device:
    ```nix
    virtualisation.oci-containers.containers.hass.extraOptions = [ "--device=/dev/ttyUSB0" ];
    ```
    """,
    caveat="""
    The workload may rely on more than one privilege (devices, capabilities, sysfs). Start it
    unprivileged, read what fails in its logs, and grant that alone.
    """,
    references=(
        "https://docs.docker.com/reference/cli/docker/container/run/#privileged",
        "https://docs.podman.io/en/latest/markdown/podman-run.1.html#privileged",
    ),
    bad="""
    {
      virtualisation.oci-containers.containers.hass = {
        image = "ghcr.io/home-assistant/home-assistant:2024.6.4";
        extraOptions = [ "--privileged" ];
      };
    }
    """,
    good="""
    {
      virtualisation.oci-containers.containers.hass = {
        image = "ghcr.io/home-assistant/home-assistant:2024.6.4";
        volumes = [ "/srv/hass:/config" ];
      };
    }
    """,
)
def oci_privileged(ctx: HostContext) -> Iterator[Hit]:
    """Flags `virtualisation.oci-containers.containers.<name>` with `privileged = true` or
    `--privileged` in `extraOptions`."""
    for name, path in oci_containers(ctx):
        for item in ctx.candidate_values((*path, "privileged")):
            if item.value is True:
                yield Hit(
                    item.span,
                    f"container '{name}' runs privileged{when(item.conditional)}",
                    _option(path, "privileged"),
                    confidence=confidence_for(Confidence.HIGH, item.conditional),
                )
        for flag, value, item in host_flags(ctx, (*path, "extraOptions")):
            if flag != "--privileged":
                continue
            if "=" in (item.text or "") and (value or "").lower() in ("false", "0"):
                continue
            yield Hit(
                item.span,
                f"container '{name}' runs privileged (--privileged){when(item.conditional)}",
                _option(path, "extraOptions"),
                confidence=confidence_for(Confidence.HIGH, item.conditional),
            )


@rule(
    "NIX102",
    "oci-host-namespace",
    category="containers",
    severity=Severity.HIGH,
    summary="An OCI container shares a namespace with the host",
    cwe=653,
    rationale="""
    The container sees and can reach the host's processes, sockets or shared memory. With the
    host network it can bind any port (bypassing the NixOS firewall) and talk to services
    listening on localhost; with the host PID namespace it can signal and trace host processes.
    """,
    remediation="""
    Keep the container in its own namespaces and publish only the ports it serves, on
    loopback when a reverse proxy on the host fronts it:
    ```nix
    virtualisation.oci-containers.containers.app.ports = [ "127.0.0.1:8080:8080" ];
    ```
    """,
    caveat="""
    Programs that discover devices on the local network (mDNS, DLNA, Home Assistant
    integrations) stop finding them without the host network; give them a macvlan network
    instead.
    """,
    references=(
        "https://docs.docker.com/engine/network/drivers/host/",
        "https://docs.docker.com/reference/cli/docker/container/run/#pid",
    ),
    bad="""
    {
      virtualisation.oci-containers.containers.app = {
        image = "docker.io/library/nginx:1.27.0";
        extraOptions = [ "--network=host" ];
      };
    }
    """,
    good="""
    {
      virtualisation.oci-containers.containers.app = {
        image = "docker.io/library/nginx:1.27.0";
        ports = [ "127.0.0.1:8080:80" ];
      };
    }
    """,
)
def oci_host_namespace(ctx: HostContext) -> Iterator[Hit]:
    """Flags OCI containers started with `--network=host`, `--pid=host`, `--ipc=host`,
    `--userns=host`, `--uts=host` or `--cgroupns=host`, or with `networks = [ "host" ]`."""
    for name, path in oci_containers(ctx):
        for flag, value, item in host_flags(ctx, (*path, "extraOptions")):
            kind = HOST_NAMESPACE_FLAGS.get(flag)
            if kind is not None and value == "host":
                yield Hit(
                    item.span,
                    f"container '{name}' shares the host {kind} namespace ({flag}=host){when(item.conditional)}",
                    _option(path, "extraOptions"),
                    confidence=confidence_for(Confidence.HIGH, item.conditional),
                )
        for item in ctx.items((*path, "networks")):
            if item.value == "host":
                yield Hit(
                    item.span,
                    f"container '{name}' uses the host network{when(item.conditional)}",
                    _option(path, "networks"),
                    confidence=confidence_for(Confidence.HIGH, item.conditional),
                )


@rule(
    "NIX103",
    "oci-dangerous-capability",
    category="containers",
    severity=Severity.HIGH,
    summary="An OCI container is given a dangerous capability",
    cwe=250,
    rationale="""
    `SYS_ADMIN` alone allows mounting file systems and many known container escapes;
    `SYS_MODULE` loads kernel code; `DAC_READ_SEARCH` reads any host file by handle.
    """,
    remediation="""
    Add the narrowest capability the program documents — for a VPN, `NET_ADMIN` and the
    `/dev/net/tun` device — or run it on the host as a confined systemd service:
    ```nix
    virtualisation.oci-containers.containers.vpn.extraOptions = [
      "--cap-add=NET_ADMIN"
      "--device=/dev/net/tun"
    ];
    ```
    """,
    caveat="""
    Removing a capability the program needs makes it fail at start or, worse, at the first
    operation that needs it; test the feature, not only the start.
    """,
    references=(
        "https://man7.org/linux/man-pages/man7/capabilities.7.html",
        "https://docs.docker.com/engine/containers/run/#runtime-privilege-and-linux-capabilities",
    ),
    bad="""
    {
      virtualisation.oci-containers.containers.vpn = {
        image = "docker.io/qmcgaw/gluetun:v3.38.0";
        extraOptions = [ "--cap-add=SYS_ADMIN" ];
      };
    }
    """,
    good="""
    {
      virtualisation.oci-containers.containers.vpn = {
        image = "docker.io/qmcgaw/gluetun:v3.38.0";
        extraOptions = [ "--cap-add=CHOWN" ];
      };
    }
    """,
)
def oci_dangerous_capability(ctx: HostContext) -> Iterator[Hit]:
    """Flags `--cap-add` in `extraOptions`, and `capabilities.<CAP> = true`, for capabilities
    that let a container escape or take over the host: `ALL`, `SYS_ADMIN`, `SYS_MODULE`,
    `SYS_RAWIO`, `DAC_READ_SEARCH`, `BPF` (high); `SYS_PTRACE`, `NET_ADMIN`, `NET_RAW`,
    `SYS_BOOT`, `SYS_TIME`, `MAC_ADMIN` (medium)."""
    for name, path in oci_containers(ctx):
        for flag, value, item in host_flags(ctx, (*path, "extraOptions")):
            if flag != "--cap-add" or value is None:
                continue
            for cap in value.split(","):
                cap = normalise_cap(cap)
                severity = cap_severity(cap)
                if severity is not None:
                    yield Hit(
                        item.span,
                        f"container '{name}' is given CAP_{cap}{when(item.conditional)}",
                        _option(path, "extraOptions"),
                        severity=severity,
                        confidence=confidence_for(Confidence.HIGH, item.conditional),
                    )
        for cap_name in ctx.children((*path, "capabilities")):
            cap = normalise_cap(cap_name)
            severity = cap_severity(cap)
            if severity is None:
                continue
            for item in ctx.candidate_values((*path, "capabilities", cap_name)):
                if item.value is True:
                    yield Hit(
                        item.span,
                        f"container '{name}' is given CAP_{cap}{when(item.conditional)}",
                        _option(path, "capabilities", cap_name),
                        severity=severity,
                        confidence=confidence_for(Confidence.HIGH, item.conditional),
                    )


def _volume_source(spec: str) -> str:
    return spec.split(":", 1)[0]


@rule(
    "NIX104",
    "oci-runtime-socket",
    category="containers",
    severity=Severity.CRITICAL,
    summary="A container-runtime socket is mounted into an OCI container",
    cwe=250,
    rationale="""
    Whoever can talk to the runtime's socket can start a privileged container with the host's
    root file system mounted: the container is root on the host.
    """,
    remediation="""
    Put a filtering proxy in front of the socket (one that allows only the read-only `GET`
    requests the tool needs) and mount the proxy's socket instead, or give the tool its own
    rootless runtime:
    ```nix
    virtualisation.oci-containers.containers.traefik.volumes = [
      "/run/docker-proxy/docker.sock:/var/run/docker.sock:ro"
    ];
    ```
    """,
    caveat="""
    A `:ro` mount of the socket does not help: read-only applies to the socket file, not to
    the API requests sent through it.
    """,
    references=(
        "https://docs.docker.com/engine/security/#docker-daemon-attack-surface",
        "https://cheatsheetseries.owasp.org/cheatsheets/Docker_Security_Cheat_Sheet.html",
    ),
    bad="""
    {
      virtualisation.oci-containers.containers.portainer = {
        image = "docker.io/portainer/portainer-ce:2.20.3";
        volumes = [ "/var/run/docker.sock:/var/run/docker.sock" ];
      };
    }
    """,
    good="""
    {
      virtualisation.oci-containers.containers.portainer = {
        image = "docker.io/portainer/portainer-ce:2.20.3";
        volumes = [ "/srv/portainer:/data" ];
      };
    }
    """,
)
def oci_runtime_socket(ctx: HostContext) -> Iterator[Hit]:
    """Flags `volumes` (and `-v`/`--volume`/`--mount` in `extraOptions`) that mount the Docker,
    Podman, containerd, CRI-O, LXD/Incus or libvirt API socket into an OCI container."""
    for name, path in oci_containers(ctx):
        for item in ctx.items((*path, "volumes")):
            text = item.text
            if text is not None and is_runtime_socket(_volume_source(text)):
                yield Hit(
                    item.span,
                    f"container '{name}' mounts the runtime socket {_volume_source(text)}{when(item.conditional)}",
                    _option(path, "volumes"),
                    confidence=confidence_for(Confidence.HIGH, item.conditional),
                )
        for flag, value, item in host_flags(ctx, (*path, "extraOptions")):
            if value is None or flag not in ("-v", "--volume", "--mount"):
                continue
            source = _mount_source(value) if flag == "--mount" else _volume_source(value)
            if source and is_runtime_socket(source):
                yield Hit(
                    item.span,
                    f"container '{name}' mounts the runtime socket {source}{when(item.conditional)}",
                    _option(path, "extraOptions"),
                    confidence=confidence_for(Confidence.HIGH, item.conditional),
                )


def _mount_source(spec: str) -> str | None:
    for part in spec.split(","):
        key, _, value = part.partition("=")
        if key in ("source", "src"):
            return value
    return None


# -- NixOS containers ----------------------------------------------------------------------


def nixos_containers(ctx: HostContext) -> list[tuple[str, tuple[str, ...]]]:
    return [(path[-1], path) for path in ctx.match("containers.*")]


def _presence_conditional(ctx: HostContext, path: tuple[str, ...]) -> bool | None:
    """None when the path is never defined for this host, else whether it is conditional."""
    states = [d.condition() for d in ctx.graph.definitions(path)]
    if any(s is True for s in states):
        return False
    if any(isinstance(s, Unknown) for s in states):
        return True
    return None


def _user_namespacing_flag(ctx: HostContext, path: tuple[str, ...]) -> bool:
    for flag, value, _item in host_flags(ctx, (*path, "extraFlags")):
        if flag == "-U":
            return True
        if flag == "--private-users" and value not in (None, "no", "false", "0"):
            return True
    return False


@rule(
    "NIX110",
    "container-root-is-host-root",
    category="containers",
    severity=Severity.HIGH,
    summary="A NixOS container runs without user namespacing: its root is the host's root",
    cwe=250,
    rationale="""
    Without user namespacing, UID 0 in the container is UID 0 on the host: "the root user in
    a container would also be root on the whole system". systemd-nspawn's default
    capability set includes `CAP_SYS_ADMIN`, so any escape is a full host compromise.
    `"identity"` maps container root to host root too, though inside a user namespace.
    """,
    remediation="""
    ```nix
    containers.vpn = { privateUsers = "pick"; config = { ... }; };
    ```
    """,
    caveat="""
    With `"pick"`, bind mounts are id-mapped and files the container writes on the host
    belong to a high UID range: existing data may need a `chown`. `privateUsers` exists
    since NixOS 25.05; on older releases use `extraFlags = [ "-U" ];`.
    """,
    references=(
        "https://nixos.org/manual/nixos/stable/#ch-containers",
        "https://www.freedesktop.org/software/systemd/man/latest/systemd-nspawn.html#--private-users=",
    ),
    bad="""
    {
      containers.vpn = {
        autoStart = true;
        config = { services.openvpn.servers = { }; };
      };
    }
    """,
    good="""
    {
      containers.vpn = {
        autoStart = true;
        privateUsers = "pick";
        config = { services.openvpn.servers = { }; };
      };
    }
    """,
)
def container_root_is_host_root(ctx: HostContext) -> Iterator[Hit]:
    """Flags `containers.<name>` whose `privateUsers` is `"no"` (the default) or
    `"identity"`, unless `extraFlags` turns user namespacing on (`-U`,
    `--private-users=…`)."""
    for name, path in nixos_containers(ctx):
        presence = _presence_conditional(ctx, path)
        if presence is None or _user_namespacing_flag(ctx, path):
            continue
        res = ctx.resolve((*path, "privateUsers"))
        option = _option(path, "privateUsers")
        if not res.candidates:
            if res.value != "no":
                continue
            confidence = confidence_for(Confidence.HIGH, presence)
            note = ""
            if ctx.children(path) == ["config"]:
                # only the container's inner configuration is written here: the container
                # itself is declared by a module outside the scanned files, or by none
                confidence, note = (
                    Confidence.LOW,
                    " (only its config is set here: whichever module declares the container "
                    "may set privateUsers)",
                )
            elif ctx.unread_imports:
                confidence = confidence.lowered()
            yield Hit(
                ctx.anchor(path),
                f"container '{name}' has no user namespacing (privateUsers defaults to \"no\"): "
                f"root in the container is root on the host{when(presence)}{note}",
                option,
                confidence=confidence,
            )
            continue
        for item in ctx.candidate_values((*path, "privateUsers")):
            conditional = item.conditional or presence
            if item.value == "no":
                yield Hit(
                    item.span,
                    f"container '{name}' has privateUsers = \"no\": root in the container is root "
                    f"on the host{when(conditional)}",
                    option,
                    confidence=confidence_for(Confidence.HIGH, conditional),
                )
            elif item.value == "identity":
                yield Hit(
                    item.span,
                    f"container '{name}' maps its root to the host's root (privateUsers = \"identity\")"
                    f"{when(conditional)}",
                    option,
                    severity=Severity.MEDIUM,
                    confidence=confidence_for(Confidence.HIGH, conditional),
                )


@rule(
    "NIX111",
    "container-dangerous-capability",
    category="containers",
    severity=Severity.HIGH,
    summary="A NixOS container is given a dangerous capability",
    cwe=250,
    rationale="""
    These capabilities give a container ways to reach the host kernel or the host's files:
    `CAP_SYS_MODULE` loads kernel code, `CAP_SYS_RAWIO` reads raw memory and devices.
    """,
    remediation="""
    Drop the capability; load kernel modules on the host instead:
    ```nix
    boot.kernelModules = [ "wireguard" ];
    containers.build.additionalCapabilities = [ ];
    ```
    """,
    caveat="""
    Find out which operation needed the capability before removing it; a container started
    without it fails only when that operation runs.
    """,
    references=(
        "https://man7.org/linux/man-pages/man7/capabilities.7.html",
        "https://www.freedesktop.org/software/systemd/man/latest/systemd-nspawn.html#--capability=",
    ),
    bad="""
    {
      containers.build = {
        privateUsers = "pick";
        additionalCapabilities = [ "CAP_SYS_MODULE" ];
        config = { };
      };
    }
    """,
    good="""
    {
      containers.build = {
        privateUsers = "pick";
        additionalCapabilities = [ "CAP_NET_BIND_SERVICE" ];
        config = { };
      };
    }
    """,
)
def container_dangerous_capability(ctx: HostContext) -> Iterator[Hit]:
    """Flags `containers.<name>.additionalCapabilities` (and `--capability=` in `extraFlags`)
    that include `all`, `CAP_SYS_ADMIN`, `CAP_SYS_MODULE`, `CAP_SYS_RAWIO`,
    `CAP_DAC_READ_SEARCH`, `CAP_BPF` (high) or `CAP_SYS_PTRACE`, `CAP_NET_ADMIN`,
    `CAP_NET_RAW`, `CAP_SYS_BOOT`, `CAP_SYS_TIME`, `CAP_MAC_ADMIN` (medium)."""
    for name, path in nixos_containers(ctx):
        for item in ctx.items((*path, "additionalCapabilities")):
            text = item.text
            if text is None:
                continue
            for cap in text.split(","):
                cap = normalise_cap(cap)
                severity = cap_severity(cap)
                if severity is not None:
                    yield Hit(
                        item.span,
                        f"container '{name}' is given CAP_{cap}{when(item.conditional)}",
                        _option(path, "additionalCapabilities"),
                        severity=severity,
                        confidence=confidence_for(Confidence.HIGH, item.conditional),
                    )
        for flag, value, item in host_flags(ctx, (*path, "extraFlags")):
            if flag != "--capability" or value is None:
                continue
            for cap in value.strip("\"'").split(","):
                cap = normalise_cap(cap)
                severity = cap_severity(cap)
                if severity is not None:
                    yield Hit(
                        item.span,
                        f"container '{name}' is given CAP_{cap} (extraFlags){when(item.conditional)}",
                        _option(path, "extraFlags"),
                        severity=severity,
                        confidence=confidence_for(Confidence.HIGH, item.conditional),
                    )


@rule(
    "NIX112",
    "container-writable-sensitive-mount",
    category="containers",
    severity=Severity.HIGH,
    summary="A sensitive host path is bind-mounted writable into a NixOS container",
    cwe=732,
    rationale="""
    A container that can write `/etc`, `/boot` or `/nix/var` can change what the host runs at
    the next boot or rebuild; a writable runtime socket is root on the host.
    """,
    remediation="""
    Mount only the directory the container needs, read-only when it only reads it:
    ```nix
    containers.web.bindMounts."/etc/web" = { hostPath = "/etc/web"; isReadOnly = true; };
    ```
    """,
    caveat="""
    A service that writes its state under the mounted path fails once the mount is
    read-only; give it its own writable directory (under `/var/lib/<name>`) instead.
    """,
    references=(
        "https://nixos.org/manual/nixos/stable/#sec-declarative-containers",
        "https://www.freedesktop.org/software/systemd/man/latest/systemd-nspawn.html#--bind=",
    ),
    bad="""
    {
      containers.web = {
        privateUsers = "pick";
        bindMounts."/etc" = { hostPath = "/etc"; isReadOnly = false; };
        config = { };
      };
    }
    """,
    good="""
    {
      containers.web = {
        privateUsers = "pick";
        bindMounts."/etc/web" = { hostPath = "/etc/web"; isReadOnly = true; };
        config = { };
      };
    }
    """,
)
def container_writable_sensitive_mount(ctx: HostContext) -> Iterator[Hit]:
    """Flags `containers.<name>.bindMounts.<mount>` with `isReadOnly = false` whose host path
    (`hostPath`, or the mount point when `hostPath` is unset) is `/`, `/etc`, `/proc`, `/sys`,
    `/dev`, `/boot`, `/root`, `/run`, `/var/run`, `/nix/var`, the store, or a runtime socket;
    and writable `--bind=` of such paths in `extraFlags`."""
    for name, path in nixos_containers(ctx):
        for mount in ctx.children((*path, "bindMounts")):
            base = (*path, "bindMounts", mount)
            host_path, conditional, span = _host_path(ctx, base, mount)
            if host_path is None or not is_sensitive(host_path):
                continue
            readonly, ro_conditional, ro_span = ctx.effective((*base, "isReadOnly"))
            if readonly is False:
                cond = conditional or ro_conditional
                yield Hit(
                    ro_span or span or ctx.anchor(base),
                    f"container '{name}' can write the host's {host_path}{when(cond)}",
                    _option(base, "isReadOnly"),
                    confidence=confidence_for(Confidence.HIGH, cond),
                )
        for flag, value, item in host_flags(ctx, (*path, "extraFlags")):
            if flag == "--bind" and value:
                source = value.lstrip("+").split(":", 1)[0]
                if is_sensitive(source):
                    yield Hit(
                        item.span,
                        f"container '{name}' can write the host's {source} (extraFlags --bind)"
                        f"{when(item.conditional)}",
                        _option(path, "extraFlags"),
                        confidence=confidence_for(Confidence.HIGH, item.conditional),
                    )


def _host_path(
    ctx: HostContext, base: tuple[str, ...], mount: str
) -> tuple[str | None, bool, Span | None]:
    """The host side of a bind mount: ``hostPath``, else ``mountPoint``, else the name."""
    for key in ("hostPath", "mountPoint"):
        if not ctx.resolve((*base, key)).candidates:
            continue
        value, conditional, span = ctx.effective((*base, key))
        if isinstance(value, str):
            return value, conditional, span
        if value is None:
            continue
        return None, conditional, span
    return mount, False, None
