"""0xx: suppression comments that do not do what they say (see :mod:`nixlint.suppress`).

These rules have no check of their own: :mod:`nixlint.triage` reports them while it applies
the suppressions to a scan's findings.
"""

from __future__ import annotations

from nixlint.findings import Confidence, Severity
from nixlint.rules.base import Rule, register

_SYNTAX = "https://github.com/nixlint/nixlint#suppressing-findings"

SUPPRESSION_WITHOUT_REASON = register(
    Rule(
        code="NIX006",
        name="suppression-without-reason",
        category="syntax",
        severity=Severity.LOW,
        confidence=Confidence.HIGH,
        summary="A suppression comment gives no reason, so it suppresses nothing",
        details="""
        Reports a `# nixlint: ignore[CODE]` (or `ignore-file[CODE]`) comment with nothing
        after the codes. Such a comment does not suppress: the finding it names is still
        reported.
        """,
        rationale="""
        A suppression accepts a security risk. Whoever reads the configuration later, or
        audits it, needs to know why the risk was acceptable here and whether it still is.
        """,
        remediation="""
        Say why after the codes:
        ```nix
        { nix.settings.sandbox = false; } # nixlint: ignore[NIX301] builder VM, no secrets
        ```
        """,
        references=(_SYNTAX,),
        bad="""
        {
          networking.hostName = "builder"; # nixlint: ignore[NIX301]
        }
        """,
        good="""
        {
          nix.settings.sandbox = false; # nixlint: ignore[NIX301] throw-away builder VM, no secrets
        }
        """,
    )
)

UNUSED_SUPPRESSION = register(
    Rule(
        code="NIX007",
        name="unused-suppression",
        category="syntax",
        severity=Severity.LOW,
        confidence=Confidence.HIGH,
        summary="A suppression comment matches no finding",
        details="""
        Reports a suppression comment that names a rule with no finding on the lines (or in
        the file) the comment covers. Rules that are not enabled are not judged, nor are
        files with syntax errors.
        """,
        rationale="""
        The risk it was written for is gone or has moved, and a stale suppression would
        silently hide the next finding of that rule on the line.
        """,
        remediation="""
        Remove the comment:
        ```nix
        { nix.settings.sandbox = true; }
        ```
        """,
        references=(_SYNTAX,),
        bad="""
        {
          nix.settings.sandbox = true; # nixlint: ignore[NIX301] builder VM
        }
        """,
        good="""
        {
          nix.settings.sandbox = true;
        }
        """,
    )
)

INVALID_SUPPRESSION = register(
    Rule(
        code="NIX008",
        name="invalid-suppression",
        category="syntax",
        severity=Severity.LOW,
        confidence=Confidence.HIGH,
        summary="A suppression comment nixlint cannot use",
        details="""
        Reports a `# nixlint:` comment that is not a valid suppression: an unknown directive,
        no rule named (`# nixlint: ignore` alone), an unknown rule, an `until=` that is not a
        `YYYY-MM-DD` date, or `ignore-file` below the first line of code. The invalid part
        suppresses nothing.
        """,
        rationale="""
        The author meant to suppress something and nothing is suppressed; and a blanket
        suppression, were it honoured, would hide every future finding on the line.
        """,
        remediation="""
        Name the rules, by code or name:
        ```nix
        { nix.settings.sandbox = false; } # nixlint: ignore[NIX301] builder VM, no secrets
        ```
        """,
        references=(_SYNTAX,),
        bad="""
        {
          networking.hostName = "builder"; # nixlint: ignore builder VM
        }
        """,
        good="""
        {
          nix.settings.sandbox = false; # nixlint: ignore[nix-sandbox-disabled] builder VM
        }
        """,
    )
)

EXPIRED_SUPPRESSION = register(
    Rule(
        code="NIX009",
        name="expired-suppression",
        category="syntax",
        severity=Severity.INFO,
        confidence=Confidence.HIGH,
        summary="A suppression's until= date has passed, so its finding is reported again",
        details="""
        Reports a suppression whose `until=YYYY-MM-DD` date has passed while the finding it
        names is still there. The finding is reported again, next to this note.
        """,
        rationale="""
        The exception was granted for a limited time (waiting for an upstream fix, a
        migration), and the time is up.
        """,
        remediation="""
        Fix the finding, or renew the suppression with a new date and a current reason:
        ```nix
        { nix.settings.sandbox = false; } # nixlint: ignore[NIX301] until=2031-01-31 migration
        ```
        """,
        references=(_SYNTAX,),
        bad="""
        {
          nix.settings.sandbox = false; # nixlint: ignore[NIX301] until=2020-01-31 migration
        }
        """,
        good="""
        {
          nix.settings.sandbox = false; # nixlint: ignore[NIX301] until=2999-01-31 migration
        }
        """,
    )
)
