"""5xx: secrets in the configuration — everything in it ends up in the world-readable Nix
store. Messages never show a secret's value."""

from __future__ import annotations

import re
from collections.abc import Iterator

from nixlint import schema
from nixlint.evaluate.values import AttrSet, Thunk, Value
from nixlint.findings import Confidence, Severity
from nixlint.modules import WILDCARD
from nixlint.rules.base import Hit, HostContext, Item, confidence_for, known_text, rule, when
from nixlint.rules.secretwords import (
    LazyPattern,
    known_option,
    may_be_known_option,
    names_secret,
    secret_literal,
    secret_option,
)
from nixlint.rules.table import Match, OptionCheck, Test, table_rule

STORE_REFS = (
    "https://nixos.org/manual/nix/stable/store/",
    "https://wiki.nixos.org/wiki/Comparison_of_secret_managing_schemes",
)
STORE_WHY = "everything in the configuration is copied into the Nix store, which every local user and process can read"


def _nonempty(value: Value) -> Match | None:
    return Match() if isinstance(value, str) and value else None


def _real_hash(value: Value) -> Match | None:
    if not isinstance(value, str) or not value or value[0] in "!*":
        return None
    return Match()


NONEMPTY = Test("is a non-empty string", _nonempty)
HASH = Test("is a password hash (not empty, not a locked `!`/`*` entry)", _real_hash)

table_rule(
    "NIX501",
    "plaintext-password",
    category="secrets",
    severity=Severity.HIGH,
    cwe=256,
    summary="A user's password is written in the configuration in clear text",
    why=STORE_WHY + ", so any local user can read the password",
    fix="use hashedPasswordFile with a hash kept outside the store (agenix, sops-nix)",
    checks=(
        OptionCheck(
            "users.users.*.password",
            NONEMPTY,
            "user '{0}' has a clear-text password",
            redact=True,
        ),
        OptionCheck(
            "users.users.*.initialPassword",
            NONEMPTY,
            "user '{0}' has a clear-text initial password",
            severity=Severity.MEDIUM,
            why=STORE_WHY + "; the password stays valid until someone changes it",
            redact=True,
        ),
    ),
    rationale="""
    `users.users.<name>.password` (and `initialPassword`) is stored in the generated
    users configuration in the Nix store, readable by every user of the machine and by
    every process, and kept in every older generation and in binary caches the system is
    pushed to.
    """,
    remediation="""
    Keep a hash outside the store and point to it:
    ```nix
    users.mutableUsers = false;
    users.users.alice.hashedPasswordFile = config.age.secrets.alice-password.path;
    ```
    """,
    caveat="""
    Changing to `hashedPasswordFile` changes the password only at the next activation with
    `users.mutableUsers = false`; with mutable users, an existing password stays until
    `passwd` changes it. The old password remains readable in older generations until they
    are garbage-collected: change it, do not only move it.
    """,
    references=(
        "https://search.nixos.org/options?query=users.users.%3Cname%3E.password",
        *STORE_REFS,
    ),
    bad="""
    {
      users.users.alice = {
        isNormalUser = true;
        password = "correct horse battery staple";
      };
    }
    """,
    good="""
    {
      users.users.alice = {
        isNormalUser = true;
        hashedPasswordFile = "/run/secrets/alice-password";
      };
    }
    """,
)

