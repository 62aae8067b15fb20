"""Every rule's fixtures: the findings must be exactly the ``# expect:`` annotations."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from nixlint.analyze import check
from nixlint.config import Overrides
from nixlint.workflow import run
from tests.conftest import FIXTURES, ROOT, expectations

RULE_FIXTURES = FIXTURES / "rules"


def _cases() -> list[Path]:
    cases: list[Path] = []
    for rule_dir in sorted(RULE_FIXTURES.iterdir()):
        for entry in sorted(rule_dir.iterdir()):
            if entry.is_dir() or entry.suffix == ".nix":
                cases.append(entry)
    return cases


def _id(path: Path) -> str:
    return f"{path.parent.name}/{path.name}"


@pytest.mark.parametrize("case", _cases(), ids=_id)
def test_fixture(case: Path) -> None:
    expected = expectations(case)
    result = run([str(case)], Overrides(isolated=True)).report  # what `check` reports
    actual = {(f.path, f.line, f.rule) for f in result.findings}
    assert result.internal_errors == 0
    assert actual == expected
    code = case.parent.name
    if case.name.startswith("bad"):
        assert any(c == code for _, _, c in expected), f"{_id(case)} expects no {code}"
    else:
        assert not expected, f"{_id(case)} is a good case and must expect nothing"


def test_every_rule_has_bad_and_good_fixtures() -> None:
    from nixlint.rules.base import all_rules

    missing = []
    for rule in all_rules():
        if rule.code in ("NIX002", "NIX003", "NIX005"):
            continue  # exercised by tests/test_robustness.py
        folder = RULE_FIXTURES / rule.code
        names = [p.name for p in folder.iterdir()] if folder.is_dir() else []
        if not any(n.startswith("bad") for n in names) or not any(
            n.startswith("good") for n in names
        ):
            missing.append(rule.code)
    assert missing == []


def test_fixture_paths_are_relative_to_the_repository() -> None:
    result = check([str(RULE_FIXTURES / "NIX101" / "bad.nix")])
    assert {f.path for f in result.findings} == {
        os.path.relpath(RULE_FIXTURES / "NIX101" / "bad.nix", ROOT)
    }
