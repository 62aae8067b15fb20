"""Running hosts: in this process, in a pool of processes, or on a Dask cluster, with
results cached by the content of every file a host read.

A unit of work is a :class:`JobRef` — a flake's host or a root module, by path and name —
so that it can be sent to another process and rebuilt there. Whatever runs it, the result
is the same :class:`JobResult`, and results are merged in the order of the plan, so the
output does not depend on how the work was spread.
"""

from __future__ import annotations

import os
import time
import traceback
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import partial
from typing import TYPE_CHECKING, Protocol

from nixlint.evaluate.context import noted
from nixlint.findings import Confidence, Severity
from nixlint.flakes import FlakeHosts, flake_hosts
from nixlint.hosts import Host, ModuleCache, build_host
from nixlint.logs import LazyLogger
from nixlint.modules import Import
from nixlint.reuse import HostRun, RuleMemo, RuleRun
from nixlint.rules import base as rules_base
from nixlint.rules import syntax
from nixlint.span import Span
from nixlint.workspace import FileStore

if TYPE_CHECKING:
    from nixlint.cache import Cache

log = LazyLogger("nixlint")


@dataclass(frozen=True, slots=True)
class Record:
    """A rule's hit in one host, with the definitions that make the option's value there
    (for reports that show more than one location)."""

    rule: str
    span: Span
    message: str
    option: str | None = None
    host: str | None = None
    severity: str | None = None
    confidence: str | None = None
    related: tuple[tuple[Span, str], ...] = ()

    def to_json(self) -> list[object]:
        return [
            self.rule,
            list(_span_tuple(self.span)),
            self.message,
            self.option,
            self.host,
            self.severity,
            self.confidence,
            [[list(_span_tuple(span)), text] for span, text in self.related],
        ]

    @classmethod
    def from_json(cls, data: list[object]) -> Record:
        rule, span, message, option, host, severity, confidence, related = data
        return cls(
            str(rule),
            Span(*span),  # type: ignore[misc]
            str(message),
            option,  # type: ignore[arg-type]
            host,  # type: ignore[arg-type]
            severity,  # type: ignore[arg-type]
            confidence,  # type: ignore[arg-type]
            tuple((Span(*sp), str(text)) for sp, text in related),  # type: ignore[misc,union-attr]
        )


@dataclass(frozen=True)
class JobRef:
    """A host to build: ``flake`` hosts by the flake and their attribute name, ``module``
    hosts by their root module."""

    kind: str  # "flake" or "module"
    origin: str
    name: str  # unique host name in this scan
    attr: str = ""  # the flake's attribute name of the host
    system: str = ""  # "nixos" or "darwin" for flake hosts


@dataclass
class HostSummary:
    """What a report needs of a host that was built elsewhere (or cached)."""

    name: str
    root: str
    files: list[str]
    external: list[str] = field(default_factory=list)
    is_configuration: bool = True


@dataclass
class JobResult:
    ref: JobRef
    records: list[Record] = field(default_factory=list)
    host: Host | HostSummary | None = None
    deps: dict[str, str] = field(default_factory=dict)
    seconds: float = 0.0
    #: seconds spent taking each module file apart (first use) and parsing it
    timings: dict[str, float] = field(default_factory=dict)

    def to_json(self) -> dict[str, object]:
        host = self.host
        return {
            "records": [record.to_json() for record in self.records],
            "host": None
            if host is None
            else {
                "name": host.name,
                "root": host.root,
                "files": list(host.files),
                "external": sorted({getattr(i, "label", i) for i in host.external}),
                "is_configuration": host.is_configuration,
            },
            "deps": self.deps,
        }

    @classmethod
    def from_json(cls, ref: JobRef, data: object) -> JobResult | None:
        try:
            assert isinstance(data, dict)
            records = [Record.from_json(r) for r in data["records"]]
            host = data["host"]
            summary = None
            if host is not None:
                summary = HostSummary(
                    str(host["name"]),
                    str(host["root"]),
                    [str(f) for f in host["files"]],
                    [str(e) for e in host["external"]],
                    bool(host["is_configuration"]),
                )
            deps = {str(k): str(v) for k, v in data["deps"].items()}
        except (AssertionError, KeyError, TypeError, ValueError):
            return None
        return cls(ref, records, summary, deps)


