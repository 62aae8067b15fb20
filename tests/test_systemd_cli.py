"""``nixlint services`` and the NIX303 rule's threshold."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from nixlint.analyze import Selection, check
from nixlint.cli import app
from nixlint.rules.services import exposure_threshold, parse_threshold, threshold

runner = CliRunner()
DEMO = "fixtures/demo"
NIX303 = "fixtures/rules/NIX303"


def invoke(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.output


def test_text_has_a_row_per_service_with_what_would_lower_it() -> None:
    code, out = invoke("services", DEMO)
    assert code == 0
    assert out.splitlines() == [
        "! backup                   9.6 UNSAFE             fixtures/demo/services.nix:3  "
        "[configuration]",
        '    CapabilityBoundingSet = "";                                            -2.5',
        '    SystemCallFilter = [ "@system-service" "~@privileged" "~@resources" ]; -1.6',
        "    DynamicUser = true;                                                    -1.2",
        "    RestrictNamespaces = true;                                             -0.7",
        "    PrivateNetwork = true;                                                 -0.5",
        "! metrics                  8.4 EXPOSED            fixtures/demo/services.nix:14  "
        "[configuration]",
        '    CapabilityBoundingSet = "";                                            -2.5',
        '    SystemCallFilter = [ "@system-service" "~@privileged" "~@resources" ]; -1.6',
        "    RestrictNamespaces = true;                                             -0.7",
        "    PrivateNetwork = true;                                                 -0.5",
        '    RestrictAddressFamilies = [ "AF_UNIX" "AF_INET" "AF_INET6" ];          -0.4',
        "2 services, 2 scored, 2 at or above 7.5 (systemd 252 scale)",
    ]


def test_json_lists_services() -> None:
    code, out = invoke("services", f"{NIX303}/good.nix", "--format", "json")
    assert code == 0
    document = json.loads(out)
    assert {k: document[k] for k in ("systemd", "mode", "threshold")} == {
        "systemd": "252",
        "mode": "offline",
        "threshold": 7.5,
    }
    rows = {row["name"]: row for row in document["services"]}
    assert sorted(rows) == ["jail", "metrics", "nginx", "nix-daemon"]
    metrics = rows["metrics"]
    assert {k: metrics[k] for k in ("host", "path", "line", "exposure", "label", "scored")} == {
        "host": "good",
        "path": f"{NIX303}/good.nix",
        "line": 5,
        "exposure": 3.2,
        "label": "OK",
        "scored": True,
    }
    assert metrics["above_threshold"] is False
    assert len(metrics["checks"]) == 81
    assert [s["setting"] for s in metrics["suggestions"]][:2] == [
        "PrivateNetwork",
        "RestrictAddressFamilies",
    ]
    assert rows["nginx"]["scored"] is False and rows["nginx"]["exposure"] is None


def test_a_range_and_the_threshold_option() -> None:
    code, out = invoke("services", f"{NIX303}/bad-unknown.nix", "--threshold", "UNSAFE")
    assert code == 0
    assert out.splitlines()[0] == (
        "  exporter                 7.4–7.8 MEDIUM–EXPOSED fixtures/rules/NIX303/bad-unknown.nix:5  "
        "[bad-unknown]"
    )
    assert out.splitlines()[1] == "    depends on: User"
    assert out.splitlines()[-1] == "1 services, 1 scored, 0 at or above 9.0 (systemd 252 scale)"


def test_live_mode() -> None:
    code, out = invoke("services", f"{NIX303}/good.nix", "--live", "--format", "json")
    assert code == 0
    document = json.loads(out)
    assert document["mode"] == "live"
    assert {r["name"]: r["exposure"] for r in document["services"]} == {
        "jail": 3.2,
        "metrics": 3.1,
        "nginx": None,
        "nix-daemon": None,
    }


def test_usage_errors() -> None:
    assert invoke("services", "no/such/dir")[0] == 2
    code, out = invoke("services", DEMO, "--threshold", "eleven")
    assert code == 2
    assert "not an exposure" in out


@pytest.mark.parametrize(
    ("text", "tenths"),
    [("9.0", 90), ("7.5", 75), ("10", 100), ("UNSAFE", 90), ("exposed", 75), ("OK", 10)],
)
def test_thresholds(text: str, tenths: int) -> None:
    assert parse_threshold(text) == tenths


def test_threshold_from_the_environment_and_a_context(monkeypatch: pytest.MonkeyPatch) -> None:
    assert threshold() == 75
    monkeypatch.setenv("NIXLINT_EXPOSURE_THRESHOLD", "9.0")
    assert threshold() == 90
    with exposure_threshold(50):
        assert threshold() == 50
    monkeypatch.setenv("NIXLINT_EXPOSURE_THRESHOLD", "nonsense")
    assert threshold() == 75


def rule_findings(path: str) -> list[tuple[str, int, str, str, str]]:
    result = check([path], Selection.parse(["NIX302", "NIX303"], None))
    return [
        (f.rule, f.line, f.severity.value, f.confidence.value, f.message) for f in result.findings
    ]


def test_severity_follows_the_band() -> None:
    found = rule_findings(f"{NIX303}/bad.nix")
    assert [
        (rule, line, severity, confidence) for rule, line, severity, confidence, _ in found
    ] == [
        ("NIX303", 6, "low", "high"),
        ("NIX303", 13, "high", "high"),
    ]
    assert found[0][4] == (
        "service 'metrics' has exposure 8.4 (EXPOSED) as systemd-analyze security rates it; "
        'to lower it to 2.7, set in serviceConfig: CapabilityBoundingSet = ""; '
        'SystemCallFilter = [ "@system-service" "~@privileged" "~@resources" ]; '
        "RestrictNamespaces = true; PrivateNetwork = true; "
        'RestrictAddressFamilies = [ "AF_UNIX" "AF_INET" "AF_INET6" ];'
    )


def test_a_range_that_may_reach_the_threshold_has_low_confidence() -> None:
    found = rule_findings(f"{NIX303}/bad-unknown.nix")
    assert [(rule, severity, confidence) for rule, _, severity, confidence, _ in found] == [
        ("NIX303", "low", "low"),
    ]
    assert found[0][4].startswith(
        "service 'exporter' has exposure 7.4–7.8 (MEDIUM–EXPOSED, depending on User, which "
        "nixlint cannot know) as systemd-analyze security rates it; to lower it to "
    )


def test_the_threshold_decides(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NIXLINT_EXPOSURE_THRESHOLD", "UNSAFE")
    assert [line for _, line, *_ in rule_findings(f"{NIX303}/bad.nix")] == [13]
    monkeypatch.setenv("NIXLINT_EXPOSURE_THRESHOLD", "3.0")
    assert [line for _, line, *_ in rule_findings(f"{NIX303}/good.nix")] == [5, 19]


def test_nix302_and_nix303_report_a_service_once() -> None:
    found = rule_findings(f"{NIX303}/bad-handoff.nix")
    assert [(rule, line, severity) for rule, line, severity, *_ in found] == [
        ("NIX302", 5, "medium"),
        ("NIX303", 10, "medium"),
        ("NIX303", 12, "medium"),
        ("NIX303", 17, "low"),
    ]
