"""Rule metadata, the registry, and the helpers rules use to read a host.

A rule is a stateless function of a :class:`HostContext` to :class:`Hit`s, registered with
:func:`rule`. Its metadata sits on the decorator and its documentation is its docstring.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Generic, TypeVar

from nixlint import schema
from nixlint.evaluate.context import STATE, note, noted, replay
from nixlint.evaluate.values import AttrSet, List, PartialString, Thunk, Unknown, Value
from nixlint.evaluate.values import Path as NixPath
from nixlint.findings import CATEGORIES, Confidence, Severity

if TYPE_CHECKING:
    from nixlint.graph import DefinitionState, Resolution
    from nixlint.hosts import Host
    from nixlint.modules import Definition, Import, OptionPath
    from nixlint.parse import SourceFile
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
T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class FileContext:
    """What a file rule reads: one parsed file, whichever hosts use it (or none)."""

    src: SourceFile


FileCheck = Callable[[FileContext], Iterable[Hit]]
#: A file rule's quick look at a file's bytes: False means the rule has nothing to say about
#: it, and the file need not be parsed for it.
FileFilter = Callable[[bytes], bool]

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


#: A rule name: lowercase words joined by hyphens.
NAME = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


@dataclass(frozen=True)
class Rule:
    """A rule's identity, documentation and logic.

    The documentation has the same sections for every rule: what it does (``details``), why
    it matters (``rationale``), what to write instead (``remediation``, with the Nix), when
    that fix is unsafe to apply blindly (``caveat``), references, and a bad and a good
    example — whole modules that the test suite runs through every rule.
    """

    code: str
    name: str
    category: str
    severity: Severity
    confidence: Confidence
    summary: str
    details: str
    rationale: str = ""
    remediation: str = ""
    caveat: str = ""
    cwe: int | None = None
    references: tuple[str, ...] = ()
    bad: str | None = None
    good: str | None = None
    check: Check | None = field(default=None, compare=False)
    since: str = "0.1.0"
    #: a file rule: a function of one file's syntax tree, run on every scanned file
    file_check: FileCheck | None = field(default=None, compare=False)
    #: a file rule looks only at files that pass this
    prefilter: FileFilter | None = field(default=None, compare=False)
    #: a file rule whose findings count only in files a flake evaluates
    flakes_only: bool = False

    @property
    def family(self) -> int:
        return int(self.code[3])

    @property
    def description(self) -> str:
        """The full documentation as Markdown."""
        parts = [f"## What it does\n{self.details}"]
        if self.rationale:
            parts.append(f"## Why is this bad?\n{self.rationale}")
        if self.bad:
            parts.append(f"## Example\n```nix\n{self.bad.rstrip()}\n```")
        if self.remediation:
            parts.append(f"## Use instead\n{self.remediation}")
        if self.caveat:
            parts.append(f"## Before applying the fix\n{self.caveat}")
        if self.good:
            parts.append(f"## A configuration that passes\n```nix\n{self.good.rstrip()}\n```")
        if self.references:
            parts.append("## References\n" + "\n".join(f"- <{url}>" for url in self.references))
        return "\n\n".join(parts)

    def to_json(self) -> dict[str, object]:
        return {
            "code": self.code,
            "name": self.name,
            "category": self.category,
            "severity": self.severity.value,
            "confidence": self.confidence.value,
            "cwe": self.cwe,
            "summary": self.summary,
            "description": self.description,
            "details": self.details,
            "rationale": self.rationale,
            "remediation": self.remediation,
            "caveat": self.caveat,
            "references": list(self.references),
            "bad": self.bad,
            "good": self.good,
            "since": self.since,
        }


REGISTRY: dict[str, Rule] = {}
_BY_NAME: dict[str, Rule] = {}


def register(rule_: Rule) -> Rule:
    """Add a rule to the catalogue (codes and names are unique and permanent)."""
    if not (len(rule_.code) == 6 and rule_.code.startswith("NIX") and rule_.code[3:].isdigit()):
        raise ValueError(f"bad rule code {rule_.code}")
    if rule_.category not in CATEGORIES:
        raise ValueError(f"bad category {rule_.category}")
    if CATEGORIES.index(rule_.category) != rule_.family:
        raise ValueError(f"{rule_.code} is not in the {rule_.category} family")
    if not NAME.match(rule_.name):
        raise ValueError(f"rule name {rule_.name!r} is not kebab-case")
    if rule_.code in REGISTRY or rule_.name in _BY_NAME:
        raise ValueError(f"duplicate rule {rule_.code} {rule_.name}")
    rule_ = replace(
        rule_,
        details=_dedent(rule_.details),
        rationale=_dedent(rule_.rationale),
        remediation=_dedent(rule_.remediation),
        caveat=_dedent(rule_.caveat),
        bad=_example(rule_.bad),
        good=_example(rule_.good),
    )
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
    rationale: str = "",
    remediation: str = "",
    caveat: str = "",
    references: tuple[str, ...] = (),
    bad: str | None = None,
    good: str | None = None,
) -> Callable[[Check], Check]:
    """Register a host rule; its docstring says what it does."""

    def decorate(fn: Check) -> Check:
        register(
            Rule(
                code,
                name,
                category,
                severity,
                confidence,
                summary,
                fn.__doc__ or summary,
                rationale=rationale,
                remediation=remediation,
                caveat=caveat,
                cwe=cwe,
                references=references,
                bad=bad,
                good=good,
                check=fn,
            )
        )
        return fn

    return decorate


def file_rule(
    code: str,
    name: str,
    *,
    prefilter: FileFilter,
    category: str,
    severity: Severity,
    summary: str,
    confidence: Confidence = Confidence.HIGH,
    cwe: int | None = None,
    rationale: str = "",
    remediation: str = "",
    caveat: str = "",
    references: tuple[str, ...] = (),
    bad: str | None = None,
    good: str | None = None,
    flakes_only: bool = False,
) -> Callable[[FileCheck], FileCheck]:
    """Register a file rule: what it finds depends on one file's text alone, not on a host.
    It runs on every scanned file that passes ``prefilter``; with ``flakes_only`` its
    findings are kept only in files a flake evaluates. Its docstring says what it does."""

    def decorate(fn: FileCheck) -> FileCheck:
        register(
            Rule(
                code,
                name,
                category,
                severity,
                confidence,
                summary,
                fn.__doc__ or summary,
                rationale=rationale,
                remediation=remediation,
                caveat=caveat,
                cwe=cwe,
                references=references,
                bad=bad,
                good=good,
                file_check=fn,
                prefilter=prefilter,
                flakes_only=flakes_only,
            )
        )
        return fn

    return decorate


def _dedent(text: str) -> str:
    import inspect

    return inspect.cleandoc(text) if text else ""


def _example(text: str | None) -> str | None:
    return _dedent(text) + "\n" if text else None


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
        self._host = host
        self.graph = host.graph
        self.name = host.name
        # What rules ask for again and again (each container's ``extraOptions``, each file
        # system's ``device``), kept for this host's run. Lists are replayed lazily, so a
        # rule that stops early forces no more of them than before.
        self._items: dict[object, _Replay[Item]] = {}
        self._candidates: dict[object, _Replay[Item]] = {}
        self._effective: dict[object, tuple[Value, bool, Span | None]] = {}
        self._remembered: dict[object, object] = {}
        #: while reads are recorded: what computing each of those read
        self._deps: dict[object, set[object]] = {}

    def for_rule(self) -> HostContext:
        """The context for the next rule when each rule's reads are recorded: it shares
        what is remembered with its reads, not the lists replayed as they are read."""
        other = copy.copy(self)
        other._items, other._candidates = {}, {}
        return other

    def resolve(self, path: OptionPath | str) -> Resolution:
        return self.graph.resolve(path)

    @property
    def host(self) -> Host:
        """The host as built: its modules, whole (a rule that reads them depends on all)."""
        note(())
        return self._host

    @property
    def external(self) -> list[Import]:
        """Imports of modules nixlint cannot read (flake inputs, nixpkgs modules)."""
        return self._host.external

    def remembered(self, key: object, compute: Callable[[], T]) -> T:
        """``compute()``, worked out once for this host's run and ``key`` (what several
        rules derive from the same options). A failure is not remembered: every reader
        fails as the first one did."""
        known = self._remembered.get(key, _MISSING)
        if known is _MISSING:
            known = self._remembered[key] = self._noted(("remembered", key), compute)
        elif STATE.reads:
            replay(self._deps.get(("remembered", key)))
        return known  # type: ignore[return-value]

    def _noted(self, key: object, compute: Callable[[], T]) -> T:
        """``compute()``, with what it read kept under ``key`` while reads are recorded."""
        if not STATE.reads:
            return compute()
        value, self._deps[key] = noted(compute)
        return value

    @property
    def unread_imports(self) -> list[str]:
        """Imported modules nixlint cannot read (flake inputs, nixpkgs modules), which may
        set what the scanned files leave unset. Modules known to set nothing security
        relevant are left out."""
        return [
            imp.label
            for imp in self._host.external
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
        return self._host.modules[0].src.span_of(0, 0)

    def candidate_values(self, path: OptionPath | str) -> Iterator[Item]:
        """Each candidate definition's whole value (its condition noted)."""
        known = self._candidates.get(path)
        if known is None:
            known = self._candidates[path] = _Replay(self._candidate_values(path))
        return iter(known)

    def _candidate_values(self, path: OptionPath | str) -> Iterator[Item]:
        for state in self.resolve(path).candidates:
            yield _item(state, state.definition.value, state.definition.value_span)

    def items(self, path: OptionPath | str) -> Iterator[Item]:
        """The elements of a list option across every definition that may contribute. An
        element in both outcomes of one undecided condition (``[ a ] ++ optionals c [ b ]``
        gives ``[ a b ]`` or ``[ a ]``) is yielded once, as certain as the rest of its
        definition."""
        known = self._items.get(path)
        if known is None:
            known = self._items[path] = _Replay(self._list_items(path))
        return iter(known)

    def _list_items(self, path: OptionPath | str) -> Iterator[Item]:
        candidates = self.resolve(path).candidates
        both = _in_both_outcomes(candidates)
        seen: set[int] = set()
        for state in candidates:
            value = state.definition.value.force()
            if isinstance(value, List):
                for thunk in value.items:
                    if id(thunk) in seen:
                        continue
                    item = _item(state, thunk, thunk.span or state.definition.value_span)
                    if id(thunk) in both:
                        seen.add(id(thunk))
                        item.conditional = both[id(thunk)]
                    yield item
            else:
                yield _item(state, state.definition.value, state.definition.value_span)

    def effective(self, path: OptionPath | str) -> tuple[Value, bool, Span | None]:
        """(value, conditional, span of the deciding definition) for a scalar option."""
        known = self._effective.get(path)
        if known is None:
            known = self._effective[path] = self._noted(
                ("effective", path), lambda: self._effective_of(path)
            )
        elif STATE.reads:
            replay(self._deps.get(("effective", path)))
        return known

    def _effective_of(self, path: OptionPath | str) -> tuple[Value, bool, Span | None]:
        res = self.resolve(path)
        span = res.candidates[0].definition.value_span if res.candidates else None
        if res.conditional:
            # report the riskiest reading: the candidates' own values
            values = [c.definition.value.force() for c in res.candidates]
            known = [v for v in values if not isinstance(v, Unknown)]
            if known and all(v == known[0] for v in known):
                return known[0], True, span
        return res.value, res.conditional, span


