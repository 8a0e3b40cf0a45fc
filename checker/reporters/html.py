"""HTML report for people: one self-contained page rendered from reports/report.html.j2.

The page makes no requests: styles and the one small script are inline, there are no images,
fonts or external links, and a Content-Security-Policy meta tag (``default-src 'none'``) allows
only the inline style and script by their sha256 hashes, so even markup that slipped past
escaping could neither run nor load anything. Card text and finding messages are untrusted: the
Jinja2 environment autoescapes everything and uses StrictUndefined, and no ``href`` or ``src``
is ever built from report data (only ``#model-N`` anchors). Output is deterministic.
"""

from __future__ import annotations

import base64
import hashlib
import json
from functools import lru_cache
from typing import Any

from markupsafe import Markup, escape

from checker.reporters._common import environment
from checker.reporters._people import decision, licence_label, reason, visible
from checker.reporters.json_report import to_document
from checker.result import AuditResult

EXIT_MEANINGS = {
    0: "every model passed (warnings do not fail the audit)",
    1: "at least one finding at or above the policy's fail-on severity is not waived",
    2: "at least one model could not be audited",
}


def _csp_hash(text: Any) -> Markup:
    """The CSP source expression for an inline element whose content is ``text``."""
    digest = hashlib.sha256(str(text).encode("utf-8")).digest()
    return Markup("'sha256-%s'") % base64.b64encode(digest).decode("ascii")


def _value(value: Any) -> str:
    """A JSON value as text: strings as they are, everything else as compact JSON."""
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def _term(value: Any) -> str:
    """A licence term for a table cell: lists joined, big numbers grouped, null as 'none'."""
    if value is None:
        return "none"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, list):
        return ", ".join(_value(v) for v in value) if value else "none"
    return _value(value)


def _code_spans(value: Any) -> Markup:
    """Escape ``value`` and turn `backtick` spans (as in rule help texts) into <code>."""
    parts = ("" if value is None else visible(value)).split("`")
    if len(parts) % 2 == 0:  # an unmatched backtick: leave the text as it is
        return Markup(escape("`".join(parts)))
    out = Markup("")
    for index, part in enumerate(parts):
        out += Markup("<code>%s</code>") % part if index % 2 else escape(part)
    return out


def _breakable(value: Any) -> Markup:
    """Escaped text with a line-break opportunity after each ``/``, ``_`` and ``.`` (browsers
    already break after ``-``), so a narrow column wraps an id between its parts."""
    text = str(escape(visible(value)))
    for char in "/_.":
        text = text.replace(char, char + "<wbr>")
    return Markup(text)


def _size(value: Any) -> str:
    """A file size in bytes, human readable."""
    if not isinstance(value, int):
        return "unknown"
    size, unit = float(value), "B"
    for bigger in ("KiB", "MiB", "GiB", "TiB"):
        if size < 1024:
            break
        size, unit = size / 1024, bigger
    return f"{value} B" if unit == "B" else f"{size:.1f} {unit}"


def _lineage_levels(lineage: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Ancestors grouped by depth, nearest first; the template nests each level in the one above.

    The lineage records each ancestor's depth but not which ancestor it descends from, so a level
    hangs below its predecessor when the level above has one ancestor, and below a "bases of the
    models above" entry when it has several.
    """
    return [
        {"depth": depth, "items": [a for a in lineage if a["depth"] == depth]}
        for depth in sorted({a["depth"] for a in lineage})
    ]


def _waivers(result: AuditResult) -> dict[str, dict[str, Any]]:
    return {
        w.id: {
            "reason": w.reason,
            "approved_by": w.approved_by,
            "expires": w.expires.isoformat() if w.expires else None,
        }
        for w in result.policy.waivers
    }


def _finalize(value: Any) -> Any:
    """Every ``{{ value }}``: markup the template built passes; text has control and bidi
    characters shown escaped (then autoescape escapes it); None is never written as 'None'."""
    return value if isinstance(value, Markup) else visible(value)


@lru_cache(maxsize=1)
def _template() -> Any:
    """The compiled template (compiled once per process)."""
    env = environment(autoescape=True, finalize=_finalize)
    env.filters.update(
        csp_hash=_csp_hash,
        jv=_value,
        term=_term,
        code_spans=_code_spans,
        size=_size,
        licence_label=licence_label,
        reason=reason,
        breakable=_breakable,
    )
    return env.get_template("report.html.j2")


def render_html(result: AuditResult) -> str:
    """The HTML report (a complete, self-contained document)."""
    doc = to_document(result)
    return str(
        _template().render(
            doc=doc,
            lineage=[_lineage_levels(m["lineage"]) for m in doc["models"]],
            waivers=_waivers(result),
            fail_on=result.policy.settings.fail_on.value,
            exit_meaning=EXIT_MEANINGS.get(doc["summary"]["exit_code"], "unknown"),
            decision=decision(doc),
        )
    )
