"""Baselines: recorded findings stay quiet when code moves; new ones are reported."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from nixlint.cli import app
from tests.conftest import write

runner = CliRunner()

CONTAINER = """  virtualisation.oci-containers.containers.{name} = {{
    image = "{name}:1.0";
    extraOptions = [ "--privileged" ];
  }};
"""


def host(*names: str, prefix: str = "") -> str:
    return prefix + "{\n" + "".join(CONTAINER.format(name=n) for n in names) + "}\n"


def invoke(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.output


def new_findings(root: Path, baseline: Path) -> list[tuple[str, int, str]]:
    code, out = invoke("check", str(root), "--baseline", str(baseline), "-f", "json", "--isolated")
    doc = json.loads(out)
    assert code == (1 if doc["findings"] else 0)
    return [(Path(f["path"]).name, f["line"], f["rule"]) for f in doc["findings"]]


def test_baseline_records_findings(tmp_path: Path) -> None:
    write(tmp_path, {"repo/host.nix": host("a", "b")})
    target = tmp_path / "repo/.nixlint-baseline.json"
    code, out = invoke("baseline", str(tmp_path / "repo"), "-o", str(target), "--isolated")
    assert (code, out) == (0, f"Recorded 2 findings in {target}.\n")
    doc = json.loads(target.read_text())
    assert doc["format"] == 1
    assert [(e["rule"], e["path"], e["line"], e["option"]) for e in doc["findings"]] == [
        ("NIX101", "host.nix", 4, "virtualisation.oci-containers.containers.a.extraOptions"),
        ("NIX101", "host.nix", 8, "virtualisation.oci-containers.containers.b.extraOptions"),
    ]


def test_check_with_a_baseline_reports_only_new_findings(tmp_path: Path) -> None:
    write(tmp_path, {"host.nix": host("a")})
    baseline = tmp_path / "baseline.json"
    assert invoke("baseline", str(tmp_path), "-o", str(baseline), "--isolated")[0] == 0
    assert new_findings(tmp_path, baseline) == []
    # moving the code and adding lines above it does not bring the finding back
    write(tmp_path, {"host.nix": host("a", prefix="# A comment.\n\n# Another.\n")})
    assert new_findings(tmp_path, baseline) == []
    # a new finding of the same rule elsewhere is reported
    write(tmp_path, {"host.nix": host("b", "a")})
    assert new_findings(tmp_path, baseline) == [("host.nix", 4, "NIX101")]


def test_each_baseline_entry_absorbs_one_finding(tmp_path: Path) -> None:
    one = '{\n  virtualisation.oci-containers.containers.a.extraOptions = [ "--privileged" ];\n}\n'
    two = (
        "{\n  virtualisation.oci-containers.containers.a.extraOptions = [\n"
        '    "--privileged"\n    "--privileged"\n  ];\n}\n'
    )
    write(tmp_path, {"host.nix": one})
    baseline = tmp_path / "baseline.json"
    invoke("baseline", str(tmp_path), "-o", str(baseline), "--isolated")
    write(tmp_path, {"host.nix": two})
    assert new_findings(tmp_path, baseline) == [("host.nix", 4, "NIX101")]


def test_a_baseline_works_from_another_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write(tmp_path, {"repo/hosts/host.nix": host("a")})
    baseline = tmp_path / "repo/baseline.json"
    monkeypatch.chdir(tmp_path / "repo")
    invoke("baseline", str(tmp_path / "repo/hosts"), "-o", str(baseline), "--isolated")
    monkeypatch.chdir(tmp_path)
    assert new_findings(tmp_path / "repo", baseline) == []


def test_a_renamed_file_is_new(tmp_path: Path) -> None:
    write(tmp_path, {"host.nix": host("a")})
    baseline = tmp_path / "baseline.json"
    invoke("baseline", str(tmp_path), "-o", str(baseline), "--isolated")
    (tmp_path / "host.nix").rename(tmp_path / "web.nix")
    assert new_findings(tmp_path, baseline) == [("web.nix", 4, "NIX101")]


def test_show_suppressed_lists_baselined_findings(tmp_path: Path) -> None:
    write(tmp_path, {"host.nix": host("a")})
    baseline = tmp_path / "baseline.json"
    invoke("baseline", str(tmp_path), "-o", str(baseline), "--isolated")
    code, out = invoke(
        "check", str(tmp_path), "--baseline", str(baseline), "--show-suppressed", "--isolated"
    )
    assert code == 0
    assert f"[in the baseline {baseline}]" in out.splitlines()[1]
    assert "1 finding suppressed: 1 by the baseline." in out


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "cannot read baseline"),
        ("not json", "is not JSON"),
        ('{"findings": [{"rule": "NIX101"}]}', "is not a nixlint baseline"),
        ('{"format": 9, "findings": []}', "has format 9, not 1"),
    ],
)
def test_a_bad_baseline_exits_2(tmp_path: Path, content: str | None, message: str) -> None:
    write(tmp_path, {"host.nix": host("a")})
    baseline = tmp_path / "baseline.json"
    if content is not None:
        baseline.write_text(content)
    code, out = invoke("check", str(tmp_path), "--baseline", str(baseline))
    assert code == 2
    assert message in out
