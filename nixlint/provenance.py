"""Where a finding's effective value comes from: the definitions that make it, for reports
that can show more than one location (SARIF ``relatedLocations``)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import TYPE_CHECKING

from nixlint.span import Span

if TYPE_CHECKING:
    from nixlint.findings import Finding
    from nixlint.hosts import Host


@dataclass(frozen=True, slots=True)
class Related:
    span: Span
    message: str


def related(hosts: list[Host], finding: Finding) -> list[Related]:
    """The definitions that make (or, under a condition, may make) the value of the
    finding's option in its hosts, other than the finding's own line."""
    if finding.option is None:
        return []
    own = (os.path.abspath(finding.path), finding.line)
    seen: set[tuple[str, int, int]] = set()
    out: list[Related] = []
    for host in hosts:
        if host.name not in (finding.hosts or (finding.host,)):
            continue
        try:
            resolution = host.graph.resolve(finding.option)
        except Exception:  # a report must not fail on a question the rules did not ask
            continue
        for state in resolution.candidates:
            definition = state.definition
            span = definition.span
            key = (os.path.abspath(span.path), span.line, span.column)
            if key in seen or key[:2] == own:
                continue
            seen.add(key)
            condition = ", under a condition nixlint cannot decide" if state.conditional else ""
            out.append(
                Related(
                    span,
                    f"{finding.option} is defined here (priority {definition.priority}"
                    f"{condition}; host {host.name})",
                )
            )
    return out