def _span_tuple(span: Span) -> tuple[object, ...]:
    return (
        span.path,
        span.line,
        span.column,
        span.end_line,
        span.end_column,
        span.start_byte,
        span.end_byte,
    )


@dataclass(frozen=True)
class Setup:
    """How to rebuild a scan's context in another process."""

    scopes: tuple[str, ...]
    rules: tuple[str, ...]  # the codes to run
    #: record what each host read (its inputs' fingerprints), for the cache
    dependencies: bool = False


@dataclass
class PlannedHost:
    """A flake host as a scan plans it: its name and kind, and its module files."""

    name: str
    kind: str
    files: list[str]


@dataclass
class FlakePlan:
    """What planning needs of a flake: its hosts, what could not be resolved, and the
    fingerprints of the files its evaluation read (so that the cache can keep it)."""

    path: str
    hosts: list[PlannedHost] = field(default_factory=list)
    unresolved: list[str] = field(default_factory=list)
    deps: dict[str, str] = field(default_factory=dict)
    #: not a flake but a module named ``flake.nix`` (analysed as a module)
    is_module: bool = False

    def to_json(self) -> dict[str, object]:
        return {
            "hosts": [[h.name, h.kind, h.files] for h in self.hosts],
            "unresolved": self.unresolved,
            "deps": self.deps,
            "is_module": self.is_module,
        }

    @classmethod
    def from_json(cls, path: str, data: object) -> FlakePlan | None:
        try:
            assert isinstance(data, dict)
            hosts = [
                PlannedHost(str(n), str(k), [str(f) for f in fs]) for n, k, fs in data["hosts"]
            ]
            unresolved = [str(u) for u in data["unresolved"]]
            deps = {str(p): str(f) for p, f in data["deps"].items()}
            is_module = data["is_module"] is True
        except (AssertionError, KeyError, TypeError, ValueError, AttributeError):
            return None  # written by another version or damaged: evaluate again
        return cls(path, hosts, unresolved, deps, is_module)


