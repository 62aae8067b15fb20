"""3xx: sandboxing — the Nix build sandbox and systemd service confinement."""

from __future__ import annotations

import re
from collections.abc import Iterator

from nixlint import schema
from nixlint.evaluate.values import PartialString
from nixlint.findings import Confidence, Severity
from nixlint.modules import DEFAULT_ORDER, DEFAULT_PRIORITY
from nixlint.rules.base import Hit, HostContext, confidence_for, known_text, rule, when

_CONF_SANDBOX = re.compile(
    r"^[ \t]*sandbox[ \t]*=[ \t]*(false|relaxed)[ \t]*(?:#.*)?$", re.MULTILINE
)


def _legacy(written: tuple[str, ...] | None) -> str:
    return f" (set as the renamed option {schema.join(written)})" if written else ""


@rule(
    "NIX301",
    "nix-sandbox-disabled",
    category="sandboxing",
    severity=Severity.HIGH,
    summary="The Nix build sandbox is disabled or relaxed",
    cwe=693,
    rationale="""
    Without the sandbox, every build runs with access to the network and to the whole file
    system as the build user: a malicious or compromised derivation can read other users'
    files, reach internal services, and make builds impure (so a cached binary no longer
    matches its source). `"relaxed"` lets derivations marked `__noChroot` opt out.
    """,
    remediation="""
    ```nix
    nix.settings.sandbox = true;
    ```
    """,
    caveat="""
    Builds that relied on network access or host paths fail until they are fixed (or the
    paths are listed in `nix.settings.extra-sandbox-paths`). On a host with
    `security.allowUserNamespaces = false` the sandbox cannot start at all.
    """,
    references=(
        "https://nix.dev/manual/nix/stable/command-ref/conf-file.html#conf-sandbox",
        "https://search.nixos.org/options?query=nix.settings.sandbox",
    ),
    bad="""
    {
      nix.settings.sandbox = false;
    }
    """,
    good="""
    {
      nix.settings.sandbox = true;
    }
    """,
)
def nix_sandbox_disabled(ctx: HostContext) -> Iterator[Hit]:
    """Flags `nix.settings.sandbox = false` or `"relaxed"` — also written as the legacy
    `nix.useSandbox` or `nix.useChroot` — and `sandbox = false` in `nix.extraOptions`."""
    for item in ctx.candidate_values("nix.settings.sandbox"):
        value = item.value
        legacy = _legacy(item.definition.written)
        if value is False:
            yield Hit(
                item.span,
                f"the Nix build sandbox is disabled{legacy}{when(item.conditional)}",
                "nix.settings.sandbox",
                confidence=confidence_for(Confidence.HIGH, item.conditional),
            )
        elif value == "relaxed":
            yield Hit(
                item.span,
                f"the Nix build sandbox is relaxed: derivations can opt out with __noChroot{legacy}"
                f"{when(item.conditional)}",
                "nix.settings.sandbox",
                severity=Severity.MEDIUM,
                confidence=confidence_for(Confidence.HIGH, item.conditional),
            )
    for item in ctx.candidate_values("nix.extraOptions"):
        text = known_text(item.value)
        if text is None:
            continue
        for match in _CONF_SANDBOX.finditer(text):
            relaxed = match.group(1) == "relaxed"
            partial = isinstance(item.value, PartialString)
            conditional = item.conditional or partial
            yield Hit(
                item.span_of(_CONF_SANDBOX),
                f"nix.extraOptions sets sandbox = {match.group(1)}{when(conditional)}",
                "nix.extraOptions",
                severity=Severity.MEDIUM if relaxed else Severity.HIGH,
                confidence=confidence_for(Confidence.HIGH, conditional),
            )


#: serviceConfig settings any one of which counts as an attempt at confinement.
CONFINEMENT_SETTINGS = (
    "DynamicUser",
    "ProtectSystem",
    "ProtectHome",
    "PrivateTmp",
    "PrivateDevices",
    "PrivateNetwork",
    "PrivateUsers",
    "NoNewPrivileges",
    "CapabilityBoundingSet",
    "SystemCallFilter",
    "RestrictAddressFamilies",
    "RestrictNamespaces",
    "ProtectKernelTunables",
    "ProtectKernelModules",
    "ProtectControlGroups",
    "RootDirectory",
    "RootImage",
    "MemoryDenyWriteExecute",
    "IPAddressDeny",
    "DevicePolicy",
    "ReadOnlyPaths",
    "InaccessiblePaths",
)
_OFF = (False, "no", "false", "", None)


