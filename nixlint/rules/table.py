"""Table rules: the common shape "option X must not be Y (when Z)" written as data.

A table rule is metadata plus one or more :class:`OptionCheck`. A check names an option (a
pattern: ``*`` matches one attribute name), a :class:`Test` of its effective value, and
preconditions (:class:`Requires`). The mechanism does the rest the same way for every rule:

- it reads every definition that makes (or may make) the value, so a definition under a
  condition nixlint cannot decide is reported with lower confidence;
- with ``unset=True`` it judges an option nobody sets by its NixOS default
  (``schema/defaults.json``, or a default declared in the scanned modules) and anchors the
  finding on the nearest definition the user wrote;
- it writes the message: what is wrong, the value and where it came from, why it matters, and
  the fix.

Example::

    table_rule(
        "NIX402", "ssh-password-authentication", category="access", ...,
        why="passwords can be guessed or phished",
        fix="set services.openssh.settings.PasswordAuthentication = false",
        checks=(
            OptionCheck(
                "services.openssh.settings.PasswordAuthentication",
                equals(True),
                "sshd accepts passwords",
                unset=True,
                requires=(Requires("services.openssh.enable", equals(True)),),
            ),
        ),
    )
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from nixlint import schema
from nixlint.evaluate.values import List, Unknown, Value
from nixlint.findings import Confidence, Severity
from nixlint.rules.base import (
    Check,
    Hit,
    HostContext,
    Item,
    Rule,
    known_text,
    register,
    render,
    same_value,
    unset_value,
    where,
)
from nixlint.span import Span

if TYPE_CHECKING:
    from nixlint.graph import DefinitionState, Resolution

# -- tests of a value -----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Match:
    """What a test found: ``text`` is the part of a string value to point at."""

    text: str | None = None
    note: str = ""


@dataclass(frozen=True, slots=True)
class Test:
    """A predicate on an option's value. ``fn`` returns a :class:`Match` or None (no match,
    or the value is not known: nixlint never guesses). With ``per_item`` it is applied to
    each element of a list option, and a finding points at the element."""

    describe: str
    fn: Callable[[Value], Match | None]
    per_item: bool = False

    def __call__(self, value: Value) -> Match | None:
        if isinstance(value, Unknown) and not known_text(value):
            return None
        return self.fn(value)


def equals(expected: object) -> Test:
    """The value is ``expected`` (Booleans, numbers and strings do not mix)."""
    return Test(f"is {render(expected)}", lambda v: Match() if same_value(v, expected) else None)


def one_of(*expected: object) -> Test:
    shown = " or ".join(render(e) for e in expected)
    return Test(
        f"is {shown}",
        lambda v: Match() if any(same_value(v, e) for e in expected) else None,
    )


def matches(pattern: str, describe: str | None = None) -> Test:
    """A string value (or the known parts of a partly known one) matches ``pattern``
    (``re.search``; use ``(?m)`` for line anchors in multi-line text). The pattern is
    compiled when first used."""
    compiled: list[re.Pattern[str]] = []

    def fn(value: Value) -> Match | None:
        text = known_text(value)
        if text is None:
            return None
        if not compiled:
            compiled.append(re.compile(pattern))
        found = compiled[0].search(text)
        return Match(found.group(0).strip() or None) if found else None

    return Test(describe or f"matches `{pattern}`", fn)


_COMPARE: dict[str, tuple[Callable[[float, float], bool], str]] = {
    "<": (operator.lt, "is below"),
    "<=": (operator.le, "is at most"),
    ">": (operator.gt, "is above"),
    ">=": (operator.ge, "is at least"),
}


def compare(op: str, bound: float) -> Test:
    """A number compared with ``bound``: ``compare("<", 2)``."""
    fn, words = _COMPARE[op]

    def test(value: Value) -> Match | None:
        if isinstance(value, bool) or not isinstance(value, int | float):
            return None
        return Match() if fn(value, bound) else None

    return Test(f"{words} {bound}", test)


def is_set() -> Test:
    """Any known value but null (and but the empty string)."""
    return Test(
        "is set", lambda v: None if v is None or v == "" or isinstance(v, Unknown) else Match()
    )


def item(test: Test) -> Test:
    """Apply ``test`` to each element of a list option."""
    return Test(f"has an element that {test.describe}", test.fn, per_item=True)


def contains(*expected: object) -> Test:
    """A list option has one of ``expected`` among its elements."""
    return item(one_of(*expected))


def negate(test: Test) -> Test:
    """The value is known and ``test`` does not match it."""

    def fn(value: Value) -> Match | None:
        if isinstance(value, Unknown):
            return None
        return None if test.fn(value) is not None else Match()

    return Test(f"is not known to satisfy: {test.describe}", fn, test.per_item)


# -- checks ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Requires:
    """A precondition: ``option`` (its ``{0}``, ``{1}``… are the checked option's ``*``
    components) must pass ``test``. An unset option is judged by its default; one whose
    default nixlint does not know counts as not passing."""

    option: str
    test: Test


@dataclass(frozen=True, slots=True)
class OptionCheck:
    """One option a table rule looks at."""

    option: str
    test: Test
    #: What is wrong, as the start of the message: "sshd accepts passwords". ``{0}``… are
    #: the option's ``*`` components, ``{value}`` the value found.
    problem: str
    #: Also judge the option by its NixOS default when no definition sets it.
    unset: bool = False
    requires: tuple[Requires, ...] = ()
    severity: Severity | None = None
    confidence: Confidence | None = None
    #: Override the rule's why/fix for this check.
    why: str | None = None
    fix: str | None = None
    #: Only attribute names (the last ``*`` component) matching this regex.
    names: str | None = None
    #: Never show the value (a secret) in messages.
    redact: bool = False
    #: Skip an instance when the scanned configuration itself defines this option (``{0}``…
    #: filled in as in ``requires``): the setting then concerns something it wrote itself.
    unless_written: str | None = None

    def describe(self) -> str:
        text = f"`{self.option}` {self.test.describe}"
        if self.unset:
            text += " (an unset option is judged by its NixOS default)"
        if self.requires:
            text += ", when " + " and ".join(
                f"`{r.option}` {r.test.describe}" for r in self.requires
            )
        if self.unless_written:
            text += f", unless the configuration itself writes `{self.unless_written}`"
        return text


@dataclass(frozen=True, slots=True)
class _Pre:
    """A precondition's state for one option instance."""

    holds: bool
    uncertain: bool = False
    note: str = ""
    #: Where a precondition that holds is decided (named in messages about unset options).
    option: str = ""
    span: Span | None = None

    def origin(self, anchor: Span) -> str:
        if self.note or self.span is None:
            return self.note
        return f"{self.option} at {where(self.span, anchor)}"


