"""Inline suppressions: the comment syntax, what it covers, and the findings about
suppressions themselves (NIX006 no reason, NIX007 unused, NIX008 invalid, NIX009 expired)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from nixlint.config import Overrides
from nixlint.suppress import scan
from nixlint.workflow import run
from tests.conftest import write

TODAY = date(2026, 6, 1)


def outcome(path: Path, today: date = TODAY, **overrides: object) -> tuple[list, list]:
    result = run([str(path)], Overrides(isolated=True, **overrides), today=today)  # type: ignore[arg-type]
    kept = [(Path(f.path).name, f.line, f.rule) for f in result.report.findings]
    gone = [
        (Path(s.finding.path).name, s.finding.line, s.finding.rule, s.kind, s.reason)
        for s in result.report.suppressed
    ]
    return kept, gone


def test_a_comment_on_the_line_suppresses_the_named_rule(tmp_path: Path) -> None:
    write(
        tmp_path,
        {"host.nix": "{ nix.settings.sandbox = false; } # nixlint: ignore[NIX301] builder VM\n"},
    )
    assert outcome(tmp_path) == ([], [("host.nix", 1, "NIX301", "inline", "builder VM")])


def test_a_comment_alone_on_the_line_above_covers_the_next_line_of_code(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "host.nix": """{
  # nixlint: ignore[nix-sandbox-disabled] builder VM without secrets
  # (a second comment line in between)
  nix.settings.sandbox = false;
  containers.web.privateUsers = "identity";
}
"""
        },
    )
    kept, gone = outcome(tmp_path)
    assert kept == [("host.nix", 5, "NIX110")]
    assert gone == [("host.nix", 4, "NIX301", "inline", "builder VM without secrets")]


def test_a_comment_covers_only_its_line_and_the_next(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "host.nix": """{
  # nixlint: ignore[NIX301] builder VM

  nix.settings.sandbox = false;
}
"""
        },
    )
    kept, gone = outcome(tmp_path)
    assert kept == [("host.nix", 2, "NIX007"), ("host.nix", 4, "NIX301")]
    assert gone == []


def test_several_codes_and_names_in_one_comment(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "host.nix": """{
  virtualisation.oci-containers.containers.a = {
    image = "a:1.0";
    extraOptions = [ "--privileged" "--network=host" ]; # nixlint: ignore[NIX101, oci-host-namespace] lab box
  };
}
"""
        },
    )
    kept, gone = outcome(tmp_path)
    assert kept == []
    assert [(g[1], g[2]) for g in gone] == [(4, "NIX101"), (4, "NIX102")]


def test_a_suppression_without_a_reason_does_not_suppress_and_is_a_finding(tmp_path: Path) -> None:
    write(tmp_path, {"host.nix": "{ nix.settings.sandbox = false; } # nixlint: ignore[NIX301]\n"})
    assert outcome(tmp_path) == ([("host.nix", 1, "NIX301"), ("host.nix", 1, "NIX006")], [])


@pytest.mark.parametrize("reason", ["", " -", " :", " # expect: NIX006"])
def test_punctuation_or_a_further_comment_is_no_reason(tmp_path: Path, reason: str) -> None:
    write(
        tmp_path,
        {"host.nix": f"{{ nix.settings.sandbox = false; }} # nixlint: ignore[NIX301]{reason}\n"},
    )
    assert outcome(tmp_path)[0] == [("host.nix", 1, "NIX301"), ("host.nix", 1, "NIX006")]


def test_a_reason_may_mention_an_issue_number(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "host.nix": "{ nix.settings.sandbox = false; } # nixlint: ignore[NIX301] see #42 # note\n"
        },
    )
    assert outcome(tmp_path)[1] == [("host.nix", 1, "NIX301", "inline", "see #42")]


def test_an_unused_suppression_is_a_finding(tmp_path: Path) -> None:
    write(
        tmp_path, {"host.nix": "{ nix.settings.sandbox = true; } # nixlint: ignore[NIX301] old\n"}
    )
    result = run([str(tmp_path)], Overrides(isolated=True))
    [finding] = result.report.findings
    assert (finding.rule, finding.line, finding.column) == ("NIX007", 1, 36)
    assert finding.message == "unused suppression: no NIX301 finding on this line"


def test_a_suppression_of_a_rule_that_did_not_run_is_not_judged(tmp_path: Path) -> None:
    write(
        tmp_path, {"host.nix": "{ nix.settings.sandbox = true; } # nixlint: ignore[NIX301] old\n"}
    )
    assert outcome(tmp_path, select=["NIX1", "NIX007"]) == ([], [])


def test_until_suppresses_up_to_and_including_the_date(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "host.nix": "{ nix.settings.sandbox = false; } # nixlint: ignore[NIX301] until=2026-06-01 migration\n"
        },
    )
    assert outcome(tmp_path, today=date(2026, 6, 1)) == (
        [],
        [("host.nix", 1, "NIX301", "inline", "migration")],
    )
    assert outcome(tmp_path, today=date(2026, 6, 2)) == (
        [("host.nix", 1, "NIX301"), ("host.nix", 1, "NIX009")],
        [],
    )


def test_an_expired_suppression_with_nothing_to_suppress_is_unused(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "host.nix": "{ nix.settings.sandbox = true; } # nixlint: ignore[NIX301] until=2020-01-01 x\n"
        },
    )
    assert outcome(tmp_path)[0] == [("host.nix", 1, "NIX007")]


def test_ignore_file_at_the_top_covers_the_whole_file(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "host.nix": """# Builder VM.
# nixlint: ignore-file[NIX301, NIX110] ephemeral test VM, destroyed after each run
{
  nix.settings.sandbox = false;
  containers.web.privateUsers = "identity";
}
"""
        },
    )
    kept, gone = outcome(tmp_path)
    assert kept == []
    assert [(g[1], g[2], g[3]) for g in gone] == [(4, "NIX301", "file"), (5, "NIX110", "file")]


def test_ignore_file_below_the_code_is_invalid(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "host.nix": """{
  nix.settings.sandbox = false;
  # nixlint: ignore-file[NIX301] too late
}
"""
        },
    )
    assert outcome(tmp_path)[0] == [("host.nix", 2, "NIX301"), ("host.nix", 3, "NIX008")]


@pytest.mark.parametrize(
    ("comment", "message"),
    [
        (
            "# nixlint: ignore builder VM",
            "a suppression must name the rules it suppresses: `# nixlint: ignore[CODE] reason` "
            "(it suppresses nothing)",
        ),
        (
            "# nixlint: ignore[] builder VM",
            "a suppression must name the rules it suppresses: `# nixlint: ignore[CODE] reason` "
            "(it suppresses nothing)",
        ),
        (
            "# nixlint: ignroe[NIX301] builder VM",
            "'ignroe' is not a nixlint directive: write `# nixlint: ignore[CODE] reason` or "
            "`# nixlint: ignore-file[CODE] reason`",
        ),
        (
            "# nixlint: ignore[NIX399] builder VM",
            "unknown rule 'NIX399' in a suppression (name a rule by its code or name; see "
            "`nixlint rules`)",
        ),
        (
            "# nixlint: ignore[NIX301] until=next-week builder VM",
            "until=next-week is not a date (until=YYYY-MM-DD); the suppression does not apply",
        ),
    ],
)
def test_invalid_suppressions_suppress_nothing(tmp_path: Path, comment: str, message: str) -> None:
    write(tmp_path, {"host.nix": f"{{ nix.settings.sandbox = false; }} {comment}\n"})
    result = run([str(tmp_path)], Overrides(isolated=True), today=TODAY)
    assert [(f.line, f.rule, f.message) for f in result.report.findings][1:] == [
        (1, "NIX008", message)
    ]
    assert result.report.findings[0].rule == "NIX301"


def test_an_unknown_code_does_not_stop_the_known_ones(tmp_path: Path) -> None:
    write(
        tmp_path,
        {"host.nix": "{ nix.settings.sandbox = false; } # nixlint: ignore[NIX399, NIX301] VM\n"},
    )
    assert outcome(tmp_path) == (
        [("host.nix", 1, "NIX008")],
        [("host.nix", 1, "NIX301", "inline", "VM")],
    )


def test_text_in_a_string_is_not_a_suppression(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "host.nix": """{
  environment.etc.motd.text = "# nixlint: ignore[NIX301] not a comment";
  nix.settings.sandbox = false;
}
"""
        },
    )
    assert outcome(tmp_path) == ([("host.nix", 3, "NIX301")], [])


def test_block_comments_work_too(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "host.nix": "{ nix.settings.sandbox = /* nixlint: ignore[NIX301] builder VM */ false; }\n"
        },
    )
    assert outcome(tmp_path)[1] == [("host.nix", 1, "NIX301", "inline", "builder VM")]


def test_no_inline_ignores_reports_everything_and_judges_no_comment(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "host.nix": """{
  nix.settings.sandbox = false; # nixlint: ignore[NIX301] builder VM
  networking.hostName = "x"; # nixlint: ignore[NIX101]
}
"""
        },
    )
    assert outcome(tmp_path, inline_ignores=False) == ([("host.nix", 2, "NIX301")], [])


def test_suppression_findings_follow_the_selection(tmp_path: Path) -> None:
    write(tmp_path, {"host.nix": "{ nix.settings.sandbox = false; } # nixlint: ignore[NIX301]\n"})
    assert outcome(tmp_path, ignore=["NIX006"]) == ([("host.nix", 1, "NIX301")], [])


def test_a_file_with_a_syntax_error_has_no_unused_suppressions(tmp_path: Path) -> None:
    write(
        tmp_path,
        {"host.nix": "{\n  a = 1; # nixlint: ignore[NIX301] builder VM\n  b = ;\n}\n"},
    )
    assert [r for _, _, r in outcome(tmp_path)[0]] == ["NIX001"]


def test_scan_is_a_function_of_bytes() -> None:
    found = scan(
        b"# nixlint: ignore-file[NIX201] hypervisor encrypts\n{\n  a = 1; # nixlint: ignore[NIX101] x until=2030-01-02\n}\n",
        "host.nix",
    )
    assert [(s.scope, s.codes, s.reason, s.until, sorted(s.lines)) for s in found.suppressions] == [
        ("file", ("NIX201",), "hypervisor encrypts", None, []),
        ("line", ("NIX101",), "x", date(2030, 1, 2), [3]),
    ]
    assert found.problems == ()
    assert scan(b"{ a = 1; }", "x.nix").suppressions == ()
