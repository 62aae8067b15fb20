"""Benchmark of the language server on a 3,000-line host file (``host_file``).

Prints medians and ratios (absolute times vary on shared machines):

- first diagnostics: from starting ``nixlint lsp`` to the first ``publishDiagnostics`` of
  the opened file (start-up, initialize, open, analysis), against ``python -c pass``;
- re-parse after a one-character edit: tree-sitter's incremental re-parse against a full one;
- re-diagnosis after an edit: the server's work (apply the edit, analyse the host, convert
  the findings), in process, and end to end over stdio with no debounce. The edit changes
  one value (the module is patched and only the rules that read it run again); an edit
  that adds or removes a line is measured too (everything runs again).

Run: ``python bench/lsp.py [LINES]``.
"""

from __future__ import annotations

import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from lsprotocol import types as lsp

from nixlint.lsp.analysis import analyse
from nixlint.lsp.diagnostics import to_diagnostic
from nixlint.lsp.documents import Document
from nixlint.parse import new_parser

RUNS = 25


def host_file(lines: int) -> str:
    """A host module of about ``lines`` lines in the mix a large host has: users, files in
    /etc, file systems, containers, virtual hosts, sysctls, some services; one finding of
    each kind nixlint reports most (a disabled sandbox, unencrypted file systems)."""
    out = ["{ config, lib, pkgs, ... }:", "{", "  nix.settings.sandbox = false;"]
    i = 0
    while len(out) < lines - 1:
        out += [
            f"  users.users.user{i} = {{",
            "    isNormalUser = true;",
            '    extraGroups = [ "networkmanager" ];',
            f'    openssh.authorizedKeys.keys = [ "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI{i:08d} u{i}" ];',
            "  };",
            f"  environment.etc.\"app{i}/config.toml\".text = ''",
            "    [server]",
            f"    port = {8000 + i}",
            '    log_level = "info"',
            "  '';",
            f'  fileSystems."/srv/data{i}" = {{',
            f'    device = "/dev/disk/by-uuid/{i:08x}-0000-0000-0000-000000000000";',
            '    fsType = "ext4";',
            '    options = [ "noatime" "nofail" ];',
            "  };",
            f"  virtualisation.oci-containers.containers.app{i} = {{",
            f'    image = "registry.example.org/app{i}:1.{i}";',
            f'    ports = [ "127.0.0.1:{9000 + i}:80" ];',
            '    extraOptions = [ "--cap-drop=ALL" "--read-only" ];',
            "  };",
            f'  services.nginx.virtualHosts."site{i}.example.org" = {{',
            "    forceSSL = true;",
            "    enableACME = true;",
            f'    locations."/".proxyPass = "http://127.0.0.1:{9000 + i}";',
            "  };",
            f'  boot.kernel.sysctl."net.ipv4.conf.eth{i}.rp_filter" = 1;',
            f"  networking.firewall.allowedTCPPorts = [ {10000 + i} ];",
        ]
        if i % 4 == 0:
            out += [
                f"  systemd.services.job{i} = {{",
                f'    description = "Job {i}";',
                '    wantedBy = [ "multi-user.target" ];',
                f'    serviceConfig.ExecStart = "${{pkgs.hello}}/bin/hello --n {i}";',
                "    serviceConfig.DynamicUser = true;",
                '    serviceConfig.ProtectSystem = "strict";',
                "  };",
            ]
        i += 1
    out.append("}")
    return "\n".join(out) + "\n"


def median_ms(samples: list[float]) -> float:
    return statistics.median(samples) * 1000


# -- in process -------------------------------------------------------------------------------


def reparse(path: str, text: bytes) -> tuple[float, float]:
    """Medians of an incremental and a full re-parse after a one-character edit."""
    where = text.index(b"sandbox = false") + len(b"sandbox = ")
    results = []
    for incremental in (True, False):
        doc = Document("file://" + path, path, text, 1, incremental=incremental)
        samples = []
        for n in range(RUNS * 4):
            position = doc.index.position(where)
            end = lsp.Position(position.line, position.character + 1)
            letter = "F" if n % 2 == 0 else "f"
            change = lsp.TextDocumentContentChangePartial(
                range=lsp.Range(position, end), text=letter
            )
            start = time.perf_counter()
            doc.apply([change], n + 2)
            samples.append(time.perf_counter() - start)
        results.append(median_ms(samples))
    return results[0], results[1]


def rediagnose(path: str, text: bytes) -> tuple[float, float, float]:
    """Medians of the server's work after an edit: all of it, the edit alone, the analysis."""
    where = text.index(b"sandbox = false") + len(b"sandbox = ")
    doc = Document("file://" + path, path, text, 1)
    analyse([path], {path: doc.source})  # warm up
    total, edits, analyses = [], [], []
    for n in range(RUNS):
        position = doc.index.position(where)
        end = lsp.Position(position.line, position.character + 5)
        value = "true " if n % 2 == 0 else "false"
        change = lsp.TextDocumentContentChangePartial(range=lsp.Range(position, end), text=value)
        start = time.perf_counter()
        doc.apply([change], n + 2)
        edited = time.perf_counter()
        snapshot = analyse([path], {path: doc.source}, {path: doc.version})
        analysed = time.perf_counter()
        [to_diagnostic(f, doc.index) for f in snapshot.findings[path]]
        done = time.perf_counter()
        total.append(done - start)
        edits.append(edited - start)
        analyses.append(analysed - edited)
    return median_ms(total), median_ms(edits), median_ms(analyses)


