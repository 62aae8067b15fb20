"""The JSON report (contract: DESIGN.md, "JSON report"). With ``--show-suppressed`` it also
lists the suppressed findings, each with how and why it was suppressed."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, TextIO

from nixlint import __version__
from nixlint.report import Report, as_report

if TYPE_CHECKING:
    from nixlint.analyze import Result


def render(report: Report | Result, stream: TextIO) -> None:
    report = as_report(report)
    document: dict[str, object] = {
        "version": __version__,
        "findings": [f.to_json() for f in report.findings],
        "summary": report.summary(),
    }
    if report.show_suppressed:
        document["suppressed"] = [
            {
                **s.finding.to_json(),
                "suppression": {
                    "kind": s.kind,
                    "reason": s.reason,
                    "line": s.span.line if s.span else None,
                },
            }
            for s in report.suppressed
        ]
    json.dump(document, stream, indent=2)
    stream.write("\n")
