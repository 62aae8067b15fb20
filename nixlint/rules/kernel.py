"""7xx: kernel — command-line parameters and sysctls that weaken the kernel, and the hardened
profile's settings turned back. What each parameter and sysctl does is data
(``schema/kernel.json``)."""

from __future__ import annotations

import operator
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cache
from typing import Any

from nixlint import schema
from nixlint.evaluate.values import Value
from nixlint.findings import Confidence, Severity
from nixlint.rules.base import (
    Hit,
    HostContext,
    Item,
    confidence_for,
    known_text,
    render,
    rule,
    when,
)

PARAMS = "boot.kernelParams"
SYSCTL = "boot.kernel.sysctl"
KERNEL_REFS = (
    "https://docs.kernel.org/admin-guide/kernel-parameters.html",
    "https://search.nixos.org/options?query=boot.kernelParams",
)
SYSCTL_REFS = (
    "https://docs.kernel.org/admin-guide/sysctl/index.html",
    "https://search.nixos.org/options?query=boot.kernel.sysctl",
)


@cache
def _data() -> dict[str, Any]:
    return schema.data("kernel.json")


def _normal(param: str) -> str:
    """A kernel parameter as the kernel compares it: ``-`` and ``_`` in the name are the
    same; values are compared in lower case."""
    name, eq, value = param.partition("=")
    return name.replace("-", "_") + (eq + value.lower() if eq else "")


@cache
def _params(kind: str) -> dict[str, tuple[Severity, str]]:
    table = _data()["params"][kind]
    return {_normal(k): (Severity(v["severity"]), v["what"]) for k, v in table.items()}


@dataclass(frozen=True, slots=True)
class Param:
    """One parameter in an element of ``boot.kernelParams``."""

    text: str
    item: Item

    @property
    def normal(self) -> str:
        return _normal(self.text)


def kernel_params(ctx: HostContext) -> Iterator[Param]:
    """Every parameter of ``boot.kernelParams`` (an element may hold several)."""
    for it in ctx.items(PARAMS):
        text = known_text(it.value)
        for word in (text or "").split():
            if word != "…":
                yield Param(word.strip('"'), it)


def _param_hits(ctx: HostContext, kind: str, why: str, fix: str) -> Iterator[Hit]:
    table = _params(kind)
    for param in kernel_params(ctx):
        found = table.get(param.normal)
        if found is None:
            continue
        severity, what = found
        it = param.item
        yield Hit(
            it.span_of(re.compile(rf"(?<![\w.=-]){re.escape(param.text)}(?![\w.=-])")),
            f"kernel parameter {param.text} {what}{when(it.conditional)}: {why}; {fix}",
            PARAMS,
            severity=severity,
            confidence=confidence_for(Confidence.HIGH, it.conditional),
        )


