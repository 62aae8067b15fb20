"""Parts of nixpkgs' ``lib`` that are simplest written in Nix, evaluated by nixlint's own
evaluator and added to its ``lib`` (the definitions follow nixpkgs' documented behaviour).

The prelude is parsed and evaluated the first time one of its functions is used (most runs
use none): :data:`NAMES` lists what it defines, so that ``lib`` knows the names before.
"""

from __future__ import annotations

from nixlint.evaluate.values import AttrSet, Value

#: The functions the prelude defines (a test keeps this equal to what it evaluates to).
NAMES = (
    "composeExtensions",
    "composeManyExtensions",
    "extends",
    "toFunction",
    "pipe",
    "concatMapAttrs",
    "attrsToList",
    "foldlAttrs",
    "findFirst",
    "zipListsWith",
    "mapNullable",
    "remove",
    "optionalNull",
    "mapAttrsRecursive",
    "filterAttrsRecursive",
    "mergeAttrs",
    "listFilesRecursive",
)

#: Prelude functions that nixpkgs keeps in a part of ``lib`` rather than at its top.
NESTED = {"listFilesRecursive": "filesystem"}

PRELUDE = b"""
{ lib }:
rec {
  composeExtensions = f: g: final: prev:
    let fApplied = f final prev; prev' = prev // fApplied; in fApplied // g final prev';
  composeManyExtensions = builtins.foldl' (acc: x: composeExtensions acc x) (final: prev: { });
  extends = overlay: f: final: let prev = f final; in prev // overlay final prev;
  toFunction = v: if builtins.isFunction v then v else (_: v);
  pipe = builtins.foldl' (x: f: f x);
  concatMapAttrs = f: v: lib.mergeAttrsList (lib.mapAttrsToList f v);
  attrsToList = lib.mapAttrsToList (name: value: { inherit name value; });
  foldlAttrs = f: init: set:
    builtins.foldl' (acc: name: f acc name set.${name}) init (builtins.attrNames set);
  findFirst = pred: default: list:
    let found = builtins.filter pred list; in if found == [ ] then default else builtins.head found;
  zipListsWith = f: fst: snd:
    builtins.genList (n: f (builtins.elemAt fst n) (builtins.elemAt snd n))
      (lib.min (builtins.length fst) (builtins.length snd));
  mapNullable = f: a: if a == null then a else f a;
  remove = e: builtins.filter (x: x != e);
  optionalNull = cond: value: if cond then value else null;
  mergeAttrs = x: y: x // y;
  listFilesRecursive = dir: lib.flatten (lib.mapAttrsToList (name: type:
    if type == "directory" then listFilesRecursive (dir + "/${name}") else dir + "/${name}")
    (builtins.readDir dir));
  mapAttrsRecursive = f: set:
    let
      recurse = path: builtins.mapAttrs (name: value:
        if builtins.isAttrs value then recurse (path ++ [ name ]) value else f (path ++ [ name ]) value);
    in recurse [ ] set;
  filterAttrsRecursive = pred: set:
    builtins.listToAttrs (builtins.concatMap (name:
      let v = set.${name}; in
      if pred name v then [ (lib.nameValuePair name (if builtins.isAttrs v then filterAttrsRecursive pred v else v)) ]
      else [ ]) (builtins.attrNames set));
}
"""


def prelude_functions(lib: AttrSet) -> dict[str, Value]:
    """Evaluate the prelude against ``lib`` and return its functions by name."""
    from nixlint.evaluate.evaluator import Evaluator
    from nixlint.evaluate.values import Thunk
    from nixlint.parse import parse

    ev = Evaluator(budget=1 << 40)
    fn = ev.eval_file(parse(PRELUDE, "<nixlint prelude>"))
    defs = ev.apply(fn, Thunk.of(AttrSet({"lib": _attr(lib)})))
    assert isinstance(defs, AttrSet)
    return {name: attr.thunk.force() for name, attr in defs.attrs.items()}


_evaluated: dict[str, Value] = {}


def function(lib: AttrSet, name: str) -> Value:
    """One of the prelude's functions (the prelude is evaluated against ``lib`` on first
    use, once)."""
    if not _evaluated:
        _evaluated.update(prelude_functions(lib))
    return _evaluated[name]


def _attr(value: Value):  # type: ignore[no-untyped-def]
    from nixlint.evaluate.values import Attr, Thunk

    return Attr(Thunk.of(value))
