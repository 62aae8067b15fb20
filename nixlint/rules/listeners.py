"""6xx: network — services that listen unprotected: PostgreSQL trust authentication, Redis
and MongoDB without authentication, NFS exports."""

from __future__ import annotations

import re
from collections.abc import Iterator

from nixlint import schema
from nixlint.evaluate.values import AttrSet
from nixlint.findings import Confidence, Severity
from nixlint.rules.base import Hit, HostContext, attr, confidence_for, known_text, rule, when

# -- databases --------------------------------------------------------------------------------

_HBA = re.compile(r"(?m)^[ \t]*(local|host|hostssl|hostnossl|hostgssenc|hostnogssenc)\b([^\n#]*)")
_LOOPBACK = ("127.", "::1", "localhost", "samehost")


def _trust_lines(text: str) -> Iterator[tuple[str, str, bool]]:
    """(line, address, loopback) for pg_hba lines whose method is ``trust``."""
    for match in _HBA.finditer(text):
        kind, rest = match.group(1), match.group(2).split()
        if not rest or rest[-1] != "trust":
            continue
        if kind == "local":
            yield match.group(0).strip(), "the local socket", True
            continue
        address = rest[2] if len(rest) >= 4 else ""
        yield match.group(0).strip(), address, address.startswith(_LOOPBACK)


def _postgres_listens_everywhere(ctx: HostContext) -> bool | None:
    tcp, tcp_cond, _ = ctx.effective("services.postgresql.enableTCPIP")
    listen, listen_cond, _ = ctx.effective("services.postgresql.settings.listen_addresses")
    if isinstance(listen, str):
        return None if listen_cond else listen.strip() not in ("localhost", "127.0.0.1", "::1")
    if tcp is True:
        return None if tcp_cond else True
    if tcp is False:
        return False
    return None


@rule(
    "NIX607",
    "postgresql-trust-authentication",
    category="network",
    severity=Severity.HIGH,
    cwe=287,
    summary="PostgreSQL lets clients in without a password (trust authentication)",
    rationale="""
    `trust` in `pg_hba.conf` accepts a connection as any database role it names, the
    superuser included, with no password. From a network address, anyone who reaches the
    port is superuser — which runs programs on the host as the `postgres` user (`COPY …
    TO PROGRAM`). From the local socket or loopback, every local user and process is.
    """,
    remediation="""
    Use peer authentication locally and passwords (SCRAM) over the network:
    ```nix
    services.postgresql.authentication = ''
      local all all peer
      host  all all 10.0.0.0/24 scram-sha-256
    '';
    ```
    """,
    caveat="""
    Clients that connected without a password need credentials (or a matching system user
    for `peer`) before the change, or they are refused.
    """,
    references=(
        "https://www.postgresql.org/docs/current/auth-trust.html",
        "https://search.nixos.org/options?query=services.postgresql.authentication",
    ),
    bad="""
    {
      services.postgresql = {
        enable = true;
        enableTCPIP = true;
        authentication = ''
          host all all 0.0.0.0/0 trust
        '';
      };
    }
    """,
    good="""
    {
      services.postgresql = {
        enable = true;
        enableTCPIP = true;
        authentication = ''
          host all all 0.0.0.0/0 scram-sha-256
        '';
      };
    }
    """,
)
def postgresql_trust_authentication(ctx: HostContext) -> Iterator[Hit]:
    """Flags `trust` lines in `services.postgresql.authentication` (and
    `services.postgresql.identMap`-free `pg_hba` text): a network address is high severity
    (critical when PostgreSQL listens on every address: `enableTCPIP` or
    `settings.listen_addresses = "*"`); the local socket or loopback is low."""
    enabled, enabled_cond, _ = ctx.effective("services.postgresql.enable")
    if enabled is False:
        return
    everywhere = _postgres_listens_everywhere(ctx)
    for it in ctx.candidate_values("services.postgresql.authentication"):
        text = known_text(it.value)
        if not text:
            continue
        for line, address, loopback in _trust_lines(text):
            conditional = it.conditional or enabled_cond or not isinstance(enabled, bool)
            if loopback:
                severity = Severity.LOW
                what = f"every local user may connect as any role without a password ({address})"
            else:
                severity = Severity.CRITICAL if everywhere else Severity.HIGH
                listens = " and PostgreSQL listens on every address" if everywhere else ""
                what = f"clients from {address or 'any address'} connect as any role, the superuser included, without a password{listens}"
            yield Hit(
                it.span_of(re.compile(re.escape(line))),
                f"pg_hba line {line!r} uses trust authentication{when(conditional)}: {what}; "
                "use peer for the local socket and scram-sha-256 over the network",
                "services.postgresql.authentication",
                severity=severity,
                confidence=confidence_for(Confidence.HIGH, conditional),
            )


