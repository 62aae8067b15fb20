"""A static ``systemd-analyze security``: the exposure score of NixOS service units.

``table`` holds systemd's assessor table as data, ``unit`` reads unit settings the way
systemd does, ``assess`` scores them, ``render`` writes units the way NixOS does.
"""

from nixlint.systemd.table import SYSTEMD_VERSION

__all__ = ["SYSTEMD_VERSION"]
