"""The workspace of a scan: given files are reported on, their project gives context."""

from __future__ import annotations

import os
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from nixlint.analyze import check
from nixlint.config import Policy
from nixlint.files import Listings, discover
from nixlint.workspace import FileStore, Session, open_workspace, project_root
from tests.conftest import write

FLEET = {
    "flake.nix": "{ outputs = { ... }: { }; }",
    "modules/common.nix": "{ lib, ... }: { nix.settings.sandbox = lib.mkDefault false; }",
    "hosts/web/default.nix": "{ imports = [ ../../modules/common.nix ]; nix.settings.sandbox = true; }",
    "hosts/db/default.nix": "{ imports = [ ../../modules/common.nix ]; }",
    "hosts/db/extra.nix": "{ nix.settings.sandbox = false; }",
}


def test_project_root_is_the_nearest_flake_or_the_git_top(tmp_path: Path) -> None:
    write(tmp_path, {"repo/sub/flake.nix": "{ }", "repo/sub/a/b.nix": "{ }", "repo/c/d.nix": "{ }"})
    subprocess.run(["git", "init", "-q", str(tmp_path / "repo")], check=True)
    assert project_root(str(tmp_path / "repo/sub/a/b.nix")) == str(tmp_path / "repo/sub")
    assert project_root(str(tmp_path / "repo/c/d.nix")) == str(tmp_path / "repo")
    assert project_root(str(tmp_path / "repo")) == str(tmp_path / "repo")


def test_a_given_file_is_judged_in_the_hosts_that_use_it(tmp_path: Path) -> None:
    write(tmp_path, FLEET)
    # web overrides the shared default, db keeps it: the finding is db's only
    result = check([str(tmp_path / "modules/common.nix")])
    assert [(Path(f.path).name, f.line, f.rule, f.hosts) for f in result.findings] == [
        ("common.nix", 1, "NIX301", ("db",))
    ]
    assert sorted(h.name for h in result.hosts) == ["db", "web"]


def test_only_given_files_are_reported(tmp_path: Path) -> None:
    write(tmp_path, FLEET)
    result = check([str(tmp_path / "hosts/web/default.nix")])
    assert result.findings == []
    assert [h.name for h in result.hosts] == ["web"]


def test_hosts_that_do_not_reach_a_given_file_are_not_built(tmp_path: Path) -> None:
    write(tmp_path, FLEET)
    workspace = open_workspace([str(tmp_path / "hosts/db/extra.nix")])
    assert workspace.targets == [str(tmp_path / "hosts/db/extra.nix")]
    assert str(tmp_path / "hosts/web/default.nix") in workspace.files
    assert workspace.roots_reaching(workspace.targets) == [str(tmp_path / "hosts/db/extra.nix")]


def test_relative_paths_are_resolved_against_the_current_directory(tmp_path, monkeypatch) -> None:
    from nixlint.workspace import real

    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    monkeypatch.chdir(tmp_path / "a")
    assert real("x.nix") == str(tmp_path / "a" / "x.nix")
    monkeypatch.chdir(tmp_path / "b")
    assert real("x.nix") == str(tmp_path / "b" / "x.nix")


def test_a_session_reuses_what_did_not_change_and_never_a_stale_result(tmp_path) -> None:
    from nixlint.analyze import Options
    from nixlint.workspace import Session

    write(
        tmp_path,
        {
            "host.nix": "{ imports = [ ./common.nix ]; networking.hostName = import ./name.nix; }",
            "common.nix": "{ nix.settings.sandbox = false; }",
            "name.nix": '"web"',
        },
    )
    session = Session()
    first = check([str(tmp_path)], options=Options(session=session))
    assert [(f.rule, Path(f.path).name) for f in first.findings] == [("NIX301", "common.nix")]
    parsed = dict(session.sources)
    again = check([str(tmp_path)], options=Options(session=session))
    assert again.findings == first.findings
    assert all(session.sources[p] is src for p, src in parsed.items())  # nothing parsed again
    # an unsaved edit of the shared module is seen, and only that module is taken apart again
    edited = {str(tmp_path / "common.nix"): b"{ nix.settings.sandbox = true; }"}
    assert check([str(tmp_path)], overlays=edited, options=Options(session=session)).findings == []
    assert [f.rule for f in check([str(tmp_path)], options=Options(session=session)).findings] == [
        "NIX301"
    ]
    # a file read through `import` that changes makes the module that read it stale
    (tmp_path / "name.nix").write_text('"db"')
    host = check([str(tmp_path)], options=Options(session=session)).hosts[0]
    assert host.graph.value("networking.hostName") == "db"  # type: ignore[union-attr]


