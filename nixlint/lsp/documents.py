"""Open documents: the client's text as bytes, kept parsed.

An edit is applied to the bytes and to a copy of the previous syntax tree, so tree-sitter
re-parses only the region that changed (``bench/lsp.py`` measures it against a full
parse). A tree with syntax errors is parsed again from scratch, because tree-sitter's error
recovery may differ between the two and the syntax findings must be the CLI's. Each version is a new, immutable
:class:`~nixlint.parse.SourceFile` that the analysis may read from another thread.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass

from lsprotocol import types as lsp
from tree_sitter import Parser, Point

from nixlint.lsp.positions import Encoding, LineIndex
from nixlint.parse import SourceFile, new_parser, parse


def encode(text: str) -> bytes:
    """The bytes of a client's text (lone surrogates kept, as the client sent them)."""
    return text.encode("utf-8", "surrogatepass")


@dataclass(frozen=True, slots=True)
class Edit:
    """One replacement, in bytes and tree-sitter points, before and after."""

    start: int
    old_end: int
    new_end: int
    start_point: Point
    old_end_point: Point
    new_end_point: Point


class Document:
    """One open file: URI, path, version, text and parse."""

    def __init__(
        self,
        uri: str,
        path: str,
        text: bytes,
        version: int | None = None,
        encoding: Encoding = Encoding.UTF16,
        incremental: bool = True,
    ) -> None:
        self.uri = uri
        self.path = path
        self.version = version
        self.encoding = encoding
        self.incremental = incremental
        self.project: str | None = None  # set by the server
        self._parser: Parser = new_parser()  # used on the server's thread only
        self.source: SourceFile = parse(text, path, self._parser)
        self.index = LineIndex(text, encoding)

    @property
    def data(self) -> bytes:
        return self.source.data

    def replace(self, text: bytes, version: int | None = None) -> None:
        """Replace the whole text."""
        self.version = version
        self.source = parse(text, self.path, self._parser)
        self.index = LineIndex(text, self.encoding)

    def apply(
        self, changes: Iterable[lsp.TextDocumentContentChangeEvent], version: int | None
    ) -> None:
        """Apply the changes of one ``didChange`` notification, in order."""
        data = self.data
        index = self.index
        edits: list[Edit] = []
        whole = False
        for change in changes:
            if isinstance(change, lsp.TextDocumentContentChangePartial):
                start = index.offset(change.range.start)
                end = max(index.offset(change.range.end), start)
                new = encode(change.text)
                # a CR just before the edit may start or stop being a line break of its own
                if start > 0 and data[start - 1 : start] == b"\r":
                    new = data[start - 1 : start] + new
                    start -= 1
                after = data[:start] + new + data[end:]
                new_index = LineIndex(after, self.encoding)
                edits.append(
                    Edit(
                        start,
                        end,
                        start + len(new),
                        Point(*index.point(start)),
                        Point(*index.point(end)),
                        Point(*new_index.point(start + len(new))),
                    )
                )
                data, index = after, new_index
            else:
                data = encode(change.text)
                index = LineIndex(data, self.encoding)
                whole = True
                edits.clear()
        self.version = version
        self.index = index
        if whole or not self.incremental or self.source.tree is None:
            self.source = parse(data, self.path, self._parser)
            return
        tree = self.source.tree.copy()
        for e in edits:
            tree.edit(
                e.start, e.old_end, e.new_end, e.start_point, e.old_end_point, e.new_end_point
            )
        source = parse(data, self.path, self._parser, old_tree=tree)
        if source.tree is not None and source.tree.root_node.has_error:
            # error recovery may differ from a fresh parse's: report what the CLI reports
            source = parse(data, self.path, self._parser)
        self.source = source


def uri_path(uri: str) -> str | None:
    """The real file-system path of a ``file:`` URI, else None."""
    from pygls.uris import to_fs_path

    if not uri.startswith("file:"):
        return None
    path = to_fs_path(uri)
    return os.path.realpath(path) if path else None
