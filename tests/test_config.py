"""Configuration: where it is found, what each key does, how the command line layers on
top, and that mistakes are usage errors (exit 2) with a clear message."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from nixlint.cli import app
from nixlint.config import ConfigError, Layer, Overrides, Policy, enabled, selectors
from nixlint.workflow import run
from tests.conftest import write

runner = CliRunner()

#: One finding of each of three rules, on known lines.
HOST = """{
  nix.settings.sandbox = false;
  containers.web.privateUsers = "identity";
  virtualisation.oci-containers.containers.hass = {
    image = "hass:2024.6";
    extraOptions = [ "--privileged" ];
  };
}
"""


def found(path: Path, **overrides: object) -> list[tuple[str, int, str, str]]:
    outcome = run([str(path)], Overrides(**overrides))  # type: ignore[arg-type]
    return [(Path(f.path).name, f.line, f.rule, f.severity.value) for f in outcome.report.findings]


def invoke(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.output


def test_without_configuration_everything_is_reported(tmp_path: Path) -> None:
    write(tmp_path, {"host.nix": HOST})
    assert found(tmp_path) == [
        ("host.nix", 2, "NIX301", "high"),
        ("host.nix", 3, "NIX110", "medium"),
        ("host.nix", 6, "NIX101", "high"),
    ]


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("pyproject.toml", '[tool.nixlint]\nignore = ["NIX301"]\n'),
        ("nixlint.toml", 'ignore = ["NIX301"]\n'),
        (".nixlint.toml", 'ignore = ["nix-sandbox-disabled"]\n'),
    ],
)
def test_each_configuration_file_is_read(tmp_path: Path, name: str, text: str) -> None:
    write(tmp_path, {"host.nix": HOST, name: text})
    assert [r for _, _, r, _ in found(tmp_path)] == ["NIX110", "NIX101"]


def test_a_pyproject_without_a_nixlint_table_is_passed_over(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "nixlint.toml": 'ignore = ["NIX301"]\n',
            "sub/pyproject.toml": "[tool.black]\nline-length = 100\n",
            "sub/host.nix": HOST,
        },
    )
    assert [r for _, _, r, _ in found(tmp_path / "sub")] == ["NIX110", "NIX101"]


def test_in_one_directory_dot_nixlint_toml_wins(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "host.nix": HOST,
            ".nixlint.toml": 'ignore = ["NIX101"]\n',
            "nixlint.toml": 'ignore = ["NIX301"]\n',
            "pyproject.toml": '[tool.nixlint]\nignore = ["NIX110"]\n',
        },
    )
    assert [r for _, _, r, _ in found(tmp_path)] == ["NIX301", "NIX110"]


def test_the_file_closest_to_each_scanned_file_wins(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "nixlint.toml": 'ignore = ["NIX301"]\n',
            "a/host.nix": HOST,
            "b/host.nix": HOST,
            "b/nixlint.toml": 'ignore = ["NIX1"]\n',
        },
    )
    outcome = run([str(tmp_path)], Overrides())
    assert [(Path(f.path).parent.name, f.rule) for f in outcome.report.findings] == [
        ("a", "NIX110"),
        ("a", "NIX101"),
        ("b", "NIX301"),
    ]


def test_selection_specificity() -> None:
    codes = ["NIX101", "NIX102", "NIX110", "NIX201", "NIX301"]
    # the more specific selector wins, ignore wins a tie
    assert enabled([Layer(select=("NIX1",), ignore=("NIX101",))], codes) == {"NIX102", "NIX110"}
    assert enabled([Layer(select=("NIX101",), ignore=("NIX1",))], codes) == {"NIX101"}
    assert enabled([Layer(select=("NIX101",), ignore=("NIX101",))], codes) == set()
    # extend-select adds to the layer below; ignore removes
    base = Layer(select=("NIX3",))
    assert enabled([base, Layer(extend_select=("NIX201",))], codes) == {"NIX201", "NIX301"}
    assert enabled([base, Layer(ignore=("NIX301",))], codes) == set()
    # a later select starts again
    assert enabled([Layer(ignore=("NIX1",)), Layer(select=("NIX",))], codes) == set(codes)


def test_command_line_select_replaces_and_ignore_adds(tmp_path: Path) -> None:
    write(tmp_path, {"host.nix": HOST, "nixlint.toml": 'select = ["NIX1"]\nignore = ["NIX110"]\n'})
    assert [r for _, _, r, _ in found(tmp_path)] == ["NIX101"]
    assert [r for _, _, r, _ in found(tmp_path, select=["NIX3"])] == ["NIX301"]
    assert [r for _, _, r, _ in found(tmp_path, ignore=["NIX101"])] == []
    assert [r for _, _, r, _ in found(tmp_path, extend_select=["NIX301"])] == ["NIX301", "NIX101"]


def test_extend_select_in_the_file(tmp_path: Path) -> None:
    write(
        tmp_path,
        {"host.nix": HOST, "nixlint.toml": 'select = ["NIX1"]\nextend-select = ["NIX301"]\n'},
    )
    assert [r for _, _, r, _ in found(tmp_path)] == ["NIX301", "NIX110", "NIX101"]


def test_per_rule_severity(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "host.nix": HOST,
            "nixlint.toml": '[severity]\nNIX301 = "critical"\nNIX1 = "low"\noci-privileged = "info"\n',
        },
    )
    assert found(tmp_path) == [
        ("host.nix", 2, "NIX301", "critical"),
        ("host.nix", 3, "NIX110", "low"),
        ("host.nix", 6, "NIX101", "info"),
    ]


def test_fail_on_from_the_file_and_the_command_line(tmp_path: Path) -> None:
    write(tmp_path, {"host.nix": '{ containers.web.privateUsers = "identity"; }\n'})  # medium
    assert invoke("check", str(tmp_path))[0] == 1
    write(tmp_path, {"nixlint.toml": 'fail-on = "high"\n'})
    assert invoke("check", str(tmp_path))[0] == 0
    assert invoke("check", str(tmp_path), "--fail-on", "medium")[0] == 1
    write(tmp_path, {"nixlint.toml": '[severity]\nNIX110 = "high"\nfail-on = "high"\n'})
    assert invoke("check", str(tmp_path))[0] == 2  # fail-on is not a severity override


def test_severity_overrides_change_what_fails(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "host.nix": '{ containers.web.privateUsers = "identity"; }\n',
            "nixlint.toml": 'fail-on = "high"\n[severity]\nNIX110 = "high"\n',
        },
    )
    assert invoke("check", str(tmp_path))[0] == 1


def test_exclude_leaves_files_out_of_the_scan(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "nixlint.toml": 'exclude = ["vendor", "tests/**/insecure-*.nix"]\n',
            "host.nix": "{ nix.settings.sandbox = false; }\n",
            "vendor/nixpkgs/host.nix": "{ nix.settings.sandbox = false; }\n",
            "tests/cases/insecure-host.nix": "{ nix.settings.sandbox = false; }\n",
            "tests/cases/host.nix": "{ nix.settings.sandbox = false; }\n",
        },
    )
    outcome = run([str(tmp_path)], Overrides())
    assert sorted(str(Path(f.path).relative_to(tmp_path)) for f in outcome.report.findings) == [
        "host.nix",
        "tests/cases/host.nix",
    ]
    assert outcome.report.files == 2
    # an excluded file given on the command line stays excluded (as a pre-commit hook passes it)
    assert run([str(tmp_path / "vendor/nixpkgs/host.nix")], Overrides()).report.findings == []


def test_an_excluded_host_does_not_make_findings_in_shared_modules(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "nixlint.toml": 'exclude = ["tests"]\n',
            "common.nix": "{ lib, ... }: { nix.settings.sandbox = lib.mkDefault false; }\n",
            "host.nix": "{ imports = [ ./common.nix ]; nix.settings.sandbox = true; }\n",
            "tests/lab.nix": "{ imports = [ ../common.nix ]; }\n",
        },
    )
    assert run([str(tmp_path)], Overrides()).report.findings == []
    assert [f.rule for f in run([str(tmp_path)], Overrides(isolated=True)).report.findings] == [
        "NIX301"
    ]


def test_exclude_on_the_command_line(tmp_path: Path) -> None:
    write(tmp_path, {"a.nix": HOST, "b/c.nix": HOST})
    outcome = run([str(tmp_path)], Overrides(exclude=[str(tmp_path / "b")]))
    assert {Path(f.path).name for f in outcome.report.findings} == {"a.nix"}


def test_per_file_ignores(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "nixlint.toml": '[per-file-ignores]\n"hosts/lab/*.nix" = ["NIX301", "NIX1"]\n',
            "hosts/lab/host.nix": HOST,
            "hosts/web/host.nix": HOST,
        },
    )
    outcome = run([str(tmp_path)], Overrides())
    assert [(Path(f.path).parent.name, f.rule) for f in outcome.report.findings] == [
        ("web", "NIX301"),
        ("web", "NIX110"),
        ("web", "NIX101"),
    ]
    assert [(s.finding.rule, s.kind, s.reason) for s in outcome.report.suppressed] == [
        ("NIX301", "config", "per-file-ignores 'hosts/lab/*.nix' in " + _shown(tmp_path)),
        ("NIX110", "config", "per-file-ignores 'hosts/lab/*.nix' in " + _shown(tmp_path)),
        ("NIX101", "config", "per-file-ignores 'hosts/lab/*.nix' in " + _shown(tmp_path)),
    ]


def _shown(tmp_path: Path) -> str:
    import os

    rel = os.path.relpath(tmp_path / "nixlint.toml")
    return str(tmp_path / "nixlint.toml") if rel.startswith("..") else rel


def test_per_option_ignores_reach_findings_with_no_line_to_annotate(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "nixlint.toml": '[per-option-ignores]\n"containers.web" = ["NIX110"]\n'
            '"virtualisation.oci-containers.containers.*.extraOptions" = ["oci-privileged"]\n',
            "host.nix": HOST,
        },
    )
    outcome = run([str(tmp_path)], Overrides())
    assert [f.rule for f in outcome.report.findings] == ["NIX301"]
    assert [(s.finding.rule, s.finding.option) for s in outcome.report.suppressed] == [
        ("NIX110", "containers.web.privateUsers"),
        ("NIX101", "virtualisation.oci-containers.containers.hass.extraOptions"),
    ]


def test_inline_ignores_can_be_turned_off_in_the_file(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "nixlint.toml": "inline-ignores = false\n",
            "host.nix": "{ nix.settings.sandbox = false; } # nixlint: ignore[NIX301] VM\n",
        },
    )
    assert [f.rule for f in run([str(tmp_path)], Overrides()).report.findings] == ["NIX301"]


def test_baseline_in_the_file_is_relative_to_it(tmp_path: Path) -> None:
    write(tmp_path, {"host.nix": HOST})
    assert invoke("baseline", str(tmp_path), "-o", str(tmp_path / "ci/baseline.json"))[0] == 0
    write(tmp_path, {"nixlint.toml": 'baseline = "ci/baseline.json"\n'})
    assert run([str(tmp_path)], Overrides()).report.findings == []
    assert invoke("check", str(tmp_path))[0] == 0


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            'selct = ["NIX1"]\n',
            "nixlint.toml: unknown key 'selct' (did you mean 'select'?); known keys: select, "
            "extend-select, ignore, severity, fail-on, exclude, per-file-ignores, "
            "per-option-ignores, inline-ignores, baseline",
        ),
        ('select = "NIX1"\n', "nixlint.toml: select: expected a list of strings, got 'NIX1'"),
        (
            'ignore = ["NIX999"]\n',
            "nixlint.toml: ignore: unknown rule 'NIX999' (see `nixlint rules`)",
        ),
        (
            'fail-on = "hgih"\n',
            "nixlint.toml: fail-on: expected one of critical, high, medium, low, info, got 'hgih'",
        ),
        (
            '[severity]\nNIX301 = "urgent"\n',
            "nixlint.toml: severity.NIX301: expected one of critical, high, medium, low, info, "
            "got 'urgent'",
        ),
        ("inline-ignores = 0\n", "nixlint.toml: inline-ignores: expected true or false, got 0"),
        ("per-file-ignores = []\n", "nixlint.toml: per-file-ignores: expected a table, got []"),
        ("select = [\n", "nixlint.toml is not valid TOML: "),
    ],
)
def test_mistakes_in_the_file_exit_2_with_a_clear_message(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, text: str, message: str
) -> None:
    write(tmp_path, {"host.nix": HOST, "nixlint.toml": text})
    monkeypatch.chdir(tmp_path)
    code, out = invoke("check", str(tmp_path))
    assert code == 2
    assert out.startswith(f"nixlint: error: {message}")


def test_mistakes_in_pyproject_name_the_table(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write(tmp_path, {"host.nix": HOST, "pyproject.toml": "[tool.nixlint]\nfoo = 1\n"})
    monkeypatch.chdir(tmp_path)
    code, out = invoke("check", str(tmp_path))
    assert code == 2
    assert out.startswith("nixlint: error: pyproject.toml [tool.nixlint]: unknown key 'foo'")


def test_command_line_mistakes_exit_2(tmp_path: Path) -> None:
    write(tmp_path, {"host.nix": HOST})
    assert invoke("check", str(tmp_path), "--extend-select", "NIX999") == (
        2,
        "nixlint: error: --extend-select: unknown rule 'NIX999' (see `nixlint rules`)\n",
    )
    assert invoke("check", str(tmp_path), "--config", str(tmp_path / "missing.toml"))[0] == 2


def test_explicit_config_and_isolated(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "host.nix": HOST,
            "nixlint.toml": 'ignore = ["NIX1"]\n',
            "other.toml": 'select = ["NIX101"]\n',
        },
    )
    assert [r for _, _, r, _ in found(tmp_path)] == ["NIX301"]
    assert [r for _, _, r, _ in found(tmp_path, config=str(tmp_path / "other.toml"))] == ["NIX101"]
    assert len(found(tmp_path, isolated=True)) == 3


def test_config_command_shows_values_and_their_source(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write(
        tmp_path,
        {
            "pyproject.toml": '[tool.nixlint]\nignore = ["NIX2"]\nfail-on = "medium"\n',
            "sub/x.nix": "",
        },
    )
    monkeypatch.chdir(tmp_path / "sub")
    code, out = invoke("config", "--format", "json")
    assert code == 0
    shown = json.loads(out)
    where = str((tmp_path / "pyproject.toml").resolve())
    assert shown["file"] == where
    assert shown["settings"]["ignore"] == {"value": ["NIX2"], "source": where}
    assert shown["settings"]["fail-on"] == {"value": "medium", "source": where}
    assert shown["settings"]["select"] == {"value": ["ALL"], "source": "default"}
    assert "NIX301" in shown["rules"] and not any(r.startswith("NIX2") for r in shown["rules"])
    code, out = invoke("config")
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == f"configuration file: {where}"
    assert lines[1].split() == ["select", '["ALL"]', "(default)"]
    assert lines[3].split() == ["ignore", '["NIX2"]', f"({where})"]


def test_config_command_reports_errors(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write(tmp_path, {"nixlint.toml": "bogus = true\n"})
    monkeypatch.chdir(tmp_path)
    code, out = invoke("config", str(tmp_path))
    assert code == 2
    assert out.startswith("nixlint: error: nixlint.toml: unknown key 'bogus'")


@pytest.mark.parametrize(
    ("pattern", "path", "hit"),
    [
        ("vendor", "vendor/x.nix", True),
        ("vendor", "a/vendor/x.nix", True),
        ("vendor/", "a/vendor/x.nix", True),
        ("/vendor", "a/vendor/x.nix", False),
        ("a/vendor", "a/vendor/b/x.nix", True),
        ("hosts/*.nix", "hosts/a.nix", True),
        ("hosts/*.nix", "hosts/lab/a.nix", False),
        ("hosts/**/*.nix", "hosts/lab/deep/a.nix", True),
        ("hosts/**/*.nix", "hosts/a.nix", True),
        ("hosts/**", "hosts/a.nix", True),
        ("*.generated.nix", "x/y/z.generated.nix", True),
        ("h?sts", "hosts/a.nix", True),
        ("[ab].nix", "b.nix", True),
        ("[!ab].nix", "b.nix", False),
        ("x.nix", "../x.nix", False),
    ],
)
def test_path_globs(pattern: str, path: str, hit: bool) -> None:
    from nixlint.globs import PathGlob

    assert PathGlob.make(pattern, "/repo").matches(os.path.normpath("/repo/" + path)) is hit


def test_selectors_accept_codes_names_prefixes_and_all() -> None:
    assert selectors(["NIX301,oci-privileged", "nix1", "ALL"]) == (
        "NIX301",
        "NIX101",
        "NIX1",
        "NIX",
    )
    with pytest.raises(ConfigError, match="unknown rule 'NIX1234'"):
        selectors(["NIX1234"])


def test_policy_answers_per_file(tmp_path: Path) -> None:
    write(tmp_path, {"nixlint.toml": 'ignore = ["NIX2"]\n', "deep/er/x.nix": ""})
    policy = Policy(Overrides())
    rules = policy.rules(str(tmp_path / "deep/er/x.nix"))
    assert "NIX301" in rules and "NIX201" not in rules
    assert policy.config_for(str(tmp_path / "deep/er/x.nix")).path == str(
        (tmp_path / "nixlint.toml").resolve()
    )
