"""2xx: encryption at rest — file systems and swap not on LUKS."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from nixlint import schema
from nixlint.evaluate.values import AttrSet, Unknown, Value
from nixlint.findings import Confidence, Severity
from nixlint.rules import disko
from nixlint.rules.base import Hit, HostContext, attr, confidence_for, known_text, rule, when
from nixlint.span import Span

#: File systems whose contents do not persist, or live on another machine.
NOT_LOCAL_PERSISTENT = frozenset(
    {
        "tmpfs",
        "ramfs",
        "proc",
        "sysfs",
        "devtmpfs",
        "devpts",
        "cgroup",
        "cgroup2",
        "securityfs",
        "efivarfs",
        "debugfs",
        "tracefs",
        "configfs",
        "fusectl",
        "hugetlbfs",
        "mqueue",
        "bpf",
        "pstore",
        "autofs",
        "binfmt_misc",
        "overlay",
        "squashfs",
        "iso9660",
        "nfs",
        "nfs4",
        "cifs",
        "smbfs",
        "smb3",
        "sshfs",
        "9p",
        "virtiofs",
        "glusterfs",
        "ceph",
        "davfs",
        "lustre",
        "none",
    }
)
BOOT_MOUNTS = disko.BOOT_MOUNTS
IMPORTANT_MOUNTS = frozenset({"/", "/home", "/var", "/root", "/nix", "/persist", "/srv"})
LUKS = "boot.initrd.luks.devices"


@dataclass(slots=True)
class _Verdict:
    encrypted: bool | None  # None: cannot verify
    why: str


def _luks_names(ctx: HostContext) -> list[str]:
    """The LUKS devices the initrd opens: those configured directly, and those a disko
    layout adds."""
    names = [n for n in ctx.children(LUKS) if n != "*"]
    return names + [c.name for c in disko.layout(ctx).luks if c.name not in names]


def _has_dynamic_luks(ctx: HostContext) -> bool:
    return "*" in ctx.children(LUKS) or ctx.graph.exists("disko.devices")


def _device_verdict(ctx: HostContext, device: Value) -> _Verdict:
    """Whether a block device is on LUKS, judged from the host's LUKS configuration."""
    names = _luks_names(ctx)
    dynamic = _has_dynamic_luks(ctx)
    text = known_text(device)
    if isinstance(device, str) and device.startswith("/dev/mapper/"):
        mapped = device[len("/dev/mapper/") :]
        if mapped in names:
            return _Verdict(True, f"opened from LUKS device '{mapped}'")
        return _Verdict(
            None, f"{device} has no matching {LUKS} entry (it may be LVM or opened elsewhere)"
        )
    if names or dynamic:
        which = f"LUKS device '{names[0]}'" if len(names) == 1 else "one of the LUKS devices"
        shown = text if isinstance(device, str) else "its device"
        return _Verdict(None, f"{shown} may be the file system inside {which}")
    if isinstance(device, Unknown):
        if ctx.unread_imports:
            return _Verdict(None, "its device is set outside the scanned files")
        return _Verdict(
            False, "no LUKS device is configured on this host (device not known statically)"
        )
    return _Verdict(
        False, f"{text or 'the device'} is not a LUKS mapping and no LUKS device is configured"
    )


def _device_given(ctx: HostContext, fs: tuple[str, ...]) -> bool:
    return any(ctx.resolve((*fs, key)).candidates for key in ("device", "label"))


def _fs_device(ctx: HostContext, fs: tuple[str, ...]) -> tuple[Value, bool, Span | None]:
    value, conditional, span = ctx.effective((*fs, "device"))
    if ctx.resolve((*fs, "device")).candidates:
        return value, conditional, span
    label, conditional, span = ctx.effective((*fs, "label"))
    if isinstance(label, str) and ctx.resolve((*fs, "label")).candidates:
        return f"/dev/disk/by-label/{label}", conditional, span
    return value, conditional, span


