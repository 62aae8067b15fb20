"""3xx: sandboxing — who the Nix daemon trusts, what enters its build sandbox, and the
confinement of services (systemd confinement, AppArmor, user namespaces)."""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterator

from nixlint.findings import Confidence, Severity
from nixlint.rules.base import Hit, HostContext, Item, confidence_for, known_text, rule, when
from nixlint.rules.containers import is_runtime_socket
from nixlint.rules.table import (
    OptionCheck,
    Requires,
    contains,
    equals,
    negate,
    table_rule,
)

NIX_CONF_REFS = (
    "https://nix.dev/manual/nix/stable/command-ref/conf-file.html",
    "https://search.nixos.org/options?query=nix.settings",
)


def _conf_lines(ctx: HostContext, keys: str) -> Iterator[tuple[Item, str, str]]:
    """(item, line, value) for ``key = value`` lines of ``nix.extraOptions``."""
    pattern = re.compile(rf"(?m)^[ \t]*(?:{keys})[ \t]*=[ \t]*([^\n#]*?)[ \t]*(?:#[^\n]*)?$")
    for it in ctx.candidate_values("nix.extraOptions"):
        text = known_text(it.value)
        if not text:
            continue
        for match in pattern.finditer(text):
            yield it, match.group(0).split("#")[0].strip(), match.group(1)


#: Host paths a build must not see: (path, severity, what it is).
_SANDBOX_EXACT = {
    "/": (Severity.HIGH, "the whole host file system"),
    "/etc": (Severity.HIGH, "the host's /etc (shadow, SSH host keys, secrets)"),
    "/home": (Severity.HIGH, "every user's home directory"),
    "/root": (Severity.HIGH, "root's home directory"),
    "/var": (Severity.MEDIUM, "the host's /var"),
    "/var/lib": (Severity.MEDIUM, "every service's state"),
    "/run": (Severity.MEDIUM, "the host's /run (sockets, decrypted secrets)"),
    "/var/run": (Severity.MEDIUM, "the host's /run (sockets, decrypted secrets)"),
    "/dev": (Severity.MEDIUM, "every host device"),
    "/boot": (Severity.MEDIUM, "the boot partition"),
    "/nix/var": (Severity.HIGH, "the Nix database and profiles"),
    "/nix/var/nix": (Severity.HIGH, "the Nix database and profiles"),
}
_SANDBOX_PREFIXES = (
    ("/etc/ssh", Severity.HIGH, "SSH host keys"),
    ("/etc/shadow", Severity.HIGH, "password hashes"),
    ("/etc/nixos", Severity.MEDIUM, "the system configuration"),
    ("/root/", Severity.HIGH, "root's files"),
    ("/home/", Severity.HIGH, "a user's files"),
    ("/run/secrets", Severity.HIGH, "decrypted secrets"),
    ("/run/agenix", Severity.HIGH, "decrypted secrets"),
    ("/run/keys", Severity.HIGH, "deployed keys"),
    ("/var/lib/sops", Severity.HIGH, "secret-manager keys"),
)


def sandbox_exposure(entry: str) -> tuple[str, Severity, str] | None:
    """(host path, severity, what) for a sandbox-paths entry that exposes something
    sensitive. Entries are ``path``, ``target=source`` and ``path?`` (optional)."""
    source = entry.rstrip("?").split("=", 1)[-1].strip()
    if not source.startswith("/"):
        return None
    path = posixpath.normpath(source)
    if path.startswith("//"):
        path = path[1:]
    if is_runtime_socket(path):
        return path, Severity.CRITICAL, "a container runtime's API socket (root on the host)"
    if path in _SANDBOX_EXACT:
        severity, what = _SANDBOX_EXACT[path]
        return path, severity, what
    for prefix, severity, what in _SANDBOX_PREFIXES:
        if path == prefix.rstrip("/") or path.startswith(prefix.rstrip("/") + "/"):
            return path, severity, what
    return None


