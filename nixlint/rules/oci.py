"""1xx: containers — more of what an OCI container (``virtualisation.oci-containers``) is
given: security profiles turned off, host paths and devices, unpinned images, ports
published on every address."""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterator
from dataclasses import dataclass

from nixlint import schema
from nixlint.findings import Confidence, Severity
from nixlint.rules.base import Hit, HostContext, Item, confidence_for, known_text, rule, when
from nixlint.rules.containers import host_flags, is_runtime_socket, oci_containers

OCI_REFS = (
    "https://search.nixos.org/options?query=virtualisation.oci-containers.containers",
    "https://docs.docker.com/reference/cli/docker/container/run/",
)


def _option(path: tuple[str, ...], *rest: str) -> str:
    return schema.join((*path, *rest))


def _hit(item: Item, message: str, option: str, severity: Severity | None = None) -> Hit:
    return Hit(
        item.span,
        message,
        option,
        severity=severity,
        confidence=confidence_for(Confidence.HIGH, item.conditional),
    )


# -- NIX113 security profiles ----------------------------------------------------------------

#: ``--security-opt`` values that turn a confinement off: severity and what is lost.
SECURITY_OPTS = {
    "seccomp=unconfined": (
        Severity.HIGH,
        "runs without a seccomp filter, so every system call reaches the host kernel",
    ),
    "systempaths=unconfined": (
        Severity.HIGH,
        "sees the host's /proc and /sys unmasked, kcore and sysrq-trigger included",
    ),
    "apparmor=unconfined": (Severity.MEDIUM, "runs without the runtime's AppArmor profile"),
    "label=disable": (Severity.LOW, "runs without SELinux labels"),
}


def _security_opt(value: str) -> str:
    """``seccomp:unconfined`` (the old syntax) → ``seccomp=unconfined``."""
    key, _, rest = value.strip().strip("\"'").partition("=")
    if not rest and ":" in key:
        key, _, rest = key.partition(":")
    return f"{key.lower()}={rest.lower()}"


@rule(
    "NIX113",
    "oci-security-profile-disabled",
    category="containers",
    severity=Severity.HIGH,
    summary="An OCI container runs without its seccomp or AppArmor confinement",
    cwe=693,
    rationale="""
    Docker and Podman confine every container with a seccomp filter (about 40 rarely needed
    system calls blocked, among them `keyctl`, `bpf`, `mount` and `unshare`) and, where the
    host has AppArmor, a profile; they also mask parts of `/proc` and `/sys`. These block
    most known container escapes through kernel bugs. `unconfined` removes them for the
    container.
    """,
    remediation="""
    Drop the option; if one system call is missing, give a seccomp profile that allows it:
    ```nix
    virtualisation.oci-containers.containers.app.extraOptions = [
      "--security-opt=seccomp=/etc/containers/app-seccomp.json"
    ];
    ```
    """,
    caveat="""
    Programs that need a blocked call (some browsers' sandboxes, `perf`, FUSE) fail at start
    with "operation not permitted": find the call in the audit log and allow that one.
    """,
    references=(
        "https://docs.docker.com/engine/security/seccomp/",
        "https://docs.docker.com/engine/security/apparmor/",
        *OCI_REFS,
    ),
    bad="""
    {
      virtualisation.oci-containers.containers.app = {
        image = "docker.io/library/nginx:1.27.0";
        extraOptions = [ "--security-opt=seccomp=unconfined" ];
      };
    }
    """,
    good="""
    {
      virtualisation.oci-containers.containers.app = {
        image = "docker.io/library/nginx:1.27.0";
        extraOptions = [ "--security-opt=no-new-privileges" ];
      };
    }
    """,
)
def oci_security_profile_disabled(ctx: HostContext) -> Iterator[Hit]:
    """Flags `--security-opt` in `extraOptions` with `seccomp=unconfined` or
    `systempaths=unconfined` (high), `apparmor=unconfined` (medium), `label=disable` (low),
    in either `=` or the old `:` syntax."""
    for name, path in oci_containers(ctx):
        for flag, value, item in host_flags(ctx, (*path, "extraOptions")):
            if flag != "--security-opt" or value is None:
                continue
            found = SECURITY_OPTS.get(_security_opt(value))
            if found is None:
                continue
            severity, what = found
            yield _hit(
                item,
                f"container '{name}' {what} (--security-opt {value}){when(item.conditional)}: "
                "it loses a layer that stops escapes through kernel bugs; remove the option",
                _option(path, "extraOptions"),
                severity,
            )


