"""What a setting may be when nixlint cannot know it for certain: markers and types shared
by the readers of a host (:mod:`~nixlint.systemd.nixos`) and the scorer
(:mod:`~nixlint.systemd.ranges`)."""

from __future__ import annotations

from nixlint.systemd.render import Scalar, Setting


class Marker:
    __slots__ = ("name",)

    def __init__(self, name: str) -> None:
        self.name = name

    def __repr__(self) -> str:
        return self.name


#: The setting is not defined (its default applies).
ABSENT = Marker("ABSENT")
#: A value nixlint cannot know (a whole setting, or one element of a list).
ANY = Marker("ANY")

Alternative = Setting | Marker | list[Scalar | Marker]
#: The values one setting may take; a known setting has exactly one.
Choice = tuple[Alternative, ...]
