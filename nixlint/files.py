"""Files: finding the ``.nix`` files of a scan, and reading and parsing them once.

A :class:`FileStore` reads only inside the scan's roots, lets an editor's unsaved buffers
take precedence over the disk, records what each piece of work read (what a cached result
depends on) and fingerprints it.
"""

from __future__ import annotations

import hashlib
import os
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from functools import lru_cache
from typing import TYPE_CHECKING

from nixlint.config import CONFIG_FILES
from nixlint.parse import SourceFile, parse

if TYPE_CHECKING:
    from nixlint.workspace import Session

#: Directories never descended into.
SKIP_DIRS = frozenset(
    {".git", ".hg", ".svn", "node_modules", ".direnv", "result", ".venv", "__pycache__"}
)


@lru_cache(maxsize=4096)
def _real_dir(directory: str) -> str:
    return os.path.realpath(directory)


def real(path: str) -> str:
    """``os.path.realpath``, remembered (it stats every component of every path)."""
    return _real(os.path.abspath(path))  # the working directory may change between calls


@lru_cache(maxsize=1 << 16)
def _real(path: str) -> str:
    head, tail = os.path.split(path)
    full = os.path.join(_real_dir(head), tail)
    return os.path.realpath(full) if os.path.islink(full) else full


def read_file(path: str) -> bytes | None:
    """A file's bytes, or None when it cannot be read."""
    try:
        with open(path, "rb") as handle:
            return handle.read()
    except OSError:
        return None


class Listings:
    """What :func:`discover` found, kept between a session's analyses with the
    modification times it depends on: every directory walked (a file added, removed or
    renamed changes it) and every configuration file that may say what is excluded, in
    those directories and above them. A walk of a large repository is then a few
    thousand ``stat`` calls rather than a listing of every directory. What changed in the
    last second is not trusted (:data:`RACY_NS`)."""

    def __init__(self) -> None:
        self.known: dict[object, tuple[list[str], dict[str, tuple[int, int]]]] = {}

    def get(self, key: object) -> list[str] | None:
        known = self.known.get(key)
        if known is None:
            return None
        found, stamps = known
        if any(stamp[0] == -2 or _stamp(path) != stamp for path, stamp in stamps.items()):
            del self.known[key]
            return None
        return list(found)


#: A file changed this recently may change again within the same tick of the file
#: system's clock without its time moving: its stamp is not trusted (nanoseconds).
RACY_NS = 1_000_000_000


def _stamp(path: str) -> tuple[int, int]:
    """(modification time, size) of ``path``; (-1, -1) when it is missing, and (-2, -2),
    which no later stamp equals, when it changed too recently to be sure of."""
    try:
        found = os.stat(path)
    except OSError:
        return (-1, -1)
    if time.time_ns() - found.st_mtime_ns < RACY_NS:
        return (-2, -2)
    return (found.st_mtime_ns, found.st_size)


def discover(
    paths: Iterable[str],
    exclude: Callable[[str], bool] | None = None,
    listings: Listings | None = None,
    key: object = None,
) -> list[str]:
    """Every ``.nix`` file under ``paths`` (files given explicitly are kept whatever their
    name), as real absolute paths, sorted, without duplicates. Symbolic links to files are
    followed; links to directories are not descended into. ``exclude`` names files and
    directories to leave out. With ``listings``, an earlier answer for the same paths and
    ``key`` (what the exclusions depend on besides configuration files) is reused while
    nothing it depends on has changed."""
    paths = list(paths)
    memo_key = (tuple(paths), key)
    if listings is not None:
        known = listings.get(memo_key)
        if known is not None:
            return known
    stamps: dict[str, tuple[int, int]] | None = {} if listings is not None else None
    found: set[str] = set()
    for given in paths:
        path = real(given)
        if stamps is not None:
            _stamp_above(path, stamps)
        if exclude is not None and exclude(path):
            continue
        if os.path.isfile(path):
            found.add(path)
        elif os.path.isdir(path):
            _walk(path, found, exclude, stamps)
    result = sorted(found)
    if listings is not None and stamps is not None:
        listings.known[memo_key] = (result, stamps)
    return result