class Runner:
    """Builds hosts and runs rules, sharing parsed files and modules between hosts."""

    def __init__(
        self, setup: Setup, store: FileStore | None = None, cache: ModuleCache | None = None
    ):
        self.setup = setup
        self.store = store or FileStore(setup.scopes)
        self.modules = cache or ModuleCache.for_store(self.store)
        self.rules = [
            r for r in rules_base.all_rules() if r.check is not None and r.code in setup.rules
        ]
        self._flakes: dict[str, tuple[FlakeHosts, set[str]]] = {}
        self._plans: dict[str, FlakePlan] = {}
        #: where flake plans are kept between scans (None: evaluate every flake)
        self.cache: Cache | None = None
        #: how many hosts still to build may use each file (when the plan says): at zero
        #: the file's tree and modules are let go, so memory follows the hosts in progress
        self.users: dict[str, int] = {}
        self._usage: dict[JobRef, set[str]] = {}

    def plan_usage(self, usage: dict[JobRef, set[str]]) -> None:
        for files in usage.values():
            for path in files:
                self.users[path] = self.users.get(path, 0) + 1
        self._usage = usage

    def release(self, ref: JobRef) -> None:
        for path in self._usage.get(ref, ()):
            left = self.users.get(path, 0) - 1
            self.users[path] = left
            if left <= 0 and not path.endswith("flake.nix"):
                self.store.forget(path)
                self.modules.forget(path)

    def flake(self, path: str) -> tuple[FlakeHosts | None, set[str]]:
        """A flake's hosts (evaluated once per process, and per session while the files
        it read do not change) and the files that took."""
        known = self._flakes.get(path)
        if known is None:
            known = self._session_flake(path)
        if known is None:
            with self.store.recording() as seen:
                src = self.store.get(path)
                found = flake_hosts(src, self.modules.evaluator) if src is not None else None
            known = (found, seen) if found is not None else (FlakeHosts(path), seen)
            session = self.store.session
            if session is not None:
                # the same hosts, with the same arguments, for the session's next analysis:
                # modules are then shared with it rather than taken apart again
                prints = {p: self.store.fingerprint(p) for p in {path, *seen}}
                session.flakes[path] = (known, prints)
        self._flakes[path] = known
        return known

    def _session_flake(self, path: str) -> tuple[FlakeHosts | None, set[str]] | None:
        """The flake as a session's earlier analysis evaluated it, if nothing it read has
        changed since."""
        session = self.store.session
        kept = session.flakes.get(path) if session is not None else None
        if kept is None:
            return None
        known, prints = kept
        if any(self.store.fingerprint(p) != print_ for p, print_ in prints.items()):
            return None
        return known  # type: ignore[no-any-return]

    def flake_plan(self, path: str) -> FlakePlan:
        """A flake's hosts for planning: from the cache when no file its evaluation read
        has changed, else evaluated (and kept)."""
        known = self._plans.get(path)
        if known is not None:
            return known
        name = _plan_key(self.setup, path)
        plan = None
        if self.cache is not None:
            plan = FlakePlan.from_json(path, self.cache.get("hosts", name))
            if plan is not None and any(
                self.store.fingerprint(p) != f for p, f in plan.deps.items()
            ):
                plan = None
        if plan is None:
            found, seen = self.flake(path)
            plan = FlakePlan(path, unresolved=list(found.unresolved) if found else [])
            plan.is_module = found is not None and found.is_module
            for spec in found.hosts if found is not None else ():
                files = [m.path for m in spec.modules if m.kind == "file" and m.path]
                plan.hosts.append(PlannedHost(spec.name, spec.kind, files))
            if self.cache is not None:
                plan.deps = {p: self.store.fingerprint(p) for p in sorted({path, *seen})}
                self.cache.put("hosts", name, plan.to_json())
        self._plans[path] = plan
        return plan

    def build(self, ref: JobRef) -> Host | None:
        """The host ``ref`` names (None when it cannot be built)."""
        return self._build(ref, set())

    def run(self, ref: JobRef) -> JobResult:
        start = time.perf_counter()
        result = JobResult(ref)
        with self.store.recording() as seen:
            try:
                host = self._build(ref, seen)
            except Exception as err:  # a bug in nixlint: one host fails, the scan goes on
                result.records.append(_internal_record(ref.origin, err))
                host = None
            if host is not None and host.is_configuration:
                result.host = host
                result.records.extend(_run_rules(host, self.rules, *self._memo(ref)))
        if host is not None:
            for module in host.modules:
                seen.add(module.path)
                seen.update(module.deps)
        if self.setup.dependencies:
            result.deps = {path: self.store.fingerprint(path) for path in sorted(seen)}
        result.seconds = time.perf_counter() - start
        return result

    def _memo(self, ref: JobRef) -> tuple[RuleMemo | None, object]:
        """Where the rules' results on ``ref``'s host are kept between a session's
        analyses (none outside a session)."""
        session = self.store.session
        if session is None:
            return None, None
        if not isinstance(session.rules, RuleMemo):
            session.rules = RuleMemo()
        codes = tuple(rule.code for rule in self.rules)
        return session.rules, (ref.kind, ref.origin, ref.name, ref.attr, ref.system, codes)

    def _build(self, ref: JobRef, seen: set[str]) -> Host | None:
        if ref.kind == "module":
            return build_host(
                ref.name, [ref.origin], self.store, cache=self.modules, origin=ref.origin
            )
        found, flake_deps = self.flake(ref.origin)
        seen.update(flake_deps)
        seen.add(ref.origin)
        for spec in found.hosts if found is not None else ():
            if spec.name == ref.attr and spec.kind == ref.system:
                roots: list[str | Import] = list(spec.modules)
                return build_host(
                    ref.name, roots, self.store, spec.special_args, self.modules, origin=ref.origin
                )
        return None


#: A rule's hits and, for each, the other definitions of its option.
_Hits = tuple[list[rules_base.Hit], list[tuple[tuple[Span, str], ...]]]


