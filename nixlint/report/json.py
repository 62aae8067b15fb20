"""The JSON report (contract: DESIGN.md, "JSON report")."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, TextIO

from nixlint import __version__

if TYPE_CHECKING:
    from nixlint.analyze import Result


def render(result: Result, stream: TextIO) -> None:
    document = {
        "version": __version__,
        "findings": [f.to_json() for f in result.findings],
        "summary": result.summary(),
    }
    json.dump(document, stream, indent=2)
    stream.write("\n")
