"""The table-rule mechanism: values, defaults, preconditions, conditions and messages."""

from __future__ import annotations

from pathlib import Path

from nixlint.analyze import load_workspace
from nixlint.findings import Confidence, Severity
from nixlint.hosts import build_host
from nixlint.rules.base import Hit, HostContext, Rule
from nixlint.rules.table import (
    OptionCheck,
    Requires,
    compare,
    contains,
    equals,
    matches,
    one_of,
    run_check,
)
from tests.conftest import write

RULE = Rule("NIX499", "test-rule", "access", Severity.HIGH, Confidence.HIGH, "A test", "A test")
SSHD_ON = (Requires("services.openssh.enable", equals(True)),)


def hits(
    tmp: Path, text: str, check: OptionCheck, files: dict[str, str] | None = None
) -> list[Hit]:
    write(tmp, {"host.nix": text, **(files or {})})
    workspace = load_workspace([str(tmp / "host.nix")])
    host = build_host("host", [str(tmp / "host.nix")], workspace.store)
    return list(run_check(HostContext(host), RULE, check, "WHY", "FIX"))


def where(found: list[Hit]) -> list[tuple[int, int, str]]:
    return [(h.span.line, h.span.column, (h.confidence or RULE.confidence).value) for h in found]


ROOT_LOGIN = OptionCheck(
    "services.openssh.settings.PermitRootLogin", equals("yes"), "root may log in", requires=SSHD_ON
)
PASSWORDS = OptionCheck(
    "services.openssh.settings.PasswordAuthentication",
    equals(True),
    "sshd accepts passwords",
    unset=True,
    requires=SSHD_ON,
)


def test_an_explicit_value_is_reported_where_it_is_written(tmp_path: Path) -> None:
    found = hits(
        tmp_path,
        """{
          services.openssh.enable = true;
          services.openssh.settings.PermitRootLogin = "yes";
        }""",
        ROOT_LOGIN,
    )
    assert where(found) == [(3, 55, "high")]
    assert found[0].message == 'root may log in (PermitRootLogin = "yes"): WHY; FIX'
    assert found[0].option == "services.openssh.settings.PermitRootLogin"


def test_a_renamed_option_is_named_as_written(tmp_path: Path) -> None:
    found = hits(
        tmp_path,
        '{ services.openssh = { enable = true; permitRootLogin = "yes"; }; }',
        ROOT_LOGIN,
    )
    assert found[0].message.startswith(
        'root may log in (PermitRootLogin = "yes", as the renamed option '
        "services.openssh.permitRootLogin)"
    )


def test_a_value_computed_where_it_is_defined_names_its_source(tmp_path: Path) -> None:
    found = hits(
        tmp_path,
        """{ config, lib, ... }:
        let login = "yes"; in {
          services.openssh.enable = true;
          services.openssh.settings.PermitRootLogin = lib.mkForce login;
        }""",
        ROOT_LOGIN,
    )
    assert where(found) == [(4, 67, "high")]
    assert found[0].message == 'root may log in (PermitRootLogin = "yes", from login): WHY; FIX'


def test_a_false_precondition_silences_the_check(tmp_path: Path) -> None:
    assert (
        hits(tmp_path, '{ services.openssh.settings.PermitRootLogin = "yes"; }', ROOT_LOGIN) == []
    )


def test_an_undecidable_condition_lowers_confidence(tmp_path: Path) -> None:
    found = hits(
        tmp_path,
        """{ lib, config, ... }: {
          services.openssh.enable = true;
          services.openssh.settings.PermitRootLogin = lib.mkIf config.my.debug "yes";
        }""",
        ROOT_LOGIN,
    )
    assert where(found) == [(3, 80, "medium")]
    assert "(under a condition nixlint cannot decide)" in found[0].message


def test_an_undecidable_precondition_lowers_confidence_and_says_so(tmp_path: Path) -> None:
    found = hits(
        tmp_path,
        """{ config, ... }: {
          services.openssh.enable = config.my.remote;
          services.openssh.settings.PermitRootLogin = "yes";
        }""",
        ROOT_LOGIN,
    )
    assert where(found) == [(3, 55, "medium")]
    assert "if services.openssh.enable is true, which nixlint cannot decide" in found[0].message


def test_a_conditional_override_with_higher_priority_lowers_confidence(tmp_path: Path) -> None:
    found = hits(
        tmp_path,
        """{
          imports = [ ./debug.nix ];
          services.openssh.enable = true;
          services.openssh.settings.PermitRootLogin = "yes";
        }""",
        ROOT_LOGIN,
        {
            "debug.nix": """{ lib, config, ... }: {
          services.openssh.settings.PermitRootLogin = lib.mkIf config.x (lib.mkForce "no");
        }"""
        },
    )
    assert where(found) == [(4, 55, "medium")]


