"""File rules over a workspace: each target file whose text may interest a rule is parsed
and handed to the rule.

File rules judge what a file says by itself (a fetcher without a hash, a ``<nixpkgs>``
lookup), so they also see files no host uses: package expressions, overlays, shells. A
rule's prefilter looks at the bytes first, so most files are never parsed for it; hits are
cached by the file's content and the rules that looked. Hits of rules about flakes are kept
only in files a flake evaluates, which is worked out once, and only when such a hit exists.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from traceback import format_exc
from typing import TYPE_CHECKING

from nixlint.findings import Confidence, Severity
from nixlint.logs import LazyLogger
from nixlint.rules import base, syntax
from nixlint.rules.syntax_tree import find
from nixlint.span import Span
from nixlint.workspace import is_flake, resolve_reference

if TYPE_CHECKING:
    from nixlint.cache import Cache
    from nixlint.files import FileStore
    from nixlint.parse import SourceFile
    from nixlint.workspace import Workspace

log = LazyLogger("nixlint")


def evaluated_references(src: SourceFile) -> Iterator[str]:
    """The files a source evaluates through literal paths (``import ./x.nix``,
    ``imports = [ ./hosts/web ]``), as absolute paths. Not followed: paths interpolated into
    strings (``"${./test.nix}"`` copies a file, it does not evaluate it), paths with
    interpolation, and bare ``./.``-style directories (a source tree)."""
    root = src.root
    if root is None:
        return
    for node in find(root, "(path_expression) @path", "path"):
        if node.named_child_count != 1 or _interpolated(node):
            continue
        text = src.text(node)
        if not text.startswith(("/", ".")) or not text.strip("./"):
            continue
        yield resolve_reference(text, src.path)


def _interpolated(node: object) -> bool:
    parent = node.parent  # type: ignore[attr-defined]
    while parent is not None:
        if parent.type == "interpolation":
            return True
        parent = parent.parent
    return False


def flake_reach(workspace: Workspace) -> set[str]:
    """Every flake.nix of the workspace and the files it evaluates, directly or not."""
    store: FileStore = workspace.store
    known = set(workspace.files)
    seen: set[str] = set()
    stack = [path for path in workspace.files if is_flake(path)]
    while stack:
        path = stack.pop()
        if path in seen:
            continue
        seen.add(path)
        src = store.peek(path)
        if src is None:
            continue
        stack.extend(
            ref for ref in evaluated_references(src) if ref in known and os.path.isfile(ref)
        )
    return seen


def file_hits(
    workspace: Workspace, wants: Callable[[str], bool], cache: Cache | None = None
) -> Iterator[tuple[base.Rule, base.Hit]]:
    """The hits of the wanted file rules on the workspace's target files."""
    rules = [r for r in base.all_rules() if r.file_check is not None and wants(r.code)]
    if not rules:
        return
    reach: set[str] | None = None
    store = workspace.store
    for path in workspace.targets:
        data = store.data(path)
        if not data:
            continue
        chosen = [r for r in rules if r.prefilter is None or r.prefilter(data)]
        if not chosen:
            continue
        hits = _cached_hits(store, path, chosen, cache)
        if any(rule.flakes_only for rule, _ in hits):
            if reach is None:
                reach = flake_reach(workspace)
            if path not in reach:
                hits = [(rule, hit) for rule, hit in hits if not rule.flakes_only]
        yield from hits


def _cached_hits(
    store: FileStore, path: str, chosen: list[base.Rule], cache: Cache | None
) -> list[tuple[base.Rule, base.Hit]]:
    name = ""
    if cache is not None and path not in store.overlays:
        from nixlint.cache import key

        name = key("file-rules", path, store.fingerprint(path), [r.code for r in chosen])
        found = _from_json(cache.get("files", name))
        if found is not None:
            return found
    src = store.peek(path)
    if src is None or src.tree is None:
        return []
    ctx = base.FileContext(src)
    hits: list[tuple[base.Rule, base.Hit]] = []
    failed = False
    for rule in chosen:
        try:
            hits.extend((rule, hit) for hit in rule.file_check(ctx))  # type: ignore[misc]
        except Exception as err:  # a bug in nixlint: this rule fails, the scan goes on
            log.error("internal error on %s in %s:\n%s", path, rule.code, format_exc())
            message = f"nixlint failed in rule {rule.code}: {type(err).__name__}: {err}"
            hits.append((syntax.INTERNAL_ERROR, base.Hit(Span(path, 1, 1, 1, 1), message)))
            failed = True
    if name and cache is not None and not failed:
        cache.put("files", name, [_to_json(r, hit) for r, hit in hits])
    return hits


def _to_json(rule: base.Rule, hit: base.Hit) -> list[object]:
    span = hit.span
    return [
        rule.code,
        [span.path, span.line, span.column, span.end_line, span.end_column],
        [span.start_byte, span.end_byte],
        hit.message,
        hit.option,
        hit.severity.value if hit.severity else None,
        hit.confidence.value if hit.confidence else None,
    ]


def _from_json(data: object) -> list[tuple[base.Rule, base.Hit]] | None:
    if not isinstance(data, list):
        return None
    out: list[tuple[base.Rule, base.Hit]] = []
    try:
        for code, where, offsets, message, option, severity, confidence in data:
            rule = base.lookup(str(code))
            if rule is None:
                return None
            span = Span(*where, *offsets)
            out.append(
                (
                    rule,
                    base.Hit(
                        span,
                        str(message),
                        option,
                        Severity(severity) if severity else None,
                        Confidence(confidence) if confidence else None,
                    ),
                )
            )
    except (TypeError, ValueError):
        return None
    return out