_MISSING = object()


class _Replay(Generic[T]):
    """An iterator's items, computed once, as they are first asked for, then replayed."""

    __slots__ = ("_done", "_error", "_source", "_taken")

    def __init__(self, source: Iterator[T]) -> None:
        self._source = source
        self._taken: list[T] = []
        self._done = False
        self._error: Exception | None = None

    def __iter__(self) -> Iterator[T]:
        taken = self._taken
        i = 0
        while True:
            if i < len(taken):
                yield taken[i]
            elif self._error is not None:
                raise self._error  # every reader fails as the first one did
            elif self._done:
                return
            else:
                try:
                    item = next(self._source)
                except StopIteration:
                    self._done = True
                    return
                except Exception as err:
                    self._error = err
                    raise
                taken.append(item)
                yield item
            i += 1


def _in_both_outcomes(candidates: list[DefinitionState]) -> dict[int, bool]:
    """List elements (by thunk identity) that two definitions share when the definitions
    are the two outcomes of one condition (the same conditions but the last, negated), with
    whether they still depend on a condition (the shared ones)."""
    found: dict[int, bool] = {}
    conditional = [c for c in candidates if c.conditional]
    for i, first in enumerate(conditional):
        a = first.definition
        for second in conditional[i + 1 :]:
            b = second.definition
            if not (a.conditions and len(a.conditions) == len(b.conditions)):
                continue
            last_a, last_b = a.conditions[-1], b.conditions[-1]
            if (
                last_a.thunk is not last_b.thunk
                or last_a.negate == last_b.negate
                or any(
                    x is not y for x, y in zip(a.conditions[:-1], b.conditions[:-1], strict=True)
                )
            ):
                continue
            items_a, items_b = a.value.force(), b.value.force()
            if not (isinstance(items_a, List) and isinstance(items_b, List)):
                continue
            shared = {id(t) for t in items_a.items} & {id(t) for t in items_b.items}
            rest = any(c.evaluate() is not True for c in a.conditions[:-1])
            for key in shared:
                found[key] = rest
    return found


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


