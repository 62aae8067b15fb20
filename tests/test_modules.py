"""Module-system semantics: forms, priorities, conditions, merging, imports, renames."""

from __future__ import annotations

from pathlib import Path

import pytest

from nixlint.analyze import check, query_option
from nixlint.evaluate.values import List, Unknown
from nixlint.graph import OptionGraph
from nixlint.hosts import build_host
from nixlint.workspace import FileStore
from tests.conftest import write


def graph_of(tmp: Path, files: dict[str, str], root: str = "host.nix") -> OptionGraph:
    write(tmp, files)
    return build_host("h", [str(tmp / root)], FileStore([str(tmp)])).graph


def value(graph: OptionGraph, path: str) -> object:
    v = graph.value(path)
    if isinstance(v, List):
        return [graph.evaluator.deep(t.force()) for t in v.items]
    return v


# -- priorities -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("definitions", "expected"),
    [
        ("[ { x = 1; } { x = lib.mkForce 2; } { x = lib.mkDefault 3; } ]", 2),
        ("[ { x = 1; } { x = lib.mkDefault 3; } ]", 1),
        ("[ { x = lib.mkDefault 3; } ]", 3),
        ("[ { x = lib.mkOverride 10 4; } { x = lib.mkForce 2; } ]", 4),
        ("[ { x = lib.mkVMOverride 5; } { x = lib.mkForce 2; } ]", 5),
        ("[ { x = lib.mkOptionDefault 6; } { x = lib.mkDefault 7; } ]", 7),
        ("[ { x = lib.mkImageMediaOverride 8; } { x = 1; } ]", 8),
        ("[ { x = lib.mkImageMediaOverride 8; } { x = lib.mkForce 2; } ]", 2),
    ],
)
def test_lowest_priority_number_wins(tmp_path: Path, definitions: str, expected: int) -> None:
    graph = graph_of(tmp_path, {"host.nix": f"{{ lib, ... }}: {{ imports = {definitions}; }}"})
    assert graph.value("x") == expected


def test_equal_scalars_at_equal_priority_agree_and_different_ones_conflict(tmp_path: Path) -> None:
    graph = graph_of(
        tmp_path,
        {"host.nix": "{ imports = [ { a = 1; b = 1; } { a = 1; b = 2; } ]; }"},
    )
    assert graph.value("a") == 1
    conflict = graph.value("b")
    assert isinstance(conflict, Unknown)
    assert "conflicting definitions of b" in conflict.reason


def test_lists_concatenate_in_mkorder_order(tmp_path: Path) -> None:
    graph = graph_of(
        tmp_path,
        {
            "host.nix": """{ lib, ... }: {
              imports = [ { l = lib.mkAfter [ "z" ]; } { l = [ "m" ]; } { l = lib.mkBefore [ "a" ]; } ];
              l = [ "n" ];
            }"""
        },
    )
    assert value(graph, "l") == ["a", "n", "m", "z"]


def test_only_the_winning_priority_merges_lists(tmp_path: Path) -> None:
    graph = graph_of(
        tmp_path,
        {
            "host.nix": "{ lib, ... }: { imports = [ { l = [ 1 ]; } { l = lib.mkForce [ 2 ]; } ]; l = [ 3 ]; }"
        },
    )
    assert value(graph, "l") == [2]


# -- conditions -------------------------------------------------------------------------------


def test_mkif_true_false_and_unknown(tmp_path: Path) -> None:
    graph = graph_of(
        tmp_path,
        {
            "host.nix": """{ lib, config, ... }: {
              a = lib.mkIf true 1;
              b = lib.mkIf false 2;
              c = lib.mkIf config.networking.something 3;
              d = lib.mkMerge [ (lib.mkIf false 4) 5 ];
            }"""
        },
    )
    assert graph.value("a") == 1
    b = graph.resolve("b")
    assert b.source == "none" and [s.state for s in b.definitions] == ["false"]
    c = graph.resolve("c")
    assert isinstance(c.value, Unknown) and c.conditional
    assert [s.state for s in c.candidates] == ["unknown"]
    assert graph.value("d") == 5


def test_mkif_pushes_down_through_sets_at_any_depth(tmp_path: Path) -> None:
    graph = graph_of(
        tmp_path,
        {
            "host.nix": """{ lib, ... }: {
              services = lib.mkIf false { openssh.enable = true; };
              networking = lib.mkMerge [ { firewall = lib.mkIf true { enable = false; }; } ];
            }"""
        },
    )
    assert graph.value("services.openssh.enable") is False  # the NixOS default
    assert graph.resolve("services.openssh.enable").source == "default"
    assert graph.value("networking.firewall.enable") is False


