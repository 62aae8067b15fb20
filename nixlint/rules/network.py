"""6xx: network exposure — the NixOS firewall, open ports, and services listening unprotected."""

from __future__ import annotations

import re
from collections.abc import Iterator

from nixlint import schema
from nixlint.evaluate.values import Value
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
