"""The library entry point: paths in, findings out. The CLI and the language server are
thin shells over :func:`check` and :func:`query_option`."""

from __future__ import annotations

import gc
import logging
import os
import traceback
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from nixlint import schema
from nixlint.evaluate.values import Path, Thunk, Unknown, Value
from nixlint.findings import Confidence, Finding, Severity
from nixlint.flakes import FlakeHosts, flake_hosts
from nixlint.graph import DefinitionState, OptionGraph
from nixlint.hosts import MAX_MODULE_BYTES, Host, ModuleCache, build_host, host_name
from nixlint.modules import Import
from nixlint.parse import SourceFile
from nixlint.rules import base as rules_base
from nixlint.rules import syntax
from nixlint.span import Span
from nixlint.workspace import FileStore, Workspace, is_flake, open_workspace

log = logging.getLogger("nixlint")


def _fewer_collections() -> None:
    """Analysis allocates many small objects that live as long as a host; Python's default
    collection thresholds spend about half the run scanning them. nixlint raises them for
    the process (restoring them would trigger a full collection at once)."""
    if gc.get_threshold()[0] < 100_000:
        gc.set_threshold(100_000, 50, 100)


class UsageError(Exception):
    """A problem with what the user asked for (exit code 2)."""


@dataclass
class Selection:
    """Which rules to run and report."""

    select: frozenset[str] | None = None
    ignore: frozenset[str] = frozenset()

    @classmethod
    def parse(cls, select: Iterable[str] | None, ignore: Iterable[str] | None) -> Selection:
        return cls(
            frozenset(_codes(select)) if select else None,
            frozenset(_codes(ignore)) if ignore else frozenset(),
        )

    def wants(self, code: str) -> bool:
        if any(code.startswith(prefix) for prefix in self.ignore):
            return False
        if self.select is None:
            return True
        return any(code.startswith(prefix) for prefix in self.select)


def _codes(values: Iterable[str]) -> list[str]:
    rules_base.all_rules()
    out: list[str] = []
    for raw in values:
        for part in raw.split(","):
            part = part.strip()
            if not part:
                continue
            found = rules_base.lookup(part)
            if found is not None:
                out.append(found.code)
            elif part.upper() == "ALL":
                out.append("NIX")
            elif part.upper().startswith("NIX") and part[3:].isdigit() and len(part) < 6:
                out.append(part.upper())  # a prefix such as NIX1 or NIX30
            else:
                raise UsageError(f"unknown rule {part!r} (see `nixlint rules`)")
    return out


@dataclass
class Result:
    findings: list[Finding]
    files: list[str]
    hosts: list[Host] = field(default_factory=list)
    internal_errors: int = 0
    flakes: list[FlakeHosts] = field(default_factory=list)

    def summary(self) -> dict[str, object]:
        by_severity = {s.value: 0 for s in Severity}
        for finding in self.findings:
            by_severity[finding.severity.value] += 1
        return {
            "files": len(self.files),
            "hosts": len(self.hosts),
            "findings": len(self.findings),
            "by_severity": by_severity,
            "internal_errors": self.internal_errors,
            "analysed": self.coverage(),
        }

    def coverage(self) -> dict[str, int]:
        """How the files were analysed: in a flake's host, in a host rooted at a module
        nothing imports, or (not a module, or reached by no host) only for their syntax."""
        scanned = set(self.files)
        in_flakes = {f for h in self.hosts if is_flake(h.root) for f in h.files} & scanned
        in_modules = {f for h in self.hosts if not is_flake(h.root) for f in h.files} & scanned
        in_modules -= in_flakes
        return {
            "flake_hosts": len(in_flakes),
            "module_hosts": len(in_modules),
            "syntax_only": len(scanned - in_flakes - in_modules),
        }


def display_path(path: str, cwd: str | None = None) -> str:
    cwd = cwd or os.path.realpath(os.getcwd())
    rel = os.path.relpath(path, cwd)
    return path if rel.startswith("..") else rel


class _Collector:
    """Builds findings from hits and issues, with display paths and host lists."""

    def __init__(self, scanned: set[str], selection: Selection) -> None:
        self.scanned = scanned
        self.selection = selection
        self.cwd = os.path.realpath(os.getcwd())
        self._by_key: dict[tuple[object, ...], tuple[Finding, list[str]]] = {}
        self.internal_errors = 0

    def add(
        self,
        rule: rules_base.Rule,
        span: Span,
        message: str,
        *,
        option: str | None = None,
        host: str | None = None,
        severity: Severity | None = None,
        confidence: Confidence | None = None,
    ) -> None:
        if rule.code == syntax.INTERNAL_ERROR.code:
            self.internal_errors += 1
        elif span.path not in self.scanned or not self.selection.wants(rule.code):
            return
        finding = Finding(
            rule=rule.code,
            name=rule.name,
            category=rule.category,
            severity=severity or rule.severity,
            confidence=confidence or rule.confidence,
            path=display_path(span.path, self.cwd),
            line=span.line,
            column=span.column,
            end_line=span.end_line,
            end_column=span.end_column,
            message=message,
            option=option,
            host=host,
        )
        key = (finding.rule, finding.path, finding.line, finding.column, finding.message)
        existing = self._by_key.get(key)
        if existing is None:
            self._by_key[key] = (finding, [host] if host else [])
        elif host and host not in existing[1]:
            existing[1].append(host)

    def findings(self) -> list[Finding]:
        out = [f.with_hosts(tuple(h)) if h else f for f, h in self._by_key.values()]
        out.sort(key=lambda f: f.sort_key)
        return out


