"""Edits inside values, for checking incremental analysis against a full one."""

from __future__ import annotations

import os
from collections.abc import Iterator

from nixlint.findings import Finding
from nixlint.lsp.analysis import Snapshot, analyse
from nixlint.parse import SourceFile, parse
from nixlint.workspace import Session

#: What a value is replaced with, in turn: other literals, and values rules care about.
REPLACEMENTS = (
    "true",
    "false",
    '"yes"',
    "0",
    '"/dev/sda2"',
    '[ "--privileged" "--network=host" ]',
    "{ enable = true; }",
    "null",
    "config.nix.settings.sandbox",
    '"hunter2"',
)


def value_nodes(src: SourceFile) -> Iterator[tuple[int, int]]:
    """Byte ranges of binding values that end their line (``name = value;``)."""
    assert src.root is not None
    stack = [src.root]
    while stack:
        node = stack.pop()
        if node.type == "binding":
            value = node.child_by_field_name("expression")
            if value is not None:
                rest = src.data[value.end_byte :].split(b"\n", 1)[0].strip()
                if rest == b";" and b"\n" not in src.data[value.start_byte : value.end_byte]:
                    yield value.start_byte, value.end_byte
        stack.extend(reversed(node.children))


def edits(data: bytes, limit: int, seed: int = 0) -> Iterator[bytes]:
    """Up to ``limit`` texts, each one value of the previous one replaced (a chain of
    edits, as typing makes)."""
    made = 0
    turn = seed
    while made < limit:
        src = parse(data)
        spans = list(value_nodes(src))
        if not spans:
            return
        start, end = spans[(turn * 7919) % len(spans)]
        text = REPLACEMENTS[turn % len(REPLACEMENTS)].encode()
        turn += 1
        if data[start:end] == text:
            continue
        data = data[:start] + text + data[end:]
        made += 1
        yield data


def shown(snapshot: Snapshot) -> list[tuple[object, ...]]:
    """A snapshot's findings, whole, in a fixed order."""

    def row(f: Finding) -> tuple[object, ...]:
        return (
            f.path,
            f.line,
            f.column,
            f.end_line,
            f.end_column,
            f.rule,
            f.message,
            f.severity,
            f.confidence,
            f.host,
            tuple(f.hosts),
            f.option,
            tuple(
                (
                    r.span.path,
                    r.span.line,
                    r.span.column,
                    r.span.end_line,
                    r.span.end_column,
                    r.message,
                )
                for r in snapshot.related.get(f, [])
            ),
        )

    return sorted(row(f) for found in snapshot.findings.values() for f in found)


def compare(path: str, limit: int, seed: int = 0) -> tuple[int, list[str]]:
    """Edit ``path`` ``limit`` times in one session, and compare each analysis with a
    full analysis in a new session. Returns the rules kept across edits and mismatches."""
    path = os.path.realpath(path)
    with open(path, "rb") as handle:
        data = handle.read()
    session = Session()
    analyse([path], {path: parse(data, path)}, session=session)
    kept = 0
    problems: list[str] = []
    for n, text in enumerate(edits(data, limit, seed)):
        src = parse(text, path)
        incremental = analyse([path], {path: src}, session=session)
        memo = session.rules
        kept += len(memo.last[1]) if memo is not None else 0  # type: ignore[attr-defined]
        full = analyse([path], {path: src}, session=Session())
        if shown(incremental) != shown(full):
            problems.append(
                f"{path}: edit {n}: {sorted(set(shown(incremental)) ^ set(shown(full)))}"
            )
    return kept, problems
