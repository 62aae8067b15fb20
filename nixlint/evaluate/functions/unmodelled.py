"""Builtins whose results cannot be known from the text: fetches, store paths, hashes,
regular expressions, the environment. Each gives an Unknown that says why.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from nixlint.evaluate.functions.registry import define
from nixlint.evaluate.values import (
    Thunk,
    Unknown,
    Value,
)

if TYPE_CHECKING:
    from nixlint.evaluate.evaluator import Evaluator


def _unknowable(name: str, arity: int, why: str, lib: bool = False) -> None:
    def run(ev: Evaluator, *args: Thunk) -> Value:
        return Unknown(f"{name}: {why}")

    define(name, arity, lib=lib)(run)


for _name, _arity, _why in (
    ("getEnv", 1, "depends on the environment"),
    ("match", 2, "regular expressions are not modelled"),
    ("split", 2, "regular expressions are not modelled"),
    ("hashString", 2, "hashes are not computed"),
    ("hashFile", 2, "hashes are not computed"),
    ("fetchTarball", 1, "fetches are not performed"),
    ("fetchGit", 1, "fetches are not performed"),
    ("fetchTree", 1, "fetches are not performed"),
    ("fetchurl", 1, "fetches are not performed"),
    ("derivation", 1, "derivations are not built"),
    ("toFile", 2, "store paths are not computed"),
    ("path", 1, "store paths are not computed"),
    ("filterSource", 2, "store paths are not computed"),
    ("storePath", 1, "store paths are not computed"),
    ("scopedImport", 2, "scopedImport is not modelled"),
    ("placeholder", 1, "placeholders depend on the build"),
    ("tryEval", 1, "error recovery is not modelled"),
    ("genericClosure", 1, "genericClosure is not modelled"),
    ("unsafeGetAttrPos", 2, "positions are not modelled"),
):
    _unknowable(_name, _arity, _why)