def filesystems(ctx: HostContext) -> Iterator[tuple[str, tuple[str, ...], _Verdict, bool, Span]]:
    """(mount point, option path, verdict, conditional, anchor) per persistent local file
    system. A file system a disko layout creates, whose device the configuration does not
    set otherwise, is left to the disko rule: the layout says whether it is encrypted."""
    created = disko.layout(ctx).mounts
    for fs in ctx.match("fileSystems.*"):
        states = [d.condition() for d in ctx.graph.definitions(fs)]
        if not states or all(s is False for s in states):
            continue
        presence_conditional = not any(s is True for s in states)
        mount = fs[-1]
        mount_value, _, _ = ctx.effective((*fs, "mountPoint"))
        if isinstance(mount_value, str) and ctx.resolve((*fs, "mountPoint")).candidates:
            mount = mount_value
        if mount in BOOT_MOUNTS or mount == "*" or not mount.startswith("/"):
            continue
        fs_type, _, _ = ctx.effective((*fs, "fsType"))
        if isinstance(fs_type, str) and (
            fs_type in NOT_LOCAL_PERSISTENT or fs_type.startswith("fuse")
        ):
            continue
        if mount in created and not _device_given(ctx, fs):
            continue
        options = [i.text for i in ctx.items((*fs, "options"))]
        if {"bind", "rbind", "ro"} & set(options):
            continue  # another file system's directory, or read-only media
        device, dev_conditional, dev_span = _fs_device(ctx, fs)
        encrypted, enc_conditional, _ = ctx.effective((*fs, "encrypted", "enable"))
        if encrypted is True:
            continue
        if fs_type == "zfs":
            verdict = _Verdict(None, "ZFS native encryption is not visible in the configuration")
        elif fs_type == "bcachefs":
            verdict = _Verdict(None, "bcachefs encryption is not visible in the configuration")
        elif isinstance(device, str) and not device.startswith("/"):
            continue  # a pseudo device ("none", a network share) whose type was not given
        else:
            verdict = _device_verdict(ctx, device)
        conditional = presence_conditional or dev_conditional or enc_conditional
        yield mount, fs, verdict, conditional, dev_span or ctx.anchor(fs)


@rule(
    "NIX201",
    "filesystem-not-encrypted",
    category="encryption",
    severity=Severity.HIGH,
    summary="A persistent file system is not on an encrypted (LUKS) device",
    cwe=311,
    rationale="""
    A stolen disk, a returned laptop or a decommissioned server gives away every secret on
    it: SSH host keys, `/etc/shadow`, application data, secrets decrypted at boot.
    """,
    remediation="""
    Put the file system inside LUKS and mount the opened device:
    ```nix
    boot.initrd.luks.devices.cryptroot.device = "/dev/disk/by-uuid/9a2e…";
    fileSystems."/" = { device = "/dev/mapper/cryptroot"; fsType = "ext4"; };
    ```
    """,
    caveat="""
    Encrypting an existing disk means reinstalling or migrating the data; it cannot be
    switched on in place. Changing only the configuration leaves an unbootable host.
    """,
    references=(
        "https://nixos.org/manual/nixos/stable/#sec-luks-file-systems",
        "https://wiki.nixos.org/wiki/Full_Disk_Encryption",
    ),
    bad="""
    {
      fileSystems."/" = {
        device = "/dev/disk/by-uuid/4f1c0d2e-7b1a-4c39-9a55-0d1f6f3c2b10";
        fsType = "ext4";
      };
    }
    """,
    good="""
    {
      boot.initrd.luks.devices.cryptroot.device = "/dev/disk/by-uuid/9a2e51c4-3d7e-4d0a-8a7c-5b6f4e1d2c3b";
      fileSystems."/" = {
        device = "/dev/mapper/cryptroot";
        fsType = "ext4";
      };
    }
    """,
)
def filesystem_not_encrypted(ctx: HostContext) -> Iterator[Hit]:
    """Flags `fileSystems.<mount>` for persistent local file systems (not tmpfs, network or
    boot partitions) when the host configures no LUKS device at all and the file system has
    no `encrypted.enable`. On a virtual machine (a nixpkgs guest or cloud-image profile
    imported, or a guest option such as `services.qemuGuest.enable`) the finding has lower
    confidence: the disk belongs to the hypervisor or cloud, whose storage may be
    encrypted."""
    unread = _unread_note(ctx)
    vm = _vm_note(ctx)
    for mount, fs, verdict, conditional, span in filesystems(ctx):
        if verdict.encrypted is False:
            important = mount in IMPORTANT_MOUNTS
            yield Hit(
                span,
                f"file system {mount} is not encrypted: "
                f"{verdict.why}{when(conditional)}{unread}{vm}",
                schema.join(fs),
                severity=Severity.HIGH if important else Severity.MEDIUM,
                confidence=_lowered(conditional or bool(unread), bool(vm)),
            )


