"""Differential tests of the evaluator against Nix itself (``nix-instantiate --eval``).

Random pure expressions from fixed seeds (see ``tests/exprgen.py``) are evaluated by both.
Wherever nixlint claims a value it must be the value Nix prints; wherever Nix fails, nixlint
must not claim one. Hand-written regressions below pin the discrepancies found this way.
The whole module is skipped when ``nix-instantiate`` is not installed.
"""

from __future__ import annotations

import json
import math
import shutil
import subprocess
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import pytest

from nixlint.evaluate.evaluator import Evaluator
from nixlint.evaluate.values import Unknown
from nixlint.parse import parse
from tests.exprgen import generate

NIX = shutil.which("nix-instantiate")
if NIX is None:
    pytest.skip("nix-instantiate is not installed", allow_module_level=True)

SEEDS = range(8)
PER_SEED = 50
#: Share of the expressions Nix evaluates for which nixlint must know the value. Measured on
#: these seeds: 398 of 399 (99.7%); the bar sits a little below that.
MIN_KNOWN_SHARE = 0.98


@dataclass(frozen=True, slots=True)
class Outcome:
    expr: str
    nix_ok: bool
    #: Nix's value as JSON data, or the first line of its error.
    nix: object
    #: ``Evaluator.deep`` of nixlint's value: JSON-like data or an Unknown.
    ours: object
    parsed: bool

    @property
    def known(self) -> bool:
        return not isinstance(self.ours, Unknown)


def nix_eval(expr: str) -> tuple[bool, object]:
    """(True, value) or (False, error) from ``nix-instantiate --eval --strict --json``."""
    assert NIX is not None
    # A leading newline keeps an expression such as "-1" from being read as an option.
    proc = subprocess.run(
        [NIX, "--eval", "--strict", "--json", "--readonly-mode", "-E", "\n" + expr],
        capture_output=True,
        timeout=120,
        check=False,
    )
    if proc.returncode != 0:
        lines = proc.stderr.decode("utf-8", "replace").strip().splitlines()
        return False, lines[0] if lines else f"exit status {proc.returncode}"
    # Nix strings are bytes; a string that is not UTF-8 must not match any nixlint string.
    return True, json.loads(proc.stdout.decode("utf-8", "surrogateescape"))


def nixlint_eval(expr: str) -> tuple[bool, object]:
    """(parsed without syntax issues, deep value) for one expression."""
    src = parse(expr.encode(), "/differential/expr.nix")
    evaluator = Evaluator()
    return src.ok, evaluator.deep(evaluator.eval_file(src))


def same(nix: object, ours: object) -> bool:
    """Equal as Nix prints values: floats with 6 significant digits, 2.0 printed as 2."""
    if isinstance(nix, bool) or isinstance(ours, bool):
        return type(nix) is type(ours) and nix == ours
    if isinstance(nix, (int, float)) and isinstance(ours, (int, float)):
        if isinstance(nix, int) and isinstance(ours, int):
            return nix == ours
        return math.isclose(nix, ours, rel_tol=1e-5, abs_tol=1e-9)
    if isinstance(nix, list) and isinstance(ours, list):
        return len(nix) == len(ours) and all(same(a, b) for a, b in zip(nix, ours, strict=True))
    if isinstance(nix, dict) and isinstance(ours, dict):
        return nix.keys() == ours.keys() and all(same(nix[k], ours[k]) for k in nix)
    return type(nix) is type(ours) and nix == ours


@pytest.fixture(scope="module")
def outcomes() -> list[Outcome]:
    exprs = [e for seed in SEEDS for e in generate(seed, PER_SEED)]
    with ThreadPoolExecutor(4) as pool:
        from_nix = pool.map(nix_eval, exprs)
        ours = [nixlint_eval(e) for e in exprs]
        results = list(from_nix)
    return [
        Outcome(expr, nix_ok, nix, value, parsed)
        for expr, (nix_ok, nix), (parsed, value) in zip(exprs, results, ours, strict=True)
    ]


