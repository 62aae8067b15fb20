"""The files of a scan: which to report on, which give context, and how they refer to
each other.

A *root* is a file that no other file of the workspace refers to by path (``flake.nix``
aside: its references are not imports). Given a few files (a pre-commit hook), the
workspace is their project — the nearest directory holding ``flake.nix``, else the git
repository — so that modules sharing a host with them count; only the given files are
reported on, and only the hosts that reach them are built.
"""

from __future__ import annotations

import hashlib
import os
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import astuple, dataclass, field
from functools import cache, lru_cache
from typing import TYPE_CHECKING

from nixlint.parse import SourceFile, SyntaxIssue, language, parse
from nixlint.span import Span

if TYPE_CHECKING:
    from nixlint.cache import Cache

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


def discover(paths: Iterable[str], exclude: Callable[[str], bool] | None = None) -> list[str]:
    """Every ``.nix`` file under ``paths`` (files given explicitly are kept whatever their
    name), as real absolute paths, sorted, without duplicates. Symbolic links to files are
    followed; links to directories are not descended into. ``exclude`` names files and
    directories to leave out."""
    found: set[str] = set()
    for given in paths:
        path = real(given)
        if exclude is not None and exclude(path):
            continue
        if os.path.isfile(path):
            found.add(path)
        elif os.path.isdir(path):
            _walk(path, found, exclude)
    return sorted(found)


def _walk(directory: str, found: set[str], exclude: Callable[[str], bool] | None) -> None:
    try:
        entries = list(os.scandir(directory))
    except OSError:
        return
    for entry in entries:
        name = entry.name
        try:
            if entry.is_dir(follow_symlinks=False):
                if name in SKIP_DIRS or name.startswith("result-"):
                    continue
                if exclude is None or not exclude(entry.path):
                    _walk(entry.path, found, exclude)
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
                try:
                    with open(path, "rb") as handle:
                        data = handle.read()
                except OSError:
                    data = None
        self._data[path] = data
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
            found = "missing" if data is None else "file:" + _digest(data)
        self._fingerprints[path] = found
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


@cache
def _path_query() -> object:
    from tree_sitter import Query

    from nixlint.grammars import query_text

    return Query(language(), query_text("paths"))


def reference_texts(src: SourceFile) -> list[str]:
    """The literal paths a source writes (``./x.nix``, ``../dir``, ``/abs``), as written."""
    root = src.root
    if root is None:
        return []
    from tree_sitter import QueryCursor

    cursor = QueryCursor(_path_query())  # type: ignore[arg-type]
    texts: list[str] = []
    for node in cursor.captures(root).get("path", []):
        if node.named_child_count != 1:
            continue  # interpolated paths are not followed here
        text = src.text(node)
        if text.startswith(("/", ".")):
            texts.append(text)
    return texts


def resolve_reference(text: str, base_file: str) -> str:
    base = os.path.dirname(base_file)
    target = os.path.normpath(text if text.startswith("/") else os.path.join(base, text))
    if os.path.isdir(target):
        target = os.path.join(target, "default.nix")
    return real(target)


def path_references(src: SourceFile) -> Iterator[str]:
    """Absolute paths of the files a source refers to with literal paths."""
    for text in reference_texts(src):
        yield resolve_reference(text, src.path)


def is_flake(path: str) -> bool:
    return os.path.basename(path) == "flake.nix"


def reference_graph(files: list[str], facts: Facts) -> dict[str, set[str]]:
    """For each file, the other files of the workspace it refers to by a literal path."""
    scanned = set(files)
    edges: dict[str, set[str]] = {}
    for path in files:
        known = facts.of(path)
        if known is None or is_flake(path):
            continue
        targets = {resolve_reference(t, path) for t in known.references}
        edges[path] = {t for t in targets if t in scanned and t != path}
    return edges


@dataclass
class FileFacts:
    """What a scan needs of a file without evaluating it: its syntax problems and the paths
    it writes. Cached by content."""

    issues: list[SyntaxIssue]
    references: list[str]

    def to_json(self) -> dict[str, object]:
        return {
            "issues": [[i.kind, i.message, *astuple(i.span)] for i in self.issues],
            "references": self.references,
        }

    @classmethod
    def from_json(cls, data: object) -> FileFacts | None:
        try:
            assert isinstance(data, dict)
            issues = [
                SyntaxIssue(kind, message, Span(*span)) for kind, message, *span in data["issues"]
            ]
            references = [str(r) for r in data["references"]]
        except (AssertionError, KeyError, TypeError, ValueError):
            return None
        return cls(issues, references)