#: nixpkgs modules that make a host a virtual machine or a cloud image, and the options
#: that say the host runs as a guest.
VM_PROFILES = ("/profiles/qemu-guest.nix", "/virtualisation/")
VM_GUEST_OPTIONS = (
    "services.qemuGuest.enable",
    "virtualisation.vmware.guest.enable",
    "virtualisation.virtualbox.guest.enable",
    "virtualisation.hypervGuest.enable",
)


def _vm_note(ctx: HostContext) -> str:
    """A note for a verdict about a virtual machine's disk: the disk is a file or volume of
    the hypervisor or cloud, whose storage may be encrypted where nixlint cannot see."""

    def find() -> str:
        why = next(
            (i.label.rsplit("/", 1)[-1] for i in ctx.external if _vm_profile(i.label)),
            None,
        ) or next((o for o in VM_GUEST_OPTIONS if ctx.effective(o)[0] is True), None)
        if why is None:
            return ""
        return (
            f" (a virtual machine, {why}: its storage may be encrypted by the hypervisor or cloud)"
        )

    return ctx.remembered(("vm-note",), find)


def _vm_profile(label: str) -> bool:
    return any(profile in label for profile in VM_PROFILES)


def _lowered(uncertain: bool, virtual: bool) -> Confidence:
    """High, lowered once for an uncertain verdict and once for a virtual machine's disk."""
    return confidence_for(confidence_for(Confidence.HIGH, uncertain), virtual)


def _unread_note(ctx: HostContext) -> str:
    """A note for a verdict that rests on the absence of LUKS configuration, when the host
    imports modules nixlint cannot read (which might configure it)."""
    if not ctx.unread_imports:
        return ""
    return f" (unless an imported module sets it up: {ctx.unread_imports[0]})"


@rule(
    "NIX202",
    "encryption-unverified",
    category="encryption",
    severity=Severity.INFO,
    confidence=Confidence.LOW,
    summary="Whether a file system or swap device is encrypted cannot be verified statically",
    cwe=311,
    rationale="""
    It may be fine: this is a note, not a finding of a weakness. Referring to the opened LUKS
    device as `/dev/mapper/<name>` makes the configuration say what it does, and lets nixlint
    verify it. ZFS and bcachefs native encryption is a property of the pool or file system,
    which the configuration does not show.
    """,
    remediation="""
    Mount the opened LUKS device by its mapper name:
    ```nix
    boot.initrd.luks.devices.cryptroot.device = "/dev/disk/by-uuid/9a2e…";
    fileSystems."/".device = "/dev/mapper/cryptroot";
    ```
    """,
    caveat="""
    Check that the `by-uuid` path really is the file system inside the LUKS device before
    renaming it: the mapper name only exists once the device is opened in the initrd.
    """,
    references=("https://nixos.org/manual/nixos/stable/#sec-luks-file-systems",),
    bad="""
    {
      boot.initrd.luks.devices.cryptroot.device = "/dev/disk/by-uuid/9a2e51c4-3d7e-4d0a-8a7c-5b6f4e1d2c3b";
      fileSystems."/" = {
        device = "/dev/disk/by-uuid/4f1c0d2e-7b1a-4c39-9a55-0d1f6f3c2b10";
        fsType = "ext4";
      };
    }
    """,
    good="""
    {
      boot.initrd.luks.devices.cryptroot.device = "/dev/disk/by-uuid/9a2e51c4-3d7e-4d0a-8a7c-5b6f4e1d2c3b";
      fileSystems."/" = {
        device = "/dev/mapper/cryptroot";
        fsType = "ext4";
      };
    }
    """,
)
def encryption_unverified(ctx: HostContext) -> Iterator[Hit]:
    """Notes persistent file systems and swap devices whose encryption nixlint cannot confirm
    or rule out from the configuration: a `/dev/disk/by-uuid/…` device on a host that has
    LUKS devices (it may be the file system inside one of them), a `/dev/mapper/…` name
    with no matching `boot.initrd.luks.devices` entry (LVM, or opened elsewhere), ZFS or
    bcachefs native encryption."""
    for mount, fs, verdict, conditional, span in filesystems(ctx):
        if verdict.encrypted is None:
            yield Hit(
                span,
                f"cannot verify that file system {mount} is encrypted: {verdict.why}{when(conditional)}",
                schema.join(fs),
            )
    for device, verdict, item_span, conditional in swap_devices(ctx):
        if verdict.encrypted is None:
            yield Hit(
                item_span,
                f"cannot verify that swap device {device} is encrypted: {verdict.why}{when(conditional)}",
                "swapDevices",
            )


