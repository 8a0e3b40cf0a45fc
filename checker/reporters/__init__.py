"""Reporters: views of the one audit result. ``REPORTERS`` maps a --format name to a renderer.

The registry is explicit; each renderer's module is imported when that format is first asked
for, so a run that writes JSON never imports the SPDX, CycloneDX or Jinja2 machinery.
"""

from __future__ import annotations

from collections.abc import Callable
from importlib import import_module

from checker.result import AuditResult

Renderer = Callable[[AuditResult], str]


def _lazy(module: str, function: str) -> Renderer:
    def render(result: AuditResult) -> str:
        renderer: Renderer = getattr(import_module(f"checker.reporters.{module}"), function)
        return renderer(result)

    render.__name__ = render.__qualname__ = function
    render.__doc__ = f"``checker.reporters.{module}.{function}``, imported on first use."
    return render


REPORTERS: dict[str, Renderer] = {
    "terminal": _lazy("terminal", "render_terminal"),
    "json": _lazy("json_report", "render_json"),
    "markdown": _lazy("markdown", "render_markdown"),
    "sarif": _lazy("sarif", "render_sarif"),
    "junit": _lazy("junit", "render_junit"),
    "spdx": _lazy("spdx", "render_spdx"),
    "spdx3": _lazy("spdx3", "render_spdx3"),
    "cyclonedx": _lazy("cyclonedx", "render_cyclonedx"),
    "html": _lazy("html", "render_html"),
    "notice": _lazy("notice", "render_notice"),
}

__all__ = ["REPORTERS", "Renderer"]
