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
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from nixlint.evaluate.values import ConfigRef, Thunk, Value


class Context:
    """The memo for tainted values, the resolver of ``config.…``, and per-host state of
    module conditions, for one host (or for no host, while modules are taken apart)."""

    __slots__ = ("conditions", "memo", "resolver")

    def __init__(self, resolver: Callable[[ConfigRef], Value] | None = None) -> None:
        self.memo: dict[Thunk, Value] = {}
        self.resolver = resolver
        self.conditions: dict[Any, Any] = {}


class _State:
    __slots__ = ("context", "frames")

    def __init__(self) -> None:
        self.context = Context()
        #: One flag per thunk being forced: did computing it read the configuration?
        self.frames: list[bool] = []


STATE = _State()


def taint() -> None:
    """Mark the values being computed as depending on the host's configuration."""
    frames = STATE.frames
    if frames:
        frames[-1] = True


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