def test_unknown_if_at_a_structural_position_gives_both_branches_conditionally(
    tmp_path: Path,
) -> None:
    graph = graph_of(
        tmp_path,
        {
            "host.nix": "{ config, ... }: { x = if config.y.z then { a = 1; } else { a = 2; b = 3; }; }"
        },
    )
    res = graph.resolve("x.a")
    assert isinstance(res.value, Unknown)
    assert sorted(s.definition.value.force() for s in res.candidates) == [1, 2]
    assert [s.state for s in graph.resolve("x.b").candidates] == ["unknown"]


def test_optional_attrs_with_unknown_condition_is_conditional(tmp_path: Path) -> None:
    graph = graph_of(
        tmp_path,
        {"host.nix": "{ lib, config, ... }: lib.optionalAttrs config.foo.bar { a.b = 1; }"},
    )
    assert [s.state for s in graph.resolve("a.b").candidates] == ["unknown"]


def test_conditions_read_the_hosts_own_options(tmp_path: Path) -> None:
    graph = graph_of(
        tmp_path,
        {
            "host.nix": """{ lib, config, ... }: {
              virtualisation.docker.enable = true;
              a = lib.mkIf config.virtualisation.docker.enable 1;
              b = lib.mkIf config.virtualisation.podman.enable 2;
              c = lib.mkIf (!config.virtualisation.docker.enable) 3;
            }"""
        },
    )
    assert graph.value("a") == 1
    assert graph.resolve("b").definitions[0].state == "false"  # podman defaults to false
    assert graph.resolve("c").definitions[0].state == "false"


def test_a_module_option_declared_off_by_default_disables_its_config(tmp_path: Path) -> None:
    files = {
        "module.nix": """{ config, lib, ... }:
          let cfg = config.my.builder; in {
            options.my.builder.enable = lib.mkEnableOption "the builder";
            config = lib.mkIf cfg.enable { nix.settings.sandbox = false; };
          }""",
        "host.nix": "{ imports = [ ./module.nix ]; }",
        "on/host.nix": "{ imports = [ ../module.nix ]; my.builder.enable = true; }",
    }
    graph = graph_of(tmp_path, files)
    assert graph.value("nix.settings.sandbox") is True
    assert graph.resolve("nix.settings.sandbox").definitions[0].state == "false"
    on = build_host("on", [str(tmp_path / "on/host.nix")], FileStore([str(tmp_path)])).graph
    assert on.value("nix.settings.sandbox") is False


def test_recursion_through_config_is_unknown_not_a_crash(tmp_path: Path) -> None:
    graph = graph_of(
        tmp_path, {"host.nix": "{ config, lib, ... }: { a = lib.mkIf config.a true; }"}
    )
    assert isinstance(graph.value("a"), Unknown)


# -- attribute paths ------------------------------------------------------------------------


def test_nested_dotted_quoted_and_repeated_paths_land_on_the_same_option(tmp_path: Path) -> None:
    graph = graph_of(
        tmp_path,
        {
            "host.nix": """{
              fileSystems."/".device = "/dev/a";
              fileSystems = { "/".fsType = "ext4"; };
              fileSystems."/home" = { device = "/dev/b"; };
              services.openssh = { settings.PermitRootLogin = "no"; };
              services.openssh.enable = true;
            }"""
        },
    )
    assert graph.value('fileSystems."/".device') == "/dev/a"
    assert graph.value(("fileSystems", "/", "fsType")) == "ext4"
    assert graph.value(("fileSystems", "/home", "device")) == "/dev/b"
    assert graph.value("services.openssh.settings.PermitRootLogin") == "no"
    assert graph.value("services.openssh.enable") is True
    assert graph.children("fileSystems") == ["/", "/home"]


def test_inherit_and_let_and_rec(tmp_path: Path) -> None:
    graph = graph_of(
        tmp_path,
        {
            "host.nix": """{ lib, ... }:
            let sandbox = false; shared = { trusted-users = [ "root" "alice" ]; }; in {
              nix.settings = { inherit sandbox; inherit (shared) trusted-users; };
              networking = rec { hostName = "web"; domain = "${hostName}.example"; };
            }"""
        },
    )
    assert graph.value("nix.settings.sandbox") is False
    assert value(graph, "nix.settings.trusted-users") == ["root", "alice"]
    assert graph.value("networking.domain") == "web.example"


def test_dynamic_names_become_a_wildcard(tmp_path: Path) -> None:
    graph = graph_of(
        tmp_path, {"host.nix": '{ name, ... }: { containers."${name}".privateUsers = "no"; }'}
    )
    assert graph.match("containers.*") == [("containers", "*")]
    # a concrete container may be the dynamic one: its value depends on that
    res = graph.resolve("containers.web.privateUsers")
    assert [s.state for s in res.candidates] == ["unknown"]


