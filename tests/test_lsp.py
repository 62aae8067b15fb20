"""The language server driven over stdio by pytest-lsp, as an editor would."""

from __future__ import annotations

from pathlib import Path

import pytest
import pytest_lsp
from lsprotocol import types as lsp
from pytest_lsp import client_capabilities

from nixlint.analyze import check
from tests.lsp_client import RecordingClient, config, published, uri

pytestmark = pytest.mark.asyncio

DOCS = "https://github.com/nixlint/nixlint/blob/main/docs/rules.md#nix301-nix-sandbox-disabled"

CONFIGURATION = """\
{ lib, ... }:
{
  imports = [ ./common.nix ];
  networking.hostName = "web";
}
"""

COMMON = """\
{ lib, ... }:
{
  nix.settings.sandbox = false;
}
"""


@pytest_lsp.fixture(config=config())
async def client(lsp_client: RecordingClient):
    await lsp_client.initialize_session(
        lsp.InitializeParams(
            capabilities=client_capabilities("visual-studio-code"),
            initialization_options={"debounce": 0.02},
        )
    )
    yield
    await lsp_client.shutdown_session()


def project(root: Path, files: dict[str, str]) -> Path:
    """A project (a git repository) holding ``files``."""
    (root / ".git").mkdir()
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


def open_file(client: RecordingClient, path: Path, text: str | None = None) -> str:
    address = uri(path)
    client.text_document_did_open(
        lsp.DidOpenTextDocumentParams(
            lsp.TextDocumentItem(
                address, "nix", 1, path.read_text(encoding="utf-8") if text is None else text
            )
        )
    )
    return address


def change(
    client: RecordingClient,
    address: str,
    version: int,
    start: tuple[int, int],
    end: tuple[int, int],
    text: str,
) -> None:
    client.text_document_did_change(
        lsp.DidChangeTextDocumentParams(
            lsp.VersionedTextDocumentIdentifier(version=version, uri=address),
            [
                lsp.TextDocumentContentChangePartial(
                    range=lsp.Range(lsp.Position(*start), lsp.Position(*end)), text=text
                )
            ],
        )
    )


def replace_all(client: RecordingClient, address: str, version: int, text: str) -> None:
    client.text_document_did_change(
        lsp.DidChangeTextDocumentParams(
            lsp.VersionedTextDocumentIdentifier(version=version, uri=address),
            [lsp.TextDocumentContentChangeWholeDocument(text=text)],
        )
    )


def summary(diagnostics: list[lsp.Diagnostic]) -> list[tuple[str, int, int, int, int]]:
    return [
        (
            str(d.code),
            d.range.start.line,
            d.range.start.character,
            d.range.end.line,
            d.range.end.character,
        )
        for d in diagnostics
    ]


def rng(a: int, b: int, c: int, d: int) -> lsp.Range:
    return lsp.Range(lsp.Position(a, b), lsp.Position(c, d))


# -- diagnostics ----------------------------------------------------------------------------


async def test_open_publishes_the_cli_findings(client: RecordingClient, tmp_path: Path) -> None:
    root = project(tmp_path, {"configuration.nix": CONFIGURATION, "common.nix": COMMON})
    address = open_file(client, root / "common.nix")
    diagnostics = await published(client, address, version=1)
    assert diagnostics == [
        lsp.Diagnostic(
            range=rng(2, 25, 2, 30),
            message="the Nix build sandbox is disabled",
            severity=lsp.DiagnosticSeverity.Error,
            code="NIX301",
            code_description=lsp.CodeDescription(href=DOCS),
            source="nixlint",
            data=diagnostics[0].data,
        )
    ]
    assert diagnostics[0].data["option"] == "nix.settings.sandbox"
    assert diagnostics[0].data["hosts"] == ["configuration"]
    cli = check([str(root / "common.nix")])
    assert [
        (f.rule, f.line - 1, f.column - 1, f.end_line - 1, f.end_column - 1) for f in cli.findings
    ] == summary(diagnostics)


