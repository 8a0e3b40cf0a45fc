"""Reporters: views of the one audit result. ``REPORTERS`` maps a --format name to a renderer."""

from __future__ import annotations

from collections.abc import Callable

from checker.reporters.cyclonedx import render_cyclonedx
from checker.reporters.html import render_html
from checker.reporters.json_report import render_json
from checker.reporters.junit import render_junit
from checker.reporters.markdown import render_markdown
from checker.reporters.notice import render_notice
from checker.reporters.sarif import render_sarif
from checker.reporters.spdx import render_spdx
from checker.reporters.terminal import render_terminal
from checker.result import AuditResult

Renderer = Callable[[AuditResult], str]

REPORTERS: dict[str, Renderer] = {
    "terminal": render_terminal,
    "json": render_json,
    "markdown": render_markdown,
    "sarif": render_sarif,
    "junit": render_junit,
    "spdx": render_spdx,
    "cyclonedx": render_cyclonedx,
    "html": render_html,
    "notice": render_notice,
}

__all__ = ["REPORTERS", "Renderer"]
