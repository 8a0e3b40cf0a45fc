"""Markdown report: a Jinja2 template from reports/ over the JSON document."""

from __future__ import annotations

from checker.reporters._common import environment
from checker.reporters.json_report import to_document
from checker.result import AuditResult


def render_markdown(result: AuditResult) -> str:
    """The Markdown report."""
    template = environment(autoescape=False).get_template("markdown.md.j2")
    return str(template.render(doc=to_document(result)))