async def test_change_updates_and_close_clears(client: RecordingClient, tmp_path: Path) -> None:
    root = project(tmp_path, {"configuration.nix": CONFIGURATION, "common.nix": COMMON})
    address = open_file(client, root / "common.nix")
    assert summary(await published(client, address, version=1)) == [("NIX301", 2, 25, 2, 30)]
    change(client, address, 2, (2, 25), (2, 30), "true")
    assert await published(client, address, version=2) == []
    change(client, address, 3, (2, 25), (2, 29), '"relaxed"')
    relaxed = await published(client, address, version=3)
    assert summary(relaxed) == [("NIX301", 2, 25, 2, 34)]
    assert relaxed[0].severity == lsp.DiagnosticSeverity.Warning  # medium
    mark = len(client.published)
    client.text_document_did_close(
        lsp.DidCloseTextDocumentParams(lsp.TextDocumentIdentifier(address))
    )
    assert await published(client, address, after=mark) == []


async def test_save_reanalyses(client: RecordingClient, tmp_path: Path) -> None:
    root = project(tmp_path, {"configuration.nix": CONFIGURATION, "common.nix": COMMON})
    address = open_file(client, root / "common.nix")
    await published(client, address, version=1)
    mark = len(client.published)
    client.text_document_did_save(
        lsp.DidSaveTextDocumentParams(lsp.TextDocumentIdentifier(address))
    )
    assert summary(await published(client, address, after=mark)) == [("NIX301", 2, 25, 2, 30)]


async def test_a_mkforce_in_another_buffer_changes_this_files_diagnostics(
    client: RecordingClient, tmp_path: Path
) -> None:
    root = project(tmp_path, {"configuration.nix": CONFIGURATION, "common.nix": COMMON})
    common = open_file(client, root / "common.nix")
    host = open_file(client, root / "configuration.nix")
    assert summary(await published(client, common, version=1)) == [("NIX301", 2, 25, 2, 30)]
    assert await published(client, host, version=1) == []
    mark = len(client.published)
    # unsaved: the disk still has no override
    change(client, host, 2, (3, 0), (3, 0), "  nix.settings.sandbox = lib.mkForce true;\n")
    assert await published(client, common, after=mark) == []
    assert await published(client, host, version=2) == []
    assert "mkForce" not in (root / "configuration.nix").read_text()
    # closing the host's buffer brings back the disk's text: the finding returns
    mark = len(client.published)
    client.text_document_did_close(lsp.DidCloseTextDocumentParams(lsp.TextDocumentIdentifier(host)))
    assert summary(await published(client, common, after=mark)) == [("NIX301", 2, 25, 2, 30)]


async def test_value_edits_in_one_buffer_update_the_other_each_time(
    client: RecordingClient, tmp_path: Path
) -> None:
    """Edits inside one value are analysed incrementally (the module patched, the rules
    that read the value run again): each one still gives both files their findings."""
    forced = CONFIGURATION.replace(
        '  networking.hostName = "web";\n',
        '  networking.hostName = "web";\n  nix.settings.sandbox = lib.mkForce true;\n',
    )
    root = project(tmp_path, {"configuration.nix": forced, "common.nix": COMMON})
    common = open_file(client, root / "common.nix")
    host = open_file(client, root / "configuration.nix")
    assert await published(client, common, version=1) == []
    assert await published(client, host, version=1) == []
    current = "true"
    for version, value in ((2, "false"), (3, "true"), (4, "false")):
        mark = len(client.published)
        change(client, host, version, (4, 37), (4, 37 + len(current)), value)
        current = value
        assert await published(client, common, after=mark) == []
        if value == "false":
            assert summary(await published(client, host, version=version)) == [
                ("NIX301", 4, 37, 4, 42)
            ]
        else:
            assert await published(client, host, version=version) == []


