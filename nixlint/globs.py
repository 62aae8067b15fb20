"""Globs over file paths (``exclude``, ``per-file-ignores``) and over option paths
(``per-option-ignores``)."""

from __future__ import annotations

import fnmatch
import os
import re
from dataclasses import dataclass, field


def _glob_regex(pattern: str) -> re.Pattern[str]:
    """gitignore-like globs: ``*`` and ``?`` stay within a path component, ``**`` crosses
    them; a pattern without a slash matches at any depth; a directory matches what it holds."""
    text = pattern.strip()
    anchored = "/" in text.rstrip("/")
    text = text.strip("/")
    out: list[str] = []
    i = 0
    while i < len(text):
        if text.startswith("**/", i):
            out.append("(?:.*/)?")
            i += 3
        elif text.startswith("**", i):
            out.append(".*")
            i += 2
        elif text[i] == "*":
            out.append("[^/]*")
            i += 1
        elif text[i] == "?":
            out.append("[^/]")
            i += 1
        elif text[i] == "[" and "]" in text[i + 2 :]:
            end = text.index("]", i + 2)
            inner = text[i + 1 : end]
            if inner.startswith("!"):
                inner = "^" + inner[1:]
            out.append(f"[{inner.replace(chr(92), chr(92) * 2)}]")
            i = end + 1
        else:
            out.append(re.escape(text[i]))
            i += 1
    prefix = "" if anchored else "(?:.*/)?"
    return re.compile(prefix + "".join(out) + "(?:/.*)?", re.DOTALL)


@dataclass(frozen=True)
class PathGlob:
    """A glob over paths relative to ``base`` (the directory of the file that set it)."""

    pattern: str
    base: str
    regex: re.Pattern[str] = field(compare=False, repr=False)

    @classmethod
    def make(cls, pattern: str, base: str) -> PathGlob:
        if os.path.isabs(pattern):  # an absolute path is anchored at the root
            return cls(pattern, os.sep, _glob_regex(pattern))
        return cls(pattern, base, _glob_regex(pattern))

    def matches(self, path: str) -> bool:
        rel = os.path.relpath(path, self.base)
        if rel == os.curdir or rel == os.pardir or rel.startswith(os.pardir + os.sep):
            return False
        return self.regex.fullmatch(rel.replace(os.sep, "/")) is not None


def option_matches(pattern: str, option: str) -> bool:
    """``*`` matches any run of characters (dots included); a pattern without one also
    matches the options below it (``services.openssh`` covers ``services.openssh.settings``)."""
    return fnmatch.fnmatchcase(option, pattern) or fnmatch.fnmatchcase(option, pattern + ".*")
