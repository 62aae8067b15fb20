"""The language server's pieces, without a client: positions, documents, code actions."""

from __future__ import annotations

import random

import pytest
from lsprotocol import types as lsp

from nixlint.findings import Confidence, Finding, Severity
from nixlint.lsp import actions
from nixlint.lsp.diagnostics import message, to_diagnostic
from nixlint.lsp.documents import Document
from nixlint.lsp.positions import Encoding, LineIndex, negotiate
from nixlint.parse import parse


def pos(line: int, character: int) -> lsp.Position:
    return lsp.Position(line, character)


def rng(a: int, b: int, c: int, d: int) -> lsp.Range:
    return lsp.Range(pos(a, b), pos(c, d))


# -- positions ------------------------------------------------------------------------------


def test_negotiation_prefers_utf8_then_utf16() -> None:
    assert negotiate(None) is Encoding.UTF16
    assert negotiate([]) is Encoding.UTF16
    assert negotiate(["utf-16"]) is Encoding.UTF16
    assert negotiate(["utf-32", "utf-16", "utf-8"]) is Encoding.UTF8
    assert negotiate(["utf-32"]) is Encoding.UTF32
    assert negotiate(["latin-1"]) is Encoding.UTF16


TEXT = 'a = "é😀x";\r\nb\rc\n'.encode()


@pytest.mark.parametrize(
    ("encoding", "character"),
    [(Encoding.UTF16, 8), (Encoding.UTF8, 11), (Encoding.UTF32, 7)],
)
def test_byte_offsets_and_client_positions(encoding: Encoding, character: int) -> None:
    index = LineIndex(TEXT, encoding)
    x = TEXT.index(b"x")
    assert index.position(x) == pos(0, character)
    assert index.offset(pos(0, character)) == x
    assert index.point(x) == (0, 11)
    # CRLF, a lone CR and LF each end a line
    assert index.starts == [0, 16, 18, 20]
    assert index.position(TEXT.index(b"b")) == pos(1, 0)
    assert index.position(TEXT.index(b"c")) == pos(2, 0)
    assert index.offset(pos(3, 0)) == len(TEXT)
    # past the end of a line: the line's end, before its break; past the last line: the end
    assert index.offset(pos(0, 99)) == TEXT.index(b"\r\n")
    assert index.offset(pos(9, 0)) == len(TEXT)


def test_finding_columns_become_client_units() -> None:
    index = LineIndex(TEXT, Encoding.UTF16)
    # character column 8 (1-based) is "x": after "é" (1 unit) and "😀" (2 units)
    assert index.column_position(1, 8) == pos(0, 8)
    assert index.columns_range(1, 8, 1, 9) == rng(0, 8, 0, 9)
    src = parse(TEXT)
    span = src.span_of(TEXT.index(b"x"), TEXT.index(b"x") + 1)
    assert (span.line, span.column) == (1, 8)
    assert index.span_range(span) == rng(0, 8, 0, 9)
    assert LineIndex(TEXT, Encoding.UTF8).span_range(span) == rng(0, 11, 0, 12)


def test_a_position_inside_a_surrogate_pair_counts_the_whole_character() -> None:
    index = LineIndex("😀x".encode(), Encoding.UTF16)
    assert index.offset(pos(0, 1)) == 4
    assert index.offset(pos(0, 2)) == 4
    assert index.offset(pos(0, 3)) == 5


# -- documents ------------------------------------------------------------------------------


def shape(src) -> list[tuple[str, int, int, tuple[int, int], tuple[int, int]]]:  # type: ignore[no-untyped-def]
    out = []
    stack = [src.tree.root_node]
    while stack:
        node = stack.pop()
        out.append(
            (
                node.type,
                node.start_byte,
                node.end_byte,
                tuple(node.start_point),
                tuple(node.end_point),
            )
        )
        stack.extend(node.children)
    return out


