"""Positions: the one place that converts between the byte offsets of the analysis
(tree-sitter works on UTF-8 bytes) and the client's positions.

A client position is a 0-based line and a character offset counted in the encoding
negotiated at start-up: UTF-16 code units by default, UTF-8 bytes or UTF-32 code points
when the client offers them. Lines end at ``\\n``, ``\\r\\n`` or a lone ``\\r``, as in the
protocol (and in Nix). Findings carry 1-based lines and character (code point) columns.
"""

from __future__ import annotations

import bisect
import re
from enum import StrEnum

from lsprotocol import types as lsp

from nixlint.span import Span


class Encoding(StrEnum):
    UTF8 = "utf-8"
    UTF16 = "utf-16"
    UTF32 = "utf-32"


#: The encodings the server speaks, best first: UTF-8 matches the analysis, so it wins
#: whenever the client offers it; UTF-16 is the protocol's default.
PREFERENCE = (Encoding.UTF8, Encoding.UTF16, Encoding.UTF32)


def negotiate(offered: list[str] | None) -> Encoding:
    """The encoding to use given the client's ``general.positionEncodings``."""
    for encoding in PREFERENCE:
        if offered and encoding.value in offered:
            return encoding
    return Encoding.UTF16


_BREAK = re.compile(rb"\r\n|\r|\n")


def line_starts(data: bytes) -> list[int]:
    """Byte offsets where each line starts."""
    if b"\r" in data:
        return [0, *(m.end() for m in _BREAK.finditer(data))]
    starts = [0]
    find = data.find
    pos = find(b"\n")
    while pos != -1:
        starts.append(pos + 1)
        pos = find(b"\n", pos + 1)
    return starts


def units(text: str, encoding: Encoding) -> int:
    """Length of ``text`` in the encoding's code units."""
    if encoding is Encoding.UTF32 or text.isascii():
        return len(text)
    if encoding is Encoding.UTF8:
        return len(text.encode("utf-8", "surrogatepass"))
    return len(text) + sum(1 for ch in text if ord(ch) > 0xFFFF)


class LineIndex:
    """Lines of one text, for conversions in one encoding."""

    def __init__(self, data: bytes, encoding: Encoding = Encoding.UTF16) -> None:
        self.data = data
        self.encoding = encoding
        self.starts = line_starts(data)
        self.ascii = data.isascii()

    def _line(self, line: int) -> tuple[int, int]:
        """Start and end (before the line break) of a 0-based line."""
        start = self.starts[line]
        end = self.starts[line + 1] if line + 1 < len(self.starts) else len(self.data)
        while end > start and self.data[end - 1] in b"\r\n":
            end -= 1
        return start, end

    # -- bytes → client --------------------------------------------------------------------

    def point(self, offset: int) -> tuple[int, int]:
        """0-based (line, byte column) of a byte offset: tree-sitter's point."""
        offset = max(0, min(offset, len(self.data)))
        line = bisect.bisect_right(self.starts, offset) - 1
        return line, offset - self.starts[line]

    def position(self, offset: int) -> lsp.Position:
        """The client position of a byte offset."""
        line, column = self.point(offset)
        if self.ascii or self.encoding is Encoding.UTF8:
            return lsp.Position(line, column)
        start = self.starts[line]
        text = _decode(self.data[start : start + column])
        return lsp.Position(line, units(text, self.encoding))

    def range(self, start: int, end: int) -> lsp.Range:
        return lsp.Range(self.position(start), self.position(end))

    def span_range(self, span: Span) -> lsp.Range:
        """A span of this text (its byte offsets) as a client range."""
        if span.end_byte >= span.start_byte and (span.end_byte or span.start_byte):
            return self.range(span.start_byte, span.end_byte)
        return self.columns_range(span.line, span.column, span.end_line, span.end_column)

    def column_position(self, line: int, column: int) -> lsp.Position:
        """The client position of a 1-based line and character column (as in findings)."""
        row = max(0, min(line - 1, len(self.starts) - 1))
        start, end = self._line(row)
        text = _decode(self.data[start:end])
        return lsp.Position(row, units(text[: max(column - 1, 0)], self.encoding))

    def columns_range(self, line: int, column: int, end_line: int, end_column: int) -> lsp.Range:
        return lsp.Range(
            self.column_position(line, column), self.column_position(end_line, end_column)
        )

    # -- client → bytes --------------------------------------------------------------------

    def offset(self, position: lsp.Position) -> int:
        """The byte offset of a client position (clamped to its line, as the protocol says)."""
        if position.line >= len(self.starts):
            return len(self.data)
        start, end = self._line(position.line)
        if self.ascii or self.encoding is Encoding.UTF8:
            return min(start + position.character, end)
        text = _decode(self.data[start:end])
        if self.encoding is Encoding.UTF32:
            prefix = text[: position.character]
        else:
            count = index = 0
            while index < len(text) and count < position.character:
                count += 2 if ord(text[index]) > 0xFFFF else 1
                index += 1
            prefix = text[:index]
        return start + len(prefix.encode("utf-8", "surrogatepass"))


def _decode(data: bytes) -> str:
    """Text of a line; buffers hold what the client sent (lone surrogates included)."""
    try:
        return data.decode("utf-8", "surrogatepass")
    except UnicodeDecodeError:
        return data.decode("utf-8", "replace")