@rule(
    "NIX701",
    "cpu-mitigations-disabled",
    category="kernel",
    severity=Severity.HIGH,
    cwe=1037,
    summary="A kernel parameter turns off CPU vulnerability mitigations",
    rationale="""
    Spectre, Meltdown, MDS and their relatives let one process (or a virtual machine, or
    JavaScript in a browser) read memory it must not: other processes' secrets, the kernel's
    memory, the host's memory from a guest. The kernel's mitigations cost some performance,
    which is why guides for gaming and benchmarks suggest turning them off; the exposure
    they remove comes back with them.
    """,
    remediation="""
    Remove the parameter and keep the kernel's default mitigations:
    ```nix
    boot.kernelParams = [ "quiet" ];
    ```
    """,
    caveat="""
    Workloads heavy in system calls or context switches get slower again (a few percent,
    more on old CPUs). Measure before deciding; on a single-user machine that runs no
    untrusted code the trade-off may be deliberate — suppress the finding with a reason.
    """,
    references=(
        "https://docs.kernel.org/admin-guide/hw-vuln/index.html",
        *KERNEL_REFS,
    ),
    bad="""
    {
      boot.kernelParams = [ "quiet" "mitigations=off" ];
    }
    """,
    good="""
    {
      boot.kernelParams = [ "quiet" ];
    }
    """,
)
def cpu_mitigations_disabled(ctx: HostContext) -> Iterator[Hit]:
    """Flags `boot.kernelParams` that turn off CPU vulnerability mitigations:
    `mitigations=off`, `nopti`/`pti=off`/`kpti=0`, `nospectre_v2`/`spectre_v2=off` (high);
    `nospectre_v1`, `spectre_v2_user=off`, `spectre_bhi=off`, `nospec_store_bypass_disable`,
    `l1tf=off`, `mds=off`, `tsx_async_abort=off`, `mmio_stale_data=off`, `retbleed=off`,
    `srbds=off`, `gather_data_sampling=off`, `reg_file_data_sampling=off`,
    `spec_rstack_overflow=off`, `kvm.nx_huge_pages=off`,
    `kvm-intel.vmentry_l1d_flush=never`, `noibrs`, `noibpb`, `no_stf_barrier`,
    `nospectre_bhb`, `ssbd=force-off` (medium); `tsx=on` (low)."""
    yield from _param_hits(
        ctx,
        "cpu",
        "processes, browsers and virtual machines can read memory across that boundary",
        "remove it and keep the kernel's default mitigations",
    )


@rule(
    "NIX702",
    "kernel-self-protection-disabled",
    category="kernel",
    severity=Severity.MEDIUM,
    cwe=1188,
    summary="A kernel parameter turns off a kernel self-protection feature",
    rationale="""
    Address-space randomisation, SMAP/SMEP, hardened user copies, memory zeroing and the
    IOMMU do not fix bugs; they make bugs hard to exploit. Turning one off from the command
    line turns a crash into a working exploit, often without anyone noticing: the parameter
    was added once, to debug something.
    """,
    remediation="""
    Remove the parameter:
    ```nix
    boot.kernelParams = [ "quiet" ];
    ```
    """,
    caveat="""
    Some parameters work around broken hardware or firmware (`iommu=off` for a device that
    fails with the IOMMU on): check why it was added, and fix that (a firmware update, a
    quirk for the one device) before removing it.
    """,
    references=(
        "https://docs.kernel.org/security/self-protection.html",
        *KERNEL_REFS,
    ),
    bad="""
    {
      boot.kernelParams = [ "nokaslr" ];
    }
    """,
    good="""
    {
      boot.kernelParams = [ "slab_nomerge" "init_on_free=1" ];
    }
    """,
)
def kernel_self_protection_disabled(ctx: HostContext) -> Iterator[Hit]:
    """Flags `boot.kernelParams` that turn off kernel self-protection: `nokaslr`,
    `norandmaps`, `nosmap`, `nosmep` (high); `noexec=off`, `hardened_usercopy=off`,
    `cfi=off`, `ibt=off`, `vsyscall=native` (medium); `vsyscall=emulate`,
    `randomize_kstack_offset=off`, `init_on_free=0`, `init_on_alloc=0`, `iommu=off`,
    `intel_iommu=off`, `amd_iommu=off`, `sysrq_always_enabled` (low). A protection that is
    merely absent (no `slab_nomerge`) is not reported."""
    yield from _param_hits(
        ctx,
        "protection",
        "it makes kernel bugs far easier to exploit",
        "remove it",
    )


