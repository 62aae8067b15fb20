from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures"

_EXPECT = re.compile(r"#\s*expect:\s*([A-Z0-9, ]+)")


def expectations(path: Path) -> set[tuple[str, int, str]]:
    """(file, line, code) for every ``# expect: CODE[, CODE]`` annotation in ``path``
    (a file, or every .nix file under a directory)."""
    files = [path] if path.is_file() else sorted(path.rglob("*.nix"))
    found: set[tuple[str, int, str]] = set()
    for file in files:
        for number, line in enumerate(file.read_text(encoding="utf-8").splitlines(), start=1):
            match = _EXPECT.search(line)
            if match:
                for code in match.group(1).split(","):
                    if code.strip():
                        found.add((os.path.relpath(file, ROOT), number, code.strip()))
    return found


@pytest.fixture(autouse=True)
def _in_repo_root(
    monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """Findings carry paths relative to the working directory: run from the repository root.
    The command line caches results: each test gets its own cache."""
    monkeypatch.chdir(ROOT)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path_factory.mktemp("cache")))


def write(tmp: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        target = tmp / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    return tmp