@pytest.mark.parametrize("encoding", list(Encoding))
def test_incremental_edits_give_the_text_and_tree_of_a_fresh_parse(encoding: Encoding) -> None:
    rand = random.Random(7)
    base = (
        '{ lib, ... }:\r\n{\n  networking.hostName = "é😀";\r  nix.settings.sandbox = false;\n'
        '  x = "${lib.foo}";\n  y = [ 1 2 3 ];\n}\n'
    )
    tokens = ["x", "1", '"s"', "true", " ", "\n", "\r\n", "\r", "é", "😀", "# c\n", "{", "}", ";"]
    doc = Document("file:///t.nix", "/t.nix", base.encode(), 1, encoding)
    text = base
    for version in range(2, 300):
        a = rand.randint(0, len(text))
        b = min(len(text), a + rand.randint(0, 3))
        if any(0 < i < len(text) and text[i - 1] == "\r" and text[i] == "\n" for i in (a, b)):
            continue  # not a position between lines
        new = rand.choice(tokens)
        start = doc.index.position(len(text[:a].encode()))
        end = doc.index.position(len(text[:b].encode()))
        doc.apply(
            [lsp.TextDocumentContentChangePartial(range=lsp.Range(start, end), text=new)], version
        )
        text = text[:a] + new + text[b:]
        assert doc.data == text.encode()
        assert doc.version == version
        assert shape(doc.source) == shape(parse(doc.data))
        if rand.random() < 0.2:
            doc.apply([lsp.TextDocumentContentChangeWholeDocument(text=base)], version)
            text = base


def test_several_changes_in_one_notification() -> None:
    doc = Document("file:///t.nix", "/t.nix", b"{ a = 1; b = 2; }\n", 1)
    doc.apply(
        [
            lsp.TextDocumentContentChangePartial(range=rng(0, 6, 0, 7), text="10"),
            lsp.TextDocumentContentChangePartial(range=rng(0, 14, 0, 15), text="20"),
            lsp.TextDocumentContentChangeWholeDocument(text="{ c = 3; }\n"),
            lsp.TextDocumentContentChangePartial(range=rng(0, 2, 0, 3), text="d"),
        ],
        2,
    )
    assert doc.data == b"{ d = 3; }\n"
    assert shape(doc.source) == shape(parse(doc.data))


# -- diagnostics ----------------------------------------------------------------------------


def finding(**changes: object) -> Finding:
    fields: dict[str, object] = {
        "rule": "NIX301",
        "name": "nix-sandbox-disabled",
        "category": "sandboxing",
        "severity": Severity.HIGH,
        "confidence": Confidence.HIGH,
        "path": "host.nix",
        "line": 1,
        "column": 1,
        "end_line": 1,
        "end_column": 2,
        "message": "the Nix build sandbox is disabled",
        "option": "nix.settings.sandbox",
    }
    fields.update(changes)
    return Finding(**fields)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("severity", "expected"),
    [
        (Severity.CRITICAL, lsp.DiagnosticSeverity.Error),
        (Severity.HIGH, lsp.DiagnosticSeverity.Error),
        (Severity.MEDIUM, lsp.DiagnosticSeverity.Warning),
        (Severity.LOW, lsp.DiagnosticSeverity.Information),
        (Severity.INFO, lsp.DiagnosticSeverity.Hint),
    ],
)
def test_severity_mapping(severity: Severity, expected: lsp.DiagnosticSeverity) -> None:
    index = LineIndex(b"x\n")
    assert to_diagnostic(finding(severity=severity), index).severity == expected


def test_message_carries_confidence_and_hosts_like_the_text_report() -> None:
    assert message(finding()) == "the Nix build sandbox is disabled"
    assert message(finding(confidence=Confidence.LOW, hosts=("a", "b"))) == (
        "the Nix build sandbox is disabled (confidence: low) [host: a, b]"
    )


# -- code actions ---------------------------------------------------------------------------


def diagnostic(code: str, r: lsp.Range, option: str | None, name: str = "") -> lsp.Diagnostic:
    return lsp.Diagnostic(
        r, "m", code=code, source="nixlint", data={"option": option, "name": name}
    )


def doc_of(text: str) -> Document:
    return Document("file:///h.nix", "/h.nix", text.encode(), 1)


def edits(found: list[lsp.CodeAction]) -> list[tuple[str, list[tuple[lsp.Range, str]]]]:
    return [
        (a.title, [(e.range, e.new_text) for e in a.edit.changes["file:///h.nix"]]) for a in found
    ]


@pytest.mark.parametrize(
    ("line", "start", "end", "new_range"),
    [
        ("  nix.settings.sandbox = false;", 25, 30, rng(0, 25, 0, 30)),
        ('  nix.settings.sandbox = "relaxed";', 25, 34, rng(0, 25, 0, 34)),
        ("  nix.settings.sandbox = lib.mkForce false;", 25, 42, rng(0, 37, 0, 42)),
        ("  nix.useSandbox = mkDefault false;", 19, 34, rng(0, 29, 0, 34)),
    ],
)
def test_sandbox_fix(line: str, start: int, end: int, new_range: lsp.Range) -> None:
    doc = doc_of(line + "\n")
    found = actions.quick_fixes(
        doc, diagnostic("NIX301", rng(0, start, 0, end), "nix.settings.sandbox")
    )
    assert edits(found) == [
        ("Enable the Nix build sandbox (sandbox = true)", [(new_range, "true")])
    ]


