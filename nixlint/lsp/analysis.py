"""One analysis run for the server: the same library call as ``nixlint check``, with the
open documents taking precedence over the disk.

Every diagnostic the server publishes comes out of :func:`analyse`, so whatever decides
what the user sees (selection, configuration, suppressions) applies in one place.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field

from nixlint.analyze import Result, check
from nixlint.findings import Finding
from nixlint.hosts import Host
from nixlint.parse import SourceFile


@dataclass
class Snapshot:
    """What one run found, for the documents at the versions it read."""

    targets: list[str]
    versions: dict[str, int | None]
    findings: dict[str, list[Finding]] = field(default_factory=dict)
    hosts: list[Host] = field(default_factory=list)
    #: The files of each host (same order as ``hosts``).
    host_files: list[frozenset[str]] = field(default_factory=list)
    error: str | None = None

    def hosts_of(self, path: str) -> list[Host]:
        return [h for h, files in zip(self.hosts, self.host_files, strict=True) if path in files]

    def sharing(self, path: str) -> set[str]:
        """Files that share a host with ``path``."""
        out: set[str] = set()
        for files in self.host_files:
            if path in files:
                out |= files
        return out

    def source(self, path: str) -> SourceFile | None:
        """The parsed file as this run read it."""
        for host in self.hosts:
            for module in host.modules:
                if module.path == path:
                    return module.src
        return None


def absolute(path: str, cwd: str | None = None) -> str:
    """The real path of a finding's path (relative to the working directory when under it)."""
    return os.path.normpath(os.path.join(cwd or os.path.realpath(os.getcwd()), path))


def analyse(
    targets: list[str],
    overlays: Mapping[str, SourceFile],
    versions: Mapping[str, int | None] | None = None,
    context: list[str] | None = None,
) -> Snapshot:
    """Analyse ``targets`` (real paths) in the context of their projects, or of the
    ``context`` directories given (scanned as a whole, as ``nixlint check DIR`` does)."""
    snapshot = Snapshot(list(targets), dict(versions or {}))
    paths = [*targets, *(context or [])]
    result = check(paths, overlays=dict(overlays))  # type: ignore[arg-type]
    cwd = os.path.realpath(os.getcwd())
    for path in targets:
        snapshot.findings[path] = []
    for finding in visible(result):
        snapshot.findings.setdefault(absolute(finding.path, cwd), []).append(finding)
    snapshot.hosts = result.hosts
    snapshot.host_files = [frozenset(m.path for m in h.modules) for h in result.hosts]
    return snapshot


def visible(result: Result) -> list[Finding]:
    """The findings a user sees: every diagnostic passes here."""
    return list(result.findings)