table_rule(
    "NIX502",
    "password-hash-in-store",
    category="secrets",
    severity=Severity.LOW,
    cwe=760,
    summary="A password hash is written in the configuration",
    why=STORE_WHY + ": anyone can copy the hash and guess the password offline, at their own pace",
    fix="use hashedPasswordFile with the hash kept outside the store",
    checks=(
        OptionCheck(
            "users.users.*.hashedPassword",
            HASH,
            "user '{0}' has its password hash in the configuration",
            redact=True,
        ),
        OptionCheck(
            "users.users.*.initialHashedPassword",
            HASH,
            "user '{0}' has its initial password hash in the configuration",
            redact=True,
        ),
    ),
    rationale="""
    A hash is not a password, but one in a world-readable place invites offline guessing:
    weak and reused passwords fall quickly, and SHA-512 crypt hashes (`mkpasswd`'s old
    default) are fast to test. Public dotfile repositories publish the hash to everyone.
    """,
    remediation="""
    ```nix
    users.users.alice.hashedPasswordFile = "/run/secrets/alice-password-hash";
    ```
    Generate the hash with `mkpasswd -m yescrypt` and deploy it with a secret manager.
    """,
    caveat="""
    If the hash was published (a public repository), the password must be changed, not
    only moved: the old hash stays in the history.
    """,
    references=(
        "https://search.nixos.org/options?query=users.users.%3Cname%3E.hashedPasswordFile",
        *STORE_REFS,
    ),
    bad="""
    {
      users.users.alice = {
        isNormalUser = true;
        hashedPassword = "$y$j9T$Vb1ZzK8pS0dV5rQ2cJcHq.$3dW2aQ0HqGQn8jv6l2kD7Q9b0cQmHq7lV6nY1p0eZ35";
      };
    }
    """,
    good="""
    {
      users.users.alice = {
        isNormalUser = true;
        hashedPasswordFile = "/run/secrets/alice-password-hash";
      };
    }
    """,
)


# -- secrets in service options ----------------------------------------------------------------

#: Options the other secrets rules (or the access rules) look at.
_ELSEWHERE = (
    ("users", "users"),
    ("environment", "etc"),
    ("environment", "variables"),
    ("environment", "sessionVariables"),
    ("networking", "wireguard"),
    ("networking", "wg-quick"),
    ("systemd", "network", "netdevs"),
    ("nix", "settings", "access-tokens"),
    ("security",),
    ("boot", "initrd", "luks"),
)


def _elsewhere(path: tuple[str, ...]) -> bool:
    if any(path[: len(prefix)] == prefix for prefix in _ELSEWHERE):
        return True
    # environment variables of services and containers: NIX507
    return "environment" in path[:-1]


def _secret_options(ctx: HostContext) -> Iterator[tuple[tuple[str, ...], str | None]]:
    """The options that may hold a secret, in order, with the way to keep each out of the
    store when nixlint knows the option."""
    for path in sorted(ctx.graph.paths_where(_may_hold_secret)):
        yield path, known_option(path)


def _may_hold_secret(path: tuple[str, ...]) -> bool:
    """An option whose name says it holds a secret, or a known secret option (the last
    component decides first: its verdict is remembered)."""
    if not path:
        return False
    name = path[-1]
    if name == WILDCARD or not (may_be_known_option(name) or names_secret(name)):
        return False
    if not secret_option(path) or _elsewhere(path):
        return False
    return names_secret(name) or known_option(path) is not None


@rule(
    "NIX503",
    "secret-option-literal",
    category="secrets",
    severity=Severity.HIGH,
    cwe=312,
    summary="A secret is written as a literal in a service option",
    rationale="""
    A literal password, token or key in a service option ends up in the generated
    configuration file or unit in the Nix store, readable by every local user, kept in
    every generation and copied to every binary cache and remote builder. Most NixOS
    modules offer a `…File` option (or an environment file) that reads the secret at run
    time instead.
    """,
    remediation="""
    Deploy the secret with a secret manager and point the module's file option at it:
    ```nix
    age.secrets.nextcloud-db.file = ./secrets/nextcloud-db.age;
    services.nextcloud.config.dbpassFile = config.age.secrets.nextcloud-db.path;
    ```
    """,
    caveat="""
    The secret has been in the store (and perhaps in a public repository): rotate it, do
    not only move it. Check that the service user can read the new file.
    """,
    references=(
        "https://github.com/ryantm/agenix",
        "https://github.com/Mic92/sops-nix",
        *STORE_REFS,
    ),
    bad="""
    {
      services.gitea = {
        enable = true;
        database.password = "s3cr3t-db-password";
      };
    }
    """,
    good="""
    {
      services.gitea = {
        enable = true;
        database.passwordFile = "/run/secrets/gitea-db";
      };
    }
    """,
)
def secret_option_literal(ctx: HostContext) -> Iterator[Hit]:
    """Flags literal strings in options that take a secret: the options listed in
    `schema/secrets.json` (high confidence, the message names the alternative), and any
    other option whose name says password, secret, token, API key, private key or PSK and
    does not say file, path, URL, command… (medium confidence). Values that only refer to
    a secret kept elsewhere (`/run/…`, `$__file{…}`, `${VAR}`, `@placeholder@`,
    `!secret …`) are not reported; neither are the options other secrets rules cover."""
    for path, known in _secret_options(ctx):
        for it in ctx.candidate_values(path):
            if secret_literal(it.value) is None or it.value == path[-1]:
                continue  # not a secret, or a reference by the secret's own name
            base = Confidence.HIGH if known else Confidence.MEDIUM
            instead = (
                f"use {known}"
                if known
                else "use the module's file option (…File, environmentFile) or a secret manager"
            )
            yield Hit(
                it.span,
                f"{schema.join(path)} is a literal secret{when(it.conditional)}: "
                f"{STORE_WHY}; {instead}",
                schema.join(path),
                confidence=confidence_for(base, it.conditional),
            )


