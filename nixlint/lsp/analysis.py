"""One analysis run for the server: what ``nixlint check`` does — the configuration file,
the analysis, then suppressions and the baseline (:func:`nixlint.triage.triage`) — with
the open documents taking precedence over the disk.

Every diagnostic the server publishes comes out of :func:`analyse`.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field

from nixlint.analyze import Options, Selection, check
from nixlint.baseline import Baseline, BaselineError
from nixlint.config import ConfigError, Overrides, Policy
from nixlint.files import read_file
from nixlint.findings import Finding
from nixlint.hosts import Host
from nixlint.lsp.positions import LineIndex
from nixlint.parse import SourceFile
from nixlint.provenance import Related, related
from nixlint.triage import triage
from nixlint.workspace import Session

#: What the server's consecutive analyses share: files and modules that did not change
#: between two edits are not parsed or taken apart again.
SESSION = Session()


@dataclass
class Snapshot:
    """What one run found, for the documents at the versions it read."""

    targets: list[str]
    versions: dict[str, int | None]
    findings: dict[str, list[Finding]] = field(default_factory=dict)
    #: For a finding about an option, the other definitions that make its value.
    related: dict[Finding, list[Related]] = field(default_factory=dict)
    hosts: list[Host] = field(default_factory=list)
    #: The files of each host (same order as ``hosts``).
    host_files: list[frozenset[str]] = field(default_factory=list)
    #: A problem with the configuration or the baseline (the defaults were used instead).
    error: str | None = None
    _sources: dict[str, SourceFile] | None = field(default=None, repr=False)
    #: Line indexes of the files, by path and encoding (built when a location needs one).
    indexes: dict[tuple[str, str], LineIndex] = field(default_factory=dict, repr=False)

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
        if self._sources is None:
            self._sources = {m.path: m.src for h in self.hosts for m in h.modules}
        return self._sources.get(path)


def absolute(path: str, cwd: str | None = None) -> str:
    """The real path of a finding's path (relative to the working directory when under it)."""
    return os.path.normpath(os.path.join(cwd or os.path.realpath(os.getcwd()), path))


def analyse(
    targets: list[str],
    overlays: Mapping[str, SourceFile],
    versions: Mapping[str, int | None] | None = None,
    context: list[str] | None = None,
    session: Session | None = None,
) -> Snapshot:
    """Analyse ``targets`` (real paths) in the context of their projects, or of the
    ``context`` directories given (scanned as a whole, as ``nixlint check DIR`` does).

    A configuration file nixlint cannot read is reported in the snapshot's ``error`` and
    the defaults apply, so that the editor still shows findings."""
    snapshot = Snapshot(list(targets), dict(versions or {}))
    session = session or SESSION
    try:
        _analyse(snapshot, Policy(), overlays, context or [], session)
    except ConfigError as err:
        snapshot.error = f"configuration: {err}"
        _analyse(snapshot, Policy(Overrides(isolated=True)), overlays, context or [], session)
    return snapshot


def _analyse(
    snapshot: Snapshot,
    policy: Policy,
    overlays: Mapping[str, SourceFile],
    context: list[str],
    session: Session,
) -> None:
    targets = snapshot.targets
    result = check(
        [*targets, *context],
        Selection(select=policy.analysis_rules()),
        overlays=dict(overlays),  # type: ignore[arg-type]
        exclude=policy.excluded,
        options=Options(session=session),
    )
    baseline = None
    where = policy.baseline(targets)
    if where:
        try:
            baseline = Baseline.load(where)
        except BaselineError as err:
            snapshot.error = f"baseline: {err}"
    cwd = os.path.realpath(os.getcwd())

    def read(path: str) -> bytes | None:
        full = absolute(path, cwd)
        src = overlays.get(full)
        return src.data if src is not None else read_file(full)

    kept = triage(result.findings, policy, files=result.files, read=read, baseline=baseline)
    snapshot.findings = {path: [] for path in targets}
    for finding in kept.findings:
        path = absolute(finding.path, cwd)
        snapshot.findings.setdefault(path, []).append(finding)
        if path in overlays:
            snapshot.related[finding] = related(result.hosts, finding)
    snapshot.hosts = result.hosts
    snapshot.host_files = [frozenset(m.path for m in h.modules) for h in result.hosts]
