"""What a small run loads: the pre-commit hook starts a new process for every commit, so
what only some runs need (the systemd assessor, the ``lib`` functions written in Nix, the
command-line framework, the language server, graphs) is loaded when first used."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from nixlint.evaluate import prelude
from nixlint.evaluate.evaluator import Evaluator
from nixlint.evaluate.library import LIB
from nixlint.evaluate.values import Thunk
from nixlint.parse import parse

ROOT = Path(__file__).resolve().parent.parent

#: Never imported by ``nixlint check`` on a host without systemd services.
NOT_LOADED = (
    "typer",
    "rich",
    "networkx",
    "pygls",
    "lsprotocol",
    "nixlint.cli",
    "nixlint.lsp",
    "nixlint.systemd.table",
    "nixlint.systemd.unit",
    "nixlint.systemd.assess",
    "nixlint.systemd.ranges",
    "nixlint.systemd.report",
)


def loaded(folder: Path, *args: str) -> tuple[int, set[str], bool]:
    """(exit code, modules imported, prelude evaluated) of ``nixlint check`` in a new process."""
    probe = (
        "import atexit, json, sys\n"
        "def report():\n"
        "    from nixlint.evaluate import prelude\n"
        "    print(json.dumps([sorted(sys.modules), bool(prelude._evaluated)]))\n"
        "atexit.register(report)\n"
        f"sys.argv = ['nixlint', 'check', *{list(args)!r}, {str(folder)!r}]\n"
        "from nixlint.quick import main\n"
        "main()\n"
    )
    done = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True)
    modules, evaluated = json.loads(done.stdout.splitlines()[-1])
    return done.returncode, set(modules), evaluated


@pytest.mark.parametrize("cache", ["cold", "warm"])
def test_a_small_check_loads_only_what_it_needs(tmp_path: Path, cache: str) -> None:
    host = tmp_path / "host"
    host.mkdir()
    (host / "host.nix").write_text("{ lib, ... }: { nix.settings.sandbox = lib.mkForce false; }\n")
    args = ("--cache-dir", str(tmp_path / "cache"))
    if cache == "warm":
        loaded(host, *args)
    code, modules, evaluated = loaded(host, *args)
    assert code == 1
    assert not [m for m in modules for name in NOT_LOADED if m == name or m.startswith(name + ".")]
    assert not evaluated


def test_a_host_with_services_loads_the_assessor(tmp_path: Path) -> None:
    (tmp_path / "host.nix").write_text(
        '{ systemd.services.web.serviceConfig = { ExecStart = "/bin/web"; PrivateTmp = true; }; }\n'
    )
    code, modules, _ = loaded(tmp_path, "--no-cache", "--select", "NIX303")
    assert code == 1
    assert "nixlint.systemd.report" in modules


def test_the_prelude_names_are_what_it_defines() -> None:
    assert set(prelude.NAMES) == set(prelude.prelude_functions(LIB))
    assert len(prelude.NAMES) == len(set(prelude.NAMES))


@pytest.mark.parametrize(
    ("expr", "expected"),
    [
        ("lib.pipe 1 [ (x: x + 1) (x: x * 3) ]", 6),
        ("lib.findFirst (x: x > 1) 0 [ 1 2 3 ]", 2),
        ('lib.concatMapAttrs (n: v: { "${n}-x" = v; }) { a = 1; }', {"a-x": 1}),
        ("lib.attrsToList { a = 1; }", [{"name": "a", "value": 1}]),
        ("lib.foldlAttrs (acc: n: v: acc + v) 0 { a = 1; b = 2; }", 3),
        ("lib.remove 2 [ 1 2 3 ]", [1, 3]),
        ("lib.zipListsWith (a: b: a + b) [ 1 2 ] [ 10 20 30 ]", [11, 22]),
    ],
)
def test_prelude_functions_work_when_first_used(expr: str, expected: object) -> None:
    evaluator = Evaluator()
    function = evaluator.eval_file(parse(f"lib: {expr}".encode(), "/prelude-test.nix"))
    value = evaluator.apply(function, Thunk.of(LIB))
    assert evaluator.deep(value) == expected
