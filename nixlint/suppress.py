"""Inline suppressions: ``# nixlint: ignore[CODE, name] reason`` comments.

A comment suppresses the named rules on its own line; a comment alone on its line also
covers the next line of code (other comment lines in between are skipped, so several
suppressions can stack). ``# nixlint: ignore-file[CODE] reason`` in the comments at the top
of a file covers the whole file. ``until=YYYY-MM-DD`` anywhere after the codes makes the
suppression stop on the day after that date. The reason is the rest of the comment, up to a
further `` # `` comment; a suppression without one does not suppress.

Comments are found with the syntax tree, so text that only looks like a comment (inside a
string) is never a suppression. Scanning is a pure function of a file's bytes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from nixlint.span import Span

if TYPE_CHECKING:
    from datetime import date

    from tree_sitter import Node

    from nixlint.parse import SourceFile

_MARKER = re.compile(rb"(?i)nixlint\s*:")
_DIRECTIVE = re.compile(
    r"\s*(?P<name>[A-Za-z][\w-]*)?\s*(?:\[(?P<codes>[^\]]*)\])?(?P<rest>.*)", re.DOTALL
)
_NEXT_COMMENT = re.compile(r"\s#(?=\s|$)")
_UNTIL = re.compile(r"(?<!\S)until=(?P<date>\S*)")
_REASON_TRIM = " \t:-–—"

Scope = Literal["line", "file"]

#: Problem kinds, each reported under its own rule (see :mod:`nixlint.rules.suppression`).
MISSING_REASON = "missing-reason"
INVALID = "invalid"


@dataclass(frozen=True, slots=True)
class Suppression:
    """One suppression comment that names rules and gives a reason."""

    span: Span
    scope: Scope
    codes: tuple[str, ...]
    reason: str
    until: date | None
    #: The lines it covers (line scope).
    lines: frozenset[int]

    def active(self, today: date) -> bool:
        return self.until is None or today <= self.until

    def covers(self, line: int) -> bool:
        return self.scope == "file" or line in self.lines


@dataclass(frozen=True, slots=True)
class Problem:
    """A suppression comment that cannot suppress (or cannot suppress everything it names)."""

    kind: str
    span: Span
    message: str


@dataclass(frozen=True, slots=True)
class Scan:
    suppressions: tuple[Suppression, ...] = ()
    problems: tuple[Problem, ...] = ()


def has_directives(data: bytes) -> bool:
    return _MARKER.search(data) is not None


def scan(data: bytes, path: str, src: SourceFile | None = None) -> Scan:
    """Every suppression comment of a file (``src``: its parse, when at hand)."""
    if not has_directives(data):
        return Scan()
    if src is None or src.tree is None:
        from nixlint.parse import parse

        src = parse(data, path)
    root = src.root
    if root is None:
        return Scan()
    header_end = next((c.start_byte for c in root.children if c.type != "comment"), len(data))
    suppressions: list[Suppression] = []
    problems: list[Problem] = []
    for match in _MARKER.finditer(data):
        node = root.descendant_for_byte_range(match.start(), match.end())
        if node is None or node.type != "comment":
            continue
        _directive(src, node, match.start(), match.end(), header_end, suppressions, problems)
    return Scan(tuple(suppressions), tuple(problems))


def _directive(
    src: SourceFile,
    node: Node,
    start: int,
    marker_end: int,
    header_end: int,
    suppressions: list[Suppression],
    problems: list[Problem],
) -> None:
    end = node.end_byte - 2 if src.data.startswith(b"*/", node.end_byte - 2) else node.end_byte
    text = src.data[marker_end:end].decode("utf-8", "replace")
    further = _NEXT_COMMENT.search(text)
    if further is not None:
        text = text[: further.start()]
    text = text.rstrip()
    span = src.span_of(start, marker_end + len(text.encode()))
    parsed = _DIRECTIVE.fullmatch(text)
    assert parsed is not None  # every part of the pattern is optional
    name = (parsed.group("name") or "").lower()
    codes_text = parsed.group("codes")
    if name not in ("ignore", "ignore-file"):
        shown = f"{name!r} is not" if name else "this is not"
        problems.append(
            Problem(
                INVALID,
                span,
                f"{shown} a nixlint directive: write `# nixlint: ignore[CODE] reason` "
                "or `# nixlint: ignore-file[CODE] reason`",
            )
        )
        return
    if codes_text is None or not codes_text.strip():
        problems.append(
            Problem(
                INVALID,
                span,
                f"a suppression must name the rules it suppresses: "
                f"`# nixlint: {name}[CODE] reason` (it suppresses nothing)",
            )
        )
        return
    codes = _codes(codes_text, span, problems)
    rest = parsed.group("rest")
    until: date | None = None
    expiry = _UNTIL.search(rest)
    if expiry is not None:
        from datetime import date

        try:
            until = date.fromisoformat(expiry.group("date"))
        except ValueError:
            problems.append(
                Problem(
                    INVALID,
                    span,
                    f"until={expiry.group('date')} is not a date (until=YYYY-MM-DD); "
                    "the suppression does not apply",
                )
            )
            return
        rest = rest[: expiry.start()] + rest[expiry.end() :]
    reason = " ".join(rest.split()).strip(_REASON_TRIM)
    if not codes:
        return
    shown = ", ".join(codes)
    if not re.search(r"\w", reason):
        problems.append(
            Problem(
                MISSING_REASON,
                span,
                f"suppression of {shown} gives no reason, so it does not suppress: "
                f"write why after the codes, e.g. `# nixlint: {name}[{shown}] <why it is safe here>`",
            )
        )
        return
    if name == "ignore-file":
        if node.end_byte > header_end:
            problems.append(
                Problem(
                    INVALID,
                    span,
                    "ignore-file must be in the comments at the top of the file; "
                    "it does not apply here (use ignore[...] for one line)",
                )
            )
            return
        suppressions.append(Suppression(span, "file", codes, reason, until, frozenset()))
        return
    suppressions.append(Suppression(span, "line", codes, reason, until, _lines(src, node)))


def _codes(text: str, span: Span, problems: list[Problem]) -> tuple[str, ...]:
    from nixlint.rules.base import all_rules, lookup

    all_rules()
    codes: list[str] = []
    for part in text.split(","):
        part = part.strip()
        if not part:
            continue
        found = lookup(part)
        if found is None:
            problems.append(
                Problem(
                    INVALID,
                    span,
                    f"unknown rule {part!r} in a suppression (name a rule by its code or "
                    "name; see `nixlint rules`)",
                )
            )
        elif found.code not in codes:
            codes.append(found.code)
    return tuple(codes)


def _lines(src: SourceFile, node: Node) -> frozenset[int]:
    """The lines a comment covers: its own, and when it stands alone on its line(s), the
    next line of code after any further comment lines."""
    where = src.span(node)
    lines = set(range(where.line, where.end_line + 1))
    before = src.line_text(where.line)[: where.column - 1]
    after = src.line_text(where.end_line)[where.end_column - 1 :]
    if before.strip() or after.strip():
        return frozenset(lines)
    line = where.end_line + 1
    text = src.line_text(line).lstrip()
    while text.startswith("#"):
        line += 1
        text = src.line_text(line).lstrip()
    if text:
        lines.add(line)
    return frozenset(lines)
