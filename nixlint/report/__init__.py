"""Reporters: each renders findings and a summary to a stream, and never analyses."""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol, TextIO

if TYPE_CHECKING:
    from nixlint.analyze import Result


class Reporter(Protocol):
    def __call__(self, result: Result, stream: TextIO) -> None: ...


def get(name: str) -> Reporter:
    if name == "json":
        from nixlint.report.json import render

        return render
    if name == "text":
        from nixlint.report.text import render

        return render
    raise ValueError(f"unknown format {name!r}")


FORMATS = ("text", "json")