def _get(value: Value, name: str) -> Thunk | None:
    return value.get(name) if isinstance(value, AttrSet) else None


def _attr_items(ctx: HostContext, path: tuple[str, ...]) -> Iterator[tuple[Item, AttrSet]]:
    for it in ctx.items(path):
        if isinstance(it.value, AttrSet):
            yield it, it.value


def _key_hit(span: object, option: str, what: str, conditional: bool) -> Hit:
    return Hit(
        span,  # type: ignore[arg-type]
        f"{what} is a literal in the configuration{when(conditional)}: {STORE_WHY}, so any "
        "local user can decrypt or impersonate the tunnel; use privateKeyFile (or a "
        "PrivateKeyFile) outside the store, generated on the host",
        option,
        confidence=confidence_for(Confidence.HIGH, conditional),
    )


@rule(
    "NIX505",
    "wireguard-key-literal",
    category="secrets",
    severity=Severity.HIGH,
    cwe=321,
    summary="A WireGuard private or preshared key is written in the configuration",
    rationale="""
    A WireGuard private key is the tunnel's identity: whoever reads it can impersonate the
    host to its peers and decrypt captured traffic. Written as a literal, it is copied into
    the world-readable Nix store and kept in every generation.
    """,
    remediation="""
    Generate the key on the host (or deploy it with a secret manager) and refer to the file:
    ```nix
    networking.wireguard.interfaces.wg0 = {
      privateKeyFile = "/var/lib/wireguard/wg0.key";
      generatePrivateKeyFile = true;
    };
    ```
    """,
    caveat="""
    A key that was in the store is compromised: generate a new key pair and update the
    public key on every peer, or the tunnel stops working.
    """,
    references=(
        "https://wiki.nixos.org/wiki/WireGuard",
        "https://search.nixos.org/options?query=networking.wireguard.interfaces.%3Cname%3E.privateKeyFile",
    ),
    bad="""
    {
      networking.wireguard.interfaces.wg0 = {
        ips = [ "10.100.0.2/24" ];
        privateKey = "yAnz5TF+lXXJte14tji3zlMNq+hd2rYUIgJBgB3fBmk=";
      };
    }
    """,
    good="""
    {
      networking.wireguard.interfaces.wg0 = {
        ips = [ "10.100.0.2/24" ];
        privateKeyFile = "/var/lib/wireguard/wg0.key";
        generatePrivateKeyFile = true;
      };
    }
    """,
)
def wireguard_key_literal(ctx: HostContext) -> Iterator[Hit]:
    """Flags literal `privateKey` in `networking.wireguard.interfaces.<if>` and
    `networking.wg-quick.interfaces.<if>`, literal `presharedKey` of their peers, and
    literal `PrivateKey` / `PresharedKey` in `systemd.network.netdevs.<n>` WireGuard
    settings."""
    for family in ("wireguard", "wg-quick"):
        base = ("networking", family, "interfaces")
        for iface in ctx.children(base):
            path = (*base, iface)
            for it in ctx.candidate_values((*path, "privateKey")):
                if secret_literal(it.value) is not None:
                    yield _key_hit(
                        it.span,
                        schema.join((*path, "privateKey")),
                        f"the private key of {iface}",
                        it.conditional,
                    )
            for it, peer in _attr_items(ctx, (*path, "peers")):
                key = _get(peer, "presharedKey")
                if key is not None and secret_literal(key.force()) is not None:
                    yield _key_hit(
                        key.span or it.span,
                        schema.join((*path, "peers")),
                        f"a preshared key of {iface}",
                        it.conditional,
                    )
    for netdev in ctx.children("systemd.network.netdevs"):
        path = ("systemd", "network", "netdevs", netdev)
        for it in ctx.candidate_values((*path, "wireguardConfig", "PrivateKey")):
            if secret_literal(it.value) is not None:
                yield _key_hit(
                    it.span,
                    schema.join((*path, "wireguardConfig", "PrivateKey")),
                    f"the private key of {netdev}",
                    it.conditional,
                )
        for it, peer in _attr_items(ctx, (*path, "wireguardPeers")):
            inner = _get(peer, "wireguardPeerConfig")
            config = inner.force() if inner is not None else peer
            key = _get(config, "PresharedKey")
            if key is not None and secret_literal(key.force()) is not None:
                yield _key_hit(
                    key.span or it.span,
                    schema.join((*path, "wireguardPeers")),
                    f"a preshared key of {netdev}",
                    it.conditional,
                )


