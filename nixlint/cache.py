"""A content-addressed result cache under ``$XDG_CACHE_HOME/nixlint``.

Entries are keyed by what they were computed from — file contents, nixlint's own code, the
grammar version — so a stale entry is never found, only a missing one. The store is an
SQLite database (atomic writes, safe with concurrent writers); values are JSON and are
checked when read. Any trouble with the cache (unwritable, corrupted, locked) turns it off
for the run: results are then computed, never guessed.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import sqlite3
from functools import cache
from pathlib import Path

from nixlint import __version__
from nixlint.logs import LazyLogger
from nixlint.parse import GRAMMAR_PACKAGE, GRAMMAR_VERSION

log = LazyLogger("nixlint.cache")

SCHEMA = 1
FILENAME = f"cache-v{SCHEMA}.sqlite3"


def default_directory() -> str:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "nixlint")


@cache
def code_fingerprint() -> str:
    """nixlint's version, grammar, and the size and time of every file of its code and data:
    results computed by other code are never reused."""
    digest = hashlib.sha256(f"{__version__}\0{GRAMMAR_PACKAGE}\0{GRAMMAR_VERSION}".encode())
    package = Path(__file__).resolve().parent
    grammars = package / "grammars"
    roots = [package] + ([grammars.resolve()] if grammars.exists() else [])
    for root in roots:
        for path in sorted(root.rglob("*")):
            if path.suffix in (".py", ".json", ".scm") and path.is_file():
                stat = path.stat()
                digest.update(
                    f"{path.relative_to(root)}\0{stat.st_size}\0{stat.st_mtime_ns}\0".encode()
                )
    return digest.hexdigest()


def key(*parts: object) -> str:
    """A cache key from the code fingerprint and ``parts`` (JSON-serialisable)."""
    text = json.dumps([code_fingerprint(), *parts], sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


class Cache:
    """Get and put JSON values by key, in tables ``files`` and ``hosts``."""

    TABLES = ("files", "hosts")

    def __init__(self, directory: str | None = None) -> None:
        self.directory = directory or default_directory()
        self.path = os.path.join(self.directory, FILENAME)
        self._db: sqlite3.Connection | None = None
        self.enabled = True
        self.hits = 0
        self.misses = 0

    def _connect(self) -> sqlite3.Connection | None:
        if self._db is not None or not self.enabled:
            return self._db
        try:
            os.makedirs(self.directory, exist_ok=True)
            db = sqlite3.connect(self.path, timeout=10, isolation_level=None)
            db.execute("PRAGMA journal_mode=WAL")
            for table in self.TABLES:
                db.execute(f"CREATE TABLE IF NOT EXISTS {table} (key TEXT PRIMARY KEY, value TEXT)")
        except (sqlite3.Error, OSError) as err:
            self._give_up(err, reset=True)
            return None
        self._db = db
        return db

    def _give_up(self, err: Exception, reset: bool = False) -> None:
        log.warning("nixlint cache at %s is not used: %s", self.path, err)
        self.enabled = False
        if self._db is not None:
            with contextlib.suppress(sqlite3.Error):
                self._db.close()
            self._db = None
        corrupt = isinstance(err, sqlite3.DatabaseError) and not isinstance(
            err,
            sqlite3.OperationalError,  # locked or busy: not the file's fault
        )
        if reset and corrupt:
            # a file that is not a database: move it out of the way for the next run
            for suffix in ("", "-wal", "-shm"):
                with contextlib.suppress(OSError):
                    os.replace(self.path + suffix, self.path + suffix + ".corrupt")

    def get(self, table: str, name: str) -> object | None:
        db = self._connect()
        if db is None:
            return None
        try:
            row = db.execute(f"SELECT value FROM {table} WHERE key = ?", (name,)).fetchone()
        except sqlite3.DatabaseError as err:
            self._give_up(err, reset=True)
            return None
        except sqlite3.Error as err:
            self._give_up(err)
            return None
        if row is None:
            self.misses += 1
            return None
        try:
            value = json.loads(row[0])
        except (ValueError, TypeError):
            self.misses += 1
            return None
        self.hits += 1
        return value

    def put(self, table: str, name: str, value: object) -> None:
        db = self._connect()
        if db is None:
            return
        try:
            text = json.dumps(value, separators=(",", ":"))
            db.execute(f"INSERT OR REPLACE INTO {table} (key, value) VALUES (?, ?)", (name, text))
        except (TypeError, ValueError) as err:
            log.debug("not cached: %s", err)
        except sqlite3.DatabaseError as err:
            self._give_up(err, reset=True)
        except sqlite3.Error as err:
            self._give_up(err)

    def close(self) -> None:
        if self._db is not None:
            with contextlib.suppress(sqlite3.Error):
                self._db.close()
            self._db = None
