"""Bad input never crashes: each case ends with findings (or none) and exit code 0 or 1."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from nixlint.analyze import check
from nixlint.parse import parse

# A hang guard, not a speed test: every case finishes in a few seconds.
TIMEOUT = 120


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "nixlint", *args], capture_output=True, text=True, timeout=TIMEOUT
    )


def findings_of(path: Path) -> tuple[int, list[tuple[str, int]]]:
    done = run_cli("check", "--format", "json", str(path))
    assert done.returncode in (0, 1), done.stderr
    report = json.loads(done.stdout)
    assert report["summary"]["internal_errors"] == 0
    return done.returncode, [(f["rule"], f["line"]) for f in report["findings"]]


def deep_nesting(depth: int) -> str:
    return (
        "{ a = " + "[" * depth + "]" * depth
        + "; b = " + "{ x = " * depth + "1" + "; }" * depth
        + "; c = " + "(" * depth + "1" + ")" * depth
        + "; d = " + "x: " * depth + "1"
        + "; e = " + "let y = " * depth + "1" + "; in y" * depth
        + "; }"
    )  # fmt: skip


def exponential_let(n: int) -> str:
    lines = ["let", "  x0 = [ 1 ];", '  s0 = "ab";']
    for i in range(1, n):
        lines.append(f"  x{i} = [ x{i - 1} x{i - 1} ];")
        lines.append(f"  s{i} = s{i - 1} + s{i - 1};")
    last = n - 1
    lines.append(
        f"in {{ nix.settings.sandbox = builtins.length x{last} > 0; e = s{last}; "
        f"f = builtins.toJSON x{last}; networking.hostName = s{last}; }}"
    )
    return "\n".join(lines)


def twenty_megabytes() -> str:
    entry = (
        '  systemd.services."svc{i}" = {{ script = "echo {i}"; '
        'serviceConfig.DynamicUser = true; environment.X = "' + "y" * 100 + '"; }};'
    )
    lines = ["{"]
    size = 0
    i = 0
    while size < 20 * 1024 * 1024:
        line = entry.format(i=i)
        lines.append(line)
        size += len(line) + 1
        i += 1
    lines.append("}")
    return "\n".join(lines)


def test_empty_file(tmp_path: Path) -> None:
    path = tmp_path / "empty.nix"
    path.write_bytes(b"")
    assert findings_of(path) == (0, [])


def test_binary_file(tmp_path: Path) -> None:
    path = tmp_path / "blob.nix"
    path.write_bytes(bytes(range(256)) * 20)
    assert findings_of(path) == (1, [("NIX003", 1)])


def test_invalid_utf8_is_reported_and_the_rest_analysed(tmp_path: Path) -> None:
    path = tmp_path / "latin1.nix"
    path.write_bytes(b'{\n  description = "caf\xe9";\n  nix.settings.sandbox = false;\n}\n')
    assert findings_of(path) == (1, [("NIX002", 2), ("NIX301", 3)])


def test_unterminated_string(tmp_path: Path) -> None:
    path = tmp_path / "open.nix"
    path.write_text('{ a = "unterminated; b = 1; }')
    assert findings_of(path) == (1, [("NIX001", 1)])


def test_ten_thousand_deep_nesting(tmp_path: Path) -> None:
    path = tmp_path / "deep.nix"
    path.write_text(deep_nesting(10_000))
    code, found = findings_of(path)
    assert (code, found) == (0, [])
    src = parse(path.read_bytes(), str(path))
    assert src.issues == []


def test_exponentially_growing_let(tmp_path: Path) -> None:
    path = tmp_path / "explode.nix"
    path.write_text(exponential_let(60))
    # sandbox = (length x59 > 0) = true: no finding, and no blow-up
    assert findings_of(path) == (0, [])


def test_twenty_megabyte_file(tmp_path: Path) -> None:
    path = tmp_path / "huge.nix"
    path.write_text(twenty_megabytes())
    assert findings_of(path) == (1, [("NIX003", 1)])


def test_file_that_cannot_be_read(tmp_path: Path) -> None:
    path = tmp_path / "secret.nix"
    path.write_text("{ }")
    path.chmod(0)
    try:
        with open(path, "rb"):
            pytest.skip("running with permission to read every file")
    except PermissionError:
        pass
    result = check([str(tmp_path)])
    assert [(f.rule, f.line) for f in result.findings] == [("NIX003", 1)]
    assert "Permission denied" in result.findings[0].message


def test_nonexistent_path_is_a_usage_error(tmp_path: Path) -> None:
    done = run_cli("check", str(tmp_path / "missing.nix"))
    assert done.returncode == 2
    assert "no such file or directory" in done.stderr


@pytest.mark.parametrize(
    "text",
    [
        "{ a = ",
        "let",
        "''",
        '"${',
        "{ a.b.c = 1; a.b = 2; }",
        "{ a = 1; a = 2; }",
        "(x: x x) (x: x x)",
        "let f = n: if n == 0 then 0 else f (n - 1); in f 100000",
        "rec { a = b; b = a; }.a",
        "import ./.",
        "{ imports = [ ./x.nix ./. ../.. /etc/passwd ]; }",
        '{ lib, ... }: lib.mkIf (throw "x") { }',
        "builtins.genList (x: x) 100000000",
        "{ config, ... }: { x = config; y = config.x; }",
        "{ config, lib, ... }: { a = lib.mkIf config.b 1; b = lib.mkIf config.a true; }",
        # undecidable conditions in recursion: both branches at every level
        "let f = n: if n <= 0 then 0 else let r = f (n - 1); in if builtins.currentTime > n"
        " then r else r; in { x = f 40; }",
        "let f = n: if n <= 0 then [ ] else if builtins.currentTime > n then f (n - 1)"
        " else [ n ] ++ f (n - 1); in f 60",
    ],
)
def test_odd_programs_end_cleanly(tmp_path: Path, text: str) -> None:
    path = tmp_path / "odd.nix"
    path.write_text(text)
    result = check([str(path)])
    assert result.internal_errors == 0