def _instances(ctx: HostContext, check: OptionCheck) -> Iterator[tuple[tuple[str, ...], list[str]]]:
    pattern = schema.split(check.option)
    wild = [i for i, part in enumerate(pattern) if part == "*"]
    if check.unset:
        if wild:
            cut = wild[-1] + 1
            paths = [(*p, *pattern[cut:]) for p in ctx.match(schema.join(pattern[:cut]))]
        else:
            paths = [pattern]
    else:
        paths = ctx.match(check.option)
    names = re.compile(check.names) if check.names else None
    for path in paths:
        captures = [path[i] for i in wild]
        if names is not None and captures and not names.search(captures[-1]):
            continue
        yield path, captures


def _own(res: Resolution) -> tuple[list[DefinitionState], list[DefinitionState]]:
    """The candidates that define the option itself, and the others: an enclosing value
    nixlint cannot read, or a dynamic attribute name, which only *may* set it."""
    own = [c for c in res.candidates if c.definition.path == res.path]
    return own, [c for c in res.candidates if c.definition.path != res.path]


def _precondition(ctx: HostContext, req: Requires, captures: list[str]) -> _Pre:
    """Whether a precondition holds. Only definitions of the option itself count: a module
    nixlint cannot read as a whole does not make every service "maybe enabled"."""
    path = schema.canonical(schema.split(req.option.format(*captures)))
    res = ctx.resolve(path)
    shown = schema.join(path)
    own, _ = _own(res)
    if not own:
        default = unset_value(ctx, path)
        return _Pre(default is not schema.NO_DEFAULT and req.test(default) is not None)
    values = [c.definition.value.force() for c in own]
    passing = [req.test(v) is not None for v in values]
    if not any(p or isinstance(v, Unknown) for p, v in zip(passing, values, strict=True)):
        return _Pre(False)
    if all(passing) and not any(c.conditional for c in own):
        return _Pre(True, option=shown, span=own[0].definition.span)
    return _Pre(True, True, f"if {shown} {req.test.describe}, which nixlint cannot decide")


