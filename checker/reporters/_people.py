"""What the people-facing reports (terminal, Markdown, HTML) say alike, computed from the JSON
document: the decision line, a licence's display name, a non-passing model's one-line reason,
untrusted text made visible (control and bidi characters escaped), and ids wrapped only at
``/`` and ``-``.
"""

from __future__ import annotations

import re
from typing import Any

_RANK = {"error": 3, "warning": 2, "note": 1}

# C0 and C1 controls (but tab, newline, carriage return), DEL, the bidirectional controls that
# can reorder what a reader sees (Trojan Source), and lone surrogates (undecodable file names).
_INVISIBLE = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\ud800-\udfff]"
)


def _escaped(match: re.Match[str]) -> str:
    code = ord(match.group(0))
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def visible(value: Any) -> str:
    """``value`` as text with every control, bidi-control and lone-surrogate character shown as
    an escape (``\\x1b``, ``\\u202e``): untrusted text can neither drive a terminal nor reorder
    what a reader sees. ``None`` is ``unknown``: no report prints ``None``."""
    if value is None:
        return "unknown"
    text = value if isinstance(value, str) else str(value)
    if text.isascii() and text.isprintable():
        return text
    return _INVISIBLE.sub(_escaped, text)


def one_line(value: Any) -> str:
    """``visible`` with every run of white space (newlines included) as one space."""
    return " ".join(visible(value).split())


def licence_label(model: dict[str, Any]) -> str:
    """A model's licence as people name it (``Llama 3.1 Community License Agreement``), else its
    expression, else ``unknown``."""
    lic = model["license"]
    return str(lic.get("name") or lic.get("expression") or "unknown")


def licence_id(model: dict[str, Any]) -> str:
    """The canonical id(s) behind ``licence_label`` (the expression), or an empty string."""
    return str(model["license"].get("expression") or "")


def reason(model: dict[str, Any]) -> str:
    """Why a model does not pass, in one line: the reason it could not be audited, or its first
    unwaived finding of the highest severity it has (``rule: message``); empty for a pass."""
    if model["verdict"] == "pass":
        return ""
    if model.get("error"):
        return f"could not be audited: {one_line(model['error'])}"
    open_findings = [f for f in model["findings"] if f["waived_by"] is None]
    if not open_findings:
        return ""
    worst = max(_RANK[f["severity"]] for f in open_findings)
    first = next(f for f in open_findings if _RANK[f["severity"]] == worst)
    return f"{first['rule']}: {one_line(first['message'])}"


def not_approved(doc: dict[str, Any]) -> int:
    """How many models the policy does not approve (fail or error verdicts)."""
    return int(doc["summary"]["fail"]) + int(doc["summary"]["error"])


def decision(doc: dict[str, Any]) -> str:
    """The audit's decision in one sentence: ``6 of 10 models not approved under acme``."""
    s, policy = doc["summary"], one_line(doc["policy"]["name"])
    total = int(s["models"])
    noun = "model" if total == 1 else "models"
    bad = not_approved(doc)
    if total == 0:
        return f"No models audited under {policy}"
    if bad:
        text = f"{bad} of {total} {noun} not approved under {policy}"
        if s["error"]:
            text += f" ({s['error']} could not be audited)"
        return text
    if s["exit_code"] == 1:
        return f"Not approved: the policy's own findings fail the audit under {policy}"
    if total > 1:
        text = f"All {total} {noun} approved under {policy}"
    else:
        text = f"The model is approved under {policy}"
    if s["warn"]:
        text += f" ({s['warn']} with warnings)"
    return text


def wrap_id(text: str, width: int) -> list[str]:
    """Lines of at most ``width`` characters, broken only after ``/``, ``-``, ``_`` or ``.``
    (a single piece longer than ``width`` is cut, as nothing else can make it fit)."""
    width = max(width, 1)
    lines: list[str] = []
    line = ""
    for piece in re.findall(r"[^/\-_.]*[/\-_.]?", text):
        if not piece:
            continue
        if len(line) + len(piece) <= width:
            line += piece
            continue
        if line:
            lines.append(line)
        while len(piece) > width:
            lines.append(piece[:width])
            piece = piece[width:]
        line = piece
    if line or not lines:
        lines.append(line)
    return lines


def wrap_text(text: str, width: int) -> list[str]:
    """Lines of at most ``width`` characters broken at spaces; a word longer than a line is
    broken as ``wrap_id`` breaks ids (after ``/``, ``-``, ``_``, ``.``)."""
    width = max(width, 1)
    lines: list[str] = []
    line = ""
    for word in text.split():
        joined = f"{line} {word}" if line else word
        if len(joined) <= width:
            line = joined
            continue
        if line:
            lines.append(line)
        if len(word) <= width:
            line = word
            continue
        *full, line = wrap_id(word, width)
        lines.extend(full)
    if line or not lines:
        lines.append(line)
    return lines