# -- NIX114 sensitive host paths --------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Exposure:
    """What mounting a host path gives a container: severity writable and read-only (None:
    not reported), and what the path is."""

    writable: Severity | None
    readonly: Severity | None
    what: str


_H, _M, _L, _C = Severity.HIGH, Severity.MEDIUM, Severity.LOW, Severity.CRITICAL
#: Whole directories, by exact path.
EXACT = {
    "/": Exposure(_C, _H, "the host's whole file system"),
    "/etc": Exposure(_H, _M, "the host's /etc (password hashes, host keys, configuration)"),
    "/root": Exposure(_H, _M, "root's home directory"),
    "/home": Exposure(_H, _L, "every user's home directory"),
    "/boot": Exposure(_H, _L, "the boot partition (kernels, initrd and its secrets)"),
    "/proc": Exposure(_H, _M, "the host's /proc"),
    "/proc/sys": Exposure(_H, None, "the host's kernel settings"),
    "/sys": Exposure(_H, _M, "the host's /sys"),
    "/sys/fs/cgroup": Exposure(_H, None, "the host's cgroups (a known escape when writable)"),
    "/dev": Exposure(_H, _M, "every host device"),
    "/nix": Exposure(_H, None, "the Nix store and database"),
    "/nix/store": Exposure(_H, None, "the Nix store"),
    "/var": Exposure(_H, _M, "the host's /var (every service's state)"),
    "/var/lib": Exposure(_H, _M, "every service's state"),
    "/usr": Exposure(_H, None, "the host's /usr"),
    "/run": Exposure(
        _H,
        _H,
        "the host's /run, with the runtime's and D-Bus's sockets (read-only does not stop connecting to a socket)",
    ),
    "/var/run": Exposure(
        _H,
        _H,
        "the host's /run, with the runtime's and D-Bus's sockets (read-only does not stop connecting to a socket)",
    ),
    "/run/systemd": Exposure(
        _H, _H, "systemd's private sockets (read-only does not stop connecting to a socket)"
    ),
    "/run/systemd/private": Exposure(
        _H, _H, "systemd's private socket (read-only does not stop connecting to it)"
    ),
    "/run/dbus": Exposure(
        _M,
        _M,
        "the system D-Bus socket, and root in a container is root to systemd and polkit over D-Bus",
    ),
    "/var/run/dbus": Exposure(
        _M,
        _M,
        "the system D-Bus socket, and root in a container is root to systemd and polkit over D-Bus",
    ),
    "/run/dbus/system_bus_socket": Exposure(
        _M,
        _M,
        "the system D-Bus socket, and root in a container is root to systemd and polkit over D-Bus",
    ),
    "/run/secrets": Exposure(_M, _M, "every decrypted secret of the host"),
    "/run/agenix": Exposure(_M, _M, "every decrypted secret of the host"),
    "/run/credentials": Exposure(_M, _M, "every service's credentials"),
    "/var/lib/sops-nix": Exposure(_M, _M, "the host's sops-nix key"),
    "/etc/shadow": Exposure(_H, _M, "the host's password hashes"),
    "/etc/gshadow": Exposure(_H, _M, "the host's group password hashes"),
    "/etc/passwd": Exposure(_H, None, "the host's user database"),
    "/etc/group": Exposure(_H, None, "the host's group database"),
    "/etc/sudoers": Exposure(_H, None, "sudo's rules"),
    "/etc/sudoers.d": Exposure(_H, None, "sudo's rules"),
    "/etc/pam.d": Exposure(_H, None, "the host's PAM configuration"),
    "/etc/ssh": Exposure(_H, _M, "the host's SSH configuration and host keys"),
    "/etc/nixos": Exposure(_H, _L, "the host's NixOS configuration (what the next rebuild builds)"),
    "/etc/systemd": Exposure(_H, None, "the host's systemd configuration"),
}
#: Whole trees, by prefix (the first that matches applies).
PREFIXES = (
    ("/root/", Exposure(_H, _M, "a path in root's home directory")),
    ("/boot/", Exposure(_H, None, "a path on the boot partition")),
    ("/nix/var/", Exposure(_H, _L, "the Nix database and profiles")),
    ("/nix/var", Exposure(_H, _L, "the Nix database and profiles")),
    ("/etc/ssh/", Exposure(_H, _M, "the host's SSH host keys")),
    ("/var/lib/docker", Exposure(_H, _M, "the container runtime's state (other containers' data)")),
    (
        "/var/lib/containers",
        Exposure(_H, _M, "the container runtime's state (other containers' data)"),
    ),
    ("/proc/", Exposure(_M, None, "a kernel interface under /proc")),
    ("/sys/", Exposure(_M, None, "a kernel interface under /sys")),
)


