"""Baselines: the findings a project has accepted, so that a check reports only new ones.

A finding's identity is its fingerprint (rule, file, option path and message with line
numbers taken out), with the file taken relative to the baseline's directory so that the
baseline works from any working directory. Moving code, or adding lines above it, does not
bring an old finding back; a second finding with the same identity is new.
"""

from __future__ import annotations

import json
import os
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field, replace

from nixlint import __version__
from nixlint.config import ConfigError
from nixlint.findings import Finding

FORMAT = 1


class BaselineError(ConfigError):
    """A baseline file nixlint cannot read or write (exit code 2)."""


def _relative(path: str, directory: str) -> str:
    return os.path.relpath(os.path.abspath(path), directory).replace(os.sep, "/")


def identity(finding: Finding, directory: str) -> str:
    """The fingerprint of ``finding`` with its path relative to ``directory``."""
    return replace(finding, path=_relative(finding.path, directory)).fingerprint


@dataclass
class Baseline:
    path: str
    counts: Counter[str] = field(default_factory=Counter)

    @property
    def directory(self) -> str:
        return os.path.dirname(os.path.abspath(self.path))

    @classmethod
    def load(cls, path: str) -> Baseline:
        try:
            with open(path, encoding="utf-8") as handle:
                document = json.load(handle)
        except OSError as err:
            raise BaselineError(f"cannot read baseline {path}: {err.strerror}") from None
        except (ValueError, UnicodeDecodeError) as err:
            raise BaselineError(f"baseline {path} is not JSON: {err}") from None
        entries = document.get("findings") if isinstance(document, dict) else None
        if not isinstance(entries, list) or not all(
            isinstance(e, dict) and isinstance(e.get("fingerprint"), str) for e in entries
        ):
            raise BaselineError(
                f"{path} is not a nixlint baseline (write one with `nixlint baseline`)"
            )
        if document.get("format", FORMAT) != FORMAT:
            raise BaselineError(f"baseline {path} has format {document['format']}, not {FORMAT}")
        return cls(path, Counter(e["fingerprint"] for e in entries))

    def matcher(self) -> Matcher:
        return Matcher(self.directory, Counter(self.counts), self.path)


@dataclass
class Matcher:
    """Takes findings out of a baseline one by one (each entry absorbs one finding)."""

    directory: str
    remaining: Counter[str]
    path: str

    def take(self, finding: Finding) -> bool:
        key = identity(finding, self.directory)
        if self.remaining[key] > 0:
            self.remaining[key] -= 1
            return True
        return False


def document(findings: Iterable[Finding], path: str) -> dict[str, object]:
    directory = os.path.dirname(os.path.abspath(path))
    entries = [
        {
            "fingerprint": identity(f, directory),
            "rule": f.rule,
            "name": f.name,
            "path": _relative(f.path, directory),
            "line": f.line,
            "option": f.option,
            "message": f.message,
        }
        for f in findings
    ]
    entries.sort(key=lambda e: (e["path"], e["line"], e["rule"], e["message"]))  # type: ignore[arg-type]
    return {"nixlint_version": __version__, "format": FORMAT, "findings": entries}


def write(findings: Iterable[Finding], path: str) -> int:
    """Record ``findings`` in a baseline file; returns how many."""
    doc = document(findings, path)
    try:
        os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
        with open(path, "w", encoding="utf-8") as handle:
            json.dump(doc, handle, indent=2)
            handle.write("\n")
    except OSError as err:
        raise BaselineError(f"cannot write baseline {path}: {err.strerror}") from None
    return len(doc["findings"])  # type: ignore[arg-type]
