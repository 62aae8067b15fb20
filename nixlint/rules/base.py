"""Rule metadata, the registry, and the helpers rules use to read a host.

A rule is a stateless function of a :class:`HostContext` to :class:`Hit`s, registered with
:func:`rule`. Its metadata sits on the decorator and its documentation is its docstring.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from nixlint import schema
from nixlint.evaluate.values import AttrSet, List, PartialString, Thunk, Unknown, Value
from nixlint.findings import CATEGORIES, Confidence, Severity

if TYPE_CHECKING:
    from nixlint.graph import DefinitionState, Resolution
    from nixlint.hosts import Host
    from nixlint.modules import Definition, OptionPath
    from nixlint.span import Span


@dataclass(frozen=True, slots=True)
class Hit:
    """What a rule found: where, what, and (when it differs from the rule's) how sure."""

    span: Span
    message: str
    option: str | None = None
    severity: Severity | None = None
    confidence: Confidence | None = None


Check = Callable[["HostContext"], Iterable[Hit]]

#: nixpkgs modules that hardware scans and VM profiles import, which set only kernel
#: modules and firmware options: a finding about an unset option still stands with them.
HARMLESS_IMPORTS = (
    "/installer/scan/not-detected.nix",
    "/installer/scan/detected.nix",
    "/profiles/qemu-guest.nix",
    "/profiles/all-hardware.nix",
    "/profiles/headless.nix",
    "/profiles/minimal.nix",
    "/virtualisation/hyperv-guest.nix",
)


@dataclass(frozen=True)
class Rule:
    code: str
    name: str
    category: str
    severity: Severity
    confidence: Confidence
    summary: str
    description: str
    cwe: int | None = None
    check: Check | None = field(default=None, compare=False)
    since: str = "0.1.0"

    @property
    def family(self) -> int:
        return int(self.code[3])


REGISTRY: dict[str, Rule] = {}
_BY_NAME: dict[str, Rule] = {}


def register(rule_: Rule) -> Rule:
    if not (len(rule_.code) == 6 and rule_.code.startswith("NIX") and rule_.code[3:].isdigit()):
        raise ValueError(f"bad rule code {rule_.code}")
    if rule_.category not in CATEGORIES:
        raise ValueError(f"bad category {rule_.category}")
    if rule_.code in REGISTRY or rule_.name in _BY_NAME:
        raise ValueError(f"duplicate rule {rule_.code} {rule_.name}")
    rule_ = replace(rule_, description=_dedent(rule_.description))
    REGISTRY[rule_.code] = rule_
    _BY_NAME[rule_.name] = rule_
    return rule_


def rule(
    code: str,
    name: str,
    *,
    category: str,
    severity: Severity,
    summary: str,
    confidence: Confidence = Confidence.HIGH,
    cwe: int | None = None,
) -> Callable[[Check], Check]:
    """Register a host rule; its docstring is its documentation."""

    def decorate(fn: Check) -> Check:
        doc = fn.__doc__ or summary
        register(Rule(code, name, category, severity, confidence, summary, doc, cwe, fn))
        return fn

    return decorate


def _dedent(text: str) -> str:
    import inspect

    return inspect.cleandoc(text)


def lookup(code_or_name: str) -> Rule | None:
    key = code_or_name.strip()
    return REGISTRY.get(key.upper()) or _BY_NAME.get(key.lower())


def all_rules() -> list[Rule]:
    from nixlint import rules as _package

    _package.load()
    return [REGISTRY[code] for code in sorted(REGISTRY)]


# -- reading a host ------------------------------------------------------------------------


@dataclass(slots=True)
class Item:
    """One element of a list option (or one whole value) as a rule sees it."""

    value: Value
    span: Span
    definition: Definition
    conditional: bool
    thunk: Thunk | None = None

    def span_of(self, pattern: re.Pattern[str]) -> Span:
        """The span of the first match of ``pattern`` in the item's source text (for a
        finding inside a long string), else the item's span."""
        thunk = self.thunk
        if thunk is None or thunk.node is None or thunk.src is None:
            return self.span
        node, src = thunk.node, thunk.src
        text = src.data[node.start_byte : node.end_byte].decode("utf-8", "replace")
        match = pattern.search(text)
        if match is None:
            return self.span
        start = node.start_byte + len(text[: match.start()].encode())
        end = node.start_byte + len(text[: match.end()].encode())
        return src.span_of(start, end)

    @property
    def text(self) -> str | None:
        """The element as text when it is a (possibly partly known) string."""
        return known_text(self.value)


def known_text(value: Value) -> str | None:
    if isinstance(value, str):
        return value
    if isinstance(value, PartialString):
        return value.known_text
    return None


class HostContext:
    """What a rule reads: the host's option graph, with helpers for common shapes."""

    def __init__(self, host: Host) -> None:
        self.host = host
        self.graph = host.graph
        self.name = host.name

    def resolve(self, path: OptionPath | str) -> Resolution:
        return self.graph.resolve(path)

    @property
    def unread_imports(self) -> list[str]:
        """Imported modules nixlint cannot read (flake inputs, nixpkgs modules), which may
        set what the scanned files leave unset. Modules known to set nothing security
        relevant are left out."""
        return [
            imp.label
            for imp in self.host.external
            if not any(imp.label.endswith(harmless) for harmless in HARMLESS_IMPORTS)
        ]

    def match(self, pattern: str) -> list[OptionPath]:
        return self.graph.match(pattern)

    def children(self, path: OptionPath | str) -> list[str]:
        return self.graph.children(path)

    def anchor(self, path: OptionPath | str) -> Span:
        """Where a finding about ``path`` (perhaps about a setting missing under it) goes:
        the first definition of the path, else of its nearest defined parent."""
        key = schema.split(path) if isinstance(path, str) else path
        while key:
            defs = self.graph.definitions(key)
            if defs:
                return min(
                    defs, key=lambda d: (d.kind != "namespace", d.span.path, d.span.line)
                ).span
            key = key[:-1]
        return self.host.modules[0].src.span_of(0, 0)

    def candidate_values(self, path: OptionPath | str) -> Iterator[Item]:
        """Each candidate definition's whole value (its condition noted)."""
        for state in self.resolve(path).candidates:
            yield _item(state, state.definition.value, state.definition.value_span)

    def items(self, path: OptionPath | str) -> Iterator[Item]:
        """The elements of a list option across every definition that may contribute."""
        for state in self.resolve(path).candidates:
            value = state.definition.value.force()
            if isinstance(value, List):
                for thunk in value.items:
                    yield _item(state, thunk, thunk.span or state.definition.value_span)
            else:
                yield _item(state, state.definition.value, state.definition.value_span)

    def effective(self, path: OptionPath | str) -> tuple[Value, bool, Span | None]:
        """(value, conditional, span of the deciding definition) for a scalar option."""
        res = self.resolve(path)
        span = res.candidates[0].definition.value_span if res.candidates else None
        if res.conditional:
            # report the riskiest reading: the candidates' own values
            values = [c.definition.value.force() for c in res.candidates]
            known = [v for v in values if not isinstance(v, Unknown)]
            if known and all(v == known[0] for v in known):
                return known[0], True, span
        return res.value, res.conditional, span


def _item(state: DefinitionState, thunk: Thunk, span: Span) -> Item:
    return Item(thunk.force(), span, state.definition, state.conditional, thunk)


def confidence_for(base: Confidence, conditional: bool) -> Confidence:
    return base.lowered() if conditional else base


def attr(value: Value, name: str) -> Value:
    """``value.name`` for a set value (None when absent; Unknown stays Unknown)."""
    if isinstance(value, AttrSet):
        found = value.get(name)
        return found.force() if found is not None else None
    return value if isinstance(value, Unknown) else None


def when(conditional: bool) -> str:
    """A message suffix for a finding whose definition depends on an unknown condition."""
    return " (under a condition nixlint cannot decide)" if conditional else ""
