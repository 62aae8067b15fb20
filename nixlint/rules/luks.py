"""2xx: encryption — how LUKS devices are opened (discards, empty passphrases, key files in
the store, DMA protection), and disko layouts that put file systems on plain partitions."""

from __future__ import annotations

from collections.abc import Iterator

from nixlint import schema
from nixlint.evaluate.values import PartialString, Unknown, Value
from nixlint.findings import Confidence, Severity
from nixlint.rules import disko
from nixlint.rules.base import Check, Hit, HostContext, confidence_for, render, rule, when
from nixlint.rules.encryption import IMPORTANT_MOUNTS
from nixlint.rules.secretwords import store_path
from nixlint.rules.table import OptionCheck, Test, equals, table_rule

LUKS = "boot.initrd.luks.devices"
LUKS_REFS = (
    "https://search.nixos.org/options?query=boot.initrd.luks.devices",
    "https://wiki.nixos.org/wiki/Full_Disk_Encryption",
)

#: How the documentation of a LUKS rule mentions disko layouts.
DISKO_NOTE = """
A disko `luks` content is opened at boot as `boot.initrd.luks.devices.<name>` with the
content's `settings` merged in, so its `settings.{0}` is judged too.
"""


def disko_setting(setting: str, test: Test, problem: str, why: str, fix: str) -> Check:
    """Findings for ``settings.<setting>`` of the disko layout's LUKS contents, which disko
    passes on to ``boot.initrd.luks.devices.<name>.<setting>``."""

    def check(ctx: HostContext) -> Iterator[Hit]:
        for luks in disko.layout(ctx).luks:
            found = luks.setting(setting)
            if found is None or found.span is None or test(found.value) is None:
                continue
            yield Hit(
                found.span,
                f"{problem.format(luks.name)} (settings.{setting} = {render(found.value)} in "
                f"the disko layout, {luks.via}, which disko passes on to "
                f"{LUKS}.{luks.name}): {why}; {fix}",
                "disko.devices",
            )

    return check


table_rule(
    "NIX204",
    "luks-allow-discards",
    category="encryption",
    severity=Severity.LOW,
    cwe=200,
    summary="A LUKS device passes discards (TRIM) through to the disk",
    why="the disk then shows which blocks are free, which reveals the file system type and how full it is",
    fix="remove allowDiscards (or accept the leak for the SSD's sake, and say so)",
    details=DISKO_NOTE.format("allowDiscards"),
    checks=(
        OptionCheck(
            f"{LUKS}.*.allowDiscards",
            equals(True),
            "LUKS device '{0}' allows discards",
        ),
    ),
    also=disko_setting(
        "allowDiscards",
        equals(True),
        "LUKS device '{0}' allows discards",
        "the disk then shows which blocks are free, which reveals the file system type and "
        "how full it is",
        "remove settings.allowDiscards from the luks content (or accept the leak for the "
        "SSD's sake, and say so)",
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
    details=DISKO_NOTE.format("tryEmptyPassphrase"),
    checks=(
        OptionCheck(
            f"{LUKS}.*.tryEmptyPassphrase",
            equals(True),
            "LUKS device '{0}' is first tried with an empty passphrase",
        ),
    ),
    also=disko_setting(
        "tryEmptyPassphrase",
        equals(True),
        "LUKS device '{0}' is first tried with an empty passphrase",
        "a key slot with an empty passphrase opens the disk for anyone who has it",
        "remove settings.tryEmptyPassphrase from the luks content and the empty key slot "
        "(cryptsetup luksKillSlot)",
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
    with the other secret files, by `secret-file-in-store`.) A disko `luks` content's
    `settings.keyFile` is judged too: disko passes it on to `boot.initrd.luks.devices`."""
    for luks in disko.layout(ctx).luks:
        found = luks.setting("keyFile")
        source = store_copy(found.value) if found is not None else None
        if found is None or found.span is None or source is None:
            continue
        yield Hit(
            found.span,
            f"the key file of '{luks.name}' is copied into the Nix store from {_short(source)} "
            f"(settings.keyFile in the disko layout, {luks.via}, which disko passes on to "
            f"{LUKS}.{luks.name}.keyFile): every local user can read the key and open the "
            "disk; give a string path and put the key in with boot.initrd.secrets",
            "disko.devices",
        )
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
    for plain in disko.layout(ctx).plain:
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