def _written(ctx: HostContext, option: str, captures: list[str]) -> bool:
    """Some definition in the scanned files sets ``option`` (and not only under a
    condition known to be false)."""
    path = schema.canonical(schema.split(option.format(*captures)))
    return any(c.definition.path == path for c in ctx.resolve(path).candidates)


def _display(captures: list[str]) -> list[str]:
    """Attribute names for messages: a dynamic name (``"${user}"``) is shown as ``…``."""
    return ["…" if c == "*" else c for c in captures]


def _message(
    problem: str, shown: str, conditional: bool, notes: list[str], why: str, fix: str
) -> str:
    extra = "".join(f"; {n}" for n in notes if n)
    cond = " (under a condition nixlint cannot decide)" if conditional else ""
    return f"{problem} ({shown}{extra}){cond}: {why}; {fix}"


def _lowered(confidence: Confidence, times: int) -> Confidence:
    for _ in range(times):
        confidence = confidence.lowered()
    return confidence


def _shown(
    check: OptionCheck, path: tuple[str, ...], it: Item, found: Match, per_item: bool
) -> str:
    leaf = path[-1]
    source = _source(it)
    if check.redact:
        return f"{leaf} is a literal string{source}"
    written = it.definition.written
    renamed = f", as the renamed option {schema.join(written)}" if written else ""
    whole = known_text(it.value)
    if (
        found.text is not None
        and whole is not None
        and found.text != whole.strip()
        and not per_item
    ):
        return f"{_quote(found.text)} in {leaf}{renamed}"
    if per_item:
        return f"{render(it.value)} in {leaf}{renamed}"
    return f"{leaf} = {render(it.value)}{source}{renamed}"


#: Expressions whose value is written where they stand.
_LITERALS = frozenset(
    {
        "string_expression",
        "indented_string_expression",
        "integer_expression",
        "float_expression",
        "path_expression",
        "list_expression",
        "attrset_expression",
    }
)


def _source(it: Item) -> str:
    """``, from <expression>`` when the value is not written at the finding's place but
    computed there (``config.users.users.alice.password``, a variable, a call)."""
    thunk = it.thunk
    if thunk is None or thunk.node is None or thunk.src is None:
        return ""
    node = thunk.node
    if node.type in _LITERALS:
        return ""
    text = " ".join(thunk.src.text(node).split())
    if node.type == "variable_expression" and text in ("true", "false", "null"):
        return ""
    return f", from {text[:60]}…" if len(text) > 60 else f", from {text}"


def _quote(text: str) -> str:
    text = " ".join(text.split())
    return f'"{text[:77]}..."' if len(text) > 80 else f'"{text}"'


def run_check(
    ctx: HostContext, rule_: Rule, check: OptionCheck, why: str, fix: str
) -> Iterator[Hit]:
    """Every finding of one check in one host."""
    why = check.why or why
    fix = check.fix or fix
    base = check.confidence or rule_.confidence
    for path, captures in _instances(ctx, check):
        if check.unless_written and _written(ctx, check.unless_written, captures):
            continue
        pres = [_precondition(ctx, r, captures) for r in check.requires]
        if not all(p.holds for p in pres):
            continue
        uncertain = any(p.uncertain for p in pres)
        option = schema.join(path)
        res = ctx.resolve(path)
        best_conditional = [c.definition.priority for c in res.candidates if c.conditional]
        items = ctx.items(path) if check.test.per_item else ctx.candidate_values(path)
        for it in items:
            found = check.test(it.value)
            if found is None:
                continue
            overridable = any(p < it.definition.priority for p in best_conditional)
            conditional = it.conditional or overridable
            span = it.span_of(re.compile(re.escape(found.text))) if found.text else it.span
            notes = [p.note for p in pres if p.uncertain] + [found.note]
            yield Hit(
                span,
                _message(
                    check.problem.format(
                        *_display(captures), value="..." if check.redact else render(it.value)
                    ),
                    _shown(check, path, it, found, check.test.per_item),
                    conditional,
                    notes,
                    why,
                    fix,
                ),
                option,
                severity=check.severity,
                confidence=_lowered(base, conditional + uncertain),
            )
        if check.unset:
            yield from _unset(ctx, check, path, captures, res.candidates, pres, base, why, fix)