async def test_unsaved_buffer_wins_over_disk(client: RecordingClient, tmp_path: Path) -> None:
    root = project(tmp_path, {"configuration.nix": CONFIGURATION, "common.nix": COMMON})
    address = open_file(client, root / "common.nix", COMMON.replace("false", "true"))
    assert await published(client, address, version=1) == []


async def test_an_edit_refreshes_every_open_file_of_the_host(
    client: RecordingClient, tmp_path: Path
) -> None:
    root = project(
        tmp_path,
        {
            "configuration.nix": CONFIGURATION.replace("./common.nix", "./common.nix ./other.nix"),
            "common.nix": COMMON,
            "other.nix": "{ lib, ... }: { nix.settings.sandbox = false; }\n",
        },
    )
    common = open_file(client, root / "common.nix")
    other = open_file(client, root / "other.nix")
    assert summary(await published(client, common, version=1)) == [("NIX301", 2, 25, 2, 30)]
    assert summary(await published(client, other, version=1)) == [("NIX301", 0, 39, 0, 44)]
    mark = len(client.published)
    replace_all(client, other, 2, "{ lib, ... }: { nix.settings.sandbox = lib.mkForce true; }\n")
    assert await published(client, other, version=2) == []
    assert await published(client, common, after=mark) == []


# -- positions ------------------------------------------------------------------------------

UNICODE = '{ networking.hostName = "é😀"; nix.settings.sandbox = false; }\n'


async def test_utf16_positions_after_non_ascii_text(
    client: RecordingClient, tmp_path: Path
) -> None:
    root = project(tmp_path, {"host.nix": UNICODE})
    address = open_file(client, root / "host.nix")
    # `false` starts at code point 53: UTF-16 unit 54 ("😀" is two units), byte 57 ("é" is
    # two bytes, "😀" four)
    assert summary(await published(client, address, version=1)) == [("NIX301", 0, 54, 0, 59)]
    change(client, address, 2, (0, 54), (0, 59), "true")
    assert await published(client, address, version=2) == []


@pytest_lsp.fixture(config=config())
async def utf8_client(lsp_client: RecordingClient):
    capabilities = client_capabilities("neovim")  # offers utf-8, utf-16 and utf-32
    result = await lsp_client.initialize_session(
        lsp.InitializeParams(capabilities=capabilities, initialization_options={"debounce": 0.02})
    )
    lsp_client.encoding = result.capabilities.position_encoding
    yield
    await lsp_client.shutdown_session()


async def test_utf8_positions_when_offered(utf8_client: RecordingClient, tmp_path: Path) -> None:
    assert utf8_client.encoding == "utf-8"
    root = project(tmp_path, {"host.nix": UNICODE})
    address = open_file(utf8_client, root / "host.nix")
    assert summary(await published(utf8_client, address, version=1)) == [("NIX301", 0, 57, 0, 62)]
    change(utf8_client, address, 2, (0, 57), (0, 62), "true")
    assert await published(utf8_client, address, version=2) == []


# -- code actions ---------------------------------------------------------------------------


async def test_quick_fix_and_suppression(client: RecordingClient, tmp_path: Path) -> None:
    root = project(tmp_path, {"configuration.nix": CONFIGURATION, "common.nix": COMMON})
    address = open_file(client, root / "common.nix")
    diagnostics = await published(client, address, version=1)
    found = await client.text_document_code_action_async(
        lsp.CodeActionParams(
            lsp.TextDocumentIdentifier(address),
            rng(2, 25, 2, 30),
            lsp.CodeActionContext(diagnostics=diagnostics),
        )
    )
    assert [(a.title, a.kind, a.is_preferred, a.edit.changes) for a in found] == [
        (
            "Enable the Nix build sandbox (sandbox = true)",
            lsp.CodeActionKind.QuickFix,
            True,
            {address: (lsp.TextEdit(rng(2, 25, 2, 30), "true"),)},
        ),
        (
            "Suppress NIX301 on this line (add the reason)",
            lsp.CodeActionKind.QuickFix,
            None,
            {address: (lsp.TextEdit(rng(2, 0, 2, 0), "  # nixlint: ignore[NIX301] \n"),)},
        ),
        (
            "Suppress NIX301 in this file (add the reason)",
            lsp.CodeActionKind.QuickFix,
            None,
            {address: (lsp.TextEdit(rng(0, 0, 0, 0), "# nixlint: ignore-file[NIX301] \n"),)},
        ),
    ]
    # applying the fix clears the finding
    change(client, address, 2, (2, 25), (2, 30), "true")
    assert await published(client, address, version=2) == []


