"""A value that only partly depends on a condition nixlint cannot decide: `++` and `//` with
`lib.optionals` and `lib.optionalAttrs` keep the other side, which stays certain."""

from __future__ import annotations

from pathlib import Path

from nixlint.analyze import check
from nixlint.hosts import build_host
from nixlint.rules.base import HostContext
from nixlint.workspace import FileStore
from tests.conftest import write


def _context(tmp: Path, text: str) -> HostContext:
    write(tmp, {"host.nix": text})
    return HostContext(build_host("h", [str(tmp / "host.nix")], FileStore([str(tmp)])))


def test_the_unconditional_part_of_a_concatenation_is_kept_and_certain(tmp_path: Path) -> None:
    ctx = _context(
        tmp_path,
        """{ config, lib, ... }: {
          boot.kernelParams = [ "quiet" ] ++ lib.optionals config.my.fast [ "mitigations=off" ];
        }""",
    )
    with ctx.graph.activate():
        items = [(it.value, it.conditional) for it in ctx.items("boot.kernelParams")]
    assert items == [("quiet", False), ("mitigations=off", True)]


def test_an_update_with_optional_attrs_leaves_the_other_attributes_certain(
    tmp_path: Path,
) -> None:
    ctx = _context(
        tmp_path,
        """{ config, lib, ... }: {
          boot.loader.systemd-boot = {
            enable = true;
            editor = false;
          } // lib.optionalAttrs config.my.memtest { memtest86.enable = true; editor = true; };
        }""",
    )
    with ctx.graph.activate():
        enable = ctx.resolve("boot.loader.systemd-boot.enable")
        editor = ctx.resolve("boot.loader.systemd-boot.editor")
        memtest = ctx.resolve("boot.loader.systemd-boot.memtest86.enable")
        assert (enable.value, enable.conditional) == (True, False)
        assert sorted(c.definition.value.force() for c in editor.candidates) == [False, True]
        assert editor.conditional and memtest.conditional


def test_findings_in_the_certain_part_keep_their_confidence(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "host.nix": """{ config, lib, ... }: {
              boot.kernelParams = [ "mitigations=off" ] ++ lib.optionals config.my.x [ "nokaslr" ];
            }"""
        },
    )
    found = [(f.rule, f.confidence.value) for f in check([str(tmp_path)]).findings]
    assert found == [("NIX701", "high"), ("NIX702", "medium")]
