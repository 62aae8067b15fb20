"""Incremental analysis: patching a module after an edit inside one value, and keeping
the findings of rules that read nothing the edit changed."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from nixlint.evaluate.context import FILTER, SHAPE
from nixlint.hosts import ModuleCache
from nixlint.lsp.analysis import analyse
from nixlint.lsp.navigation import option_at
from nixlint.modules import Module
from nixlint.parse import parse
from nixlint.patch import changed_range, patch_module
from nixlint.reuse import Change, RuleRun, related
from nixlint.workspace import FileStore, Session
from tests.edits import compare, shown

MODULE = """{ config, lib, pkgs, ... }:
let
  port = 8080;
in
{
  nix.settings.sandbox = false;
  services.nginx.virtualHosts."a.example.org" = {
    forceSSL = true;
    locations."/".proxyPass = "http://127.0.0.1:${toString port}";
  };
  fileSystems."/srv" = { device = "/dev/sda2"; fsType = "ext4"; };
  users.users.alice.extraGroups = [ "wheel" ];
  imports = [ ];
  wrapped = lib.mkIf true {
    inner = 1;
  };
  odd = rec {
    a = 1;
    b = a;
  };
  one = 1; two = 2;
}
"""


def taken_apart(tmp_path: Path, text: str) -> tuple[list[Module], str]:
    path = str(tmp_path / "configuration.nix")
    Path(path).write_text(text)
    store = FileStore([str(tmp_path)])
    cache = ModuleCache(store)
    src = store.get(path)
    assert src is not None
    key, args = cache.arguments(None)
    return cache.modules(path, src, key, args), path


def patched(tmp_path: Path, old: str, new: str) -> Module | None:
    modules, path = taken_apart(tmp_path, old)
    found = patch_module(modules, parse(new.encode(), path))
    return found[0] if found else None


def values(module: Module) -> dict[str, object]:
    return {".".join(d.path): d.value.force() for d in module.definitions if d.kind == "value"}


def test_changed_range_is_the_differing_bytes() -> None:
    assert changed_range(b"abcdef", b"abXYef") == (2, 4, 4)
    assert changed_range(b"abc", b"abXc") == (2, 2, 3)
    assert changed_range(b"aaaa", b"aa") == (2, 4, 2)
    assert changed_range(b"same", b"same") == (4, 4, 4)


def test_a_value_edit_replaces_that_definition_only(tmp_path: Path) -> None:
    module = patched(tmp_path, MODULE, MODULE.replace("sandbox = false", "sandbox = true"))
    assert module is not None
    assert module.changed == frozenset({("nix", "settings", "sandbox")})
    assert module.reshaped == frozenset()
    assert values(module)["nix.settings.sandbox"] is True
    assert values(module)["fileSystems./srv.device"] == "/dev/sda2"
    sandbox = next(d for d in module.definitions if d.path == ("nix", "settings", "sandbox"))
    assert (sandbox.span.line, sandbox.span.column) == (6, 3)


def test_the_module_keeps_the_new_value_in_its_sets(tmp_path: Path) -> None:
    """A rule reading an enclosing set sees the edited value too."""
    module = patched(tmp_path, MODULE, MODULE.replace('"/dev/sda2"', '"/dev/mapper/root"'))
    assert module is not None
    fs = next(d for d in module.definitions if d.path == ("fileSystems", "/srv"))
    device = fs.value.force().attrs["device"].thunk.force()  # type: ignore[union-attr]
    assert device == "/dev/mapper/root"


def test_a_value_growing_names_reshapes_its_path(tmp_path: Path) -> None:
    new = MODULE.replace("users.users.alice.extraGroups", "users.users.alice.extraGroups")
    new = new.replace("sandbox = false;", "sandbox = { x = 1; };")
    module = patched(tmp_path, MODULE, new)
    assert module is not None
    assert ("nix", "settings", "sandbox") in module.reshaped  # type: ignore[operator]
    assert values(module)["nix.settings.sandbox.x"] == 1


def test_an_edit_inside_an_interpolation_patches_the_string(tmp_path: Path) -> None:
    module = patched(tmp_path, MODULE, MODULE.replace("127.0.0.1", "0.0.0.0"))
    assert module is not None
    path = "services.nginx.virtualHosts.a.example.org.locations./.proxyPass"
    assert values(module)[path] == "http://0.0.0.0:8080"


def test_an_edit_below_a_function_call_or_rec_set_takes_the_whole_value(tmp_path: Path) -> None:
    module = patched(tmp_path, MODULE, MODULE.replace("inner = 1", "inner = 2"))
    assert module is not None and ("wrapped",) in module.changed  # type: ignore[operator]
    assert values(module)["wrapped.inner"] == 2
    module = patched(tmp_path, MODULE, MODULE.replace("a = 1;", "a = 5;"))
    assert module is not None and ("odd",) in module.changed  # type: ignore[operator]
    assert values(module)["odd.b"] == 5


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("port = 8080;", "port = 9090;"),  # a let binding: other values may use it
        ("sandbox = false;", "sandboxx = false;"),  # a name
        ("sandbox = false;", "sandbox =\n    false;"),  # a new line moves what follows
        ("sandbox = false;", "sandbox = (false;"),  # a syntax error
        ("one = 1;", "one = 3;"),  # something else follows on the line
        ("imports = [ ];", "imports = [ ./x.nix ];"),  # not configuration
        ("{ config, lib, pkgs, ... }:", "{ config, lib, ... }:"),  # the arguments
    ],
)
def test_other_edits_take_the_module_apart_again(tmp_path: Path, old: str, new: str) -> None:
    assert old in MODULE
    assert patched(tmp_path, MODULE, MODULE.replace(old, new)) is None


def test_paths_are_related_when_one_is_a_prefix_of_the_other() -> None:
    assert related(("a", "b"), ("a", "b", "c"))
    assert related(("a", "b", "c"), ("a",))
    assert related(("a", "*", "c"), ("a", "x", "c", "d"))
    assert not related(("a", "b"), ("a", "c"))
    assert not related(("x",), ("a",))


def test_a_rule_is_affected_by_what_it_read() -> None:
    run = RuleRun.of([], [("nix", "settings", "sandbox"), (SHAPE, ("fileSystems",))])
    assert run.affected_by(Change(values={("nix", "settings")}))
    assert run.affected_by(Change(values={("nix", "settings", "sandbox", "x")}))
    assert not run.affected_by(Change(values={("nix", "settings", "substituters")}))
    assert not run.affected_by(Change(values={("fileSystems", "/srv", "device")}))
    assert run.affected_by(Change(reshaped={("fileSystems",)}))
    assert run.affected_by(Change(everything=True))
    assert RuleRun.of([], [()]).affected_by(Change(values={("x",)}))
    named = RuleRun.of([], [(FILTER, lambda path: path[-1] == "password")])
    assert named.affected_by(Change(values={("users", "users", "a", "password")}))
    assert not named.affected_by(Change(values={("users", "users", "a", "name")}))


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / ".git").mkdir()
    (tmp_path / "configuration.nix").write_text(MODULE.replace("  imports = [ ];\n", ""))
    return tmp_path


def test_rules_that_read_nothing_edited_keep_their_findings(project: Path) -> None:
    path = os.path.realpath(project / "configuration.nix")
    text = (project / "configuration.nix").read_bytes()
    session = Session()
    first = analyse([path], {path: parse(text, path)}, session=session)
    assert ("NIX301", 6) in {(f.rule, f.line) for f in first.findings[path]}
    edited = parse(text.replace(b"sandbox = false", b"sandbox = true"), path)
    second = analyse([path], {path: edited}, session=session)
    again, kept = session.rules.last  # type: ignore[attr-defined]
    assert "NIX301" in again
    assert "NIX201" in kept and "NIX201" not in again
    assert "NIX503" in kept  # it asked for the paths whose names may hold a secret
    assert ("NIX301", 6) not in {(f.rule, f.line) for f in second.findings[path]}
    assert shown(second) == shown(analyse([path], {path: edited}, session=Session()))


def test_hover_finds_definitions_after_a_longer_value(project: Path) -> None:
    path = os.path.realpath(project / "configuration.nix")
    text = (project / "configuration.nix").read_bytes()
    session = Session()
    analyse([path], {path: parse(text, path)}, session=session)
    longer = text.replace(b"forceSSL = true", b"forceSSL = false")
    src = parse(longer, path)
    snapshot = analyse([path], {path: src}, session=session)
    assert "NIX201" in session.rules.last[1]  # type: ignore[attr-defined]
    offset = longer.index(b"proxyPass")
    target = option_at(src, offset, snapshot.hosts)
    assert target is not None
    assert target.path == (
        "services",
        "nginx",
        "virtualHosts",
        "a.example.org",
        "locations",
        "/",
        "proxyPass",
    )


def test_edits_give_what_a_full_analysis_gives_on_the_demo() -> None:
    demo = Path(__file__).resolve().parent.parent / "fixtures" / "demo"
    for name in sorted(os.listdir(demo)):
        kept, problems = compare(str(demo / name), 10)
        assert problems == []
        assert kept > 0, name


FLAKE = """{
  inputs.nixpkgs.url = "github:NixOS/nixpkgs/nixos-24.11";
  outputs = { self, nixpkgs, ... }@inputs: {
    nixosConfigurations.web = nixpkgs.lib.nixosSystem {
      specialArgs = { inherit inputs; };
      modules = [ ./configuration.nix { networking.hostName = "web"; } ];
    };
  };
}
"""


def test_a_flake_host_keeps_its_modules_and_findings_between_edits(project: Path) -> None:
    """The flake is not evaluated again while the files it read are unchanged, so its
    hosts keep their arguments, and their modules are patched rather than rebuilt."""
    (project / "flake.nix").write_text(FLAKE)
    path = os.path.realpath(project / "configuration.nix")
    text = (project / "configuration.nix").read_bytes()
    session = Session()
    first = analyse([path], {path: parse(text, path)}, session=session)
    assert {f.host for f in first.findings[path]} == {"web"}
    edited = parse(text.replace(b'"/dev/sda2"', b'"/dev/sdb2"'), path)
    second = analyse([path], {path: edited}, session=session)
    again, kept = session.rules.last  # type: ignore[attr-defined]
    assert "NIX201" in again and "NIX301" in kept
    assert ("NIX201", 11) in {(f.rule, f.line) for f in second.findings[path]}
    assert shown(second) == shown(analyse([path], {path: edited}, session=Session()))


def test_edits_give_what_a_full_analysis_gives_on_every_rule_fixture(tmp_path: Path) -> None:
    """Each rule's examples, each its own project, edited three times in a row."""
    fixtures = Path(__file__).resolve().parent.parent / "fixtures" / "rules"
    shutil.copytree(fixtures, tmp_path / "rules")
    kept = 0
    for rule in sorted((tmp_path / "rules").iterdir()):
        (rule / ".git").mkdir()
        for file in sorted(rule.rglob("*.nix")):
            found, problems = compare(str(file), 3)
            assert problems == []
            kept += found
    assert kept > 0


def test_a_failing_patch_takes_the_module_apart_instead(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: object) -> None:
        raise RuntimeError("bug")

    path = os.path.realpath(project / "configuration.nix")
    text = (project / "configuration.nix").read_bytes()
    session = Session()
    analyse([path], {path: parse(text, path)}, session=session)
    monkeypatch.setattr("nixlint.hosts.patch_module", broken)
    edited = parse(text.replace(b"sandbox = false", b"sandbox = true"), path)
    second = analyse([path], {path: edited}, session=session)
    assert "NIX000" not in {f.rule for f in second.findings[path]}
    assert shown(second) == shown(analyse([path], {path: edited}, session=Session()))
