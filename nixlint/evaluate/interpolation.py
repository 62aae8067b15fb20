"""Strings and paths: string literals with their interpolations, coercion to a string, and
path literals.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from nixlint.evaluate import strings
from nixlint.evaluate.handlers import expression_of, handles, node_text
from nixlint.evaluate.values import (
    MAX_STRING,
    AttrSet,
    Failure,
    Opaque,
    PartialString,
    Path,
    Scope,
    StoreCopy,
    Unknown,
    Value,
    type_name,
)

if TYPE_CHECKING:
    from tree_sitter import Node

    from nixlint.evaluate.evaluator import Evaluator
    from nixlint.parse import SourceFile
    from nixlint.span import Span


def _interpolated(ev: Evaluator, node: Node, env: Scope, src: SourceFile) -> str | Unknown:
    inner = expression_of(node)
    if inner is None:
        return Unknown("empty interpolation", src.span(node))
    value = ev.eval(inner, env, src)
    return ev.coerce(value, src.span(inner))


def coerce_to_string(value: Value, span: Span | None) -> str | Unknown:
    """What ``"${value}"`` gives: strings and string-like sets; others are errors in Nix
    (a Failure). A set's ``__toString`` is not applied here (an Unknown)."""
    if isinstance(value, str):
        return value
    if isinstance(value, Path):
        if value.external:
            return Unknown(f"store path of {value.path}", span)
        return StoreCopy(value.path, span)
    if isinstance(value, AttrSet):
        if "__toString" in value.attrs:
            return Unknown("a set coerced to a string by its __toString", span)
        out = value.get("outPath")
        if out is not None:
            return coerce_to_string(out.force(), span)
        if not value.complete:
            return Unknown("a set that may have an outPath", span)
        return Failure("a set without outPath cannot be coerced to a string", span)
    if isinstance(value, Opaque):
        out_path = value.out_path()
        return value if out_path is None else coerce_to_string(out_path, span)
    if isinstance(value, Unknown):
        return value
    return Failure(f"cannot coerce a value of type {type_name(value)} to a string", span)


def _joined(parts: list[str | Unknown], node: Node, src: SourceFile) -> Value:
    """:func:`join_parts` for a string node, whose span is made only when it is needed."""
    if all(type(p) is str for p in parts):
        text = "".join(parts)  # type: ignore[arg-type]
        if len(text) <= MAX_STRING:
            return text
    return join_parts(parts, src.span(node))


def join_parts(parts: list[str | Unknown], span: Span | None) -> Value:
    """Concatenated string parts; a failing part makes the whole a failure."""
    failure = next((p for p in parts if isinstance(p, Failure)), None)
    if failure is not None:
        return failure
    if all(isinstance(p, str) for p in parts):
        if sum(len(p) for p in parts) > MAX_STRING:  # type: ignore[arg-type]
            return Unknown("string too long to track", span)
        return "".join(parts)  # type: ignore[arg-type]
    merged: list[str | Unknown] = []
    for part in parts:
        if isinstance(part, PartialString):
            merged.extend(part.parts)
        elif merged and isinstance(part, str) and isinstance(merged[-1], str):
            merged[-1] = merged[-1] + part
        else:
            merged.append(part)
    return PartialString(tuple(merged), span)


@handles("string_expression")
def _eval_string(ev: Evaluator, node: Node, env: Scope, src: SourceFile) -> Value:
    parts: list[str | Unknown] = []
    data = src.data
    pos = node.start_byte + 1  # after the opening quote
    end = node.end_byte - 1
    for child in node.children:
        if child.type != "interpolation":
            continue
        if child.start_byte > pos:
            parts.append(
                strings.unescape_double(data[pos : child.start_byte].decode("utf-8", "replace"))
            )
        parts.append(_interpolated(ev, child, env, src))
        pos = child.end_byte
    if end > pos:
        parts.append(strings.unescape_double(data[pos:end].decode("utf-8", "replace")))
    return _joined(parts, node, src)


@handles("indented_string_expression")
def _eval_indented(ev: Evaluator, node: Node, env: Scope, src: SourceFile) -> Value:
    data = src.data
    pos = node.start_byte + 2
    end = node.end_byte - 2
    raw: list[str | None] = []
    values: list[str | Unknown] = []
    for child in node.children:
        if child.type != "interpolation":
            continue
        raw.append(data[pos : child.start_byte].decode("utf-8", "replace"))
        raw.append(None)
        values.append(_interpolated(ev, child, env, src))
        pos = child.end_byte
    raw.append(data[pos:end].decode("utf-8", "replace"))
    raw[0] = strings.strip_opening(raw[0] or "")
    raw = [r for r in raw if r != ""]
    texts = strings.strip_indentation(strings.indented_parts(raw))
    parts: list[str | Unknown] = []
    slots = iter(values)
    for text in texts:
        parts.append(next(slots) if text is None else text)
    return _joined(parts, node, src)


@handles("path_expression")
def _eval_path(ev: Evaluator, node: Node, env: Scope, src: SourceFile) -> Value:
    parts: list[str | Unknown] = []
    for child in node.children:
        if child.type == "interpolation":
            parts.append(_interpolated(ev, child, env, src))
        else:
            parts.append(node_text(child, src))
    text = join_parts(parts, src.span(node))
    if isinstance(text, Unknown):
        return Unknown(f"path with an unknown part: {text.reason}", src.span(node))
    assert isinstance(text, str)
    return make_path(text, src.path)


def make_path(text: str, base_file: str) -> Path:
    if text.startswith("/"):
        return Path(os.path.normpath(text).replace("//", "/"))
    base = os.path.dirname(base_file) or "."
    return Path(os.path.normpath(os.path.join(base, text)))


@handles("spath_expression")
def _eval_spath(ev: Evaluator, node: Node, env: Scope, src: SourceFile) -> Value:
    return Path(node_text(node, src), external=True)


@handles("hpath_expression")
def _eval_hpath(ev: Evaluator, node: Node, env: Scope, src: SourceFile) -> Value:
    return Unknown(f"home-relative path {node_text(node, src)} depends on the user", src.span(node))