_ANY_ADDRESS = ("0.0.0.0", "::", "*", "[::]")


def _everywhere(bind: str) -> bool:
    parts = bind.replace(",", " ").split()
    return any(p.lstrip("-") in _ANY_ADDRESS for p in parts) or any(
        not p.startswith(("127.", "::1", "localhost", "-::1", "/")) for p in parts
    )


def _redis(ctx: HostContext) -> Iterator[Hit]:
    for server in ctx.children("services.redis.servers"):
        base = ("services", "redis", "servers", server)
        enabled, enabled_cond, _ = ctx.effective((*base, "enable"))
        if enabled is not True:
            continue
        if any(ctx.resolve((*base, key)).candidates for key in ("requirePass", "requirePassFile")):
            continue
        settings = ctx.resolve((*base, "settings")).value
        if isinstance(settings, AttrSet) and attr(settings, "requirepass") is not None:
            continue
        bind_res = ctx.resolve((*base, "bind"))
        bind, bind_cond, bind_span = ctx.effective((*base, "bind"))
        protected = attr(settings, "protected-mode") if isinstance(settings, AttrSet) else None
        name = server or "(default)"
        if bind is None and bind_res.candidates:
            if protected not in ("no", False):
                continue  # no bind line: Redis's protected mode refuses remote clients
            what = "listens on every address with protected mode off"
        elif isinstance(bind, str) and _everywhere(bind):
            what = f"listens on {bind}"
        else:
            continue
        conditional = enabled_cond or bind_cond
        yield Hit(
            bind_span or ctx.anchor(base),
            f"Redis server {name} {what} and requires no password{when(conditional)}: "
            "anyone who reaches it reads and writes all data, and can often write files as "
            "the redis user; bind it to 127.0.0.1 or set requirePassFile",
            schema.join((*base, "bind")),
            confidence=confidence_for(Confidence.HIGH, conditional),
        )


def _mongodb(ctx: HostContext) -> Iterator[Hit]:
    enabled, enabled_cond, _ = ctx.effective("services.mongodb.enable")
    if enabled is not True:
        return
    auth, auth_cond, _ = ctx.effective("services.mongodb.enableAuth")
    if auth is not False:
        return
    bind_res = ctx.resolve("services.mongodb.bind_ip")
    bind, bind_cond, bind_span = ctx.effective("services.mongodb.bind_ip")
    if not bind_res.candidates or not isinstance(bind, str) or not _everywhere(bind):
        return
    conditional = enabled_cond or auth_cond or bind_cond
    yield Hit(
        bind_span or ctx.anchor("services.mongodb"),
        f"MongoDB listens on {bind} without authentication (enableAuth is false)"
        f"{when(conditional)}: anyone who reaches it reads and changes every database; "
        "bind it to 127.0.0.1 or set enableAuth = true with an initial root password file",
        "services.mongodb.bind_ip",
        confidence=confidence_for(Confidence.HIGH, conditional),
    )


