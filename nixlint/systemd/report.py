"""Exposure reports for the services of a host, and for every host under some paths."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING

from nixlint import schema
from nixlint.systemd.assess import Check, Score
from nixlint.systemd.nixos import enabled, nixos_module_named, read_inputs, written_here
from nixlint.systemd.ranges import Inputs, Range, score_range
from nixlint.systemd.table import SYSTEMD_VERSION

if TYPE_CHECKING:
    from nixlint.modules import OptionPath
    from nixlint.rules.base import HostContext
    from nixlint.span import Span
    from nixlint.systemd.improve import Suggestion

#: Contributors and suggestions shown per service.
SHOWN = 5


@dataclass
class ServiceReport:
    """One ``systemd.services.<name>`` of one host."""

    name: str
    host: str | None
    option: str
    span: Span
    inputs: Inputs | None = None
    #: Why the service is not scored (it is defined outside the scanned files).
    note: str | None = None
    live: bool = False
    range: Range | None = None
    hosts: list[str] = field(default_factory=list)

    @property
    def scored(self) -> bool:
        return self.range is not None

    @property
    def best(self) -> Score | None:
        return self.range.best if self.range else None

    @property
    def worst(self) -> Score | None:
        return self.range.worst if self.range else None

    @property
    def exact(self) -> bool:
        return self.range is not None and self.range.exact

    @property
    def unknown(self) -> list[str]:
        return self.inputs.unknown if self.inputs is not None else []

    @cached_property
    def suggestions(self) -> list[Suggestion]:
        """The settings that lower the (worst) exposure most, best first (worked out only
        for the services a report shows)."""
        from nixlint.systemd.improve import suggest

        if self.range is None:
            return []
        r = self.range
        forced = frozenset(self.inputs.forced) if self.inputs is not None else frozenset()
        return suggest(self.name, r.worst_settings, r.worst_unit, self.live, forced=forced)

    def contributors(self, limit: int = SHOWN) -> list[tuple[Check, int]]:
        """The failed checks that weigh most, with their share of the exposure (tenths)."""
        if self.worst is None:
            return []
        total = self.worst.weight_sum
        shares = [(c, c.share(total)) for c in self.worst.checks if c.badness]
        shares.sort(key=lambda item: (-item[0].points, item[0].assessor.id))
        return shares[:limit]

    def exposure_text(self) -> str:
        if self.range is None:
            return "not scored"
        best, worst = self.range.best, self.range.worst
        if self.exact:
            return f"{worst.value:.1f} {worst.label}"
        return f"{best.value:.1f}–{worst.value:.1f} {self.labels}"

    @property
    def labels(self) -> str:
        """The label, or the labels of the two ends of a range."""
        if self.range is None:
            return ""
        best, worst = self.range.best.label, self.range.worst.label
        return best if best == worst else f"{best}–{worst}"

    def to_json(self, display_path: str) -> dict[str, object]:
        out: dict[str, object] = {
            "name": self.name,
            "host": self.host,
            "path": display_path,
            "line": self.span.line,
            "column": self.span.column,
            "option": self.option,
            "scored": self.scored,
            "exposure": None,
            "label": None,
            "systemd": SYSTEMD_VERSION,
        }
        if self.range is None:
            out["note"] = self.note
            return out
        best, worst = self.range.best, self.range.worst
        if self.exact:
            out["exposure"], out["label"] = worst.value, worst.label
        out["range"] = {
            "best": best.value,
            "worst": worst.value,
            "best_label": best.label,
            "worst_label": worst.label,
        }
        out["unknown"] = self.unknown
        out["checks"] = [_check_json(c, worst.weight_sum) for c in worst.checks]
        out["suggestions"] = [
            {"setting": s.key, "nix": s.nix, "saves": s.saves / 10} for s in self.suggestions
        ]
        return out


def _check_json(check: Check, total: int) -> dict[str, object]:
    a = check.assessor
    return {
        "id": a.id,
        "setting": a.setting,
        "weight": a.weight,
        "range": a.range,
        "badness": check.badness,
        "exposure": check.share(total) / 10 if check.badness is not None else None,
        "description": a.good if check.badness == 0 else a.bad if check.badness else None,
    }


def services(ctx: HostContext, live: bool = False) -> list[ServiceReport]:
    """Every service the host's scanned modules define or change the settings of."""
    out: list[ServiceReport] = []
    for path in ctx.match("systemd.services.*"):
        report = service(ctx, path, live)
        if report is not None:
            out.append(report)
    return out


