"""File rules: they see every scanned file (hosts or not), keep flake-only findings to what
flakes evaluate, are cached by content, and a failing one does not stop the scan."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from nixlint.analyze import Options, check, load_workspace
from nixlint.cache import Cache
from nixlint.file_rules import evaluated_references, file_hits, flake_reach
from nixlint.parse import parse
from nixlint.rules import base
from tests.conftest import write

UNPINNED = 'builtins.fetchTarball "https://example.org/tools/archive/main.tar.gz"'


def _findings(path: Path) -> list[tuple[str, str, int]]:
    return [(Path(f.path).name, f.rule, f.line) for f in check([str(path)]).findings]


def test_a_package_expression_no_host_uses_is_checked(tmp_path: Path) -> None:
    write(
        tmp_path,
        {"pkgs/tool.nix": "{ stdenv }:\nstdenv.mkDerivation {\n  src = " + UNPINNED + ";\n}\n"},
    )
    assert _findings(tmp_path) == [("tool.nix", "NIX806", 3)]


def test_evaluated_references_leave_out_copied_files_and_source_trees(tmp_path: Path) -> None:
    text = '{ imports = [ ./a.nix ]; t = "${./test.nix}"; src = ./.; b = import ./lib/b.nix; }'
    src = parse(text.encode(), str(tmp_path / "flake.nix"))
    assert sorted(evaluated_references(src)) == [
        str(tmp_path / "a.nix"),
        str(tmp_path / "lib/b.nix"),
    ]


def test_flake_reach_follows_what_the_flake_evaluates(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "flake.nix": '{ outputs = _: { m = import ./m.nix; t = "${./t.nix}"; }; }',
            "m.nix": "import ./n.nix",
            "n.nix": "{ }",
            "t.nix": "{ }",
            "other.nix": "{ }",
        },
    )
    reach = flake_reach(load_workspace([str(tmp_path)]))
    assert sorted(Path(p).name for p in reach) == ["flake.nix", "m.nix", "n.nix"]


def test_hits_are_cached_by_content(tmp_path: Path) -> None:
    write(tmp_path, {"repo/shell.nix": "import (" + UNPINNED + ") { }\n"})
    cache = Cache(str(tmp_path / "cache"))
    wants = {"NIX806"}.__contains__
    first = list(file_hits(load_workspace([str(tmp_path / "repo")]), wants, cache))
    hits = cache.hits
    second = list(file_hits(load_workspace([str(tmp_path / "repo")]), wants, cache))
    cache.close()
    assert [(r.code, h.span.line, h.message) for r, h in first] == [
        (r.code, h.span.line, h.message) for r, h in second
    ]
    assert len(first) == 1 and cache.hits == hits + 1


def test_a_scan_with_a_cache_reports_the_same(tmp_path: Path) -> None:
    write(tmp_path, {"repo/shell.nix": "import (" + UNPINNED + ") { }\n"})
    options = Options(cache_dir=str(tmp_path / "cache"))
    runs = [
        [
            (f.rule, f.line, f.message)
            for f in check([str(tmp_path / "repo")], options=options).findings
        ]
        for _ in range(2)
    ]
    assert runs[0] == runs[1] and [r[:2] for r in runs[0]] == [("NIX806", 1)]


def test_a_failing_file_rule_is_an_internal_error_and_the_scan_goes_on(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    rule = base.lookup("NIX807")
    assert rule is not None

    def broken(ctx: base.FileContext) -> list[base.Hit]:
        raise RuntimeError("boom")

    monkeypatch.setitem(base.REGISTRY, "NIX807", replace(rule, file_check=broken))
    write(tmp_path, {"shell.nix": "import (" + UNPINNED + ") { }\n"})
    result = check([str(tmp_path)])
    assert result.internal_errors == 1
    assert [f.rule for f in result.findings] == ["NIX005", "NIX806"]


@pytest.mark.parametrize(
    ("mode", "writable"),
    [
        ("666", True),
        ("0777", True),
        ("1776", True),
        ("660", False),
        ("0664", False),
        ("o+w", True),
        ("a+rw", True),
        ("ugo=rw", True),
        ("u+x,o+w", True),
        ("g+rw", False),
        ("o-w", False),
        ("+w", False),  # the umask decides: not every user
        ("999", False),
    ],
)
def test_which_chmod_modes_let_every_user_write(mode: str, writable: bool) -> None:
    from nixlint.rules.container_scripts import world_writable

    assert world_writable(mode) is writable
