"""Human-readable output.

``text``: findings grouped by file, each with the offending line and a marker under the
finding, then a summary with counts per severity and a pointer to ``nixlint explain``
(``--statistics``: counts per rule instead of the findings). ``concise``: one
``path:line:col CODE severity message`` line per finding. Colour only on a terminal (or with
``FORCE_COLOR``; never with ``NO_COLOR``).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import TYPE_CHECKING, TextIO

from nixlint.findings import Severity
from nixlint.report import Report, Sources, as_report

if TYPE_CHECKING:
    from nixlint.analyze import Result
    from nixlint.findings import Finding
    from nixlint.triage import Suppressed

_STYLE = {
    Severity.CRITICAL: "bold red",
    Severity.HIGH: "red",
    Severity.MEDIUM: "yellow",
    Severity.LOW: "cyan",
    Severity.INFO: "dim",
}
_KIND = {
    "inline": "suppressed",
    "file": "suppressed for the file",
    "config": "ignored by",
    "baseline": "",
}
#: Source lines longer than this are shown as a window around the finding.
_WIDE = 160

Emit = Callable[[str, str | None], None]


def _emitter(stream: TextIO) -> Emit:
    color = "NO_COLOR" not in os.environ and (stream.isatty() or "FORCE_COLOR" in os.environ)
    if not color:

        def plain(text: str, style: str | None = None) -> None:
            stream.write(text + "\n")

        return plain
    from rich.console import Console
    from rich.markup import escape

    console = Console(file=stream, highlight=False, soft_wrap=True, force_terminal=True)

    def styled(text: str, style: str | None = None) -> None:
        console.print(f"[{style}]{escape(text)}[/]" if style else escape(text))

    return styled


def _source_line(sources: Sources, finding: Finding) -> str | None:
    line = sources.line(finding.path, finding.line)
    return None if line is None else line.expandtabs(1)


def _snippet(finding: Finding, line: str) -> tuple[str, str]:
    """The line (a window of it when long) and the marker under the finding."""
    start = max(finding.column - 1, 0)
    end = finding.end_column - 1 if finding.end_line == finding.line else len(line)
    end = min(max(end, start + 1), max(len(line), start + 1))
    offset = 0
    if len(line) > _WIDE:
        offset = max(0, min(start - 40, len(line) - _WIDE))
        shown = line[offset : offset + _WIDE]
        prefix = "…" if offset else ""
        line = prefix + shown + ("…" if offset + _WIDE < len(line) else "")
        offset -= len(prefix)
    marker = " " * (start - offset) + "^" * max(1, min(end, offset + len(line)) - start)
    return line, marker


def _head(finding: Finding, width: int) -> str:
    where = f"{finding.line}:{finding.column}"
    confidence = (
        "" if finding.confidence.value == "high" else f" (confidence: {finding.confidence.value})"
    )
    hosts = f" [hosts: {', '.join(finding.hosts)}]" if len(finding.hosts) > 1 else ""
    return (
        f"  {where:<{width}}  {finding.severity.value:<8}  {finding.rule}  "
        f"{finding.message}{confidence}{hosts}"
    )


def render(report: Report | Result, stream: TextIO) -> None:
    report = as_report(report)
    emit = _emitter(stream)
    if report.statistics:
        _statistics(report, emit)
    else:
        _listing(report, emit)
    _summary(report, emit)


def _listing(report: Report, emit: Emit) -> None:
    groups: dict[str, list[tuple[Finding, Suppressed | None]]] = {}
    for finding in report.findings:
        groups.setdefault(finding.path, []).append((finding, None))
    if report.show_suppressed:
        for item in report.suppressed:
            groups.setdefault(item.finding.path, []).append((item.finding, item))
    sources = Sources()
    for path in sorted(groups):
        entries = sorted(groups[path], key=lambda e: e[0].sort_key)
        width = max(len(f"{f.line}:{f.column}") for f, _ in entries)
        digits = max(len(str(f.line)) for f, _ in entries)
        emit(path, "bold underline")
        for finding, suppressed in entries:
            if suppressed is not None:
                how = _KIND[suppressed.kind]
                why = f"{how}: {suppressed.reason}" if how else suppressed.reason
                emit(f"{_head(finding, width)} [{why}]", "dim")
                continue
            emit(_head(finding, width), _STYLE[finding.severity])
            line = _source_line(sources, finding)
            if line is not None and line.strip():
                text, marker = _snippet(finding, line)
                emit(f"    {finding.line:>{digits}} | {text}", None)
                emit(f"    {'':>{digits}} | {marker}", "bold")
        emit("", None)


def _statistics(report: Report, emit: Emit) -> None:
    from nixlint.rules.base import lookup

    counts = report.by_rule()
    if not counts:
        return
    width = len(str(max(counts.values())))
    for code, count in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])):
        rule = lookup(code)
        name = rule.name if rule else ""
        severities = sorted(
            {f.severity for f in report.findings if f.rule == code}, key=lambda s: -s.rank
        )
        shown = "/".join(s.value for s in severities)
        emit(f"{count:>{width}}  {code}  {name:<36} {shown}", None)
    emit("", None)


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'s' if n != 1 else ''}"


def _summary(report: Report, emit: Emit) -> None:
    counts = report.summary()["by_severity"]
    assert isinstance(counts, dict)
    parts = [f"{counts[s.value]} {s.value}" for s in Severity if counts[s.value]]
    detail = f" ({', '.join(parts)})" if parts else ""
    scope = f"in {_plural(report.files, 'file')}, {_plural(report.hosts, 'host')}"
    n = len(report.findings)
    if n:
        emit(f"Found {_plural(n, 'finding')}{detail} {scope}.", None)
    else:
        emit(f"No findings {scope}.", None)
    if report.suppressed:
        kinds: dict[str, int] = {}
        for item in report.suppressed:
            kinds[item.kind] = kinds.get(item.kind, 0) + 1
        how = ", ".join(
            f"{count} {label}"
            for kind, label in (
                ("inline", "by comments"),
                ("file", "by file comments"),
                ("config", "by the configuration"),
                ("baseline", "by the baseline"),
            )
            if (count := kinds.get(kind, 0))
        )
        hint = "" if report.show_suppressed else " (--show-suppressed lists them)"
        emit(f"{_plural(len(report.suppressed), 'finding')} suppressed: {how}{hint}.", None)
    if report.findings:
        worst = min(report.findings, key=lambda f: (-f.severity.rank, f.sort_key))
        emit(
            f"Run `nixlint explain {worst.rule}` (or any code above) for what a rule checks "
            "and how to fix it.",
            None,
        )
    if report.internal_errors:
        emit(
            f"nixlint had {report.internal_errors} internal error(s): see the NIX005 findings.",
            "bold red",
        )


def render_concise(report: Report | Result, stream: TextIO) -> None:
    report = as_report(report)
    emit = _emitter(stream)
    for finding in report.findings:
        confidence = (
            ""
            if finding.confidence.value == "high"
            else f" (confidence: {finding.confidence.value})"
        )
        emit(
            f"{finding.path}:{finding.line}:{finding.column} {finding.rule} "
            f"{finding.severity.value} {finding.message}{confidence}",
            _STYLE[finding.severity],
        )
    _summary(report, emit)