def _written_here(ctx: HostContext, path: tuple[str, ...]) -> bool:
    """True when the scanned modules define what the service runs: not only an addition to
    (``mkAfter``) or a replacement of (``mkForce``) the command of a service that NixOS or
    systemd defines."""
    if path[-1].startswith("systemd-"):
        return False  # units that systemd itself ships
    defines = False
    for option in (("script",), ("serviceConfig", "ExecStart")):
        for state in ctx.resolve((*path, *option)).candidates:
            d = state.definition
            if d.priority < DEFAULT_PRIORITY or d.order != DEFAULT_ORDER:
                return False
            defines = True
    return defines


def _nixos_module_named(ctx: HostContext, name: str) -> str | None:
    """``services.clamav`` for ``clamav-freshclam`` when the host configures that NixOS
    module (and no scanned module declares it: then it is the user's own)."""
    head = name.split("-")[0]
    for prefix in (("services", name), ("services", head), ("programs", head)):
        if ctx.graph.exists(prefix) and not ctx.graph.declares_under(prefix):
            return schema.join(prefix)
    return None


@rule(
    "NIX302",
    "service-root-unconfined",
    category="sandboxing",
    severity=Severity.MEDIUM,
    confidence=Confidence.MEDIUM,
    summary="A systemd service runs as root with no confinement at all",
    cwe=250,
    rationale="""
    NixOS adds no sandboxing to services of its own accord. A bug in such a service is a
    bug running as root with the whole system writable.
    """,
    remediation="""
    Run it as a dynamic user with a read-only system:
    ```nix
    systemd.services.backup = {
      script = "rsync -a /srv/ backup:/srv/";
      serviceConfig = {
        DynamicUser = true;
        ProtectSystem = "strict";
        PrivateTmp = true;
        NoNewPrivileges = true;
      };
    };
    ```
    """,
    caveat="""
    Check that the service still has the files and capabilities it needs
    (`ReadWritePaths`, `StateDirectory`, `AmbientCapabilities`): a confined service that
    cannot write its state fails at run time, not at build time.
    """,
    references=(
        "https://www.freedesktop.org/software/systemd/man/latest/systemd.exec.html",
        "https://wiki.nixos.org/wiki/Systemd/Hardening",
    ),
    bad="""
    {
      systemd.services.backup = {
        wantedBy = [ "multi-user.target" ];
        script = "rsync -a /srv/ backup:/srv/";
      };
    }
    """,
    good="""
    {
      systemd.services.backup = {
        wantedBy = [ "multi-user.target" ];
        script = "rsync -a /srv/ backup:/srv/";
        serviceConfig = {
          DynamicUser = true;
          ProtectSystem = "strict";
          PrivateTmp = true;
          NoNewPrivileges = true;
        };
      };
    }
    """,
)
def service_root_unconfined(ctx: HostContext) -> Iterator[Hit]:
    """Flags `systemd.services.<name>` written in the scanned files (with a `script` or
    `serviceConfig.ExecStart`) that run as root — no `User`, no `DynamicUser` — and set
    none of systemd's confinement settings (`ProtectSystem`, `PrivateTmp`,
    `NoNewPrivileges`, `CapabilityBoundingSet`, `SystemCallFilter`, …) nor
    `confinement.enable`."""
    for path in ctx.match("systemd.services.*"):
        name = path[-1]
        if name == "*" or not _written_here(ctx, path):
            continue
        enabled, _, _ = ctx.effective((*path, "enable"))
        if enabled is False:
            continue
        user, user_conditional, _ = ctx.effective((*path, "serviceConfig", "User"))
        if ctx.resolve((*path, "serviceConfig", "User")).candidates and user != "root":
            continue  # a named user, or one nixlint cannot know
        confined, _, _ = ctx.effective((*path, "confinement", "enable"))
        if confined is not False:
            continue
        attempted = False
        for setting in CONFINEMENT_SETTINGS:
            res = ctx.resolve((*path, "serviceConfig", setting))
            if res.candidates and not (res.known and res.value in _OFF):
                attempted = True
                break
        if attempted:
            continue
        anchor = (
            ctx.anchor((*path, "serviceConfig"))
            if ctx.graph.exists((*path, "serviceConfig"))
            else ctx.anchor(path)
        )
        module = _nixos_module_named(ctx, name)
        note = (
            f" (if the NixOS module {module} defines this service, its own settings apply too)"
            if module
            else ""
        )
        yield Hit(
            anchor,
            f"service '{name}' runs as root with no confinement (no User, DynamicUser, "
            f"ProtectSystem, PrivateTmp, NoNewPrivileges, …){when(user_conditional)}{note}",
            schema.join((*path, "serviceConfig")),
            confidence=Confidence.LOW if module or user_conditional else None,
        )
