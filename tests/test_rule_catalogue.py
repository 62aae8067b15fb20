"""The rule catalogue: every rule's metadata is complete, its documented examples behave as
documented, and docs/rules.md is the catalogue as it is now."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from nixlint.cli import app
from nixlint.config import Overrides
from nixlint.rules.base import Rule, all_rules
from nixlint.rules.docs import markdown
from nixlint.workflow import run
from tests.conftest import ROOT

#: Rules about input that is not Nix text (binary, invalid UTF-8), about nixlint itself, or
#: about a file that must be named flake.nix (its fixtures are directories).
NO_TEXT_EXAMPLE = {"NIX002", "NIX003", "NIX005", "NIX010"}
RULES = all_rules()
#: An expired suppression's finding is reported again, next to the note about it.
ALSO_REPORTED = {"NIX009": {"NIX301"}}
#: Rules about what flakes evaluate: their examples are a flake.nix.
FLAKE_EXAMPLES = {"NIX808"}


def _example_name(rule: Rule, kind: str) -> str:
    return "flake.nix" if rule.code in FLAKE_EXAMPLES else f"{kind}.nix"


def _id(rule: Rule) -> str:
    return rule.code


@pytest.mark.parametrize("rule", RULES, ids=_id)
def test_metadata_is_complete(rule: Rule) -> None:
    assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", rule.name)
    assert rule.summary and "\n" not in rule.summary and not rule.summary.endswith(".")
    assert rule.details and rule.rationale and rule.remediation
    if rule.code in NO_TEXT_EXAMPLE:
        return
    assert rule.bad and rule.good, "a rule documents a bad and a good example"
    if rule.category == "syntax":
        return
    assert rule.cwe is not None
    assert "```nix" in rule.remediation, "the remediation shows the Nix to write instead"
    assert rule.caveat, "the remediation says when the fix is unsafe to apply blindly"
    assert rule.references
    for url in rule.references:
        assert re.fullmatch(r"https://\S+", url), url


@pytest.mark.parametrize("rule", [r for r in RULES if r.bad], ids=_id)
def test_bad_example_raises_exactly_its_rule(rule: Rule, tmp_path: Path) -> None:
    example = tmp_path / _example_name(rule, "bad")
    example.write_text(rule.bad or "", encoding="utf-8")
    result = run([str(example)], Overrides(isolated=True)).report
    assert result.internal_errors == 0
    found = sorted({f.rule for f in result.findings} - ALSO_REPORTED.get(rule.code, set()))
    assert found == [rule.code], [f.message for f in result.findings]


@pytest.mark.parametrize("rule", [r for r in RULES if r.good], ids=_id)
def test_good_example_raises_nothing(rule: Rule, tmp_path: Path) -> None:
    example = tmp_path / _example_name(rule, "good")
    example.write_text(rule.good or "", encoding="utf-8")
    result = run([str(example)], Overrides(isolated=True)).report
    assert result.internal_errors == 0
    assert [(f.rule, f.line, f.message) for f in result.findings] == []


def test_docs_rules_md_is_up_to_date() -> None:
    current = (ROOT / "docs" / "rules.md").read_text(encoding="utf-8")
    assert current == markdown(RULES), (
        "docs/rules.md is stale: run `nixlint rules --format markdown > docs/rules.md`"
    )


def test_rules_json_lists_every_rule_with_its_documentation() -> None:
    out = CliRunner().invoke(app, ["rules", "--format", "json"])
    assert out.exit_code == 0
    catalogue = json.loads(out.stdout)
    assert [r["code"] for r in catalogue] == [r.code for r in RULES]
    for entry in catalogue:
        assert {"code", "name", "category", "severity", "summary", "description"} <= set(entry)
        assert {"confidence", "cwe", "references", "bad", "good"} <= set(entry)


def test_explain_takes_a_code_or_a_name() -> None:
    by_code = CliRunner().invoke(app, ["explain", "nix301"])
    by_name = CliRunner().invoke(app, ["explain", "nix-sandbox-disabled"])
    assert by_code.exit_code == by_name.exit_code == 0
    assert by_code.stdout == by_name.stdout
    assert by_code.stdout.startswith(
        "NIX301 nix-sandbox-disabled (sandboxing, high, high confidence)  CWE-693\n"
    )
    for section in ("## What it does", "## Why is this bad?", "## Use instead", "## Example"):
        assert section in by_code.stdout


def test_markdown_output_is_the_document() -> None:
    out = CliRunner().invoke(app, ["rules", "--format", "markdown"])
    assert out.exit_code == 0
    assert out.stdout == markdown(RULES)