def mount_exposure(source: str) -> tuple[str, Exposure] | None:
    """(normalised host path, exposure) for a sensitive host path, else None. Runtime
    sockets are left to `oci-runtime-socket`."""
    if not source.startswith("/"):
        return None
    path = posixpath.normpath(source)
    if path.startswith("//"):
        path = path[1:]
    if is_runtime_socket(path):
        return None
    if path in EXACT:
        return path, EXACT[path]
    for prefix, exposure in PREFIXES:
        if path.startswith(prefix) or path == prefix.rstrip("/"):
            return path, exposure
    return None


def parse_volume(spec: str) -> tuple[str, bool] | None:
    """(host path, read-only) of a ``-v`` spec ``src:dst[:opts]``; None for a named volume."""
    parts = spec.split(":")
    if len(parts) < 2 or not parts[0].startswith("/"):
        return None
    options = parts[2].split(",") if len(parts) > 2 else []
    return parts[0], "ro" in options or "readonly" in options


def parse_mount(spec: str) -> tuple[str, bool] | None:
    """(host path, read-only) of a ``--mount type=bind,source=…`` spec."""
    fields: dict[str, str] = {}
    flags: set[str] = set()
    for part in spec.split(","):
        key, eq, value = part.partition("=")
        if eq:
            fields[key.strip()] = value.strip()
        else:
            flags.add(key.strip())
    if fields.get("type", "volume") != "bind":
        return None
    source = fields.get("source") or fields.get("src")
    if not source:
        return None
    readonly = bool({"readonly", "ro"} & flags) or fields.get("readonly") in ("true", "1")
    readonly = readonly or fields.get("ro") in ("true", "1")
    return source, readonly


def _mounts(ctx: HostContext, path: tuple[str, ...]) -> Iterator[tuple[str, bool, Item, str]]:
    """(host path, read-only, item, option) of every bind mount of an OCI container."""
    for item in ctx.items((*path, "volumes")):
        found = parse_volume(item.text or "")
        if found is not None:
            yield found[0], found[1], item, _option(path, "volumes")
    for flag, value, item in host_flags(ctx, (*path, "extraOptions")):
        if value is None:
            continue
        if flag in ("-v", "--volume"):
            found = parse_volume(value)
        elif flag == "--mount":
            found = parse_mount(value)
        else:
            continue
        if found is not None:
            yield found[0], found[1], item, _option(path, "extraOptions")


