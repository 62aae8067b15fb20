"""3xx: sandboxing — the Nix build sandbox and systemd service confinement."""

from __future__ import annotations

import re
from collections.abc import Iterator

from nixlint import schema
from nixlint.evaluate.values import PartialString
from nixlint.findings import Confidence, Severity
from nixlint.modules import OptionPath
from nixlint.rules.base import Hit, HostContext, confidence_for, known_text, rule, when
from nixlint.systemd.nixos import enabled, nixos_module_named, written_here

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


def root_unconfined(ctx: HostContext, path: OptionPath) -> bool | None:
    """Whether NIX302 reports ``systemd.services.<name>`` at ``path``: None when it does
    not, else whether the finding depends on a ``User`` nixlint cannot decide."""
    name = path[-1]
    if name == "*" or not written_here(ctx, path) or not enabled(ctx, path):
        return None
    user, user_conditional, _ = ctx.effective((*path, "serviceConfig", "User"))
    if ctx.resolve((*path, "serviceConfig", "User")).candidates and user != "root":
        return None  # a named user, or one nixlint cannot know
    confined, _, _ = ctx.effective((*path, "confinement", "enable"))
    if confined is not False:
        return None
    for setting in CONFINEMENT_SETTINGS:
        res = ctx.resolve((*path, "serviceConfig", setting))
        if res.candidates and not (res.known and res.value in _OFF):
            return None
    return user_conditional


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
    Run it as a dynamic user (which also makes the system read-only, `/tmp` private and
    set-uid programs powerless) and take away what it does not need:
    ```nix
    systemd.services.backup = {
      script = "rsync -a /srv/ backup:/srv/";
      serviceConfig = {
        DynamicUser = true;
        CapabilityBoundingSet = "";
        SystemCallFilter = [ "@system-service" "~@privileged" "~@resources" ];
        RestrictNamespaces = true;
        PrivateDevices = true;
      };
    };
    ```
    Once a service has a user or some confinement, NIX302 no longer reports it and NIX303
    (`service-exposure`) measures what is left: the exposure score of
    `systemd-analyze security`, with the settings that would lower it most.
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
          CapabilityBoundingSet = "";
          SystemCallFilter = [ "@system-service" "~@privileged" "~@resources" ];
          RestrictNamespaces = true;
          PrivateDevices = true;
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
    `confinement.enable`. This is the "root with nothing" case; NIX303 (`service-exposure`)
    scores every other service and leaves these to NIX302, so a service is reported once."""
    for path in ctx.match("systemd.services.*"):
        user_conditional = root_unconfined(ctx, path)
        if user_conditional is None:
            continue
        name = path[-1]
        anchor = (
            ctx.anchor((*path, "serviceConfig"))
            if ctx.graph.exists((*path, "serviceConfig"))
            else ctx.anchor(path)
        )
        module = nixos_module_named(ctx, name)
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
