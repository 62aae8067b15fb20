"""GitHub Actions workflow commands: one ``::error``/``::warning``/``::notice`` annotation
per finding, shown on the pull request's diff."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, TextIO

from nixlint.findings import Severity
from nixlint.report import Report, as_report, scan_root

if TYPE_CHECKING:
    from nixlint.analyze import Result

COMMAND = {
    Severity.CRITICAL: "error",
    Severity.HIGH: "error",
    Severity.MEDIUM: "warning",
    Severity.LOW: "warning",
    Severity.INFO: "notice",
}


def escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def _path(path: str, root: str) -> str:
    """Annotations name files relative to the repository's top."""
    full = os.path.abspath(path)
    rel = os.path.relpath(full, root)
    return full if rel.startswith(os.pardir) else rel.replace(os.sep, "/")


def render(report: Report | Result, stream: TextIO) -> None:
    report = as_report(report)
    root = os.path.realpath(report.root or scan_root())
    for f in report.findings:
        properties = {
            "file": _path(f.path, root),
            "line": str(f.line),
            "col": str(f.column),
            "endLine": str(f.end_line),
            "endColumn": str(f.end_column),
            "title": f"{f.rule} {f.name} ({f.severity.value})",
        }
        if f.end_line != f.line:
            del properties["endColumn"]  # GitHub takes column ranges on one line only
        shown = ",".join(f"{k}={escape_property(v)}" for k, v in properties.items())
        message = f.message
        if f.confidence.value != "high":
            message += f" (confidence: {f.confidence.value})"
        if len(f.hosts) > 1:
            message += f" (hosts: {', '.join(f.hosts)})"
        stream.write(f"::{COMMAND[f.severity]} {shown}::{escape_data(message)}\n")
