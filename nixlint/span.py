"""Source locations shared by every stage."""

from __future__ import annotations

from typing import NamedTuple


class Span(NamedTuple):
    """A region of a file. Lines and columns are 1-based; columns count characters.

    A named tuple rather than a frozen dataclass: analysis makes one for most definitions
    and list elements it reads, and a tuple is made several times faster."""

    path: str
    line: int
    column: int
    end_line: int
    end_column: int
    start_byte: int = 0
    end_byte: int = 0

    def __str__(self) -> str:
        return f"{self.path}:{self.line}:{self.column}"

    @property
    def short(self) -> str:
        return f"{self.path}:{self.line}"
