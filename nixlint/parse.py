"""Parsing: the one place that loads the Nix grammar, and the source-file model.

The grammar is the Nix grammar bundled in ``tree-sitter-language-pack`` (see
``grammars/README.md`` for why and for the measurements behind the choice).
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field
from functools import cache
from typing import TYPE_CHECKING

from nixlint.span import Span

if TYPE_CHECKING:
    from tree_sitter import Language, Node, Parser, Tree

GRAMMAR_PACKAGE = "tree-sitter-language-pack"
GRAMMAR_VERSION = "0.13.0"

#: Files bigger than this are not parsed at all (reported as a syntax finding instead).
MAX_FILE_BYTES = 64 * 1024 * 1024
#: At most this many syntax problems are reported per file.
MAX_SYNTAX_ISSUES = 10


@cache
def language() -> Language:
    """The Nix grammar. Every other module gets it from here."""
    from tree_sitter_language_pack import get_language

    return get_language("nix")


def new_parser() -> Parser:
    from tree_sitter import Parser

    return Parser(language())


@cache
def _shared_parser() -> Parser:
    return new_parser()


@dataclass(slots=True)
class SyntaxIssue:
    """Something wrong with the text itself: kind is ``error``, ``missing``, ``encoding``,
    ``binary`` or ``too-large``."""

    kind: str
    message: str
    span: Span


@dataclass(eq=False)
class SourceFile:
    """A parsed file: its bytes, its tree and a byte→(line, column) index."""

    path: str
    data: bytes
    tree: Tree | None
    issues: list[SyntaxIssue] = field(default_factory=list)
    _line_starts: list[int] = field(default_factory=list, repr=False)
    _ascii: bool = True

    @property
    def root(self) -> Node | None:
        return self.tree.root_node if self.tree is not None else None

    @property
    def ok(self) -> bool:
        """True when the tree exists and has no syntax problem."""
        return self.tree is not None and not self.issues

    def line_text(self, line: int) -> str:
        """The text of a 1-based line, without its line break."""
        starts = self._line_starts
        if line < 1 or line > len(starts):
            return ""
        begin = starts[line - 1]
        end = starts[line] if line < len(starts) else len(self.data)
        return self.data[begin:end].rstrip(b"\r\n").decode("utf-8", "replace")

    def position(self, byte: int) -> tuple[int, int]:
        """1-based (line, character column) of a byte offset."""
        byte = max(0, min(byte, len(self.data)))
        row = bisect.bisect_right(self._line_starts, byte) - 1
        start = self._line_starts[row]
        return row + 1, self._column(start, byte - start)

    def _column(self, line_start: int, byte_col: int) -> int:
        if self._ascii:
            return byte_col + 1
        chunk = self.data[line_start : line_start + byte_col]
        return len(chunk.decode("utf-8", "replace")) + 1

    def span_of(self, start_byte: int, end_byte: int) -> Span:
        line, col = self.position(start_byte)
        end_line, end_col = self.position(end_byte)
        return Span(self.path, line, col, end_line, end_col, start_byte, end_byte)

    def span(self, node: Node) -> Span:
        sr, sc = node.start_point
        er, ec = node.end_point
        starts = self._line_starts
        if self._ascii:
            return Span(self.path, sr + 1, sc + 1, er + 1, ec + 1, node.start_byte, node.end_byte)
        return Span(
            self.path,
            sr + 1,
            self._column(starts[sr], sc),
            er + 1,
            self._column(starts[er], ec) if er < len(starts) else ec + 1,
            node.start_byte,
            node.end_byte,
        )

    def text(self, node: Node) -> str:
        return self.data[node.start_byte : node.end_byte].decode("utf-8", "replace")


def _line_starts(data: bytes) -> list[int]:
    starts = [0]
    find = data.find
    pos = find(b"\n")
    while pos != -1:
        starts.append(pos + 1)
        pos = find(b"\n", pos + 1)
    return starts


def _looks_binary(data: bytes) -> bool:
    head = data[:8192]
    if b"\0" not in head:
        return False
    try:
        head.decode("utf-8")
    except UnicodeDecodeError:
        return True
    # Valid UTF-8 with NUL bytes: binary when NULs are frequent, text (a NUL in a string) otherwise.
    return head.count(b"\0") > 8


def parse(
    data: bytes, path: str = "<input>", parser: Parser | None = None, old_tree: Tree | None = None
) -> SourceFile:
    """Parse bytes into a SourceFile. Never raises on bad input: problems become issues.

    ``old_tree``, a previous tree of the same file already edited to match ``data``
    (``Tree.edit``), lets tree-sitter re-parse only what changed."""
    src = SourceFile(path=path, data=data, tree=None)
    grammar_bytes = _for_grammar(data)
    src._line_starts = _line_starts(grammar_bytes)
    src._ascii = data.isascii()
    whole = src.span_of(0, 0)
    if len(data) > MAX_FILE_BYTES:
        src.issues.append(
            SyntaxIssue(
                "too-large", f"file is larger than {MAX_FILE_BYTES} bytes; not analysed", whole
            )
        )
        return src
    if _looks_binary(data):
        src.issues.append(SyntaxIssue("binary", "file is binary, not Nix source", whole))
        return src
    if not src._ascii:
        try:
            data.decode("utf-8")
        except UnicodeDecodeError as err:
            bad = src.span_of(err.start, err.end)
            src.issues.append(
                SyntaxIssue(
                    "encoding",
                    f"invalid UTF-8 (byte 0x{data[err.start]:02x} at offset {err.start})",
                    bad,
                )
            )
    parser = parser or _shared_parser()
    src.tree = (
        parser.parse(grammar_bytes) if old_tree is None else parser.parse(grammar_bytes, old_tree)
    )
    if src.tree.root_node.has_error:
        src.issues.extend(_tree_issues(src))
    return src


_LONE_CR = re.compile(rb"\r(?!\n)")


def _for_grammar(data: bytes) -> bytes:
    """Nix ends a line at a carriage return not followed by a newline; the grammar does not
    (a ``#`` comment would swallow the next line). Same length, so offsets are unchanged."""
    if b"\r" not in data:
        return data
    return _LONE_CR.sub(b"\n", data)


def _tree_issues(src: SourceFile) -> list[SyntaxIssue]:
    """ERROR and MISSING nodes, outermost first, walked iteratively (trees can be very deep)."""
    issues: list[SyntaxIssue] = []
    assert src.tree is not None
    stack = [src.tree.root_node]
    while stack and len(issues) < MAX_SYNTAX_ISSUES:
        node = stack.pop()
        if node.is_missing:
            issues.append(SyntaxIssue("missing", f"missing {node.type!r}", src.span(node)))
            continue
        if node.is_error:
            issues.append(SyntaxIssue("error", _describe_error(src, node), src.span(node)))
            continue
        if node.has_error:
            stack.extend(reversed(node.children))
    issues.sort(key=lambda i: i.span.start_byte)
    return issues


def _describe_error(src: SourceFile, node: Node) -> str:
    text = src.text(node).strip()
    if not text:
        return "syntax error"
    first = text.splitlines()[0]
    around = src.data[max(node.start_byte - 1, 0) : node.end_byte + 1]
    if b"|>" in around or b"<|" in around:
        return "syntax error: the pipe operators |> and <| (an experimental Nix feature) are not supported"
    if len(first) > 40:
        first = first[:37] + "..."
    return f"syntax error: unexpected {first!r}"
