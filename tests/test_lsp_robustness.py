"""Half-typed buffers: every prefix of real modules, and every position in them, through the
server's own code (documents, analysis, hover, go to definition, code actions)."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from lsprotocol import types as lsp

from nixlint import schema
from nixlint.lsp import actions, navigation
from nixlint.lsp.analysis import analyse
from nixlint.lsp.diagnostics import to_diagnostic
from nixlint.lsp.documents import Document
from nixlint.lsp.positions import Encoding

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
SOURCES = sorted(
    [*FIXTURES.glob("demo/*.nix"), *FIXTURES.glob("rules/NIX1*/bad.nix")],
    key=lambda p: str(p),
)


def _exercise(doc: Document, rand: random.Random) -> None:
    snapshot = analyse([doc.path], {doc.path: doc.source}, {doc.path: doc.version})
    assert snapshot.error is None
    hosts = snapshot.hosts_of(doc.path)
    diagnostics = [to_diagnostic(f, doc.index) for f in snapshot.findings[doc.path]]
    for d in diagnostics:
        assert 0 <= d.range.start.line <= d.range.end.line <= len(doc.index.starts)
        actions.code_actions(
            doc,
            lsp.CodeActionParams(
                lsp.TextDocumentIdentifier(doc.uri), d.range, lsp.CodeActionContext([d])
            ),
        )
    for offset in rand.sample(range(len(doc.data) + 1), min(40, len(doc.data) + 1)):
        target = navigation.option_at(doc.source, offset, hosts)
        if target is not None:
            assert doc.data[target.start : target.end]
            text = navigation.hover_text(target, doc.path, hosts)
            assert text is not None and text.startswith(f"**`{schema.join(target.path)}`**")
            navigation.definition_spans(target, hosts)


@pytest.mark.parametrize("source", SOURCES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_every_prefix_of_a_module_while_typing(source: Path, tmp_path: Path) -> None:
    rand = random.Random(source.name)
    text = source.read_bytes()
    path = str((tmp_path / source.name).resolve())
    (tmp_path / source.name).write_bytes(b"")  # on disk, empty: the buffer wins
    doc = Document("file://" + path, path, b"", 1, Encoding.UTF16)
    cuts = sorted(rand.sample(range(1, len(text)), min(12, len(text) - 1)))
    position = 0
    for version, cut in enumerate([*cuts, len(text)], start=2):
        # type the next chunk at the end of the buffer, as an editor sends it
        end = doc.index.position(len(doc.data))
        chunk = text[position:cut].decode("utf-8", "replace")
        doc.apply(
            [lsp.TextDocumentContentChangePartial(range=lsp.Range(end, end), text=chunk)],
            version,
        )
        position = cut
        _exercise(doc, rand)
    assert doc.data == text.decode("utf-8", "replace").encode()
