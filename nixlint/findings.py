"""Findings: small immutable values. Severity and confidence are separate fields, and a
finding's identity (its fingerprint) leaves the line number out."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field, replace
from enum import StrEnum


class Severity(StrEnum):
    CRITICAL = "critical"
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"
    INFO = "info"

    @property
    def rank(self) -> int:
        return _SEVERITY_RANK[self]


_SEVERITY_RANK = {
    Severity.CRITICAL: 4,
    Severity.HIGH: 3,
    Severity.MEDIUM: 2,
    Severity.LOW: 1,
    Severity.INFO: 0,
}


class Confidence(StrEnum):
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"

    @property
    def rank(self) -> int:
        return {"high": 2, "medium": 1, "low": 0}[self.value]

    def lowered(self) -> Confidence:
        return Confidence.MEDIUM if self is Confidence.HIGH else Confidence.LOW


CATEGORIES = (
    "syntax",
    "containers",
    "encryption",
    "sandboxing",
    "access",
    "secrets",
    "network",
    "kernel",
    "supply-chain",
)

_LOCATION = re.compile(r":\d+(?::\d+)?")


@dataclass(frozen=True, slots=True)
class Finding:
    rule: str
    name: str
    category: str
    severity: Severity
    confidence: Confidence
    path: str
    line: int
    column: int
    end_line: int
    end_column: int
    message: str
    option: str | None = None
    host: str | None = None
    hosts: tuple[str, ...] = field(default=())

    @property
    def fingerprint(self) -> str:
        """Stable identity: rule, file, option and message, without line numbers."""
        message = _LOCATION.sub("", self.message)
        key = "\0".join((self.rule, self.path, self.option or "", message))
        return hashlib.sha256(key.encode()).hexdigest()[:32]

    @property
    def sort_key(self) -> tuple[str, int, int, str, str]:
        return (self.path, self.line, self.column, self.rule, self.message)

    def with_hosts(self, hosts: tuple[str, ...]) -> Finding:
        return replace(self, hosts=hosts, host=hosts[0] if hosts else None)

    def to_json(self) -> dict[str, object]:
        return {
            "rule": self.rule,
            "name": self.name,
            "category": self.category,
            "severity": self.severity.value,
            "confidence": self.confidence.value,
            "path": self.path,
            "line": self.line,
            "column": self.column,
            "end_line": self.end_line,
            "end_column": self.end_column,
            "message": self.message,
            "option": self.option,
            "host": self.host,
            "hosts": list(self.hosts),
            "fingerprint": self.fingerprint,
        }
