"""The pre-commit hook, driven by the real ``pre-commit try-repo`` in a throw-away git
repository: a bad file fails the hook and shows the finding, a good file passes."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT, write

yaml = pytest.importorskip("yaml")  # pre-commit's own dependency

PRE_COMMIT = Path(sys.executable).with_name("pre-commit")
GIT = ["git", "-c", "user.name=nixlint", "-c", "user.email=nixlint@example.invalid"]

pytestmark = pytest.mark.skipif(
    not PRE_COMMIT.exists() or shutil.which("git") is None, reason="pre-commit or git missing"
)


def test_the_hook_manifest() -> None:
    [hook] = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
    assert hook["id"] == "nixlint"
    assert hook["language"] == "python"
    assert hook["types"] == ["nix"]
    assert hook["entry"] == "nixlint check"
    assert hook.get("pass_filenames", True) is True


@pytest.fixture(scope="module")
def hook_repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """This working tree as a git repository pre-commit can install from."""
    repo = tmp_path_factory.mktemp("hook")
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    for name in ("nixlint", "grammars"):
        shutil.copytree(ROOT / name, repo / name, ignore=ignore)
    for name in ("pyproject.toml", "README.md", ".pre-commit-hooks.yaml"):
        shutil.copy2(ROOT / name, repo / name)
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    subprocess.run([*GIT, "add", "-A"], cwd=repo, check=True)
    subprocess.run([*GIT, "commit", "-q", "-m", "hook"], cwd=repo, check=True)
    return repo


def try_repo(hook_repo: Path, project: Path, *files: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PRE_COMMIT", "GIT_"))}
    return subprocess.run(
        [
            str(PRE_COMMIT),
            "try-repo",
            str(hook_repo),
            "nixlint",
            "--color",
            "never",
            "--files",
            *files,
        ],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )


def project(tmp_path: Path, files: dict[str, str]) -> Path:
    write(tmp_path, files)
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    subprocess.run([*GIT, "add", "-A"], cwd=tmp_path, check=True)
    return tmp_path


def test_a_bad_file_fails_the_hook_and_a_good_one_passes(hook_repo: Path, tmp_path: Path) -> None:
    repo = project(
        tmp_path,
        {
            "hosts/web/default.nix": "{ imports = [ ../../modules/build.nix ]; }\n",
            "modules/build.nix": "{\n  nix.settings.sandbox = false;\n}\n",
            "modules/ok.nix": "{\n  nix.settings.sandbox = true;\n}\n",
        },
    )
    failed = try_repo(hook_repo, repo, "modules/build.nix")
    assert failed.returncode == 1, failed.stdout + failed.stderr
    out = failed.stdout
    assert re.search(r"^nixlint\.+Failed$", out, re.MULTILINE)
    assert "modules/build.nix\n  2:26  high      NIX301  the Nix build sandbox is disabled\n" in out
    assert "Found 1 finding (1 high) in 1 file, 1 host." in out

    passed = try_repo(hook_repo, repo, "modules/ok.nix")
    assert passed.returncode == 0, passed.stdout + passed.stderr
    assert re.search(r"^nixlint\.+Passed$", passed.stdout, re.MULTILINE)