async def test_code_actions_only_for_nixlint_diagnostics(
    client: RecordingClient, tmp_path: Path
) -> None:
    root = project(tmp_path, {"host.nix": COMMON})
    address = open_file(client, root / "host.nix")
    await published(client, address, version=1)
    other = lsp.Diagnostic(rng(2, 25, 2, 30), "unused", source="nil", code="unused_binding")
    found = await client.text_document_code_action_async(
        lsp.CodeActionParams(
            lsp.TextDocumentIdentifier(address),
            rng(2, 25, 2, 30),
            lsp.CodeActionContext(diagnostics=[other]),
        )
    )
    assert found == ()


# -- hover and definition -------------------------------------------------------------------

FORCED = CONFIGURATION.replace(
    '  networking.hostName = "web";\n',
    '  networking.hostName = "web";\n  nix.settings.sandbox = lib.mkForce true;\n',
)


async def test_hover_shows_value_and_every_definition(
    client: RecordingClient, tmp_path: Path
) -> None:
    root = project(tmp_path, {"configuration.nix": FORCED, "common.nix": COMMON})
    address = open_file(client, root / "common.nix")
    assert await published(client, address, version=1) == []
    hover = await client.text_document_hover_async(
        lsp.HoverParams(lsp.TextDocumentIdentifier(address), lsp.Position(2, 18))
    )
    assert hover.range == rng(2, 2, 2, 22)
    assert hover.contents.kind == lsp.MarkupKind.Markdown
    assert hover.contents.value == (
        "**`nix.settings.sandbox`**\n"
        "\n"
        "host **configuration**: `true`\n"
        f"- [configuration.nix:5]({uri(root / 'configuration.nix')}#L5) priority 50 (mkForce), "
        "condition true: `true` **(wins)**\n"
        f"- [common.nix:3]({uri(root / 'common.nix')}#L3) priority 100, condition true: `false`"
    )
    # on the middle component: the option set
    middle = await client.text_document_hover_async(
        lsp.HoverParams(lsp.TextDocumentIdentifier(address), lsp.Position(2, 8))
    )
    assert middle.range == rng(2, 2, 2, 14)
    assert middle.contents.value == (
        "**`nix.settings`**\n"
        "\n"
        "host **configuration**: a set of options: `sandbox`\n"
        f"- [common.nix:3]({uri(root / 'common.nix')}#L3) condition true: "
        "`{ sandbox = false; }`\n"
        f"- [configuration.nix:5]({uri(root / 'configuration.nix')}#L5) condition true: "
        "`{ sandbox = mkForce true; }`"
    )


async def test_hover_on_config_reference_and_nothing(
    client: RecordingClient, tmp_path: Path
) -> None:
    module = (
        "{ config, lib, ... }:\n"
        "{\n"
        "  nix.settings.sandbox = false;\n"
        '  environment.etc.x.text = if config.nix.settings.sandbox then "a" else "b";\n'
        "}\n"
    )
    root = project(tmp_path, {"host.nix": module})
    address = open_file(client, root / "host.nix")
    await published(client, address, version=1)
    hover = await client.text_document_hover_async(
        lsp.HoverParams(lsp.TextDocumentIdentifier(address), lsp.Position(3, 50))
    )
    assert hover.range == rng(3, 30, 3, 57)
    assert hover.contents.value.splitlines()[:3] == [
        "**`nix.settings.sandbox`**",
        "",
        "host **host**: `false`",
    ]
    nothing = await client.text_document_hover_async(
        lsp.HoverParams(lsp.TextDocumentIdentifier(address), lsp.Position(0, 3))
    )
    assert nothing is None


