"""The command line: JSON contract, exit codes, option queries, rule listing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from nixlint import __version__
from nixlint.cli import app
from tests.conftest import write

runner = CliRunner()
DEMO = "fixtures/demo"


def invoke(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.output


def test_version() -> None:
    code, out = invoke("--version")
    assert code == 0
    assert out.startswith(f"nixlint {__version__} (grammar: tree-sitter-language-pack 0.13.0)")


def test_json_report_follows_the_contract() -> None:
    code, out = invoke("check", DEMO, "--format", "json")
    assert code == 1
    report = json.loads(out)
    assert report["version"] == __version__
    assert report["summary"]["files"] == 4
    assert report["summary"]["findings"] == len(report["findings"])
    first = report["findings"][0]
    assert set(first) >= {
        "rule", "name", "category", "severity", "confidence", "path", "line", "column",
        "end_line", "end_column", "message", "option", "host", "fingerprint",
    }  # fmt: skip
    found = {(f["rule"], f["path"], f["line"], f["column"]) for f in report["findings"]}
    assert found == {
        ("NIX301", "fixtures/demo/configuration.nix", 12, 20),
        ("NIX402", "fixtures/demo/configuration.nix", 14, 3),
        ("NIX403", "fixtures/demo/configuration.nix", 14, 3),
        ("NIX104", "fixtures/demo/containers.nix", 10, 7),
        ("NIX101", "fixtures/demo/containers.nix", 13, 7),
        ("NIX102", "fixtures/demo/containers.nix", 14, 7),
        ("NIX110", "fixtures/demo/containers.nix", 18, 3),
        ("NIX111", "fixtures/demo/containers.nix", 20, 32),
        ("NIX201", "fixtures/demo/hardware-configuration.nix", 8, 14),
        ("NIX203", "fixtures/demo/hardware-configuration.nix", 17, 19),
        ("NIX302", "fixtures/demo/services.nix", 3, 3),
        ("NIX303", "fixtures/demo/services.nix", 14, 5),
    }
    privileged = next(f for f in report["findings"] if f["rule"] == "NIX101")
    assert privileged == {
        **privileged,
        "name": "oci-privileged",
        "category": "containers",
        "severity": "high",
        "confidence": "high",
        "end_line": 13,
        "end_column": 21,
        "option": "virtualisation.oci-containers.containers.hass.extraOptions",
        "host": "configuration",
    }
    categories = {"syntax", "containers", "encryption", "sandboxing", "access", "secrets"}
    categories |= {"network", "kernel", "supply-chain"}
    assert all(f["category"] in categories for f in report["findings"])


def test_text_report_shows_the_line_and_a_summary() -> None:
    code, out = invoke("check", DEMO, "--select", "NIX301")
    assert code == 1
    assert out.splitlines() == [
        "fixtures/demo/configuration.nix",
        "  12:20  high      NIX301  the Nix build sandbox is disabled "
        "(set as the renamed option nix.useSandbox)",
        "    12 |   nix.useSandbox = false;",
        "       |                    ^^^^^",
        "",
        "Found 1 finding (1 high) in 4 files, 1 host.",
        "Run `nixlint explain NIX301` (or any code above) for what a rule checks and how to fix it.",
    ]


@pytest.mark.parametrize(
    ("args", "rules"),
    [
        (["--select", "NIX301"], {"NIX301"}),
        (["--select", "nix-sandbox-disabled"], {"NIX301"}),
        (["--select", "NIX1"], {"NIX101", "NIX102", "NIX104", "NIX110", "NIX111"}),
        (["--select", "NIX101,NIX102"], {"NIX101", "NIX102"}),
        (["--select", "NIX2", "--ignore", "swap-not-encrypted"], {"NIX201"}),
        (
            ["--ignore", "NIX1", "--ignore", "NIX2", "--ignore", "NIX4"],
            {"NIX301", "NIX302", "NIX303"},
        ),
        (["--select", "NIX4"], {"NIX402", "NIX403"}),
    ],
)
def test_select_and_ignore_take_codes_names_and_prefixes(args: list[str], rules: set[str]) -> None:
    code, out = invoke("check", DEMO, "--format", "json", *args)
    assert code == 1
    assert {f["rule"] for f in json.loads(out)["findings"]} == rules


def test_exit_codes_follow_the_threshold(tmp_path: Path) -> None:
    write(tmp_path, {"host.nix": '{ containers.web.privateUsers = "identity"; }'})  # medium
    assert invoke("check", str(tmp_path))[0] == 1
    assert invoke("check", str(tmp_path), "--fail-on", "medium")[0] == 1
    assert invoke("check", str(tmp_path), "--fail-on", "high")[0] == 0
    assert invoke("check", str(tmp_path), "--exit-zero")[0] == 0
    clean = write(tmp_path / "clean", {"host.nix": "{ networking.firewall.enable = true; }"})
    assert invoke("check", str(clean))[0] == 0


def test_info_findings_do_not_fail_by_default(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "host.nix": """{
              boot.initrd.luks.devices.root.device = "/dev/sda2";
              fileSystems."/" = { device = "/dev/disk/by-uuid/1234"; fsType = "ext4"; };
            }"""
        },
    )
    code, out = invoke("check", str(tmp_path), "--format", "json")
    assert [f["rule"] for f in json.loads(out)["findings"]] == ["NIX202"]
    assert code == 0


@pytest.mark.parametrize(
    "args",
    [
        ["check", "does-not-exist"],
        ["check", DEMO, "--select", "NIX999"],
        ["check", DEMO, "--fail-on", "sometimes"],
        ["check", DEMO, "--format", "xml"],
        ["option", DEMO, "nix.settings.sandbox", "--host", "nope"],
        ["explain", "NIX999"],
        ["frobnicate"],
    ],
)
def test_usage_errors_exit_2(args: list[str]) -> None:
    assert invoke(*args)[0] == 2


def test_output_file(tmp_path: Path) -> None:
    target = tmp_path / "report.json"
    code, out = invoke("check", DEMO, "--format", "json", "--output", str(target))
    assert code == 1
    assert out.splitlines()[0] == "fixtures/demo/configuration.nix"  # the text report
    assert invoke("check", DEMO, "-f", "json", "-o", str(target), "--quiet") == (1, "")
    assert json.loads(target.read_text())["summary"]["findings"] == 12


def test_option_query_json_follows_the_contract() -> None:
    code, out = invoke("option", DEMO, "nix.settings.sandbox", "--format", "json")
    assert code == 0
    assert json.loads(out) == {
        "option": "nix.settings.sandbox",
        "host": "configuration",
        "known": True,
        "value": False,
        "source": "definitions",
        "definitions": [
            {
                "path": "fixtures/demo/configuration.nix",
                "line": 12,
                "column": 3,
                "priority": 100,
                "condition": "true",
                "value": False,
                "written_as": "nix.useSandbox",
            }
        ],
    }


def test_option_query_per_host(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "common.nix": '{ lib, ... }: { services.openssh.settings.PermitRootLogin = lib.mkDefault "no"; }',
            "a.nix": '{ imports = [ ./common.nix ]; services.openssh.permitRootLogin = "yes"; }',
            "b.nix": "{ imports = [ ./common.nix ]; }",
        },
    )
    code, out = invoke(
        "option", str(tmp_path), "services.openssh.settings.PermitRootLogin", "--format", "json"
    )
    assert code == 0
    assert [(a["host"], a["value"]) for a in json.loads(out)] == [("a", "yes"), ("b", "no")]
    code, out = invoke(
        "option",
        str(tmp_path),
        "services.openssh.settings.PermitRootLogin",
        "--host",
        "b",
        "--format",
        "json",
    )
    assert json.loads(out)["value"] == "no"
    code, out = invoke(
        "option", str(tmp_path), "services.openssh.settings.PermitRootLogin", "--host", "a"
    )
    assert out.splitlines()[0] == (
        'services.openssh.settings.PermitRootLogin [host a] = "yes"  (from: definitions)'
    )


def test_option_query_of_an_unset_option_uses_the_nixos_default() -> None:
    code, out = invoke(
        "option", DEMO, "services.openssh.settings.PasswordAuthentication", "--format", "json"
    )
    assert code == 0
    assert json.loads(out) == {
        "option": "services.openssh.settings.PasswordAuthentication",
        "host": "configuration",
        "known": True,
        "value": True,
        "source": "default",
        "definitions": [],
    }


def test_rules_list_and_explain() -> None:
    code, out = invoke("rules", "--format", "json")
    assert code == 0
    catalogue = json.loads(out)
    codes = [r["code"] for r in catalogue]
    assert codes == sorted(codes)
    assert {"NIX001", "NIX101", "NIX110", "NIX201", "NIX203", "NIX301", "NIX302"} <= set(codes)
    for r in catalogue:
        assert set(r) >= {"code", "name", "category", "severity", "summary", "description"}
        assert (
            r["code"][3]
            == {
                "syntax": "0",
                "containers": "1",
                "encryption": "2",
                "sandboxing": "3",
                "access": "4",
                "secrets": "5",
                "network": "6",
                "kernel": "7",
                "supply-chain": "8",
            }[r["category"]]
        )
    code, out = invoke("explain", "oci-privileged")
    assert code == 0
    assert out.startswith("NIX101 oci-privileged (containers, high, high confidence)  CWE-250\n")
    assert "## Why is this bad?" in out


def test_python_dash_m_runs_the_cli() -> None:
    import subprocess
    import sys

    done = subprocess.run(
        [sys.executable, "-m", "nixlint", "--version"], capture_output=True, text=True
    )
    assert done.returncode == 0 and done.stdout.startswith("nixlint ")


@pytest.mark.parametrize(
    "argv", [["check", "fixtures", "--no-cache"], ["rules", "--format", "json"]]
)
def test_a_reader_that_goes_away_stops_the_output_quietly(argv: list[str]) -> None:
    import subprocess
    import sys

    process = subprocess.Popen(
        [sys.executable, "-m", "nixlint", *argv],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env={"COLUMNS": "80", "PATH": "/usr/bin:/bin"},
    )
    assert process.stdout is not None and process.stderr is not None
    assert process.stdout.readline()  # like `| head -1`: read a line, then close the pipe
    process.stdout.close()
    stderr = process.stderr.read().decode()
    assert process.wait() == 1
    assert "Traceback" not in stderr and "BrokenPipeError" not in stderr


def test_a_path_without_nix_files_is_said_on_stderr(tmp_path: Path, capsys) -> None:
    from nixlint.quick import execute

    (tmp_path / "README.md").write_text("not nix\n")
    assert execute([str(tmp_path)], no_cache=True) == 0
    captured = capsys.readouterr()
    assert captured.out == "No findings in 0 files, 0 hosts.\n"
    assert captured.err == (
        f"nixlint: warning: no .nix files found in {tmp_path} (or all of them are excluded)\n"
    )
