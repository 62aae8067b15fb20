"""Values of the partial evaluator.

Known Nix values map onto Python where that is exact: ``int``, ``float``, ``bool``,
``None`` (null) and ``str``. Everything else is one of the classes below. Anything the
evaluator cannot know is an :class:`Unknown` that says why and where.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from nixlint.evaluate.context import STATE, replay
from nixlint.span import Span

if TYPE_CHECKING:
    from tree_sitter import Node

    from nixlint.evaluate.evaluator import Evaluator
    from nixlint.parse import SourceFile

#: The longest string and the longest list nixlint tracks (longer ones are Unknown).
MAX_STRING = 1 << 20
MAX_LIST = 200_000


class Unknown:
    """A value nixlint cannot know statically, with the reason and where it arose."""

    __slots__ = ("reason", "span")

    def __init__(self, reason: str, span: Span | None = None) -> None:
        self.reason = reason
        self.span = span

    def __repr__(self) -> str:
        return f"Unknown({self.reason!r})"

    def describe(self) -> str:
        where = f" ({self.span.short})" if self.span else ""
        return f"{self.reason}{where}"


class Failure(Unknown):
    """An evaluation error: Nix stops here (``throw``, a failed assertion, a type error, a
    missing attribute…), or may stop here depending on what nixlint cannot see.

    Other Unknowns stand for values that exist (well-typed, not failing) but are not visible
    statically, and operators may look past them (``unknown && false`` is false). A failure
    is never looked past: the expression that forces it fails too.
    """

    __slots__ = ()


def caused_by(reason: str, cause: Unknown, span: Span | None = None) -> Unknown:
    """A new Unknown because of ``cause``: a failure stays a failure."""
    kind = Failure if isinstance(cause, Failure) else Unknown
    return kind(reason, span or cause.span)


def first_unknown(*values: object) -> Unknown | None:
    """The first failure among ``values``, else the first Unknown, else None."""
    found: Unknown | None = None
    for value in values:
        if isinstance(value, Failure):
            return value
        if found is None and isinstance(value, Unknown):
            found = value
    return found


class Opaque(Unknown):
    """A named value from outside the scanned files (``pkgs.hello``, ``config.x`` before the
    host is known, a module argument). Selecting from it extends the name."""

    __slots__ = ("label",)

    def __init__(self, label: str, span: Span | None = None) -> None:
        super().__init__(f"{label} is not known statically", span)
        self.label = label

    def select(self, name: str, span: Span | None = None) -> Opaque:
        return Opaque(f"{self.label}.{name}", span or self.span)

    def out_path(self) -> Value | None:
        """What ``"${value}"`` interpolates when it is known (a flake's ``self``)."""
        return None


class StoreCopy(Unknown):
    """The store path a local file or directory is copied to when interpolated
    (``"${./dir}"``, ``"${self}"``): unknown as a string, but its files are ``source``'s."""

    __slots__ = ("source",)

    def __init__(self, source: str, span: Span | None = None) -> None:
        super().__init__(f"store path of {source} (copied when interpolated)", span)
        self.source = source


class PartialString(Unknown):
    """A string with some parts unknown; the known parts are kept in order."""

    __slots__ = ("parts",)

    def __init__(self, parts: tuple[str | Unknown, ...], span: Span | None = None) -> None:
        first = next(p for p in parts if isinstance(p, Unknown))
        super().__init__(f"string with an unknown part: {first.reason}", span or first.span)
        self.parts = parts

    @property
    def known_text(self) -> str:
        """The known parts joined, with ``…`` where an unknown part stands."""
        return "".join(p if isinstance(p, str) else "…" for p in self.parts)

    @property
    def local_path(self) -> str | None:
        """The local file this string names when it is a store copy's path followed by
        known text (``"${self}/hosts/web"``): the copy holds the same files."""
        first, rest = self.parts[0], self.parts[1:]
        if isinstance(first, StoreCopy) and all(isinstance(p, str) for p in rest):
            return first.source + "".join(rest)  # type: ignore[arg-type]
        return None


class ConfigRef(Opaque):
    """``config.a.b`` inside a module: resolved against the host's merged options when a
    host is being analysed, opaque otherwise."""

    __slots__ = ("path",)

    def __init__(self, path: tuple[str, ...], span: Span | None = None) -> None:
        super().__init__(".".join(("config", *path)), span)
        self.path = path

    def select(self, name: str, span: Span | None = None) -> ConfigRef:
        return ConfigRef((*self.path, name), span or self.span)


class Conditional(Unknown):
    """A value chosen by a condition nixlint cannot decide (``if``, ``optionalAttrs``…).

    To every consumer it is Unknown; the module collector splits it into two conditional
    definitions instead. ``condition`` is an unforced thunk, so that it can be evaluated
    again once the host's options are known.
    """

    __slots__ = ("condition", "otherwise", "then")

    def __init__(
        self,
        condition: Thunk,
        then: Thunk,
        otherwise: Thunk,
        reason: Unknown,
        span: Span | None = None,
    ) -> None:
        super().__init__(f"depends on a condition: {reason.reason}", span or reason.span)
        self.condition = condition
        self.then = then
        self.otherwise = otherwise


@dataclass(frozen=True, slots=True)
class Path:
    """A path value. ``external`` paths (``<nixpkgs/…>``, ``modulesPath + …``) name files
    outside the scanned tree and are never read."""

    path: str
    external: bool = False

    def __str__(self) -> str:
        return self.path


class Scope:
    """A lexical scope (``vars``) or a ``with`` scope (``with_``), chained to its parent."""

    __slots__ = ("parent", "vars", "with_")

    def __init__(
        self, vars: dict[str, Thunk], parent: Scope | None = None, with_: Thunk | None = None
    ) -> None:
        self.vars = vars
        self.parent = parent
        self.with_ = with_


class Thunk:
    """A lazily evaluated expression (or an already known value), memoised.

    A thunk is either syntax (``node`` in scope ``env`` of file ``src``), a Python
    callable ``fn`` (for values the evaluator derives, such as ``inherit (e) x``), or a
    value that is already known.
    """

    __slots__ = ("_value", "env", "ev", "fn", "node", "src", "state")

    def __init__(
        self,
        node: Node | None = None,
        env: Scope | None = None,
        src: SourceFile | None = None,
        ev: Evaluator | None = None,
    ) -> None:
        self.node = node
        self.env = env
        self.src = src
        self.ev = ev
        self.fn: Callable[[], Value] | None = None
        self._value: Value = None
        # 0 = not evaluated, 1 = evaluating (black hole), 2 = done
        self.state = 0

    @classmethod
    def of(cls, value: Value, node: Node | None = None, src: SourceFile | None = None) -> Thunk:
        thunk = cls(node, None, src)
        thunk._value = value
        thunk.state = 2
        return thunk

    @classmethod
    def lazy(
        cls, fn: Callable[[], Value], node: Node | None = None, src: SourceFile | None = None
    ) -> Thunk:
        thunk = cls(node, None, src)
        thunk.fn = fn
        return thunk

    def force(self) -> Value:
        if self.state == 2:
            return self._value
        context = STATE.context
        memo = context.memo
        if self in memo:
            # only values that read the configuration are kept here: so does the reader
            if STATE.frames:
                STATE.frames[-1] = True
            if STATE.reads:
                replay(context.deps.get(self))
            return memo[self]
        if self.state == 1:
            return Failure("infinite recursion", self.span)
        self.state = 1
        frames = STATE.frames
        frames.append(False)
        reads = STATE.reads
        recording = bool(reads)
        if recording:
            reads.append(set())
        try:
            if self.fn is not None:
                value = self.fn()
            else:
                assert self.ev is not None and self.node is not None
                value = self.ev.eval(self.node, self.env, self.src)
        except BaseException:
            self.state = 0
            frames.pop()
            if recording:
                mine = reads.pop()
                reads[-1] |= mine
            raise
        if recording:
            mine = reads.pop()
            reads[-1] |= mine
        if frames.pop():
            # read the host's configuration: remembered for this host only
            if frames:
                frames[-1] = True
            memo[self] = value
            if recording:
                context.deps[self] = mine
            self.state = 0
            return value
        self._value = value
        self.state = 2
        return value

    @property
    def shared(self) -> bool:
        """True once the value is known for every host (it did not read ``config``)."""
        return self.state == 2

    def fresh(self) -> Thunk:
        """An unevaluated copy, to evaluate the same expression again in a later phase."""
        if self.node is None or self.ev is None:
            return self
        return Thunk(self.node, self.env, self.src, self.ev)

    @property
    def evaluated(self) -> bool:
        return self.state == 2

    @property
    def span(self) -> Span | None:
        if self.node is not None and self.src is not None:
            return self.src.span(self.node)
        return None


@dataclass(slots=True)
class Attr:
    """One attribute: its value and where its name was written."""

    thunk: Thunk
    span: Span | None = None


@dataclass(slots=True)
class AttrSet:
    """An attribute set. ``dynamic`` holds attributes whose names are unknown
    (``"${name}" = …``): they are reported under the wildcard name ``*``."""

    attrs: dict[str, Attr] = field(default_factory=dict)
    dynamic: list[tuple[Unknown, Attr]] = field(default_factory=list)
    span: Span | None = None
    #: For a set nixlint models only in part (``lib``): a missing name is Unknown, not absent.
    partial: str | None = None

    def get(self, name: str) -> Thunk | None:
        attr = self.attrs.get(name)
        return attr.thunk if attr is not None else None

    def __contains__(self, name: str) -> bool:
        return name in self.attrs

    def keys(self) -> list[str]:
        return sorted(self.attrs)

    def items(self) -> Iterator[tuple[str, Attr]]:
        for name in sorted(self.attrs):
            yield name, self.attrs[name]

    @property
    def complete(self) -> bool:
        """True when every attribute name is known."""
        return not self.dynamic and self.partial is None


@dataclass(slots=True)
class PartlyKnownSet(AttrSet):
    """A set of which only some attributes are known and the rest may be anything
    (``unknown // { x = …; }``): as a definition, the rest may set any option below it."""


@dataclass(slots=True)
class List:
    items: list[Thunk]
    span: Span | None = None


@dataclass(slots=True)
class Lambda:
    """A Nix function written in a scanned file."""

    node: Node
    env: Scope
    src: SourceFile

    @property
    def span(self) -> Span:
        return self.src.span(self.node)

    def formals(self) -> list[tuple[str, bool]] | None:
        """The names the function's set pattern asks for, each with whether it has a
        default; None for a function of one plain argument (``x: …``)."""
        formals = self.node.child_by_field_name("formals")
        if formals is None:
            return None
        found: list[tuple[str, bool]] = []
        for formal in formals.children_by_field_name("formal"):
            name = formal.child_by_field_name("name")
            if name is not None:
                found.append(
                    (self.src.text(name), formal.child_by_field_name("default") is not None)
                )
        return found


@dataclass(slots=True)
class Builtin:
    """A function nixlint models in Python, possibly partially applied."""

    name: str
    arity: int
    fn: Callable[..., Value]
    args: tuple[Thunk, ...] = ()


# -- module-system markers (what nixpkgs' lib produces as attrsets with a ``_type``) --


@dataclass(slots=True)
class MkIf:
    condition: Thunk
    content: Thunk


@dataclass(slots=True)
class MkMerge:
    contents: list[Thunk]


@dataclass(slots=True)
class MkOverride:
    priority: int
    content: Thunk


@dataclass(slots=True)
class MkOrder:
    priority: int
    content: Thunk


@dataclass(slots=True)
class OptionDecl:
    """``mkOption { … }`` / ``mkEnableOption …``: an option declaration."""

    default: Thunk | None
    span: Span | None = None
    description: str | None = None


Value = (
    None
    | bool
    | int
    | float
    | str
    | Path
    | List
    | AttrSet
    | Lambda
    | Builtin
    | Unknown
    | MkIf
    | MkMerge
    | MkOverride
    | MkOrder
    | OptionDecl
)

MARKERS = (MkIf, MkMerge, MkOverride, MkOrder, OptionDecl)


def type_name(value: Value) -> str:
    """The name ``builtins.typeOf`` gives (markers are attribute sets in Nix)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int):
        return "int"
    if isinstance(value, float):
        return "float"
    if isinstance(value, str):
        return "string"
    if isinstance(value, Path):
        return "path"
    if isinstance(value, List):
        return "list"
    if isinstance(value, (Lambda, Builtin)):
        return "lambda"
    if isinstance(value, Unknown):
        return "unknown"
    return "set"


def is_known(value: Any) -> bool:
    return not isinstance(value, Unknown)
