"""What ``clearance check`` writes besides the audit: the reports (to files or stdout), the
progress bar, and whether stdout gets styles; and the weight options of ``clearance check``
(``weight_options``, the one name checker/cli.py imports at module level: click, no more)."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, TypeVar

import click

if TYPE_CHECKING:
    from checker.result import AuditResult
    from checker.sources.hashing import OnBytes

F = TypeVar("F", bound=Callable[..., Any])


def use_color(no_color: bool) -> bool:
    """Styles on stdout: only on a terminal, never with --no-color or a non-empty NO_COLOR."""
    return sys.stdout.isatty() and not no_color and not os.environ.get("NO_COLOR")


def write_reports(
    result: AuditResult, pairs: list[tuple[str, str]], max_chars: int | None, no_color: bool
) -> None:
    """Render each (format, file) pair and write it (``-``: stdout)."""
    from checker.reporters import REPORTERS

    full = tuple(out for fmt, out in pairs if fmt in ("html", "json") and out != "-")
    for fmt, out in pairs:
        if fmt == "json":  # written a model at a time: a large report is never held whole
            from checker.reporters.json_report import write_json

            _write(out, lambda write: write_json(result, write))
            continue
        if fmt == "markdown":
            from checker.reporters.markdown import DEFAULT_MAX_CHARS, render_markdown

            limit = DEFAULT_MAX_CHARS if max_chars is None else max_chars
            text = render_markdown(result, max_chars=limit, full_report=full)
        elif fmt == "terminal":
            from checker.reporters.terminal import render_terminal

            text = render_terminal(result, color=out == "-" and use_color(no_color))
        else:
            text = REPORTERS[fmt](result)
        _write(out, lambda write: write(text))  # noqa: B023 - called at once


def _write(out: str, render: Callable[[Callable[[str], object]], object]) -> None:
    """Give ``render`` a function writing text to ``out`` (``-``: stdout); a file that cannot be
    written is a usage error naming it."""
    if out == "-":
        render(lambda text: click.echo(text, nl=False))
        return
    try:
        with open(out, "w", encoding="utf-8") as handle:
            render(handle.write)
    except OSError as exc:
        from checker.errors import UsageError  # not at module level: --help imports this

        raise UsageError(f"{out}: cannot write report: {exc.strerror or exc}") from exc


@contextmanager
def progress_bar() -> Iterator[
    tuple[Callable[[Any], None] | None, Callable[[int], None] | None, OnBytes | None]
]:
    """A progress bar on stderr when it is a terminal (not in CI logs, not when piped): the
    models audited, and (``--hash-weights``) the bytes of the weight file being hashed."""
    if not sys.stderr.isatty() or os.environ.get("CI"):
        yield None, None, None
        return
    from rich.console import Console
    from rich.progress import BarColumn, Progress, TextColumn

    bar = Progress(
        TextColumn("{task.fields[what]}"),
        BarColumn(),
        _count_column(),
        TextColumn("{task.description}"),
        console=Console(stderr=True),
        transient=True,
    )
    task = bar.add_task("", total=None, what="auditing")
    hashing: list[Any] = []  # the bytes task, added when the first weight file is hashed

    def on_bytes(path: str, done: int, total: int) -> None:
        if not hashing:
            hashing.append(bar.add_task(path, total=total, what="hashing", bytes=True))
        bar.update(hashing[0], completed=done, total=total, description=path)

    with bar:
        yield (
            lambda target: bar.update(task, advance=1, description=str(target.display)),
            lambda total: bar.update(task, total=total),
            on_bytes,
        )


def _count_column() -> Any:
    """Models as ``n/total``; bytes hashed as sizes and a rate."""
    from rich import filesize
    from rich.progress import MofNCompleteColumn, ProgressColumn, Task
    from rich.text import Text

    class Count(ProgressColumn):
        models = MofNCompleteColumn()

        def render(self, task: Task) -> Text:
            if not task.fields.get("bytes"):
                return self.models.render(task)
            done, total = int(task.completed), int(task.total or 0)
            rate = f" {filesize.decimal(int(task.speed))}/s" if task.speed else ""
            return Text(f"{filesize.decimal(done)}/{filesize.decimal(total)}{rate}")

    return Count()


def weight_options(func: F) -> F:
    """``--weight-headers`` and ``--hash-weights`` of ``clearance check`` (declared here:
    checker/cli.py is at its size limit)."""
    func = click.option(
        "--hash-weights",
        is_flag=True,
        help="Stream every weight file of local folders through SHA-256 and list the digests "
        "in the reports (slow for large models; Hub models list the Hub's lfs.sha256 anyway).",
    )(func)
    return click.option(
        "--weight-headers",
        type=click.Choice(["auto", "always", "never"]),
        default="auto",
        show_default=True,
        help="Read Hub models' safetensors headers (range requests, no weights) for a licence: "
        "auto = only when the card names none.",
    )(func)
