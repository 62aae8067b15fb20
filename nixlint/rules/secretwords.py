"""What a secret looks like: option and variable names that hold one, values that are one,
and file names of secret material. The vocabulary is data (``schema/secrets.json``)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import cache
from typing import TYPE_CHECKING

from nixlint import schema
from nixlint.evaluate.values import Path, Value

if TYPE_CHECKING:
    pass


class LazyPattern:
    """A regular expression compiled when first used: most runs never need most of the
    secrets rules' patterns (a pre-commit hook pays for every one compiled at import)."""

    __slots__ = ("_compiled", "_source")

    def __init__(self, source: str) -> None:
        self._source = source
        self._compiled: re.Pattern[str] | None = None

    @property
    def compiled(self) -> re.Pattern[str]:
        if self._compiled is None:
            self._compiled = re.compile(self._source)
        return self._compiled

    def search(self, text: str) -> re.Match[str] | None:
        return self.compiled.search(text)

    def finditer(self, text: str) -> Iterator[re.Match[str]]:
        return self.compiled.finditer(text)

    def findall(self, text: str) -> list[str]:
        return self.compiled.findall(text)


_WORDS = LazyPattern(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|[0-9]+")
_SECRET_FILE = LazyPattern(
    r"(?i)(secret|passw(or)?d|passphrase|token|api[-_]?key|private|credential|\.env$|\.key$|"
    r"\.pem$|\.p12$|\.pfx$|id_(rsa|dsa|ecdsa|ed25519)(?!\.pub)|\bpsk\b|netrc|htpasswd|"
    r"ssh_host_.*_key$|wg[-_]?key|wireguard.*key|\.kdbx$|(?:^|[/_.-])key$)"
)


@cache
def _data() -> dict[str, object]:
    return schema.data("secrets.json")


@cache
def _placeholders() -> re.Pattern[str]:
    return re.compile("|".join(_group(p) for p in _data()["placeholders"]))  # type: ignore[union-attr]


def _group(pattern: str) -> str:
    """``(?i)x`` → ``(?i:x)``: a flag that applies to one alternative only."""
    if pattern.startswith("(?i)"):
        return f"(?i:{pattern[4:]})"
    return f"(?:{pattern})"


def words(name: str) -> list[str]:
    """``adminPasswordFile`` → ``["admin", "password", "file"]``; ``DB_PASSWORD`` →
    ``["db", "password"]``."""
    return [w.lower() for w in _WORDS.findall(name)]


@cache
def _vocabulary() -> tuple[frozenset[str], frozenset[tuple[str, ...]], frozenset[str]]:
    """(secret words, secret pairs, words that make a name about something else)."""
    data = _data()
    return (
        frozenset(data["secret_words"]),  # type: ignore[arg-type]
        frozenset(tuple(p) for p in data["secret_pairs"]),  # type: ignore[union-attr]
        frozenset(data["not_secret_words"]),  # type: ignore[arg-type]
    )


#: Names judged so far (a host has many options, and hosts share most names).
_NAMED: dict[str, bool] = {}
_NAMED_MAX = 1 << 16


def names_secret(name: str) -> bool:
    """True when a name (an option's last component, an environment variable) says it holds
    a secret, and no word after that says it holds something else (a file, a URL…)."""
    found = _NAMED.get(name)
    if found is None:
        if len(_NAMED) >= _NAMED_MAX:
            _NAMED.clear()
        found = _NAMED[name] = _names_secret(name)
    return found


def _names_secret(name: str) -> bool:
    secret, pairs, other = _vocabulary()
    parts = words(name)
    end = -1
    for i, word in enumerate(parts):
        if word in secret or (i and (parts[i - 1], word) in pairs):
            end = i
    if end < 0:
        return False
    return not any(w in other for w in parts[end + 1 :])


def secret_option(path: tuple[str, ...]) -> bool:
    """True when an option path can hold a secret at all: an option (two components at
    least), not inside a set whose entries are commands, aliases or durations."""
    return len(path) >= 2 and _not_secret_parents().isdisjoint(path[:-1])


@cache
def _not_secret_parents() -> frozenset[str]:
    return frozenset(_data()["not_secret_parents"])  # type: ignore[arg-type]


def secret_literal(value: Value) -> str | None:
    """The value when it is a literal string that can be a secret (not a reference to one
    kept elsewhere: a path, an environment variable, a template placeholder)."""
    if not isinstance(value, str):
        return None
    text = value.strip()
    if len(text) < 3 or _placeholders().search(text):
        return None
    return text


def known_option(path: tuple[str, ...]) -> str | None:
    """The way to keep a secret out of the store, for options known to take one."""
    for want, alternative in _known_options().get(len(path), ()):
        if all(w in ("*", p) for w, p in zip(want, path, strict=True)):
            return alternative
    return None


def may_be_known_option(name: str) -> bool:
    """False when no option :func:`known_option` knows has this last component."""
    names = _known_names()
    return names is None or name in names


@cache
def _known_options() -> dict[int, list[tuple[tuple[str, ...], str]]]:
    """The options of ``schema/secrets.json`` (patterns, in order) by their length."""
    out: dict[int, list[tuple[tuple[str, ...], str]]] = {}
    for pattern, alternative in _data()["options"].items():  # type: ignore[union-attr]
        want = schema.split(pattern)
        out.setdefault(len(want), []).append((want, alternative))
    return out


@cache
def _known_names() -> frozenset[str] | None:
    """The last components of the known options (None: a pattern ends in ``*``)."""
    names = {want[-1] for known in _known_options().values() for want, _ in known if want}
    return None if "*" in names else frozenset(names)


def safe_file(name: str) -> bool:
    """Encrypted or public material (``.age``, ``.pub``, sops files)."""
    lower = name.lower()
    return any(lower.endswith(ext) for ext in _data()["safe_extensions"]) or "sops" in lower  # type: ignore[union-attr]


def secret_file(name: str) -> bool:
    """A file name that says it holds secret material (and is not encrypted or public)."""
    return not safe_file(name) and bool(_SECRET_FILE.search(name.rstrip("/")))


def store_path(value: Value) -> str | None:
    """The file a Nix path literal names (it is copied into the store), else None."""
    if isinstance(value, Path) and not value.external:
        return value.path
    return None
