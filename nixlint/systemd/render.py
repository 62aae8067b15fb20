"""Unit files the way NixOS writes them from ``systemd.services.<name>``.

NixOS (``nixos/lib/systemd-lib.nix``, ``attrsToSection``) writes one ``Key=value`` line per
setting, keys in attribute-name order; a list becomes one line per element, in order (an
empty list writes nothing); ``true``/``false`` become ``true``/``false``, ``null`` an empty
value, anything else its ``toString``.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

#: A setting's value as NixOS holds it: a scalar or a list of scalars.
Scalar = bool | int | float | str | None
Setting = Scalar | list[Scalar]


def to_option(value: Scalar) -> str:
    """``toOption``: the text of one value."""
    if value is True:
        return "true"
    if value is False:
        return "false"
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.6f}"
    return str(value)


def section_lines(settings: Mapping[str, Setting]) -> Iterator[tuple[str, str]]:
    """``(key, value)`` for each line ``attrsToSection`` writes."""
    for key in sorted(settings):
        value = settings[key]
        for item in value if isinstance(value, list) else [value]:
            yield key, to_option(item)


def unit_lines(
    service_config: Mapping[str, Setting], unit_config: Mapping[str, Setting] | None = None
) -> list[tuple[str, str, str]]:
    """``(section, key, value)`` of the settings a NixOS service unit carries."""
    lines = [("Unit", k, v) for k, v in section_lines(unit_config or {})]
    lines += [("Service", k, v) for k, v in section_lines(service_config)]
    return lines


def unit_file(
    name: str,
    service_config: Mapping[str, Setting],
    unit_config: Mapping[str, Setting] | None = None,
    description: str | None = None,
) -> str:
    """A unit file as NixOS writes it for ``systemd.services.<name>`` (the parts that matter
    to the security assessment; ``Environment=PATH`` and the markers NixOS adds do not)."""
    unit = {"Description": description or name, **(unit_config or {})}
    out = ["[Unit]"]
    out += [f"{k}={v}" for k, v in section_lines(unit)]
    out += ["", "[Service]"]
    out += [f"{k}={v}" for k, v in section_lines(service_config)]
    return "\n".join(out) + "\n"
