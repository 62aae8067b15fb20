"""The table of node handlers (one function per syntax node kind, registered with
:func:`handles`) and small helpers over syntax nodes.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from nixlint.evaluate.values import Scope, Value

if TYPE_CHECKING:
    from tree_sitter import Node

    from nixlint.evaluate.evaluator import Evaluator
    from nixlint.parse import SourceFile


Handler = Callable[["Evaluator", "Node", Scope, "SourceFile"], Value]
HANDLERS: dict[str, Handler] = {}


def handles(*kinds: str) -> Callable[[Handler], Handler]:
    def register(fn: Handler) -> Handler:
        for kind in kinds:
            HANDLERS[kind] = fn
        return fn

    return register


def node_text(node: Node, src: SourceFile) -> str:
    return src.data[node.start_byte : node.end_byte].decode("utf-8", "replace")


def expression_of(node: Node) -> Node | None:
    return node.child_by_field_name("expression")
