"""6xx: network exposure — the NixOS firewall, open ports, and services listening unprotected."""

from __future__ import annotations

import re
from collections.abc import Iterator

from nixlint import schema
from nixlint.evaluate.values import AttrSet, Value
from nixlint.findings import Confidence, Severity
from nixlint.rules.base import Hit, HostContext, Item, attr, confidence_for, known_text, rule, when
from nixlint.rules.table import OptionCheck, Requires, equals, is_set, negate, table_rule

FIREWALL = "networking.firewall"
FIREWALL_ON = Requires(f"{FIREWALL}.enable", equals(True))
FIREWALL_REFS = (
    "https://nixos.org/manual/nixos/stable/#sec-firewall",
    "https://search.nixos.org/options?query=networking.firewall",
)

table_rule(
    "NIX601",
    "firewall-disabled",
    category="network",
    severity=Severity.HIGH,
    cwe=284,
    summary="The NixOS firewall is disabled",
    why="every service that listens on any address is reachable from every network the host is on",
    fix="remove networking.firewall.enable = false and open the ports that are meant to be public",
    checks=(
        OptionCheck(
            f"{FIREWALL}.enable",
            equals(False),
            "the firewall is disabled",
            requires=(Requires("networking.nftables.ruleset", negate(is_set())),),
        ),
        OptionCheck(
            f"{FIREWALL}.enable",
            equals(False),
            "the NixOS firewall is disabled and an nftables ruleset of your own replaces it",
            requires=(Requires("networking.nftables.ruleset", is_set()),),
            severity=Severity.LOW,
            confidence=Confidence.MEDIUM,
            why="nixlint does not check what that ruleset lets in",
            fix="make sure its input chain drops by default",
        ),
    ),
    rationale="""
    NixOS enables a default-deny firewall: only the ports modules and the configuration
    open are reachable. With it off, a database, a debug port, a development server or a
    service that binds `0.0.0.0` by default is exposed to the local network — and to the
    internet on a server or a laptop on public Wi-Fi.
    """,
    remediation="""
    ```nix
    networking.firewall = {
      enable = true;
      allowedTCPPorts = [ 80 443 ];
    };
    ```
    """,
    caveat="""
    Turning the firewall on drops every port that is not listed: services reached from
    other machines (including over a VPN, unless its interface is trusted) stop answering
    until their ports are in `allowedTCPPorts`/`allowedUDPPorts`, or their module's
    `openFirewall` is set. Apply it from a console, or keep SSH open.
    """,
    references=FIREWALL_REFS,
    bad="""
    {
      networking.firewall.enable = false;
    }
    """,
    good="""
    {
      networking.firewall = {
        enable = true;
        allowedTCPPorts = [ 443 ];
      };
    }
    """,
)


def _ports() -> dict[int, tuple[str, Severity, list[str]]]:
    return {
        int(port): (name, Severity(severity), protocols)
        for port, (name, severity, protocols) in schema.network()["ports"].items()
    }


def _prefixed(name: str, key: str) -> bool:
    return any(name.startswith(p) for p in schema.network()[key])


def _firewall_on(ctx: HostContext) -> tuple[bool, bool]:
    """(the firewall may be on, whether that is undecided)."""
    res = ctx.resolve(f"{FIREWALL}.enable")
    if res.known and not res.conditional:
        return res.value is not False, False
    return True, True


def _port_lists(ctx: HostContext) -> Iterator[tuple[tuple[str, ...], str, str | None]]:
    """(option path, protocol, interface or None) of every list of open ports."""
    for proto in ("TCP", "UDP"):
        yield (*schema.split(FIREWALL), f"allowed{proto}Ports"), proto.lower(), None
        for iface in ctx.children(f"{FIREWALL}.interfaces"):
            if iface != "*" and _prefixed(iface, "physical_interfaces"):
                yield (
                    (*schema.split(FIREWALL), "interfaces", iface, f"allowed{proto}Ports"),
                    proto.lower(),
                    iface,
                )