@rule(
    "NIX608",
    "database-unauthenticated-listener",
    category="network",
    severity=Severity.HIGH,
    cwe=306,
    summary="Redis or MongoDB listens beyond loopback without authentication",
    rationale="""
    Redis and MongoDB accept every client that connects unless a password or
    authentication is configured. Exposed, they are scanned for and emptied (or ransomed)
    within hours; Redis can also be made to write files, a well-known path to code
    execution.
    """,
    remediation="""
    Keep the database on loopback, or require authentication:
    ```nix
    services.redis.servers.cache = {
      enable = true;
      bind = "127.0.0.1";
      requirePassFile = "/run/secrets/redis-password";
    };
    ```
    """,
    caveat="""
    Remote clients need the password (or an SSH/VPN tunnel) before the change; with
    MongoDB, create the users before turning authentication on.
    """,
    references=(
        "https://redis.io/docs/latest/operate/oss_and_stack/management/security/",
        "https://www.mongodb.com/docs/manual/administration/security-checklist/",
    ),
    bad="""
    {
      services.redis.servers.cache = {
        enable = true;
        bind = "0.0.0.0";
      };
    }
    """,
    good="""
    {
      services.redis.servers.cache = {
        enable = true;
        bind = "127.0.0.1";
      };
    }
    """,
)
def database_unauthenticated_listener(ctx: HostContext) -> Iterator[Hit]:
    """Flags enabled `services.redis.servers.<name>` with a `bind` beyond loopback (or no
    bind at all and `protected-mode` off) and no `requirePass`/`requirePassFile`; and
    `services.mongodb` with `bind_ip` beyond loopback and `enableAuth = false` (the
    default)."""
    yield from _redis(ctx)
    yield from _mongodb(ctx)


_EXPORT = re.compile(r"(?m)^[ \t]*(/\S*)[ \t]+([^\n#]+)")
_CLIENT = re.compile(r"(\S+?)\(([^)]*)\)")


@rule(
    "NIX610",
    "nfs-export-insecure",
    category="network",
    severity=Severity.MEDIUM,
    cwe=732,
    summary="An NFS export is writable by everyone or keeps clients' root as root",
    rationale="""
    NFS trusts the user ids the client sends. An export to `*` (or `0.0.0.0/0`) lets any
    machine that reaches the server mount it and act as any user; `no_root_squash` lets a
    client's root create setuid-root programs on the share, which is root on every machine
    that runs them.
    """,
    remediation="""
    Export to the clients that need it, read-only where possible, with root squashed:
    ```nix
    services.nfs.server.exports = ''
      /srv/media 192.168.1.0/24(ro,root_squash,no_subtree_check)
    '';
    ```
    """,
    caveat="""
    Clients outside the listed network lose the mount, and programs that wrote as root on
    the share get "permission denied" with `root_squash`; fix ownership on the server first.
    """,
    references=(
        "https://man7.org/linux/man-pages/man5/exports.5.html",
        "https://search.nixos.org/options?query=services.nfs.server.exports",
    ),
    bad="""
    {
      services.nfs.server = {
        enable = true;
        exports = ''
          /srv/share *(rw,no_root_squash)
        '';
      };
    }
    """,
    good="""
    {
      services.nfs.server = {
        enable = true;
        exports = ''
          /srv/share 192.168.1.0/24(rw,root_squash,no_subtree_check)
        '';
      };
    }
    """,
)
def nfs_export_insecure(ctx: HostContext) -> Iterator[Hit]:
    """Flags entries of `services.nfs.server.exports` for every client (`*`, `0.0.0.0/0`,
    `::/0`) that are writable (medium; high with `no_root_squash`), and `no_root_squash`
    for named clients (medium)."""
    for it in ctx.candidate_values("services.nfs.server.exports"):
        text = known_text(it.value)
        if not text:
            continue
        for export in _EXPORT.finditer(text):
            directory = export.group(1)
            for client in _CLIENT.finditer(export.group(2)):
                who, options = client.group(1), client.group(2).split(",")
                everyone = who in ("*", "0.0.0.0/0", "::/0", "*.*")
                writable = "rw" in options
                no_squash = "no_root_squash" in options
                if not (no_squash or (everyone and writable)):
                    continue
                severity = Severity.HIGH if everyone and no_squash else Severity.MEDIUM
                problems = []
                if everyone:
                    problems.append(
                        "is exported to every client" + (" read-write" if writable else "")
                    )
                if no_squash:
                    problems.append("keeps clients' root as root (no_root_squash)")
                yield Hit(
                    it.span_of(re.compile(re.escape(client.group(0)))),
                    f"NFS export {directory} {' and '.join(problems)}{when(it.conditional)}: "
                    "NFS trusts the ids clients send; list the client networks and keep "
                    "root_squash",
                    "services.nfs.server.exports",
                    severity=severity,
                    confidence=confidence_for(Confidence.HIGH, it.conditional),
                )
