"""The library entry point: paths in, findings out. The CLI and the language server are
thin shells over :func:`check` and :func:`query_option`."""

from __future__ import annotations

import gc
import os
import time
import traceback
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import TypeVar

from nixlint import schema
from nixlint.cache import Cache
from nixlint.evaluate.values import Path, Unknown, Value
from nixlint.findings import Confidence, Finding, Severity
from nixlint.graph import DefinitionState, OptionGraph
from nixlint.hosts import MAX_MODULE_BYTES, Host, host_name
from nixlint.logs import LazyLogger
from nixlint.rules import base as rules_base
from nixlint.rules import syntax
from nixlint.scan import (
    FlakePlan,
    HostSummary,
    JobRef,
    JobResult,
    Progress,
    Runner,
    Setup,
    cached,
    confidence_of,
    execute,
    remember,
    severity_of,
    summarise,
)
from nixlint.span import Span
from nixlint.workspace import Session, Workspace, is_flake, open_workspace

T = TypeVar("T")

log = LazyLogger("nixlint")


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
    _wanted: dict[str, bool] = field(default_factory=dict, compare=False, repr=False)

    @classmethod
    def parse(cls, select: Iterable[str] | None, ignore: Iterable[str] | None) -> Selection:
        return cls(
            frozenset(_codes(select)) if select else None,
            frozenset(_codes(ignore)) if ignore else frozenset(),
        )

    def wants(self, code: str) -> bool:
        known = self._wanted.get(code)
        if known is None:
            known = self._wanted[code] = self._wants(code)
        return known

    def _wants(self, code: str) -> bool:
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
    flakes: list[FlakePlan] = field(default_factory=list)
    seconds: float = 0.0
    #: for each finding (by :func:`finding_key`), the definitions that make its option's value
    related: dict[tuple[object, ...], list[tuple[Span, str]]] = field(default_factory=dict)
    #: seconds spent parsing and taking apart each file
    timings: dict[str, float] = field(default_factory=dict)
    cache_hits: int = 0

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


def finding_key(finding: Finding) -> tuple[object, ...]:
    """What makes two hosts' findings the same finding (reported once, with both hosts)."""
    return (finding.rule, finding.path, finding.line, finding.column, finding.message)


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
        self.related: dict[tuple[object, ...], list[tuple[Span, str]]] = {}
        self.internal_errors = 0
        self._shown: dict[str, str] = {}

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
        related: tuple[tuple[Span, str], ...] = (),
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
            path=self._display(span.path),
            line=span.line,
            column=span.column,
            end_line=span.end_line,
            end_column=span.end_column,
            message=message,
            option=option,
            host=host,
        )
        key = finding_key(finding)
        if related:
            known = self.related.setdefault(key, [])
            for span, text in related:
                if all(
                    (s.path, s.line, s.column) != (span.path, span.line, span.column)
                    for s, _ in known
                ):
                    known.append((span, text))
        existing = self._by_key.get(key)
        if existing is None:
            self._by_key[key] = (finding, [host] if host else [])
        elif host and host not in existing[1]:
            existing[1].append(host)

    def _display(self, path: str) -> str:
        shown = self._shown.get(path)
        if shown is None:
            shown = self._shown[path] = display_path(path, self.cwd)
        return shown

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


def _file_findings(out: _Collector, workspace: Workspace) -> None:
    """Syntax findings of the target files, from their (cached) facts."""
    store = workspace.store
    for path in workspace.targets:
        facts = workspace.facts.of(path)
        if facts is None:
            reason = store.read_error(path) or "cannot be read"
            out.add(syntax.UNREADABLE_FILE, Span(path, 1, 1, 1, 1), f"file not analysed: {reason}")
            continue
        for issue in facts.issues:
            out.add(_ISSUE_RULES[issue.kind], issue.span, issue.message)
        data = store.data(path) or b""
        if len(data) > MAX_MODULE_BYTES and not any(i.kind == "too-large" for i in facts.issues):
            out.add(
                syntax.UNREADABLE_FILE,
                Span(path, 1, 1, 1, 1),
                f"file is larger than {MAX_MODULE_BYTES // (1024 * 1024)} MiB: "
                "its syntax was checked, but it was not analysed as a module",
            )


