"""``nixlint check`` without typer: the same options as the typer command, the same output,
and no command-line framework imported on the way."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from nixlint.cli import app
from nixlint.quick import CHOICES, FLAGS, REPEATABLE, VALUED, parse
from nixlint.report import FORMATS
from tests.conftest import ROOT, write


def test_the_option_tables_are_the_typer_commands() -> None:
    command = typer.main.get_command(app).commands["check"]  # type: ignore[attr-defined]
    flags: dict[str, str] = {}
    valued: dict[str, str] = {}
    repeatable: set[str] = set()
    for param in command.params:
        if param.param_type_name != "option":
            continue
        for opt in param.opts:
            (flags if param.is_flag else valued)[opt] = param.name
        if param.multiple:
            repeatable.add(param.name)
        if hasattr(param.type, "choices"):
            assert tuple(param.type.choices) == CHOICES[param.name]
    assert (flags, valued, repeatable) == (FLAGS, VALUED, set(REPEATABLE))
    assert CHOICES["format"] == FORMATS


@pytest.mark.parametrize(
    ("argv", "parsed"),
    [
        (["a.nix"], {"paths": ["a.nix"]}),
        (
            ["a.nix", "-f", "json", "--select=NIX1", "--select", "NIX3", "-q", "b.nix"],
            {
                "paths": ["a.nix", "b.nix"],
                "format": "json",
                "select": ["NIX1", "NIX3"],
                "quiet": True,
            },
        ),
        (["--", "-odd.nix"], {"paths": ["-odd.nix"]}),
        (["a.nix", "--help"], None),
        (["a.nix", "-qf", "json"], None),
        (["a.nix", "--format", "xml"], None),
        (["a.nix", "--fail-on"], None),
        (["a.nix", "--exit-zero=yes"], None),
        ([], None),
    ],
)
def test_parse(argv: list[str], parsed: dict[str, object] | None) -> None:
    assert parse(argv) == parsed


def _program(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "nixlint", *args], cwd=cwd, capture_output=True, text=True
    )


def test_same_output_and_exit_code_as_the_typer_command(tmp_path: Path) -> None:
    write(tmp_path, {"host.nix": "{ nix.settings.sandbox = false; } # nixlint: ignore[NIX101]\n"})
    for args in (
        ["check", "fixtures/demo", "--select", "NIX1", "-f", "json"],
        ["check", str(tmp_path), "--isolated", "--statistics"],
        ["check", str(tmp_path), "--isolated", "--fail-on", "critical", "-f", "concise"],
        ["check", str(tmp_path / "missing.nix")],
    ):
        direct = _program(*args)
        typed = CliRunner().invoke(app, args)
        assert (direct.returncode, direct.stdout + direct.stderr) == (
            typed.exit_code,
            typed.output,
        ), args


def test_plain_check_does_not_import_typer(tmp_path: Path) -> None:
    write(tmp_path, {"host.nix": "{ nix.settings.sandbox = false; }\n"})
    probe = (
        "import atexit, sys\n"
        "atexit.register(lambda: print('typer imported:', 'typer' in sys.modules))\n"
        f"sys.argv = ['nixlint', 'check', {str(tmp_path)!r}]\n"
        "from nixlint.quick import main\n"
        "main()\n"
    )
    done = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 1
    assert done.stdout.splitlines()[-1] == "typer imported: False"


def test_anything_else_goes_to_typer() -> None:
    done = _program("check", "--help")
    assert done.returncode == 0 and "Usage:" in done.stdout
    done = _program("check", "fixtures/demo", "--format", "xml")
    assert done.returncode == 2 and "Invalid value" in done.stderr
    done = _program("--version")
    assert done.returncode == 0 and done.stdout.startswith("nixlint ")