@rule(
    "NIX114",
    "oci-sensitive-mount",
    category="containers",
    severity=Severity.HIGH,
    summary="A sensitive host path is mounted into an OCI container",
    cwe=668,
    rationale="""
    A container that can write the host's `/etc`, `/boot`, `/root` or the Nix database
    changes what the host runs at the next boot or login; one that reads them gets password
    hashes, host keys and decrypted secrets. Sockets under `/run` (D-Bus, systemd) accept
    connections even through a read-only mount.
    """,
    remediation="""
    Mount only the directory or file the container needs, read-only when it only reads it:
    ```nix
    virtualisation.oci-containers.containers.app.volumes = [
      "/etc/localtime:/etc/localtime:ro"
      "/srv/app:/data"
    ];
    ```
    """,
    caveat="""
    The application may write somewhere under the mounted tree (a cache, a lock file):
    give it its own directory for that before making the mount read-only or narrower.
    """,
    references=(
        "https://docs.docker.com/engine/storage/bind-mounts/",
        *OCI_REFS,
    ),
    bad="""
    {
      virtualisation.oci-containers.containers.backup = {
        image = "docker.io/restic/restic:0.16.4";
        volumes = [ "/etc:/host/etc" ];
      };
    }
    """,
    good="""
    {
      virtualisation.oci-containers.containers.backup = {
        image = "docker.io/restic/restic:0.16.4";
        volumes = [ "/etc/localtime:/etc/localtime:ro" "/srv/backup:/data" ];
      };
    }
    """,
)
def oci_sensitive_mount(ctx: HostContext) -> Iterator[Hit]:
    """Flags bind mounts (`volumes`, and `-v`/`--volume`/`--mount type=bind` in
    `extraOptions`) of sensitive host paths. Writable: `/` (critical); `/etc`, `/root`,
    `/home`, `/boot`, `/proc`, `/sys`, `/dev`, `/nix`, `/nix/var`, `/var`, `/var/lib`,
    `/usr`, `/run`, container-runtime state, `/etc/shadow`, `/etc/passwd`, `/etc/sudoers`,
    `/etc/pam.d`, `/etc/ssh`, `/etc/nixos`, `/sys/fs/cgroup`, `/proc/sys` (high); other
    paths under `/proc` and `/sys`, D-Bus, decrypted-secret directories (medium). Read-only,
    a lower severity, and not at all for paths that hold nothing secret (`/nix/store`,
    `/etc/passwd`, `/proc/…`); `/run` and systemd's sockets stay high. Runtime sockets are
    `oci-runtime-socket`'s."""
    for name, path in oci_containers(ctx):
        for source, readonly, item, option in _mounts(ctx, path):
            found = mount_exposure(source)
            if found is None:
                continue
            host, exposure = found
            severity = exposure.readonly if readonly else exposure.writable
            if severity is None:
                continue
            how = "read-only" if readonly else "writable"
            yield _hit(
                item,
                f"container '{name}' mounts {host} {how}: {exposure.what}"
                f"{when(item.conditional)}; mount only what it needs"
                + ("" if readonly else ", read-only where it only reads"),
                option,
                severity,
            )


# -- NIX115 host devices -------------------------------------------------------------------

_BLOCK = re.compile(
    r"^/dev/(?:sd[a-z]|nvme\d|vd[a-z]|xvd[a-z]|hd[a-z]|mmcblk\d|dm-\d|md\d|loop\d|sr\d|"
    r"mapper/|disk/|zd\d|rbd\d|nbd\d|bcache\d)"
)
_MEMORY = frozenset({"/dev/mem", "/dev/kmem", "/dev/port"})
_INPUT = re.compile(r"^/dev/(?:input(?:/|$)|uinput$|hidraw\d|tty\d*$|console$|bus/usb/?$)")