async def test_definition_jumps_to_the_winning_definition(
    client: RecordingClient, tmp_path: Path
) -> None:
    root = project(tmp_path, {"configuration.nix": FORCED, "common.nix": COMMON})
    address = open_file(client, root / "common.nix")
    await published(client, address, version=1)
    found = await client.text_document_definition_async(
        lsp.DefinitionParams(lsp.TextDocumentIdentifier(address), lsp.Position(2, 20))
    )
    assert found == [lsp.Location(uri(root / "configuration.nix"), rng(4, 2, 4, 22))]


async def test_definition_follows_unsaved_edits(client: RecordingClient, tmp_path: Path) -> None:
    root = project(tmp_path, {"configuration.nix": CONFIGURATION, "common.nix": COMMON})
    common = open_file(client, root / "common.nix")
    host = open_file(client, root / "configuration.nix")
    await published(client, common, version=1)
    change(client, host, 2, (3, 0), (3, 0), "  nix.settings.sandbox = lib.mkForce true;\n")
    # asked before the debounced analysis ran: the answer still reflects the edit
    found = await client.text_document_definition_async(
        lsp.DefinitionParams(lsp.TextDocumentIdentifier(common), lsp.Position(2, 20))
    )
    assert found == [lsp.Location(host, rng(3, 2, 3, 22))]


# -- robustness -----------------------------------------------------------------------------

HALF_TYPED = [
    "{ config, lib, ... }:\n{\n  nix.settings.sandbox = false;\n  services.x = {\n",
    '{\n  nix.settings.sandbox = false;\n  users.users.a.description = "unterminated\n}\n',
    "{\n  nix.settings.sandbox = false;\n  x = ''\n    never closed\n",
    "{ a = [ 1 2 ; b = { c = ; }; nix.settings.sandbox = false;",
    "",
    "\0\0\0binary\0\0\0\0\0\0\0",
]


async def test_half_typed_buffers_never_crash(client: RecordingClient, tmp_path: Path) -> None:
    root = project(tmp_path, {"host.nix": "{ }\n"})
    address = open_file(client, root / "host.nix")
    assert await published(client, address, version=1) == []
    for version, text in enumerate(HALF_TYPED, start=2):
        replace_all(client, address, version, text)
        diagnostics = await published(client, address, version=version)
        codes = {str(d.code) for d in diagnostics}
        assert codes <= {"NIX001", "NIX003", "NIX301"}, text
        if text.startswith("{ config"):
            assert "NIX001" in codes
    # typing a file character by character, with an analysis at every keystroke
    text = COMMON
    replace_all(client, address, 20, "")
    for i, ch in enumerate(text):
        line = text[:i].count("\n")
        column = i - (text.rfind("\n", 0, i) + 1)
        change(client, address, 21 + i, (line, column), (line, column), ch)
    final = 21 + len(text) - 1
    assert summary(await published(client, address, version=final)) == [("NIX301", 2, 25, 2, 30)]
    hover = await client.text_document_hover_async(
        lsp.HoverParams(lsp.TextDocumentIdentifier(address), lsp.Position(2, 18))
    )
    assert hover.contents.value.splitlines()[0] == "**`nix.settings.sandbox`**"


# -- the workspace --------------------------------------------------------------------------


