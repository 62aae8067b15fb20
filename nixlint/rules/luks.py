"""2xx: encryption — how LUKS devices are opened (discards, empty passphrases, key files in
the store, DMA protection), and disko layouts that put file systems on plain partitions."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from nixlint import schema
from nixlint.evaluate.values import AttrSet, List, PartialString, Unknown, Value
from nixlint.findings import Confidence, Severity
from nixlint.rules.base import Hit, HostContext, confidence_for, known_text, rule, when
from nixlint.rules.encryption import BOOT_MOUNTS, IMPORTANT_MOUNTS
from nixlint.rules.secretwords import store_path
from nixlint.rules.table import OptionCheck, equals, table_rule
from nixlint.span import Span

LUKS = "boot.initrd.luks.devices"
LUKS_REFS = (
    "https://search.nixos.org/options?query=boot.initrd.luks.devices",
    "https://wiki.nixos.org/wiki/Full_Disk_Encryption",
)

table_rule(
    "NIX204",
    "luks-allow-discards",
    category="encryption",
    severity=Severity.LOW,
    cwe=200,
    summary="A LUKS device passes discards (TRIM) through to the disk",
    why="the disk then shows which blocks are free, which reveals the file system type and how full it is",
    fix="remove allowDiscards (or accept the leak for the SSD's sake, and say so)",
    checks=(
        OptionCheck(
            f"{LUKS}.*.allowDiscards",
            equals(True),
            "LUKS device '{0}' allows discards",
        ),
    ),
    rationale="""
    With discards allowed, the SSD learns (and anyone reading the raw disk later sees)
    which blocks are unused: the pattern reveals the file system, its fill level and
    sometimes what was deleted. Contents stay encrypted; it is a metadata leak that NixOS's
    option documentation itself points out.
    """,
    remediation="""
    ```nix
    boot.initrd.luks.devices.cryptroot.allowDiscards = false;
    ```
    """,
    caveat="""
    Without TRIM, some SSDs get slower and wear faster as they fill up. For most laptops the
    leak is an accepted trade-off: suppress the finding with that reason rather than turning
    discards off blindly.
    """,
    references=(
        "https://search.nixos.org/options?query=boot.initrd.luks.devices.%3Cname%3E.allowDiscards",
        "https://wiki.archlinux.org/title/Dm-crypt/Specialties#Discard/TRIM_support_for_solid_state_drives_(SSD)",
    ),
    bad="""
    {
      boot.initrd.luks.devices.cryptroot = {
        device = "/dev/disk/by-uuid/9a2e51c4-3d7e-4d0a-8a7c-5b6f4e1d2c3b";
        allowDiscards = true;
      };
    }
    """,
    good="""
    {
      boot.initrd.luks.devices.cryptroot = {
        device = "/dev/disk/by-uuid/9a2e51c4-3d7e-4d0a-8a7c-5b6f4e1d2c3b";
      };
    }
    """,
)

table_rule(
    "NIX205",
    "luks-try-empty-passphrase",
    category="encryption",
    severity=Severity.MEDIUM,
    cwe=521,
    summary="The initrd tries to open a LUKS device with an empty passphrase",
    why="a key slot with an empty passphrase opens the disk for anyone who has it",
    fix="remove tryEmptyPassphrase and the empty key slot (cryptsetup luksKillSlot)",
    checks=(
        OptionCheck(
            f"{LUKS}.*.tryEmptyPassphrase",
            equals(True),
            "LUKS device '{0}' is first tried with an empty passphrase",
        ),
    ),
    rationale="""
    `tryEmptyPassphrase` exists for disks that have a key slot with no passphrase — which
    is a disk anyone can open. It is used for machines that boot unattended until someone
    "adds encryption later"; until then the encryption protects nothing.
    """,
    remediation="""
    Open the disk with a real secret — a passphrase, a TPM or a FIDO2 key — and remove the
    empty key slot:
    ```nix
    boot.initrd.luks.devices.cryptroot = {
      device = "/dev/disk/by-uuid/9a2e51c4-3d7e-4d0a-8a7c-5b6f4e1d2c3b";
      crypttabExtraOpts = [ "tpm2-device=auto" ];
    };
    ```
    """,
    caveat="""
    Enrol the new unlock method before removing the empty slot, and test a reboot at the
    console: a host that cannot open its root disk does not boot.
    """,
    references=(
        "https://search.nixos.org/options?query=boot.initrd.luks.devices.%3Cname%3E.tryEmptyPassphrase",
        *LUKS_REFS,
    ),
    bad="""
    {
      boot.initrd.luks.devices.cryptroot = {
        device = "/dev/disk/by-uuid/9a2e51c4-3d7e-4d0a-8a7c-5b6f4e1d2c3b";
        tryEmptyPassphrase = true;
      };
    }
    """,
    good="""
    {
      boot.initrd.luks.devices.cryptroot = {
        device = "/dev/disk/by-uuid/9a2e51c4-3d7e-4d0a-8a7c-5b6f4e1d2c3b";
      };
    }
    """,
)

table_rule(
    "NIX206",
    "luks-dma-protection-disabled",
    category="encryption",
    severity=Severity.MEDIUM,
    cwe=1191,
    summary="The initrd no longer keeps FireWire and Thunderbolt from reading memory (DMA)",
    why="a device plugged into the port can read the LUKS key from memory while the machine runs",
    fix="remove mitigateDMAAttacks = false (the default blocks those modules)",
    checks=(
        OptionCheck(
            "boot.initrd.luks.mitigateDMAAttacks",
            equals(False),
            "DMA attack mitigation is off for LUKS",
        ),
    ),
    rationale="""
    FireWire and Thunderbolt devices can read and write the host's memory directly. With
    LUKS, the key sits in memory while the machine runs; NixOS therefore blacklists the
    FireWire and Thunderbolt modules when LUKS devices are configured. Turning that off
    lets a device plugged into an unattended, locked machine read the key.
    """,
    remediation="""
    ```nix
    boot.initrd.luks.mitigateDMAAttacks = true;
    ```
    """,
    caveat="""
    Thunderbolt docks and FireWire audio interfaces stop working; on machines with an IOMMU
    and Thunderbolt security levels (`bolt`), authorising known devices is the alternative.
    """,
    references=(
        "https://search.nixos.org/options?query=boot.initrd.luks.mitigateDMAAttacks",
        "https://en.wikipedia.org/wiki/DMA_attack",
    ),
    bad="""
    {
      boot.initrd.luks.mitigateDMAAttacks = false;
    }
    """,
    good="""
    {
      boot.initrd.luks.mitigateDMAAttacks = true;
    }
    """,
)


def store_copy(value: Value) -> str | None:
    """The file a value copies into the Nix store: a path literal, or one interpolated into
    a string (``"${./key}"``)."""
    found = store_path(value)
    if found is not None:
        return found
    if isinstance(value, PartialString):
        for part in value.parts:
            if isinstance(part, Unknown) and part.reason.startswith("store path of "):
                return part.reason[len("store path of ") :].split(" (", 1)[0]
    return None


@rule(
    "NIX207",
    "luks-keyfile-in-store",
    category="encryption",
    severity=Severity.CRITICAL,
    summary="A LUKS key file is a Nix path, so the key is copied into the world-readable store",
    cwe=312,
    rationale="""
    `keyFile = ./luks.key` (or `"${./luks.key}"`) copies the key into `/nix/store`, which
    every local user and process can read, which is kept in every generation, and which is
    pushed to binary caches with the system. Whoever reads it opens the disk: the
    encryption then protects against nobody who has had access to the store.
    """,
    remediation="""
    Give the key file as a string path, and put the key into the initrd with
    `boot.initrd.secrets` (read from the host at build time, not copied to the store):
    ```nix
    boot.initrd.secrets."/luks.key" = "/etc/secrets/luks.key";
    boot.initrd.luks.devices.data.keyFile = "/luks.key";
    ```
    """,
    caveat="""
    The key has been in the store: it must be replaced (`cryptsetup luksAddKey` with a new
    key, then `luksKillSlot` the old one), and old generations and caches holding it
    garbage-collected.
    """,
    references=(
        "https://search.nixos.org/options?query=boot.initrd.luks.devices.%3Cname%3E.keyFile",
        "https://search.nixos.org/options?query=boot.initrd.secrets",
        "https://nix.dev/manual/nix/stable/language/types.html#type-path",
    ),
    bad="""
    {
      boot.initrd.luks.devices.data = {
        device = "/dev/disk/by-uuid/9a2e51c4-3d7e-4d0a-8a7c-5b6f4e1d2c3b";
        keyFile = ./luks.key;
      };
    }
    """,
    good="""
    {
      boot.initrd.luks.devices.data = {
        device = "/dev/disk/by-uuid/9a2e51c4-3d7e-4d0a-8a7c-5b6f4e1d2c3b";
        keyFile = "/luks.key";
      };
    }
    """,
)
def luks_keyfile_in_store(ctx: HostContext) -> Iterator[Hit]:
    """Flags `boot.initrd.luks.devices.<name>.keyFile` given as a Nix path literal, or as a
    path interpolated into a string. (`fileSystems.<mount>.encrypted.keyFile` is judged
    with the other secret files, by `secret-file-in-store`.)"""
    for path in ctx.match(f"{LUKS}.*.keyFile"):
        name = path[-2]
        for it in ctx.candidate_values(path):
            source = store_copy(it.value)
            if source is None:
                continue
            yield Hit(
                it.span,
                f"the key file of '{name}' is copied into the Nix store from {_short(source)}"
                f"{when(it.conditional)}: every local user can read the key and open the "
                "disk; give a string path and put the key in with boot.initrd.secrets",
                schema.join(path),
                confidence=confidence_for(Confidence.HIGH, it.conditional),
            )


def _short(path: str) -> str:
    import os

    rel = os.path.relpath(path)
    return path if rel.startswith("..") else rel


# -- NIX208 disko layouts ----------------------------------------------------------------------


@dataclass(slots=True)
class View:
    """A part of the disko configuration: an option path of the host (its attributes are
    further paths) or a value nixlint read (a set in a list)."""

    ctx: HostContext
    path: tuple[str, ...]
    value: Value = None
    span: Span | None = None
    from_value: bool = False

    def get(self, name: str) -> View | None:
        if not self.from_value:
            child = (*self.path, name)
            if name in self.ctx.children(self.path):
                value, _, span = self.ctx.effective(child)
                if self.ctx.children(child):
                    return View(self.ctx, child, span=span or self.ctx.anchor(child))
                return View(self.ctx, child, value, span or self.ctx.anchor(child), True)
            return None
        if isinstance(self.value, AttrSet):
            found = self.value.get(name)
            if found is None:
                return None
            span = found.span or self.span
            return View(self.ctx, (*self.path, name), found.force(), span, True)
        return None

    def text(self, name: str) -> str | None:
        found = self.get(name)
        return known_text(found.value) if found is not None and found.from_value else None

    def entries(self, name: str) -> list[tuple[str, View]]:
        """The named members of a set (``partitions = { … }``) or the elements of a list
        (``partitions = [ … ]``, the legacy table format)."""
        found = self.get(name)
        if found is None:
            return []
        if not found.from_value:
            return [
                (key, view)
                for key in self.ctx.children(found.path)
                if key != "*" and (view := found.get(key)) is not None
            ]
        value = found.value
        if isinstance(value, AttrSet):
            return [(key, v) for key in value.attrs if (v := found.get(key)) is not None]
        if isinstance(value, List):
            out = []
            for index, thunk in enumerate(value.items):
                item = View(
                    self.ctx,
                    (*found.path, str(index)),
                    thunk.force(),
                    thunk.span or found.span,
                    True,
                )
                out.append((item.text("name") or str(index), item))
            return out
        return []


#: Partition types that hold firmware or a boot loader, never data (GPT type codes).
FIRMWARE_PARTITIONS = frozenset({"EF00", "EF02", "C12A7328-F81F-11D2-BA4B-00A0C93EC93B"})
#: Mount points of boot and firmware partitions (a Raspberry Pi's /firmware).
FIRMWARE_MOUNTS = BOOT_MOUNTS | {"/firmware"}


@dataclass(slots=True)
class Plain:
    """A file system or swap disko creates outside any encryption."""

    what: str  # "file system /home", "swap"
    mount: str | None
    span: Span
    via: str  # where it sits: "disk main, partition root"


@dataclass(slots=True)
class _Walk:
    ctx: HostContext
    root: View
    found: list[Plain] = field(default_factory=list)
    seen: set[tuple[str, str]] = field(default_factory=set)

    def content(self, view: View | None, encrypted: bool, via: str) -> None:
        if view is None:
            return
        kind = view.text("type")
        if kind is None:
            return
        if kind == "luks":
            self.content(view.get("content"), True, via)
        elif kind in ("gpt", "table", "msdos"):
            for name, part in view.entries("partitions"):
                if (part.text("type") or "").upper() in FIRMWARE_PARTITIONS:
                    continue  # the EFI system partition, a BIOS boot partition
                self.content(part.get("content"), encrypted, f"{via}, partition {name}")
        elif kind == "filesystem":
            mount = view.text("mountpoint")
            self.mount(view, mount, encrypted, via)
        elif kind == "btrfs":
            mounts = [view.text("mountpoint")]
            mounts += [sub.text("mountpoint") for _, sub in view.entries("subvolumes")]
            known = [m for m in mounts if m]
            if known:
                self.mount(view, min(known, key=len), encrypted, via)
        elif kind == "swap":
            random = view.get("randomEncryption")
            if not encrypted and not (random is not None and random.value is True):
                self.found.append(Plain("swap", None, self._span(view), via))
        elif kind == "lvm_pv":
            self.group("lvm_vg", view.text("vg"), encrypted)
        elif kind == "zfs":
            self.group("zpool", view.text("pool"), encrypted)
        elif kind == "mdraid":
            self.group("mdadm", view.text("name"), encrypted)

    def mount(self, view: View, mount: str | None, encrypted: bool, via: str) -> None:
        if encrypted or not mount or not mount.startswith("/") or mount in FIRMWARE_MOUNTS:
            return
        target = view.get("mountpoint") or view
        self.found.append(Plain(f"file system {mount}", mount, self._span(target), via))

    def group(self, kind: str, name: str | None, encrypted: bool) -> None:
        """An LVM volume group, a ZFS pool or an MD array, judged from the first member
        that names it (its members must agree)."""
        if not name or (kind, name) in self.seen:
            return
        self.seen.add((kind, name))
        group = self.root.get(kind)
        target = group.get(name) if group is not None else None
        if target is None:
            return
        via = f"{kind} {name}"
        if kind == "lvm_vg":
            for lv_name, lv in target.entries("lvs"):
                self.content(lv.get("content"), encrypted, f"{via}, volume {lv_name}")
        elif kind == "mdadm":
            self.content(target.get("content"), encrypted, via)
        else:
            self.pool(target, encrypted, via)

    def pool(self, pool: View, encrypted: bool, via: str) -> None:
        root_options = pool.get("rootFsOptions")
        root_enc = _zfs_encrypted(root_options.text("encryption") if root_options else None)
        datasets = dict(pool.entries("datasets"))
        mount = pool.text("mountpoint")
        if mount and not (encrypted or root_enc):
            self.mount(pool, mount, False, via)
        for name, dataset in datasets.items():
            own = _dataset_encrypted(name, datasets)
            effective = own if own is not None else root_enc
            if dataset.text("type") == "zfs_volume":
                self.content(dataset.get("content"), encrypted or effective, f"{via}/{name}")
                continue
            options = dataset.get("options")
            mount = dataset.text("mountpoint") or (options.text("mountpoint") if options else None)
            self.mount(dataset, mount, encrypted or effective, f"{via}/{name}")

    def _span(self, view: View) -> Span:
        return view.span or self.ctx.anchor(view.path)


def _zfs_encrypted(value: str | None) -> bool:
    return value is not None and value.lower() not in ("off", "")


def _dataset_encrypted(name: str, datasets: dict[str, View]) -> bool | None:
    """A dataset's own or inherited ``encryption`` (None: inherited from the pool)."""
    parts = name.split("/")
    for i in range(len(parts), 0, -1):
        view = datasets.get("/".join(parts[:i]))
        options = view.get("options") if view is not None else None
        setting = options.text("encryption") if options is not None else None
        if setting is not None:
            return _zfs_encrypted(setting)
    return None