@rule(
    "NIX703",
    "kernel-lsm-disabled",
    category="kernel",
    severity=Severity.LOW,
    cwe=1188,
    summary="A kernel parameter keeps a security module or the audit subsystem from loading",
    rationale="""
    AppArmor profiles confine services only if the kernel loads AppArmor; `apparmor=0` or an
    `lsm=` list without it leaves every profile of `security.apparmor` inert while the
    configuration still says it is enabled. `audit=0` turns off the record of security
    events that `security.auditd` and forensics rely on.
    """,
    remediation="""
    Remove the parameter; NixOS adds what AppArmor needs when it is enabled:
    ```nix
    security.apparmor.enable = true;
    boot.kernelParams = [ ];
    ```
    """,
    caveat="""
    Profiles that were never loaded may deny things the programs need once AppArmor starts
    enforcing them: check `journalctl -k | grep apparmor` after the first boot.
    """,
    references=(
        "https://docs.kernel.org/admin-guide/LSM/index.html",
        "https://search.nixos.org/options?query=security.apparmor.enable",
        *KERNEL_REFS,
    ),
    bad="""
    {
      boot.kernelParams = [ "audit=0" ];
    }
    """,
    good="""
    {
      boot.kernelParams = [ "audit=1" ];
    }
    """,
)
def kernel_lsm_disabled(ctx: HostContext) -> Iterator[Hit]:
    """Flags `boot.kernelParams` that keep a security module or auditing off: `apparmor=0`
    and an `lsm=` list without `apparmor` (high when `security.apparmor.enable` is true,
    else low), `security=none`, `audit=0` (low), `selinux=0`, `enforcing=0` (info: NixOS
    does not use SELinux)."""
    apparmor = ctx.resolve("security.apparmor.enable")
    apparmor_on = apparmor.value is True and not apparmor.conditional
    table = _params("lsm")
    for param in kernel_params(ctx):
        it = param.item
        normal = param.normal
        severity: Severity | None
        if normal.startswith("lsm="):
            modules = normal[4:].split(",")
            if not apparmor_on or "apparmor" in modules:
                continue
            severity, what = Severity.HIGH, "loads security modules without AppArmor"
        elif normal in table:
            severity, what = table[normal]
            if normal == "apparmor=0" and apparmor_on:
                severity = Severity.HIGH
        else:
            continue
        why = (
            "security.apparmor.enable is true, but the kernel may not load AppArmor, so no "
            "profile confines anything"
            if severity is Severity.HIGH
            else "the protection it provides is gone without the configuration saying so"
        )
        yield Hit(
            it.span_of(re.compile(re.escape(param.text))),
            f"kernel parameter {param.text} {what}{when(it.conditional)}: {why}; remove it",
            PARAMS,
            severity=severity,
            confidence=confidence_for(Confidence.HIGH, it.conditional),
        )


# -- sysctls ----------------------------------------------------------------------------------

_OPS: dict[str, Callable[[float, float], bool]] = {
    "==": operator.eq,
    "<": operator.lt,
    "<=": operator.le,
    ">=": operator.ge,
}


@cache
def _sysctls(kind: str) -> list[tuple[re.Pattern[str], list[dict[str, Any]]]]:
    table = _data()["sysctls"][kind]
    out = []
    for name, tests in table.items():
        pattern = re.escape(name).replace(r"\*", r"[^.]+")
        out.append((re.compile(rf"^{pattern}$"), tests))
    return out


def sysctl_number(value: Value) -> int | None:
    """A sysctl value as the kernel reads it: Booleans are 1 and 0, strings are parsed."""
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int):
        return value
    if isinstance(value, str):
        try:
            return int(value.strip())
        except ValueError:
            return None
    return None


def _sysctl_hits(ctx: HostContext, kind: str, fix: str) -> Iterator[Hit]:
    table = _sysctls(kind)
    for key in ctx.children(SYSCTL):
        name = key.replace("/", ".")
        tests = next((t for pattern, t in table if pattern.match(name)), None)
        if not tests:
            continue
        option = schema.join((*schema.split(SYSCTL), key))
        for it in ctx.candidate_values((*schema.split(SYSCTL), key)):
            number = sysctl_number(it.value)
            if number is None:
                continue
            test = next((t for t in tests if _OPS[t["op"]](number, t["value"])), None)
            if test is None:
                continue
            yield Hit(
                it.span,
                f"sysctl {name} = {render(it.value)} {test['what']}{when(it.conditional)}; {fix}",
                option,
                severity=Severity(test["severity"]),
                confidence=confidence_for(Confidence.HIGH, it.conditional),
            )


