"""Rule costs per host: each rule's time on each host, in the order a scan runs them (so a
rule that is the first to read a value pays for evaluating it), with garbage collection
paused while a rule runs.

    python bench/rules.py                  # a generated fleet, a 3,000-line host, a host with
                                           # 375 systemd services
    python bench/rules.py PATH [PATH...]   # real configurations (each PATH a repository)
    python bench/rules.py --services 375   # only the host with that many services

Prints, per set of hosts, the rules' time against building the hosts, then the rules that
cost most: in total, per host on average, and on the worst host. Compare two versions by the
ratios of these figures (absolute times vary on shared machines).
"""

from __future__ import annotations

import argparse
import gc
import random
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.corpus import generate
from nixlint.analyze import (
    Selection,
    _Collector,
    _fewer_collections,
    _runner_for,
    load_workspace,
    plan_hosts,
)
from nixlint.rules.base import HostContext

SHOWN = 8

#: Hardening settings a generated service may have (a value, or one NixOS may not know).
SETTINGS = (
    ("DynamicUser", ("true", "false")),
    ("PrivateTmp", ("true",)),
    ("ProtectSystem", ('"strict"', '"full"', "true")),
    ("ProtectHome", ("true", '"read-only"')),
    ("NoNewPrivileges", ("true",)),
    ("PrivateDevices", ("true",)),
    ("CapabilityBoundingSet", ('""', '[ "CAP_NET_BIND_SERVICE" ]')),
    ("RestrictNamespaces", ("true",)),
    ("SystemCallFilter", ('[ "@system-service" ]', '[ "@system-service" "~@privileged" ]')),
    ("User", ('"svc"', '"root"')),
    ("PrivateNetwork", ("true",)),
    ("RestrictAddressFamilies", ('[ "AF_UNIX" "AF_INET" "AF_INET6" ]',)),
    ("UMask", ('"0077"', '"0027"')),
    ("ProtectKernelTunables", ("true",)),
    ("IPAddressDeny", ('"any"',)),
    ("MemoryDenyWriteExecute", ("true",)),
    ("LockPersonality", ("true",)),
)


def services_host(count: int, seed: int = 7) -> str:
    """A host module with ``count`` services, each hardened differently; some settings come
    from options nixlint cannot know, some are set under conditions it cannot decide."""
    rng = random.Random(seed)
    out = ["{ config, lib, pkgs, ... }:", "let cfg = config.services.fleet; in", "{"]
    for i in range(count):
        out += [
            f"  systemd.services.svc{i} = {{",
            '    wantedBy = [ "multi-user.target" ];',
            "    serviceConfig = {",
            f'      ExecStart = "${{pkgs.hello}}/bin/hello --id {i}";',
        ]
        for key, values in rng.sample(SETTINGS, rng.choice([0, 1, 2, 3, 5, 8, 12])):
            kind = rng.random()
            if kind < 0.3:
                value = f"cfg.{key.lower()}"
            elif kind < 0.45:
                value = f"lib.mkIf cfg.{key.lower()}Enable {rng.choice(values)}"
            else:
                value = rng.choice(values)
            out.append(f"      {key} = {value};")
        out += ["    };", "  };"]
    out.append("}")
    return "\n".join(out) + "\n"


def measure(paths: list[str]) -> tuple[int, float, dict[str, list[float]]]:
    """(hosts, seconds building them, each rule's seconds per host)."""
    _fewer_collections()
    times: dict[str, list[float]] = defaultdict(list)
    hosts = 0
    building = 0.0
    for path in paths:
        workspace = load_workspace([path])
        runner = _runner_for(workspace)
        refs, _ = plan_hosts(workspace, runner, _Collector(set(), Selection()))
        for ref in refs:
            start = time.perf_counter()
            host = runner.build(ref)
            building += time.perf_counter() - start
            if host is None or not host.is_configuration:
                continue
            hosts += 1
            ctx = HostContext(host)
            for rule in runner.rules:
                gc.disable()
                start = time.perf_counter()
                try:
                    with host.graph.activate():
                        list(rule.check(ctx))  # type: ignore[misc]
                except Exception:  # a failing rule costs what it cost
                    pass
                times[rule.code].append(time.perf_counter() - start)
                gc.enable()
    return hosts, building, times


def show(label: str, paths: list[str]) -> None:
    hosts, building, times = measure(paths)
    total = sum(sum(t) for t in times.values())
    print(f"{label}: {hosts} hosts; rules {total * 1000:.0f} ms, {total / building:.2f}x building")
    ranked = sorted(times.items(), key=lambda item: -sum(item[1]))
    for code, samples in ranked[:SHOWN]:
        print(
            f"  {code}  total {sum(samples) * 1000:8.1f} ms ({sum(samples) / total:4.0%})"
            f"  per host {sum(samples) / len(samples) * 1000:7.2f} ms"
            f"  worst {max(samples) * 1000:7.1f} ms"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("paths", nargs="*")
    parser.add_argument("--services", type=int, help="only a host with this many services")
    parser.add_argument("--hosts", type=int, default=300, help="hosts in the generated fleet")
    args = parser.parse_args()
    if args.paths:
        for path in args.paths:
            show(path, [path])
        return
    with tempfile.TemporaryDirectory() as name:
        tmp = Path(name)
        services = tmp / "services"
        services.mkdir()
        (services / "configuration.nix").write_text(services_host(args.services or 375))
        if args.services:
            show(f"{args.services} services", [str(services)])
            return
        generate(tmp / "fleet", hosts=args.hosts, roles=max(args.hosts // 30, 4))
        show(f"generated fleet of {args.hosts} hosts", [str(tmp / "fleet")])
        try:
            from bench.lsp import host_file  # needs the language server's extra
        except ImportError:
            print("(no 3,000-line host: bench/lsp.py needs `pip install 'nixlint[lsp]'`)")
        else:
            large = tmp / "large"
            large.mkdir()
            (large / "configuration.nix").write_text(host_file(3000))
            show("a 3,000-line host", [str(large)])
        show("375 services", [str(services)])


if __name__ == "__main__":
    main()
