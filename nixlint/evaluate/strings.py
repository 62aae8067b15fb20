"""Decoding Nix string literals: escapes and the indentation rule of ``''…''`` strings.

Tree-sitter's tokens inside strings are not used for the text: the raw bytes between
interpolations are decoded here, following the Nix lexer, so that odd token boundaries in
the grammar cannot change a string's value.
"""

from __future__ import annotations

import re

_ESCAPES = {"n": "\n", "r": "\r", "t": "\t"}
# ''' → '' ; ''$ → $ ; ''\X → unescaped X ; anything else is literal text
_IND_TOKEN = re.compile(r"'''|''\$|''\\(.)|((?:[^']|'(?!'))+)", re.DOTALL)
# an escape, or a raw carriage return (the lexer turns CR and CR LF into LF)
_DQ_ESCAPE = re.compile(r"\\(.)|\r\n?", re.DOTALL)


def unescape_double(raw: str) -> str:
    """The value of a run of ``"…"`` string text between interpolations."""
    if "\\" not in raw and "\r" not in raw:
        return raw
    return _DQ_ESCAPE.sub(_unescape_one, raw)


def _unescape_one(m: re.Match[str]) -> str:
    ch = m.group(1)
    return "\n" if ch is None else _ESCAPES.get(ch, ch)


#: A piece of an indented string: literal text or escaped text (``''$``, ``''\n``…), told
#: apart by the flag, or an interpolation (``None`` text, the caller's slot). Escaped text
#: does not count towards the indentation, but is stripped like literal text, as in Nix.
IndPart = tuple[str | None, bool]


def indented_parts(raw_segments: list[str | None]) -> list[IndPart]:
    """Split the raw segments of an indented string into parts.

    ``raw_segments`` alternates raw text (``str``) and interpolation slots (``None``).
    """
    parts: list[IndPart] = []
    for segment in raw_segments:
        if segment is None:
            parts.append((None, False))
            continue
        for m in _IND_TOKEN.finditer(segment):
            text = m.group(0)
            if text == "'''":
                parts.append(("''", False))
            elif text == "''$":
                parts.append(("$", False))
            elif m.group(1) is not None:
                ch = m.group(1)
                parts.append((_ESCAPES.get(ch, ch), False))
            else:
                parts.append((m.group(2), True))
    return parts


def strip_indentation(parts: list[IndPart]) -> list[str | None]:
    """Apply Nix's indentation stripping; returns texts with ``None`` for interpolations."""
    at_line_start = True
    min_indent = 1_000_000
    cur = 0
    for text, literal in parts:
        if text is None or not literal:
            if at_line_start:
                at_line_start = False
                min_indent = min(min_indent, cur)
            continue
        for ch in text:
            if at_line_start:
                if ch == " ":
                    cur += 1
                elif ch == "\n":
                    cur = 0
                else:
                    at_line_start = False
                    min_indent = min(min_indent, cur)
            elif ch == "\n":
                at_line_start = True
                cur = 0

    out: list[str | None] = []
    at_line_start = True
    dropped = 0
    n = len(parts)
    for index, (text, _literal) in enumerate(parts):
        if text is None:
            at_line_start = False
            dropped = 0
            out.append(text)
            continue
        buf: list[str] = []
        for ch in text:
            if at_line_start:
                if ch == " ":
                    if dropped >= min_indent:
                        buf.append(ch)
                    dropped += 1
                elif ch == "\n":
                    dropped = 0
                    buf.append(ch)
                else:
                    at_line_start = False
                    dropped = 0
                    buf.append(ch)
            else:
                buf.append(ch)
                if ch == "\n":
                    at_line_start = True
        s = "".join(buf)
        if index == n - 1:
            cut = s.rfind("\n")
            if cut != -1 and s[cut + 1 :].strip(" ") == "":
                s = s[: cut + 1]
        out.append(s)
    return out


def strip_opening(raw: str) -> str:
    """The lexer drops the rest of the opening line when it holds only spaces."""
    m = re.match(r" *\n", raw)
    return raw[m.end() :] if m else raw
