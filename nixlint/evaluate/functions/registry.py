"""Registration of the modelled functions: :func:`define` files a function under
``builtins`` and/or ``lib``; :mod:`nixlint.evaluate.library` builds the sets from the tables.

Each function is a plain Python function of the evaluator and its argument thunks.
Arguments of the wrong type give an Unknown, never an exception. Names not modelled are
Unknown when used (``lib`` is a *partial* set).
"""

from __future__ import annotations

from collections.abc import Callable

from nixlint.evaluate.values import Builtin, Thunk, Value

Fn = Callable[..., Value]

#: ``builtins.<name>`` by name, filled by :func:`define`.
REGISTERED_BUILTINS: dict[str, Thunk] = {}
#: ``lib.<name>`` by name, filled by :func:`define`.
REGISTERED_LIB: dict[str, Thunk] = {}


def define(
    name: str, arity: int, *, builtin: bool = True, lib: bool | str = False
) -> Callable[[Fn], Fn]:
    """Register ``fn`` as ``builtins.<name>`` and/or ``lib.<name>`` (or ``lib.<lib>``)."""

    def register(fn: Fn) -> Fn:
        value = Thunk.of(Builtin(name, arity, fn))
        if builtin:
            REGISTERED_BUILTINS[name] = value
        if lib:
            REGISTERED_LIB[lib if isinstance(lib, str) else name] = value
        return fn

    return register
