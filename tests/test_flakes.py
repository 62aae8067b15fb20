"""Flakes: every nixosConfiguration is a host, in the spellings real flakes use."""

from __future__ import annotations

from pathlib import Path

from nixlint.analyze import check, query_option
from nixlint.flakes import flake_hosts
from nixlint.hosts import ModuleCache
from nixlint.workspace import FileStore
from tests.conftest import write

SHARED = "{ lib, ... }: { nix.settings.sandbox = lib.mkDefault false; }"


def hosts_of(tmp: Path, files: dict[str, str]) -> list[tuple[str, str, list[str]]]:
    write(tmp, files)
    store = FileStore([str(tmp)])
    src = store.get(str(tmp / "flake.nix"))
    assert src is not None
    found = flake_hosts(src, ModuleCache(store).evaluator)
    assert found.unresolved == []
    return [
        (
            h.name,
            h.kind,
            [
                m.path.replace(str(tmp) + "/", "") if m.path else m.kind + ":" + m.label
                for m in h.modules
            ],
        )
        for h in found.hosts
    ]


def test_nixos_system_in_its_common_spellings(tmp_path: Path) -> None:
    flake = """{
      inputs.nixpkgs.url = "github:NixOS/nixpkgs/nixos-24.11";
      inputs.home-manager.url = "github:nix-community/home-manager";
      outputs = { self, nixpkgs, home-manager, ... }@inputs:
        let
          lib = nixpkgs.lib // home-manager.lib;
          mkHost = name: lib.nixosSystem {
            specialArgs = { inherit inputs; hostname = name; };
            modules = [ ./hosts/${name} home-manager.nixosModules.home-manager ];
          };
        in rec {
          nixosConfigurations = {
            web = nixpkgs.lib.nixosSystem { system = "x86_64-linux"; modules = [ ./hosts/web { networking.domain = "x"; } ]; };
            db = inputs.nixpkgs.lib.nixosSystem { modules = [ ./hosts/db ]; };
          } // lib.genAttrs [ "edge1" "edge2" ] mkHost;
          darwinConfigurations.mac = inputs.darwin.lib.darwinSystem { modules = [ ./hosts/mac.nix ]; };
        };
    }"""
    hosts = {f"hosts/{h}/default.nix": "{ }" for h in ("web", "db", "edge1", "edge2")}
    found = hosts_of(tmp_path, {"flake.nix": flake, **hosts})
    assert found == [
        ("db", "nixos", ["hosts/db/default.nix"]),
        (
            "edge1",
            "nixos",
            ["hosts/edge1/default.nix", "external:home-manager.nixosModules.home-manager"],
        ),
        (
            "edge2",
            "nixos",
            ["hosts/edge2/default.nix", "external:home-manager.nixosModules.home-manager"],
        ),
        ("web", "nixos", ["hosts/web/default.nix", "inline:inline module"]),
        ("mac", "darwin", ["hosts/mac.nix"]),
    ]


def test_flake_parts_hosts_from_imported_modules(tmp_path: Path) -> None:
    files = {
        "flake.nix": """{
          inputs.flake-parts.url = "github:hercules-ci/flake-parts";
          outputs = inputs@{ flake-parts, ... }:
            flake-parts.lib.mkFlake { inherit inputs; } {
              systems = [ "x86_64-linux" ];
              imports = [ ./hosts.nix ];
              perSystem = { pkgs, ... }: { };
            };
        }""",
        "hosts.nix": """{ inputs, ... }: {
          flake.nixosConfigurations.web = inputs.nixpkgs.lib.nixosSystem { modules = [ ./web.nix ]; };
        }""",
    }
    assert hosts_of(tmp_path, files) == [("web", "nixos", ["web.nix"])]