def device_exposure(device: str) -> tuple[Severity, str] | None:
    """How much a host device gives a container, and what it is; None for a device that
    serves one purpose (a serial adapter, a GPU, /dev/net/tun)."""
    path = posixpath.normpath(device)
    if path in _MEMORY:
        return Severity.CRITICAL, "raw access to the host's physical memory"
    if path == "/dev":
        return Severity.HIGH, "every host device"
    if _BLOCK.match(path):
        return (
            Severity.HIGH,
            "a block device, so the container reads and writes the disk under the host's "
            "file systems",
        )
    if _INPUT.match(path):
        return (
            Severity.MEDIUM,
            "a console, input or raw USB device, so the container can read or inject keystrokes",
        )
    return None


@rule(
    "NIX115",
    "oci-host-device",
    category="containers",
    severity=Severity.HIGH,
    summary="A host disk, the host's memory or an input device is passed into an OCI container",
    cwe=250,
    rationale="""
    A device node gives the container what is behind it. A disk or partition lets it read
    and write below the host's file systems, whatever their permissions; `/dev/mem` is the
    host's memory; input devices, consoles and the raw USB bus see (and can inject) every
    keystroke. A device that serves one purpose — a serial adapter, a GPU, `/dev/net/tun` —
    is usually what the workload needs, and is not reported.
    """,
    remediation="""
    Pass only the device the workload uses, by its stable path; give a container that needs
    files a directory, never the disk:
    ```nix
    virtualisation.oci-containers.containers.zigbee.devices = [
      "/dev/serial/by-id/usb-ITead_Sonoff_Zigbee_3.0-if00-port0:/dev/ttyACM0"
    ];
    ```
    """,
    caveat="""
    The workload fails without the device it needs; a container that images or backs up a
    disk should get a file system mounted read-only, or a dedicated disk by its
    `/dev/disk/by-id/` path.
    """,
    references=(
        "https://docs.docker.com/reference/cli/docker/container/run/#device",
        *OCI_REFS,
    ),
    bad="""
    {
      virtualisation.oci-containers.containers.app = {
        image = "docker.io/library/alpine:3.20";
        devices = [ "/dev/sda:/dev/sda" ];
      };
    }
    """,
    good="""
    {
      virtualisation.oci-containers.containers.app = {
        image = "docker.io/library/alpine:3.20";
        devices = [ "/dev/ttyUSB0:/dev/ttyUSB0" ];
      };
    }
    """,
)
def oci_host_device(ctx: HostContext) -> Iterator[Hit]:
    """Flags `devices` entries and `--device` in `extraOptions`: `/dev/mem`, `/dev/kmem`,
    `/dev/port` (critical); disks and partitions (`/dev/sd*`, `/dev/nvme*`, `/dev/mapper/…`,
    `/dev/disk/…`…) and all of `/dev` (high); input devices, consoles and the raw USB bus
    (medium). `--device-cgroup-rule` allowing every device (`a *:* …`) is high. Devices
    that serve one purpose (serial adapters, GPUs, `/dev/net/tun`) are not reported."""
    for name, path in oci_containers(ctx):
        sources: list[tuple[str, Item, str]] = []
        for item in ctx.items((*path, "devices")):
            if item.text:
                sources.append((item.text, item, _option(path, "devices")))
        for flag, value, item in host_flags(ctx, (*path, "extraOptions")):
            if value is None:
                continue
            if flag == "--device":
                sources.append((value, item, _option(path, "extraOptions")))
            elif flag == "--device-cgroup-rule" and value.strip("\"' ").startswith("a"):
                yield _hit(
                    item,
                    f"container '{name}' may create and use every host device "
                    f"(--device-cgroup-rule {value}){when(item.conditional)}: disks and memory "
                    "included; allow only the device class it needs",
                    _option(path, "extraOptions"),
                    Severity.HIGH,
                )
        for spec, item, option in sources:
            device = spec.split(":", 1)[0]
            found = device_exposure(device) if device.startswith("/dev") else None
            if found is None:
                continue
            severity, what = found
            yield _hit(
                item,
                f"container '{name}' is given {device}: {what}{when(item.conditional)}; "
                "pass only the device the workload needs",
                option,
                severity,
            )