def _file_rule_findings(
    out: _Collector, workspace: Workspace, selection: Selection, cache: Cache | None
) -> None:
    """Findings of the rules that judge a file by its own text (see :mod:`nixlint.file_rules`)."""
    from nixlint.file_rules import file_hits

    for rule, hit in file_hits(workspace, selection.wants, cache):
        out.add(
            rule,
            hit.span,
            hit.message,
            option=hit.option,
            severity=hit.severity,
            confidence=hit.confidence,
        )


def load_workspace(
    paths: list[str],
    overlays: dict[str, bytes] | None = None,
    exclude: Callable[[str], bool] | None = None,
    cache: Cache | None = None,
    session: Session | None = None,
) -> Workspace:
    missing = [
        p for p in paths if not os.path.exists(p) and os.path.realpath(p) not in (overlays or {})
    ]
    if missing:
        raise UsageError(f"no such file or directory: {missing[0]}")
    return open_workspace(paths, overlays, exclude, cache, session)


@dataclass
class Options:
    """How to run a scan (not what to report)."""

    jobs: int = 1
    cache_dir: str | None = None  # None: no cache
    executor: str | None = None  # ``dask://HOST:PORT``
    progress: Progress | None = None
    #: keep each host's option graph in the result (the language server reads them); a
    #: batch scan keeps only what a report needs
    keep_hosts: bool = True
    #: what consecutive analyses share (parsed files and modules that did not change)
    session: Session | None = None


def check(
    paths: list[str],
    selection: Selection | None = None,
    overlays: dict[str, bytes] | None = None,
    exclude: Callable[[str], bool] | None = None,
    options: Options | None = None,
) -> Result:
    """Analyse every file and host under ``paths`` (but none that ``exclude`` names)."""
    _fewer_collections()
    options = options or Options()
    selection = selection or Selection()
    cache = Cache(options.cache_dir) if options.cache_dir and not overlays else None
    try:
        return _check(paths, selection, overlays, exclude, options, cache)
    finally:
        if cache is not None:
            cache.close()


def _check(
    paths: list[str],
    selection: Selection,
    overlays: dict[str, bytes] | None,
    exclude: Callable[[str], bool] | None,
    options: Options,
    cache: Cache | None,
) -> Result:
    started = time.perf_counter()
    workspace = load_workspace(paths, overlays, exclude, cache, options.session)
    out = _Collector(set(workspace.targets), selection)
    _file_findings(out, workspace)
    _file_rule_findings(out, workspace, selection, cache)
    codes = tuple(
        r.code for r in rules_base.all_rules() if r.check is not None and selection.wants(r.code)
    )
    setup = Setup(tuple(workspace.store.roots), codes, dependencies=cache is not None)
    runner = Runner(setup, workspace.store)
    runner.cache = cache
    refs, flakes = plan_hosts(workspace, runner, out)
    done, hits = _run_jobs(workspace, runner, refs, options, cache, 0)
    planned = len(refs)
    refs, done = _without_contained(refs, done, [result.host for result in done])
    # A file no host turned out to import (its only references are in files that are not
    # modules, or in imports nixlint could not resolve) is analysed as a module of its own.
    more = _unreached(workspace, refs, [result.host for result in done])
    if more:
        extra, extra_hits = _run_jobs(workspace, runner, more, options, cache, planned)
        refs, done, hits = [*refs, *more], [*done, *extra], hits + extra_hits
        refs, done = _without_contained(refs, done, [result.host for result in done])
    hosts: list[Host | HostSummary] = []
    timings: dict[str, float] = dict(workspace.store.parse_seconds)
    for result in done:
        for record in result.records:
            rule = rules_base.lookup(record.rule)
            if rule is not None:
                out.add(
                    rule,
                    record.span,
                    record.message,
                    option=record.option,
                    host=record.host,
                    severity=severity_of(record.severity),
                    confidence=confidence_of(record.confidence),
                    related=record.related,
                )
        for module in getattr(result.host, "modules", ()):
            if module.seconds:
                timings[module.path] = timings.get(module.path, 0.0) + module.seconds
        if result.host is not None:
            hosts.append(result.host if options.keep_hosts else summarise(result.host))
    return Result(
        out.findings(),
        workspace.targets,
        hosts,  # type: ignore[arg-type]
        out.internal_errors,
        flakes,
        related=out.related,
        seconds=time.perf_counter() - started,
        timings={path: timings[path] for path in workspace.targets if path in timings},
        cache_hits=hits,
    )