@rule(
    "NIX304",
    "nix-sandbox-sensitive-path",
    category="sandboxing",
    severity=Severity.HIGH,
    cwe=668,
    summary="A sensitive host path is made visible inside the Nix build sandbox",
    rationale="""
    `extra-sandbox-paths` bind-mounts host paths into every build. Any derivation — a
    dependency's build script, a package from an untrusted flake — can then read what is
    there and copy it into its output, which lands in the world-readable store and possibly
    a binary cache. A runtime socket lets a build start containers as root.
    """,
    remediation="""
    Expose only what builds need (for example `/dev/kvm` for VM tests), and pass secrets to
    the one build that needs them another way (a fixed-output derivation, `requireFile`):
    ```nix
    nix.settings.extra-sandbox-paths = [ "/dev/kvm" ];
    ```
    """,
    caveat="""
    Builds that read the removed path fail; find them with `nix log` before removing it,
    and give them an input instead.
    """,
    references=(
        "https://nix.dev/manual/nix/stable/command-ref/conf-file.html#conf-extra-sandbox-paths",
        "https://search.nixos.org/options?query=nix.settings.extra-sandbox-paths",
    ),
    bad="""
    {
      nix.settings.extra-sandbox-paths = [ "/run/secrets" ];
    }
    """,
    good="""
    {
      nix.settings.extra-sandbox-paths = [ "/dev/kvm" ];
    }
    """,
)
def nix_sandbox_sensitive_path(ctx: HostContext) -> Iterator[Hit]:
    """Flags entries of `nix.settings.extra-sandbox-paths` (also `sandbox-paths`, the legacy
    `nix.sandboxPaths`/`nix.chrootDirs`, and `extra-sandbox-paths =` lines in
    `nix.extraOptions`) whose host side is `/`, `/etc`, `/home`, `/root`, `/nix/var`, SSH
    host keys, decrypted secrets (`/run/secrets`, `/run/agenix`) (high), a container
    runtime's socket (critical), or `/dev`, `/run`, `/var` (medium)."""
    for key in ("extra-sandbox-paths", "sandbox-paths"):
        for it in ctx.items(f"nix.settings.{key}"):
            text = known_text(it.value)
            for entry in (text or "").split():
                found = sandbox_exposure(entry)
                if found is not None:
                    yield _sandbox_hit(it.span, f"nix.settings.{key}", found, it.conditional)
    for it, line, value in _conf_lines(ctx, "(?:extra-)?sandbox-paths"):
        for entry in value.split():
            found = sandbox_exposure(entry)
            if found is not None:
                yield _sandbox_hit(
                    it.span_of(re.compile(re.escape(line))),
                    "nix.extraOptions",
                    found,
                    it.conditional,
                )


def _sandbox_hit(
    span: object, option: str, found: tuple[str, Severity, str], conditional: bool
) -> Hit:
    path, severity, what = found
    return Hit(
        span,  # type: ignore[arg-type]
        f"every Nix build can read {path} ({what}){when(conditional)}: a derivation can copy "
        "it into its output in the world-readable store; expose only what builds need",
        option,
        severity=severity,
        confidence=confidence_for(Confidence.HIGH, conditional),
    )


def _trusted_hit(span: object, option: str, user: str, conditional: bool) -> Hit:
    confidence = Confidence.HIGH
    if user == "*":
        who, severity = "every user", Severity.CRITICAL
    elif "…" in user:
        # a name nixlint cannot know ("${user}"): not root, unless it evaluates to root
        who, severity, confidence = (
            f"{user} (a name nixlint cannot know)",
            Severity.MEDIUM,
            Confidence.MEDIUM,
        )
    elif user.startswith("@"):
        who, severity = f"every member of group {user[1:]}", Severity.MEDIUM
    else:
        who, severity = f"user {user}", Severity.MEDIUM
    return Hit(
        span,  # type: ignore[arg-type]
        f"the Nix daemon trusts {who}{when(conditional)}: a trusted user can add binary "
        "caches, import unsigned store paths and turn off the sandbox for its builds, which "
        "is root on the host; leave trusted-users at root and use allowed-users",
        option,
        severity=severity,
        confidence=confidence_for(confidence, conditional),
    )


@rule(
    "NIX305",
    "nix-trusted-users",
    category="sandboxing",
    severity=Severity.MEDIUM,
    cwe=269,
    summary="The Nix daemon trusts users other than root (root-equivalent)",
    rationale="""
    Nix's manual is explicit: adding a user to `trusted-users` is essentially equivalent to
    giving that user root access. A trusted user can set any substituter and import store
    paths without signatures (replacing what the system runs on its next rebuild), and
    run builds without the sandbox. Malware running as that user gets the same.
    """,
    remediation="""
    Keep the default (root only) and allow users to use the daemon without trusting them:
    ```nix
    nix.settings.trusted-users = [ "root" ];
    nix.settings.allowed-users = [ "@wheel" ];
    ```
    Give extra binary caches in `nix.settings.substituters` and their keys in
    `trusted-public-keys`, instead of letting users add their own.
    """,
    caveat="""
    Remote builds and deployments that connect as that user (`nix copy`, deploy-rs,
    `--build-host`) need signed paths (`nix store sign`, `secret-key-files`) or must run
    as root once the user is no longer trusted.
    """,
    references=(
        "https://nix.dev/manual/nix/stable/command-ref/conf-file.html#conf-trusted-users",
        "https://search.nixos.org/options?query=nix.settings.trusted-users",
    ),
    bad="""
    {
      nix.settings.trusted-users = [ "root" "@wheel" ];
    }
    """,
    good="""
    {
      nix.settings.trusted-users = [ "root" ];
      nix.settings.allowed-users = [ "@wheel" ];
    }
    """,
)
def nix_trusted_users(ctx: HostContext) -> Iterator[Hit]:
    """Flags entries of `nix.settings.trusted-users` (and `trusted-users =` lines in
    `nix.extraOptions`) other than `root`: `*` is critical, a group (`@wheel`) or a user
    medium."""
    for it in ctx.items("nix.settings.trusted-users"):
        for user in (known_text(it.value) or "").split():
            if user != "root":
                yield _trusted_hit(it.span, "nix.settings.trusted-users", user, it.conditional)
    for it, line, value in _conf_lines(ctx, "(?:extra-)?trusted-users"):
        for user in value.split():
            if user != "root":
                yield _trusted_hit(
                    it.span_of(re.compile(re.escape(line))),
                    "nix.extraOptions",
                    user,
                    it.conditional,
                )