# -- NIX116 image pinning ------------------------------------------------------------------

FLOATING_TAGS = frozenset(
    {"latest", "nightly", "edge", "main", "master", "dev", "develop", "unstable", "rolling"}
)


def image_tag(image: str) -> tuple[str | None, bool]:
    """(tag, has a digest) of an image reference; tag None when there is none."""
    if "@" in image:
        return None, True
    last = image.rsplit("/", 1)[-1]
    if ":" in last:
        return last.rsplit(":", 1)[1], False
    return None, False


def _image_from_store(ctx: HostContext, path: tuple[str, ...]) -> bool:
    """True when ``imageFile`` or ``imageStream`` gives the image (built by Nix)."""
    return any(
        it.value is not None
        for key in ("imageFile", "imageStream")
        for it in ctx.candidate_values((*path, key))
    )


@rule(
    "NIX116",
    "oci-image-not-pinned",
    category="containers",
    severity=Severity.LOW,
    summary="An OCI container's image is not pinned to a version or digest",
    cwe=1357,
    rationale="""
    Without a tag, or with `latest` (or `nightly`, `main`…), the image is whatever the
    registry serves when the service starts: a restart after a compromise of the publisher's
    account, or a breaking release, silently changes what runs, and the configuration no
    longer says what that is. A digest pins the exact image.
    """,
    remediation="""
    Name a version, or better a digest:
    ```nix
    virtualisation.oci-containers.containers.app.image =
      "docker.io/library/nginx:1.27.0@sha256:6af79ae5de407283dcea8b00d5c37ace95441fd58a8b1d2aa1ed93f5511bb18c";
    ```
    """,
    caveat="""
    A pinned image no longer updates by itself: security fixes arrive only when the pin is
    bumped (a tool such as Renovate can do that).
    """,
    references=(
        "https://docs.docker.com/reference/cli/docker/image/pull/#pull-an-image-by-digest-immutable-identifier",
        *OCI_REFS,
    ),
    bad="""
    {
      virtualisation.oci-containers.containers.app.image = "docker.io/library/nginx:latest";
    }
    """,
    good="""
    {
      virtualisation.oci-containers.containers.app.image = "docker.io/library/nginx:1.27.0";
    }
    """,
)
def oci_image_not_pinned(ctx: HostContext) -> Iterator[Hit]:
    """Flags `image` with no tag, or a floating tag (`latest`, `nightly`, `edge`, `main`,
    `master`, `dev`, `develop`, `unstable`, `rolling`), and no digest — unless `imageFile`
    or `imageStream` gives the image from the Nix store. Images whose tag nixlint cannot
    read (`"app:${version}"`) and images built on the host (`localhost/…`) are not
    judged."""
    for name, path in oci_containers(ctx):
        if _image_from_store(ctx, path):
            continue
        for item in ctx.candidate_values((*path, "image")):
            text = known_text(item.value)
            if text is None or "…" in text.rsplit("/", 1)[-1] or text.startswith("localhost/"):
                continue  # not readable, or an image built on the host
            tag, digest = image_tag(text)
            if digest or (tag is not None and tag.lower() not in FLOATING_TAGS):
                continue
            what = f"the floating tag '{tag}'" if tag else "no tag (so 'latest')"
            yield _hit(
                item,
                f"container '{name}' runs image {text} with {what} and no digest"
                f"{when(item.conditional)}: whatever the registry serves at the next start "
                "runs; pin a version, or a digest (image@sha256:…)",
                _option(path, "image"),
            )


# -- NIX117 ports on every address ---------------------------------------------------------

_ALL = frozenset({"", "0.0.0.0", "::", "[::]", "*"})


