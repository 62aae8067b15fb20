"""Code actions: a rule's safe fix, and suppressing a finding with a reason.

A safe fix replaces the value a finding points at, and only when that value is written
exactly as the fix expects (``false``, ``"yes"``…, possibly behind ``lib.mkForce`` or
``mkDefault``): anything computed is left to the user.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from lsprotocol import types as lsp

from nixlint.lsp.diagnostics import SOURCE
from nixlint.lsp.documents import Document

SUPPRESS = "# nixlint: ignore[{code}] "
SUPPRESS_FILE = "# nixlint: ignore-file[{code}] "
_EXISTING = re.compile(r"^(?P<indent>[ \t]*)#\s*nixlint:\s*ignore\[(?P<codes>[^\]]*)\]")
_STRINGS = frozenset({"string_expression", "indented_string_expression", "comment"})


@dataclass(frozen=True, slots=True)
class ValueFix:
    """Replace the ``value`` group of ``pattern`` (which must match the whole text of the
    finding's range) with ``new``."""

    title: str
    pattern: re.Pattern[str]
    new: str
    option: str | None = None  # only for findings about this option


_WRAP = r"(?:(?:lib\.)?mk(?:Force|Default|Override\s+\d+)\s+)?"


def _literal(alternatives: str) -> re.Pattern[str]:
    return re.compile(rf"{_WRAP}(?P<value>{alternatives})", re.DOTALL)


#: Safe fixes by rule code.
FIXES: dict[str, tuple[ValueFix, ...]] = {
    "NIX301": (
        ValueFix(
            "Enable the Nix build sandbox (sandbox = true)",
            _literal(r'false|"relaxed"'),
            "true",
            "nix.settings.sandbox",
        ),
        ValueFix(
            "Enable the Nix build sandbox (sandbox = true)",
            re.compile(r"[ \t]*sandbox[ \t]*=[ \t]*(?P<value>false|relaxed)[ \t]*(?:#.*)?"),
            "true",
            "nix.extraOptions",
        ),
    ),
    "NIX401": (
        ValueFix(
            'Allow root logins with a key only (PermitRootLogin = "prohibit-password")',
            _literal(r'"yes"'),
            '"prohibit-password"',
            "services.openssh.settings.PermitRootLogin",
        ),
        ValueFix(
            "Allow root logins with a key only (PermitRootLogin prohibit-password)",
            re.compile(r"(?i)[ \t]*PermitRootLogin[ \t]+(?P<value>yes)[ \t]*(?:#.*)?"),
            "prohibit-password",
            "services.openssh.extraConfig",
        ),
    ),
}


def _fixes_for(code: str, option: str | None) -> list[ValueFix]:
    return [f for f in FIXES.get(code, ()) if f.option is None or f.option == option]


def _name(diagnostic: lsp.Diagnostic) -> str:
    data = diagnostic.data
    name = data.get("name") if isinstance(data, dict) else None
    return name if isinstance(name, str) else ""


def _option(diagnostic: lsp.Diagnostic) -> str | None:
    data = diagnostic.data
    if isinstance(data, dict):
        option = data.get("option")
        return option if isinstance(option, str) else None
    return None


def quick_fixes(doc: Document, diagnostic: lsp.Diagnostic) -> list[lsp.CodeAction]:
    code = str(diagnostic.code)
    start = doc.index.offset(diagnostic.range.start)
    end = doc.index.offset(diagnostic.range.end)
    text = doc.data[start:end].decode("utf-8", "replace")
    actions: list[lsp.CodeAction] = []
    for fix in _fixes_for(code, _option(diagnostic)):
        match = fix.pattern.fullmatch(text)
        if match is None:
            continue
        begin = start + len(text[: match.start("value")].encode())
        stop = start + len(text[: match.end("value")].encode())
        edit = lsp.TextEdit(doc.index.range(begin, stop), fix.new)
        actions.append(
            lsp.CodeAction(
                title=fix.title,
                kind=lsp.CodeActionKind.QuickFix,
                diagnostics=[diagnostic],
                is_preferred=True,
                edit=lsp.WorkspaceEdit(changes={doc.uri: [edit]}),
            )
        )
    return actions


def _line(doc: Document, line: int) -> tuple[int, int, str]:
    starts = doc.index.starts
    begin = starts[line]
    end = starts[line + 1] if line + 1 < len(starts) else len(doc.data)
    return begin, end, doc.data[begin:end].decode("utf-8", "replace")


def _inside_text(doc: Document, offset: int) -> bool:
    """True when ``offset`` (a line start) lies inside a string or a comment that began
    before it: a comment line inserted there would change the text or do nothing."""
    root = doc.source.root
    if root is None:
        return False
    node = root.descendant_for_byte_range(offset, offset)
    while node is not None:
        if node.type in _STRINGS and node.start_byte < offset < node.end_byte:
            return True
        node = node.parent
    return False


def suppressions(doc: Document, diagnostic: lsp.Diagnostic) -> list[lsp.CodeAction]:
    """Insert ``# nixlint: ignore[CODE] `` on a line of its own above the finding's (such
    comments stack), or ``ignore-file`` at the top; the reason is left to the user."""
    code = str(diagnostic.code)
    row = min(diagnostic.range.start.line, len(doc.index.starts) - 1)
    begin, _, text = _line(doc, row)
    if _inside_text(doc, begin):
        return []
    indent = text[: len(text) - len(text.lstrip(" \t"))]
    newline = "\r\n" if text.endswith("\r\n") else "\r" if text.endswith("\r") else "\n"
    if row > 0:
        existing = _EXISTING.match(_line(doc, row - 1)[2])
        named = _codes(existing.group("codes")) if existing is not None else []
        if code in named or _name(diagnostic).upper() in named:
            return []  # a suppression is there: it needs its reason, or a new date
    edit = lsp.TextEdit(
        doc.index.range(begin, begin), indent + SUPPRESS.format(code=code) + newline
    )
    actions = [
        lsp.CodeAction(
            title=f"Suppress {code} on this line (add the reason)",
            kind=lsp.CodeActionKind.QuickFix,
            diagnostics=[diagnostic],
            edit=lsp.WorkspaceEdit(changes={doc.uri: [edit]}),
        )
    ]
    first = _line(doc, 0)[2] if doc.data else ""
    if f"ignore-file[{code}]" not in first:
        top = lsp.TextEdit(
            doc.index.range(0, 0), SUPPRESS_FILE.format(code=code) + (newline if doc.data else "")
        )
        actions.append(
            lsp.CodeAction(
                title=f"Suppress {code} in this file (add the reason)",
                kind=lsp.CodeActionKind.QuickFix,
                diagnostics=[diagnostic],
                edit=lsp.WorkspaceEdit(changes={doc.uri: [top]}),
            )
        )
    return actions


def _codes(text: str) -> list[str]:
    return [c.strip().upper() for c in text.split(",") if c.strip()]


def code_actions(doc: Document, params: lsp.CodeActionParams) -> list[lsp.CodeAction]:
    wanted = [getattr(kind, "value", kind) for kind in params.context.only or ()]
    if wanted and not any(lsp.CodeActionKind.QuickFix.value.startswith(k) for k in wanted):
        return []
    actions: list[lsp.CodeAction] = []
    for diagnostic in params.context.diagnostics:
        if diagnostic.source != SOURCE or diagnostic.code is None:
            continue
        actions.extend(quick_fixes(doc, diagnostic))
        actions.extend(suppressions(doc, diagnostic))
    return actions
