"""The files of a scan: which to report on, which give context, and how they refer to
each other.

A *root* is a file that no other file of the workspace refers to by path (``flake.nix``
aside: its references are not imports). Given a few files (a pre-commit hook), the
workspace is their project — the nearest directory holding ``flake.nix``, else the git
repository — so that modules sharing a host with them count; only the given files are
reported on, and only the hosts that reach them are built.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import cache, lru_cache

from nixlint.parse import SourceFile, language, parse

#: Directories never descended into.
SKIP_DIRS = frozenset(
    {".git", ".hg", ".svn", "node_modules", ".direnv", "result", ".venv", "__pycache__"}
)


@lru_cache(maxsize=4096)
def _real_dir(directory: str) -> str:
    return os.path.realpath(directory)


@lru_cache(maxsize=1 << 16)
def real(path: str) -> str:
    """``os.path.realpath``, remembered (it stats every component of every path)."""
    head, tail = os.path.split(os.path.abspath(path))
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


class FileStore:
    """Parsed files by absolute path; reads only inside the allowed roots.

    ``overlays`` take precedence over the disk: a file's unsaved text, or a file an editor
    has already parsed (a :class:`SourceFile` for that path, reused as it is)."""

    def __init__(
        self, roots: Iterable[str], overlays: Mapping[str, bytes | SourceFile] | None = None
    ) -> None:
        self.roots = [real(r) for r in roots]
        self.overlays = {real(k): v for k, v in (overlays or {}).items()}
        self._files: dict[str, SourceFile | None] = {}
        #: files and directories read through builtins (what a cached result depends on)
        self.accessed: set[str] = set()

    def allowed(self, path: str) -> bool:
        for root in self.roots:
            if path == root or path.startswith(root.rstrip(os.sep) + os.sep):
                return True
        return False

    def get(self, path: str) -> SourceFile | None:
        path = real(path)  # as Nix does, so relative paths start from the target
        if path in self._files:
            return self._files[path]
        src: SourceFile | None = None
        if self.allowed(path):
            data = self.overlays.get(path)
            if data is None:
                try:
                    with open(path, "rb") as handle:
                        data = handle.read()
                except OSError:
                    data = None
            if isinstance(data, SourceFile):
                src = data
            elif data is not None:
                src = parse(data, path)
        self._files[path] = src
        return src

    # -- what ``builtins.readFile``, ``readDir`` and ``pathExists`` see ------------------------

    def read_bytes(self, path: str) -> bytes | None:
        """A file's bytes (its unsaved text when an editor has it), inside the roots only."""
        path = real(path)
        if not self.allowed(path):
            return None
        self.accessed.add(path)
        overlay = self.overlays.get(path)
        if isinstance(overlay, SourceFile):
            return overlay.data
        if overlay is not None:
            return overlay
        try:
            with open(path, "rb") as handle:
                return handle.read()
        except OSError:
            return None

    def list_dir(self, path: str) -> dict[str, str] | None:
        """``builtins.readDir``: entry name → ``regular``, ``directory``, ``symlink``."""
        path = real(path)
        if not self.allowed(path):
            return None
        self.accessed.add(path)
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
        self.accessed.add(path)
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


def path_references(src: SourceFile) -> Iterator[str]:
    """Absolute paths of the files a source refers to with literal paths (``./x.nix``, ``./dir``)."""
    root = src.root
    if root is None:
        return
    from tree_sitter import QueryCursor

    cursor = QueryCursor(_path_query())  # type: ignore[arg-type]
    base = os.path.dirname(src.path)
    for node in cursor.captures(root).get("path", []):
        if node.named_child_count != 1:
            continue  # interpolated paths are not followed here
        text = src.text(node)
        if text.startswith("/"):
            target = os.path.normpath(text)
        elif text.startswith("."):
            target = os.path.normpath(os.path.join(base, text))
        else:
            continue
        if os.path.isdir(target):
            target = os.path.join(target, "default.nix")
        yield real(target)


def is_flake(path: str) -> bool:
    return os.path.basename(path) == "flake.nix"


def reference_graph(files: list[str], store: FileStore) -> dict[str, set[str]]:
    """For each file, the other files of the workspace it refers to by a literal path."""
    scanned = set(files)
    edges: dict[str, set[str]] = {}
    for path in files:
        src = store.get(path)
        if src is None or is_flake(path):
            continue
        edges[path] = {t for t in path_references(src) if t in scanned and t != path}
    return edges


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


def open_workspace(
    paths: list[str],
    overlays: dict[str, bytes] | None = None,
    exclude: Callable[[str], bool] | None = None,
) -> Workspace:
    targets = discover(paths, exclude)
    context = scopes(paths)
    files = sorted(set(discover(context, exclude)) | set(targets))
    store = FileStore(context, overlays)
    workspace = Workspace(targets, files, store)
    workspace.edges = reference_graph(files, store)
    workspace.roots = find_roots(files, workspace.edges)
    return workspace