def _unset(
    ctx: HostContext,
    check: OptionCheck,
    path: tuple[str, ...],
    captures: list[str],
    candidates: list,
    pres: list[_Pre],
    base: Confidence,
    why: str,
    fix: str,
) -> Iterator[Hit]:
    """A finding for an option that is unset (or set only under undecidable conditions),
    judged by its default."""
    own = [c for c in candidates if c.definition.path == path]
    if own and not all(c.conditional for c in own):
        return
    default = unset_value(ctx, path)
    if default is schema.NO_DEFAULT:
        return
    values = [v.force() for v in default.items] if isinstance(default, List) else [default]
    if check.test.per_item:
        found = next((m for m in map(check.test, values) if m is not None), None)
    else:
        found = check.test(default)
    if found is None:
        return
    unread = ctx.unread_imports
    anchor = anchor_unset(ctx, path, pres, own)
    notes = [p.origin(anchor) for p in pres]
    opaque = [c for c in candidates if c.definition.path != path]
    if opaque:
        where_ = where(opaque[0].definition.span, anchor)
        notes.append(f"unless the value at {where_}, which nixlint cannot read, sets it")
    if unread:
        notes.append("unless an imported module nixlint cannot read sets it")
    shown = f"{path[-1]} is not set and defaults to {render(default)}"
    if own:
        shown = (
            f"{path[-1]} is set only under a condition nixlint cannot decide, "
            f"else defaults to {render(default)}"
        )
    uncertain = any(p.uncertain for p in pres)
    yield Hit(
        anchor,
        _message(
            check.problem.format(*_display(captures), value=render(default)),
            shown,
            False,
            notes,
            why,
            fix,
        ),
        schema.join(path),
        severity=check.severity,
        confidence=_lowered(base, bool(own) + bool(opaque) + uncertain + bool(unread)),
    )


def anchor_unset(
    ctx: HostContext, path: tuple[str, ...], pres: list[_Pre], candidates: list
) -> Span:
    """The nearest definition the user wrote: the option's own (conditional) definition,
    else its nearest defined enclosing set below the top level."""
    if candidates:
        return candidates[0].definition.value_span
    key = path
    while len(key) > 2:
        key = key[:-1]
        if ctx.graph.definitions(key):
            return ctx.anchor(key)
    return ctx.anchor(path)


def table_rule(
    code: str,
    name: str,
    *,
    category: str,
    severity: Severity,
    summary: str,
    why: str,
    fix: str,
    checks: tuple[OptionCheck, ...],
    details: str = "",
    confidence: Confidence = Confidence.HIGH,
    cwe: int | None = None,
    rationale: str = "",
    remediation: str = "",
    caveat: str = "",
    references: tuple[str, ...] = (),
    bad: str | None = None,
    good: str | None = None,
    also: Check | None = None,
) -> Rule:
    """Register a rule made of option checks. ``why`` and ``fix`` end every message;
    the list of checks is appended to ``details`` in the documentation. ``also`` adds the
    findings of a function for what the same options receive from elsewhere (a disko
    layout's LUKS settings); ``details`` should say what it looks at."""
    listing = "\n".join(f"- {c.describe()}" for c in checks)
    intro = (details.strip() + "\n\n") if details else ""

    def check_host(ctx: HostContext) -> Iterator[Hit]:
        for check in checks:
            yield from run_check(ctx, registered, check, why, fix)
        if also is not None:
            yield from also(ctx)

    registered = register(
        Rule(
            code,
            name,
            category,
            severity,
            confidence,
            summary,
            f"{_cleandoc(intro)}\n\nFlags:\n{listing}".strip() if intro else f"Flags:\n{listing}",
            rationale=rationale,
            remediation=remediation,
            caveat=caveat,
            cwe=cwe,
            references=references,
            bad=bad,
            good=good,
            check=check_host,
        )
    )
    return registered


def _cleandoc(text: str) -> str:
    import inspect

    return inspect.cleandoc(text)