def _show(items: list[Outcome]) -> str:
    return "\n\n".join(f"{o.expr}\n  nix:     {o.nix!r}\n  nixlint: {o.ours!r}" for o in items[:5])


def test_generated_expressions_parse(outcomes: list[Outcome]) -> None:
    unparsed = [o for o in outcomes if not o.parsed]
    assert not unparsed, "nixlint found syntax issues in:\n" + _show(unparsed)
    # The generator aims at type-correct expressions with a few deliberate errors.
    failed = sum(not o.nix_ok for o in outcomes)
    assert 0.03 * len(outcomes) <= failed <= 0.3 * len(outcomes)


def test_known_values_are_nix_values(outcomes: list[Outcome]) -> None:
    wrong = [o for o in outcomes if o.nix_ok and o.known and not same(o.nix, o.ours)]
    assert not wrong, "nixlint and Nix disagree on:\n" + _show(wrong)


def test_no_value_where_nix_fails(outcomes: list[Outcome]) -> None:
    claimed = [o for o in outcomes if not o.nix_ok and o.known]
    assert not claimed, "nixlint claims a value where Nix fails:\n" + _show(claimed)


def test_known_share(outcomes: list[Outcome]) -> None:
    evaluated = [o for o in outcomes if o.nix_ok]
    known = [o for o in evaluated if o.known]
    agreed = [o for o in known if same(o.nix, o.ours)]
    failed = len(outcomes) - len(evaluated)
    print(
        f"\ndifferential: {len(outcomes)} expressions; Nix evaluates {len(evaluated)}: nixlint "
        f"known {len(known)} ({len(known) / len(evaluated):.1%}), agreed {len(agreed)}, "
        f"unknown {len(evaluated) - len(known)}; Nix fails {failed}: nixlint unknown "
        f"{sum(not o.known for o in outcomes if not o.nix_ok)}"
    )
    assert len(known) >= MIN_KNOWN_SHARE * len(evaluated), _show(
        [o for o in evaluated if not o.known]
    )


def test_generator_is_deterministic() -> None:
    assert generate(3, 20) == generate(3, 20)
    assert generate(3, 20) != generate(4, 20)


# -- regressions: discrepancies the differential run found, and their neighbours -------------

FAILS = object()


@dataclass(frozen=True, slots=True)
class Case:
    expr: str
    #: What Nix gives: JSON data, or FAILS.
    expected: object
    #: nixlint may answer Unknown (the case is not modelled), but never a wrong value.
    unknown_ok: bool = False