async def test_files_changed_on_disk_refresh_open_files(
    client: RecordingClient, tmp_path: Path
) -> None:
    root = project(tmp_path, {"configuration.nix": CONFIGURATION, "common.nix": COMMON})
    common = open_file(client, root / "common.nix")
    assert summary(await published(client, common, version=1)) == [("NIX301", 2, 25, 2, 30)]
    assert [
        (r.method, [w["globPattern"] for w in r.register_options["watchers"]])
        for r in client.registrations
    ] == [
        (
            "workspace/didChangeWatchedFiles",
            ["**/*.nix", "**/nixlint.toml", "**/.nixlint.toml", "**/pyproject.toml"],
        )
    ]
    (root / "configuration.nix").write_text(FORCED)
    mark = len(client.published)
    client.workspace_did_change_watched_files(
        lsp.DidChangeWatchedFilesParams(
            [lsp.FileEvent(uri(root / "configuration.nix"), lsp.FileChangeType.Changed)]
        )
    )
    assert await published(client, common, after=mark) == []


@pytest_lsp.fixture(config=config())
async def folder_client(lsp_client: RecordingClient, tmp_path: Path):
    await lsp_client.initialize_session(
        lsp.InitializeParams(
            capabilities=client_capabilities("visual-studio-code"),
            workspace_folders=[lsp.WorkspaceFolder(uri(tmp_path), "fleet")],
            initialization_options={"debounce": 0.02},
        )
    )
    yield
    await lsp_client.shutdown_session()


async def test_outside_a_repository_the_workspace_folder_gives_the_hosts(
    folder_client: RecordingClient, tmp_path: Path
) -> None:
    # no flake.nix, no .git: the workspace folder is the project
    forced = FORCED.replace("./common.nix", "./modules/common.nix")
    (tmp_path / "configuration.nix").write_text(forced)
    (tmp_path / "modules").mkdir()
    (tmp_path / "modules" / "common.nix").write_text(COMMON)
    common = open_file(folder_client, tmp_path / "modules" / "common.nix")
    assert await published(folder_client, common, version=1) == []
    found = await folder_client.text_document_definition_async(
        lsp.DefinitionParams(lsp.TextDocumentIdentifier(common), lsp.Position(2, 20))
    )
    assert found == [lsp.Location(uri(tmp_path / "configuration.nix"), rng(4, 2, 4, 22))]


# -- the CLI's configuration and suppressions ---------------------------------------------


async def test_inline_suppressions_in_the_buffer(client: RecordingClient, tmp_path: Path) -> None:
    suppressed = COMMON.replace(
        "  nix.settings.sandbox",
        "  # nixlint: ignore[NIX301] builds fetch from the intranet\n  nix.settings.sandbox",
    )
    root = project(tmp_path, {"configuration.nix": CONFIGURATION, "common.nix": suppressed})
    address = open_file(client, root / "common.nix")
    assert await published(client, address, version=1) == []
    # the reason deleted: the suppression no longer suppresses, and says so
    change(client, address, 2, (2, 28), (2, 58), "")
    diagnostics = await published(client, address, version=2)
    assert [(str(d.code), d.range.start.line, d.message) for d in diagnostics] == [
        (
            "NIX006",
            2,
            "suppression of NIX301 gives no reason, so it does not suppress: write why after "
            "the codes, e.g. `# nixlint: ignore[NIX301] <why it is safe here>`",
        ),
        ("NIX301", 3, "the Nix build sandbox is disabled"),
    ]
    cli = check([str(root / "common.nix")])
    assert cli.findings[0].rule == "NIX301"  # the analysis alone, before suppressions


async def test_the_configuration_file_applies(client: RecordingClient, tmp_path: Path) -> None:
    root = project(
        tmp_path,
        {
            "configuration.nix": CONFIGURATION,
            "common.nix": COMMON,
            "nixlint.toml": 'ignore = ["nix-sandbox-disabled"]\n',
        },
    )
    address = open_file(client, root / "common.nix")
    assert await published(client, address, version=1) == []


