"""Human-readable output: ``path:line:col CODE severity message``, the source line with a
marker, and a summary line. Colour only on a terminal."""

from __future__ import annotations

import linecache
from typing import TYPE_CHECKING, TextIO

from nixlint.findings import Severity

if TYPE_CHECKING:
    from nixlint.analyze import Result
    from nixlint.findings import Finding

_STYLE = {
    Severity.CRITICAL: "bold red",
    Severity.HIGH: "red",
    Severity.MEDIUM: "yellow",
    Severity.LOW: "cyan",
    Severity.INFO: "dim",
}


def _source_line(finding: Finding) -> str | None:
    line = linecache.getline(finding.path, finding.line)
    if not line:
        return None
    return line.rstrip("\r\n").expandtabs(1)


def _marker(finding: Finding, line: str) -> str:
    start = max(finding.column - 1, 0)
    end = finding.end_column - 1 if finding.end_line == finding.line else len(line)
    width = max(end - start, 1)
    return " " * start + "^" * min(width, max(len(line) - start, 1))


def render(result: Result, stream: TextIO) -> None:
    color = stream.isatty()
    console = None
    if color:
        from rich.console import Console

        console = Console(file=stream, highlight=False, soft_wrap=True)

    def emit(text: str, style: str | None = None) -> None:
        if console is not None:
            from rich.markup import escape

            console.print(f"[{style}]{escape(text)}[/]" if style else escape(text))
        else:
            stream.write(text + "\n")

    for finding in result.findings:
        where = f"{finding.path}:{finding.line}:{finding.column}"
        hosts = f" [host: {', '.join(finding.hosts)}]" if len(finding.hosts) > 1 else ""
        confidence = (
            ""
            if finding.confidence.value == "high"
            else f" (confidence: {finding.confidence.value})"
        )
        head = (
            f"{where} {finding.rule} {finding.severity.value} {finding.message}{confidence}{hosts}"
        )
        emit(head, _STYLE[finding.severity] if color else None)
        line = _source_line(finding)
        if line is not None and line.strip():
            emit(f"    {line}")
            emit(f"    {_marker(finding, line)}", "bold" if color else None)
    summary = result.summary()
    counts = summary["by_severity"]
    assert isinstance(counts, dict)
    parts = [f"{counts[s.value]} {s.value}" for s in Severity if counts[s.value]]
    detail = f" ({', '.join(parts)})" if parts else ""
    n = len(result.findings)
    emit(
        f"Found {n} finding{'s' if n != 1 else ''}{detail} in {summary['files']} "
        f"file{'s' if summary['files'] != 1 else ''}, {summary['hosts']} host"
        f"{'s' if summary['hosts'] != 1 else ''}."
    )
    if result.findings:
        emit("Run `nixlint explain CODE` for what a rule checks and how to fix it.")
    if result.internal_errors:
        emit(
            f"nixlint had {result.internal_errors} internal error(s); see above.",
            "bold red" if color else None,
        )