table_rule(
    "NIX306",
    "nix-allowed-users-everyone",
    category="sandboxing",
    severity=Severity.LOW,
    cwe=284,
    summary="Every local user may use the Nix daemon",
    why="any account, including service users, can build and run arbitrary derivations through the daemon",
    fix='set nix.settings.allowed-users = [ "@wheel" ] (or the users who need Nix)',
    details="Only an explicit `*` is reported: it is also the default, which most hosts keep.",
    checks=(
        OptionCheck(
            "nix.settings.allowed-users",
            contains("*"),
            "the Nix daemon accepts every local user",
        ),
    ),
    rationale="""
    The daemon is a root process with a large attack surface; with `allowed-users = [ "*" ]`
    a compromised service account can talk to it, fill the store and disk, and exploit any
    bug in it. Hardened setups (NixOS's former hardened profile) limited it to `@users` or
    `@wheel`.
    """,
    remediation="""
    ```nix
    nix.settings.allowed-users = [ "@wheel" ];
    ```
    """,
    caveat="""
    Users and services that run `nix` commands (CI runners, `nix-shell` users outside
    wheel) need to be listed, or their commands fail with "user is not allowed".
    """,
    references=(
        "https://nix.dev/manual/nix/stable/command-ref/conf-file.html#conf-allowed-users",
        "https://search.nixos.org/options?query=nix.settings.allowed-users",
    ),
    bad="""
    {
      nix.settings.allowed-users = [ "*" ];
    }
    """,
    good="""
    {
      nix.settings.allowed-users = [ "@wheel" ];
    }
    """,
)

table_rule(
    "NIX307",
    "confinement-chroot-only",
    category="sandboxing",
    severity=Severity.LOW,
    cwe=693,
    summary="A confined service keeps the host's /proc, /sys and devices (chroot-only mode)",
    why="chroot-only mode skips the private /dev, /tmp, user namespace and kernel protections confinement otherwise adds",
    fix='remove confinement.mode = "chroot-only" (the default is "full-apivfs")',
    checks=(
        OptionCheck(
            "systemd.services.*.confinement.mode",
            equals("chroot-only"),
            "service '{0}' is confined in chroot-only mode",
            requires=(Requires("systemd.services.{0}.confinement.enable", equals(True)),),
        ),
    ),
    rationale="""
    In `full-apivfs` mode confinement also sets `PrivateDevices`, `PrivateTmp`,
    `PrivateUsers`, `ProtectKernelTunables`, `ProtectKernelModules` and
    `ProtectControlGroups`; `chroot-only` leaves the file-system view of the store closure
    and nothing else, so root in the service still reaches devices and kernel settings.
    """,
    remediation="""
    ```nix
    systemd.services.myapp.confinement = {
      enable = true;
      mode = "full-apivfs";
    };
    ```
    """,
    caveat="""
    Services that need real devices or the host's `/proc` fail under `full-apivfs`; grant
    the one device with `serviceConfig.DeviceAllow` and `BindPaths` instead of dropping the
    protections.
    """,
    references=(
        "https://search.nixos.org/options?query=systemd.services.%3Cname%3E.confinement.mode",
        "https://www.freedesktop.org/software/systemd/man/latest/systemd.exec.html",
    ),
    bad="""
    {
      systemd.services.myapp.confinement = {
        enable = true;
        mode = "chroot-only";
      };
    }
    """,
    good="""
    {
      systemd.services.myapp.confinement.enable = true;
    }
    """,
)