@rule(
    "NIX602",
    "firewall-sensitive-port",
    category="network",
    severity=Severity.HIGH,
    cwe=284,
    summary="The firewall opens the port of a database, an admin API or another sensitive service",
    rationale="""
    Databases, caches, container and cluster APIs, metrics exporters and remote-access
    protocols are meant to be reached by a few known machines. Opened in the firewall for
    everyone, they face brute force and exploits from the whole network; several (the
    Docker API, Redis, Memcached, Elasticsearch, etcd, the kubelet) need no credentials at
    all unless configured to.
    """,
    remediation="""
    Open the port only on the interface the clients come from (a VPN, a private network),
    or keep the service on loopback:
    ```nix
    networking.firewall.interfaces."wg0".allowedTCPPorts = [ 5432 ];
    ```
    """,
    caveat="""
    Clients that connected through the public interface lose access: move them to the VPN
    or private network first. A port opened by a module's `openFirewall` must be closed
    there too.
    """,
    references=(
        *FIREWALL_REFS,
        "https://search.nixos.org/options?query=networking.firewall.interfaces",
    ),
    bad="""
    {
      networking.firewall.allowedTCPPorts = [ 443 6379 ];
    }
    """,
    good="""
    {
      networking.firewall.allowedTCPPorts = [ 443 ];
      networking.firewall.interfaces."wg0".allowedTCPPorts = [ 6379 ];
    }
    """,
)
def firewall_sensitive_port(ctx: HostContext) -> Iterator[Hit]:
    """Flags ports listed in `networking.firewall.allowedTCPPorts` / `allowedUDPPorts`
    (and the per-interface lists of physical interfaces: `eth*`, `en*`, `wl*`…) that belong
    to a service in `schema/network.json`: Docker's API (2375, critical), etcd, the kubelet,
    Redis, Memcached, MongoDB, Elasticsearch, Telnet, VNC (high), SQL databases, exporters,
    SMB, NFS… (medium); and small port ranges that contain one. Nothing is reported while
    the firewall is disabled (NIX601 covers that)."""
    on, undecided = _firewall_on(ctx)
    if not on:
        return
    ports = _ports()
    for path, proto, iface in _port_lists(ctx):
        for it in ctx.items(path):
            port = it.value
            if isinstance(port, bool) or not isinstance(port, int) or port not in ports:
                continue
            name, severity, protocols = ports[port]
            if proto not in protocols:
                continue
            yield _port_hit(it, path, port, name, proto, iface, severity, undecided)
        ranges = (*path[:-1], path[-1].replace("Ports", "PortRanges"))
        for it in ctx.items(ranges):
            low, high = _range(it.value)
            if low is None or high is None or high - low >= 1024:
                continue  # large ranges: NIX603
            for port, (name, severity, protocols) in ports.items():
                if low <= port <= high and proto in protocols:
                    yield _port_hit(it, ranges, port, name, proto, iface, severity, undecided)


def _port_hit(
    it: Item,
    path: tuple[str, ...],
    port: int,
    name: str,
    proto: str,
    iface: str | None,
    severity: Severity,
    undecided: bool,
) -> Hit:
    where = f"on {iface}" if iface else "to every network"
    conditional = it.conditional or undecided
    return Hit(
        it.span,
        f"{proto.upper()} port {port} ({name}) is open {where}{when(conditional)}: "
        f"{name} should be reached only by known clients; open it on a VPN or private "
        "interface (networking.firewall.interfaces.<if>), or keep the service on loopback",
        schema.join(path),
        severity=severity,
        confidence=confidence_for(Confidence.MEDIUM if iface else Confidence.HIGH, conditional),
    )


def _range(value: Value) -> tuple[int | None, int | None]:
    low, high = attr(value, "from"), attr(value, "to")
    if isinstance(low, int) and isinstance(high, int) and not isinstance(low, bool):
        return low, high
    return None, None


@rule(
    "NIX603",
    "firewall-large-port-range",
    category="network",
    severity=Severity.MEDIUM,
    cwe=284,
    summary="The firewall opens a large range of ports",
    rationale="""
    A wide range opens every port in it for whatever happens to listen there — a debug
    server, a database started for a test, a service whose port changed. Ranges meant for
    one protocol (media relays, mosh) are better limited to what that protocol uses and,
    where possible, to one interface.
    """,
    remediation="""
    Open the ports the service uses, or scope the range to an interface:
    ```nix
    networking.firewall.allowedUDPPortRanges = [ { from = 60000; to = 60010; } ];
    ```
    """,
    caveat="""
    Services that pick a port anywhere in the range (TURN relays, passive FTP, mosh) need
    their own range setting narrowed to match, or they hand out ports that are now closed.
    """,
    references=FIREWALL_REFS,
    bad="""
    {
      networking.firewall.allowedTCPPortRanges = [ { from = 1024; to = 65535; } ];
    }
    """,
    good="""
    {
      networking.firewall.allowedTCPPortRanges = [ { from = 8000; to = 8010; } ];
    }
    """,
)
def firewall_large_port_range(ctx: HostContext) -> Iterator[Hit]:
    """Flags entries of `networking.firewall.allowedTCPPortRanges` / `allowedUDPPortRanges`
    spanning more than 1024 ports (low), more than 16384 — wider than the whole ephemeral
    range (medium) — or more than 60000 (high)."""
    on, undecided = _firewall_on(ctx)
    if not on:
        return
    for proto in ("TCP", "UDP"):
        path = f"{FIREWALL}.allowed{proto}PortRanges"
        for it in ctx.items(path):
            low, high = _range(it.value)
            if low is None or high is None:
                continue
            size = high - low + 1
            if size <= 1024:
                continue
            severity = (
                Severity.HIGH if size > 60000 else Severity.MEDIUM if size > 16384 else Severity.LOW
            )
            conditional = it.conditional or undecided
            yield Hit(
                it.span,
                f"{size} {proto} ports ({low}-{high}) are open to every network"
                f"{when(conditional)}: whatever listens in that range is exposed; open the "
                "ports the service uses, or scope the range to one interface",
                path,
                severity=severity,
                confidence=confidence_for(Confidence.HIGH, conditional),
            )


