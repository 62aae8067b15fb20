"""``nixlint check``: the command's work, and a direct way in for the pre-commit hook.

:func:`execute` is what ``nixlint check`` does once its options are parsed; the typer command
in :mod:`nixlint.cli` calls it. :func:`main` is the ``nixlint`` program: when the command is
``check`` with plain options it parses them itself and calls :func:`execute` without
importing the command-line framework (a third of a small hook run's start-up); anything else
(help, a mistake, other commands) goes to the typer CLI, which has the last word. A test keeps
the option tables below equal to the typer command's.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence

FORMATS = ("text", "concise", "json", "sarif", "github")
SEVERITIES = ("critical", "high", "medium", "low", "info")

#: Options that take a value: flag → parameter; the repeatable ones collect a list.
VALUED = {
    "--format": "format",
    "-f": "format",
    "--select": "select",
    "--extend-select": "extend_select",
    "--ignore": "ignore",
    "--fail-on": "fail_on",
    "--output": "output",
    "-o": "output",
    "--baseline": "baseline",
    "--exclude": "exclude",
    "--config": "config",
    "--jobs": "jobs",
    "-j": "jobs",
    "--cache-dir": "cache_dir",
    "--executor": "executor",
}
REPEATABLE = frozenset({"select", "extend_select", "ignore", "exclude"})
FLAGS = {
    "--exit-zero": "exit_zero",
    "--quiet": "quiet",
    "-q": "quiet",
    "--statistics": "statistics",
    "--show-suppressed": "show_suppressed",
    "--no-inline-ignores": "no_inline_ignores",
    "--isolated": "isolated",
    "--no-cache": "no_cache",
}
CHOICES = {"format": FORMATS, "fail_on": SEVERITIES}


def parse(argv: Sequence[str]) -> dict[str, object] | None:
    """The options of ``check``, or None when anything is not plain (left to typer)."""
    options: dict[str, object] = {"paths": []}
    args = list(argv)
    positional_only = False
    while args:
        arg = args.pop(0)
        if positional_only or not arg.startswith("-") or arg == "-":
            options["paths"].append(arg)  # type: ignore[union-attr]
            continue
        if arg == "--":
            positional_only = True
            continue
        name, eq, value = arg.partition("=")
        if name in FLAGS and not eq:
            options[FLAGS[name]] = True
            continue
        if name not in VALUED:
            return None  # --help, a typo, combined short options: typer answers
        if not eq:
            if not args:
                return None
            value = args.pop(0)
        key = VALUED[name]
        if key in CHOICES and value not in CHOICES[key]:
            return None
        if key == "jobs":
            if not value.isdigit() or int(value) < 1:
                return None
            options[key] = int(value)
            continue
        if key in REPEATABLE:
            options.setdefault(key, []).append(value)  # type: ignore[union-attr]
        else:
            options[key] = value
    return options if options["paths"] else None


def _error(message: str) -> int:
    sys.stderr.write(f"nixlint: error: {message}\n")
    return 2


def execute(
    paths: list[str],
    format: str = "text",
    select: list[str] | None = None,
    extend_select: list[str] | None = None,
    ignore: list[str] | None = None,
    fail_on: str | None = None,
    exit_zero: bool = False,
    output: str | None = None,
    quiet: bool = False,
    statistics: bool = False,
    baseline: str | None = None,
    show_suppressed: bool = False,
    no_inline_ignores: bool = False,
    exclude: list[str] | None = None,
    config: str | None = None,
    isolated: bool = False,
    jobs: int | None = None,
    no_cache: bool = False,
    cache_dir: str | None = None,
    executor: str | None = None,
) -> int:
    """Run a check and write its report; returns the exit code."""
    import os

    from nixlint import report
    from nixlint.analyze import Options
    from nixlint.cache import default_directory
    from nixlint.config import Overrides
    from nixlint.console import A_MOMENT, ProgressBar, summary, wants_live_output
    from nixlint.workflow import WorkflowError, run

    live = wants_live_output(sys.stderr)
    progress = ProgressBar() if live else None
    options = Options(
        jobs=jobs or os.cpu_count() or 1,
        cache_dir=None if no_cache else (cache_dir or default_directory()),
        executor=executor,
        progress=progress,
        keep_hosts=False,
    )

    overrides = Overrides(
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
    try:
        outcome = run(
            paths,
            overrides,
            show_suppressed=show_suppressed,
            statistics=statistics,
            options=options,
        )
    except WorkflowError as err:
        return _error(str(err))
    except RuntimeError as err:  # the executor could not be reached or used
        return _error(str(err))
    finally:
        if progress is not None:
            progress.close()
    if live and outcome.result.seconds > 2 * A_MOMENT:
        summary(outcome.result, sys.stderr)
    if not outcome.result.files and not quiet:
        print(
            "nixlint: warning: no .nix files found in "
            + ", ".join(paths)
            + " (or all of them are excluded)",
            file=sys.stderr,
        )
    render = report.get(format)
    if output:
        try:
            with open(output, "w", encoding="utf-8") as stream:
                render(outcome.report, stream)
        except OSError as err:
            return _error(f"cannot write {output}: {err.strerror}")
        if not quiet and format != "text":
            report.get("text")(outcome.report, sys.stdout)
    else:
        render(outcome.report, sys.stdout)
    return outcome.exit_code(exit_zero)


def main() -> None:
    """The ``nixlint`` program."""
    sys.setrecursionlimit(max(sys.getrecursionlimit(), 20000))
    try:
        sys.exit(_run(sys.argv[1:]))
    except BrokenPipeError:
        # The reader went away (``nixlint check … | head``): stop quietly, as other
        # command-line tools do, instead of a traceback.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        sys.exit(1)


def _run(argv: list[str]) -> int | None:
    if argv[:1] == ["check"]:
        options = parse(argv[1:])
        if options is not None:
            code = execute(**options)  # type: ignore[arg-type]
            sys.stdout.flush()
            return code
    from nixlint.cli import main as cli

    cli()
    return None
