"""The rule catalogue: one module per family, registered in :mod:`nixlint.rules.base`."""

from __future__ import annotations

from functools import cache


@cache
def load() -> None:
    """Import every rule family (registration happens on import)."""
    from nixlint.rules import (  # noqa: F401
        access,
        containers,
        encryption,
        isolation,
        listeners,
        network,
        sandboxing,
        secret_files,
        secrets,
        services,
        ssh,
        suppression,
        syntax,
    )
