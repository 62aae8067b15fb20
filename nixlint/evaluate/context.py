"""Which host an evaluation is for.

Modules are evaluated once and shared by every host that imports them. What a module's
values mean can still depend on the host, through ``config.…``: such a value is *tainted*
when computing it read the host's configuration. Untainted values are remembered in their
thunk, for every host; tainted ones only in the memo of the context that computed them.

One context is active at a time (evaluation is single-threaded per process).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from nixlint.evaluate.values import ConfigRef, Thunk, Value


T = TypeVar("T")


class Context:
    """The memo for tainted values, the resolver of ``config.…``, and per-host state of
    module conditions, for one host (or for no host, while modules are taken apart)."""

    __slots__ = ("conditions", "deps", "memo", "resolver")

    def __init__(self, resolver: Callable[[ConfigRef], Value] | None = None) -> None:
        self.memo: dict[Thunk, Value] = {}
        self.resolver = resolver
        self.conditions: dict[Any, Any] = {}
        #: while reads are recorded: what computing each remembered value read
        self.deps: dict[object, set[object]] = {}


class _State:
    __slots__ = ("context", "frames", "reads")

    def __init__(self) -> None:
        self.context = Context()
        #: One flag per thunk being forced: did computing it read the configuration?
        self.frames: list[bool] = []
        #: While a rule's reads are recorded (see :mod:`nixlint.reuse`): one set per
        #: computation in progress, the innermost last, of the option paths it looked up.
        #: Empty when nothing is recorded.
        self.reads: list[set[object]] = []


STATE = _State()


def taint() -> None:
    """Mark the values being computed as depending on the host's configuration."""
    frames = STATE.frames
    if frames:
        frames[-1] = True


def note(item: object) -> None:
    """Record a read (an option path, or :data:`SHAPE` and a path) if reads are recorded."""
    reads = STATE.reads
    if reads:
        reads[-1].add(item)


#: Marks a read of the names below a path, rather than of its definitions.
SHAPE = "\0names"
#: Marks a read of every defined path a filter accepts (the filter follows).
FILTER = "\0filter"


def noted(compute: Callable[[], T]) -> tuple[T, set[object]]:
    """``compute()`` and what it read, recorded whether or not an enclosing computation
    records (its reads are added to the enclosing one's)."""
    reads = STATE.reads
    mine: set[object] = set()
    reads.append(mine)
    try:
        value = compute()
    finally:
        reads.pop()
        if reads:
            reads[-1] |= mine
    return value, mine


def replay(deps: set[object] | None) -> None:
    """Count the reads behind a remembered result as the current block's own."""
    reads = STATE.reads
    if reads and deps:
        reads[-1] |= deps


@contextmanager
def active(context: Context) -> Iterator[Context]:
    """Evaluate in ``context`` (re-entrant: nested use of the active context is free)."""
    previous, frames = STATE.context, STATE.frames
    if previous is context:
        yield context
        return
    STATE.context, STATE.frames = context, []
    try:
        yield context
    finally:
        STATE.context, STATE.frames = previous, frames
