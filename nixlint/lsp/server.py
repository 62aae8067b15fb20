"""The language server's state: open documents, analyses and their results. The handlers
(:mod:`nixlint.lsp.handlers`) are thin; this is what they call.

Documents are kept parsed on the server's thread; analyses run one at a time on a worker
thread, debounced per project, and publish diagnostics for every open file of the project
(so an edit in one module refreshes every open file that shares a host with it). Hover and
go-to-definition read the option graphs of the latest analysis, after bringing it up to
date with the buffers.
"""

from __future__ import annotations

import asyncio
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
from nixlint.lsp import handlers
from nixlint.lsp.analysis import Snapshot, analyse
from nixlint.lsp.diagnostics import to_diagnostic
from nixlint.lsp.documents import Document, encode, uri_path
from nixlint.lsp.positions import Encoding, LineIndex, negotiate
from nixlint.span import Span
from nixlint.workspace import project_root, scopes

log = logging.getLogger("nixlint.lsp")

#: Seconds of quiet after a change before the analysis runs.
DEBOUNCE = 0.25
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
        self.docs_url: str | None = None  # the reports' links
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


def create_server() -> NixlintServer:
    server = NixlintServer()
    handlers.register(server)
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
