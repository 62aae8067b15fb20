"""SARIF 2.1.0: validates against the OASIS schema, carries what code scanning reads, and
keeps alerts stable when unrelated lines move."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from nixlint.cli import app
from nixlint.config import Overrides
from nixlint.report.sarif import document
from nixlint.workflow import run
from tests.conftest import ROOT, write

SCHEMA = ROOT.parent / "shared" / "data" / "sarif-schema-2.1.0.json"
DEMO = "fixtures/demo"


def sarif(path: str | Path, **kw: object) -> dict:
    outcome = run([str(path)], Overrides(isolated=True), **kw)  # type: ignore[arg-type]
    return document(outcome.report)


def validate(doc: dict) -> None:
    if not SCHEMA.exists():
        pytest.skip("the SARIF schema is not available")
    jsonschema = pytest.importorskip("jsonschema")
    schema = json.loads(SCHEMA.read_text())
    validator = jsonschema.validators.validator_for(schema)(schema)
    errors = sorted(validator.iter_errors(doc), key=str)
    assert errors == []


def test_the_demo_report_validates_against_the_schema() -> None:
    validate(sarif(DEMO))


def test_a_report_with_suppressions_and_a_baseline_validates(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)  # the scan root: locations are relative to it
    write(
        tmp_path,
        {
            "host.nix": """{
  nix.settings.sandbox = false; # nixlint: ignore[NIX301] builder VM
  containers.web.privateUsers = "identity";
}
"""
        },
    )
    baseline = tmp_path / "baseline.json"
    assert CliRunner().invoke(app, ["baseline", str(tmp_path), "-o", str(baseline)]).exit_code == 0
    outcome = run(
        [str(tmp_path)], Overrides(isolated=True, baseline=str(baseline)), show_suppressed=True
    )
    doc = document(outcome.report)
    validate(doc)
    results = doc["runs"][0]["results"]
    assert [(r["ruleId"], r["baselineState"], r.get("suppressions")) for r in results] == [
        (
            "NIX301",
            "new",
            [
                {
                    "kind": "inSource",
                    "status": "accepted",
                    "justification": "builder VM",
                    "location": {
                        "physicalLocation": {
                            "artifactLocation": {
                                "uri": "host.nix",
                                "uriBaseId": "%SRCROOT%",
                            },
                            "region": {
                                "startLine": 2,
                                "startColumn": 35,
                                "endLine": 2,
                                "endColumn": 69,
                            },
                        }
                    },
                }
            ],
        ),
        (
            "NIX110",
            "unchanged",
            [
                {
                    "kind": "external",
                    "status": "accepted",
                    "justification": "in the baseline baseline.json",
                }
            ],
        ),
    ]


def test_the_driver_describes_every_rule() -> None:
    doc = sarif(DEMO)
    driver = doc["runs"][0]["tool"]["driver"]
    assert (driver["name"], driver["informationUri"]) == (
        "nixlint",
        "https://github.com/nixlint/nixlint",
    )
    from nixlint.rules.base import all_rules

    assert [r["id"] for r in driver["rules"]] == [r.code for r in all_rules()]
    rule = next(r for r in driver["rules"] if r["id"] == "NIX101")
    assert rule["name"] == "oci-privileged"
    assert rule["shortDescription"] == {"text": "An OCI container runs privileged"}
    assert rule["fullDescription"]["text"]
    assert set(rule["help"]) == {"text", "markdown"}
    assert rule["helpUri"] == (
        "https://github.com/nixlint/nixlint/blob/main/docs/rules.md#nix101-oci-privileged"
    )
    assert rule["defaultConfiguration"] == {"level": "error"}
    assert rule["properties"] == {
        "tags": ["security", "containers", "external/cwe/cwe-250"],
        "security-severity": "8.0",
        "precision": "high",
    }
    levels = {r["id"]: r["defaultConfiguration"]["level"] for r in driver["rules"]}
    assert (levels["NIX104"], levels["NIX203"], levels["NIX202"]) == ("error", "warning", "note")
    severities = {r["id"]: r["properties"]["security-severity"] for r in driver["rules"]}
    assert (severities["NIX104"], severities["NIX203"], severities["NIX202"]) == (
        "9.5",
        "5.5",
        "1.0",
    )


def test_results_point_at_the_finding() -> None:
    doc = sarif(DEMO)
    run_ = doc["runs"][0]
    assert run_["columnKind"] == "unicodeCodePoints"
    assert run_["originalUriBaseIds"]["%SRCROOT%"]["uri"] == ROOT.as_uri() + "/"
    rules = [r["id"] for r in run_["tool"]["driver"]["rules"]]
    result = next(r for r in run_["results"] if r["ruleId"] == "NIX101")
    assert rules[result["ruleIndex"]] == "NIX101"
    assert result["level"] == "error"
    assert result["message"] == {"text": "container 'hass' runs privileged (--privileged)"}
    assert result["locations"] == [
        {
            "physicalLocation": {
                "artifactLocation": {
                    "uri": "fixtures/demo/containers.nix",
                    "uriBaseId": "%SRCROOT%",
                },
                "region": {"startLine": 13, "startColumn": 7, "endLine": 13, "endColumn": 21},
            }
        }
    ]
    assert result["partialFingerprints"]["primaryLocationLineHash"].endswith(":1")


def test_related_locations_are_the_definitions_behind_the_value(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    write(
        tmp_path,
        {
            "common.nix": "{ lib, ... }: {\n  nix.settings.sandbox = lib.mkDefault true;\n}\n",
            "host.nix": "{ config, lib, ... }: {\n  imports = [ ./common.nix ];\n"
            "  nix.settings.sandbox = lib.mkIf config.x.enable false;\n}\n",
        },
    )
    [result] = sarif(tmp_path)["runs"][0]["results"]
    assert result["ruleId"] == "NIX301"
    assert result["locations"][0]["physicalLocation"]["region"]["startLine"] == 3
    assert result["relatedLocations"] == [
        {
            "id": 1,
            "physicalLocation": {
                "artifactLocation": {"uri": "common.nix", "uriBaseId": "%SRCROOT%"},
                "region": {"startLine": 2, "startColumn": 3, "endLine": 2, "endColumn": 23},
            },
            "message": {"text": "nix.settings.sandbox is defined here (priority 1000; host host)"},
        }
    ]


def _hash(doc: dict, rule: str) -> list[str]:
    return [
        r["partialFingerprints"]["primaryLocationLineHash"]
        for r in doc["runs"][0]["results"]
        if r["ruleId"] == rule
    ]


def test_line_hashes_survive_unrelated_lines_moving(tmp_path: Path) -> None:
    body = '  virtualisation.oci-containers.containers.a = { image = "a"; extraOptions = [ "--privileged" ]; };\n'
    write(tmp_path, {"host.nix": "{\n" + body + "}\n"})
    before = _hash(sarif(tmp_path), "NIX101")
    write(tmp_path, {"host.nix": '# a comment\n\n{\n  networking.hostName = "x";\n' + body + "}\n"})
    after = _hash(sarif(tmp_path), "NIX101")
    assert before == after and len(before) == 1
    write(tmp_path, {"host.nix": "{\n" + body.replace('"a"', '"b"') + "}\n"})
    assert _hash(sarif(tmp_path), "NIX101") != before  # the line itself changed


def test_identical_lines_get_distinct_line_hashes(tmp_path: Path) -> None:
    line = '  virtualisation.oci-containers.containers.{n} = {{ image = "a"; extraOptions = [ "--privileged" ]; }};\n'
    write(
        tmp_path,
        {
            "host.nix": "{\n"
            + line.format(n="a")
            + line.format(n="a").replace(".a =", ".b =")
            + "}\n"
        },
    )
    hashes = _hash(sarif(tmp_path), "NIX101")
    assert len(set(hashes)) == 2


def test_cli_writes_sarif_and_shows_text_on_the_terminal(tmp_path: Path) -> None:
    target = tmp_path / "nixlint.sarif"
    result = CliRunner().invoke(app, ["check", DEMO, "--format", "sarif", "-o", str(target)])
    assert result.exit_code == 1
    assert result.output.splitlines()[0] == "fixtures/demo/configuration.nix"
    doc = json.loads(target.read_text())
    assert doc["version"] == "2.1.0"
    validate(doc)
