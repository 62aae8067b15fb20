"""JSON (``toJSON``, ``fromJSON``) and Python data as Nix values."""

from __future__ import annotations

import json
import math
from typing import TYPE_CHECKING

from nixlint.evaluate.functions.args import (
    arg_str,
    make_set,
)
from nixlint.evaluate.functions.registry import define
from nixlint.evaluate.values import (
    Failure,
    List,
    Path,
    Thunk,
    Unknown,
    Value,
    first_unknown,
)

if TYPE_CHECKING:
    from nixlint.evaluate.evaluator import Evaluator


@define("toJSON", 1)
def _b_to_json(ev: Evaluator, x: Thunk) -> Value:
    data = ev.deep(x.force())
    if isinstance(data, Unknown):
        return data
    return _json(data)


def _json(data: object) -> str | Unknown:
    """JSON text as Nix writes it: no spaces, floats with 6 significant digits, control
    characters other than newline, return and tab as ``\\u00XX``."""
    if isinstance(data, Path):
        return Unknown("toJSON of a path")
    if isinstance(data, float):
        return _json_float(data)
    if isinstance(data, str):
        return _json_string(data)
    if isinstance(data, list):
        parts = [_json(v) for v in data]
        unknown = first_unknown(*parts)
        return unknown or "[" + ",".join(parts) + "]"  # type: ignore[arg-type]
    if isinstance(data, dict):
        parts = [_json(v) for v in data.values()]
        unknown = first_unknown(*parts)
        if unknown:
            return unknown
        fields = [f"{_json_string(k)}:{v}" for k, v in zip(data, parts, strict=True)]
        return "{" + ",".join(fields) + "}"
    return json.dumps(data)


def _json_float(value: float) -> str | Unknown:
    if not math.isfinite(value):
        return Unknown("toJSON of a float that is not finite")
    return f"{value:g}"


_JSON_ESCAPES = {'"': '\\"', "\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _json_string(text: str) -> str:
    out = []
    for ch in text:
        escaped = _JSON_ESCAPES.get(ch)
        if escaped is None and ord(ch) < 32:
            escaped = f"\\u{ord(ch):04x}"
        out.append(escaped or ch)
    return '"' + "".join(out) + '"'


@define("fromJSON", 1)
def _b_from_json(ev: Evaluator, s: Thunk) -> Value:
    text = arg_str("fromJSON", s)
    if isinstance(text, Unknown):
        return text
    try:
        return from_python(json.loads(text))
    except (ValueError, RecursionError):
        return Failure("fromJSON: invalid JSON")


def from_python(data: object) -> Value:
    if isinstance(data, dict):
        return make_set({k: Thunk.of(from_python(v)) for k, v in data.items()})
    if isinstance(data, list):
        return List([Thunk.of(from_python(v)) for v in data])
    return data  # type: ignore[return-value]