def publish_address(spec: str) -> tuple[str, str] | None:
    """(host address, host port) of a ``-p`` spec ``[ip:][hostPort:]containerPort[/proto]``;
    the address is "" when none is given."""
    spec = spec.strip().strip("\"'").split("/", 1)[0]
    if spec.startswith("["):
        address, _, rest = spec[1:].partition("]")
        parts = rest.lstrip(":").split(":")
        return address, parts[0] if len(parts) >= 2 else ""
    parts = spec.split(":")
    if len(parts) == 1:
        return "", ""  # a container port alone: a random host port, on every address
    if len(parts) == 2:
        return "", parts[0]
    return ":".join(parts[:-2]), parts[-2]


def _host_network(ctx: HostContext, path: tuple[str, ...]) -> bool:
    if any(item.value == "host" for item in ctx.items((*path, "networks"))):
        return True
    return any(
        flag in ("--network", "--net") and value == "host"
        for flag, value, _ in host_flags(ctx, (*path, "extraOptions"))
    )


def _sensitive_port(port: str) -> str | None:
    start = port.split("-", 1)[0]
    entry = schema.network()["ports"].get(start)
    return entry[0] if entry else None


@rule(
    "NIX117",
    "oci-port-all-addresses",
    category="containers",
    severity=Severity.MEDIUM,
    summary="An OCI container publishes a port on every address, past the NixOS firewall",
    cwe=284,
    rationale="""
    Docker and Podman forward published ports with their own packet-filter rules, placed
    before the NixOS firewall: `ports = [ "8080:80" ]` makes the service reachable from
    every network the host is on, whatever `networking.firewall` allows. NixOS's own option
    documentation warns of it. Often the port was only meant for a reverse proxy on the
    same host.
    """,
    remediation="""
    Publish on loopback (or the one address that should reach it) and let a reverse proxy,
    or the firewall, decide the rest:
    ```nix
    virtualisation.oci-containers.containers.app.ports = [ "127.0.0.1:8080:80" ];
    ```
    """,
    caveat="""
    Clients on other machines that use the port directly stop reaching it: put the reverse
    proxy (or an explicit address and a firewall rule) in place first.
    """,
    references=(
        "https://search.nixos.org/options?query=virtualisation.oci-containers.containers.%3Cname%3E.ports",
        "https://docs.docker.com/engine/network/packet-filtering-firewalls/",
    ),
    bad="""
    {
      virtualisation.oci-containers.containers.app = {
        image = "docker.io/library/nginx:1.27.0";
        ports = [ "8080:80" ];
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
def oci_port_all_addresses(ctx: HostContext) -> Iterator[Hit]:
    """Flags `ports` entries (and `-p`/`--publish` in `extraOptions`) with no host address,
    or `0.0.0.0`/`::`; high when the host port is a database's or another sensitive
    service's (`schema/network.json`). Loopback and specific addresses are not reported, nor
    containers on the host network (where ports are not published)."""
    for name, path in oci_containers(ctx):
        if _host_network(ctx, path):
            continue  # ports are not published on the host network (oci-host-namespace)
        specs: list[tuple[str, Item, str]] = []
        for item in ctx.items((*path, "ports")):
            if item.text is not None and "…" not in item.text:
                specs.append((item.text, item, _option(path, "ports")))
        for flag, value, item in host_flags(ctx, (*path, "extraOptions")):
            if flag in ("-p", "--publish") and value is not None:
                specs.append((value, item, _option(path, "extraOptions")))
        for spec, item, option in specs:
            found = publish_address(spec)
            if found is None or found[0] not in _ALL:
                continue
            port = found[1]
            service = _sensitive_port(port) if port else None
            shown = f"host port {port}" if port else "a random host port"
            extra = f" ({service})" if service else ""
            yield _hit(
                item,
                f"container '{name}' publishes {shown}{extra} on every address ({spec})"
                f"{when(item.conditional)}: the runtime's forwarding rules come before the NixOS "
                "firewall, so it is reachable from every network; bind it to 127.0.0.1 or one "
                "address",
                option,
                Severity.HIGH if service else None,
            )
