"""Reporters: each renders a :class:`Report` to a stream, and never analyses.

A report holds what the user asked to see: the findings left after configuration,
suppressions and the baseline, the suppressed ones (shown with ``--show-suppressed``), and
the scan's counts.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol, TextIO

from nixlint.findings import Severity

if TYPE_CHECKING:
    from nixlint.analyze import Result
    from nixlint.findings import Finding
    from nixlint.provenance import Related
    from nixlint.triage import Suppressed

FORMATS = ("text", "concise", "json", "sarif", "github")

INFORMATION_URI = "https://github.com/nixlint/nixlint"
#: Where each rule's documentation lives: one heading per rule, ``NIX101 oci-privileged``.
DOCS_URL = f"{INFORMATION_URI}/blob/main/docs/rules.md"


def rule_url(code: str, name: str) -> str:
    """The stable link to a rule's documentation (the anchor of its heading)."""
    return f"{DOCS_URL}#{code.lower()}-{name}"


@dataclass
class Report:
    findings: list[Finding]
    files: int = 0
    hosts: int = 0
    internal_errors: int = 0
    suppressed: list[Suppressed] = field(default_factory=list)
    #: List the suppressed findings too (text, JSON, SARIF).
    show_suppressed: bool = False
    #: Counts per rule instead of the findings (text).
    statistics: bool = False
    #: The directory SARIF locations are relative to (``%SRCROOT%``).
    root: str = ""
    #: The baseline in use, if any.
    baseline: str | None = None
    #: The definitions behind a finding (SARIF ``relatedLocations``).
    related: Callable[[Finding], list[Related]] | None = None

    @classmethod
    def of(cls, result: Result) -> Report:
        """A report of everything a scan found, with nothing filtered."""
        return cls(
            list(result.findings), len(result.files), len(result.hosts), result.internal_errors
        )

    def by_rule(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for finding in self.findings:
            counts[finding.rule] = counts.get(finding.rule, 0) + 1
        return dict(sorted(counts.items()))

    def summary(self) -> dict[str, object]:
        by_severity = {s.value: 0 for s in Severity}
        for finding in self.findings:
            by_severity[finding.severity.value] += 1
        return {
            "files": self.files,
            "hosts": self.hosts,
            "findings": len(self.findings),
            "by_severity": by_severity,
            "internal_errors": self.internal_errors,
            "suppressed": len(self.suppressed),
            "by_rule": self.by_rule(),
        }


def as_report(value: Report | Result) -> Report:
    return value if isinstance(value, Report) else Report.of(value)


class Reporter(Protocol):
    def __call__(self, report: Report, stream: TextIO) -> None: ...


def get(name: str) -> Reporter:
    if name not in FORMATS:
        raise ValueError(f"unknown format {name!r}")
    from importlib import import_module

    module = import_module(f"nixlint.report.{name if name != 'concise' else 'text'}")
    return module.render_concise if name == "concise" else module.render  # type: ignore[no-any-return]


#: Line ends as Nix counts them (a lone carriage return ends a line too).
_LINE_BREAK = re.compile(r"\r\n|\n|\r")


class Sources:
    """Source lines of the reported files, read once per report."""

    def __init__(self) -> None:
        self._lines: dict[str, list[str]] = {}

    def line(self, path: str, number: int) -> str | None:
        """A 1-based line without its line break (None when it cannot be read)."""
        lines = self._lines.get(path)
        if lines is None:
            try:
                with open(path, "rb") as handle:
                    text = handle.read().decode("utf-8", "replace")
                lines = _LINE_BREAK.split(text)
            except OSError:
                lines = []
            self._lines[path] = lines
        return lines[number - 1] if 0 < number <= len(lines) else None


def scan_root(cwd: str | None = None) -> str:
    """The repository a scan is in (the nearest directory holding ``.git``), else ``cwd``:
    code-scanning services resolve SARIF paths against the repository's top."""
    start = os.path.realpath(cwd or os.getcwd())
    directory = start
    while True:
        if os.path.exists(os.path.join(directory, ".git")):
            return directory
        parent = os.path.dirname(directory)
        if parent == directory:
            return start
        directory = parent