@rule(
    "NIX604",
    "firewall-trusted-interface",
    category="network",
    severity=Severity.MEDIUM,
    cwe=284,
    summary="The firewall trusts a whole interface: every port is open on it",
    rationale="""
    `networking.firewall.trustedInterfaces` lets everything in on those interfaces. On a
    physical network interface that is the same as no firewall for that network; on a VPN
    (Tailscale, WireGuard) every peer — including a compromised one — reaches every port,
    and on a container or VM bridge every guest reaches the host's services.
    """,
    remediation="""
    Open the ports that are meant for that interface instead:
    ```nix
    networking.firewall.interfaces."tailscale0".allowedTCPPorts = [ 22 8080 ];
    ```
    """,
    caveat="""
    Services used over that interface stop answering until their ports are listed; on
    container and VM bridges, DHCP and DNS (UDP 67, 53) may be among them.
    """,
    references=(
        "https://search.nixos.org/options?query=networking.firewall.trustedInterfaces",
        *FIREWALL_REFS,
    ),
    bad="""
    {
      networking.firewall.trustedInterfaces = [ "eth0" ];
    }
    """,
    good="""
    {
      networking.firewall.interfaces."eth0".allowedTCPPorts = [ 22 ];
    }
    """,
)
def firewall_trusted_interface(ctx: HostContext) -> Iterator[Hit]:
    """Flags entries of `networking.firewall.trustedInterfaces` other than `lo`: a physical
    interface (`eth*`, `en*`, `wl*`, `bond*`…) is high severity; a VPN, container or VM
    interface (`tailscale0`, `wg*`, `docker0`, `virbr*`…) low; others medium with low
    confidence (nixlint cannot tell what they face)."""
    on, undecided = _firewall_on(ctx)
    if not on:
        return
    for it in ctx.items(f"{FIREWALL}.trustedInterfaces"):
        name = known_text(it.value)
        if not name or name == "lo":
            continue
        conditional = it.conditional or undecided
        if "…" in name:
            severity, confidence, kind = Severity.MEDIUM, Confidence.LOW, "an interface"
            name = f"{name} (a name nixlint cannot know)"
        elif _prefixed(name, "virtual_interfaces"):
            severity, confidence, kind = Severity.LOW, Confidence.HIGH, "a virtual interface"
        elif _prefixed(name, "physical_interfaces"):
            severity, confidence, kind = Severity.HIGH, Confidence.HIGH, "a network interface"
        else:
            severity, confidence, kind = Severity.MEDIUM, Confidence.LOW, "an interface"
        yield Hit(
            it.span,
            f"the firewall trusts {kind}, {name}: every port is open to whatever is on it"
            f"{when(conditional)}; open the needed ports with "
            f'networking.firewall.interfaces."{name}".allowedTCPPorts instead',
            f"{FIREWALL}.trustedInterfaces",
            severity=severity,
            confidence=confidence_for(confidence, conditional),
        )


table_rule(
    "NIX605",
    "reverse-path-filter-disabled",
    category="network",
    severity=Severity.LOW,
    cwe=290,
    summary="The firewall's reverse-path filter is disabled",
    why="packets with forged source addresses are accepted, which defeats address-based rules",
    fix='set networking.firewall.checkReversePath = "loose" if strict filtering breaks routing',
    checks=(
        OptionCheck(
            f"{FIREWALL}.checkReversePath",
            equals(False),
            "the reverse-path filter is off",
            requires=(FIREWALL_ON,),
        ),
    ),
    rationale="""
    The reverse-path check drops packets arriving on an interface that would not be used to
    reach their source address. Without it, an attacker on one network can send packets
    claiming to come from another (a VPN, a trusted subnet) and get past rules that trust
    those addresses.
    """,
    remediation="""
    ```nix
    networking.firewall.checkReversePath = "loose";
    ```
    """,
    caveat="""
    Asymmetric routing (multi-homed hosts, some VPNs such as Tailscale exit nodes or
    WireGuard with policy routing) needs `"loose"` rather than the strict default, or
    legitimate packets are dropped.
    """,
    references=(
        "https://search.nixos.org/options?query=networking.firewall.checkReversePath",
        "https://www.rfc-editor.org/rfc/rfc3704",
    ),
    bad="""
    {
      networking.firewall.checkReversePath = false;
    }
    """,
    good="""
    {
      networking.firewall.checkReversePath = "loose";
    }
    """,
)