REGRESSIONS = [
    # Escaped text in indented strings is stripped like literal text: after ''\n the next
    # line's indentation goes, and an escaped space at a line start sets the indentation.
    Case("''\n  a''\\n  b\n''", "a\nb\n"),
    Case("''\n  x''\\t''\\\n  y\n''", "x\t\ny\n"),
    Case("''\n   a\n''\\ b\n''", "   a\n b\n"),
    # A raw carriage return in a "…" string reads as a newline.
    Case('"a\rb\r\nc"', "a\nb\nc"),
    # Failures are never looked past by short-circuiting operators and builtins.
    Case('({ a ? 1 }: 2) (throw "x")', FAILS),
    Case("(1 / 0) || true", FAILS),
    Case('(throw "x") && false', FAILS),
    Case('(if throw "c" then true else true) || true', FAILS),
    Case("(assert zzz; true) || true", FAILS),
    # An assertion nixlint cannot decide is not assumed to hold.
    Case('assert builtins.replaceStrings [ "" ] [ "-" ] "é" == "x"; 13', FAILS),
    Case('builtins.elem 1 [ (throw "x") 1 ]', FAILS),
    Case('builtins.elem 1 [ 1 (throw "x") ]', True),
    Case('[ (throw "x") 1 ] == [ 2 3 ]', FAILS),
    Case('[ 1 (throw "x") ] == [ 2 3 ]', False),
    Case('[ (throw "x") ] == [ 1 2 ]', False),
    Case('assert { x = 17; y = throw "x"; } == { x = 7; y = 1; }; 1', FAILS),
    Case('{ a = throw "x"; } == { a = 1; b = 2; }', False),
    Case('builtins.any (x: x) [ (throw "x") true ]', FAILS),
    Case('builtins.concatStringsSep (throw "x") [ "a" ]', FAILS),
    Case("builtins.filter 1 [ ]", FAILS),
    Case('builtins.foldl\' (acc: x: if x == 1 then throw "e" else 5) 0 [ 1 2 ]', FAILS),
    Case('builtins.seq (throw "x") 1', FAILS),
    Case('builtins.length (builtins.sort (a: b: true) [ (throw "x") ])', FAILS),
    Case('builtins.length [ (throw "x") ]', 1),
    Case("(x: 2) (builtins.head [ ])", 2),
    # Dynamic attribute names: evaluated with the set, never merged, not in `rec` scope.
    Case('{ ${"a" + ""} = 1; a = 2; }', FAILS),
    Case('rec { ${"a" + ""} = 1; b = a; }.b', FAILS),
    Case('{ ${throw "x"} = 1; b = 2; }.b', FAILS),
    Case('{ a.${throw "x"} = 1; b = 2; }.b', 2),
    Case('let ${"a" + ""} = 1; in 2', FAILS),
    Case('let ${"a"} = 1; in a', 1),
    Case('rec { a.${b} = 1; b = "x"; }', {"a": {"x": 1}, "b": "x"}),
    # Set literals merged with attrpaths, in parentheses or `rec`; a literal merged second
    # keeps only its static attributes; an attribute defined twice is an error.
    Case("{ a = ({ b = 1; }); a.c = 2; }", {"a": {"b": 1, "c": 2}}),
    Case("{ a.c = 2; a = rec { b = 1; }; }", {"a": {"b": 1, "c": 2}}),
    Case("{ a = rec { b = 1; }; a.c = 2; }", {"a": {"b": 1, "c": 2}}, unknown_ok=True),
    Case('{ a.b = 1; a = { ${"c" + ""} = 2; d = 3; }; }', {"a": {"b": 1, "d": 3}}),
    Case('{ a = { ${"c" + ""} = 2; d = 3; }; a.b = 1; }', {"a": {"b": 1, "c": 2, "d": 3}}),
    Case("{ a = 1; a = 2; }", FAILS),
    Case("{ a.b = 1; a = 2; }", FAILS),
    # Builtins as Nix 2.8 has them.
    Case("toString [ [ ] 1 [ 2 [ ] ] null true ]", "1 2   1"),
    Case("builtins.toJSON [ (0.1 + 0.2) 1.0 1.0e-7 ]", "[0.3,1,1e-07]"),
    Case('builtins.toJSON "a\\u0001"', '"au0001"'),
    Case('builtins.stringLength (builtins.substring 0 1 "é")', 1, unknown_ok=True),
    Case('builtins.stringLength (builtins.replaceStrings [ "" ] [ "-" ] "é")', 5, unknown_ok=True),
    Case('builtins.replaceStrings [ "" ] [ "-" ] "ab"', "-a-b-"),
    Case('{ __toString = s: "x"; a = s: s; }', "x"),
    Case("[ true ] < [ true 1 ]", True),
]


@pytest.mark.parametrize("case", [pytest.param(c, id=c.expr[:40]) for c in REGRESSIONS])
def test_regression(case: Case) -> None:
    nix_ok, nix = nix_eval(case.expr)
    if case.expected is FAILS:
        assert not nix_ok, f"Nix gives {nix!r}"
    else:
        assert nix_ok and same(nix, case.expected), f"Nix gives {nix!r}"
    parsed, ours = nixlint_eval(case.expr)
    assert parsed
    if case.expected is FAILS:
        assert isinstance(ours, Unknown), f"nixlint claims {ours!r}"
    elif isinstance(ours, Unknown):
        assert case.unknown_ok, f"nixlint does not know: {ours!r}"
    else:
        assert same(case.expected, ours), f"nixlint gives {ours!r}"
