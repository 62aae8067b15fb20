"""SARIF 2.1.0, as code-scanning services read it.

One run; ``tool.driver.rules`` is the whole catalogue (so ``ruleIndex`` is stable), each
rule with its documentation, a ``helpUri``, its default level, and the ``tags``,
``security-severity`` and ``precision`` properties code scanning uses. Locations are relative
to the repository (``%SRCROOT%``). ``partialFingerprints.primaryLocationLineHash`` hashes the
rule and the text of the finding's line (whitespace ignored) plus an occurrence count, so an
alert stays the same alert when unrelated lines move.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from typing import TYPE_CHECKING, TextIO
from urllib.parse import quote

from nixlint import __version__
from nixlint.baseline import identity
from nixlint.findings import Confidence, Severity
from nixlint.report import INFORMATION_URI, Report, Sources, as_report, rule_url, scan_root

if TYPE_CHECKING:
    from nixlint.analyze import Result
    from nixlint.findings import Finding
    from nixlint.rules.base import Rule
    from nixlint.span import Span
    from nixlint.triage import Suppressed

SCHEMA = (
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
)
SRCROOT = "%SRCROOT%"

LEVEL = {
    Severity.CRITICAL: "error",
    Severity.HIGH: "error",
    Severity.MEDIUM: "warning",
    Severity.LOW: "warning",
    Severity.INFO: "note",
}
#: GitHub reads >= 9.0 as critical, 7.0-8.9 high, 4.0-6.9 medium, 0.1-3.9 low.
SECURITY_SEVERITY = {
    Severity.CRITICAL: "9.5",
    Severity.HIGH: "8.0",
    Severity.MEDIUM: "5.5",
    Severity.LOW: "3.0",
    Severity.INFO: "1.0",
}
PRECISION = {Confidence.HIGH: "high", Confidence.MEDIUM: "medium", Confidence.LOW: "low"}

_WHITESPACE = re.compile(r"\s+")


def _first_paragraph(markdown: str) -> str:
    lines = markdown.strip().splitlines()
    if lines and lines[0].startswith("## What it does"):
        lines = lines[1:]
    paragraph: list[str] = []
    for line in lines:
        if not line.strip() or line.startswith("#"):
            if paragraph:
                break
            continue
        paragraph.append(line.strip())
    return " ".join(paragraph)


def _rule(rule: Rule) -> dict[str, object]:
    url = rule_url(rule.code, rule.name)
    tags = ["security", rule.category]
    if rule.cwe:
        tags.append(f"external/cwe/cwe-{rule.cwe}")
    markdown = rule.description
    references = getattr(rule, "references", None)
    if references:
        markdown += "\n\n## References\n" + "\n".join(f"- {ref}" for ref in references)
    return {
        "id": rule.code,
        "name": rule.name,
        "shortDescription": {"text": rule.summary},
        "fullDescription": {"text": _first_paragraph(rule.description) or rule.summary},
        "help": {
            "text": f"{rule.description}\n\nDocumentation: {url}",
            "markdown": f"{markdown}\n\n[Documentation]({url})",
        },
        "helpUri": url,
        "defaultConfiguration": {"level": LEVEL[rule.severity]},
        "properties": {
            "tags": tags,
            "security-severity": SECURITY_SEVERITY[rule.severity],
            "precision": PRECISION[rule.confidence],
        },
    }


class _Locator:
    """Artifact locations relative to the scan root, and line hashes."""

    def __init__(self, root: str) -> None:
        self.root = os.path.realpath(root)
        self.seen: dict[tuple[str, str], int] = {}
        self.sources = Sources()

    def artifact(self, path: str) -> dict[str, str]:
        full = os.path.abspath(path)
        rel = os.path.relpath(full, self.root)
        if rel.startswith(os.pardir):
            return {"uri": "file://" + quote(full.replace(os.sep, "/"))}
        return {"uri": quote(rel.replace(os.sep, "/")), "uriBaseId": SRCROOT}

    def physical(self, path: str, line: int, column: int, end_line: int, end_column: int) -> dict:
        return {
            "artifactLocation": self.artifact(path),
            "region": {
                "startLine": line,
                "startColumn": column,
                "endLine": end_line,
                "endColumn": end_column,
            },
        }

    def span(self, span: Span) -> dict[str, object]:
        return self.physical(span.path, span.line, span.column, span.end_line, span.end_column)

    def line_hash(self, finding: Finding) -> str:
        text = self.sources.line(finding.path, finding.line) or ""
        key = _WHITESPACE.sub("", text) if text.strip() else finding.message
        digest = hashlib.sha256(f"{finding.rule}\0{key}".encode()).hexdigest()[:16]
        occurrence = self.seen.get((finding.path, digest), 0) + 1
        self.seen[(finding.path, digest)] = occurrence
        return f"{digest}:{occurrence}"


def _result(
    finding: Finding,
    index: dict[str, int],
    locator: _Locator,
    report: Report,
    suppressed: Suppressed | None,
) -> dict[str, object]:
    message = finding.message
    if len(finding.hosts) > 1:
        message += f" (hosts: {', '.join(finding.hosts)})"
    result: dict[str, object] = {
        "ruleId": finding.rule,
        "ruleIndex": index[finding.rule],
        "level": LEVEL[finding.severity],
        "message": {"text": message},
        "locations": [
            {
                "physicalLocation": locator.physical(
                    finding.path, finding.line, finding.column, finding.end_line, finding.end_column
                )
            }
        ],
        "partialFingerprints": {
            "primaryLocationLineHash": locator.line_hash(finding),
            "nixlintFingerprint/v1": identity(finding, locator.root),
        },
        "properties": {
            "severity": finding.severity.value,
            "confidence": finding.confidence.value,
            "category": finding.category,
            "option": finding.option,
            "hosts": list(finding.hosts),
        },
    }
    related = report.related(finding) if report.related is not None else []
    if related:
        result["relatedLocations"] = [
            {"id": i, "physicalLocation": locator.span(r.span), "message": {"text": r.message}}
            for i, r in enumerate(related, start=1)
        ]
    if report.baseline is not None:
        baselined = suppressed is not None and suppressed.kind == "baseline"
        result["baselineState"] = "unchanged" if baselined else "new"
    if suppressed is not None:
        entry: dict[str, object] = {
            "kind": "inSource" if suppressed.kind in ("inline", "file") else "external",
            "status": "accepted",
            "justification": suppressed.reason,
        }
        if suppressed.span is not None:
            entry["location"] = {"physicalLocation": locator.span(suppressed.span)}
        result["suppressions"] = [entry]
    return result


def document(report: Report | Result) -> dict[str, object]:
    from nixlint.rules.base import all_rules

    report = as_report(report)
    catalogue = all_rules()
    index = {rule.code: i for i, rule in enumerate(catalogue)}
    root = report.root or scan_root()
    locator = _Locator(root)
    entries: list[tuple[Finding, Suppressed | None]] = [(f, None) for f in report.findings]
    if report.show_suppressed:
        entries.extend((s.finding, s) for s in report.suppressed)
    entries.sort(key=lambda e: e[0].sort_key)
    results = [_result(f, index, locator, report, s) for f, s in entries]
    base_uri = "file://" + quote(locator.root.replace(os.sep, "/").rstrip("/") + "/")
    return {
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "nixlint",
                        "version": __version__,
                        "semanticVersion": __version__,
                        "informationUri": INFORMATION_URI,
                        "rules": [_rule(rule) for rule in catalogue],
                    }
                },
                "invocations": [{"executionSuccessful": report.internal_errors == 0}],
                "originalUriBaseIds": {SRCROOT: {"uri": base_uri}},
                "columnKind": "unicodeCodePoints",
                "results": results,
            }
        ],
    }


def render(report: Report | Result, stream: TextIO) -> None:
    json.dump(document(report), stream, indent=2)
    stream.write("\n")
