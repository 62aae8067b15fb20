"""Parser conformance: the syntax people write parses cleanly; bad text becomes findings."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from nixlint.analyze import check
from nixlint.parse import parse
from tests.conftest import FIXTURES

SYNTAX = sorted((FIXTURES / "syntax").glob("*.nix"))
ALL_VALID = SYNTAX + sorted(
    p for p in FIXTURES.rglob("*.nix") if "syntax" not in p.parts and p.parent.name != "NIX001"
)
NIX = shutil.which("nix-instantiate")


@pytest.mark.parametrize("path", SYNTAX, ids=lambda p: p.name)
def test_real_world_syntax_parses_without_error_nodes(path: Path) -> None:
    src = parse(path.read_bytes(), str(path))
    assert src.tree is not None
    assert not src.tree.root_node.has_error
    assert src.issues == []


@pytest.mark.skipif(NIX is None, reason="nix-instantiate is not installed")
@pytest.mark.parametrize("path", ALL_VALID, ids=lambda p: str(p.relative_to(FIXTURES)))
def test_nix_accepts_every_fixture_meant_to_be_valid(path: Path) -> None:
    done = subprocess.run([NIX, "--parse", str(path)], capture_output=True, text=True, timeout=30)
    assert done.returncode == 0, done.stderr


@pytest.mark.parametrize(
    ("text", "line", "column", "kind"),
    [
        (b"{ a = 1 }", 1, 8, "missing"),
        (b"{\n  a = ;\n}", 2, 6, "missing"),
        (b'{ a = "unterminated; }', 1, 7, "error"),
        (b"let in", 1, 7, "missing"),
    ],
)
def test_syntax_errors_have_a_location(text: bytes, line: int, column: int, kind: str) -> None:
    src = parse(text, "x.nix")
    assert [(i.kind, i.span.line, i.span.column) for i in src.issues][:1] == [(kind, line, column)]


def test_analysis_continues_around_a_syntax_error(tmp_path: Path) -> None:
    path = tmp_path / "host.nix"
    path.write_text("{\n  nix.settings.sandbox = false;\n  broken = ;\n}\n")
    result = check([str(path)])
    assert [(f.rule, f.line) for f in result.findings] == [("NIX301", 2), ("NIX001", 3)]


def test_columns_count_characters_not_bytes(tmp_path: Path) -> None:
    path = tmp_path / "host.nix"
    path.write_text(
        '{ description = "héllo wörld"; nix.settings.sandbox = false; }\n', encoding="utf-8"
    )
    [finding] = check([str(path)]).findings
    line = path.read_text(encoding="utf-8").splitlines()[0]
    assert finding.column == line.index("false") + 1
    assert finding.end_column == finding.column + len("false")


def test_a_comment_ended_by_a_lone_carriage_return_ends_the_line() -> None:
    src = parse(b"x: #comment\rx", "cr.nix")
    assert src.issues == []


def test_the_pipe_operator_gets_a_clear_message() -> None:
    src = parse(b"[ 1 ] |> builtins.head", "pipe.nix")
    assert [i.message for i in src.issues][:1] == [
        "syntax error: the pipe operators |> and <| (an experimental Nix feature) are not supported"
    ]


def test_relative_paths_in_a_symlinked_file_start_from_its_target(tmp_path: Path) -> None:
    (tmp_path / "real" / "sub").mkdir(parents=True)
    (tmp_path / "link").mkdir()
    (tmp_path / "real" / "other.nix").write_text("{ nix.settings.sandbox = false; }")
    (tmp_path / "real" / "sub" / "default.nix").write_text("{ imports = [ ../other.nix ]; }")
    (tmp_path / "link" / "default.nix").symlink_to(tmp_path / "real" / "sub" / "default.nix")
    (tmp_path / "main.nix").write_text("{ imports = [ ./link ]; }")
    result = check([str(tmp_path)])
    assert [(f.rule, Path(f.path).name) for f in result.findings] == [("NIX301", "other.nix")]
