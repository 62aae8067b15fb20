"""A pytest-lsp client that records every diagnostics notification, and helpers."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

from lsprotocol import types as lsp
from pygls.protocol import default_converter
from pygls.uris import from_fs_path
from pytest_lsp import ClientServerConfig, LanguageClient
from pytest_lsp.client import DEFAULT_CLIENT_FEATURES, register_lsp_features

SERVER = [sys.executable, "-m", "nixlint", "lsp"]
TIMEOUT = 30.0


class RecordingClient(LanguageClient):
    """Keeps every publishDiagnostics in order, with its version."""

    published: list[lsp.PublishDiagnosticsParams]
    registrations: list[lsp.Registration]


def _record(client: RecordingClient, params: lsp.PublishDiagnosticsParams) -> None:
    client.diagnostics[params.uri] = params.diagnostics
    client.published.append(params)


def _register(client: RecordingClient, params: lsp.RegistrationParams) -> None:
    client.registrations.extend(params.registrations)


def make_client() -> RecordingClient:
    client = RecordingClient(converter_factory=default_converter)
    client.published = []
    client.registrations = []
    features = dict(DEFAULT_CLIENT_FEATURES)
    features[lsp.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS] = _record
    features[lsp.CLIENT_REGISTER_CAPABILITY] = _register
    register_lsp_features(client, features)
    return client


def config(command: list[str] | None = None) -> ClientServerConfig:
    return ClientServerConfig(server_command=command or SERVER, client_factory=make_client)


def uri(path: Path) -> str:
    return from_fs_path(str(path))


async def published(
    client: RecordingClient, uri: str, after: int = 0, version: int | None = None
) -> list[lsp.Diagnostic]:
    """The first diagnostics for ``uri`` published after the ``after``-th notification (and
    for ``version`` when given)."""

    async def poll() -> list[lsp.Diagnostic]:
        while True:
            for params in client.published[after:]:
                if params.uri == uri and (version is None or params.version == version):
                    return list(params.diagnostics)
            await asyncio.sleep(0.005)

    return await asyncio.wait_for(poll(), TIMEOUT)
