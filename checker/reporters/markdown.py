"""Markdown report (a pull-request comment): the macros of reports/markdown.md.j2 over the JSON
document, put together here so that a size budget can keep what matters.

Card text, names and messages are untrusted. Every ``{{ value }}`` goes through ``_finalize``:
Markdown punctuation is backslash-escaped (no emphasis, links, images, raw HTML, tables broken
open), autolinks and ``@mentions`` are defused, control and bidi characters are shown escaped and
white space is one line. Inside raw HTML (the ``<summary><code>`` line) backslashes do nothing, so
there the ``html`` filter HTML-escapes instead; code spans get a fence longer than any backtick
run in the text.

A budget (``max_chars``, default 65,000: GitHub refuses comments over 65,536) keeps, when the full
report is larger, the head and a summary table of the models that do not pass, then as many
model details as fit (those that do not pass first), and ends with a line saying how many were
left out and where the full report is. Even a budget smaller than the summary gives a valid
report with that line.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from markupsafe import Markup, escape

from checker.reporters._common import environment
from checker.reporters._people import decision, licence_label, one_line, reason
from checker.reporters.json_report import to_document
from checker.result import AuditResult

DEFAULT_MAX_CHARS = 65_000
NO_FULL_REPORT = Markup(
    "not written by this run (write one with `-f html -o FILE` or `-f json -o FILE`)"
)

_MD_ESCAPES = str.maketrans(
    {c: "\\" + c for c in "\\`*_[]<>|&!~#$:@{}"}  # ':' and '@' stop autolinks and mentions
)
_WWW = re.compile(r"(?i)(www)\.")


def escape_markdown(value: Any) -> str:
    """Untrusted text as inert Markdown inline text (one line)."""
    text = one_line(value).translate(_MD_ESCAPES)
    return _WWW.sub(r"\1\\.", text) if "ww" in text.lower() else text


def _finalize(value: Any) -> Any:
    if isinstance(value, Markup):
        return value
    return escape_markdown(value)


def code_span(value: Any, cell: bool = False) -> Markup:
    """``value`` as one Markdown code span (``cell``: inside a table row, where ``|`` must be
    written ``\\|`` even in code)."""
    text = one_line(value)
    if not text:
        return Markup('""')
    fence = "`" * (max((len(run) for run in re.findall("`+", text)), default=0) + 1)
    pad = " " if text[0] == "`" or text[-1] == "`" else ""
    if cell:
        text = text.replace("|", "\\|")
    return Markup(f"{fence}{pad}{text}{pad}{fence}")


def _html(value: Any) -> Markup:
    return Markup(escape(one_line(value)))


@lru_cache(maxsize=1)
def _template() -> Any:
    """The compiled template (compiled once per process)."""
    env = environment(autoescape=False, finalize=_finalize)
    env.filters.update(
        code=code_span,
        code_cell=lambda v: code_span(v, cell=True),
        html=_html,
        licence_label=licence_label,
    )
    return env.get_template("markdown.md.j2")


def _module(doc: dict[str, Any]) -> Any:
    return _template().make_module({"doc": doc})


def render_markdown(
    result: AuditResult,
    max_chars: int | None = DEFAULT_MAX_CHARS,
    full_report: tuple[str, ...] = (),
) -> str:
    """The Markdown report, within ``max_chars`` characters when it is set (0 or None: no
    limit); ``full_report`` names the files of this run that hold the complete report."""
    doc = to_document(result)
    macros = _module(doc)
    head = str(macros.head(doc, decision(doc)))
    rows = [str(macros.row(m, reason(m))) for m in doc["models"]]
    table = str(macros.table_head()) + "".join(rows) if rows else ""
    extra = str(macros.policy_findings(doc)) + str(macros.use_details(doc))
    details = [str(macros.model(m)) for m in doc["models"]]
    full = head + table + extra + "".join(details)
    if not max_chars or len(full) <= max_chars:
        return full
    where = Markup(", ").join(code_span(f) for f in full_report) or NO_FULL_REPORT
    return _within(doc, macros, max_chars, where, head, rows, extra, details)


def _within(
    doc: dict[str, Any],
    macros: Any,
    budget: int,
    where: Markup,
    head: str,
    rows: list[str],
    extra: str,
    details: list[str],
) -> str:
    """The shortened report: as much as fits in ``budget`` with the closing note."""
    models = doc["models"]
    total = len(models)
    room = budget - len(str(macros.note(total, total, total, budget, where)))
    out = head
    if len(out) > room:  # not even the head fits: the decision alone
        out = f"# Clearance audit\n\n**{escape_markdown(decision(doc))}**\n"
    failing = [i for i, m in enumerate(models) if m["verdict"] != "pass"]
    passing = [i for i, m in enumerate(models) if m["verdict"] == "pass"]
    table, kept_rows = str(macros.table_head()), 0
    if failing and len(out) + len(table) + len(rows[failing[0]]) <= room:
        out += table
        for i in failing:
            if len(out) + len(rows[i]) > room:
                break
            out += rows[i]
            kept_rows += 1
    rows_left_out, kept = len(failing) - kept_rows, 0
    if not rows_left_out:
        if passing:
            out += f"\n{len(passing)} passing model(s) not listed in this table.\n"
        if len(out) + len(extra) <= room:
            out += extra
        for i in failing + passing:
            if len(out) + len(details[i]) > room:
                break
            out += details[i]
            kept += 1
    return out + str(macros.note(total - kept, total, rows_left_out, budget, where))


__all__ = ["DEFAULT_MAX_CHARS", "code_span", "escape_markdown", "render_markdown"]