def _run_rules(
    host: Host, rules: list[rules_base.Rule], memo: RuleMemo | None = None, key: object = None
) -> list[Record]:
    """The rules' records on ``host``. With ``memo`` (a session's), each rule's reads are
    recorded, and a rule whose reads no change since the host's previous run touched
    keeps its previous records (:mod:`nixlint.reuse`)."""
    records: list[Record] = []
    for imp in host.missing:
        if imp.span is not None:
            message = f"imported file not found: {_shown(imp.path or imp.label)}"
            records.append(Record(syntax.IMPORT_NOT_FOUND.code, imp.span, message, host=host.name))
    ctx = rules_base.HostContext(host)
    before, change = memo.reusable(key, host.modules) if memo is not None else (None, None)
    run = HostRun(tuple(host.modules))
    again: list[str] = []
    for rule in rules:
        reads: set[object] | None = None
        if before is not None:
            kept = before.rules.get(rule.code)
            if kept is not None and change is not None and not kept.affected_by(change):
                records.extend(kept.records)
                run.rules[rule.code] = kept
                continue
            again.append(rule.code)
            ctx = ctx.for_rule()
        try:
            with host.graph.activate():
                if before is not None:
                    (hits, made), reads = noted(partial(_check, host, rule, ctx))
                else:
                    hits, made = _check(host, rule, ctx)
        except Exception as err:
            records.append(_internal_record(host.root, err, rule.code))
            continue
        found = [
            Record(
                rule.code,
                hit.span,
                hit.message,
                hit.option,
                host.name,
                hit.severity.value if hit.severity else None,
                hit.confidence.value if hit.confidence else None,
                related,
            )
            for hit, related in zip(hits, made, strict=True)
        ]
        records.extend(found)
        if reads is not None:
            run.rules[rule.code] = RuleRun.of(found, reads)
    if memo is not None:
        memo.keep(key, run)
        memo.last = (again, [code for code in run.rules if code not in again])
    return records


def _check(host: Host, rule: rules_base.Rule, ctx: rules_base.HostContext) -> _Hits:
    """A rule's hits on ``host``, and the other definitions of each one's option."""
    hits = list(rule.check(ctx))  # type: ignore[misc]
    return hits, [_related(host, hit.option, hit.span) for hit in hits]


def _related(host: Host, option: str | None, own: Span) -> tuple[tuple[Span, str], ...]:
    """The definitions that make (or, under a condition, may make) the option's value in
    this host, other than the finding's own line."""
    if option is None:
        return ()
    try:
        resolution = host.graph.resolve(option)
    except Exception:  # a report's extra locations must not fail a rule
        return ()
    found: list[tuple[Span, str]] = []
    for state in resolution.candidates:
        definition = state.definition
        span = definition.span
        if (span.path, span.line) == (own.path, own.line):
            continue
        condition = ", under a condition nixlint cannot decide" if state.conditional else ""
        found.append(
            (
                span,
                f"{option} is defined here (priority {definition.priority}{condition}; "
                f"host {host.name})",
            )
        )
    return tuple(found)


def _shown(path: str) -> str:
    cwd = os.path.realpath(os.getcwd())
    rel = os.path.relpath(path, cwd)
    return path if rel.startswith("..") else rel


def _internal_record(path: str, err: Exception, code: str | None = None) -> Record:
    log.error(
        "internal error on %s%s:\n%s", path, f" in {code}" if code else "", traceback.format_exc()
    )
    where = f" in rule {code}" if code else ""
    message = f"nixlint failed{where}: {type(err).__name__}: {err}"
    return Record(syntax.INTERNAL_ERROR.code, Span(path, 1, 1, 1, 1), message)


def severity_of(value: str | None) -> Severity | None:
    return Severity(value) if value else None


def confidence_of(value: str | None) -> Confidence | None:
    return Confidence(value) if value else None


# -- running many ----------------------------------------------------------------------------


def run_batch(setup: Setup, refs: list[JobRef]) -> list[JobResult]:
    """Run ``refs`` in this process with one shared context (what a worker does)."""
    runner = Runner(setup)
    results = []
    for ref in refs:
        result = runner.run(ref)
        result.host = summarise(result.host)
        results.append(result)
    return results


def summarise(host: Host | HostSummary | None) -> HostSummary | None:
    if host is None or isinstance(host, HostSummary):
        return host
    return HostSummary(
        host.name,
        host.root,
        host.files,
        sorted({i.label for i in host.external}),
        host.is_configuration,
    )