def disko_plain(ctx: HostContext) -> list[Plain]:
    """What a host's disko layout puts on disk outside LUKS or ZFS encryption."""
    root = View(ctx, ("disko", "devices"))
    if not ctx.children(root.path):
        return []
    walk = _Walk(ctx, root)
    for name, disk in root.entries("disk"):
        walk.content(disk.get("content"), False, f"disk {name}")
    return walk.found


@rule(
    "NIX208",
    "disko-partition-not-encrypted",
    category="encryption",
    severity=Severity.HIGH,
    summary="A disko layout creates a file system or swap outside LUKS or ZFS encryption",
    cwe=311,
    rationale="""
    disko formats the disks as the layout says: a `filesystem` (or `btrfs`, or an LVM
    volume, or a ZFS dataset) with no `luks` content above it, and no ZFS `encryption`,
    is written in the clear. A stolen or discarded disk then gives away its files — SSH
    host keys, secrets decrypted at boot, user data.
    """,
    remediation="""
    Put the file system inside a `luks` content:
    ```nix
    disko.devices.disk.main.content.partitions.root.content = {
      type = "luks";
      name = "cryptroot";
      content = { type = "filesystem"; format = "ext4"; mountpoint = "/"; };
    };
    ```
    """,
    caveat="""
    Changing the layout only takes effect when disko formats the disk again, which erases
    it: migrate the data first. The host then needs a way to unlock the disk at boot (a
    passphrase at the console, a TPM, or SSH in the initrd).
    """,
    references=(
        "https://github.com/nix-community/disko/blob/master/docs/reference.md",
        "https://github.com/nix-community/disko/blob/master/example/luks-btrfs-subvolumes.nix",
        "https://wiki.nixos.org/wiki/Full_Disk_Encryption",
    ),
    bad="""
    {
      disko.devices.disk.main = {
        type = "disk";
        device = "/dev/nvme0n1";
        content = {
          type = "gpt";
          partitions.root = {
            size = "100%";
            content = { type = "filesystem"; format = "ext4"; mountpoint = "/"; };
          };
        };
      };
    }
    """,
    good="""
    {
      disko.devices.disk.main = {
        type = "disk";
        device = "/dev/nvme0n1";
        content = {
          type = "gpt";
          partitions.root = {
            size = "100%";
            content = {
              type = "luks";
              name = "cryptroot";
              content = { type = "filesystem"; format = "ext4"; mountpoint = "/"; };
            };
          };
        };
      };
    }
    """,
)
def disko_partition_not_encrypted(ctx: HostContext) -> Iterator[Hit]:
    """Follows `disko.devices.disk.<name>.content` through partition tables (`gpt`, the
    legacy `table`), `luks`, LVM (`lvm_pv` → `lvm_vg`), MD arrays and ZFS pools, and flags
    every `filesystem` or `btrfs` content with a mount point (EFI, BIOS-boot and firmware
    partitions aside), every
    ZFS dataset mounted without `encryption` on it or an ancestor, and every `swap` without
    `randomEncryption`, that no `luks` content encloses. High for `/`, `/home`, `/var`,
    `/nix`, `/persist`…, medium for other mounts and swap."""
    for plain in disko_plain(ctx):
        important = plain.mount in IMPORTANT_MOUNTS
        severity = Severity.HIGH if important else Severity.MEDIUM
        yield Hit(
            plain.span,
            f"disko creates {plain.what} unencrypted ({plain.via}): a stolen or discarded "
            "disk gives away its contents; put it inside a luks content (or encrypt the ZFS "
            "dataset)",
            "disko.devices",
            severity=severity,
        )
