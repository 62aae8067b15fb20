"""From what the analysis found to what the user asked to see.

:func:`triage` is a pure function of a scan's findings, the files' contents, the
configuration (a :class:`~nixlint.config.Policy`), a baseline and the date. For each finding,
in this order: rules the configuration does not enable are dropped; per-rule severities
apply; an inline suppression, a per-file or per-option ignore, or the baseline suppresses it;
what is left is reported. Suppression comments that cannot suppress, suppress nothing, or
have expired are findings of their own (NIX006–NIX009). The CLI and the language server
share it.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Literal

from nixlint import suppress
from nixlint.config import Policy, display
from nixlint.files import read_file
from nixlint.findings import Finding
from nixlint.rules.base import Rule
from nixlint.rules.suppression import (
    EXPIRED_SUPPRESSION,
    INVALID_SUPPRESSION,
    SUPPRESSION_WITHOUT_REASON,
    UNUSED_SUPPRESSION,
)
from nixlint.span import Span

if TYPE_CHECKING:
    from datetime import date

    from nixlint.baseline import Baseline, Matcher

Kind = Literal["inline", "file", "config", "baseline"]

#: Never suppressed: nixlint's own failure (it decides the exit code on its own).
INTERNAL_ERROR = "NIX005"
SYNTAX_ERROR = "NIX001"


@dataclass(frozen=True, slots=True)
class Suppressed:
    """A finding the user asked not to see, how, and why."""

    finding: Finding
    kind: Kind
    reason: str
    #: The suppression comment (inline and file kinds).
    span: Span | None = None


@dataclass
class Triage:
    findings: list[Finding] = field(default_factory=list)
    suppressed: list[Suppressed] = field(default_factory=list)


def display_path(path: str, cwd: str | None = None) -> str:
    cwd = cwd or os.path.realpath(os.getcwd())
    rel = os.path.relpath(path, cwd)
    return path if rel.startswith(os.pardir) else rel


@dataclass
class _Comment:
    suppression: suppress.Suppression
    used: set[str] = field(default_factory=set)
    expired: set[str] = field(default_factory=set)


def triage(
    findings: Iterable[Finding],
    policy: Policy,
    *,
    files: Iterable[str] = (),
    read: Callable[[str], bytes | None] = read_file,
    baseline: Baseline | None = None,
    today: date | None = None,
) -> Triage:
    """Apply configuration, suppressions and a baseline to a scan's findings.

    ``files`` are the files the scan reported on (their suppression comments are checked
    even when they have no finding); ``read`` gives a file's current bytes by path.
    """
    if today is None:
        from datetime import date

        today = date.today()
    cwd = os.path.realpath(os.getcwd())
    by_path: dict[str, list[Finding]] = {}
    for finding in findings:
        by_path.setdefault(finding.path, []).append(finding)
    for path in files:
        by_path.setdefault(display_path(path, cwd), [])
    matcher = baseline.matcher() if baseline is not None else None
    out = Triage()
    for path in sorted(by_path):
        _triage_file(path, by_path[path], policy, read, matcher, today, out)
    out.findings.sort(key=lambda f: f.sort_key)
    out.suppressed.sort(key=lambda s: s.finding.sort_key)
    return out


def _triage_file(
    path: str,
    found: list[Finding],
    policy: Policy,
    read: Callable[[str], bytes | None],
    matcher: Matcher | None,
    today: date,
    out: Triage,
) -> None:
    rules = policy.rules(path)
    comments: list[_Comment] = []
    problems: tuple[suppress.Problem, ...] = ()
    if policy.inline_ignores(path):
        data = read(path)
        if data is not None:
            scanned = suppress.scan(data, path)
            comments = [_Comment(s) for s in scanned.suppressions]
            problems = scanned.problems
    # line suppressions before file ones, so that the narrowest is the one used
    comments.sort(key=lambda c: c.suppression.scope != "line")
    for finding in found:
        if finding.rule == INTERNAL_ERROR:
            out.findings.append(finding)
            continue
        if finding.rule not in rules:
            continue
        finding = _severity(finding, policy)
        hit = _inline(finding, comments, today)
        if hit is not None:
            kind: Kind = "inline" if hit.scope == "line" else "file"
            out.suppressed.append(Suppressed(finding, kind, hit.reason, hit.span))
            continue
        _configured(finding, policy, matcher, out)
    notes = [_problem(path, p) for p in problems]
    if not any(f.rule == SYNTAX_ERROR for f in found):  # a broken file is not fully analysed
        notes.extend(_unused(path, comments, rules))
    for note in notes:
        if note.rule in rules:
            _configured(_severity(note, policy), policy, matcher, out)


def _severity(finding: Finding, policy: Policy) -> Finding:
    severity = policy.severity(finding.path, finding.rule)
    return replace(finding, severity=severity) if severity is not None else finding


def _inline(finding: Finding, comments: list[_Comment], today: date) -> suppress.Suppression | None:
    for comment in comments:
        s = comment.suppression
        if finding.rule in s.codes and s.covers(finding.line):
            if s.active(today):
                comment.used.add(finding.rule)
                return s
            comment.expired.add(finding.rule)
    return None


def _configured(finding: Finding, policy: Policy, matcher: Matcher | None, out: Triage) -> None:
    reason = policy.file_ignore(finding.path, finding.rule) or policy.option_ignore(
        finding.path, finding.option, finding.rule
    )
    if reason is not None:
        out.suppressed.append(Suppressed(finding, "config", reason))
        return
    if matcher is not None and matcher.take(finding):
        where = display(matcher.path)
        out.suppressed.append(Suppressed(finding, "baseline", f"in the baseline {where}"))
        return
    out.findings.append(finding)


_PROBLEM_RULES = {
    suppress.MISSING_REASON: SUPPRESSION_WITHOUT_REASON,
    suppress.INVALID: INVALID_SUPPRESSION,
}


def _finding(rule: Rule, path: str, span: Span, message: str) -> Finding:
    return Finding(
        rule=rule.code,
        name=rule.name,
        category=rule.category,
        severity=rule.severity,
        confidence=rule.confidence,
        path=path,
        line=span.line,
        column=span.column,
        end_line=span.end_line,
        end_column=span.end_column,
        message=message,
    )


def _problem(path: str, problem: suppress.Problem) -> Finding:
    return _finding(_PROBLEM_RULES[problem.kind], path, problem.span, problem.message)


def _unused(path: str, comments: list[_Comment], rules: frozenset[str]) -> list[Finding]:
    notes: list[Finding] = []
    for comment in comments:
        s = comment.suppression
        where = "in this file" if s.scope == "file" else _lines_text(s)
        for code in s.codes:
            if code in comment.used or code not in rules:
                continue
            if code in comment.expired:
                assert s.until is not None
                notes.append(
                    _finding(
                        EXPIRED_SUPPRESSION,
                        path,
                        s.span,
                        f"suppression of {code} expired on {s.until.isoformat()}; "
                        "the finding is reported again",
                    )
                )
            else:
                notes.append(
                    _finding(
                        UNUSED_SUPPRESSION,
                        path,
                        s.span,
                        f"unused suppression: no {code} finding {where}",
                    )
                )
    return notes


def _lines_text(s: suppress.Suppression) -> str:
    lines = sorted(s.lines)
    if len(lines) == 1:
        return "on this line"
    return f"on lines {lines[0]}–{lines[-1]}"
