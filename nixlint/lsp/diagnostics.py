"""Findings as LSP diagnostics: severity, code, link to the rule's documentation."""

from __future__ import annotations

from lsprotocol import types as lsp

from nixlint import report
from nixlint.findings import Confidence, Finding, Severity
from nixlint.lsp.positions import LineIndex

SOURCE = "nixlint"


SEVERITY = {
    Severity.CRITICAL: lsp.DiagnosticSeverity.Error,
    Severity.HIGH: lsp.DiagnosticSeverity.Error,
    Severity.MEDIUM: lsp.DiagnosticSeverity.Warning,
    Severity.LOW: lsp.DiagnosticSeverity.Information,
    Severity.INFO: lsp.DiagnosticSeverity.Hint,
}


def rule_url(code: str, name: str, template: str | None = None) -> str:
    """The link to a rule's documentation: the reports' link, or a template the client
    gave as the ``ruleDocsUrl`` initialization option (``{code}``, ``{name}``, ``{anchor}``)."""
    if template is None:
        return report.rule_url(code, name)
    return template.format(code=code, name=name, anchor=f"{code.lower()}-{name}")


def message(finding: Finding) -> str:
    """The finding's message with its confidence and hosts, as the text report says them."""
    text = finding.message
    if finding.confidence is not Confidence.HIGH:
        text += f" (confidence: {finding.confidence.value})"
    if len(finding.hosts) > 1:
        text += f" [host: {', '.join(finding.hosts)}]"
    return text


def to_diagnostic(
    finding: Finding,
    index: LineIndex,
    docs: str | None = None,
    related: list[lsp.DiagnosticRelatedInformation] | None = None,
) -> lsp.Diagnostic:
    return lsp.Diagnostic(
        range=index.columns_range(
            finding.line, finding.column, finding.end_line, finding.end_column
        ),
        message=message(finding),
        severity=SEVERITY[finding.severity],
        code=finding.rule,
        code_description=lsp.CodeDescription(href=rule_url(finding.rule, finding.name, docs)),
        source=SOURCE,
        related_information=related or None,
        data={
            "name": finding.name,
            "category": finding.category,
            "severity": finding.severity.value,
            "confidence": finding.confidence.value,
            "option": finding.option,
            "hosts": list(finding.hosts),
            "fingerprint": finding.fingerprint,
        },
    )