# -- lib spellings ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "module",
    [
        "{ lib, ... }: { x = lib.mkForce 1; }",
        "{ lib, ... }: with lib; { x = mkForce 1; }",
        "{ lib, ... }: let inherit (lib) mkForce; in { x = mkForce 1; }",
        "{ pkgs, ... }: { x = pkgs.lib.mkForce 1; }",
        "{ lib, ... }: { x = lib.modules.mkForce 1; }",
    ],
)
def test_lib_is_reached_every_way_modules_reach_it(tmp_path: Path, module: str) -> None:
    graph = graph_of(tmp_path, {"host.nix": f"{{ imports = [ ({module}) {{ x = 2; }} ]; }}"})
    assert graph.value("x") == 1
    assert graph.resolve("x").candidates[0].definition.priority == 50


# -- module forms and imports -------------------------------------------------------------------


def test_full_form_modules_and_imports_of_every_kind(tmp_path: Path) -> None:
    files = {
        "host.nix": """{ ... }: {
          imports = [ ./dir ./plain.nix (import ./fn.nix) { inline = 1; } ];
          config = { root = 1; };
          options = { };
        }""",
        "dir/default.nix": "{ fromDir = 1; }",
        "plain.nix": "{ config = { fromPlain = 1; }; }",
        "fn.nix": "{ lib, ... }: { fromFn = lib.mkDefault 1; }",
    }
    graph = graph_of(tmp_path, files)
    for name in ("root", "fromDir", "fromPlain", "fromFn", "inline"):
        assert graph.value(name) == 1, name
    assert sorted(m.path for m in graph.modules) == sorted(
        str(tmp_path / p)
        for p in ("host.nix", "dir/default.nix", "plain.nix", "fn.nix", "host.nix")
    )


def test_import_graph_is_a_networkx_graph(tmp_path: Path) -> None:
    graph = graph_of(
        tmp_path, {"host.nix": "{ imports = [ ./a.nix ]; x.y = 1; }", "a.nix": "{ x.z = 2; }"}
    )
    g = graph.nx
    host, a = ("module", str(tmp_path / "host.nix")), ("module", str(tmp_path / "a.nix"))
    assert g.edges[host, a]["kind"] == "imports"
    assert g.edges[a, ("option", "x.z")]["kind"] == "defines"
    assert g.edges[("option", "x"), ("option", "x.y")]["kind"] == "contains"


def test_external_and_missing_imports_are_recorded(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "host.nix": '{ modulesPath, ... }: { imports = [ (modulesPath + "/profiles/hardened.nix") ./gone.nix ]; }'
        },
    )
    host = build_host("h", [str(tmp_path / "host.nix")], FileStore([str(tmp_path)]))
    assert [i.label for i in host.external] == ["<modulesPath>/profiles/hardened.nix"]
    assert [i.path for i in host.missing] == [str(tmp_path / "gone.nix")]


def test_imports_never_leave_the_scanned_root(tmp_path: Path) -> None:
    write(
        tmp_path,
        {"outside.nix": "{ x = 1; }", "root/host.nix": "{ imports = [ ../outside.nix ]; }"},
    )
    host = build_host("h", [str(tmp_path / "root/host.nix")], FileStore([str(tmp_path / "root")]))
    assert [i.path for i in host.outside] == [str(tmp_path / "outside.nix")]
    assert not host.graph.exists("x")


# -- renamed options ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("written", "canonical", "given"),
    [
        ("nix.useSandbox", "nix.settings.sandbox", "false"),
        ("nix.useChroot", "nix.settings.sandbox", "false"),
        ("nix.trustedUsers", "nix.settings.trusted-users", '[ "alice" ]'),
        ("services.openssh.permitRootLogin", "services.openssh.settings.PermitRootLogin", '"yes"'),
        (
            "services.openssh.passwordAuthentication",
            "services.openssh.settings.PasswordAuthentication",
            "true",
        ),
        (
            "docker-containers.web.image",
            "virtualisation.oci-containers.containers.web.image",
            '"nginx"',
        ),
        (
            "docker-containers.web.extraDockerOptions",
            "virtualisation.oci-containers.containers.web.extraOptions",
            '[ "--privileged" ]',
        ),
        ("users.extraUsers.alice.uid", "users.users.alice.uid", "1000"),
    ],
)
def test_renamed_options_map_to_canonical_names(
    tmp_path: Path, written: str, canonical: str, given: str
) -> None:
    graph = graph_of(tmp_path, {"host.nix": f"{{ {written} = {given}; }}"})
    defs = graph.definitions(canonical)
    assert len(defs) == 1
    assert defs[0].written is not None and ".".join(defs[0].written) == written
    # reading the old name reads the new option
    assert graph.resolve(written).path == graph.resolve(canonical).path