def test_each_flake_host_is_merged_on_its_own(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "flake.nix": """{
              outputs = { nixpkgs, ... }: {
                nixosConfigurations.web = nixpkgs.lib.nixosSystem {
                  modules = [ ./common.nix { nix.settings.sandbox = true; } ];
                };
                nixosConfigurations.db = nixpkgs.lib.nixosSystem { modules = [ ./common.nix ]; };
              };
            }""",
            "common.nix": SHARED,
        },
    )
    result = check([str(tmp_path)])
    assert [(Path(f.path).name, f.line, f.rule, f.hosts) for f in result.findings] == [
        ("common.nix", 1, "NIX301", ("db",))
    ]
    assert [h.name for h in result.hosts] == ["db", "web"]


def test_special_args_reach_the_modules(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "flake.nix": """{
              outputs = { nixpkgs, ... }: {
                nixosConfigurations = nixpkgs.lib.genAttrs [ "alpha" "beta" ] (name:
                  nixpkgs.lib.nixosSystem { specialArgs = { hostname = name; }; modules = [ ./host.nix ]; });
              };
            }""",
            "host.nix": "{ hostname, ... }: { networking.hostName = hostname; }",
        },
    )
    answers = query_option([str(tmp_path)], "networking.hostName")
    assert [(a["host"], a["value"]) for a in answers] == [("alpha", "alpha"), ("beta", "beta")]


def test_files_no_flake_host_reaches_are_analysed_as_standalone_modules(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "flake.nix": """{
              outputs = { nixpkgs, ... }: {
                nixosConfigurations.web = nixpkgs.lib.nixosSystem { modules = [ ./web.nix ]; };
              };
            }""",
            "web.nix": '{ networking.hostName = "web"; }',
            "old/legacy.nix": "{ nix.settings.sandbox = false; }",
        },
    )
    result = check([str(tmp_path)])
    assert [(f.rule, Path(f.path).name, f.hosts) for f in result.findings] == [
        ("NIX301", "legacy.nix", ("legacy",))
    ]
    assert [h.name for h in result.hosts] == ["web", "legacy"]


def test_unresolved_hosts_are_said_clearly(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "flake.nix": """{
              outputs = { nixpkgs, ... }: {
                nixosConfigurations = builtins.listToAttrs (map (n: { name = n; value = nixpkgs.lib.nixosSystem { modules = [ ]; }; }) (import ./names.nix));
              };
            }""",
        },
    )
    result = check([str(tmp_path)])
    assert [(f.rule, f.line) for f in result.findings] == [("NIX010", 1)]
    assert result.findings[0].message.startswith("flake hosts not resolved: nixosConfigurations: ")


def test_hosts_listing_and_coverage(tmp_path: Path) -> None:
    from nixlint.analyze import list_hosts

    write(
        tmp_path,
        {
            "flake.nix": """{
              outputs = { nixpkgs, home-manager, ... }: {
                nixosConfigurations.web = nixpkgs.lib.nixosSystem {
                  modules = [ ./web.nix home-manager.nixosModules.home-manager ];
                };
              };
            }""",
            "web.nix": "{ imports = [ ./common.nix ./gone.nix ]; }",
            "common.nix": "{ }",
            "old/legacy.nix": "{ }",
            "pkgs/tool.nix": "{ stdenv }: stdenv.mkDerivation { }",
        },
    )
    found = list_hosts([str(tmp_path)])
    rel = lambda p: p.replace(str(tmp_path) + "/", "")  # noqa: E731
    assert [(h["name"], h["kind"], [rel(f) for f in h["files"]]) for h in found["hosts"]] == [
        ("web", "flake", ["common.nix", "web.nix"]),
        ("legacy", "module", ["old/legacy.nix"]),
    ]
    web = found["hosts"][0]
    assert web["external_imports"] == ["home-manager.nixosModules.home-manager"]
    assert [rel(p) for p in web["missing_imports"]] == ["gone.nix"]
    assert [rel(p) for p in found["files_without_host"]] == ["pkgs/tool.nix"]
    result = check([str(tmp_path)])
    assert result.summary()["analysed"] == {"flake_hosts": 2, "module_hosts": 1, "syntax_only": 2}


