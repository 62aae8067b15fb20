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
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from nixlint.files import (
    PEEK_BUDGET,
    SKIP_DIRS,
    FileStore,
    Listings,
    _digest,
    discover,
    real,
)
from nixlint.parse import SourceFile, SyntaxIssue
from nixlint.span import Span

if TYPE_CHECKING:
    from nixlint.cache import Cache

__all__ = [
    "PEEK_BUDGET",
    "SKIP_DIRS",
    "FileStore",
    "Session",
    "Workspace",
    "discover",
    "is_flake",
    "open_workspace",
    "project_root",
    "real",
    "scopes",
]


def reference_texts(src: SourceFile) -> list[str]:
    """The literal paths a source writes (``./x.nix``, ``../dir``, ``/abs``), as written.

    Every Nix path has a slash: rather than visit every node of the tree, the tree is asked
    what holds each slash of the text (a path, or a string, comment or operator, whose
    other slashes are then skipped)."""
    root = src.root
    if root is None:
        return []
    data = src.data
    texts: list[str] = []
    skip = 0
    slash = data.find(b"/")
    while slash != -1:
        if slash >= skip:
            leaf = root.descendant_for_byte_range(slash, slash + 1)
            if leaf is None:
                break
            node = leaf.parent if leaf.type == "path_fragment" else leaf
            # the rest of a token (a string's text, a comment) holds no path
            skip = leaf.end_byte if leaf.child_count == 0 else slash + 1
            if node is not None and node.type == "path_expression":
                skip = max(node.end_byte, skip)
                # interpolated paths are not followed here
                if node.named_child_count == 1:
                    text = src.text(node)
                    if text.startswith(("/", ".")):
                        texts.append(text)
        slash = data.find(b"/", max(skip, slash + 1))
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
            "issues": [[i.kind, i.message, *i.span] for i in self.issues],
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
        self.rules: object | None = None  # a reuse.RuleMemo: the rules' last results
        #: flakes evaluated, with the fingerprints of the files each read
        self.flakes: dict[str, tuple[object, dict[str, str]]] = {}
        #: the files found under each scanned path (see :class:`Listings`)
        self.listings = Listings()
        #: files as last read from the disk, with their modification time and size
        self.disk: dict[str, tuple[tuple[int, int], bytes | None]] = {}
        #: content hashes, by path, for the bytes object they were computed from
        self.digests: dict[str, tuple[bytes, str]] = {}

    def changed(self, paths: Iterable[str]) -> None:
        """The editor says these files changed on the disk: read them again."""
        for path in paths:
            self.disk.pop(real(path), None)


def _listings(
    session: Session | None, exclude: Callable[[str], bool] | None
) -> tuple[Listings | None, object]:
    """A session's listings, and the key of ``exclude`` for them (a policy's bound
    ``excluded`` says what it depends on; other callables are not kept)."""
    if session is None:
        return None, None
    if exclude is None:
        return session.listings, None
    describe = getattr(getattr(exclude, "__self__", None), "exclusion_key", None)
    key = describe() if describe is not None else None
    return (session.listings, key) if key is not None else (None, None)


def open_workspace(
    paths: list[str],
    overlays: dict[str, bytes] | None = None,
    exclude: Callable[[str], bool] | None = None,
    cache: Cache | None = None,
    session: Session | None = None,
) -> Workspace:
    listings, key = _listings(session, exclude)
    targets = discover(paths, exclude, listings, key)
    context = scopes(paths)
    files = sorted(set(discover(context, exclude, listings, key)) | set(targets))
    store = FileStore(context, overlays, session)
    workspace = Workspace(targets, files, store)
    workspace.facts = Facts(store, cache)
    workspace.edges = reference_graph(files, workspace.facts)
    workspace.roots = find_roots(files, workspace.edges)
    return workspace