#: Environment-variable sets that end up in the store (unit files, /etc/set-environment).
ENVIRONMENTS = (
    ("virtualisation.oci-containers.containers.*.environment", Severity.HIGH),
    ("systemd.services.*.environment", Severity.HIGH),
    ("systemd.user.services.*.environment", Severity.HIGH),
    ("environment.variables", Severity.MEDIUM),
    ("environment.sessionVariables", Severity.MEDIUM),
)


@rule(
    "NIX507",
    "secret-in-environment",
    category="secrets",
    severity=Severity.HIGH,
    cwe=526,
    summary="A secret is passed as a literal environment variable",
    rationale="""
    Environment variables set in the configuration are written into unit files or
    `/etc/set-environment` in the Nix store, world-readable. For OCI containers they are
    also passed on the `docker`/`podman run` command line, visible to every local user in
    the process list; `environment.variables` hands them to every process of every user.
    """,
    remediation="""
    Put the variables in a file outside the store and pass the file:
    ```nix
    virtualisation.oci-containers.containers.app.environmentFiles = [ "/run/secrets/app.env" ];
    systemd.services.app.serviceConfig.EnvironmentFile = "/run/secrets/app.env";
    ```
    """,
    caveat="""
    The value has been in the store: rotate the secret. Check that the file is readable by
    whoever starts the container or service (root for system services).
    """,
    references=(
        "https://www.freedesktop.org/software/systemd/man/latest/systemd.exec.html#EnvironmentFile=",
        "https://search.nixos.org/options?query=virtualisation.oci-containers.containers.%3Cname%3E.environmentFiles",
        *STORE_REFS,
    ),
    bad="""
    {
      virtualisation.oci-containers.containers.app = {
        image = "ghcr.io/example/app:1.4.2";
        environment = {
          LOG_LEVEL = "info";
          DB_PASSWORD = "hunter2-but-longer";
        };
      };
    }
    """,
    good="""
    {
      virtualisation.oci-containers.containers.app = {
        image = "ghcr.io/example/app:1.4.2";
        environment.LOG_LEVEL = "info";
        environmentFiles = [ "/run/secrets/app.env" ];
      };
    }
    """,
)
def secret_in_environment(ctx: HostContext) -> Iterator[Hit]:
    """Flags variables whose name says password, secret, token, API key, private key… (and
    not file, path, URL…) with a literal value, in
    `virtualisation.oci-containers.containers.<n>.environment`,
    `systemd.services.<n>.environment` (also user services), `environment.variables` and
    `environment.sessionVariables` (medium). Values that only refer to a secret kept
    elsewhere (a path, `${VAR}`, a placeholder) are not reported."""
    for pattern, severity in ENVIRONMENTS:
        for env in ctx.match(pattern):
            for name in ctx.children(env):
                if name == WILDCARD or not names_secret(name):
                    continue
                for it in ctx.candidate_values((*env, name)):
                    if secret_literal(it.value) is None:
                        continue
                    yield Hit(
                        it.span,
                        f"environment variable {name} of {_owner(env)} is a literal secret"
                        f"{when(it.conditional)}: it is written into the world-readable "
                        "Nix store (and shown in process lists); pass it in an environment "
                        "file outside the store",
                        schema.join((*env, name)),
                        severity=severity,
                        confidence=confidence_for(Confidence.HIGH, it.conditional),
                    )


