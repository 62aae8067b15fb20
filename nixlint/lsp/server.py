"""The language server: a few handlers over the library.

Documents are kept parsed on the server's thread; analyses run one at a time on a worker
thread, debounced per project, and publish diagnostics for every open file of the project
(so an edit in one module refreshes every open file that shares a host with it). Hover and
go-to-definition read the option graphs of the latest analysis, after bringing it up to
date with the buffers.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import os
import sys
import threading
import traceback
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

from lsprotocol import types as lsp
from pygls.capabilities import get_capability
from pygls.lsp.server import LanguageServer
from pygls.protocol import LanguageServerProtocol
from pygls.protocol.language_server import lsp_method
from pygls.uris import from_fs_path

from nixlint import __version__
from nixlint.findings import Finding
from nixlint.lsp import actions, navigation
from nixlint.lsp.analysis import Snapshot, analyse
from nixlint.lsp.diagnostics import RULE_DOCS_URL, to_diagnostic
from nixlint.lsp.documents import Document, encode, uri_path
from nixlint.lsp.positions import Encoding, LineIndex, negotiate
from nixlint.span import Span
from nixlint.workspace import project_root, scopes

log = logging.getLogger("nixlint.lsp")

#: Seconds of quiet after a change before the analysis runs.
DEBOUNCE = 0.25
#: Opening several files at once (a restored session) gives one analysis.
OPEN_DELAY = 0.02
#: Files whose changes on disk may change the diagnostics of open files.
WATCHED = ("**/*.nix", "**/nixlint.toml", "**/.nixlint.toml", "**/pyproject.toml")
#: The analysis recurses deeply on deeply nested Nix; give its thread room.
STACK_SIZE = 256 * 1024 * 1024

T = TypeVar("T")


class NixlintProtocol(LanguageServerProtocol):
    """The protocol with one change: UTF-8 positions whenever the client offers them (the
    analysis works on UTF-8 bytes), else UTF-16, the protocol's default."""

    @lsp_method(lsp.INITIALIZE)
    def lsp_initialize(self, params: lsp.InitializeParams) -> Any:
        general = params.capabilities.general
        if general is not None and general.position_encodings:
            general.position_encodings = [negotiate(list(general.position_encodings)).value]
        return (yield from super().lsp_initialize(params))


