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


class ReportFormat(StrEnum):
    text = "text"
    concise = "concise"
    json = "json"
    sarif = "sarif"
    github = "github"


Paths = Annotated[list[str], typer.Argument(help="Files or directories to analyse.")]
SelectOption = Annotated[
    list[str] | None,
    typer.Option(
        "--select", help="Only these rules (codes, names or prefixes); replaces the configured."
    ),
]
ExtendSelectOption = Annotated[
    list[str] | None, typer.Option("--extend-select", help="Add these rules to the selection.")
]
IgnoreOption = Annotated[list[str] | None, typer.Option("--ignore", help="Skip these rules.")]
ExcludeOption = Annotated[
    list[str] | None,
    typer.Option("--exclude", metavar="GLOB", help="Leave out files matching this glob."),
]
ConfigOption = Annotated[
    str | None,
    typer.Option(
        "--config", metavar="FILE", help="Use this configuration file instead of looking for one."
    ),
]
IsolatedOption = Annotated[
    bool, typer.Option("--isolated", help="Ignore every configuration file.")
]
NoInlineOption = Annotated[
    bool,
    typer.Option(
        "--no-inline-ignores",
        help="Ignore `# nixlint: ignore[...]` comments: report what they would suppress.",
    ),
]


def _overrides(
    select: list[str] | None,
    extend_select: list[str] | None,
    ignore: list[str] | None,
    exclude: list[str] | None,
    config: str | None,
    isolated: bool,
    no_inline_ignores: bool,
    fail_on: str | None = None,
    baseline: str | None = None,
) -> object:
    from nixlint.config import Overrides

    return Overrides(
        select=select,
        extend_select=extend_select or (),
        ignore=ignore or (),
        exclude=exclude or (),
        fail_on=fail_on,
        inline_ignores=False if no_inline_ignores else None,
        baseline=baseline,
        config=config,
        isolated=isolated,
    )


@app.command()
def check(
    paths: Paths,
    format: Annotated[
        ReportFormat, typer.Option("--format", "-f", help="Output format.")
    ] = ReportFormat.text,
    select: SelectOption = None,
    extend_select: ExtendSelectOption = None,
    ignore: IgnoreOption = None,
    fail_on: Annotated[
        FailOn | None,
        typer.Option(
            "--fail-on",
            help="Exit 1 when a finding is at least this severe [default: low, or fail-on "
            "in the configuration].",
            show_default=False,
        ),
    ] = None,
    exit_zero: Annotated[
        bool, typer.Option("--exit-zero", help="Exit 0 even with findings.")
    ] = False,
    output: Annotated[
        str | None,
        typer.Option(
            "--output",
            "-o",
            metavar="FILE",
            help="Write the report to FILE; the terminal then gets the text report "
            "(unless --quiet or the format is text).",
        ),
    ] = None,
    quiet: Annotated[
        bool, typer.Option("--quiet", "-q", help="With --output, print nothing.")
    ] = False,
    statistics: Annotated[
        bool, typer.Option("--statistics", help="Show counts per rule instead of findings.")
    ] = False,
    baseline: Annotated[
        str | None,
        typer.Option(
            "--baseline",
            metavar="FILE",
            help="Report only findings that are not in this baseline (see `nixlint baseline`).",
        ),
    ] = None,
    show_suppressed: Annotated[
        bool,
        typer.Option("--show-suppressed", help="Also list suppressed findings, with how and why."),
    ] = False,
    no_inline_ignores: NoInlineOption = False,
    exclude: ExcludeOption = None,
    config: ConfigOption = None,
    isolated: IsolatedOption = False,
    jobs: Annotated[
        int | None,
        typer.Option(
            "--jobs",
            "-j",
            min=1,
            help="Processes to build hosts in (default: the number of CPUs).",
            show_default=False,
        ),
    ] = None,
    no_cache: Annotated[
        bool, typer.Option("--no-cache", help="Neither read nor write the result cache.")
    ] = False,
    cache_dir: Annotated[
        str | None,
        typer.Option(
            "--cache-dir",
            metavar="DIR",
            help="Where the cache lives (default: $XDG_CACHE_HOME/nixlint).",
            show_default=False,
        ),
    ] = None,
    executor: Annotated[
        str | None,
        typer.Option(
            "--executor",
            metavar="dask://HOST:PORT",
            help="Build hosts on a Dask cluster (needs nixlint's dask extra).",
        ),
    ] = None,
) -> None:
    """Analyse files and report security findings."""
    from nixlint.quick import execute

    code = execute(
        paths,
        format.value,
        select,
        extend_select,
        ignore,
        fail_on.value if fail_on else None,
        exit_zero,
        output,
        quiet,
        statistics,
        baseline,
        show_suppressed,
        no_inline_ignores,
        exclude,
        config,
        isolated,
        jobs,
        no_cache,
        cache_dir,
        executor,
    )
    raise typer.Exit(code)