def _stamp_above(path: str, stamps: dict[str, tuple[int, int]]) -> None:
    """Stamp the configuration files (present or not) of the directories above ``path``."""
    directory = os.path.dirname(path)
    while True:
        for name in CONFIG_FILES:
            candidate = os.path.join(directory, name)
            stamps[candidate] = _stamp(candidate)
        parent = os.path.dirname(directory)
        if parent == directory:
            return
        directory = parent


def _walk(
    directory: str,
    found: set[str],
    exclude: Callable[[str], bool] | None,
    stamps: dict[str, tuple[int, int]] | None = None,
) -> None:
    try:
        if stamps is not None:
            stamps[directory] = _stamp(directory)  # before listing: a change after shows
        entries = list(os.scandir(directory))
    except OSError:
        return
    for entry in entries:
        name = entry.name
        if stamps is not None and name in CONFIG_FILES:
            stamps[entry.path] = _stamp(entry.path)
        try:
            if entry.is_dir(follow_symlinks=False):
                if name in SKIP_DIRS or name.startswith("result-"):
                    continue
                if exclude is None or not exclude(entry.path):
                    _walk(entry.path, found, exclude, stamps)
            elif name.endswith(".nix"):
                if exclude is not None and exclude(entry.path):
                    continue
                if entry.is_symlink():
                    target = os.path.realpath(entry.path)
                    if os.path.isfile(target):
                        found.add(target)
                else:
                    found.add(entry.path)
        except OSError:
            continue


#: Bytes of text whose trees a workspace keeps from its first look at every file.
PEEK_BUDGET = 1024 * 1024


