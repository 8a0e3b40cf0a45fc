"""What ``clearance check`` writes besides the audit: the reports (to files or stdout), the
progress bar, and whether stdout gets styles. Imported by checker/cli.py inside its commands."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

import click

from checker.errors import UsageError

if TYPE_CHECKING:
    from checker.result import AuditResult


def use_color(no_color: bool) -> bool:
    """Styles on stdout: only on a terminal, never with --no-color or a non-empty NO_COLOR."""
    return sys.stdout.isatty() and not no_color and not os.environ.get("NO_COLOR")


def write_reports(
    result: AuditResult, pairs: list[tuple[str, str]], max_chars: int | None, no_color: bool
) -> None:
    """Render each (format, file) pair and write it (``-``: stdout); a file that cannot be
    written is a usage error naming it."""
    from checker.reporters import REPORTERS

    full = tuple(out for fmt, out in pairs if fmt in ("html", "json") and out != "-")
    for fmt, out in pairs:
        if fmt == "markdown":
            from checker.reporters.markdown import DEFAULT_MAX_CHARS, render_markdown

            limit = DEFAULT_MAX_CHARS if max_chars is None else max_chars
            text = render_markdown(result, max_chars=limit, full_report=full)
        elif fmt == "terminal":
            from checker.reporters.terminal import render_terminal

            text = render_terminal(result, color=out == "-" and use_color(no_color))
        else:
            text = REPORTERS[fmt](result)
        if out == "-":
            click.echo(text, nl=False)
            continue
        try:
            with open(out, "w", encoding="utf-8") as handle:
                handle.write(text)
        except OSError as exc:
            raise UsageError(f"{out}: cannot write report: {exc.strerror or exc}") from exc


@contextmanager
def progress_bar() -> Iterator[tuple[Callable[[Any], None] | None, Callable[[int], None] | None]]:
    """A progress bar on stderr when it is a terminal (not in CI logs, not when piped)."""
    if not sys.stderr.isatty() or os.environ.get("CI"):
        yield None, None
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    bar = Progress(
        TextColumn("auditing"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.description}"),
        console=Console(stderr=True),
        transient=True,
    )
    task = bar.add_task("", total=None)
    with bar:
        yield (
            lambda target: bar.update(task, advance=1, description=str(target.display)),
            lambda total: bar.update(task, total=total),
        )
