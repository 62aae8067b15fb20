"""A check as the CLI runs it: configuration, analysis, triage, and the exit code.

Errors the user can fix (a bad configuration, a missing baseline, a path that does not
exist) are :class:`WorkflowError`\\ s; the CLI turns them into exit code 2.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING

from nixlint.config import ConfigError, Overrides, Policy
from nixlint.findings import Finding, Severity
from nixlint.report import Report, scan_root

if TYPE_CHECKING:
    from datetime import date

    from nixlint.analyze import Options, Result
    from nixlint.provenance import Related


class WorkflowError(Exception):
    """Something the user asked for that cannot be done (exit code 2)."""


@dataclass
class Outcome:
    report: Report
    fail_on: Severity
    result: Result

    def exit_code(self, exit_zero: bool = False) -> int:
        """0 nothing at or above the threshold, 1 findings, 2 nixlint failed."""
        if self.report.internal_errors:
            return 2
        threshold = self.fail_on.rank
        failing = any(f.severity.rank >= threshold for f in self.report.findings)
        return 1 if failing and not exit_zero else 0


def run(
    paths: list[str],
    overrides: Overrides | None = None,
    *,
    use_baseline: bool = True,
    show_suppressed: bool = False,
    statistics: bool = False,
    today: date | None = None,
    options: Options | None = None,
) -> Outcome:
    """Analyse ``paths`` and keep what the configuration, suppressions and baseline leave.
    ``options`` say how to run the scan (processes, cache, cluster)."""
    from nixlint.analyze import Selection, UsageError, check
    from nixlint.triage import triage

    try:
        policy = Policy(overrides)
        selection = Selection(select=policy.analysis_rules())
        result = check(paths, selection, exclude=policy.excluded, options=options)
        baseline_path = policy.baseline(paths) if use_baseline else None
        baseline = None
        if baseline_path:
            from nixlint.baseline import Baseline

            baseline = Baseline.load(baseline_path)
        fail_on = policy.fail_on(paths)
        kept = triage(result.findings, policy, files=result.files, baseline=baseline, today=today)
    except (ConfigError, UsageError) as err:  # a BaselineError is a ConfigError
        raise WorkflowError(str(err)) from None
    report = Report(
        kept.findings,
        files=len(result.files),
        hosts=len(result.hosts),
        internal_errors=result.internal_errors,
        suppressed=kept.suppressed,
        show_suppressed=show_suppressed,
        statistics=statistics,
        root=scan_root(),
        baseline=baseline_path,
        related=partial(_related, result),
    )
    return Outcome(report, fail_on, result)


def _related(result: Result, finding: Finding) -> list[Related]:
    """The definitions that make the finding's option value, from wherever its hosts were
    built (this process, a worker, or the cache)."""
    from nixlint.analyze import finding_key
    from nixlint.provenance import Related

    return [Related(span, text) for span, text in result.related.get(finding_key(finding), [])]


def findings(paths: list[str], overrides: Overrides | None = None) -> list[Finding]:
    """What ``nixlint check`` reports for ``paths`` (for tests and scripts)."""
    return run(paths, overrides).report.findings
