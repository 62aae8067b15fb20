"""What a scan shows on a terminal: the progress bar and the summary table."""

from __future__ import annotations

import io

from nixlint.analyze import Options, check
from nixlint.console import ProgressBar, summary


class _Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_the_progress_bar_counts_hosts_and_shows_only_after_a_moment(monkeypatch) -> None:
    stream = _Tty()
    bar = ProgressBar(stream)
    result = check(["fixtures/demo"], options=Options(progress=bar))
    bar.close()
    assert (bar.total, bar.done) == (len(result.hosts), len(result.hosts))
    assert stream.getvalue() == ""  # a scan this short shows nothing


def test_the_summary_table_counts_findings_by_category_and_severity() -> None:
    result = check(["fixtures/demo"])
    stream = io.StringIO()
    summary(result, stream)
    text = stream.getvalue()
    containers = [line for line in text.splitlines() if line.startswith("│ containers")]
    assert containers and "1" in containers[0]
    assert f"{len(result.files)} files (" in text
    assert f"{len(result.findings)} findings" in text
    assert set(result.timings) <= set(result.files)  # files read only for context are not timed
    assert "slowest files: fixtures/demo/" in text
