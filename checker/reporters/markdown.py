"""Markdown report: a Jinja2 template from reports/ over the JSON document."""

from __future__ import annotations

from typing import Any

from checker.reporters.json_report import to_document
from checker.resources import data_dir
from checker.result import AuditResult


def _environment(autoescape: bool) -> Any:
    import jinja2

    class Loader(jinja2.BaseLoader):
        def get_source(
            self, environment: jinja2.Environment, template: str
        ) -> tuple[str, None, Any]:
            node = data_dir("reports").joinpath(template)
            if not node.is_file():
                raise jinja2.TemplateNotFound(template)
            return node.read_text(encoding="utf-8"), None, lambda: True

    env = jinja2.Environment(
        loader=Loader(),
        autoescape=autoescape,
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["md"] = _escape_markdown
    return env


def _escape_markdown(value: Any) -> str:
    """Neutralise characters that would break a table cell or inject markup (card text is
    untrusted)."""
    text = "" if value is None else str(value)
    for char in ("\\", "|", "<", ">", "`", "*", "_", "[", "]"):
        text = text.replace(char, "\\" + char)
    return " ".join(text.split())


def render_markdown(result: AuditResult) -> str:
    """The Markdown report."""
    template = _environment(autoescape=False).get_template("markdown.md.j2")
    return str(template.render(doc=to_document(result)))
