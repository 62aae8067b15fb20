"""The quick ways to an exposure (used for ranges and suggestions, which score many
combinations) give what the full assessment gives, on the golden cases and on many more
generated the same way."""

from __future__ import annotations

import random

from nixlint.systemd.assess import exposure, score
from nixlint.systemd.choices import ABSENT
from nixlint.systemd.compose import replaced, state_of, unpatched
from nixlint.systemd.improve import CANDIDATES
from nixlint.systemd.ranges import evaluate, exposure_of, rendered, scored_name
from nixlint.systemd.render import Setting
from nixlint.systemd.unit import _SERVICE, _UNIT, ExecState, _imply_private_mounts, _patch, load
from tests.test_systemd_golden import CHOICES, cases

NAMES = ("svc", "unit", "root", "0", "nobody", "", "golden-bare")


def reference_load(lines: tuple[tuple[str, str, str], ...], name: str) -> ExecState:
    """Every line through its handler, in order, as systemd reads a unit file."""
    state = ExecState(name=name)
    for section, key, value in lines:
        handler = _UNIT.get(key) if section == "Unit" else _SERVICE.get(key)
        if handler is not None:
            handler(state, value)
    _patch(state)
    return state


def many_cases() -> list[tuple[dict[str, Setting], dict[str, Setting]]]:
    out = list(cases().values())
    rng = random.Random(2024)
    keys = sorted(CHOICES)
    for _ in range(300):
        config = {key: rng.choice(CHOICES[key]) for key in rng.sample(keys, rng.randint(0, 30))}
        unit: dict[str, Setting] = {"DefaultDependencies": False} if rng.random() < 0.2 else {}
        out.append((config, unit))
    return out


def test_quick_exposure_is_the_full_score() -> None:
    """Each case, and each case with each setting a suggestion may add (what ranges and
    suggestions score), under one of the names in turn, offline and live."""
    turn = 0
    for config, unit in many_cases():
        for key, value in ((None, None), *CANDIDATES):
            service = dict(config) if key is None else {**config, key: value}
            lines = rendered(service, unit)
            turn += 1
            name, live = NAMES[turn % len(NAMES)], turn % 3 == 0
            state = load(lines, name, live=live)
            full = reference_load(lines, name)
            if live:
                _imply_private_mounts(full)
            assert state == full
            expected = score(full).exposure
            assert exposure(state) == expected
            assert exposure_of(name, service, unit, live) == expected


def test_only_some_unit_names_change_a_score() -> None:
    for config, unit in many_cases():
        for dynamic in (None, True, False):
            service = dict(config)
            if dynamic is not None:
                service["DynamicUser"] = dynamic
                service.pop("User", None)
            for name in NAMES:
                full = evaluate(name, service, unit)
                same = evaluate(scored_name(name), service, unit)
                assert full == same, name


def test_states_put_together_from_remembered_settings_are_the_loaded_states() -> None:
    """A unit's state from each setting's remembered effect, and a state with one setting
    changed from another's, are the state systemd's reading of the rendered unit gives."""
    turn = 0
    for config, unit in many_cases():
        base = unpatched(config, unit, "svc")
        for key, value in ((None, None), *CANDIDATES):
            service = dict(config) if key is None else {**config, key: value}
            turn += 1
            live = turn % 2 == 0
            expected = load(rendered(service, unit), "svc", live=live)
            assert state_of(service, unit, "svc", live=live) == expected
            if key is not None:
                old = config.get(key, ABSENT)
                assert replaced(base, key, old, value, live=live) == expected
        assert base == unpatched(config, unit, "svc")  # left as it was
