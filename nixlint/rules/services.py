"""3xx: sandboxing, measured — the exposure score ``systemd-analyze security`` gives each
service the scanned files define (see ``docs/systemd.md``)."""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from typing import TYPE_CHECKING

from nixlint.findings import Confidence, Severity
from nixlint.rules.base import Hit, HostContext, rule
from nixlint.rules.sandboxing import root_unconfined

if TYPE_CHECKING:
    from nixlint.systemd.report import ServiceReport

#: The default threshold: systemd's EXPOSED band (7.5), in tenths.
DEFAULT_THRESHOLD = 75
#: Environment variable that sets the threshold (a score such as ``9.0`` or a band name).
THRESHOLD_VARIABLE = "NIXLINT_EXPOSURE_THRESHOLD"
#: Severity of a finding by the band of the score.
SEVERITY_BY_BAND: Mapping[str, Severity] = {
    "DANGEROUS": Severity.HIGH,
    "UNSAFE": Severity.MEDIUM,
    "EXPOSED": Severity.LOW,
    "MEDIUM": Severity.INFO,
    "OK": Severity.INFO,
    "SAFE": Severity.INFO,
    "PERFECT": Severity.INFO,
}

_threshold: ContextVar[int | None] = ContextVar("nixlint_exposure_threshold", default=None)


def parse_threshold(text: str) -> int:
    """A threshold in tenths from ``"9.0"``, ``"9"`` or a band name (``"UNSAFE"``)."""
    from nixlint.systemd.table import bands

    value = text.strip()
    for low, name in bands():
        if value.upper() == name:
            return low
    try:
        number = float(value)
    except ValueError:
        raise ValueError(f"not an exposure (0.0–10.0) or a band name: {text!r}") from None
    if not 0 <= number <= 10:
        raise ValueError(f"exposure threshold out of range (0.0–10.0): {text!r}")
    return round(number * 10)


def threshold() -> int:
    """The threshold in force (tenths): set by :func:`exposure_threshold`, else by
    ``NIXLINT_EXPOSURE_THRESHOLD``, else systemd's EXPOSED band."""
    chosen = _threshold.get()
    if chosen is not None:
        return chosen
    env = os.environ.get(THRESHOLD_VARIABLE)
    if env:
        try:
            return parse_threshold(env)
        except ValueError:
            return DEFAULT_THRESHOLD
    return DEFAULT_THRESHOLD


@contextmanager
def exposure_threshold(tenths: int) -> Iterator[None]:
    """Run rules with another threshold (a configuration file or a command-line option)."""
    token = _threshold.set(tenths)
    try:
        yield
    finally:
        _threshold.reset(token)


@rule(
    "NIX303",
    "service-exposure",
    category="sandboxing",
    severity=Severity.MEDIUM,
    summary="A systemd service's exposure score is at or above the threshold",
    cwe=250,
    rationale="""
    `systemd-analyze security` rates how much of the system a service can reach: 81 checks
    (user, capabilities, system calls, namespaces, file system and network access, …),
    weighted into an exposure from 0.0 (PERFECT) to 10.0 (DANGEROUS). A service at
    EXPOSED (7.5) or worse keeps most of what systemd could take away from it, so a flaw in
    it reaches far more of the system than the service needs. nixlint computes the same
    score from the Nix source, before the system is built, for every service the scanned
    files define (`nixlint services` lists them all, with what would lower each score).
    """,
    remediation="""
    Add the settings the message names to the service's `serviceConfig`, for example:
    ```nix
    systemd.services.metrics.serviceConfig = {
      DynamicUser = true;
      CapabilityBoundingSet = "";
      SystemCallFilter = [ "@system-service" "~@privileged" "~@resources" ];
      RestrictNamespaces = true;
      PrivateDevices = true;
    };
    ```
    """,
    caveat="""
    Each setting takes something away from the service: a service that binds a port below
    1024 needs `AmbientCapabilities = [ "CAP_NET_BIND_SERVICE" ]` and that capability in
    its bounding set, one that talks to the network cannot have `PrivateNetwork` or
    `IPAddressDeny = "any"`, a JIT runtime fails under `MemoryDenyWriteExecute`. Start the
    service after each change and check its journal. The threshold is set with
    `NIXLINT_EXPOSURE_THRESHOLD` (a score such as `9.0`, or a band name such as `UNSAFE`).
    """,
    references=(
        "https://www.freedesktop.org/software/systemd/man/latest/systemd-analyze.html",
        "https://www.freedesktop.org/software/systemd/man/latest/systemd.exec.html",
        "https://wiki.nixos.org/wiki/Systemd/Hardening",
    ),
    bad="""
    { pkgs, ... }:
    {
      systemd.services.metrics = {
        wantedBy = [ "multi-user.target" ];
        serviceConfig = {
          ExecStart = "${pkgs.prometheus-node-exporter}/bin/node_exporter";
          DynamicUser = true;
        };
      };
    }
    """,
    good="""
    { pkgs, ... }:
    {
      systemd.services.metrics = {
        wantedBy = [ "multi-user.target" ];
        serviceConfig = {
          ExecStart = "${pkgs.prometheus-node-exporter}/bin/node_exporter";
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
def service_exposure(ctx: HostContext) -> Iterator[Hit]:
    """Scores every `systemd.services.<name>` whose `script` or `serviceConfig.ExecStart`
    the scanned files define, as `systemd-analyze security --offline=yes` (systemd 252)
    scores the unit NixOS renders from it, and flags those at or above the threshold
    (default 7.5, systemd's EXPOSED band). The severity follows the band: DANGEROUS high,
    UNSAFE medium, EXPOSED low. Settings nixlint cannot know give a range of scores; the
    finding then has lower confidence. Services that NIX302 reports (root, no confinement
    at all) are left to it, so one service is not reported twice."""
    if not ctx.match("systemd.services.*"):
        return  # (and the assessor is not loaded)
    from nixlint.systemd.report import services

    limit = threshold()
    for report in services(ctx):
        worst = report.worst
        if worst is None or worst.exposure < limit:
            continue
        path = ("systemd", "services", report.name)
        if root_unconfined(ctx, path) is not None:
            continue
        yield _hit(report, limit)


def _hit(report: ServiceReport, limit: int) -> Hit:
    best, worst = report.best, report.worst
    assert best is not None and worst is not None
    if report.exact:
        score = f"{worst.value:.1f} ({worst.label})"
        confidence = Confidence.HIGH
    else:
        names = report.unknown
        unknown = ", ".join(names[:4]) + (f" and {len(names) - 4} more" if len(names) > 4 else "")
        score = (
            f"{best.value:.1f}–{worst.value:.1f} ({report.labels}, depending on "
            f"{unknown}, which nixlint cannot know)"
        )
        confidence = Confidence.MEDIUM if best.exposure >= limit else Confidence.LOW
    band = worst.label if report.exact or best.exposure < limit else best.label
    message = f"service '{report.name}' has exposure {score} as systemd-analyze security rates it"
    fixes = [s for s in report.suggestions if s.saves > 0]
    if fixes:
        after = worst.exposure - sum(s.saves for s in fixes)
        pasted = " ".join(s.nix for s in fixes)
        message += f"; to lower it to {after / 10:.1f}, set in serviceConfig: {pasted}"
    return Hit(
        report.span,
        message,
        report.option,
        severity=SEVERITY_BY_BAND[band],
        confidence=confidence,
    )
