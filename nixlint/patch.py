"""Patching a taken-apart module after an edit inside one of its values.

The language server analyses again after every keystroke. When the edit stays inside the
value of one attribute — ``sandbox = false`` becoming ``sandbox = true`` — the module's
other definitions cannot change: only that value is evaluated and taken apart again, and
the module's definitions keep every other entry. The patch names the option paths it
replaced, so that rules which never read them keep their findings (:mod:`nixlint.reuse`).

The edit qualifies when:

- it adds or removes no line, and nothing but ``;`` (and a comment) follows the value on
  its line, so that every other definition keeps its place;
- the new text parses without error;
- the attribute is reached from the module's top-level set through plain nested sets
  (``a.b = { c = …; }``): no ``rec``, ``let``, function call or dynamic name on the way,
  which could let other values see the edited one;
- the module's evaluated sets still hold the edited value where its names say.

Anything else returns None, and the module is taken apart again as a whole.
"""

from __future__ import annotations

import re
from dataclasses import replace

from tree_sitter import Node

from nixlint import schema
from nixlint.evaluate.context import Context, active
from nixlint.evaluate.values import Attr, AttrSet, PartlyKnownSet, Thunk
from nixlint.modules import (
    MAX_COLLECT_STEPS,
    MODULE_META,
    Definition,
    Module,
    OptionPath,
    _Collector,
    _Context,
)
from nixlint.parse import SourceFile
from nixlint.rules.syntax_tree import attr_name
from nixlint.workspace import FileStore

#: Nodes a top-level attribute set may sit in (as their body).
_WRAPPERS = frozenset({"function_expression", "let_expression", "with_expression"})
#: Patches in a row before a module is taken apart again as a whole.
MAX_PATCHES = 200
#: What may follow an edited value on its line.
_LINE_REST = re.compile(rb"[ \t]*;[ \t]*(#[^\n]*)?(\n|$)")


def changed_range(old: bytes, new: bytes) -> tuple[int, int, int]:
    """(start, end in ``old``, end in ``new``) of the bytes that differ."""
    size = min(len(old), len(new))
    low, high = 0, size
    while low < high:  # the longest common prefix, by halves (each comparison is memcmp)
        mid = (low + high + 1) // 2
        if old[:mid] == new[:mid]:
            low = mid
        else:
            high = mid - 1
    start = low
    low, high = 0, size - start
    while low < high:
        mid = (low + high + 1) // 2
        if old[len(old) - mid :] == new[len(new) - mid :]:
            low = mid
        else:
            high = mid - 1
    return start, len(old) - low, len(new) - low


def patch_module(
    modules: list[Module], src: SourceFile, store: FileStore | None = None
) -> list[Module] | None:
    """``modules`` (a file's module and its inline imports, taken apart from an earlier
    text) brought to ``src``, or None when the edit does not qualify."""
    main = modules[0] if modules else None
    if main is None or main.problem is not None or main.body is None:
        return None
    if main.generation >= MAX_PATCHES:
        return None  # let the trees of earlier texts go
    old_src = main.src
    if old_src.root is None or src.root is None or src.root.has_error or not src.ok:
        return None
    if len(main.definitions) > MAX_COLLECT_STEPS // 2:
        return None
    start, old_end, new_end = changed_range(old_src.data, src.data)
    if start == old_end == new_end:
        return None
    if b"\n" in old_src.data[start:old_end] or b"\n" in src.data[start:new_end]:
        return None
    delta = new_end - old_end
    pair = _bindings(old_src, start, old_end, src, new_end, delta)
    if pair is None:
        return None
    old_binding, new_binding = pair
    keys = _keys(old_src, old_binding)
    if keys is None or keys != _keys(src, new_binding):
        return None
    target = _locate(main.body, keys)
    if target is None:
        return None
    attr, path = target
    old_thunk = attr.thunk
    if not _same_node(old_thunk, old_src, _expression(old_binding)):
        return None
    block = _block(main.definitions, path)
    if block is None:
        return None
    first, last = block
    ev = old_thunk.ev
    assert ev is not None
    ev.steps = 0  # the budget a module taken apart whole gets
    thunk = Thunk(_expression(new_binding), old_thunk.env, src, ev)
    patched = Module(id=main.id, src=src)
    with active(Context()):
        if store is not None:
            with store.recording() as seen:
                _Collector(patched).collect(path, thunk, attr.span, _Context())
        else:
            seen = set()
            _Collector(patched).collect(path, thunk, attr.span, _Context())
    attr.thunk = thunk  # the module's sets now hold the new value
    before, after = main.definitions[first:last], patched.definitions
    changed = {path, schema.canonical(path)}
    for definition in (*before, *after):
        changed.add(definition.path)
        if definition.written is not None:
            changed.add(definition.written)
    module = replace(
        main,
        src=src,
        definitions=[
            *main.definitions[:first],
            *patched.definitions,
            *main.definitions[last:],
        ],
        deps=main.deps | seen,
        index=None,
        previous=main,
        changed=frozenset(changed),
        reshaped=frozenset(_reshaped(before, after)),
        generation=main.generation + 1,
    )
    main.previous = None  # only the version just before is compared with
    return [module, *modules[1:]]


