"""Rule behaviour beyond the fixtures: confidence, messages, hosts."""

from __future__ import annotations

from pathlib import Path

from nixlint.analyze import check
from nixlint.findings import Confidence, Severity
from tests.conftest import FIXTURES, write


def findings(path: Path | str) -> list[tuple[str, int, str, str]]:
    return [
        (f.rule, f.line, f.severity.value, f.confidence.value) for f in check([str(path)]).findings
    ]


def test_a_conditional_risk_is_reported_with_lower_confidence() -> None:
    assert findings(FIXTURES / "rules/NIX101/bad-conditional.nix") == [
        ("NIX101", 5, "high", "medium")
    ]


def test_a_container_defined_elsewhere_is_reported_with_low_confidence() -> None:
    assert findings(FIXTURES / "rules/NIX110/bad-config-only.nix") == [("NIX110", 6, "high", "low")]


def test_privateusers_identity_is_medium() -> None:
    assert ("NIX110", 11, "medium", "high") in findings(FIXTURES / "rules/NIX110/bad.nix")


def test_unread_imports_lower_the_confidence_of_absence_based_verdicts(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "host.nix": """{ inputs, ... }: {
              imports = [ inputs.disko.nixosModules.default ];
              fileSystems."/" = { device = "/dev/sda1"; fsType = "ext4"; };
            }"""
        },
    )
    result = check([str(tmp_path)])
    [finding] = result.findings
    assert (finding.rule, finding.severity, finding.confidence) == (
        "NIX201",
        Severity.HIGH,
        Confidence.MEDIUM,
    )
    assert finding.message.endswith(
        "(unless an imported module sets it up: inputs.disko.nixosModules.default)"
    )


def test_hardware_scan_imports_do_not_lower_confidence() -> None:
    result = check(["fixtures/demo"])
    nix201 = [f for f in result.findings if f.rule == "NIX201"]
    assert [(f.line, f.confidence) for f in nix201] == [(8, Confidence.HIGH)]


def test_capability_severity_depends_on_the_capability() -> None:
    assert findings(FIXTURES / "rules/NIX103/bad.nix") == [
        ("NIX103", 2, "medium", "high"),
        ("NIX103", 8, "high", "high"),
        ("NIX103", 9, "high", "high"),
        ("NIX103", 14, "high", "high"),
    ]


def test_sandbox_relaxed_is_medium_and_legacy_names_are_named() -> None:
    result = check([str(FIXTURES / "rules/NIX301/bad-legacy.nix")])
    [finding] = result.findings
    assert finding.severity is Severity.MEDIUM
    assert finding.message == (
        "the Nix build sandbox is relaxed: derivations can opt out with __noChroot "
        "(set as the renamed option nix.useChroot)"
    )