@rule(
    "NIX704",
    "sysctl-kernel-hardening-weakened",
    category="kernel",
    severity=Severity.MEDIUM,
    cwe=1188,
    summary="A sysctl turns off a kernel or file-system hardening default",
    rationale="""
    NixOS and the kernel ship protective defaults: kernel pointers hidden from users
    (`kernel.kptr_restrict = 1`), unprivileged BPF off, ptrace limited to descendants, link
    and FIFO protections in world-writable directories (`fs.protected_*`). Setting one back
    to its permissive value — usually to make a debugger, a profiler or an old program work
    — reopens a known exploit path for every local user and compromised service.
    """,
    remediation="""
    Remove the setting (NixOS's default applies), or keep the protective value:
    ```nix
    boot.kernel.sysctl."kernel.kptr_restrict" = 1;
    ```
    """,
    caveat="""
    Tools that needed the permissive value (perf, a debugger attaching to running
    processes, some game anti-cheat) stop working: grant the capability to that tool
    instead (`security.wrappers` with `CAP_SYS_PTRACE`, `CAP_PERFMON`).
    """,
    references=(
        "https://docs.kernel.org/admin-guide/sysctl/kernel.html",
        "https://docs.kernel.org/admin-guide/sysctl/fs.html",
        *SYSCTL_REFS,
    ),
    bad="""
    {
      boot.kernel.sysctl."kernel.kptr_restrict" = 0;
    }
    """,
    good="""
    {
      boot.kernel.sysctl."kernel.kptr_restrict" = 2;
    }
    """,
)
def sysctl_kernel_hardening_weakened(ctx: HostContext) -> Iterator[Hit]:
    """Flags `boot.kernel.sysctl` entries set to a permissive value: `kernel.kptr_restrict`,
    `kernel.unprivileged_bpf_disabled`, `kernel.yama.ptrace_scope`,
    `fs.protected_symlinks`, `fs.protected_hardlinks` = 0, `fs.suid_dumpable` = 1,
    `vm.mmap_min_addr` below 4096, `kernel.perf_event_paranoid` = -1 (medium);
    `kernel.randomize_va_space` = 0 (high), = 1 (low); `kernel.dmesg_restrict`,
    `fs.protected_fifos`, `fs.protected_regular` = 0, `kernel.perf_event_paranoid` = 0,
    `kernel.sysrq` = 1, `kernel.unprivileged_userns_clone` = 1,
    `vm.unprivileged_userfaultfd` = 1 (low). Booleans count as 1 and 0; values nixlint
    cannot read are not judged."""
    yield from _sysctl_hits(ctx, "kernel", "remove the setting to keep the protective default")


@rule(
    "NIX705",
    "sysctl-network-hardening-weakened",
    category="kernel",
    severity=Severity.LOW,
    cwe=1188,
    summary="A sysctl makes the network stack accept redirects or source routes",
    rationale="""
    ICMP redirects and source-routed packets let someone on the local network change how
    the host routes traffic — towards themselves. A host that is not a router has no use
    for either; SYN cookies and ignoring broadcast pings keep it from being flooded or
    used as an amplifier.
    """,
    remediation="""
    ```nix
    boot.kernel.sysctl = {
      "net.ipv4.conf.all.accept_redirects" = 0;
      "net.ipv6.conf.all.accept_redirects" = 0;
    };
    ```
    """,
    caveat="""
    A router or VPN gateway may rely on source routing or redirects on one interface: set
    the value on that interface only (`net.ipv4.conf.wg0.…`), not on `all`.
    """,
    references=(
        "https://docs.kernel.org/networking/ip-sysctl.html",
        *SYSCTL_REFS,
    ),
    bad="""
    {
      boot.kernel.sysctl."net.ipv4.conf.all.accept_redirects" = 1;
    }
    """,
    good="""
    {
      boot.kernel.sysctl."net.ipv4.conf.all.accept_redirects" = 0;
    }
    """,
)
def sysctl_network_hardening_weakened(ctx: HostContext) -> Iterator[Hit]:
    """Flags `boot.kernel.sysctl` entries `net.ipv4.conf.<if>.accept_redirects`,
    `net.ipv6.conf.<if>.accept_redirects` = 1, `net.ipv4.tcp_syncookies` = 0,
    `net.ipv4.icmp_echo_ignore_broadcasts` = 0 (low); `accept_source_route` ≥ 1 for IPv4 or
    IPv6 (medium)."""
    yield from _sysctl_hits(
        ctx, "network", "set it to 0 (or leave it unset) on a host that is not a router"
    )