def _reshaped(before: list[Definition], after: list[Definition]) -> set[OptionPath]:
    """Paths under which the edited value's definitions give other names (the option
    tree a module index builds from the definitions' paths)."""

    def names(definitions: list[Definition]) -> dict[OptionPath, set[str]]:
        out: dict[OptionPath, set[str]] = {}
        for d in definitions:
            for i in range(len(d.path)):
                out.setdefault(d.path[:i], set()).add(d.path[i])
        return out

    old, new = names(before), names(after)
    return {p for p in old.keys() | new.keys() if old.get(p) != new.get(p)}


def _same_node(thunk: Thunk, src: SourceFile, expression: Node) -> bool:
    """True when ``thunk`` is the expression's value as written in ``src``. The thunk may
    come from an earlier text (a value not edited since), whose bytes before it may have
    other lengths but whose lines and text here are the same."""
    node, own = thunk.node, thunk.src
    if node is None or own is None or thunk.env is None or thunk.ev is None:
        return False
    return (
        node.type == expression.type
        and node.start_point == expression.start_point
        and node.end_point == expression.end_point
        and own.data[node.start_byte : node.end_byte]
        == src.data[expression.start_byte : expression.end_byte]
    )


def _expression(binding: Node) -> Node:
    found = binding.child_by_field_name("expression")
    assert found is not None
    return found


def _bindings(
    old: SourceFile, start: int, old_end: int, new: SourceFile, new_end: int, delta: int
) -> tuple[Node, Node] | None:
    """The innermost binding, in the old text and the new, whose value holds the edit and
    ends its line, and that sits in plain nested sets up to the module's top-level set."""
    after = {b.start_byte: b for b in _candidates(new, start, new_end)}
    for binding in _candidates(old, start, old_end):
        other = after.get(binding.start_byte)
        if other is not None and binding.end_byte + delta == other.end_byte:
            return binding, other
    return None


def _candidates(src: SourceFile, start: int, end: int) -> list[Node]:
    """Bindings whose value holds ``[start, end)`` (give or take the blanks around it),
    innermost first, that a patch may replace."""
    assert src.root is not None
    data = src.data
    node: Node | None = src.root.descendant_for_byte_range(start, end)
    found: list[Node] = []
    while node is not None:
        if node.type == "binding":
            value = node.child_by_field_name("expression")
            if (
                value is not None
                and not data[start : value.start_byte].strip()
                and not data[value.end_byte : end].strip()
                and _LINE_REST.match(data, value.end_byte)
                and _plain_chain(node)
            ):
                found.append(node)
        node = node.parent
    return found


def _plain_chain(binding: Node) -> bool:
    node: Node | None = binding
    while node is not None and node.type == "binding":
        bindings = node.parent
        attrset = bindings.parent if bindings is not None else None
        if bindings is None or bindings.type != "binding_set" or attrset is None:
            return False
        if attrset.type != "attrset_expression":
            return False
        node = attrset.parent
        if node is not None and node.type == "binding":
            if node.child_by_field_name("expression") != attrset:
                return False
            continue
        # the module's top-level set: only bodies of functions, let and with above it
        inner = attrset
        while node is not None and node.type != "source_code":
            if node.type == "parenthesized_expression":
                pass
            elif node.type not in _WRAPPERS or node.child_by_field_name("body") != inner:
                return False
            inner, node = node, node.parent
        return node is not None
    return False


def _keys(src: SourceFile, binding: Node) -> tuple[str, ...] | None:
    """The attribute names from the top-level set to the binding's value."""
    names: list[str] = []
    node: Node | None = binding
    while node is not None and node.type == "binding":
        attrpath = node.child_by_field_name("attrpath")
        if attrpath is None:
            return None
        part: list[str] = []
        for attr in attrpath.children_by_field_name("attr"):
            name = attr_name(src, attr)
            if name is None:
                return None
            part.append(name)
        names[:0] = part
        attrset = node.parent.parent if node.parent is not None else None
        node = attrset.parent if attrset is not None else None
    return tuple(names)


def _locate(body: AttrSet, keys: tuple[str, ...]) -> tuple[Attr, OptionPath] | None:
    """The attribute ``keys`` name in a module's evaluated sets, and its option path."""
    if "config" in body.attrs or "options" in body.attrs:
        if len(keys) < 2 or keys[0] != "config":
            return None
        path = keys[1:]
    elif not keys or keys[0] in MODULE_META:
        return None
    else:
        path = keys
    current = body
    for name in keys[:-1]:
        attr = current.attrs.get(name)
        if attr is None or not attr.thunk.evaluated:
            return None
        value = attr.thunk.force()
        if not isinstance(value, AttrSet) or isinstance(value, PartlyKnownSet):
            return None
        current = value
    attr = current.attrs.get(keys[-1])
    return (attr, path) if attr is not None else None


def _block(definitions: list[Definition], path: OptionPath) -> tuple[int, int] | None:
    """The slice of ``definitions`` taken from the value at ``path`` (one run of them)."""
    size = len(path)
    found = [i for i, d in enumerate(definitions) if (d.written or d.path)[:size] == path]
    if not found or found[-1] - found[0] + 1 != len(found):
        return None
    if (definitions[found[0]].written or definitions[found[0]].path) != path:
        return None
    return found[0], found[-1] + 1