def test_an_unset_option_is_judged_by_its_default_and_anchored_nearby(tmp_path: Path) -> None:
    found = hits(
        tmp_path,
        """{
          networking.hostName = "web";
          services.openssh = {
            enable = true;
            ports = [ 2222 ];
          };
        }""",
        PASSWORDS,
    )
    assert where(found) == [(3, 11, "high")]
    assert found[0].message == (
        "sshd accepts passwords (PasswordAuthentication is not set and defaults to true; "
        "services.openssh.enable at line 4): WHY; FIX"
    )


def test_an_option_set_only_under_a_condition_falls_back_to_its_default(tmp_path: Path) -> None:
    found = hits(
        tmp_path,
        """{ lib, config, ... }: {
          services.openssh.enable = true;
          services.openssh.settings.PasswordAuthentication = lib.mkIf config.x false;
        }""",
        PASSWORDS,
    )
    assert where(found) == [(3, 80, "medium")]
    assert "set only under a condition nixlint cannot decide, else defaults to true" in (
        found[0].message
    )


def test_a_setting_made_elsewhere_is_respected(tmp_path: Path) -> None:
    found = hits(
        tmp_path,
        """{ imports = [ ./ssh.nix ]; services.openssh.enable = true; }""",
        PASSWORDS,
        {"ssh.nix": "{ services.openssh.settings.PasswordAuthentication = false; }"},
    )
    assert found == []


def test_an_unread_import_lowers_the_confidence_of_a_default(tmp_path: Path) -> None:
    found = hits(
        tmp_path,
        """{ inputs, ... }: {
          imports = [ inputs.srvos.nixosModules.server ];
          services.openssh.enable = true;
        }""",
        PASSWORDS,
    )
    assert where(found) == [(3, 11, "medium")]
    assert "unless an imported module nixlint cannot read sets it" in found[0].message


def test_wildcards_fill_preconditions_and_messages(tmp_path: Path) -> None:
    check = OptionCheck(
        "services.prometheus.exporters.*.openFirewall",
        equals(True),
        "the {0} exporter is open",
        requires=(Requires("services.prometheus.exporters.{0}.enable", equals(True)),),
    )
    found = hits(
        tmp_path,
        """{
          services.prometheus.exporters.node = { enable = true; openFirewall = true; };
          services.prometheus.exporters.smartctl = { enable = false; openFirewall = true; };
        }""",
        check,
    )
    assert where(found) == [(2, 80, "high")]
    assert found[0].message.startswith("the node exporter is open (openFirewall = true)")


def test_list_elements_are_reported_one_by_one(tmp_path: Path) -> None:
    check = OptionCheck("networking.firewall.allowedTCPPorts", contains(5432, 6379), "open port")
    found = hits(
        tmp_path,
        """{ lib, ... }: {
          networking.firewall.allowedTCPPorts = [ 22 5432 ] ++ lib.optional true 6379;
        }""",
        check,
    )
    assert where(found) == [(2, 54, "high"), (2, 82, "high")]
    assert found[0].message.startswith("open port (5432 in allowedTCPPorts)")


def test_text_matches_point_at_the_line_inside_the_string(tmp_path: Path) -> None:
    check = OptionCheck(
        "services.openssh.extraConfig",
        matches(r"(?mi)^\s*PermitRootLogin\s+yes\b"),
        "root may log in",
    )
    found = hits(
        tmp_path,
        """{
          services.openssh.extraConfig = ''
            AllowAgentForwarding no
            PermitRootLogin yes
          '';
        }""",
        check,
    )
    assert where(found) == [(4, 13, "high")]
    assert found[0].message.startswith('root may log in ("PermitRootLogin yes" in extraConfig)')


def test_numbers_compare_and_one_of_keeps_types_apart(tmp_path: Path) -> None:
    numeric = OptionCheck('boot.kernel.sysctl."kernel.kptr_restrict"', compare("<", 1), "low")
    assert where(hits(tmp_path, '{ boot.kernel.sysctl."kernel.kptr_restrict" = 0; }', numeric)) == [
        (1, 47, "high")
    ]
    typed = OptionCheck("security.sudo.wheelNeedsPassword", one_of(False, 0), "no password")
    assert hits(tmp_path, '{ security.sudo.wheelNeedsPassword = "false"; }', typed) == []


def test_root_equivalent_groups_are_judged_per_host(tmp_path: Path) -> None:
    from nixlint.rules.base import root_equivalent_groups

    write(
        tmp_path,
        {
            "host.nix": """{ config, ... }: {
              virtualisation.docker.enable = true;
              virtualisation.podman.enable = true;
              virtualisation.libvirtd.enable = config.my.vms;
            }"""
        },
    )
    workspace = load_workspace([str(tmp_path / "host.nix")])
    host = build_host("host", [str(tmp_path / "host.nix")], workspace.store)
    groups = {g.name: g.active for g in root_equivalent_groups(HostContext(host))}
    assert groups == {
        "docker": True,
        "podman": False,
        "lxd": False,
        "incus-admin": False,
        "libvirtd": None,
        "disk": True,
    }