def rediagnose_line(path: str, text: bytes) -> float:
    """Median of the same work after an edit that adds or removes a line: the module is
    taken apart again and every rule runs (the path edits inside a value avoid)."""
    where = text.index(b"nix.settings.sandbox")
    doc = Document("file://" + path, path, text, 1)
    analyse([path], {path: doc.source})  # warm up
    samples = []
    for n in range(RUNS):
        position = doc.index.position(where)
        if n % 2 == 0:
            change = lsp.TextDocumentContentChangePartial(
                range=lsp.Range(position, position), text=f'networking.hostName = "h{n}";\n  '
            )
        else:
            end = lsp.Position(position.line + 1, position.character)
            change = lsp.TextDocumentContentChangePartial(range=lsp.Range(position, end), text="")
        start = time.perf_counter()
        doc.apply([change], n + 2)
        snapshot = analyse([path], {path: doc.source}, {path: doc.version})
        [to_diagnostic(f, doc.index) for f in snapshot.findings[path]]
        samples.append(time.perf_counter() - start)
    return median_ms(samples)


# -- over stdio -------------------------------------------------------------------------------


class Client:
    """A bare JSON-RPC client on a server process's stdio."""

    def __init__(self, process: asyncio.subprocess.Process) -> None:
        self.process = process
        self.ids = 0

    def send(self, method: str, params: object, request: bool = False) -> None:
        message: dict[str, object] = {"jsonrpc": "2.0", "method": method, "params": params}
        if request:
            self.ids += 1
            message["id"] = self.ids
        body = json.dumps(message).encode()
        assert self.process.stdin is not None
        self.process.stdin.write(f"Content-Length: {len(body)}\r\n\r\n".encode() + body)

    async def receive(self) -> dict[str, object]:
        assert self.process.stdout is not None
        length = 0
        while True:
            line = await self.process.stdout.readline()
            if line in (b"\r\n", b""):
                break
            if line.lower().startswith(b"content-length:"):
                length = int(line.split(b":")[1])
        return json.loads(await self.process.stdout.readexactly(length))

    async def until(self, method: str, version: int | None = None) -> dict[str, object]:
        while True:
            message = await self.receive()
            if message.get("method") == method:
                params = message["params"]
                assert isinstance(params, dict)
                if version is None or params.get("version") == version:
                    return message


async def session(path: str, text: str, edits: int) -> tuple[float, list[float]]:
    """Time to the first diagnostics, and the round trips of ``edits`` edits."""
    start = time.perf_counter()
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "nixlint",
        "lsp",
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        limit=1 << 24,
    )
    client = Client(process)
    uri = "file://" + path
    client.send(
        "initialize",
        {
            "processId": os.getpid(),
            "rootUri": None,
            "capabilities": {},
            "initializationOptions": {"debounce": 0},
        },
        request=True,
    )
    await client.receive()
    client.send("initialized", {})
    client.send(
        "textDocument/didOpen",
        {"textDocument": {"uri": uri, "languageId": "nix", "version": 1, "text": text}},
    )
    await client.until("textDocument/publishDiagnostics", 1)
    first = time.perf_counter() - start
    line = text.splitlines().index("  nix.settings.sandbox = false;")
    trips = []
    for n in range(edits):
        value = "true " if n % 2 == 0 else "false"
        change = {
            "range": {
                "start": {"line": line, "character": 25},
                "end": {"line": line, "character": 30},
            },
            "text": value,
        }
        sent = time.perf_counter()
        client.send(
            "textDocument/didChange",
            {"textDocument": {"uri": uri, "version": n + 2}, "contentChanges": [change]},
        )
        await client.until("textDocument/publishDiagnostics", n + 2)
        trips.append(time.perf_counter() - sent)
    client.send("shutdown", None, request=True)
    client.send("exit", None)
    await process.wait()
    return first, trips


def python_start() -> float:
    samples = []
    for _ in range(5):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", "pass"], check=True)
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def main(lines: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        (root / ".git").mkdir()
        path = str((root / "configuration.nix").resolve())
        text = host_file(lines)
        Path(path).write_text(text)
        data = text.encode()
        parser = new_parser()
        bare = []
        for _ in range(RUNS):
            start = time.perf_counter()
            parser.parse(data)
            bare.append(time.perf_counter() - start)
        incremental, full = reparse(path, data)
        total, edit, analysis = rediagnose(path, data)
        line_edit = rediagnose_line(path, data)
        firsts, trips = [], []
        for _ in range(5):
            first, round_trips = asyncio.run(session(path, text, 15))
            firsts.append(first)
            trips.extend(round_trips)
        base = python_start()
    print(f"file: {text.count(chr(10))} lines, {len(data)} bytes")
    print(f"bare tree-sitter parse:          {median_ms(bare):7.1f} ms")
    print(
        f"re-parse after an edit:          {incremental:7.1f} ms incremental, {full:.1f} ms full"
        f" (full/incremental {full / incremental:.1f}x)"
    )
    print(
        f"re-diagnosis after an edit:      {total:7.1f} ms median in process"
        f" (edit {edit:.1f} ms, analysis {analysis:.1f} ms; {total / 30:.2f}x the 30 ms goal;"
        f" analysis is {analysis / median_ms(bare):.1f}x a bare parse)"
    )
    print(
        f"  after adding or removing a line: {line_edit:7.1f} ms median in process"
        " (the module taken apart again, every rule run)"
    )
    print(
        f"  over stdio, no debounce:       {median_ms(trips):7.1f} ms median round trip"
        f" ({len(trips)} edits)"
    )
    print(
        f"first diagnostics after start:   {statistics.median(firsts) * 1000:7.0f} ms median"
        f" ({statistics.median(firsts):.2f}x the 1 s goal; python -c pass: {base * 1000:.0f} ms)"
    )


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 3000)
