"""A static ``systemd-analyze security``: the exposure score of NixOS service units.

- ``table``: systemd 252's assessor table and system-call groups, as data;
- ``unit``: unit settings read the way systemd reads them, and what loading implies;
- ``assess``: each check's badness and the exposure score;
- ``render``: ``serviceConfig`` written the way NixOS writes unit files;
- ``ranges``: the range of scores when some settings are not known;
- ``improve``: the settings that would lower a score most;
- ``nixos``: ``systemd.services.<name>`` read from a host's option graph;
- ``report``: per-service reports, for ``nixlint services`` and rule NIX303.

See ``docs/systemd.md``. Importing the package (or :mod:`~nixlint.systemd.nixos`, which
the sandboxing rules use) loads none of the tables: they are read when a service is scored.
"""

#: The systemd whose ``systemd-analyze security`` nixlint reproduces.
SYSTEMD_VERSION = "252"

__all__ = ["SYSTEMD_VERSION"]