def batches(refs: list[JobRef], count: int) -> list[list[JobRef]]:
    """Split the plan into contiguous batches (hosts of one flake share modules)."""
    if not refs:
        return []
    size = max(1, -(-len(refs) // count))
    return [refs[i : i + size] for i in range(0, len(refs), size)]


class Progress(Protocol):
    """Told how many hosts a scan will build, then as they are done."""

    def start(self, total: int) -> None: ...

    def advance(self, count: int) -> None: ...


#: Fewer hosts than this are built in this process: starting workers would cost more.
POOL_MINIMUM = 8


def execute(
    setup: Setup,
    refs: list[JobRef],
    *,
    runner: Runner | None = None,
    jobs: int = 1,
    executor: str | None = None,
    progress: Progress | None = None,
    keep_hosts: bool = True,
) -> list[JobResult]:
    """Run every ref and return the results in the order of ``refs`` (with each host's
    option graph when ``keep_hosts`` and the work stays in this process)."""
    if not refs:
        return []
    if executor:
        return _execute_dask(setup, refs, executor, jobs, progress)
    if jobs <= 1 or len(refs) < POOL_MINIMUM:
        runner = runner or Runner(setup)
        results = []
        for ref in refs:
            result = runner.run(ref)
            if not keep_hosts:
                result.host = summarise(result.host)  # let the option graph go now
                runner.release(ref)
            results.append(result)
            if progress:
                progress.advance(1)
        return results
    return _execute_pool(setup, refs, jobs, progress)


def _execute_pool(
    setup: Setup, refs: list[JobRef], jobs: int, progress: Progress | None
) -> list[JobResult]:
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor, as_completed

    parts = batches(refs, jobs * 4)
    done: dict[int, list[JobResult]] = {}
    context = multiprocessing.get_context("spawn" if os.name != "posix" else "fork")
    with ProcessPoolExecutor(max_workers=jobs, mp_context=context) as pool:
        futures = {pool.submit(run_batch, setup, part): index for index, part in enumerate(parts)}
        for future in as_completed(futures):
            index = futures[future]
            done[index] = future.result()
            if progress:
                progress.advance(len(parts[index]))
    return [result for index in range(len(parts)) for result in done[index]]


def _execute_dask(
    setup: Setup, refs: list[JobRef], address: str, jobs: int, progress: Progress | None
) -> list[JobResult]:
    try:
        from distributed import Client, as_completed
    except ImportError as err:  # pragma: no cover - depends on the install
        raise RuntimeError("the Dask executor needs `pip install 'nixlint[dask]'`") from err
    target = address.removeprefix("dask://")
    target = f"tcp://{target}" if "://" not in target else target
    parts = batches(refs, max(jobs, 1) * 4)
    timeout = float(os.environ.get("NIXLINT_DASK_TIMEOUT", "10"))
    try:
        client = Client(target, timeout=timeout)
    except (OSError, TimeoutError, ValueError) as err:
        raise RuntimeError(f"cannot use the Dask scheduler at {address}: {err}") from None
    with client:
        futures = client.map(run_batch, [setup] * len(parts), parts, pure=False)
        index_of = {future.key: index for index, future in enumerate(futures)}
        done: dict[int, list[JobResult]] = {}
        for future in as_completed(futures):
            index = index_of[future.key]
            done[index] = future.result()
            if progress:
                progress.advance(len(parts[index]))
    return [result for index in range(len(parts)) for result in done[index]]


# -- cache -------------------------------------------------------------------------------------


def _plan_key(setup: Setup, path: str) -> str:
    from nixlint.cache import key

    return key("flake-plan", path, setup.scopes)


def cache_key(setup: Setup, ref: JobRef) -> str:
    from nixlint.cache import key

    return key(
        "host", ref.kind, ref.origin, ref.name, ref.attr, ref.system, setup.scopes, setup.rules
    )


def cached(cache: Cache, store: FileStore, setup: Setup, ref: JobRef) -> JobResult | None:
    """A previous result for ``ref`` whose every input is unchanged, or None."""
    data = cache.get("hosts", cache_key(setup, ref))
    if data is None:
        return None
    found = JobResult.from_json(ref, data)
    if found is None:
        return None
    for path, fingerprint in found.deps.items():
        if store.fingerprint(path) != fingerprint:
            return None
    return found


def remember(cache: Cache, setup: Setup, results: Iterable[JobResult]) -> None:
    for result in results:
        if not any(r.rule == syntax.INTERNAL_ERROR.code for r in result.records):
            cache.put("hosts", cache_key(setup, result.ref), result.to_json())
