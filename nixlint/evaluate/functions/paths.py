"""Paths and imports: ``baseNameOf``, ``dirOf``, ``import``."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from nixlint.evaluate.functions.registry import define
from nixlint.evaluate.interpolation import coerce_to_string
from nixlint.evaluate.values import (
    AttrSet,
    Failure,
    Opaque,
    PartialString,
    Path,
    Thunk,
    Unknown,
    Value,
)

if TYPE_CHECKING:
    from nixlint.evaluate.evaluator import Evaluator


@define("baseNameOf", 1, lib=True)
def _b_base_name_of(ev: Evaluator, p: Thunk) -> Value:
    value = p.force()
    text = value.path if isinstance(value, Path) else coerce_to_string(value, None)
    if isinstance(text, Unknown):
        return text
    return text.rstrip("/").rsplit("/", 1)[-1]


@define("dirOf", 1)
def _b_dir_of(ev: Evaluator, p: Thunk) -> Value:
    value = p.force()
    if isinstance(value, Path):
        return Path(os.path.dirname(value.path) or ".", value.external)
    text = coerce_to_string(value, None)
    if isinstance(text, Unknown):
        return text
    if "/" not in text:
        return "."
    head = text.rsplit("/", 1)[0]
    return head or "/"


@define("import", 1)
def _b_import(ev: Evaluator, p: Thunk) -> Value:
    value = p.force()
    if isinstance(value, Path):
        if value.external:
            return Opaque(f"import {value.path}")
        return ev.import_file(_default_nix(value.path), p.span)
    if isinstance(value, AttrSet) and "outPath" in value.attrs:
        return Unknown("import of a derivation or flake input")
    if isinstance(value, str) and value.startswith("/"):
        return ev.import_file(_default_nix(value), p.span)
    if isinstance(value, PartialString) and value.local_path is not None:
        return ev.import_file(_default_nix(value.local_path), p.span)
    if isinstance(value, Unknown):
        return Unknown(f"import of an unknown path: {value.reason}", value.span)
    return Unknown("import of something that is not a path")


def _default_nix(path: str) -> str:
    if os.path.isdir(path):
        return os.path.join(path, "default.nix")
    return path


def path_append(ev: Evaluator, base: Thunk, sub: Thunk) -> Value:
    """``lib.path.append path subpath``: a relative subpath without ``..`` joined to a path."""
    where, rest = base.force(), sub.force()
    if isinstance(where, Unknown):
        return where
    if not isinstance(where, Path):
        return Failure("lib.path.append: the first argument is not a path", base.span)
    if isinstance(rest, Unknown):
        return rest
    if not isinstance(rest, str) or not rest or rest.startswith("/") or ".." in rest.split("/"):
        return Failure("lib.path.append: not a valid relative subpath", sub.span)
    return Path(os.path.normpath(os.path.join(where.path, rest)), where.external)