def same_value(value: Value, expected: object) -> bool:
    """``value == expected`` where Booleans, numbers and strings do not mix."""
    if isinstance(expected, bool) or isinstance(value, bool):
        return value is expected
    if isinstance(expected, int | float):
        return isinstance(value, int | float) and value == expected
    return type(value) is type(expected) and value == expected


def render(value: object, limit: int = 60) -> str:
    """A value as Nix text, shortened, for messages and documentation."""
    text = _render(value, limit)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _render(value: object, limit: int) -> str:
    if value is True:
        return "true"
    if value is False:
        return "false"
    if value is None:
        return "null"
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False).replace("${", "\\${")
    if isinstance(value, PartialString):
        return '"' + value.known_text.replace('"', '\\"') + '"'
    if isinstance(value, NixPath):
        return value.path
    if isinstance(value, List):
        shown: list[str] = []
        for thunk in value.items:
            shown.append(_render(thunk.force(), limit))
            if sum(len(s) + 1 for s in shown) > limit:
                shown.append("...")
                break
        return "[ " + " ".join(shown) + " ]" if shown else "[ ]"
    if isinstance(value, list | tuple):
        return "[ " + " ".join(_render(v, limit) for v in value) + " ]" if value else "[ ]"
    if isinstance(value, AttrSet):
        return "{ ... }"
    if isinstance(value, Unknown):
        return "(not known statically)"
    return type(value).__name__


