"""The server process: errors stay inside one request, the TCP transport, lazy imports."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import pytest_lsp
from lsprotocol import types as lsp
from pytest_lsp import client_capabilities

from tests.lsp_client import RecordingClient, config, published, uri

#: The server with two faults injected: every hover fails, and so does the analysis of any
#: file whose name says "crash".
FAULTY = """
from nixlint.lsp import navigation, server

real = server.analyse

def option_at(*args):
    raise RuntimeError("injected hover failure")

def analyse(targets, overlays, versions=None, context=None):
    if any("crash" in t for t in targets):
        raise RuntimeError("injected analysis failure")
    return real(targets, overlays, versions, context)

navigation.option_at = option_at
server.analyse = analyse
server.create_server().start_io()
"""


@pytest_lsp.fixture(config=config([sys.executable, "-c", FAULTY]))
async def faulty(lsp_client: RecordingClient):
    await lsp_client.initialize_session(
        lsp.InitializeParams(
            capabilities=client_capabilities("visual-studio-code"),
            initialization_options={"debounce": 0.02},
        )
    )
    yield
    await lsp_client.shutdown_session()


def _open(client: RecordingClient, path: Path) -> str:
    address = uri(path)
    client.text_document_did_open(
        lsp.DidOpenTextDocumentParams(lsp.TextDocumentItem(address, "nix", 1, path.read_text()))
    )
    return address


async def _until(condition, timeout: float = 30.0) -> None:  # type: ignore[no-untyped-def]
    import asyncio

    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline
        await asyncio.sleep(0.01)


@pytest.mark.asyncio
async def test_an_internal_error_is_logged_not_fatal(
    faulty: RecordingClient, tmp_path: Path
) -> None:
    for name in ("crash", "fine"):
        (tmp_path / name / ".git").mkdir(parents=True)
        (tmp_path / name / f"{name}.nix").write_text("{ nix.settings.sandbox = false; }\n")
    crash = _open(faulty, tmp_path / "crash" / "crash.nix")
    await _until(lambda: any("injected analysis failure" in m.message for m in faulty.log_messages))
    hover = await faulty.text_document_hover_async(
        lsp.HoverParams(lsp.TextDocumentIdentifier(crash), lsp.Position(0, 5))
    )
    assert hover is None
    fine = _open(faulty, tmp_path / "fine" / "fine.nix")
    assert [str(d.code) for d in await published(faulty, fine, version=1)] == ["NIX301"]
    hover = await faulty.text_document_hover_async(
        lsp.HoverParams(lsp.TextDocumentIdentifier(fine), lsp.Position(0, 5))
    )
    assert hover is None
    errors = [m for m in faulty.log_messages if m.type == lsp.MessageType.Error]
    # the hover in crash.nix asked for a fresh analysis, which failed again
    crashed = f"the analysis of {tmp_path / 'crash' / 'crash.nix'}"
    assert [m.message.splitlines()[0] for m in errors] == [
        f"nixlint: error in {crashed}: Traceback (most recent call last):",
        f"nixlint: error in {crashed}: Traceback (most recent call last):",
        "nixlint: error in hover: Traceback (most recent call last):",
    ]
    assert [m.message.splitlines()[-1] for m in errors] == [
        "RuntimeError: injected analysis failure",
        "RuntimeError: injected analysis failure",
        "RuntimeError: injected hover failure",
    ]
    # still serving
    actions = await faulty.text_document_code_action_async(
        lsp.CodeActionParams(
            lsp.TextDocumentIdentifier(fine),
            lsp.Range(lsp.Position(0, 25), lsp.Position(0, 30)),
            lsp.CodeActionContext(diagnostics=list(faulty.diagnostics[fine])),
        )
    )
    assert next(a.title for a in actions) == "Enable the Nix build sandbox (sandbox = true)"


def _message(payload: dict[str, object]) -> bytes:
    body = json.dumps(payload).encode()
    return f"Content-Length: {len(body)}\r\n\r\n".encode() + body


def _read(sock: socket.socket) -> dict[str, object]:
    data = b""
    while b"\r\n\r\n" not in data:
        data += sock.recv(4096)
    head, _, rest = data.partition(b"\r\n\r\n")
    length = int(head.split(b"Content-Length:")[1].split(b"\r\n")[0])
    while len(rest) < length:
        rest += sock.recv(4096)
    return json.loads(rest[:length])


def test_tcp_transport(tmp_path: Path) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen(
        [sys.executable, "-m", "nixlint", "lsp", "--tcp", f"127.0.0.1:{port}"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                sock = socket.create_connection(("127.0.0.1", port), timeout=30)
                break
            except OSError:
                assert time.monotonic() < deadline and server.poll() is None
                time.sleep(0.05)
        with sock:
            sock.sendall(
                _message(
                    {
                        "jsonrpc": "2.0",
                        "id": 1,
                        "method": "initialize",
                        "params": {
                            "processId": None,
                            "rootUri": None,
                            "capabilities": {"general": {"positionEncodings": ["utf-16", "utf-8"]}},
                        },
                    }
                )
            )
            answer = _read(sock)
            result = answer["result"]
            assert result["serverInfo"]["name"] == "nixlint"  # type: ignore[index]
            assert result["capabilities"]["positionEncoding"] == "utf-8"  # type: ignore[index]
            assert result["capabilities"]["hoverProvider"] is True  # type: ignore[index]
            sock.sendall(_message({"jsonrpc": "2.0", "id": 2, "method": "shutdown"}))
            assert _read(sock) == {"jsonrpc": "2.0", "id": 2, "result": None}
            sock.sendall(_message({"jsonrpc": "2.0", "method": "exit"}))
            assert server.wait(timeout=30) == 0
    finally:
        if server.poll() is None:
            server.kill()
            server.wait()


def test_bad_tcp_address_is_a_usage_error() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "nixlint", "lsp", "--tcp", "localhost"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2
    assert done.stderr == "nixlint: error: --tcp wants HOST:PORT, not 'localhost'\n"


def test_the_cli_does_not_import_the_server() -> None:
    code = (
        "import sys, nixlint.cli, nixlint.analyze; "
        "print(sorted({m.split('.')[0] for m in sys.modules} & {'pygls', 'lsprotocol', 'cattrs'}))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.stdout == "[]\n"