def _run_jobs(
    workspace: Workspace,
    runner: Runner,
    refs: list[JobRef],
    options: Options,
    cache: Cache | None,
    before: int,
) -> tuple[list[JobResult], int]:
    """The results of ``refs`` in order, from the cache where it has them, and how many
    came from it; ``before`` jobs were planned by an earlier round (for the progress bar)."""
    setup = runner.setup
    if not options.keep_hosts:
        runner.plan_usage(_usage(workspace, runner, refs))
    results: list[JobResult | None] = [
        cached(cache, workspace.store, setup, ref) if cache is not None else None for ref in refs
    ]
    todo = [ref for ref, found in zip(refs, results, strict=True) if found is None]
    if options.progress is not None:
        options.progress.start(before + len(refs))
        options.progress.advance(len(refs) - len(todo))
    fresh = iter(
        execute(
            setup,
            todo,
            runner=runner,
            jobs=options.jobs,
            executor=options.executor,
            progress=options.progress,
            keep_hosts=options.keep_hosts,
        )
    )
    done = [found if found is not None else next(fresh) for found in results]
    if cache is not None:
        remember(cache, setup, [r for r, was in zip(done, results, strict=True) if was is None])
    return done, len(refs) - len(todo)


def _without_contained(
    refs: list[JobRef], items: list[T], built: Sequence[Host | HostSummary | None]
) -> tuple[list[JobRef], list[T]]:
    """``refs`` and their ``items`` but those :func:`_contained` drops."""
    dropped = _contained(refs, built)
    if not dropped:
        return refs, items
    keep = [i for i in range(len(refs)) if i not in dropped]
    return [refs[i] for i in keep], [items[i] for i in keep]


def _contained(refs: list[JobRef], built: Sequence[Host | HostSummary | None]) -> set[int]:
    """The root modules (by index) another host turned out to import, through imports no
    literal path shows (a directory listed by ``listFilesRecursive``): such a module is
    part of that host, and alone it would be judged without the host's settings. Flake
    hosts are kept; among root modules, larger hosts first."""
    kept_files: set[str] = set()
    for ref, host in zip(refs, built, strict=True):
        if ref.kind != "module" and host is not None:
            kept_files.update(host.files)
    modules = [i for i, ref in enumerate(refs) if ref.kind == "module" and built[i] is not None]
    modules.sort(key=lambda i: -len(built[i].files))  # type: ignore[union-attr]
    dropped: set[int] = set()
    for i in modules:
        if refs[i].origin in kept_files:
            dropped.add(i)
        else:
            kept_files.update(built[i].files)  # type: ignore[union-attr]
    return dropped


def _unreached(
    workspace: Workspace, refs: list[JobRef], built: list[Host | HostSummary | None]
) -> list[JobRef]:
    """Module jobs for the targets that none of the hosts ``built`` for ``refs`` contains,
    named apart from the hosts already planned."""
    reached = {ref.origin for ref in refs}
    for host in built:
        if host is not None:
            reached.update(host.files)
    leftover = [
        JobRef("module", path, host_name(path))
        for path in workspace.targets
        if path not in reached and not is_flake(path)
    ]
    return _unique([*refs, *leftover])[len(refs) :] if leftover else []