def _admin_checks() -> tuple[OptionCheck, ...]:
    checks = []
    for option, (enable, what, severity) in schema.network()["admin_services"].items():
        checks.append(
            OptionCheck(
                option,
                equals(True),
                f"the firewall is opened for {what}",
                requires=(Requires(enable, equals(True)), FIREWALL_ON),
                severity=Severity(severity),
            )
        )
    return tuple(checks)


table_rule(
    "NIX606",
    "admin-service-open-firewall",
    category="network",
    severity=Severity.MEDIUM,
    cwe=284,
    summary="A module opens the firewall for an administration or unauthenticated service",
    why="it becomes reachable from every network the host is on, not only from its operators",
    fix="set openFirewall = false and open the port on a trusted interface only",
    details="""
    The services are listed in `schema/network.json` (`admin_services`).
    """,
    checks=_admin_checks(),
    rationale="""
    `openFirewall` opens the service's port on every interface. For administration
    consoles, remote-control APIs, metrics exporters and services without authentication,
    that hands control or information to anyone who can reach the host.
    """,
    remediation="""
    ```nix
    services.prometheus.exporters.node = {
      enable = true;
      openFirewall = false;
    };
    networking.firewall.interfaces."wg0".allowedTCPPorts = [ 9100 ];
    ```
    """,
    caveat="""
    Whatever reached the service over the public interface (a Prometheus server, a remote
    admin) loses access until it comes through the trusted interface.
    """,
    references=FIREWALL_REFS,
    bad="""
    {
      services.prometheus.exporters.node = {
        enable = true;
        openFirewall = true;
      };
    }
    """,
    good="""
    {
      services.prometheus.exporters.node = {
        enable = true;
        openFirewall = false;
      };
    }
    """,
)


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


_ACCEPT_ALL = re.compile(
    r"(?m)^[ \t]*(?:ip6?tables|iptables-legacy|iptables-nft)(?:[ \t]+-w)?[ \t]+"
    r"(?:-P[ \t]+INPUT[ \t]+ACCEPT|-[AI][ \t]+(?:nixos-fw|INPUT)(?:[ \t]+\d+)?[ \t]+-j[ \t]+"
    r"(?:ACCEPT|nixos-fw-accept))[ \t]*(?:#[^\n]*)?$"
)


@rule(
    "NIX611",
    "firewall-accept-all-rule",
    category="network",
    severity=Severity.HIGH,
    cwe=284,
    summary="An extra firewall command accepts all incoming traffic",
    rationale="""
    `networking.firewall.extraCommands` runs inside the NixOS firewall's setup. A rule
    that jumps to ACCEPT with no match (no interface, source or port), or an INPUT policy
    of ACCEPT, undoes the whole default-deny policy while the configuration still says
    the firewall is on.
    """,
    remediation="""
    Accept only what is meant, by interface, source and port:
    ```nix
    networking.firewall.extraCommands = ''
      iptables -A nixos-fw -i wg0 -p tcp --dport 5432 -j nixos-fw-accept
    '';
    ```
    """,
    caveat="""
    Traffic that only worked through the blanket rule stops; find which ports it used
    (`ss -tlnp`) before removing it.
    """,
    references=(
        "https://search.nixos.org/options?query=networking.firewall.extraCommands",
        "https://man7.org/linux/man-pages/man8/iptables.8.html",
    ),
    bad="""
    {
      networking.firewall.extraCommands = ''
        iptables -A nixos-fw -j nixos-fw-accept
      '';
    }
    """,
    good="""
    {
      networking.firewall.extraCommands = ''
        iptables -A nixos-fw -i wg0 -p tcp --dport 5432 -j nixos-fw-accept
      '';
    }
    """,
)
def firewall_accept_all_rule(ctx: HostContext) -> Iterator[Hit]:
    """Flags lines of `networking.firewall.extraCommands` that set the INPUT policy to
    ACCEPT, or append/insert to `nixos-fw` or `INPUT` a jump to ACCEPT (or
    `nixos-fw-accept`) with no match at all."""
    for it in ctx.candidate_values(f"{FIREWALL}.extraCommands"):
        text = known_text(it.value)
        if not text:
            continue
        for match in _ACCEPT_ALL.finditer(text):
            line = match.group(0).split("#")[0].strip()
            yield Hit(
                it.span_of(re.compile(re.escape(line))),
                f"the firewall command {line!r} accepts every incoming packet"
                f"{when(it.conditional)}: it undoes the default-deny policy; match the "
                "interface, source and port it is meant for",
                f"{FIREWALL}.extraCommands",
                confidence=confidence_for(Confidence.HIGH, it.conditional),
            )