# -- the hardened profile ---------------------------------------------------------------------


def hardened_context(ctx: HostContext) -> str | None:
    """Why the host counts as hardened: it imports NixOS's hardened profile, or runs a
    hardened kernel; None when it does neither."""
    for label in ctx.unread_imports:
        if label.endswith("profiles/hardened.nix"):
            return "the host imports the hardened profile"
    for it in ctx.candidate_values("boot.kernelPackages"):
        text = _source_text(it)
        if text and "hardened" in text and not it.conditional:
            return "the host runs a hardened kernel"
    return None


def _source_text(it: Item) -> str | None:
    """The text a definition's value is written as (``pkgs.linuxPackages_hardened``)."""
    thunk = it.thunk
    if thunk is None or thunk.node is None or thunk.src is None:
        return None
    return thunk.src.text(thunk.node)


@rule(
    "NIX706",
    "hardened-profile-weakened",
    category="kernel",
    severity=Severity.INFO,
    cwe=1188,
    summary="A host built on the hardened profile turns one of its protections back off",
    rationale="""
    The hardened profile (and a hardened kernel) is chosen for its protections: locked
    kernel modules, a protected kernel image, page-table isolation, SMT off, AppArmor. A
    later `false` quietly removes one of them while the host still looks hardened. It may be
    deliberate (a module needed after boot, hibernation); this note makes it visible.
    """,
    remediation="""
    Remove the override, or keep it and say why in a suppression:
    ```nix
    security.lockKernelModules = true;
    boot.kernelModules = [ "wireguard" ];  # load what is needed at boot instead
    ```
    """,
    caveat="""
    With modules locked, anything that loads a kernel module after boot (plugging in a new
    device, starting a VPN) fails: list those modules in `boot.kernelModules`.
    """,
    references=(
        "https://search.nixos.org/options?query=security.lockKernelModules",
        "https://search.nixos.org/options?query=security.protectKernelImage",
        "https://github.com/NixOS/nixpkgs/blob/nixos-24.11/nixos/modules/profiles/hardened.nix",
    ),
    bad="""
    { modulesPath, ... }:
    {
      imports = [ (modulesPath + "/profiles/hardened.nix") ];
      security.lockKernelModules = false;
    }
    """,
    good="""
    { modulesPath, ... }:
    {
      imports = [ (modulesPath + "/profiles/hardened.nix") ];
      boot.kernelModules = [ "wireguard" ];
    }
    """,
)
def hardened_profile_weakened(ctx: HostContext) -> Iterator[Hit]:
    """On a host that imports `profiles/hardened.nix` or sets a hardened
    `boot.kernelPackages`, notes explicit definitions that undo what the profile sets:
    `security.lockKernelModules`, `security.protectKernelImage`,
    `security.forcePageTableIsolation`, `security.apparmor.enable` = false, and
    `security.allowSimultaneousMultithreading` = true. Outside that context these values are
    NixOS's defaults and nothing is reported."""
    reason = hardened_context(ctx)
    if reason is None:
        return
    for option, entry in _data()["hardened"].items():
        undone = entry["undone_by"]
        for it in ctx.candidate_values(option):
            if it.value is not undone:
                continue
            yield Hit(
                it.span,
                f"{option} = {render(undone)} on a hardened host ({reason}){when(it.conditional)}: "
                f"{entry['what']}, and this turns it back; remove the override if it is not "
                "deliberate",
                option,
                confidence=confidence_for(Confidence.HIGH, it.conditional),
            )
