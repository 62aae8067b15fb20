"""Scores when some settings are not known: the range of what the unit may get.

A service's settings are given as *choices*: for each key, the values it may take (a setting
under a condition nixlint cannot decide may be absent or present, an Unknown value may be
anything). Unknown values are replaced by the most and the least restrictive value of their
setting (:data:`EXTREMES`); the best and the worst score over the combinations are the range.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from nixlint.systemd.assess import Score, exposure, score
from nixlint.systemd.choices import ABSENT, ANY, Alternative, Choice, Marker
from nixlint.systemd.compose import state_of
from nixlint.systemd.render import Scalar, Setting, unit_lines
from nixlint.systemd.unit import BOOLEANS

#: For each setting, its most and its least restrictive value.
EXTREMES: dict[str, tuple[Setting, Setting]] = {
    **{key: (True, False) for key in BOOLEANS},
    "User": ("service", "root"),
    "SupplementaryGroups": ([], "wheel"),
    "ProtectHome": (True, False),
    "ProtectSystem": ("strict", False),
    "RootDirectory": ("/run/service-root", ""),
    "RootImage": ("/run/service.raw", ""),
    "CapabilityBoundingSet": ("", "~"),
    "AmbientCapabilities": ("", "~"),
    "UMask": ("0077", "0000"),
    "KeyringMode": ("private", "shared"),
    "ProtectProc": ("invisible", "default"),
    "ProcSubset": ("pid", "all"),
    "NotifyAccess": ("none", "all"),
    "Delegate": (False, True),
    "RestrictNamespaces": (True, False),
    "RestrictAddressFamilies": ("none", ""),
    "SystemCallArchitectures": ("native", ""),
    "SystemCallFilter": ("@default", ""),
    "IPAddressDeny": ("any", ""),
    "IPAddressAllow": ([], "0.0.0.0/0"),
    "IPIngressFilterPath": ("/sys/fs/bpf/service", ""),
    "IPEgressFilterPath": ("/sys/fs/bpf/service", ""),
    "DevicePolicy": ("closed", "auto"),
    "DeviceAllow": ([], "/dev/mem rw"),
    "DefaultDependencies": (True, False),
}
#: Combinations tried exhaustively; above this, each unknown is settled in turn.
MAX_COMBINATIONS = 256


@dataclass
class Inputs:
    """What nixlint knows of one service's settings."""

    name: str
    service: dict[str, Choice] = field(default_factory=dict)
    unit: dict[str, Choice] = field(default_factory=dict)
    #: Settings defined with ``mkForce`` (a priority above plain definitions).
    forced: set[str] = field(default_factory=set)
    #: Other options whose value nixlint cannot know and that change the settings.
    options: set[str] = field(default_factory=set)

    @property
    def unknown(self) -> list[str]:
        """The settings (and options) whose value is not known for certain."""
        out = {k for k, c in self.service.items() if not _fixed(c)}
        out |= {k for k, c in self.unit.items() if not _fixed(c)}
        return sorted(out | self.options)


@dataclass(frozen=True)
class Range:
    """The best and the worst score a service may get, and the settings of the worst."""

    best: Score
    worst: Score
    worst_settings: dict[str, Setting]
    worst_unit: dict[str, Setting]

    @property
    def exact(self) -> bool:
        return self.best.exposure == self.worst.exposure


def _fixed(choice: Choice) -> bool:
    return len(choice) == 1 and not _has_any(choice[0])


def _has_any(alternative: Alternative) -> bool:
    if alternative is ANY:
        return True
    return isinstance(alternative, list) and any(item is ANY for item in alternative)


def _concrete(key: str, alternative: Alternative) -> list[Alternative]:
    """The concrete values an alternative stands for."""
    if alternative is ANY:
        best, worst = EXTREMES.get(key, (ABSENT, ABSENT))
        return [best, worst]
    if isinstance(alternative, list) and any(item is ANY for item in alternative):
        best, worst = EXTREMES.get(key, ([], []))
        out: list[Alternative] = []
        for extreme in (None, best, worst):
            items: list[Scalar] = []
            for item in alternative:
                if item is not ANY:
                    items.append(item)  # type: ignore[arg-type]
                elif isinstance(extreme, list):
                    items.extend(extreme)
                elif extreme is not None:
                    items.append(extreme)
            out.append(items)
        return out
    return [alternative]


def evaluate(
    name: str,
    service: Mapping[str, Alternative],
    unit: Mapping[str, Alternative],
    live: bool = False,
) -> Score:
    """The score of one concrete combination."""
    return score(state_of(service, unit, name, live=live))


def exposure_of(
    name: str,
    service: Mapping[str, Alternative],
    unit: Mapping[str, Alternative],
    live: bool = False,
) -> int:
    """``evaluate(...).exposure``, without making the checks."""
    return exposure(state_of(service, unit, scored_name(name), live=live))