_ISSUE_RULES = {
    "error": syntax.SYNTAX_ERROR,
    "missing": syntax.SYNTAX_ERROR,
    "encoding": syntax.INVALID_ENCODING,
    "binary": syntax.UNREADABLE_FILE,
    "too-large": syntax.UNREADABLE_FILE,
}


def _file_findings(out: _Collector, src: SourceFile) -> None:
    for issue in src.issues:
        out.add(_ISSUE_RULES[issue.kind], issue.span, issue.message)


def load_workspace(
    paths: list[str],
    overlays: dict[str, bytes] | None = None,
    exclude: Callable[[str], bool] | None = None,
) -> Workspace:
    missing = [
        p for p in paths if not os.path.exists(p) and os.path.realpath(p) not in (overlays or {})
    ]
    if missing:
        raise UsageError(f"no such file or directory: {missing[0]}")
    return open_workspace(paths, overlays, exclude)


def check(
    paths: list[str],
    selection: Selection | None = None,
    overlays: dict[str, bytes] | None = None,
    exclude: Callable[[str], bool] | None = None,
) -> Result:
    """Analyse every file and host under ``paths`` (but none that ``exclude`` names)."""
    _fewer_collections()
    return _check(paths, selection, overlays, exclude)


def _check(
    paths: list[str],
    selection: Selection | None,
    overlays: dict[str, bytes] | None,
    exclude: Callable[[str], bool] | None = None,
) -> Result:
    rules = [r for r in rules_base.all_rules() if r.check is not None]
    selection = selection or Selection()
    workspace = load_workspace(paths, overlays, exclude)
    store = workspace.store
    files = workspace.targets
    out = _Collector(set(files), selection)
    for path in files:
        src = store.get(path)
        if src is None:
            reason = store.read_error(path) or "cannot be read"
            out.add(syntax.UNREADABLE_FILE, Span(path, 1, 1, 1, 1), f"file not analysed: {reason}")
            continue
        _file_findings(out, src)
        if src.tree is not None and len(src.data) > MAX_MODULE_BYTES:
            out.add(
                syntax.UNREADABLE_FILE,
                src.span_of(0, 0),
                f"file is larger than {MAX_MODULE_BYTES // (1024 * 1024)} MiB: "
                "its syntax was checked, but it was not analysed as a module",
            )
    cache = ModuleCache(store)
    active = [r for r in rules if selection.wants(r.code)]
    jobs, flakes = plan_hosts(workspace, cache, out)
    hosts: list[Host] = []
    for job in jobs:
        try:
            host = job.build(store, cache)
        except Exception as err:  # a bug in nixlint: report it, go on with the next host
            _internal(out, job.origin, err)
            continue
        if not host.is_configuration:
            continue  # a package expression or a library: its syntax was checked
        hosts.append(host)
        _run_rules(out, host, active)
    return Result(out.findings(), files, hosts, out.internal_errors, flakes)


def _run_rules(out: _Collector, host: Host, rules: list[rules_base.Rule]) -> None:
    for imp in host.missing:
        if imp.span is not None:
            out.add(
                syntax.IMPORT_NOT_FOUND,
                imp.span,
                f"imported file not found: {display_path(imp.path or imp.label)}",
                host=host.name,
            )
    ctx = rules_base.HostContext(host)
    for rule in rules:
        try:
            with host.graph.activate():
                hits = list(rule.check(ctx))  # type: ignore[misc]
        except Exception as err:
            _internal(out, host.root, err, rule.code)
            continue
        for hit in hits:
            out.add(
                rule,
                hit.span,
                hit.message,
                option=hit.option,
                host=host.name,
                severity=hit.severity,
                confidence=hit.confidence,
            )


@dataclass
class HostJob:
    """One host to build: from a flake's ``nixosConfigurations``, or a root module."""

    name: str
    origin: str  # the flake.nix or the root module
    roots: list[str | Import]
    args: dict[str, Value | Thunk] | None = None

    def build(self, store: FileStore, cache: ModuleCache) -> Host:
        return build_host(self.name, self.roots, store, self.args, cache, origin=self.origin)