def _truthy_encryption(value: Value) -> bool:
    if value is True:
        return True
    if isinstance(value, AttrSet):
        return attr(value, "enable") is True
    return False


def swap_devices(ctx: HostContext) -> Iterator[tuple[str, _Verdict, Span, bool]]:
    for item in ctx.items("swapDevices"):
        entry = item.value
        if not isinstance(entry, AttrSet):
            continue
        if _truthy_encryption(attr(entry, "randomEncryption")):
            continue
        if _truthy_encryption(attr(entry, "encrypted")):
            continue
        if attr(entry, "size") is not None:
            continue  # a swap file: as encrypted as the file system that holds it
        device = attr(entry, "device")
        label = attr(entry, "label")
        if device is None and isinstance(label, str):
            device = f"/dev/disk/by-label/{label}"
        text = known_text(device) or "(unknown)"
        if isinstance(device, str) and not device.startswith("/dev/"):
            continue  # a swap file
        yield text, _device_verdict(ctx, device), item.span, item.conditional


@rule(
    "NIX203",
    "swap-not-encrypted",
    category="encryption",
    severity=Severity.MEDIUM,
    summary="A swap device is neither randomly encrypted nor on LUKS",
    cwe=311,
    rationale="""
    Memory pages written to swap — keys, passwords, decrypted secrets — stay on the disk
    after power-off, readable by whoever gets the disk.
    """,
    remediation="""
    Encrypt the swap partition with a new random key at each boot:
    ```nix
    swapDevices = [ { device = "/dev/disk/by-partuuid/1d3c…"; randomEncryption.enable = true; } ];
    ```
    """,
    caveat="""
    Random encryption uses a new key at each boot, so it cannot be combined with
    hibernation; use a swap device inside LUKS for that. Do not use a `by-uuid` or
    `by-label` path with random encryption: the signature is overwritten at each boot.
    """,
    references=(
        "https://search.nixos.org/options?query=swapDevices.*.randomEncryption",
        "https://wiki.nixos.org/wiki/Swap",
    ),
    bad="""
    {
      swapDevices = [ { device = "/dev/disk/by-partuuid/1d3c5e7a-02"; } ];
    }
    """,
    good="""
    {
      swapDevices = [
        {
          device = "/dev/disk/by-partuuid/1d3c5e7a-02";
          randomEncryption.enable = true;
        }
      ];
    }
    """,
)
def swap_not_encrypted(ctx: HostContext) -> Iterator[Hit]:
    """Flags `swapDevices` entries on a partition without `randomEncryption.enable = true`,
    when the host configures no LUKS device. Swap files (`size` set, or a path outside
    `/dev`) are left to the file system rules."""
    unread = _unread_note(ctx)
    vm = _vm_note(ctx)
    for device, verdict, span, conditional in swap_devices(ctx):
        if verdict.encrypted is False:
            yield Hit(
                span,
                f"swap device {device} is not encrypted: "
                f"{verdict.why}{when(conditional)}{unread}{vm}",
                "swapDevices",
                confidence=_lowered(conditional or bool(unread), bool(vm)),
            )