class FileStore:
    """Parsed files by absolute path; reads only inside the allowed roots.

    ``overlays`` take precedence over the disk: a file's unsaved text, or a file an editor
    has already parsed (a :class:`SourceFile` for that path, reused as it is)."""

    def __init__(
        self,
        roots: Iterable[str],
        overlays: Mapping[str, bytes | SourceFile] | None = None,
        session: Session | None = None,
    ) -> None:
        self.session = session
        self.roots = [real(r) for r in roots]
        self.overlays = {real(k): v for k, v in (overlays or {}).items()}
        self._files: dict[str, SourceFile | None] = {}
        self._data: dict[str, bytes | None] = {}
        self._fingerprints: dict[str, str] = {}
        #: sets that record every file and directory read (what a result depends on)
        self.recorders: list[set[str]] = []
        #: seconds spent parsing each file
        self.parse_seconds: dict[str, float] = {}
        self._peeked = 0

    def allowed(self, path: str) -> bool:
        for root in self.roots:
            if path == root or path.startswith(root.rstrip(os.sep) + os.sep):
                return True
        return False

    def _touch(self, path: str) -> None:
        for recorder in self.recorders:
            recorder.add(path)

    @contextmanager
    def recording(self) -> Iterator[set[str]]:
        """Collect the paths read while the block runs."""
        seen: set[str] = set()
        self.recorders.append(seen)
        try:
            yield seen
        finally:
            # by identity: two recorders holding the same paths are equal sets
            for index in range(len(self.recorders) - 1, -1, -1):
                if self.recorders[index] is seen:
                    del self.recorders[index]
                    break

    def data(self, path: str) -> bytes | None:
        """A file's bytes (its unsaved text when an editor has it), inside the roots only."""
        path = real(path)
        if path in self._data:
            return self._data[path]
        data: bytes | None = None
        if self.allowed(path):
            overlay = self.overlays.get(path)
            if isinstance(overlay, SourceFile):
                data = overlay.data
            elif overlay is not None:
                data = overlay
            else:
                data = self._read(path)
        self._data[path] = data
        return data

    def _read(self, path: str) -> bytes | None:
        """A file's bytes from the disk; in a session, read again only when its time or
        size changed (or the editor said it did: :meth:`Session.changed`)."""
        session = self.session
        if session is None:
            return read_file(path)
        stamp = _stamp(path)
        known = session.disk.get(path)
        if known is not None and stamp[0] != -2 and known[0] == stamp:
            return known[1]
        data = read_file(path)
        session.disk[path] = (stamp, data)
        return data

    def get(self, path: str) -> SourceFile | None:
        path = real(path)  # as Nix does, so relative paths start from the target
        self._touch(path)
        if path in self._files:
            return self._files[path]
        src: SourceFile | None = None
        overlay = self.overlays.get(path)
        if isinstance(overlay, SourceFile) and self.allowed(path):
            src = overlay
        else:
            data = self.data(path)
            if data is not None:
                known = self.session.sources.get(path) if self.session is not None else None
                if known is not None and known.data == data:
                    src = known  # unchanged since the last analysis: its tree is still right
                else:
                    start = time.perf_counter()
                    src = parse(data, path)
                    self.parse_seconds[path] = time.perf_counter() - start
                    if self.session is not None:
                        self.session.sources[path] = src
        self._files[path] = src
        return src

    def forget(self, path: str) -> None:
        """Let a file's text and syntax tree go (a batch scan is done with it)."""
        self._files.pop(path, None)
        self._data.pop(path, None)

    def peek(self, path: str) -> SourceFile | None:
        """A file parsed for a quick look (its facts): kept for later use while the kept
        trees are small, parsed and let go beyond that (a tree takes ~30× its text)."""
        path = real(path)
        if path in self._files:
            return self._files[path]
        data = self.data(path)
        if data is None:
            return None
        if self._peeked + len(data) <= PEEK_BUDGET:
            self._peeked += len(data)
            return self.get(path)
        self._data.pop(path, None)
        return parse(data, path)

    def fingerprint(self, path: str) -> str:
        """What a result that read ``path`` depends on: its content's hash, a directory's
        listing, or that it is missing or outside the scan."""
        path = real(path)
        found = self._fingerprints.get(path)
        if found is not None:
            return found
        if not self.allowed(path):
            found = "outside"
        elif os.path.isdir(path) and path not in self.overlays:
            listing = self.list_dir(path) or {}
            found = "dir:" + _digest(repr(sorted(listing.items())).encode())
        else:
            data = self.data(path)
            found = "missing" if data is None else "file:" + self._digest_of(path, data)
        self._fingerprints[path] = found
        return found

    def _digest_of(self, path: str, data: bytes) -> str:
        """``_digest(data)``, remembered in a session for the same bytes object."""
        session = self.session
        if session is None:
            return _digest(data)
        known = session.digests.get(path)
        if known is not None and known[0] is data:
            return known[1]
        found = _digest(data)
        session.digests[path] = (data, found)
        return found

    # -- what ``builtins.readFile``, ``readDir`` and ``pathExists`` see ------------------------

    def read_bytes(self, path: str) -> bytes | None:
        """``builtins.readFile``: a file's bytes, inside the roots only."""
        path = real(path)
        self._touch(path)
        return self.data(path)

    def list_dir(self, path: str) -> dict[str, str] | None:
        """``builtins.readDir``: entry name → ``regular``, ``directory``, ``symlink``."""
        path = real(path)
        if not self.allowed(path):
            return None
        self._touch(path)
        try:
            entries = list(os.scandir(path))
        except OSError:
            return None
        listing: dict[str, str] = {}
        for entry in entries:
            if entry.is_symlink():
                listing[entry.name] = "symlink"
            elif entry.is_dir():
                listing[entry.name] = "directory"
            elif entry.is_file():
                listing[entry.name] = "regular"
            else:
                listing[entry.name] = "unknown"
        return listing

    def exists(self, path: str) -> bool | None:
        """``builtins.pathExists`` inside the roots; None outside them."""
        path = real(path)
        if not self.allowed(path):
            return None
        self._touch(path)
        return path in self.overlays or os.path.exists(path)

    def read_error(self, path: str) -> str | None:
        """Why a file cannot be read, or None."""
        try:
            with open(path, "rb"):
                return None
        except OSError as err:
            return err.strerror or str(err)


def _digest(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=20).hexdigest()