def service(ctx: HostContext, path: OptionPath, live: bool = False) -> ServiceReport | None:
    name = path[-1]
    if name == "*" or not enabled(ctx, path):
        return None
    config = (*path, "serviceConfig")
    has_config = ctx.graph.exists(config)
    span = ctx.anchor(config) if has_config else ctx.anchor(path)
    report = ServiceReport(name, ctx.name, schema.join(config), span, live=live)
    if not written_here(ctx, path):
        if not has_config:
            return None
        module = nixos_module_named(ctx, name)
        origin = f"the NixOS module {module}" if module else "NixOS, systemd or a package"
        report.note = (
            f"defined by {origin}, outside the scanned files: its hardening lives there, and "
            "the serviceConfig settings here are merged into it"
        )
        return report
    report.inputs = read_inputs(ctx, path)
    report.range = score_range(report.inputs, live)
    return report


def scan(paths: list[str], live: bool = False) -> list[ServiceReport]:
    """The services of every host under ``paths`` (a service shared by several hosts, with
    the same result for each, is reported once with the list of hosts)."""
    from nixlint.analyze import Selection, check
    from nixlint.rules.base import HostContext

    result = check(paths, Selection(select=frozenset()))
    scanned = set(result.files)
    merged: dict[tuple[object, ...], ServiceReport] = {}
    for host in result.hosts:
        ctx = HostContext(host)
        with host.graph.activate():
            found = services(ctx, live)
        for report in found:
            if report.span.path not in scanned:
                continue
            key = (report.name, report.span.path, report.span.line, report.exposure_text())
            seen = merged.get(key)
            if seen is None:
                report.hosts = [host.name]
                merged[key] = report
            else:
                seen.hosts.append(host.name)
    return sorted(merged.values(), key=lambda r: (r.span.path, r.span.line, r.name))


def render_json(reports: list[ServiceReport], threshold: int, live: bool) -> dict[str, object]:
    """The ``nixlint services --format json`` document."""
    from nixlint import __version__
    from nixlint.analyze import display_path

    rows = []
    for report in reports:
        row = report.to_json(display_path(report.span.path))
        row["hosts"] = report.hosts
        row["above_threshold"] = bool(report.worst and report.worst.exposure >= threshold)
        rows.append(row)
    return {
        "version": __version__,
        "systemd": SYSTEMD_VERSION,
        "mode": "live" if live else "offline",
        "threshold": threshold / 10,
        "services": rows,
    }


def render_text(reports: list[ServiceReport], threshold: int) -> str:
    """One row per service, then the settings that would lower its exposure most."""
    from nixlint.analyze import display_path

    lines: list[str] = []
    above = 0
    for report in reports:
        where = f"{display_path(report.span.path)}:{report.span.line}"
        hosts = ", ".join(report.hosts) or (report.host or "")
        mark = "!" if report.worst and report.worst.exposure >= threshold else " "
        above += mark == "!"
        lines.append(f"{mark} {report.name:<24} {report.exposure_text():<22} {where}  [{hosts}]")
        if report.range is None:
            lines.append(f"    {report.note}")
            continue
        if not report.exact:
            lines.append(f"    depends on: {', '.join(report.unknown)}")
        for s in report.suggestions:
            lines.append(f"    {s.nix:<70} -{s.saves / 10:.1f}")
    scored = sum(1 for r in reports if r.scored)
    lines.append(
        f"{len(reports)} services, {scored} scored, {above} at or above {threshold / 10:.1f} "
        f"(systemd {SYSTEMD_VERSION} scale)"
    )
    return "\n".join(lines) + "\n"