def test_old_and_new_names_merge_by_priority(tmp_path: Path) -> None:
    graph = graph_of(
        tmp_path,
        {
            "host.nix": "{ lib, ... }: { nix.useSandbox = false; nix.settings.sandbox = lib.mkForce true; }"
        },
    )
    assert graph.value("nix.settings.sandbox") is True


# -- whole scans: hosts, shared modules, overrides ---------------------------------------------


def test_a_mkforce_in_another_file_removes_the_finding(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "common.nix": "{ nix.settings.sandbox = false; }",
            "hosts/a.nix": "{ lib, ... }: { imports = [ ../common.nix ]; nix.settings.sandbox = lib.mkForce true; }",
            "hosts/b.nix": "{ imports = [ ../common.nix ]; }",
        },
    )
    result = check([str(tmp_path)])
    assert [(f.rule, f.path.endswith("common.nix"), f.line, f.hosts) for f in result.findings] == [
        ("NIX301", True, 1, ("b",))
    ]


def test_a_finding_in_a_shared_module_is_reported_once_with_every_host(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "common.nix": "{ nix.settings.sandbox = false; }",
            "hosts/a.nix": "{ imports = [ ../common.nix ]; }",
            "hosts/b.nix": "{ imports = [ ../common.nix ]; }",
        },
    )
    result = check([str(tmp_path)])
    assert [(f.rule, f.line, f.host, f.hosts) for f in result.findings] == [
        ("NIX301", 1, "a", ("a", "b"))
    ]
    assert sorted(h.name for h in result.hosts) == ["a", "b"]


def test_option_query_lists_every_definition(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "host.nix": "{ lib, config, ... }: { imports = [ ./m.nix ]; nix.settings.sandbox = lib.mkDefault true; }",
            "m.nix": "{ lib, config, ... }: { nix.settings.sandbox = lib.mkIf config.x.y false; }",
        },
    )
    [answer] = query_option([str(tmp_path)], "nix.useSandbox")
    assert answer["option"] == "nix.settings.sandbox"
    assert answer["host"] == "host"
    assert answer["known"] is False
    definitions = answer["definitions"]
    assert [(d["line"], d["priority"], d["condition"], d["value"]) for d in definitions] == [  # type: ignore[union-attr]
        (1, 1000, "true", True),
        (1, 100, "unknown", False),
    ]


def test_a_set_updated_from_an_unknown_one_keeps_its_names_and_hides_none(
    tmp_path: Path,
) -> None:
    """``unknown // { … }``: the names on the right are defined (with the value written
    there), and any other option below may be set by the unknown left side."""
    g = graph_of(
        tmp_path,
        {
            "host.nix": """{ pkgs, ... }: {
              services.demo = pkgs.defaults // { port = 8080; };
            }""",
        },
    )
    port = g.resolve(("services", "demo", "port"))
    assert [(d.path, d.kind) for d in (c.definition for c in port.candidates)] == [
        (("services", "demo", "port"), "value"),
        (("services", "demo"), "opaque"),
    ]
    assert isinstance(g.value("services.demo.openFirewall"), Unknown)
    assert g.evaluator.deep(port.candidates[0].definition.value.force()) == 8080


def test_path_suffixes_and_recursive_file_listings(tmp_path: Path) -> None:
    # A local path's store copy is /nix/store/<hash>-<name>: its end is known.
    graph = graph_of(
        tmp_path,
        {
            "host.nix": """{ lib, ... }: {
              a = lib.hasSuffix ".nix" ./conf/x.nix;
              b = lib.hasSuffix "-x.nix" ./conf/x.nix;
              c = lib.hasSuffix "e/x.nix" ./conf/x.nix;
              d = map toString (lib.filesystem.listFilesRecursive ./conf);
              e = lib.filesystem.listFilesRecursive ./elsewhere;
            }""",
            "conf/x.nix": "{ }",
            "conf/sub/y.nix": "{ }",
            "conf/sub/z.txt": "z",
        },
    )
    assert value(graph, "a") is True
    assert value(graph, "b") is True
    assert isinstance(value(graph, "c"), Unknown)  # reaches into the hash
    assert value(graph, "d") == [
        f"{tmp_path}/conf/sub/y.nix",
        f"{tmp_path}/conf/sub/z.txt",
        f"{tmp_path}/conf/x.nix",
    ]
    assert isinstance(value(graph, "e"), Unknown)  # no such directory in the scanned tree