def test_hosts_command(tmp_path: Path) -> None:
    import json

    from typer.testing import CliRunner

    from nixlint.cli import app

    write(
        tmp_path,
        {
            "flake.nix": """{
              outputs = { nixpkgs, ... }: {
                nixosConfigurations.web = nixpkgs.lib.nixosSystem { modules = [ ./web.nix ]; };
              };
            }""",
            "web.nix": '{ networking.hostName = "web"; }',
        },
    )
    runner = CliRunner()
    done = runner.invoke(app, ["hosts", str(tmp_path), "--format", "json"])
    assert done.exit_code == 0
    [host] = json.loads(done.output)["hosts"]
    assert (host["name"], host["kind"], [Path(f).name for f in host["files"]]) == (
        "web",
        "flake",
        ["web.nix"],
    )
    text = runner.invoke(app, ["hosts", str(tmp_path)])
    assert text.output.splitlines()[0].startswith("web  (flake: ")


def test_a_module_that_only_a_plain_nix_file_refers_to_is_analysed_on_its_own(
    tmp_path: Path,
) -> None:
    from nixlint.analyze import list_hosts

    # test.nix refers to machine.nix, but as an argument of a call nixlint does not read as
    # a host: no host contains machine.nix, so it is a module of its own.
    write(
        tmp_path,
        {
            "test.nix": """{ nixpkgs ? <nixpkgs> }:
            let
              eval = import (nixpkgs + /nixos/lib/eval-config.nix);
              machine = eval { modules = [ ./machine.nix ]; };
            in machine.config.system.build.toplevel
            """,
            "machine.nix": """{ ... }:
            {
              users.users.root.password = "nixos";
              nix.settings.sandbox = false;
            }
            """,
        },
    )
    result = check([str(tmp_path)])
    rel = lambda p: p.replace(str(tmp_path) + "/", "")  # noqa: E731
    assert [(rel(f.path), f.line, f.rule, f.host) for f in result.findings] == [
        ("machine.nix", 3, "NIX501", "machine"),
        ("machine.nix", 4, "NIX301", "machine"),
    ]
    found = list_hosts([str(tmp_path)])
    assert [(h["name"], [rel(f) for f in h["files"]]) for h in found["hosts"]] == [
        ("machine", ["machine.nix"])
    ]
    assert [rel(p) for p in found["files_without_host"]] == ["test.nix"]


def test_modules_named_through_the_flakes_own_store_path(tmp_path: Path) -> None:
    # "${self}/…" is the store copy of the flake's directory: the same files.
    write(
        tmp_path,
        {
            "flake.nix": """{
              outputs = { self, nixpkgs, ... }:
                let
                  mod = "${self}/system";
                  inherit (import "${self}/lib") hostModules;
                in {
                  nixosConfigurations.web = nixpkgs.lib.nixosSystem {
                    modules = hostModules ++ [ "${mod}/sandbox.nix" ];
                  };
                };
            }""",
            "lib/default.nix": "{ hostModules = [ ../system/ssh ]; }",
            "system/ssh/default.nix": '{ users.users.root.password = "nixos"; }',
            "system/sandbox.nix": "{ nix.settings.sandbox = false; }",
        },
    )
    result = check([str(tmp_path)])
    rel = lambda p: p.replace(str(tmp_path) + "/", "")  # noqa: E731
    assert [h.name for h in result.hosts] == ["web", "lib"]  # lib: not a module, no findings
    assert [rel(f) for f in result.hosts[0].files] == [
        "system/sandbox.nix",
        "system/ssh/default.nix",
    ]
    assert [(rel(f.path), f.line, f.rule, f.host) for f in result.findings] == [
        ("system/sandbox.nix", 1, "NIX301", "web"),
        ("system/ssh/default.nix", 1, "NIX501", "web"),
    ]


