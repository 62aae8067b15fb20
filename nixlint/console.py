"""What a scan shows on a terminal beside its report: a progress bar while hosts are
built, and a summary table at the end (on stderr, so reports on stdout stay clean)."""

from __future__ import annotations

import os
import sys
import time
from collections import Counter
from typing import TYPE_CHECKING, TextIO

from nixlint.findings import CATEGORIES, Severity

if TYPE_CHECKING:
    from nixlint.analyze import Result

#: A scan shorter than this shows neither a progress bar nor a summary.
A_MOMENT = 1.5


class ProgressBar:
    """A rich progress bar that appears only once the scan has run for a moment."""

    def __init__(self, stream: TextIO | None = None) -> None:
        self.stream = stream or sys.stderr
        self.total = 0
        self.done = 0
        self.started = time.monotonic()
        self._bar = None
        self._task = None

    def start(self, total: int) -> None:
        self.total = total
        if self._bar is not None:
            self._bar.update(self._task, total=total)

    def advance(self, count: int) -> None:
        self.done += count
        if (
            self._bar is None
            and time.monotonic() - self.started > A_MOMENT
            and self.done < self.total
        ):
            from rich.console import Console
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

            self._bar = Progress(
                "hosts",
                BarColumn(),
                MofNCompleteColumn(),
                TimeRemainingColumn(),
                console=Console(file=self.stream),
                transient=True,
            )
            self._bar.start()
            self._task = self._bar.add_task("scan", total=self.total)
        if self._bar is not None:
            self._bar.update(self._task, completed=self.done)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.stop()


def wants_live_output(stream: TextIO) -> bool:
    return stream.isatty() and os.environ.get("TERM") != "dumb"


def summary(result: Result, stream: TextIO, slowest: int = 5) -> None:
    """Repositories, hosts, files, findings by category and severity, slowest files."""
    from rich.console import Console
    from rich.table import Table

    console = Console(file=stream)
    roots = {h.root for h in result.hosts}
    counts = Counter((f.category, f.severity) for f in result.findings)
    table = Table(title="nixlint scan", show_lines=False)
    table.add_column("category")
    for severity in Severity:
        table.add_column(severity.value, justify="right")
    for category in CATEGORIES:
        row = [str(counts[(category, s)] or "") for s in Severity]
        if any(row):
            table.add_row(category, *row)
    console.print(table)
    coverage = result.coverage()
    console.print(
        f"{len(result.files)} files ({coverage['flake_hosts']} in flake hosts, "
        f"{coverage['module_hosts']} in module hosts, {coverage['syntax_only']} syntax only), "
        f"{len(result.hosts)} hosts from {len(roots)} roots, {len(result.findings)} findings "
        f"in {result.seconds:.1f} s ({result.cache_hits} hosts from the cache)"
    )
    if result.timings:
        top = sorted(result.timings.items(), key=lambda item: -item[1])[:slowest]
        from nixlint.analyze import display_path

        console.print(
            "slowest files: " + ", ".join(f"{display_path(p)} {s * 1000:.0f} ms" for p, s in top)
        )
