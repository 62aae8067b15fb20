"""The rule catalogue: one module per family, registered in :mod:`nixlint.rules.base`."""

from __future__ import annotations

from functools import cache


@cache
def load() -> None:
    """Import every rule family (registration happens on import)."""
    from nixlint.rules import (  # noqa: F401
        access,
        container_hosts,
        container_scripts,
        containers,
        encryption,
        fetchers,
        isolation,
        kernel,
        listeners,
        luks,
        network,
        nspawn,
        oci,
        sandboxing,
        secret_files,
        secrets,
        services,
        ssh,
        supply_chain,
        suppression,
        syntax,
    )