class NixlintServer(LanguageServer):
    def __init__(self) -> None:
        super().__init__(
            "nixlint",
            __version__,
            protocol_cls=NixlintProtocol,
            text_document_sync_kind=lsp.TextDocumentSyncKind.Incremental,
        )
        self.documents: dict[str, Document] = {}
        self.snapshots: dict[str, Snapshot] = {}
        self.pending: dict[str, asyncio.Task[Snapshot | None]] = {}
        #: Workspace folders outside any flake or repository that are the context of a file.
        self.folder_projects: set[str] = set()
        self.shown_error: str | None = None
        self.debounce = DEBOUNCE
        self.docs_url = RULE_DOCS_URL
        self.incremental = True
        self._worker: ThreadPoolExecutor | None = None

    # -- settings ----------------------------------------------------------------------------

    @property
    def encoding(self) -> Encoding:
        try:
            return Encoding(self.workspace.position_encoding or Encoding.UTF16)
        except (RuntimeError, ValueError):
            return Encoding.UTF16

    def configure(self, options: object) -> None:
        if not isinstance(options, dict):
            return
        debounce = options.get("debounce")
        if isinstance(debounce, (int, float)) and 0 <= debounce <= 10:
            self.debounce = float(debounce)
        url = options.get("ruleDocsUrl")
        if isinstance(url, str) and url:
            self.docs_url = url
        incremental = options.get("incrementalParse")
        if isinstance(incremental, bool):
            self.incremental = incremental

    @property
    def worker(self) -> ThreadPoolExecutor:
        if self._worker is None:
            previous = threading.stack_size(STACK_SIZE)
            try:
                self._worker = ThreadPoolExecutor(1, thread_name_prefix="nixlint-analysis")
                self._worker.submit(lambda: None).result()  # start the thread at this size
            finally:
                threading.stack_size(previous)
        return self._worker

    # -- errors ------------------------------------------------------------------------------

    def internal_error(self, what: str, error: BaseException) -> None:
        """Log an error of one request or analysis; the server goes on."""
        trace = "".join(traceback.format_exception(error))
        log.error("internal error in %s:\n%s", what, trace)
        try:
            self.window_log_message(
                lsp.LogMessageParams(lsp.MessageType.Error, f"nixlint: error in {what}: {trace}")
            )
        except Exception:  # the client may be gone
            log.exception("cannot send a log message")

    # -- documents ---------------------------------------------------------------------------

    def project(self, doc: Document) -> str:
        """The directory whose files give ``doc`` its hosts: its project (the nearest
        ``flake.nix``, else the git repository) as for ``nixlint check``; outside one, the
        innermost workspace folder holding it."""
        if doc.project is None:
            if not self.analysable(doc):
                doc.project = doc.uri
            elif project_root(doc.path) is not None:
                doc.project = scopes([doc.path])[0]
            else:
                folder = self.folder_of(doc.path)
                if folder is not None:
                    self.folder_projects.add(folder)
                doc.project = folder or scopes([doc.path])[0]
        return doc.project

    def folder_of(self, path: str) -> str | None:
        """The innermost workspace folder holding ``path``."""
        try:
            uris = [f.uri for f in self.workspace.folders.values()]
            root = self.workspace.root_uri
        except RuntimeError:  # not initialized
            return None
        found: list[str] = []
        for folder in {*uris, *([root] if root else [])}:
            directory = uri_path(folder)
            if directory and os.path.isdir(directory) and path.startswith(directory + os.sep):
                found.append(directory)
        return max(found, key=len, default=None)

    def open(self, item: lsp.TextDocumentItem) -> Document:
        path = uri_path(item.uri) or item.uri
        doc = Document(
            item.uri, path, encode(item.text), item.version, self.encoding, self.incremental
        )
        self.documents[item.uri] = doc
        return doc

    def analysable(self, doc: Document) -> bool:
        return doc.uri.startswith("file:")

    # -- analysis ----------------------------------------------------------------------------

    def schedule(self, project: str, delay: float) -> asyncio.Task[Snapshot | None]:
        """(Re)start the countdown to analysing ``project``'s open files."""
        previous = self.pending.pop(project, None)
        if previous is not None and not previous.done():
            previous.cancel()
        task = asyncio.ensure_future(self._analyse(project, delay))
        self.pending[project] = task
        return task

    def _project_documents(self, project: str) -> list[Document]:
        return [
            d for d in self.documents.values() if self.analysable(d) and self.project(d) == project
        ]

    async def _analyse(self, project: str, delay: float) -> Snapshot | None:
        if delay:
            await asyncio.sleep(delay)
        docs = self._project_documents(project)
        if not docs:
            self.snapshots.pop(project, None)
            return None
        targets = sorted({d.path for d in docs})
        overlays = {d.path: d.source for d in docs}
        versions = {d.path: d.version for d in docs}
        # outside a flake or repository, the workspace folder is the context
        context = [project] if project in self.folder_projects else []
        outcome = await self.in_worker(_run_analysis, targets, overlays, versions, context)
        if isinstance(outcome, BaseException):
            self.internal_error(f"the analysis of {', '.join(targets)}", outcome)
            return None
        self.snapshots[project] = outcome
        self.warn(outcome.error)
        self.publish(outcome, docs)
        return outcome

    def warn(self, error: str | None) -> None:
        """Show a problem with the configuration once (until it changes)."""
        if error is not None and error != self.shown_error:
            self.window_show_message(
                lsp.ShowMessageParams(
                    lsp.MessageType.Warning, f"nixlint: {error} (using the defaults)"
                )
            )
        self.shown_error = error

    def publish(self, snapshot: Snapshot, docs: list[Document]) -> None:
        for doc in docs:
            if self.documents.get(doc.uri) is not doc:
                continue  # closed meanwhile
            if snapshot.versions.get(doc.path) != doc.version:
                continue  # changed meanwhile: a newer analysis is on its way
            findings = snapshot.findings.get(doc.path, [])
            diagnostics = [
                to_diagnostic(f, doc.index, self.docs_url, self.related(f, snapshot))
                for f in findings
            ]
            self.text_document_publish_diagnostics(
                lsp.PublishDiagnosticsParams(doc.uri, diagnostics, doc.version)
            )

    async def fresh(self, doc: Document) -> Snapshot | None:
        """The latest analysis of ``doc``'s project, brought up to date with the buffers."""
        project = self.project(doc)
        snapshot = self.snapshots.get(project)
        docs = self._project_documents(project)
        if snapshot is not None and all(
            snapshot.versions.get(d.path, -1) == d.version for d in docs
        ):
            return snapshot
        try:
            return await self.schedule(project, 0)
        except asyncio.CancelledError:
            return None

    async def in_worker(self, fn: Callable[..., T], *args: object) -> T:
        return await asyncio.get_running_loop().run_in_executor(self.worker, fn, *args)

    # -- locations ---------------------------------------------------------------------------

    def related(
        self, finding: Finding, snapshot: Snapshot
    ) -> list[lsp.DiagnosticRelatedInformation]:
        """Where else the value a finding is about is defined, when the client shows it."""
        wanted = get_capability(
            self.client_capabilities, "text_document.publish_diagnostics.related_information", False
        )
        if not wanted:
            return []
        return [
            lsp.DiagnosticRelatedInformation(self.location(r.span, snapshot), r.message)
            for r in snapshot.related.get(finding, [])
        ]

    def location(self, span: Span, snapshot: Snapshot) -> lsp.Location:
        key = (span.path, self.encoding.value)
        index = snapshot.indexes.get(key)
        if index is None:
            src = snapshot.source(span.path)
            index = LineIndex(src.data if src is not None else b"", self.encoding)
            snapshot.indexes[key] = index
        return lsp.Location(from_fs_path(span.path) or span.path, index.span_range(span))