def test_sandbox_fix_inside_extra_options() -> None:
    doc = doc_of("  nix.extraOptions = ''\n    sandbox = false\n  '';\n")
    found = actions.quick_fixes(doc, diagnostic("NIX301", rng(1, 0, 1, 19), "nix.extraOptions"))
    assert edits(found) == [
        ("Enable the Nix build sandbox (sandbox = true)", [(rng(1, 14, 1, 19), "true")])
    ]


def test_no_fix_for_a_computed_value() -> None:
    doc = doc_of("  nix.settings.sandbox = !cfg.strict;\n")
    found = actions.quick_fixes(
        doc, diagnostic("NIX301", rng(0, 25, 0, 36), "nix.settings.sandbox")
    )
    assert found == []


def test_permit_root_login_fix() -> None:
    doc = doc_of('  services.openssh.settings.PermitRootLogin = "yes";\n')
    option = "services.openssh.settings.PermitRootLogin"
    found = actions.quick_fixes(doc, diagnostic("NIX401", rng(0, 46, 0, 51), option))
    assert edits(found) == [
        (
            'Allow root logins with a key only (PermitRootLogin = "prohibit-password")',
            [(rng(0, 46, 0, 51), '"prohibit-password"')],
        )
    ]
    other = doc_of('  services.openssh.settings.PermitRootLogin = "no";\n')
    assert actions.quick_fixes(other, diagnostic("NIX401", rng(0, 46, 0, 50), option)) == []
    extra = doc_of("  services.openssh.extraConfig = ''\n    PermitRootLogin yes\n  '';\n")
    found = actions.quick_fixes(
        extra, diagnostic("NIX401", rng(1, 0, 1, 23), "services.openssh.extraConfig")
    )
    assert edits(found) == [
        (
            "Allow root logins with a key only (PermitRootLogin prohibit-password)",
            [(rng(1, 20, 1, 23), "prohibit-password")],
        )
    ]


def test_suppression_stacks_below_another_one() -> None:
    doc = doc_of("{\n  # nixlint: ignore[NIX101] needed for the GPU\n  x = 1;\n}\n")
    found = actions.suppressions(doc, diagnostic("NIX301", rng(2, 2, 2, 3), None))
    assert edits(found)[0] == (
        "Suppress NIX301 on this line (add the reason)",
        [(rng(2, 0, 2, 0), "  # nixlint: ignore[NIX301] \n")],
    )


def test_no_second_suppression_for_the_same_rule() -> None:
    # the one there has no reason (or has expired): that is what to fix
    for named in ("NIX301", "nix-sandbox-disabled"):
        doc = doc_of(f"{{\n  # nixlint: ignore[{named}]\r\n  x = 1;\r\n}}\n")
        found = actions.suppressions(
            doc, diagnostic("NIX301", rng(2, 2, 2, 3), None, "nix-sandbox-disabled")
        )
        assert found == []


def test_suppression_keeps_line_endings_and_indentation() -> None:
    doc = doc_of("{\r\n\tx = 1;\r\n}\r\n")
    found = actions.suppressions(doc, diagnostic("NIX301", rng(1, 1, 1, 2), None))
    assert edits(found) == [
        (
            "Suppress NIX301 on this line (add the reason)",
            [(rng(1, 0, 1, 0), "\t# nixlint: ignore[NIX301] \r\n")],
        ),
        (
            "Suppress NIX301 in this file (add the reason)",
            [(rng(0, 0, 0, 0), "# nixlint: ignore-file[NIX301] \r\n")],
        ),
    ]


def test_no_suppression_comment_inside_a_string() -> None:
    doc = doc_of("{\n  x = ''\n    sandbox = false\n  '';\n}\n")
    assert actions.suppressions(doc, diagnostic("NIX301", rng(2, 4, 2, 19), None)) == []


def test_rule_links_are_the_reports_unless_the_client_gives_a_template() -> None:
    index = LineIndex(b"x\n")
    default = to_diagnostic(finding(), index).code_description
    assert default == lsp.CodeDescription(
        href="https://github.com/nixlint/nixlint/blob/main/docs/rules.md#nix301-nix-sandbox-disabled"
    )
    mine = to_diagnostic(finding(), index, "https://docs.example.org/{code}/{name}#{anchor}")
    assert mine.code_description == lsp.CodeDescription(
        href="https://docs.example.org/NIX301/nix-sandbox-disabled#nix301-nix-sandbox-disabled"
    )
