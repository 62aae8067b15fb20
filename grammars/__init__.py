"""The tree-sitter queries nixlint uses (installed as ``nixlint.grammars``)."""

from __future__ import annotations

from functools import cache
from importlib import resources


@cache
def query_text(name: str) -> str:
    return resources.files(__package__).joinpath("queries", f"{name}.scm").read_text("utf-8")
