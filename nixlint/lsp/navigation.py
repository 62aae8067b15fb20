"""Options under the cursor: which option path, its effective value per host, and the
definitions that make it (hover), or the one that wins (go to definition)."""

from __future__ import annotations

import os
from dataclasses import dataclass

from nixlint import schema
from nixlint.evaluate.values import (
    AttrSet,
    Lambda,
    List,
    MkIf,
    MkMerge,
    MkOrder,
    MkOverride,
    Opaque,
    PartialString,
    Path,
    Unknown,
    Value,
)
from nixlint.graph import DefinitionState, Resolution
from nixlint.hosts import Host
from nixlint.modules import Definition, OptionPath
from nixlint.parse import SourceFile
from nixlint.rules.syntax_tree import attr_name
from nixlint.span import Span
from nixlint.workspace import project_root

ORDER_NAMES = {500: "mkBefore", 1500: "mkAfter"}

#: Definitions listed per host in a hover (the winners sort first).
MAX_SHOWN = 20

PRIORITY_NAMES = {
    10: "mkVMOverride",
    50: "mkForce",
    60: "mkImageMediaOverride",
    1000: "mkDefault",
    1500: "option default",
}


@dataclass(frozen=True, slots=True)
class Target:
    """An option path found at a byte offset, and the bytes it covers."""

    path: OptionPath
    start: int
    end: int


def option_at(src: SourceFile, offset: int, hosts: list[Host]) -> Target | None:
    """The option path the cursor is on: a component of a definition's attribute path
    (``nix.settings.sandbox = …``, nested sets, ``mkIf``…), or of ``config.a.b``."""
    root = src.root
    if root is None:
        return None
    node = root.named_descendant_for_byte_range(offset, offset)
    attrpath = None
    while node is not None:
        if node.type == "attrpath":
            attrpath = node
            break
        if node.type in ("binding", "binding_set", "source_code"):
            break
        node = node.parent
    if attrpath is None:
        return None
    attrs = attrpath.children_by_field_name("attr")
    index = next(
        (i for i, a in enumerate(attrs) if a.start_byte <= offset <= a.end_byte), len(attrs) - 1
    )
    if not attrs:
        return None
    end = attrs[index].end_byte
    parent = attrpath.parent
    if parent is not None and parent.type == "select_expression":
        base = parent.child_by_field_name("expression")
        if base is None or base.type != "variable_expression" or src.text(base) != "config":
            return None
        names = [attr_name(src, a) for a in attrs[: index + 1]]
        if any(n is None for n in names):
            return None
        path = schema.canonical(tuple(n for n in names if n is not None))
        return Target(path, base.start_byte, end)
    if parent is None or parent.type != "binding":
        return None
    defined = _deepest_definition(src.span(attrpath), hosts)
    if defined is None:
        return None
    drop = len(attrs) - 1 - index
    written = defined.written or defined.path
    if drop >= len(written):
        return None
    path = schema.canonical(written[: len(written) - drop]) if drop else defined.path
    return Target(path, attrpath.start_byte, end)


def _deepest_definition(where: Span, hosts: list[Host]) -> Definition | None:
    """The definition with the longest option path written exactly at ``where`` (by line
    and column: a definition kept from an earlier text of the file keeps its place, not
    necessarily its byte offsets)."""
    best: Definition | None = None
    for host in hosts:
        for module in host.modules:
            if module.path != where.path:
                continue
            for d in module.definitions:
                if d.span[:5] == where[:5] and (best is None or len(d.path) > len(best.path)):
                    best = d
    return best


# -- hover --------------------------------------------------------------------------------


def describe_priority(priority: int) -> str:
    name = PRIORITY_NAMES.get(priority)
    if priority == 100:
        return "100"
    return f"{priority} ({name})" if name else f"{priority} (mkOverride)"


