"""Text, concise, GitHub and JSON reports: exact output for known findings."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from nixlint.cli import app
from nixlint.config import Overrides
from nixlint.findings import Confidence, Finding, Severity
from nixlint.report import Report, get
from nixlint.report.github import escape_data, escape_property
from nixlint.workflow import run
from tests.conftest import write

runner = CliRunner()

HOST = """{
  nix.settings.sandbox = false; # nixlint: ignore[NIX301] builder VM
  # nixlint: ignore[NIX103] old
  virtualisation.oci-containers.containers.hass = {
    image = "hass:2024.6";
    extraOptions = [ "--privileged" ];
  };
}
"""


def render(name: str, report: Report) -> str:
    stream = io.StringIO()
    get(name)(report, stream)
    return stream.getvalue()


@pytest.fixture
def scanned(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Report:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("FORCE_COLOR", raising=False)
    write(tmp_path, {"host.nix": HOST, "other.nix": "{ nix.settings.sandbox = false; }\n"})
    return run([str(tmp_path)], Overrides(isolated=True)).report


def test_text_groups_findings_by_file(scanned: Report) -> None:
    assert render("text", scanned).splitlines() == [
        "host.nix",
        "  3:5   low       NIX007  unused suppression: no NIX103 finding on lines 3–4",
        "    3 |   # nixlint: ignore[NIX103] old",
        "      |     ^^^^^^^^^^^^^^^^^^^^^^^^^^^",
        "  6:22  high      NIX101  container 'hass' runs privileged (--privileged)",
        '    6 |     extraOptions = [ "--privileged" ];',
        "      |                      ^^^^^^^^^^^^^^",
        "",
        "other.nix",
        "  1:26  high      NIX301  the Nix build sandbox is disabled",
        "    1 | { nix.settings.sandbox = false; }",
        "      |                          ^^^^^",
        "",
        "Found 3 findings (2 high, 1 low) in 2 files, 2 hosts.",
        "1 finding suppressed: 1 by comments (--show-suppressed lists them).",
        "Run `nixlint explain NIX101` (or any code above) for what a rule checks and how to fix it.",
    ]


def test_text_lists_suppressed_findings_on_request(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    write(
        tmp_path, {"host.nix": "{ nix.settings.sandbox = false; } # nixlint: ignore[NIX301] VM\n"}
    )
    report = run([str(tmp_path)], Overrides(isolated=True), show_suppressed=True).report
    assert render("text", report).splitlines() == [
        "host.nix",
        "  1:26  high      NIX301  the Nix build sandbox is disabled [suppressed: VM]",
        "",
        "No findings in 1 file, 1 host.",
        "1 finding suppressed: 1 by comments.",
    ]


def test_statistics_count_per_rule(scanned: Report) -> None:
    scanned.statistics = True
    assert render("text", scanned).splitlines() == [
        "1  NIX007  unused-suppression                   low",
        "1  NIX101  oci-privileged                       high",
        "1  NIX301  nix-sandbox-disabled                 high",
        "",
        "Found 3 findings (2 high, 1 low) in 2 files, 2 hosts.",
        "1 finding suppressed: 1 by comments (--show-suppressed lists them).",
        "Run `nixlint explain NIX101` (or any code above) for what a rule checks and how to fix it.",
    ]


def test_statistics_on_the_command_line(tmp_path: Path) -> None:
    write(tmp_path, {"host.nix": HOST})
    result = runner.invoke(app, ["check", str(tmp_path), "--statistics", "--isolated"])
    assert result.exit_code == 1
    assert result.output.splitlines()[:2] == [
        "1  NIX007  unused-suppression                   low",
        "1  NIX101  oci-privileged                       high",
    ]


def test_concise_is_one_line_per_finding(scanned: Report) -> None:
    lines = render("concise", scanned).splitlines()
    assert lines[:4] == [
        "host.nix:3:5 NIX007 low unused suppression: no NIX103 finding on lines 3–4",
        "host.nix:6:22 NIX101 high container 'hass' runs privileged (--privileged)",
        "other.nix:1:26 NIX301 high the Nix build sandbox is disabled",
        "Found 3 findings (2 high, 1 low) in 2 files, 2 hosts.",
    ]


def test_colour_only_when_asked(scanned: Report, monkeypatch: pytest.MonkeyPatch) -> None:
    assert "\x1b[" not in render("text", scanned)
    monkeypatch.setenv("FORCE_COLOR", "1")
    assert "\x1b[" in render("text", scanned)
    monkeypatch.setenv("NO_COLOR", "1")
    assert "\x1b[" not in render("text", scanned)


def _finding(**kw: object) -> Finding:
    base: dict[str, object] = dict(
        rule="NIX101",
        name="oci-privileged",
        category="containers",
        severity=Severity.HIGH,
        confidence=Confidence.HIGH,
        path="missing.nix",
        line=3,
        column=5,
        end_line=3,
        end_column=9,
        message="m",
    )
    base.update(kw)
    return Finding(**base)  # type: ignore[arg-type]


def test_a_long_line_is_shown_as_a_window_around_the_finding(tmp_path: Path) -> None:
    path = tmp_path / "long.nix"
    path.write_text('{ a = "' + "x" * 300 + "--privileged" + "y" * 300 + '"; }\n')
    finding = _finding(path=str(path), line=1, column=308, end_line=1, end_column=320)
    out = render("text", Report([finding], files=1, hosts=1)).splitlines()
    assert out[2] == "    1 | …" + "x" * 40 + "--privileged" + "y" * 108 + "…"
    assert out[3] == "      | " + " " * 41 + "^" * 12


def test_hosts_and_confidence_are_shown(tmp_path: Path) -> None:
    finding = _finding(confidence=Confidence.LOW, hosts=("a", "b"), host="a")
    out = render("text", Report([finding], files=1, hosts=2)).splitlines()
    assert out[1] == "  3:5  high      NIX101  m (confidence: low) [hosts: a, b]"


def test_github_annotations(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    findings = [
        _finding(path="hosts/web.nix", message="100% bad, really:\nyes"),
        _finding(rule="NIX203", name="swap-not-encrypted", severity=Severity.MEDIUM, end_line=4),
        _finding(
            rule="NIX202",
            name="encryption-unverified",
            severity=Severity.INFO,
            confidence=Confidence.LOW,
        ),
    ]
    assert render("github", Report(findings, root=str(tmp_path))).splitlines() == [
        "::error file=hosts/web.nix,line=3,col=5,endLine=3,endColumn=9,"
        "title=NIX101 oci-privileged (high)::100%25 bad, really:%0Ayes",
        "::warning file=missing.nix,line=3,col=5,endLine=4,title=NIX203 swap-not-encrypted (medium)::m",
        "::notice file=missing.nix,line=3,col=5,endLine=3,endColumn=9,"
        "title=NIX202 encryption-unverified (info)::m (confidence: low)",
    ]


def test_github_escaping() -> None:
    assert escape_data("a%b\r\nc") == "a%25b%0D%0Ac"
    assert escape_property("a:b,c%") == "a%3Ab%2Cc%25"


def test_github_format_on_the_command_line(tmp_path: Path) -> None:
    write(tmp_path, {"host.nix": "{ nix.settings.sandbox = false; }\n"})
    result = runner.invoke(
        app, ["check", str(tmp_path / "host.nix"), "--format", "github", "--isolated"]
    )
    assert result.exit_code == 1
    [line] = result.output.splitlines()
    assert line.startswith("::error file=")
    assert line.endswith(
        "host.nix,line=1,col=26,endLine=1,endColumn=31,title=NIX301 nix-sandbox-disabled (high)::the Nix build sandbox is disabled"
    )


def test_json_keeps_the_contract_and_adds_suppressed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    write(tmp_path, {"host.nix": HOST})
    args = ["check", str(tmp_path), "-f", "json", "--isolated"]
    result = runner.invoke(app, [*args, "--show-suppressed"])
    assert result.exit_code == 1
    doc = json.loads(result.output)
    assert [f["rule"] for f in doc["findings"]] == ["NIX007", "NIX101"]
    assert doc["summary"] == {
        "files": 1,
        "hosts": 1,
        "findings": 2,
        "by_severity": {"critical": 0, "high": 1, "medium": 0, "low": 1, "info": 0},
        "internal_errors": 0,
        "suppressed": 1,
        "by_rule": {"NIX007": 1, "NIX101": 1},
    }
    [suppressed] = doc["suppressed"]
    assert (suppressed["rule"], suppressed["line"], suppressed["suppression"]) == (
        "NIX301",
        2,
        {"kind": "inline", "reason": "builder VM", "line": 2},
    )
    plain = json.loads(runner.invoke(app, args).output)
    assert "suppressed" not in plain


def test_output_to_a_file_that_cannot_be_written_exits_2(tmp_path: Path) -> None:
    write(tmp_path, {"host.nix": "{ }\n"})
    result = runner.invoke(
        app, ["check", str(tmp_path), "-o", str(tmp_path / "no/such/dir/x.json")]
    )
    assert result.exit_code == 2
    assert "cannot write" in result.output


def test_exit_zero_and_fail_on(tmp_path: Path) -> None:
    write(tmp_path, {"host.nix": "{ networking.hostName = 1; } # nixlint: ignore[NIX301] x\n"})
    args = ["check", str(tmp_path), "--isolated"]  # one low finding (NIX007)
    assert runner.invoke(app, args).exit_code == 1
    assert runner.invoke(app, [*args, "--exit-zero"]).exit_code == 0
    assert runner.invoke(app, [*args, "--fail-on", "medium"]).exit_code == 0
    assert runner.invoke(app, [*args, "--fail-on", "info"]).exit_code == 1
