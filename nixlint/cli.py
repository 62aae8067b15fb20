"""The command line: each command parses its options and hands off to the library."""

from __future__ import annotations

import json
import sys
from enum import StrEnum
from typing import Annotated

import typer

from nixlint import __version__

app = typer.Typer(
    name="nixlint",
    help="Static security analysis for Nix and NixOS configurations.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


class Format(StrEnum):
    text = "text"
    json = "json"


class FailOn(StrEnum):
    critical = "critical"
    high = "high"
    medium = "medium"
    low = "low"
    info = "info"


def _version(value: bool) -> None:
    if value:
        from nixlint.parse import GRAMMAR_PACKAGE, GRAMMAR_VERSION

        typer.echo(f"nixlint {__version__} (grammar: {GRAMMAR_PACKAGE} {GRAMMAR_VERSION})")
        raise typer.Exit(0)


@app.callback()
def main_callback(
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version, is_eager=True, help="Show the version and exit."
        ),
    ] = False,
) -> None:
    """Static security analysis for Nix and NixOS configurations."""


def _fail(message: str) -> typer.Exit:
    typer.echo(f"nixlint: error: {message}", err=True)
    return typer.Exit(2)


@app.command()
def check(
    paths: Annotated[list[str], typer.Argument(help="Files or directories to analyse.")],
    format: Annotated[Format, typer.Option("--format", "-f", help="Output format.")] = Format.text,
    select: Annotated[
        list[str] | None,
        typer.Option("--select", help="Only these rules (codes, names or prefixes)."),
    ] = None,
    ignore: Annotated[list[str] | None, typer.Option("--ignore", help="Skip these rules.")] = None,
    fail_on: Annotated[
        FailOn, typer.Option("--fail-on", help="Exit 1 when a finding is at least this severe.")
    ] = FailOn.low,
    exit_zero: Annotated[
        bool, typer.Option("--exit-zero", help="Exit 0 even with findings.")
    ] = False,
    output: Annotated[
        str | None, typer.Option("--output", "-o", help="Write the report to a file.")
    ] = None,
) -> None:
    """Analyse files and report security findings."""
    from nixlint import report
    from nixlint.analyze import Selection, UsageError
    from nixlint.analyze import check as run_check
    from nixlint.findings import Severity

    try:
        selection = Selection.parse(select, ignore)
        result = run_check(paths, selection)
    except UsageError as err:
        raise _fail(str(err)) from None
    render = report.get(format.value)
    if output:
        try:
            with open(output, "w", encoding="utf-8") as stream:
                render(result, stream)
        except OSError as err:
            raise _fail(f"cannot write {output}: {err.strerror}") from None
    else:
        render(result, sys.stdout)
    if result.internal_errors:
        raise typer.Exit(2)
    threshold = Severity(fail_on.value).rank
    failing = any(f.severity.rank >= threshold for f in result.findings)
    raise typer.Exit(1 if failing and not exit_zero else 0)


@app.command()
def option(
    path: Annotated[str, typer.Argument(help="File or directory holding the configuration.")],
    option_path: Annotated[
        str, typer.Argument(metavar="OPTION", help="Option path, e.g. nix.settings.sandbox.")
    ],
    format: Annotated[Format, typer.Option("--format", "-f", help="Output format.")] = Format.text,
    host: Annotated[
        str | None, typer.Option("--host", help="The host to query when there are several.")
    ] = None,
) -> None:
    """Show an option's effective value and every definition of it."""
    from nixlint.analyze import UsageError, query_option

    try:
        answers = query_option([path], option_path, host)
    except UsageError as err:
        raise _fail(str(err)) from None
    if format is Format.json:
        document: object = answers[0] if len(answers) == 1 else answers
        typer.echo(json.dumps(document, indent=2))
        return
    for answer in answers:
        value = (
            json.dumps(answer["value"]) if answer["known"] else f"unknown ({answer.get('reason')})"
        )
        typer.echo(
            f"{answer['option']} [host {answer['host']}] = {value}  (from: {answer['source']})"
        )
        for d in answer["definitions"]:  # type: ignore[attr-defined]
            shown = json.dumps(d["value"]) if d["value"] is not None else "…"
            typer.echo(
                f"  {d['path']}:{d['line']}  priority {d['priority']}  condition {d['condition']}  = {shown}"
            )


class RulesFormat(StrEnum):
    text = "text"
    json = "json"
    markdown = "markdown"


@app.command()
def rules(
    format: Annotated[
        RulesFormat, typer.Option("--format", "-f", help="Output format.")
    ] = RulesFormat.text,
) -> None:
    """List every rule (markdown: the document docs/rules.md is generated from)."""
    from nixlint.rules.base import all_rules
    from nixlint.rules.docs import markdown

    catalogue = all_rules()
    if format is RulesFormat.json:
        typer.echo(json.dumps([r.to_json() for r in catalogue], indent=2))
    elif format is RulesFormat.markdown:
        typer.echo(markdown(catalogue), nl=False)
    else:
        for r in catalogue:
            typer.echo(f"{r.code}  {r.name:<36} {r.category:<12} {r.severity.value:<8} {r.summary}")


@app.command()
def explain(code: Annotated[str, typer.Argument(help="A rule code or name.")]) -> None:
    """Show a rule's full documentation."""
    from nixlint.rules.base import all_rules, lookup
    from nixlint.rules.docs import explain as document

    all_rules()
    found = lookup(code)
    if found is None:
        raise _fail(f"unknown rule {code!r} (see `nixlint rules`)")
    typer.echo(document(found), nl=False)


def main() -> None:
    sys.setrecursionlimit(max(sys.getrecursionlimit(), 20000))
    app()


@app.command()
def lsp(
    tcp: Annotated[
        str | None,
        typer.Option("--tcp", metavar="HOST:PORT", help="Listen on TCP instead of stdio."),
    ] = None,
) -> None:
    """Run the language server (on stdio unless --tcp is given)."""
    address: tuple[str, int] | None = None
    if tcp is not None:
        host, _, port = tcp.rpartition(":")
        if not port.isdigit() or not 0 < int(port) < 65536:
            raise _fail(f"--tcp wants HOST:PORT, not {tcp!r}")
        address = (host.strip("[]") or "127.0.0.1", int(port))
    try:
        from nixlint.lsp.server import serve
    except ImportError as err:
        raise _fail(
            f"the language server needs the lsp extra ({err.name} is missing): "
            "pip install 'nixlint[lsp]'"
        ) from None
    serve(address)