def render(value: Value, budget: list[int] | None = None, depth: int = 0) -> str:
    """A value as Nix text, with ``<unknown: …>`` where nixlint cannot know it."""
    budget = budget if budget is not None else [60]
    budget[0] -= 1
    if budget[0] < 0 or depth > 6:
        return "…"
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, str):
        return _string(value)
    if isinstance(value, Path):
        return value.path
    if isinstance(value, PartialString):
        return _string(value.known_text)
    if isinstance(value, Opaque):
        return value.label
    if isinstance(value, Unknown):
        return f"<unknown: {value.reason}>"
    if isinstance(value, List):
        items = [render(t.force(), budget, depth + 1) for t in value.items[:8]]
        more = " …" if len(value.items) > 8 else ""
        return "[ " + " ".join(items) + more + " ]" if items else "[ ]"
    if isinstance(value, AttrSet):
        names = value.keys()
        shown = [
            f"{_key(n)} = {render(value.attrs[n].thunk.force(), budget, depth + 1)};"
            for n in names[:8]
        ]
        more = " …" if len(names) > 8 or value.dynamic else ""
        return "{ " + " ".join(shown) + more + " }" if shown or more else "{ }"
    if isinstance(value, Lambda):
        return "<function>"
    if isinstance(value, MkOverride):
        name = PRIORITY_NAMES.get(value.priority)
        head = name if name and name != "option default" else f"mkOverride {value.priority}"
        return f"{head} {render(value.content.force(), budget, depth + 1)}"
    if isinstance(value, MkOrder):
        head = ORDER_NAMES.get(value.priority, f"mkOrder {value.priority}")
        return f"{head} {render(value.content.force(), budget, depth + 1)}"
    if isinstance(value, MkIf):
        return f"mkIf … {render(value.content.force(), budget, depth + 1)}"
    if isinstance(value, MkMerge):
        items = [render(t.force(), budget, depth + 1) for t in value.contents[:4]]
        more = " …" if len(value.contents) > 4 else ""
        return "mkMerge [ " + " ".join(items) + more + " ]"
    return f"<{type(value).__name__}>"


def _string(text: str) -> str:
    if len(text) > 120:
        text = text[:117] + "..."
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return '"' + escaped.replace("${", "\\${") + '"'


def _key(name: str) -> str:
    plain = name and (name[0].isalpha() or name[0] == "_")
    if plain and all(c.isalnum() or c in "_-'" for c in name):
        return name
    return _string(name)


def _short(text: str, limit: int = 200) -> str:
    return text if len(text) <= limit else text[: limit - 3] + "..."


def relative(path: str, base: str) -> str:
    rel = os.path.relpath(path, base)
    return path if rel.startswith("..") else rel


def _link(span: Span, base: str) -> str:
    from pygls.uris import from_fs_path

    return f"[{relative(span.path, base)}:{span.line}]({from_fs_path(span.path)}#L{span.line})"


def _condition(state: DefinitionState) -> str:
    conds = state.definition.conditions
    text = state.state
    if conds:
        text += " (" + " && ".join(c.describe() for c in conds) + ")"
    return text


def _winners(res: Resolution) -> list[Definition]:
    return [c.definition for c in res.candidates]


def hover_text(target: Target, file: str, hosts: list[Host]) -> str | None:
    """Markdown: the option, then per host its value and every definition."""
    if not hosts:
        return None
    base = project_root(file) or os.path.dirname(file)
    lines = [f"**`{schema.join(target.path)}`**"]
    for host in hosts:
        res = host.graph.resolve(target.path)
        states = res.definitions
        children = host.graph.children(target.path)
        if not states and children:
            # an option set: its own definitions are sets of options
            shown = ", ".join(f"`{_key(c)}`" for c in children[:12])
            more = ", …" if len(children) > 12 else ""
            lines += ["", f"host **{host.name}**: a set of options: {shown}{more}"]
            states = [
                DefinitionState(d, d.condition()) for d in host.graph.definitions(target.path)
            ]
        else:
            source = {
                "declared-default": " (the option's declared default)",
                "default": " (the NixOS default)",
            }.get(res.source, "")
            lines += ["", f"host **{host.name}**: `{_short(render(res.value))}`{source}"]
        winners = _winners(res)
        ordered = sorted(states, key=_order)
        for state in ordered[:MAX_SHOWN]:
            d = state.definition
            wins = any(d is w for w in winners) and state.condition is not False
            mark = " **(wins)**" if wins else ""
            shown = render(d.value.force())
            priority = (
                "" if d.kind == "namespace" else f" priority {describe_priority(d.priority)},"
            )
            lines.append(
                f"- {_link(d.span, base)}{priority} condition {_condition(state)}: "
                f"`{_short(shown, 120)}`{mark}"
            )
        if len(ordered) > MAX_SHOWN:
            lines.append(f"- … and {len(ordered) - MAX_SHOWN} more")
        if not ordered:
            lines.append("- no definition in the scanned files")
    return "\n".join(lines)


def _order(state: DefinitionState) -> tuple[int, str, int]:
    d = state.definition
    return (d.priority, d.span.path, d.span.line)


def definition_spans(target: Target, hosts: list[Host]) -> list[Span]:
    """Where the option's value is decided in any of ``hosts``: the winning definitions,
    else the declaration of its default in a scanned module."""
    seen: set[tuple[str, int]] = set()
    out: list[Span] = []

    def add(span: Span) -> None:
        if (span.path, span.start_byte) not in seen:
            seen.add((span.path, span.start_byte))
            out.append(span)

    for host in hosts:
        res = host.graph.resolve(target.path)
        for d in _winners(res):
            add(d.span)
        if not res.candidates:
            decl = host.graph.declaration(target.path)
            if decl is not None and decl.span is not None:
                add(decl.span)
    return out
