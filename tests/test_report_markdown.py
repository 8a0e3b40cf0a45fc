"""The Markdown report through a real CommonMark/GFM renderer (markdown-it-py): hostile names and
card text make no element or attribute the template did not write, and the size budget keeps
the summary, cuts details and says so."""

from __future__ import annotations

from html.parser import HTMLParser
from typing import Any

import pytest
from hostile_reports import LONG, hostile_result, many
from markdown_it import MarkdownIt

from checker.reporters.markdown import DEFAULT_MAX_CHARS, code_span, render_markdown
from checker.result import AuditResult

NOTE = "_Shortened to fit"


def _renderer() -> MarkdownIt:
    """GFM as GitHub renders comments: tables, strikethrough, raw HTML, autolinks (www. and
    scheme links; GitHub does not link bare domains)."""
    md = MarkdownIt("gfm-like")
    md.linkify.set({"fuzzy_link": False})
    return md


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []
        self.ends: list[str] = []
        self.comments: list[str] = []
        self.other: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, attrs))

    def handle_endtag(self, tag: str) -> None:
        self.ends.append(tag)

    def handle_comment(self, data: str) -> None:
        self.comments.append(data)

    def unknown_decl(self, data: str) -> None:
        self.other.append(data)

    def handle_pi(self, data: str) -> None:
        self.other.append(data)


def _elements(markdown: str) -> _Tags:
    parser = _Tags()
    parser.feed(_renderer().render(markdown))
    parser.close()
    return parser


def _template_tags(example: AuditResult) -> set[str]:
    return {tag for tag, _ in _elements(render_markdown(example, max_chars=0)).tags}


def test_hostile_text_makes_no_element_or_attribute(example_result: AuditResult) -> None:
    text = render_markdown(hostile_result(example_result), max_chars=0)
    page = _elements(text)
    allowed = _template_tags(example_result)
    assert allowed <= {
        "h1",
        "p",
        "strong",
        "code",
        "table",
        "thead",
        "tbody",
        "tr",
        "th",
        "td",
        "details",
        "summary",
        "ul",
        "li",
        "hr",
        "em",
    }
    assert {tag for tag, _ in page.tags} <= allowed
    assert [attrs for _, attrs in page.tags if attrs] == []
    assert page.comments == [] and page.other == []
    opened = [tag for tag, _ in page.tags]
    for tag in ("details", "summary", "table"):
        assert opened.count(tag) == page.ends.count(tag), tag
    models = len(hostile_result(example_result).models)
    assert opened.count("details") == models + 1  # one per model, one for the intended use
    for bad in ("\x1b", "\u202e", "\x07", "\x00"):
        assert bad not in text
    assert "\\x1b[31mred" in text and "\\u202eevil" in text  # shown, escaped


def test_hostile_text_is_shown_as_text(example_result: AuditResult) -> None:
    html = _renderer().render(render_markdown(hostile_result(example_result), max_chars=0))
    assert "&lt;img src=x onerror=alert(1)&gt;" in html
    assert "&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&lt;details open&gt;" in html and "&lt;!--" in html and "]]&gt;" in html
    assert "[x](javascript:alert(1))" in html
    assert LONG in html


@pytest.mark.parametrize("text", ["a`b", "``", "`x`", "a|b", "<b>", ""])
def test_code_spans_hold_any_text(text: str) -> None:
    cell = _renderer().render(f"| h |\n|---|\n| {code_span(text, cell=True)} |\n")
    inline = _renderer().render(f"x {code_span(text)} y")
    if text:
        expected = text.replace("<", "&lt;").replace(">", "&gt;")
        assert f"<code>{expected}</code>" in cell and f"<code>{expected}</code>" in inline


def test_the_example_report_fits_and_leads_with_the_decision(example_result: AuditResult) -> None:
    text = render_markdown(example_result)
    assert len(text) < DEFAULT_MAX_CHARS and NOTE not in text
    assert text.startswith("# Clearance audit\n\n**6 of 10 models not approved under acme")
    assert "| Llama 3.1 Community License Agreement |" in text
    assert "| license/not-allowed\\: licence CC-BY-NC-4.0 is not allowed by the policy |" in text


def _balanced(text: str) -> None:
    page = _elements(text)
    opened = [tag for tag, _ in page.tags]
    for tag in ("details", "summary", "table", "ul"):
        assert opened.count(tag) == page.ends.count(tag), (tag, text[-300:])


def test_budget_keeps_the_failing_and_warning_models_then_details(
    example_result: AuditResult,
) -> None:
    big = many(example_result, 10)  # 100 models
    full = render_markdown(big, max_chars=0)
    assert len(full) > DEFAULT_MAX_CHARS
    text = render_markdown(big, full_report=("audit.html",))
    assert len(text) <= DEFAULT_MAX_CHARS
    _balanced(text)
    rows = [r for r in text.splitlines() if r.startswith("| `") and not r.startswith("| `use.")]
    assert len(rows) == 70 and not any("| pass |" in r for r in rows)  # 6 fail + 1 warn, x10
    assert "30 passing model(s) not listed in this table." in text
    last = text.rstrip().splitlines()[-1]
    assert last.startswith(NOTE) and "The full report: `audit.html`." in last
    kept = text.count("<details><summary><code>")
    assert f"{100 - kept} of 100 models' details left out" in last
    first_pass = text.find("</code>: pass</summary>")
    assert first_pass == -1 or first_pass > text.rfind("</code>: fail</summary>")


@pytest.mark.parametrize("budget", [1, 50, 300, 900, 2_000, 5_000, 9_000])
def test_any_budget_gives_a_valid_report_with_the_note(
    example_result: AuditResult, budget: int
) -> None:
    text = render_markdown(example_result, max_chars=budget)
    _balanced(text)
    assert text.startswith("# Clearance audit\n\n**6 of 10 models not approved")
    assert text.rstrip().splitlines()[-1].startswith(NOTE)
    assert "write one with `-f html -o FILE`" in text
    minimal = len(render_markdown(example_result, max_chars=1))
    assert len(text) <= max(budget, minimal + len(f"{budget:,}"))


def test_budget_zero_is_no_limit(example_result: AuditResult) -> None:
    big: Any = many(example_result, 10)
    assert NOTE not in render_markdown(big, max_chars=0)


def test_cli_budget_names_the_full_report(tmp_path: Any) -> None:
    import os

    from click.testing import CliRunner
    from conftest import REPO

    from checker.cli import main

    comment, page = tmp_path / "comment.md", tmp_path / "audit.html"
    args = ["check", "examples/models.yaml", "-p", "examples/policies/acme.yaml", "-q"]
    cwd = os.getcwd()
    os.chdir(REPO)
    try:
        runner = CliRunner()
        outputs = ["-o", str(comment), "-o", str(page)]
        small = runner.invoke(main, [*args, *outputs, "--max-chars", "3000"])
        whole = runner.invoke(main, [*args, "-f", "markdown", "--max-chars", "0"])
    finally:
        os.chdir(cwd)
    assert small.exit_code == 1 and whole.exit_code == 1
    text = comment.read_text(encoding="utf-8")
    assert len(text) <= 3000 and page.is_file()
    assert text.rstrip().endswith(f"The full report: `{page}`._")
    assert NOTE not in whole.output and whole.output.count("<details><summary><code>") == 10