_APPARMOR_ON = (Requires("security.apparmor.enable", equals(True)),)
#: A policy whose profile the configuration writes itself: turning it off only sets aside
#: the configuration's own draft, the program is no less confined than by default.
_OWN_PROFILE = "security.apparmor.policies.{0}.profile"
_NOT_LOADED = "the program its profile was made for runs unconfined"
table_rule(
    "NIX308",
    "apparmor-policy-not-enforced",
    category="sandboxing",
    severity=Severity.LOW,
    cwe=693,
    summary="An AppArmor policy is only complaining, or disabled",
    details="""
    A policy the configuration writes itself (its `profile` is set in the scanned files) and
    turns off is not reported: the program is then no less confined than without the
    configuration's draft. Policies that NixOS modules or packages provide are.
    """,
    why="the program runs unconfined: violations are at most logged",
    fix='set the policy\'s state = "enforce" once its log shows no denials',
    checks=(
        OptionCheck(
            "security.apparmor.policies.*.state",
            equals("complain"),
            "AppArmor policy '{0}' is not enforced",
            requires=_APPARMOR_ON,
        ),
        OptionCheck(
            "security.apparmor.policies.*.state",
            equals("disable"),
            "AppArmor policy '{0}' is not loaded",
            requires=_APPARMOR_ON,
            why=_NOT_LOADED,
            unless_written=_OWN_PROFILE,
        ),
        OptionCheck(
            "security.apparmor.policies.*.enforce",
            equals(False),
            "AppArmor policy '{0}' only complains",
            requires=(
                *_APPARMOR_ON,
                Requires("security.apparmor.policies.{0}.enable", negate(equals(False))),
            ),
        ),
        OptionCheck(
            "security.apparmor.policies.*.enable",
            equals(False),
            "AppArmor policy '{0}' is not loaded",
            requires=_APPARMOR_ON,
            why=_NOT_LOADED,
            unless_written=_OWN_PROFILE,
        ),
    ),
    rationale="""
    A policy in complain mode confines nothing; one that is disabled is not loaded at all.
    Both are fine while writing a profile, and easy to forget afterwards.
    """,
    remediation="""
    ```nix
    security.apparmor.policies."bin.ping".state = "enforce";
    ```
    """,
    caveat="""
    Enforcing a profile that still has gaps breaks the program in ways that look unrelated
    (files not found, connections refused): check `journalctl -k | grep apparmor` for
    `ALLOWED` lines first.
    """,
    references=(
        "https://search.nixos.org/options?query=security.apparmor.policies",
        "https://gitlab.com/apparmor/apparmor/-/wikis/Documentation",
    ),
    bad="""
    {
      security.apparmor = {
        enable = true;
        policies."bin.ping".state = "complain";
      };
    }
    """,
    good="""
    {
      security.apparmor = {
        enable = true;
        policies."bin.ping".state = "enforce";
      };
    }
    """,
)

table_rule(
    "NIX309",
    "user-namespaces-off-with-sandbox",
    category="sandboxing",
    severity=Severity.MEDIUM,
    cwe=1188,
    summary="User namespaces are disabled while the Nix build sandbox needs them",
    why="the Nix sandbox cannot start without them, and NixOS refuses this combination",
    fix="keep security.allowUserNamespaces = true (the default) on hosts that build with Nix",
    checks=(
        OptionCheck(
            "security.allowUserNamespaces",
            equals(False),
            "user namespaces are disabled",
            requires=(
                Requires("nix.enable", equals(True)),
                Requires("nix.settings.sandbox", equals(True)),
            ),
        ),
    ),
    rationale="""
    Disabling user namespaces removes kernel attack surface, which is why hardening guides
    suggest it; but the Nix build sandbox is built on them. NixOS asserts that the two are
    not combined, so the configuration fails to build — and the tempting fix, turning the
    sandbox off, trades a small kernel-surface gain for unsandboxed builds.
    """,
    remediation="""
    ```nix
    security.allowUserNamespaces = true;
    nix.settings.sandbox = true;
    ```
    On a host that never builds (it only receives closures), disable Nix instead:
    `nix.enable = false;`.
    """,
    caveat="""
    Re-enabling user namespaces also re-enables them for unprivileged programs (browsers
    and Flatpak use them for their own sandboxes); that is the usual, supported setup.
    """,
    references=(
        "https://search.nixos.org/options?query=security.allowUserNamespaces",
        "https://nix.dev/manual/nix/stable/command-ref/conf-file.html#conf-sandbox",
    ),
    bad="""
    {
      security.allowUserNamespaces = false;
    }
    """,
    good="""
    {
      security.allowUserNamespaces = true;
    }
    """,
)