def test_hosts_added_to_a_per_system_helper_by_update(tmp_path: Path) -> None:
    """``flake-utils.lib.eachSystem … // { nixosConfigurations = …; }``: the helper is not
    modelled, but the right side of ``//`` wins, so the hosts it names are known."""
    flake = """{
      outputs = { self, nixpkgs, flake-utils }:
        flake-utils.lib.eachSystem [ "x86_64-linux" ] (system: { packages.x = 1; }) // {
          nixosConfigurations.vm = nixpkgs.lib.nixosSystem { modules = [ ./vm.nix ]; };
        };
    }"""
    assert hosts_of(tmp_path, {"flake.nix": flake, "vm.nix": SHARED}) == [
        ("vm", "nixos", ["vm.nix"])
    ]


def test_host_sets_merged_with_merge_attrs(tmp_path: Path) -> None:
    flake = """{
      outputs = { nixpkgs, ... }:
        let
          lib = nixpkgs.lib;
          byArch = {
            x86 = { a = lib.nixosSystem { modules = [ ./a.nix ]; }; };
            arm = { b = lib.nixosSystem { modules = [ ./b.nix ]; }; };
          };
        in {
          nixosConfigurations = builtins.foldl' lib.mergeAttrs { } (builtins.attrValues byArch);
        };
    }"""
    assert hosts_of(tmp_path, {"flake.nix": flake, "a.nix": SHARED, "b.nix": SHARED}) == [
        ("a", "nixos", ["a.nix"]),
        ("b", "nixos", ["b.nix"]),
    ]


def test_outputs_known_only_in_part_without_hosts_are_reported_once(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "flake.nix": """{
              outputs = { flake-utils, ... }:
                flake-utils.lib.eachDefaultSystem (system: { }) // { overlays.default = _: _: { }; };
            }""",
        },
    )
    result = check([str(tmp_path)])
    assert [(f.rule, Path(f.path).name, f.line) for f in result.findings] == [
        ("NIX010", "flake.nix", 1)
    ]
    assert result.findings[0].message == (
        "flake hosts not resolved: outputs are not fully known: (call of an unknown function: "
        "lib.eachDefaultSystem is not modelled) // { … }"
    )


def test_imports_listed_with_lib_filesystem_list_files_recursive(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "configuration.nix": """{ lib, ... }:
            {
              imports = builtins.filter (lib.hasSuffix ".nix")
                (lib.filesystem.listFilesRecursive ./modules);
            }
            """,
            "modules/sandbox.nix": "{ nix.settings.sandbox = false; }\n",
            "modules/users/root.nix": '{ users.users.root.password = "nixos"; }\n',
            "modules/users/README.md": "not a module\n",
        },
    )
    result = check([str(tmp_path)])
    rel = lambda p: p.replace(str(tmp_path) + "/", "")  # noqa: E731
    assert [h.name for h in result.hosts] == ["configuration"]
    assert [rel(f) for f in result.hosts[0].files] == [
        "configuration.nix",
        "modules/sandbox.nix",
        "modules/users/root.nix",
    ]
    assert [(rel(f.path), f.line, f.rule, f.host) for f in result.findings] == [
        ("modules/sandbox.nix", 1, "NIX301", "configuration"),
        ("modules/users/root.nix", 1, "NIX501", "configuration"),
    ]


def test_hosts_gathered_from_a_directory_with_haumea(tmp_path: Path) -> None:
    # Each file of hosts/ is one host; the function files get the inputs they name (one
    # they do not get fails only if used, or keeps its default), `_`-files are private.
    write(
        tmp_path,
        {
            "flake.nix": """{
              outputs = { nixpkgs, haumea, ... }: {
                nixosConfigurations = haumea.lib.load {
                  src = ./hosts;
                  inputs = { inherit nixpkgs; here = nixpkgs.lib.path.append ./.; };
                };
              };
            }""",
            "hosts/web.nix": """{ nixpkgs, here, unused, machine ? "machines/web.nix", ... }:
              nixpkgs.lib.nixosSystem { modules = [ (here machine) ]; }""",
            "hosts/_shared.nix": "{ }",
            "machines/web.nix": "{ nix.settings.sandbox = false; }",
        },
    )
    result = check([str(tmp_path)])
    rel = lambda p: p.replace(str(tmp_path) + "/", "")  # noqa: E731
    assert [(h.name, [rel(f) for f in h.files]) for h in result.hosts] == [
        ("web", ["machines/web.nix"]),
        ("_shared", ["hosts/_shared.nix"]),  # not loaded by haumea: a root module of its own
    ]
    assert [(rel(f.path), f.line, f.rule, f.host) for f in result.findings] == [
        ("machines/web.nix", 1, "NIX301", "web")
    ]