@app.command("baseline")
def baseline_command(
    paths: Paths,
    output: Annotated[
        str,
        typer.Option("--output", "-o", metavar="FILE", help="Where to write the baseline."),
    ] = ".nixlint-baseline.json",
    select: SelectOption = None,
    extend_select: ExtendSelectOption = None,
    ignore: IgnoreOption = None,
    no_inline_ignores: NoInlineOption = False,
    exclude: ExcludeOption = None,
    config: ConfigOption = None,
    isolated: IsolatedOption = False,
) -> None:
    """Record the current findings, so that `check --baseline FILE` reports only new ones."""
    from nixlint.baseline import BaselineError, write
    from nixlint.workflow import WorkflowError, run

    overrides = _overrides(
        select, extend_select, ignore, exclude, config, isolated, no_inline_ignores
    )
    try:
        outcome = run(paths, overrides, use_baseline=False)  # type: ignore[arg-type]
        count = write(outcome.report.findings, output)
    except (WorkflowError, BaselineError) as err:
        raise _fail(str(err)) from None
    typer.echo(f"Recorded {count} finding{'s' if count != 1 else ''} in {output}.")
    raise typer.Exit(2 if outcome.report.internal_errors else 0)


@app.command("config")
def config_command(
    path: Annotated[
        str, typer.Argument(help="The file or directory whose configuration to show.")
    ] = ".",
    format: Annotated[Format, typer.Option("--format", "-f", help="Output format.")] = Format.text,
    config: ConfigOption = None,
    isolated: IsolatedOption = False,
) -> None:
    """Show the effective configuration, and which file set each value."""
    import os

    from nixlint.config import ConfigError, Overrides, Policy, describe

    try:
        policy = Policy(Overrides(config=config, isolated=isolated))
        target = os.path.abspath(path)
        directory = target if os.path.isdir(target) else os.path.dirname(target)
        effective = policy.config_at(directory)
        shown = describe(effective, policy.rules(os.path.join(directory, "x.nix")))
    except ConfigError as err:
        raise _fail(str(err)) from None
    if format is Format.json:
        typer.echo(json.dumps(shown, indent=2))
        return
    typer.echo(f"configuration file: {shown['file'] or 'none (defaults)'}")
    settings = shown["settings"]
    assert isinstance(settings, dict)
    for key, entry in settings.items():
        value = json.dumps(entry["value"])
        typer.echo(f"{key:<20} {value:<40} ({entry['source']})")
    rules = shown["rules"]
    assert isinstance(rules, list)
    typer.echo(f"{'enabled rules':<20} {', '.join(rules)}")


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
def hosts(
    paths: Annotated[list[str], typer.Argument(help="Files or directories to look in.")],
    format: Annotated[Format, typer.Option("--format", "-f", help="Output format.")] = Format.text,
) -> None:
    """List the hosts found (flake nixosConfigurations, root modules) and their files."""
    from nixlint.analyze import UsageError, list_hosts

    try:
        found = list_hosts(paths)
    except UsageError as err:
        raise _fail(str(err)) from None
    if format is Format.json:
        typer.echo(json.dumps(found, indent=2))
        return
    for host in found["hosts"]:  # type: ignore[union-attr]
        typer.echo(
            f"{host['name']}  ({host['kind']}: {host['origin']}, {len(host['files'])} files)"
        )
        for path in host["files"]:
            typer.echo(f"    {path}")
        for label in host["external_imports"]:
            typer.echo(f"    + {label} (not read)")
        for path in host["missing_imports"]:
            typer.echo(f"    ! {path} (missing)")
    for flake in found["flakes"]:  # type: ignore[union-attr]
        for reason in flake["unresolved"]:
            typer.echo(f"{flake['path']}: not resolved: {reason}")
    orphans = found["files_without_host"]
    if orphans:
        typer.echo(f"{len(orphans)} files belong to no host: " + ", ".join(orphans))  # type: ignore[arg-type]


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


@app.command()
def services(
    paths: Annotated[list[str], typer.Argument(help="Files or directories to analyse.")],
    format: Annotated[Format, typer.Option("--format", "-f", help="Output format.")] = Format.text,
    threshold: Annotated[
        str | None,
        typer.Option(
            "--threshold",
            help="Mark services at or above this exposure: a score (9.0) or a band (UNSAFE). "
            "Default: EXPOSED (7.5), or NIXLINT_EXPOSURE_THRESHOLD.",
        ),
    ] = None,
    live: Annotated[
        bool,
        typer.Option(
            "--live",
            help="Score as systemd-analyze security scores a running unit, which also counts "
            "PrivateMounts as implied by PrivateTmp, ProtectSystem and the like (default: as "
            "it scores a unit file, --offline=yes).",
        ),
    ] = False,
) -> None:
    """Score every systemd service as `systemd-analyze security` would."""
    from nixlint.analyze import UsageError
    from nixlint.rules.services import parse_threshold
    from nixlint.rules.services import threshold as default_threshold
    from nixlint.systemd.report import render_json, render_text, scan

    try:
        limit = parse_threshold(threshold) if threshold is not None else default_threshold()
        reports = scan(paths, live=live)
    except (UsageError, ValueError) as err:
        raise _fail(str(err)) from None
    if format is Format.json:
        typer.echo(json.dumps(render_json(reports, limit, live), indent=2, ensure_ascii=False))
    else:
        typer.echo(render_text(reports, limit), nl=False)