async def test_a_broken_configuration_is_shown_and_the_defaults_apply(
    client: RecordingClient, tmp_path: Path
) -> None:
    root = project(
        tmp_path,
        {"configuration.nix": CONFIGURATION, "common.nix": COMMON, "nixlint.toml": "ignore = 3\n"},
    )
    address = open_file(client, root / "common.nix")
    assert summary(await published(client, address, version=1)) == [("NIX301", 2, 25, 2, 30)]
    assert [(m.type, m.message) for m in client.messages] == [
        (
            lsp.MessageType.Warning,
            f"nixlint: configuration: {root / 'nixlint.toml'}: ignore: "
            "expected a list of strings, got 3 (using the defaults)",
        ),
    ]


SSHD = """\
{
  services.openssh.enable = true;
  services.openssh.settings.PermitRootLogin = "yes";
  services.openssh.extraConfig = ''
    PermitRootLogin yes
  '';
}
"""


async def test_root_login_quick_fixes(client: RecordingClient, tmp_path: Path) -> None:
    root = project(tmp_path, {"host.nix": SSHD})
    address = open_file(client, root / "host.nix")
    diagnostics = [d for d in await published(client, address, version=1) if d.code == "NIX401"]
    assert [d.range for d in diagnostics] == [rng(2, 46, 2, 51), rng(4, 4, 4, 23)]
    fixes = []
    for d in diagnostics:
        found = await client.text_document_code_action_async(
            lsp.CodeActionParams(
                lsp.TextDocumentIdentifier(address), d.range, lsp.CodeActionContext([d])
            )
        )
        fixes.extend((a.title, a.edit.changes[address]) for a in found if a.is_preferred)
    assert fixes == [
        (
            'Allow root logins with a key only (PermitRootLogin = "prohibit-password")',
            (lsp.TextEdit(rng(2, 46, 2, 51), '"prohibit-password"'),),
        ),
        (
            "Allow root logins with a key only (PermitRootLogin prohibit-password)",
            (lsp.TextEdit(rng(4, 20, 4, 23), "prohibit-password"),),
        ),
    ]
    change(client, address, 2, (4, 20), (4, 23), "prohibit-password")
    change(client, address, 3, (2, 46), (2, 51), '"prohibit-password"')
    remaining = await published(client, address, version=3)
    assert [str(d.code) for d in remaining] == ["NIX402", "NIX403"]  # passwords: no safe fix


async def test_related_information_names_the_other_definitions(
    client: RecordingClient, tmp_path: Path
) -> None:
    root = project(
        tmp_path,
        {
            "configuration.nix": CONFIGURATION.replace("./common.nix", "./common.nix ./other.nix"),
            "common.nix": COMMON,
            "other.nix": "{\n  nix.settings.sandbox = false;\n}\n",
        },
    )
    address = open_file(client, root / "common.nix")
    [diagnostic] = await published(client, address, version=1)
    assert diagnostic.related_information == (
        lsp.DiagnosticRelatedInformation(
            lsp.Location(uri(root / "other.nix"), rng(1, 2, 1, 22)),
            "nix.settings.sandbox is defined here (priority 100; host configuration)",
        ),
    )


@pytest_lsp.fixture(config=config())
async def patient_client(lsp_client: RecordingClient):
    await lsp_client.initialize_session(
        lsp.InitializeParams(
            capabilities=client_capabilities("visual-studio-code"),
            initialization_options={"debounce": 1.0},
        )
    )
    yield
    await lsp_client.shutdown_session()


async def test_changes_in_a_burst_give_one_analysis(
    patient_client: RecordingClient, tmp_path: Path
) -> None:
    root = project(tmp_path, {"configuration.nix": CONFIGURATION, "common.nix": COMMON})
    address = open_file(patient_client, root / "common.nix")
    await published(patient_client, address, version=1)
    mark = len(patient_client.published)
    # typing "true" over "false", one key at a time
    for version, (end, text) in enumerate([(30, "t"), (26, "tr"), (27, "tru"), (28, "true")], 2):
        change(patient_client, address, version, (2, 25), (2, end), text)
    assert await published(patient_client, address, after=mark) == []
    assert [p.version for p in patient_client.published[mark:]] == [5]
