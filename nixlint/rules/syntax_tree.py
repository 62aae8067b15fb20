"""Reading Nix syntax directly, for rules that judge what a file writes rather than what a
host's options become: calls, attribute sets as written, string literals."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tree_sitter import Node, Query

    from nixlint.parse import SourceFile

ATTRSETS = frozenset({"attrset_expression", "rec_attrset_expression"})
STRINGS = frozenset({"string_expression", "indented_string_expression"})


@cache
def _query(pattern: str) -> Query:
    from tree_sitter import Query

    from nixlint.parse import language

    return Query(language(), pattern)


def find(root: Node, pattern: str, name: str) -> list[Node]:
    """The nodes a tree-sitter query captures as ``name``, in source order (the search runs
    in the parser's library, far faster than visiting every node from Python)."""
    from tree_sitter import QueryCursor

    found = QueryCursor(_query(pattern)).captures(root).get(name, [])
    return sorted(found, key=lambda node: node.start_byte)


def unwrap(node: Node | None) -> Node | None:
    """The expression inside parentheses."""
    while node is not None and node.type == "parenthesized_expression":
        node = node.child_by_field_name("expression")
    return node


def callee(src: SourceFile, node: Node) -> tuple[str, str] | None:
    """(qualifier, name) of the function an ``apply_expression`` calls when it is a name
    (``fetchTarball`` → ``("", "fetchTarball")``) or a selection (``builtins.fetchGit`` →
    ``("builtins", "fetchGit")``); None for anything else."""
    function = unwrap(node.child_by_field_name("function"))
    if function is None:
        return None
    if function.type == "variable_expression":
        return "", src.text(function)
    if function.type == "select_expression":
        base = function.child_by_field_name("expression")
        path = function.child_by_field_name("attrpath")
        if base is None or path is None or function.child_by_field_name("default"):
            return None
        parts = src.text(path).split(".")
        qualifier = ".".join([src.text(base), *parts[:-1]])
        return qualifier, parts[-1]
    return None


@dataclass(slots=True)
class Written:
    """The attributes an attribute set literal writes: ``values`` for ``name = …;``, and
    the names inherited (whose values are not read here)."""

    values: dict[str, Node] = field(default_factory=dict)
    inherited: set[str] = field(default_factory=set)
    #: a dynamic name (``"${x}" = …``) may be any attribute
    dynamic: bool = False

    def has(self, *names: str) -> bool:
        return any(n in self.values or n in self.inherited for n in names)


def attrset(src: SourceFile, node: Node) -> Written | None:
    """What an attribute set literal writes at its top level (None for other nodes)."""
    if node.type not in ATTRSETS:
        return None
    out = Written()
    for child in node.named_children:
        if child.type != "binding_set":
            continue
        for binding in child.named_children:
            if binding.type == "binding":
                path = binding.child_by_field_name("attrpath")
                value = binding.child_by_field_name("expression")
                if path is None or value is None:
                    continue
                first = path.named_children[0] if path.named_children else None
                if first is None or first.type != "identifier":
                    if first is not None and first.type == "string_expression":
                        text = string_text(src, first)
                        if text is not None and not text[1]:
                            out.values[text[0]] = value
                            continue
                    out.dynamic = True
                    continue
                name = src.text(first)
                if len(path.named_children) == 1:
                    out.values[name] = value
                else:
                    out.inherited.add(name)  # ``a.b = …``: written, but not as one value
            elif binding.type in ("inherit", "inherit_from"):
                attrs = binding.child_by_field_name("attrs")
                for attr in attrs.named_children if attrs is not None else ():
                    out.inherited.add(src.text(attr))
    return out


def attr_name(src: SourceFile, node: Node) -> str | None:
    """A written attribute name (``a``, ``"a.b"``); None for an interpolated one."""
    if node.type == "identifier":
        return src.text(node)
    found = string_text(src, node) if node.type == "string_expression" else None
    if found is None or found[1]:
        return None
    return found[0]


def string_text(src: SourceFile, node: Node) -> tuple[str, bool] | None:
    """(the literal text up to the first interpolation, whether more follows) of a string or
    a bare URL; None for anything else."""
    if node.type == "uri_expression":
        return src.text(node), False
    if node.type not in STRINGS:
        return None
    parts: list[str] = []
    for child in node.named_children:
        if child.type == "string_fragment":
            parts.append(src.text(child))
        elif child.type == "escape_sequence":
            parts.append(src.text(child)[-1:])
        elif child.type == "interpolation":
            return "".join(parts), True
    return "".join(parts), False


def interpolated(src: SourceFile, node: Node) -> list[str]:
    """The expressions interpolated into a string, as written (``"${rev}"`` → ``["rev"]``)."""
    if node.type not in STRINGS:
        return []
    out = []
    for child in node.named_children:
        if child.type == "interpolation":
            inner = child.child_by_field_name("expression")
            out.append(src.text(inner) if inner is not None else "")
    return out


def in_formal_default(node: Node) -> bool:
    """True inside the default of a function argument (``{ pkgs ? import <nixpkgs> { } }:``),
    which is evaluated only when the caller does not pass the argument."""
    parent = node.parent
    while parent is not None:
        if parent.type == "formal":
            default = parent.child_by_field_name("default")
            if default is not None and default.start_byte <= node.start_byte < default.end_byte:
                return True
        parent = parent.parent
    return False


def in_fallback(node: Node) -> bool:
    """True inside a branch of ``if … then … else …`` or the default of ``a.b or …``: code
    evaluated only in some cases (a fallback for old versions, for use outside a flake)."""
    child, parent = node, node.parent
    while parent is not None:
        if parent.type == "if_expression":
            condition = parent.child_by_field_name("condition")
            if condition is None or not (
                condition.start_byte <= child.start_byte < condition.end_byte
            ):
                return True
        if parent.type == "select_expression":
            default = parent.child_by_field_name("default")
            if default is not None and default.start_byte <= child.start_byte < default.end_byte:
                return True
        child, parent = parent, parent.parent
    return False