def _age(root: Path) -> None:
    """Date everything under ``root`` ten seconds back (older than a racy change)."""
    then = time.time() - 10
    for path in [root, *root.rglob("*")]:
        os.utime(path, (then, then))


def _listed(tmp: Path, listings: Listings, policy: Policy) -> list[str]:
    found = discover([str(tmp)], policy.excluded, listings, policy.exclusion_key())
    return [os.path.relpath(p, tmp) for p in found]


def test_a_sessions_listing_is_reused_until_something_it_depends_on_changes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write(tmp_path, {"a.nix": "{ }", "sub/b.nix": "{ }", "sub/deep/c.nix": "{ }"})
    listings = Listings()
    walked: list[str] = []
    scandir = os.scandir

    def counting(path: str) -> Iterator[os.DirEntry[str]]:
        walked.append(path)
        return scandir(path)

    monkeypatch.setattr(os, "scandir", counting)
    cwd = str(tmp_path)
    assert _listed(tmp_path, listings, Policy(cwd=cwd)) == ["a.nix", "sub/b.nix", "sub/deep/c.nix"]
    assert _listed(tmp_path, listings, Policy(cwd=cwd)) == ["a.nix", "sub/b.nix", "sub/deep/c.nix"]
    assert len(walked) == 6  # just written: not trusted, listed again
    _age(tmp_path)
    walked.clear()
    assert _listed(tmp_path, listings, Policy(cwd=cwd)) == ["a.nix", "sub/b.nix", "sub/deep/c.nix"]
    assert len(walked) == 3
    assert _listed(tmp_path, listings, Policy(cwd=cwd)) == ["a.nix", "sub/b.nix", "sub/deep/c.nix"]
    assert len(walked) == 3  # nothing changed: nothing listed again
    (tmp_path / "sub" / "deep" / "d.nix").write_text("{ }")
    assert "sub/deep/d.nix" in _listed(tmp_path, listings, Policy(cwd=cwd))
    (tmp_path / "a.nix").unlink()
    assert "a.nix" not in _listed(tmp_path, listings, Policy(cwd=cwd))
    # a configuration file appearing, then changing, changes what is excluded
    (tmp_path / ".nixlint.toml").write_text('exclude = ["sub/deep"]\n')
    assert _listed(tmp_path, listings, Policy(cwd=cwd)) == ["sub/b.nix"]
    _age(tmp_path)
    (tmp_path / ".nixlint.toml").write_text('exclude = ["sub"]\n')
    assert _listed(tmp_path, listings, Policy(cwd=cwd)) == []
    # and so does a configuration file above the scanned directory
    (tmp_path / ".nixlint.toml").unlink()
    write(tmp_path, {"inner/x.nix": "{ }", "inner/y/z.nix": "{ }"})
    inner = tmp_path / "inner"
    assert _listed(inner, listings, Policy(cwd=cwd)) == ["x.nix", "y/z.nix"]
    (tmp_path / ".nixlint.toml").write_text('exclude = ["inner/y"]\n')
    assert _listed(inner, listings, Policy(cwd=cwd)) == ["x.nix"]


def test_a_session_reads_a_file_again_only_when_it_may_have_changed(tmp_path: Path) -> None:
    write(tmp_path, {"a.nix": "{ a = 1; }"})
    path = str(tmp_path / "a.nix")
    session = Session()

    def read() -> bytes | None:
        return FileStore([str(tmp_path)], session=session).data(path)

    assert read() == b"{ a = 1; }"
    (tmp_path / "a.nix").write_text("{ a = 2; }")  # same size, within the same second
    assert read() == b"{ a = 2; }"  # a racy time is not trusted
    _age(tmp_path)
    first = read()
    assert read() is first  # unchanged and old enough: the bytes kept
    stamp = os.stat(path)
    (tmp_path / "a.nix").write_text("{ a = 3; }")
    os.utime(path, ns=(stamp.st_atime_ns, stamp.st_mtime_ns))  # same time, same size
    assert read() == b"{ a = 2; }"  # what a stamp cannot see...
    session.changed([path])
    assert read() == b"{ a = 3; }"  # ...the editor's notice can