def plan_hosts(
    workspace: Workspace, runner: Runner, out: _Collector
) -> tuple[list[JobRef], list[FlakePlan]]:
    """The hosts to build for the targets: the flakes' hosts, then root modules no flake
    host reaches (so that no file goes unanalysed)."""
    store = workspace.store
    targets = set(workspace.targets)
    refs: list[JobRef] = []
    flakes: list[FlakePlan] = []
    covered: set[str] = set()
    for path in workspace.files:
        if not is_flake(path):
            continue
        src = store.get(path)
        if src is None or src.tree is None:
            continue
        try:
            found = runner.flake_plan(path)
        except Exception as err:
            _internal(out, path, err)
            continue
        if found.is_module:  # a module named flake.nix
            if path in targets:
                refs.append(JobRef("module", path, host_name(path)))
            continue
        flakes.append(found)
        for reason in found.unresolved:
            out.add(
                syntax.HOSTS_UNRESOLVED, src.span_of(0, 0), f"flake hosts not resolved: {reason}"
            )
        for spec in found.hosts:
            reached = workspace.reachable(spec.files)
            covered |= reached
            if path in targets or reached & targets:
                refs.append(JobRef("flake", path, spec.name, spec.name, spec.kind))
    roots = [r for r in workspace.roots_reaching(targets) if r not in covered]
    refs.extend(JobRef("module", r, host_name(r)) for r in roots)
    return _unique(refs), flakes


def _usage(workspace: Workspace, runner: Runner, refs: list[JobRef]) -> dict[JobRef, set[str]]:
    """The files each host may read, from the paths its files write."""
    usage: dict[JobRef, set[str]] = {}
    for ref in refs:
        if ref.kind == "module":
            usage[ref] = workspace.reachable([ref.origin])
            continue
        starts: list[str] = []
        for spec in runner.flake_plan(ref.origin).hosts:
            if spec.name == ref.attr and spec.kind == ref.system:
                starts = spec.files
        usage[ref] = workspace.reachable(starts)
    return usage


def _unique(refs: list[JobRef]) -> list[JobRef]:
    """Host names are unique: a name used twice gets its origin's path."""
    counts: dict[str, int] = {}
    flake_counts: dict[str, int] = {}
    for ref in refs:
        counts[ref.name] = counts.get(ref.name, 0) + 1
        if ref.kind == "flake":
            flake_counts[ref.name] = flake_counts.get(ref.name, 0) + 1
    unique: list[JobRef] = []
    for ref in refs:
        # a flake's host keeps its name beside root modules of the same name (the modules
        # are named by their paths)
        if counts[ref.name] > 1 and not (ref.kind == "flake" and flake_counts[ref.name] == 1):
            where = display_path(ref.origin)
            name = f"{ref.name} ({where})" if ref.kind == "flake" else where
            ref = JobRef(ref.kind, ref.origin, name, ref.attr, ref.system)
        unique.append(ref)
    return unique


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


def _runner_for(workspace: Workspace) -> Runner:
    codes = tuple(r.code for r in rules_base.all_rules() if r.check is not None)
    return Runner(Setup(tuple(workspace.store.roots), codes), workspace.store)


def query_option(paths: list[str], option: str, host: str | None = None) -> list[dict[str, object]]:
    """The effective value of ``option`` and every definition, per host (contract: DESIGN)."""
    workspace = load_workspace(paths)
    runner = _runner_for(workspace)
    refs, _ = plan_hosts(workspace, runner, _Collector(set(), Selection()))
    if host is not None and host not in {ref.name for ref in refs}:
        known = ", ".join(sorted(ref.name for ref in refs)) or "none"
        raise UsageError(f"no host named {host!r} (hosts: {known})")
    wanted = schema.canonical(schema.split(option))
    answers: list[dict[str, object]] = []
    for ref in refs:
        if host is not None and ref.name != host:
            continue
        built = runner.build(ref)
        if built is None or not built.is_configuration:
            continue
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
    runner = _runner_for(workspace)
    refs, flakes = plan_hosts(workspace, runner, _Collector(set(), Selection()))
    hosts: list[dict[str, object]] = []
    all_built = [runner.build(ref) for ref in refs]
    refs, all_built = _without_contained(refs, all_built, all_built)
    more = _unreached(workspace, refs, all_built)
    if more:
        refs, all_built = [*refs, *more], [*all_built, *(runner.build(ref) for ref in more)]
        refs, all_built = _without_contained(refs, all_built, all_built)
    reached: set[str] = set()
    for ref, built in zip(refs, all_built, strict=True):
        if built is None or not built.is_configuration:
            continue
        reached.update(built.files)
        hosts.append(
            {
                "name": built.name,
                "origin": display_path(ref.origin),
                "kind": ref.kind,
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