def rendered(
    service: Mapping[str, Alternative], unit: Mapping[str, Alternative]
) -> tuple[tuple[str, str, str], ...]:
    """The unit's lines as NixOS writes them (a setting that is ABSENT writes nothing)."""
    service_config = {k: v for k, v in service.items() if v is not ABSENT}
    unit_config = {k: v for k, v in unit.items() if v is not ABSENT}
    return tuple(unit_lines(service_config, unit_config))  # type: ignore[arg-type]


#: Unit names the score can depend on: a unit's name is its user with ``DynamicUser=`` and
#: no ``User=``, and only these users score differently from any other.
_SPECIAL_NAMES = frozenset({"", "0", "root", "nobody"})


def scored_name(name: str) -> str:
    """A name that scores like ``name`` in every unit (so that results are shared between
    services whose names do not matter to the score)."""
    return name if name in _SPECIAL_NAMES else "unit"


def score_range(inputs: Inputs, live: bool = False) -> Range:
    """The best and the worst score over what the unknown settings may be (remembered: the
    same settings, in many services or hosts, are scored once)."""
    return _score_range(scored_name(inputs.name), freeze(inputs.service), freeze(inputs.unit), live)


def freeze(mapping: Mapping[str, object]) -> tuple[tuple[str, object], ...]:
    """A hashable form of settings or choices (lists become tuples tagged as lists)."""
    return tuple((key, _freeze(value)) for key, value in sorted(mapping.items()))


def thaw(frozen: tuple[tuple[str, object], ...]) -> dict[str, Any]:
    return {key: _thaw(value) for key, value in frozen}


_LIST = Marker("LIST")


def _freeze(value: object) -> object:
    if isinstance(value, list):
        return (_LIST, tuple(_freeze(v) for v in value))
    if isinstance(value, tuple):
        return tuple(_freeze(v) for v in value)
    return value


def _thaw(value: object) -> object:
    if isinstance(value, tuple):
        if len(value) == 2 and value[0] is _LIST:
            return [_thaw(v) for v in value[1]]
        return tuple(_thaw(v) for v in value)
    return value


@lru_cache(maxsize=4096)
def _score_range(
    name: str,
    service_choices: tuple[tuple[str, object], ...],
    unit_choices: tuple[tuple[str, object], ...],
    live: bool,
) -> Range:
    base: dict[_Key, Alternative] = {}
    variables: list[tuple[_Key, list[Alternative]]] = []
    for section, choices in (("Service", thaw(service_choices)), ("Unit", thaw(unit_choices))):
        for key, choice in choices.items():
            values: list[Alternative] = []
            for alternative in choice:
                for concrete in _concrete(key, alternative):
                    if concrete not in values:
                        values.append(concrete)
            base[(section, key)] = values[0]
            if len(values) > 1:
                variables.append(((section, key), values))

    def sections(assign: Mapping[_Key, Alternative]) -> tuple[dict[str, Any], dict[str, Any]]:
        service = {k: v for (s, k), v in assign.items() if s == "Service"}
        unit = {k: v for (s, k), v in assign.items() if s == "Unit"}
        return service, unit

    def run(assign: Mapping[_Key, Alternative]) -> int:
        return exposure_of(name, *sections(assign), live)

    results = [(run(assign), assign) for assign in _assignments(base, variables, run)]
    best_assign = min(results, key=lambda r: r[0])[1]
    worst_assign = max(results, key=lambda r: r[0])[1]
    best = evaluate(name, *sections(best_assign), live)
    worst = evaluate(name, *sections(worst_assign), live)
    return Range(best, worst, _settings(worst_assign, "Service"), _settings(worst_assign, "Unit"))


_Key = tuple[str, str]


def _settings(assign: Mapping[_Key, Alternative], section: str) -> dict[str, Setting]:
    return {k: v for (s, k), v in assign.items() if s == section and v is not ABSENT}  # type: ignore[misc]


def _assignments(
    base: dict[_Key, Alternative],
    variables: list[tuple[_Key, list[Alternative]]],
    run: Callable[[Mapping[_Key, Alternative]], int],
) -> Iterator[dict[_Key, Alternative]]:
    total = 1
    for _, values in variables:
        total *= len(values)
    if total <= MAX_COMBINATIONS:
        for combo in itertools.product(*(values for _, values in variables)):
            yield {**base, **{key: value for (key, _), value in zip(variables, combo, strict=True)}}
        return
    # too many to try them all: settle each unknown in turn, towards the best and the worst
    for pick in (min, max):
        assign = dict(base)
        for _ in range(2):
            for key, values in variables:
                trials = [{**assign, key: value} for value in values]
                assign = pick(trials, key=run)
        yield assign
