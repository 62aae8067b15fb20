"""Precision on shapes found in real configurations: what the rules must not report, and
how sure they are and what they say when they do."""

from __future__ import annotations

from nixlint.analyze import check
from tests.conftest import FIXTURES

RULES = FIXTURES / "rules"


def _found(name: str) -> list[tuple[str, int, str, str]]:
    return [
        (f.rule, f.line, f.confidence.value, f.message) for f in check([str(RULES / name)]).findings
    ]


def test_a_container_only_configured_here_is_low_even_without_unread_imports() -> None:
    [(rule, line, confidence, message)] = _found("NIX110/bad-config-fragment.nix")
    assert (rule, line, confidence) == ("NIX110", 5, "low")
    assert "only its config is set here" in message


def test_a_disko_luks_setting_names_the_layout_and_the_device_it_becomes() -> None:
    [(rule, line, confidence, message)] = _found("NIX204/bad-disko.nix")
    assert (rule, line, confidence) == ("NIX204", 20, "high")
    assert message.startswith(
        "LUKS device 'crypted' allows discards (settings.allowDiscards = true in the disko "
        "layout, disk ssd, partition crypt, which disko passes on to "
        "boot.initrd.luks.devices.crypted): "
    )
    assert "remove settings.allowDiscards from the luks content" in message


def test_a_disko_key_file_in_the_store_is_reported_once() -> None:
    found = _found("NIX207/bad-disko.nix")
    assert [(r, line) for r, line, _, _ in found] == [("NIX207", 12)]
    assert "settings.keyFile in the disko layout, disk data, partition store" in found[0][3]


def test_a_policy_turned_off_says_it_is_not_loaded_rather_than_complaining() -> None:
    found = {line: message for _, line, _, message in _found("NIX308/bad-packaged.nix")}
    assert found[6].startswith(
        "AppArmor policy 'bin.ping' is not loaded (enable = false): the program its profile "
        "was made for runs unconfined; "
    )
    assert "violations are at most logged" in found[9]


def test_a_container_command_continued_over_lines_is_read_as_one(tmp_path) -> None:
    script = tmp_path / "runner.nix"
    script.write_text(
        "{ pkgs, ... }:\n"
        "{\n"
        "  environment.systemPackages = [\n"
        "    (pkgs.writeShellScriptBin \"runner\" ''\n"
        "      ${pkgs.docker}/bin/docker run --rm \\\n"
        "        --name runner-${toString 1} \\\n"
        "        --privileged \\\n"
        "        -v /var/run/docker.sock:/var/run/docker.sock \\\n"
        "        ghcr.io/example/runner:2.317.0\n"
        "    '')\n"
        "  ];\n"
        "}\n"
    )
    found = [(f.rule, f.line, f.severity.value) for f in check([str(script)]).findings]
    assert found == [("NIX124", 7, "high"), ("NIX124", 8, "critical")]


def test_a_virtual_machines_disk_is_reported_with_lower_confidence_and_says_why() -> None:
    [(rule, line, confidence, message)] = _found("NIX201/bad-vm-guest.nix")
    assert (rule, line, confidence) == ("NIX201", 5, "medium")
    assert message == (
        "file system / is not encrypted: /dev/vda1 is not a LUKS mapping and no LUKS device "
        "is configured (a virtual machine, qemu-guest.nix: its storage may be encrypted by "
        "the hypervisor or cloud)"
    )
    [(rule, line, confidence, message)] = _found("NIX201/bad-vmware-guest.nix")
    assert (rule, line, confidence) == ("NIX201", 4, "medium")
    assert "(a virtual machine, virtualisation.vmware.guest.enable: " in message
