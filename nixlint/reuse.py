"""Rule results kept from one analysis to the next in a session (the language server's).

An edit inside one value of one module changes few option paths. A rule whose reads — the
option paths it looked up, directly or through ``config.…`` while evaluating — miss every
changed path would find exactly what it found before, so its findings are kept; the other
rules run again. Whatever a rule finds already computed — a resolution, a value that
read ``config``, a condition — comes with the reads that computing it made, which count
as the rule's own.

Listing the names under a path is a read of its own: a patch changes it only where the
edited value gains or loses names.

A host is compared with its previous run module by module: every module must be the same
object, or a patch of the previous one (:mod:`nixlint.patch`) that says which paths it
changed. Anything else runs every rule again.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from nixlint.evaluate.context import FILTER, SHAPE
from nixlint.modules import WILDCARD, Module, OptionPath

if TYPE_CHECKING:
    from nixlint.scan import Record


@dataclass
class RuleRun:
    """One rule's findings on a host, the option paths whose definitions it read (by
    first component) and those whose names below it listed."""

    records: list[Record]
    reads: dict[str, list[OptionPath]]
    shapes: frozenset[OptionPath]
    #: filters of defined paths it asked for (see ``OptionGraph.paths_where``)
    filters: tuple[Callable[[OptionPath], bool], ...] = ()
    everything: bool = False

    @classmethod
    def of(cls, records: list[Record], reads: Iterable[object]) -> RuleRun:
        """From the reads :func:`nixlint.evaluate.context.noted` collected."""
        heads: dict[str, list[OptionPath]] = {}
        shapes: set[OptionPath] = set()
        filters: list[Callable[[OptionPath], bool]] = []
        everything = False
        for read in reads:
            assert isinstance(read, tuple)
            if not read:
                everything = True
            elif read[0] == SHAPE:
                shapes.add(read[1])
            elif read[0] == FILTER:
                filters.append(read[1])
            else:
                heads.setdefault(read[0], []).append(read)
        return cls(records, heads, frozenset(shapes), tuple(filters), everything)

    def affected_by(self, change: Change) -> bool:
        if self.everything or change.everything:
            return True
        if not self.shapes.isdisjoint(change.reshaped):
            return True
        for keep in self.filters:
            if any(keep(path) for path in change.values if path):
                return True
        for path in change.values:
            if not path or path[0] == WILDCARD:
                return True
            for read in (*self.reads.get(path[0], ()), *self.reads.get(WILDCARD, ())):
                if related(read, path):
                    return True
        return False


@dataclass
class Change:
    """What differs between two builds of a host: paths whose definitions changed (their
    enclosing sets' values with them) and paths whose names below changed."""

    values: set[OptionPath] = field(default_factory=set)
    reshaped: set[OptionPath] = field(default_factory=set)
    everything: bool = False


def related(a: OptionPath, b: OptionPath) -> bool:
    """True when one path is a prefix of the other (``*`` standing for any name)."""
    return all(x in (y, WILDCARD) or y == WILDCARD for x, y in zip(a, b, strict=False))


@dataclass
class HostRun:
    """What the rules found on one host, for the modules it was built from."""

    modules: tuple[Module, ...]
    rules: dict[str, RuleRun] = field(default_factory=dict)


def changes(previous: tuple[Module, ...], modules: list[Module]) -> Change:
    """What differs between two builds of a host (everything, unless each module is the
    same or a patch of the one before)."""
    if len(previous) != len(modules):
        return Change(everything=True)
    change = Change()
    for old, new in zip(previous, modules, strict=True):
        if new is old:
            continue
        if new.previous is not old or new.changed is None or new.reshaped is None:
            return Change(everything=True)
        change.values |= new.changed
        change.reshaped |= new.reshaped
    return change


#: Hosts whose last run a session keeps (the least recently built are let go).
MAX_HOSTS = 256


class RuleMemo:
    """The last run of each host of a session, by host and rule selection."""

    def __init__(self) -> None:
        self.hosts: dict[object, HostRun] = {}
        #: rules re-run and reused in the last host run (for tests and benchmarks)
        self.last: tuple[list[str], list[str]] = ([], [])

    def reusable(self, key: object, modules: list[Module]) -> tuple[HostRun, Change]:
        """The previous run of the host ``key`` and what changed since."""
        before = self.hosts.get(key)
        if before is None:
            return HostRun(()), Change(everything=True)
        return before, changes(before.modules, modules)

    def keep(self, key: object, run: HostRun) -> None:
        self.hosts.pop(key, None)
        self.hosts[key] = run
        while len(self.hosts) > MAX_HOSTS:
            del self.hosts[next(iter(self.hosts))]