def test_haumea_with_a_custom_loader_is_said_to_be_unresolved(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "flake.nix": """{
              outputs = { nixpkgs, haumea, ... }: {
                nixosConfigurations = haumea.lib.load {
                  src = ./hosts;
                  loader = haumea.lib.loaders.path;
                };
              };
            }""",
            "hosts/web.nix": "{ }",
        },
    )
    result = check([str(tmp_path)])
    assert [(f.rule, f.line, f.message) for f in result.findings] == [
        (
            "NIX010",
            1,
            "flake hosts not resolved: nixosConfigurations: "
            "haumea.lib.load with a loader is not modelled",
        )
    ]


def test_a_module_analysed_on_its_own_takes_in_what_it_imports(tmp_path: Path) -> None:
    # a.nix is reached by no host (test.nix is not a module); b.nix is imported by a.nix
    # through a path no literal shows, so b.nix alone looks like a root module.
    write(
        tmp_path,
        {
            "test.nix": "builtins.length [ ./a.nix ]",
            "a.nix": '{ imports = [ (./. + "/b.nix") ]; nix.settings.sandbox = true; }',
            "b.nix": "{ lib, ... }: { nix.settings.sandbox = lib.mkDefault false; }",
        },
    )
    result = check([str(tmp_path)])
    rel = lambda p: p.replace(str(tmp_path) + "/", "")  # noqa: E731
    assert [(h.name, [rel(f) for f in h.files]) for h in result.hosts] == [
        ("a", ["a.nix", "b.nix"])
    ]
    assert result.findings == []  # b.nix's default is overridden in its host


def test_a_module_named_flake_nix_is_analysed_as_a_module(tmp_path: Path) -> None:
    write(
        tmp_path,
        {"shared/flake.nix": "{ config, lib, ... }: { nix.settings.sandbox = false; }"},
    )
    result = check([str(tmp_path)])
    rel = lambda p: p.replace(str(tmp_path) + "/", "")  # noqa: E731
    assert [(rel(f.path), f.line, f.rule) for f in result.findings] == [
        ("shared/flake.nix", 1, "NIX301")
    ]


def test_a_flakes_outputs_handed_to_modules_are_a_value_not_options(tmp_path: Path) -> None:
    """``specialArgs = { inherit outputs; }`` then ``extraSpecialArgs = { inherit outputs; }``:
    the outputs (every host, package and shell of the flake) are not walked as options;
    a set written in flake.nix that is not the outputs still is."""
    write(
        tmp_path,
        {
            "flake.nix": """{
              outputs = { self, nixpkgs, ... }@inputs: let
                inherit (self) outputs;
                vars = { firewall = { enable = false; }; };
              in {
                devShells.x86_64-linux.default = { name = "shell"; };
                nixosConfigurations.web = nixpkgs.lib.nixosSystem {
                  specialArgs = { inherit inputs outputs vars; };
                  modules = [ ./web.nix ];
                };
              };
            }""",
            "web.nix": """{ outputs, vars, ... }: {
              home-manager.extraSpecialArgs = { inherit outputs; };
              networking.firewall = vars.firewall;
            }""",
        },
    )
    result = check([str(tmp_path)])
    graph = result.hosts[0].graph
    [passed] = graph.definitions("home-manager.extraSpecialArgs.outputs")
    assert passed.kind == "value"
    assert graph.children("home-manager.extraSpecialArgs.outputs") == []
    assert graph.value("networking.firewall.enable") is False