def plan_hosts(
    workspace: Workspace, cache: ModuleCache, out: _Collector
) -> tuple[list[HostJob], list[FlakeHosts]]:
    """The hosts to build for the targets: the flakes' hosts, then root modules no flake
    host reaches (so that no file goes unanalysed)."""
    store = workspace.store
    targets = set(workspace.targets)
    jobs: list[HostJob] = []
    flakes: list[FlakeHosts] = []
    covered: set[str] = set()
    for path in workspace.files:
        if not is_flake(path):
            continue
        src = store.get(path)
        if src is None or src.tree is None:
            continue
        try:
            found = flake_hosts(src, cache.evaluator)
        except Exception as err:
            _internal(out, path, err)
            continue
        flakes.append(found)
        for reason in found.unresolved:
            out.add(
                syntax.HOSTS_UNRESOLVED, src.span_of(0, 0), f"flake hosts not resolved: {reason}"
            )
        for spec in found.hosts:
            files = [m.path for m in spec.modules if m.kind == "file" and m.path]
            reached = workspace.reachable(files)
            covered |= reached
            if path in targets or reached & targets:
                jobs.append(HostJob(spec.name, path, list(spec.modules), spec.special_args))
    roots = [r for r in workspace.roots_reaching(targets) if r not in covered]
    jobs.extend(HostJob(host_name(r), r, [r]) for r in roots)
    _unique(jobs)
    return jobs, flakes


def _unique(jobs: list[HostJob]) -> None:
    """Host names are unique: a name used twice gets its origin's path."""
    counts: dict[str, int] = {}
    for job in jobs:
        counts[job.name] = counts.get(job.name, 0) + 1
    for job in jobs:
        if counts[job.name] > 1:
            where = display_path(job.origin)
            job.name = f"{job.name} ({where})" if is_flake(job.origin) else where


def _internal(out: _Collector, path: str, err: Exception, code: str | None = None) -> None:
    log.error(
        "internal error on %s%s:\n%s", path, f" in {code}" if code else "", traceback.format_exc()
    )
    where = f" in rule {code}" if code else ""
    out.add(
        syntax.INTERNAL_ERROR,
        Span(path, 1, 1, 1, 1),
        f"nixlint failed{where}: {type(err).__name__}: {err}",
    )


def _json_value(graph: OptionGraph, value: Value) -> object:
    data = graph.evaluator.deep(value)
    if isinstance(data, Unknown):
        return None
    if isinstance(data, Path):
        return data.path
    return data


def _definition_json(graph: OptionGraph, state: DefinitionState) -> dict[str, object]:
    d = state.definition
    out: dict[str, object] = {
        "path": display_path(d.file),
        "line": d.span.line,
        "column": d.span.column,
        "priority": d.priority,
        "condition": state.state,
        "value": _json_value(graph, d.value.force()),
    }
    if d.written:
        out["written_as"] = schema.join(d.written)
    return out


def query_option(paths: list[str], option: str, host: str | None = None) -> list[dict[str, object]]:
    """The effective value of ``option`` and every definition, per host (contract: DESIGN)."""
    workspace = load_workspace(paths)
    cache = ModuleCache(workspace.store)
    jobs, _ = plan_hosts(workspace, cache, _Collector(set(), Selection()))
    if host is not None and host not in {job.name for job in jobs}:
        known = ", ".join(sorted(job.name for job in jobs)) or "none"
        raise UsageError(f"no host named {host!r} (hosts: {known})")
    wanted = schema.canonical(schema.split(option))
    answers: list[dict[str, object]] = []
    for job in jobs:
        if host is not None and job.name != host:
            continue
        built = job.build(workspace.store, cache)
        res = built.graph.resolve(wanted)
        with built.graph.activate():
            answer: dict[str, object] = {
                "option": schema.join(wanted),
                "host": built.name,
                "known": res.known,
                "value": _json_value(built.graph, res.value) if res.known else None,
                "source": res.source,
                "definitions": [_definition_json(built.graph, s) for s in res.definitions],
            }
        if isinstance(res.value, Unknown):
            answer["reason"] = res.value.reason
        answers.append(answer)
    return answers


def list_hosts(paths: list[str]) -> dict[str, object]:
    """The hosts under ``paths``: where each comes from and its module files; the flakes'
    unresolved parts; and which files no host reaches."""
    workspace = load_workspace(paths)
    cache = ModuleCache(workspace.store)
    out = _Collector(set(), Selection())
    jobs, flakes = plan_hosts(workspace, cache, out)
    hosts: list[dict[str, object]] = []
    reached: set[str] = set()
    for job in jobs:
        built = job.build(workspace.store, cache)
        if not built.is_configuration:
            continue
        reached.update(built.files)
        hosts.append(
            {
                "name": built.name,
                "origin": display_path(job.origin),
                "kind": "flake" if is_flake(job.origin) else "module",
                "files": [display_path(f) for f in built.files],
                "external_imports": sorted({i.label for i in built.external}),
                "missing_imports": sorted(display_path(i.path or i.label) for i in built.missing),
            }
        )
    return {
        "hosts": hosts,
        "flakes": [
            {
                "path": display_path(f.path),
                "hosts": [h.name for h in f.hosts],
                "unresolved": f.unresolved,
            }
            for f in flakes
        ],
        "files_without_host": [
            display_path(f) for f in workspace.targets if f not in reached and not is_flake(f)
        ],
    }