def _warm_up() -> None:
    """Load the rules and the grammar before the first analysis needs them."""
    from nixlint.parse import parse
    from nixlint.rules.base import all_rules

    all_rules()
    parse(b"{ }")


def _refused(future: Any) -> None:
    if not future.cancelled() and future.exception() is not None:
        log.info("the client refused to watch files: %s", future.exception())


def _run_analysis(
    targets: list[str],
    overlays: dict[str, Any],
    versions: dict[str, int | None],
    context: list[str],
) -> Snapshot | BaseException:
    try:
        return analyse(targets, overlays, versions, context)
    except Exception as error:
        return error


def guarded(
    server: NixlintServer, what: str, default: object = None
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Run a handler; an error is logged and answered with ``default``."""

    def decorate(fn: Callable[..., Any]) -> Callable[..., Any]:
        if asyncio.iscoroutinefunction(fn):

            @functools.wraps(fn)
            async def run_async(*args: Any) -> Any:
                try:
                    return await fn(*args)
                except asyncio.CancelledError:
                    return default
                except Exception as error:
                    server.internal_error(what, error)
                    return default

            return run_async

        @functools.wraps(fn)
        def run(*args: Any) -> Any:
            try:
                return fn(*args)
            except Exception as error:
                server.internal_error(what, error)
                return default

        return run

    return decorate


def create_server() -> NixlintServer:
    server = NixlintServer()
    guard = functools.partial(guarded, server)

    @server.feature(lsp.INITIALIZE)
    @guard("initialize")
    def initialize(params: lsp.InitializeParams) -> None:
        server.configure(params.initialization_options)

    @server.feature(lsp.INITIALIZED)
    @guard("initialized")
    def initialized(params: lsp.InitializedParams) -> None:
        log.info("nixlint %s: positions in %s", __version__, server.encoding.value)
        server.worker.submit(_warm_up)  # while the client opens its first file
        if get_capability(
            server.client_capabilities,
            "workspace.did_change_watched_files.dynamic_registration",
            False,
        ):
            # files changed outside the editor (a checkout, a pull) change the hosts too
            watchers = [lsp.FileSystemWatcher(glob_pattern=g) for g in WATCHED]
            registered = server.client_register_capability(
                lsp.RegistrationParams(
                    [
                        lsp.Registration(
                            "nixlint-watched-files",
                            lsp.WORKSPACE_DID_CHANGE_WATCHED_FILES,
                            lsp.DidChangeWatchedFilesRegistrationOptions(watchers),
                        )
                    ]
                )
            )
            registered.add_done_callback(_refused)

    @server.feature(lsp.TEXT_DOCUMENT_DID_OPEN)
    @guard("didOpen")
    def did_open(params: lsp.DidOpenTextDocumentParams) -> None:
        doc = server.open(params.text_document)
        if server.analysable(doc):
            server.schedule(server.project(doc), OPEN_DELAY)

    @server.feature(lsp.TEXT_DOCUMENT_DID_CHANGE)
    @guard("didChange")
    def did_change(params: lsp.DidChangeTextDocumentParams) -> None:
        doc = server.documents.get(params.text_document.uri)
        if doc is None:
            return
        doc.apply(params.content_changes, params.text_document.version)
        if server.analysable(doc):
            server.schedule(server.project(doc), server.debounce)

    @server.feature(lsp.TEXT_DOCUMENT_DID_SAVE, lsp.SaveOptions(include_text=False))
    @guard("didSave")
    def did_save(params: lsp.DidSaveTextDocumentParams) -> None:
        doc = server.documents.get(params.text_document.uri)
        if doc is None:
            return
        if params.text is not None:
            doc.replace(encode(params.text), doc.version)
        if server.analysable(doc):
            server.schedule(server.project(doc), 0)

    @server.feature(lsp.TEXT_DOCUMENT_DID_CLOSE)
    @guard("didClose")
    def did_close(params: lsp.DidCloseTextDocumentParams) -> None:
        doc = server.documents.pop(params.text_document.uri, None)
        server.text_document_publish_diagnostics(
            lsp.PublishDiagnosticsParams(params.text_document.uri, [])
        )
        if doc is not None and server.analysable(doc):
            # its unsaved text no longer counts: the other open files see the disk again
            server.schedule(server.project(doc), OPEN_DELAY)

    @server.feature(lsp.WORKSPACE_DID_CHANGE_WATCHED_FILES)
    @guard("didChangeWatchedFiles")
    def did_change_watched_files(params: lsp.DidChangeWatchedFilesParams) -> None:
        for project in {server.project(d) for d in server.documents.values()}:
            server.schedule(project, server.debounce)

    @server.feature(
        lsp.TEXT_DOCUMENT_CODE_ACTION,
        lsp.CodeActionOptions(code_action_kinds=[lsp.CodeActionKind.QuickFix]),
    )
    @guard("codeAction", [])
    def code_action(params: lsp.CodeActionParams) -> list[lsp.CodeAction]:
        doc = server.documents.get(params.text_document.uri)
        if doc is None:
            return []
        return actions.code_actions(doc, params)

    @server.feature(lsp.TEXT_DOCUMENT_HOVER)
    @guard("hover")
    async def hover(params: lsp.HoverParams) -> lsp.Hover | None:
        doc = server.documents.get(params.text_document.uri)
        if doc is None or not server.analysable(doc):
            return None
        snapshot = await server.fresh(doc)
        if snapshot is None:
            return None
        offset = doc.index.offset(params.position)
        hosts = snapshot.hosts_of(doc.path)

        def answer() -> tuple[navigation.Target, str] | None:
            target = navigation.option_at(doc.source, offset, hosts)
            if target is None:
                return None
            text = navigation.hover_text(target, doc.path, hosts)
            return (target, text) if text else None

        found = await server.in_worker(answer)
        if found is None:
            return None
        target, text = found
        return lsp.Hover(
            lsp.MarkupContent(lsp.MarkupKind.Markdown, text),
            doc.index.range(target.start, target.end),
        )

    @server.feature(lsp.TEXT_DOCUMENT_DEFINITION)
    @guard("definition")
    async def definition(params: lsp.DefinitionParams) -> list[lsp.Location] | None:
        doc = server.documents.get(params.text_document.uri)
        if doc is None or not server.analysable(doc):
            return None
        snapshot = await server.fresh(doc)
        if snapshot is None:
            return None
        offset = doc.index.offset(params.position)
        hosts = snapshot.hosts_of(doc.path)

        def answer() -> list[Span]:
            target = navigation.option_at(doc.source, offset, hosts)
            return [] if target is None else navigation.definition_spans(target, hosts)

        spans = await server.in_worker(answer)
        return [server.location(s, snapshot) for s in spans] or None

    return server


def serve(tcp: tuple[str, int] | None = None) -> None:
    """Run the server on stdio, or on a TCP address."""
    logging.basicConfig(
        stream=sys.stderr, level=logging.WARNING, format="%(name)s: %(levelname)s: %(message)s"
    )
    server = create_server()
    if tcp is None:
        server.start_io()
    else:
        server.start_tcp(*tcp)