class Facts:
    """File facts from the cache when the content is known, else from parsing."""

    def __init__(self, store: FileStore, cache: Cache | None = None) -> None:
        self.store = store
        self.cache = cache
        self._known: dict[str, FileFacts | None] = {}

    def of(self, path: str) -> FileFacts | None:
        if path in self._known:
            return self._known[path]
        found = self._compute(path)
        self._known[path] = found
        return found

    def _compute(self, path: str) -> FileFacts | None:
        data = self.store.data(path)
        if data is None:
            return None
        session = self.store.session
        if session is not None:
            known = session.facts.get(path)
            if known is not None and known[0] == data:
                return known[1]
            found = self._parse_facts(path, data)
            if found is not None:
                session.facts[path] = (data, found)
            return found
        return self._parse_facts(path, data)

    def _parse_facts(self, path: str, data: bytes) -> FileFacts | None:
        name = ""
        if self.cache is not None and path not in self.store.overlays:
            from nixlint.cache import key

            name = key("facts", path, _digest(data))
            found = FileFacts.from_json(self.cache.get("files", name))
            if found is not None:
                return found
        src = self.store.peek(path)
        if src is None:
            return None
        found = FileFacts(list(src.issues), reference_texts(src))
        if name and self.cache is not None:
            self.cache.put("files", name, found.to_json())
        return found


def find_roots(files: list[str], edges: dict[str, set[str]]) -> list[str]:
    """Files no other file refers to; files only reachable through a cycle are roots too,
    so that every file belongs to some host."""
    referenced = set().union(*edges.values()) if edges else set()
    roots = [f for f in files if f not in referenced and not is_flake(f)]
    reached: set[str] = set()
    stack = list(roots)
    while stack:
        cur = stack.pop()
        if cur in reached:
            continue
        reached.add(cur)
        stack.extend(edges.get(cur, ()))
    for path in files:
        if path not in reached and not is_flake(path):
            roots.append(path)
            stack = [path]
            while stack:
                cur = stack.pop()
                if cur not in reached:
                    reached.add(cur)
                    stack.extend(edges.get(cur, ()))
    return sorted(roots)


def _digest(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=20).hexdigest()


def project_root(path: str) -> str | None:
    """The directory of the nearest ``flake.nix`` above ``path`` inside its git repository,
    else the repository's top; None outside a repository with no flake."""
    directory = path if os.path.isdir(path) else os.path.dirname(path)
    while True:
        if os.path.isfile(os.path.join(directory, "flake.nix")):
            return directory
        if os.path.exists(os.path.join(directory, ".git")):
            return directory
        parent = os.path.dirname(directory)
        if parent == directory:
            return None
        directory = parent


@dataclass
class Workspace:
    """Targets (reported on), context files, the store that reads them, and references."""

    targets: list[str]
    files: list[str]
    store: FileStore
    edges: dict[str, set[str]] = field(default_factory=dict)
    roots: list[str] = field(default_factory=list)
    facts: Facts = field(default=None)  # type: ignore[assignment]

    def reachable(self, starts: Iterable[str]) -> set[str]:
        """Every file the ``starts`` refer to, directly or not (and the starts)."""
        seen: set[str] = set()
        stack = list(starts)
        while stack:
            cur = stack.pop()
            if cur not in seen:
                seen.add(cur)
                stack.extend(self.edges.get(cur, ()))
        return seen

    def roots_reaching(self, targets: Iterable[str]) -> list[str]:
        """The roots whose references lead to any of ``targets``."""
        wanted = set(targets)
        reaching: list[str] = []
        for root in self.roots:
            seen: set[str] = set()
            stack = [root]
            while stack:
                cur = stack.pop()
                if cur in seen:
                    continue
                if cur in wanted:
                    reaching.append(root)
                    break
                seen.add(cur)
                stack.extend(self.edges.get(cur, ()))
        return reaching


def scopes(paths: list[str]) -> list[str]:
    """Where each given path's context comes from: its project (flake or git repository);
    outside one, a directory itself, or for a file the working directory when the file is
    under it, else the file's own directory."""
    cwd = os.path.realpath(os.getcwd())
    found: list[str] = []
    for given in paths:
        full = real(given)
        project = project_root(full)
        if project is not None:
            found.append(project)
        elif os.path.isdir(full):
            found.append(full)
        elif full.startswith(cwd + os.sep):
            found.append(cwd)
        else:
            found.append(os.path.dirname(full))
    return sorted(set(found))


class Session:
    """What consecutive analyses can share when files do not change between them: parsed
    files, their facts and taken-apart modules (the language server keeps one)."""

    def __init__(self) -> None:
        self.sources: dict[str, SourceFile] = {}
        self.facts: dict[str, tuple[bytes, FileFacts]] = {}
        self.modules: object | None = None  # a hosts.ModuleCache, checked before reuse


def open_workspace(
    paths: list[str],
    overlays: dict[str, bytes] | None = None,
    exclude: Callable[[str], bool] | None = None,
    cache: Cache | None = None,
    session: Session | None = None,
) -> Workspace:
    targets = discover(paths, exclude)
    context = scopes(paths)
    files = sorted(set(discover(context, exclude)) | set(targets))
    store = FileStore(context, overlays, session)
    workspace = Workspace(targets, files, store)
    workspace.facts = Facts(store, cache)
    workspace.edges = reference_graph(files, workspace.facts)
    workspace.roots = find_roots(files, workspace.edges)
    return workspace
