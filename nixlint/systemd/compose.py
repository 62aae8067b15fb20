"""A unit's state put together from what each of its settings does on its own.

Ranges and suggestions score thousands of units that differ from each other in one or two
settings. Rendering each unit to lines and reading them all again repeats the same work:
each setting reads and writes only fields of its own (:func:`nixlint.systemd.unit.read`),
so what one setting's lines do is worked out once, remembered by their text, and copied
into the state of every unit that has them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import fields
from functools import lru_cache

from nixlint.systemd.choices import ABSENT, Alternative
from nixlint.systemd.render import to_option
from nixlint.systemd.unit import SETTINGS, ExecState, finish, read

#: A setting's effect: the fields it changes, and its entries in the two dict fields.
Effect = tuple[
    tuple[tuple[str, object], ...], tuple[tuple[str, bool], ...], tuple[tuple[str, bool], ...]
]

_DEFAULT = ExecState()
#: Fields compared with their default to find what a setting changed.
_FIELDS = tuple(f.name for f in fields(ExecState) if f.name not in ("name", "flags", "ip_filters"))


def state_of(
    service: Mapping[str, Alternative],
    unit: Mapping[str, Alternative],
    name: str = "unit",
    *,
    live: bool = False,
) -> ExecState:
    """``load(rendered(service, unit), name, live=live)``, from remembered effects."""
    return finish(unpatched(service, unit, name), live=live)


def unpatched(
    service: Mapping[str, Alternative], unit: Mapping[str, Alternative], name: str = "unit"
) -> ExecState:
    """``read(rendered(service, unit), name)``: the state before what loading implies."""
    state = ExecState(name=name)
    for key, value in unit.items():
        _apply(state, "Unit", key, value)
    for key, value in service.items():
        _apply(state, "Service", key, value)
    return state


def replaced(
    base: ExecState, key: str, old: Alternative, new: Alternative, *, live: bool = False
) -> ExecState:
    """The loaded state of the unit whose unpatched state is ``base`` with the service
    setting ``key`` changed from ``old`` (ABSENT: not set) to ``new``; ``base`` is left as
    it is."""
    state = ExecState.__new__(ExecState)
    state.__dict__.update(base.__dict__)
    state.flags = dict(base.flags)
    state.ip_filters = dict(base.ip_filters)
    state.device_allow = list(base.device_allow)
    found = _effect_of("Service", key, old)
    if found is not None:
        changed, flags, filters = found
        for attr, _ in changed:
            setattr(state, attr, _copy(getattr(_DEFAULT, attr)))
        for flag, _ in flags:
            del state.flags[flag]
        for direction, _ in filters:
            del state.ip_filters[direction]
    _apply(state, "Service", key, new)
    return finish(state, live=live)


def _effect_of(section: str, key: str, value: Alternative) -> Effect | None:
    if value is ABSENT or key not in SETTINGS[section]:
        return None
    if isinstance(value, list):
        if not value:
            return None
        return effect(section, key, tuple([to_option(item) for item in value]))
    return effect(section, key, (to_option(value),))  # type: ignore[arg-type]


def _apply(state: ExecState, section: str, key: str, value: Alternative) -> None:
    found = _effect_of(section, key, value)
    if found is None:
        return
    changed, flags, filters = found
    for attr, v in changed:
        setattr(state, attr, _copy(v))
    if flags:
        state.flags.update(flags)
    if filters:
        state.ip_filters.update(filters)


def _copy(value: object) -> object:
    if isinstance(value, list):
        return list(value)
    if isinstance(value, set):
        return set(value)
    return value


@lru_cache(maxsize=4096)
def effect(section: str, key: str, texts: tuple[str, ...]) -> Effect:
    """What the lines ``key=text`` (one per text, in order) change in a fresh state."""
    state = read([(section, key, text) for text in texts])
    changed = tuple(
        (attr, getattr(state, attr))
        for attr in _FIELDS
        if getattr(state, attr) != getattr(_DEFAULT, attr)
    )
    return changed, tuple(state.flags.items()), tuple(state.ip_filters.items())
