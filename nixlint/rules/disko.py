"""disko layouts (``disko.devices``) as the rules see them: the file systems and swap disko
creates, whether LUKS or ZFS encryption encloses each, and the LUKS devices it opens at boot.

disko turns its layout into NixOS options: a ``filesystem`` content becomes
``fileSystems.<mountpoint>``, and a ``luks`` content becomes
``boot.initrd.luks.devices.<name>`` with the content's ``settings`` merged in (unless
``initrdUnlock = false``). Rules about those options read them here as well.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from nixlint.evaluate.values import AttrSet, List, Value
from nixlint.rules.base import HostContext, known_text
from nixlint.span import Span

#: Mount points of boot partitions, which hold the boot loader and kernels, not data.
BOOT_MOUNTS = frozenset({"/boot", "/boot/efi", "/efi", "/boot/firmware"})
#: Mount points of boot and firmware partitions (a Raspberry Pi's /firmware).
FIRMWARE_MOUNTS = BOOT_MOUNTS | {"/firmware"}
#: Partition types that hold firmware or a boot loader, never data (GPT type codes).
FIRMWARE_PARTITIONS = frozenset({"EF00", "EF02", "C12A7328-F81F-11D2-BA4B-00A0C93EC93B"})


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


@dataclass(slots=True)
class Plain:
    """A file system or swap disko creates outside any encryption."""

    what: str  # "file system /home", "swap"
    mount: str | None
    span: Span
    via: str  # where it sits: "disk main, partition root"


@dataclass(slots=True)
class LuksContent:
    """A ``luks`` content of the layout: a LUKS device disko opens at boot as
    ``boot.initrd.luks.devices.<name>``, its ``settings`` included."""

    name: str
    view: View
    via: str

    def setting(self, name: str) -> View | None:
        """One of the content's ``settings`` (``allowDiscards``, ``keyFile``…) as written."""
        settings = self.view.get("settings")
        found = settings.get(name) if settings is not None else None
        return found if found is not None and found.from_value else None


@dataclass(slots=True)
class Layout:
    """What a host's disko layout creates."""

    #: file systems and swap outside any encryption
    plain: list[Plain] = field(default_factory=list)
    #: every mount point disko creates, and whether encryption encloses it
    mounts: dict[str, bool] = field(default_factory=dict)
    #: the LUKS devices disko adds to boot.initrd.luks.devices
    luks: list[LuksContent] = field(default_factory=list)


@dataclass(slots=True)
class _Walk:
    ctx: HostContext
    root: View
    layout: Layout = field(default_factory=Layout)
    seen: set[tuple[str, str]] = field(default_factory=set)

    def content(self, view: View | None, encrypted: bool, via: str) -> None:
        if view is None:
            return
        kind = view.text("type")
        if kind is None:
            return
        if kind == "luks":
            unlock = view.get("initrdUnlock")
            if unlock is None or unlock.value is not False:
                self.layout.luks.append(LuksContent(view.text("name") or "…", view, via))
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
            for mount in known:
                self.layout.mounts.setdefault(mount, encrypted)
            if known:
                self.mount(view, min(known, key=len), encrypted, via)
        elif kind == "swap":
            random = view.get("randomEncryption")
            if not encrypted and not (random is not None and random.value is True):
                self.layout.plain.append(Plain("swap", None, self._span(view), via))
        elif kind == "lvm_pv":
            self.group("lvm_vg", view.text("vg"), encrypted)
        elif kind == "zfs":
            self.group("zpool", view.text("pool"), encrypted)
        elif kind == "mdraid":
            self.group("mdadm", view.text("name"), encrypted)

    def mount(self, view: View, mount: str | None, encrypted: bool, via: str) -> None:
        if not mount or not mount.startswith("/") or mount in FIRMWARE_MOUNTS:
            return
        self.layout.mounts[mount] = encrypted
        if encrypted:
            return
        target = view.get("mountpoint") or view
        self.layout.plain.append(Plain(f"file system {mount}", mount, self._span(target), via))

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
        if mount:
            self.mount(pool, mount, encrypted or root_enc, via)
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


def layout(ctx: HostContext) -> Layout:
    """What a host's disko layout creates (empty without ``disko.devices``)."""
    root = View(ctx, ("disko", "devices"))
    if not ctx.children(root.path):
        return Layout()
    walk = _Walk(ctx, root)
    for name, disk in root.entries("disk"):
        walk.content(disk.get("content"), False, f"disk {name}")
    return walk.layout
