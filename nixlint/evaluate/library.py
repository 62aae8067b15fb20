"""The functions nixlint models: Nix builtins and the parts of nixpkgs ``lib`` that modules use,
assembled into ``builtins``, ``lib`` and the top-level scope of every file.

The functions themselves live in :mod:`nixlint.evaluate.functions`, one module per theme, and
register themselves with :func:`~nixlint.evaluate.functions.registry.define` when imported.
Names not modelled are Unknown when used (``lib`` is a *partial* set).
"""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING

# the modules below are imported for their registrations
from nixlint.evaluate import files, prelude  # noqa: F401
from nixlint.evaluate.functions import (  # noqa: F401
    attrsets,
    lists,
    module_system,
    paths,
    serialise,
    strings,
    trivial,
    unmodelled,
)
from nixlint.evaluate.functions.paths import path_append
from nixlint.evaluate.functions.registry import REGISTERED_BUILTINS as _BUILTINS
from nixlint.evaluate.functions.registry import REGISTERED_LIB as _LIB
from nixlint.evaluate.values import Attr, AttrSet, Builtin, Opaque, Thunk, Unknown, Value

if TYPE_CHECKING:
    from nixlint.span import Span

_GLOBALS: dict[str, Thunk] = {}


#: Names bound at top level in every Nix file besides ``builtins`` itself.
_GLOBAL_NAMES = {
    "abort",
    "baseNameOf",
    "derivation",
    "dirOf",
    "fetchGit",
    "fetchTarball",
    "fetchTree",
    "fromTOML",
    "import",
    "isNull",
    "map",
    "placeholder",
    "removeAttrs",
    "scopedImport",
    "throw",
    "toString",
}


# -- assembling the sets ----------------------------------------------------------------------


class _Pkgs(Opaque):
    """``pkgs``: opaque, except that ``pkgs.lib`` is nixlint's ``lib``."""

    __slots__ = ()

    def select(self, name: str, span: Span | None = None) -> Value:  # type: ignore[override]
        if name == "lib" and self.label == "pkgs":
            return LIB
        return Opaque(f"{self.label}.{name}", span or self.span)


_BUILTINS["true"] = Thunk.of(True)
_BUILTINS["false"] = Thunk.of(False)
_BUILTINS["null"] = Thunk.of(None)
_BUILTINS["currentSystem"] = Thunk.of(Opaque("builtins.currentSystem"))
_BUILTINS["nixVersion"] = Thunk.of(Opaque("builtins.nixVersion"))
_BUILTINS["storeDir"] = Thunk.of(Opaque("builtins.storeDir"))

LIB = AttrSet({name: Attr(t) for name, t in _LIB.items()}, partial="lib")
for _sub in ("lists", "strings", "attrsets", "trivial", "modules", "options", "versions"):
    LIB.attrs[_sub] = Attr(Thunk.of(LIB))
LIB.attrs["types"] = Attr(Thunk.of(Opaque("lib.types")))
LIB.attrs["path"] = Attr(
    Thunk.of(
        AttrSet({"append": Attr(Thunk.of(Builtin("append", 2, path_append)))}, partial="lib.path")
    )
)
LIB.attrs["mod"] = Attr(Thunk.of(Builtin("mod", 2, lambda ev, a, b: _mod(a.force(), b.force()))))


def _mod(a: Value, b: Value) -> Value:
    from nixlint.evaluate.operators import arithmetic

    q = arithmetic("/", a, b, None)
    if isinstance(q, Unknown):
        return q
    return a - q * b  # type: ignore[operator]


BUILTINS = AttrSet({name: Attr(t) for name, t in _BUILTINS.items()}, partial="builtins")
_GLOBALS.update({name: _BUILTINS[name] for name in _GLOBAL_NAMES if name in _BUILTINS})
_GLOBALS["builtins"] = Thunk.of(BUILTINS)
for _name in ("true", "false", "null"):
    _GLOBALS[_name] = _BUILTINS[_name]
for _name, _thunk in list(_BUILTINS.items()):
    _GLOBALS.setdefault(f"__{_name}", _thunk)

#: The top-level scope of every file.
GLOBALS: dict[str, Thunk] = _GLOBALS


def pkgs_value(label: str = "pkgs") -> Opaque:
    return _Pkgs(label)


for _name in prelude.NAMES:  # evaluated when first used
    _function = Attr(Thunk.lazy(partial(prelude.function, LIB, _name)))
    _part = prelude.NESTED.get(_name)
    if _part is None:
        LIB.attrs.setdefault(_name, _function)
        continue
    if _part not in LIB.attrs:
        LIB.attrs[_part] = Attr(Thunk.of(AttrSet({}, partial=f"lib.{_part}")))
    _set = LIB.attrs[_part].thunk.force()
    assert isinstance(_set, AttrSet)
    _set.attrs[_name] = _function
