"""The handlers: each turns a request or notification into calls on the server and the
library, and its result into protocol types. An error in one is logged, not fatal."""

from __future__ import annotations

import asyncio
import functools
import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from lsprotocol import types as lsp
from pygls.capabilities import get_capability

from nixlint import __version__
from nixlint.lsp import actions, navigation
from nixlint.lsp.analysis import SESSION
from nixlint.lsp.documents import encode, uri_path
from nixlint.span import Span

if TYPE_CHECKING:
    from nixlint.lsp.server import NixlintServer

log = logging.getLogger("nixlint.lsp")

#: Opening several files at once (a restored session) gives one analysis.
OPEN_DELAY = 0.02
#: Files whose changes on disk may change the diagnostics of open files.
WATCHED = ("**/*.nix", "**/nixlint.toml", "**/.nixlint.toml", "**/pyproject.toml")


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


def register(server: NixlintServer) -> None:
    """Register every handler on ``server``."""
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
        SESSION.changed([doc.path])
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
        SESSION.changed(path for c in params.changes if (path := uri_path(c.uri)) is not None)
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


def _warm_up() -> None:
    """Load the rules and the grammar before the first analysis needs them."""
    from nixlint.parse import parse
    from nixlint.rules.base import all_rules

    all_rules()
    parse(b"{ }")


def _refused(future: Any) -> None:
    if not future.cancelled() and future.exception() is not None:
        log.info("the client refused to watch files: %s", future.exception())