def _owner(env: tuple[str, ...]) -> str:
    if env[0] == "virtualisation":
        return f"container '{env[3]}'"
    if env[0] == "systemd":
        return f"service '{env[-2]}'"
    return schema.join(env)


_ACCESS_TOKENS = LazyPattern(r"(?m)^[ \t]*(?:extra-)?access-tokens[ \t]*=[ \t]*(\S[^\n]*)$")


@rule(
    "NIX509",
    "nix-access-token-literal",
    category="secrets",
    severity=Severity.HIGH,
    cwe=312,
    summary="A Nix access token (GitHub, GitLab…) is written into nix.conf",
    rationale="""
    `/etc/nix/nix.conf` is generated into the Nix store and linked from `/etc`: every
    local user can read it. An access token there gives everyone the token's rights on
    the forge — often read access to private repositories, sometimes write access.
    """,
    remediation="""
    Keep the token in a file that only root reads, and include it:
    ```nix
    nix.extraOptions = ''
      !include /run/secrets/nix-access-tokens.conf
    '';
    ```
    """,
    caveat="""
    The token has been world-readable: revoke it at the forge and create a new one before
    moving it.
    """,
    references=(
        "https://nix.dev/manual/nix/stable/command-ref/conf-file.html#conf-access-tokens",
        "https://nix.dev/manual/nix/stable/command-ref/conf-file.html#file-format",
    ),
    bad="""
    {
      nix.settings.access-tokens = [ "github.com=ghp_ExampleExampleExampleExample0123" ];
    }
    """,
    good="""
    {
      nix.extraOptions = ''
        !include /run/secrets/nix-access-tokens.conf
      '';
    }
    """,
)
def nix_access_token_literal(ctx: HostContext) -> Iterator[Hit]:
    """Flags literal `nix.settings.access-tokens` (a list or a string) and
    `access-tokens =` lines in `nix.extraOptions`."""
    message = (
        "a Nix access token is written into nix.conf{cond}: /etc/nix/nix.conf is in the "
        "world-readable Nix store; keep the token in a root-only file and !include it"
    )
    for it in ctx.items("nix.settings.access-tokens"):
        text = known_text(it.value)
        if text and secret_literal(text.split("=", 1)[-1]) is not None:
            yield Hit(
                it.span,
                message.format(cond=when(it.conditional)),
                "nix.settings.access-tokens",
                confidence=confidence_for(Confidence.HIGH, it.conditional),
            )
    for it in ctx.candidate_values("nix.extraOptions"):
        text = known_text(it.value)
        if not text:
            continue
        for match in _ACCESS_TOKENS.finditer(text):
            tokens = match.group(1).split()
            if not any(secret_literal(t.split("=", 1)[-1]) for t in tokens):
                continue
            yield Hit(
                it.span_of(re.compile(re.escape(match.group(0).strip()))),
                message.format(cond=when(it.conditional)),
                "nix.extraOptions",
                confidence=confidence_for(Confidence.HIGH, it.conditional),
            )
