"""What a secret looks like: option and variable names that hold one, values that are one,
and file names of secret material. The vocabulary is data (``schema/secrets.json``)."""

from __future__ import annotations

import re
from functools import cache

from nixlint import schema
from nixlint.evaluate.values import Path, Value

_WORDS = re.compile(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|[0-9]+")
_SECRET_FILE = re.compile(
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


def names_secret(name: str) -> bool:
    """True when a name (an option's last component, an environment variable) says it holds
    a secret, and no word after that says it holds something else (a file, a URL…)."""
    data = _data()
    secret = set(data["secret_words"])  # type: ignore[arg-type]
    pairs = {tuple(p) for p in data["secret_pairs"]}  # type: ignore[union-attr]
    other = set(data["not_secret_words"])  # type: ignore[arg-type]
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
    parents = set(_data()["not_secret_parents"])  # type: ignore[arg-type]
    return len(path) >= 2 and not any(part in parents for part in path[:-1])


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
    for pattern, alternative in _data()["options"].items():  # type: ignore[union-attr]
        want = schema.split(pattern)
        if len(want) == len(path) and all(w in ("*", p) for w, p in zip(want, path, strict=True)):
            return alternative  # type: ignore[no-any-return]
    return None


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