def unset_value(ctx: HostContext, path: OptionPath) -> Value | object:
    """What an option is when no definition sets it: the default a scanned module declares,
    else the NixOS default from the schema, else :data:`schema.NO_DEFAULT`."""
    declared = ctx.graph.declaration(path)
    if declared is not None and declared.default is not None:
        return declared.default.force()
    known = schema.default(path)
    if known is schema.NO_DEFAULT:
        return known
    from nixlint.evaluate.functions.serialise import from_python

    return from_python(known)


# -- root-equivalent groups ----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RootGroup:
    """A group whose members can become root, and whether that holds on this host."""

    name: str
    why: str
    #: True: the condition holds; False: it does not; None: nixlint cannot decide.
    active: bool | None
    #: The option the condition reads, for messages ("" when unconditional).
    condition: str


def root_equivalent_groups(ctx: HostContext) -> list[RootGroup]:
    """The groups of ``schema/groups.json`` with their condition judged for this host."""
    out: list[RootGroup] = []
    for name, entry in schema.root_groups().items():
        condition = entry.get("when") or ""
        active: bool | None = True
        if condition:
            res = ctx.resolve(condition)
            if res.known and not res.conditional:
                active = res.value is True
            elif res.source == "none" and not res.candidates:
                active = False
            else:
                active = None
        out.append(RootGroup(name, entry["why"], active, condition))
    return out


def where(span: Span, relative_to: Span | None = None) -> str:
    """``file:line`` for a message: the file relative to the working directory when it is
    under it, and only ``line N`` when it is the file of ``relative_to``."""
    if relative_to is not None and relative_to.path == span.path:
        return f"line {span.line}"
    import os

    rel = os.path.relpath(span.path)
    return f"{span.path if rel.startswith('..') else rel}:{span.line}"
