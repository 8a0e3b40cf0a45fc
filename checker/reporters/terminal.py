"""Terminal report (rich): the decision, the models with their licence and the reason they do
not pass, then each model's findings, the policy's own findings, the intended use and a summary.

At 100 columns or more the models are a table; below, a stacked list (one block per model), so
80 columns stay readable. Ids are never broken inside a word: they wrap after ``/``, ``-``,
``_`` or ``.`` (``wrap_id``). Untrusted text goes in as ``rich.text.Text`` (never parsed as
markup) with control and bidi characters shown escaped, so a card cannot drive the terminal.
Styles only when ``color`` is true; otherwise the text holds no escape sequence at all.
"""

from __future__ import annotations

import io
import shutil
from typing import Any

from checker.reporters._people import (
    decision,
    licence_id,
    licence_label,
    one_line,
    reason,
    wrap_id,
    wrap_text,
)
from checker.result import AuditResult

STACKED_BELOW = 100  # columns
_VERDICT_STYLE = {
    "pass": "bold green",
    "warn": "bold yellow",
    "fail": "bold red",
    "error": "bold magenta",
}
_SEVERITY_STYLE = {"error": "red", "warning": "yellow", "note": "cyan"}


def _findings_count(m: dict[str, Any]) -> str:
    unwaived = sum(1 for f in m["findings"] if f["waived_by"] is None)
    waived = len(m["findings"]) - unwaived
    return f"{unwaived}" + (f" (+{waived} waived)" if waived else "")


def _developer(m: dict[str, Any]) -> str:
    dev = m["provenance"]["developer"]
    if not dev:
        return "unknown"
    text = one_line(dev.get("name") or dev.get("org"))
    return text + (f" ({one_line(dev['country'])})" if dev.get("country") else "")


def _licence(m: dict[str, Any]) -> str:
    label, ids = one_line(licence_label(m)), one_line(licence_id(m))
    return f"{label} ({ids})" if ids and ids != label else label


def _ident(text: str, width: int) -> str:
    return "\n".join(wrap_id(one_line(text), width))


def _wrapped(text: str, width: int) -> str:
    return "\n".join(wrap_text(text, width))


def _table(doc: dict[str, Any], width: int) -> Any:
    from rich.table import Table
    from rich.text import Text

    models = doc["models"]
    fixed = 7 + max([8, *(len(_findings_count(m)) for m in models)])  # verdict, findings
    room = width - 16 - fixed  # 5 columns: 6 borders and 2 spaces of padding each
    model_need = max([5, *(len(one_line(m["id"])) for m in models)])
    lic_need = max([7, *(len(one_line(licence_label(m))) for m in models)])
    reason_need = max([6, *(len(reason(m)) for m in models)])
    model_w = min(model_need, max(16, room * 35 // 100))
    lic_w = min(lic_need, max(14, room // 4))
    reason_w = max(room - model_w - lic_w, 10)
    spare = reason_w - reason_need
    if spare > 0:  # short reasons: give the room back to ids, then licence names
        grow = min(spare, model_need - model_w)
        model_w, spare = model_w + grow, spare - grow
        lic_w += min(spare, lic_need - lic_w)
        reason_w = room - model_w - lic_w
    table = Table(title="Clearance audit", title_justify="left")
    table.add_column("Model", width=model_w)
    table.add_column("Verdict", width=7)
    table.add_column("Licence", width=lic_w, overflow="fold")
    table.add_column("Findings", width=fixed - 7)
    table.add_column("Reason", width=reason_w, overflow="fold")
    for m in models:
        table.add_row(
            Text(_ident(m["id"], model_w)),
            Text(m["verdict"], style=_VERDICT_STYLE[m["verdict"]]),
            Text(_wrapped(one_line(licence_label(m)), lic_w)),
            Text(_findings_count(m)),
            Text(_wrapped(reason(m) or "-", reason_w)),
        )
    return table


def _row(
    out: Any, label: str, lines: list[str], label_w: int, style: str = "", bold: bool = False
) -> None:
    """Append a label and its value's pre-wrapped lines (hanging below the value) to ``out``."""
    pad = " " * (label_w + 1)
    out.append(label.ljust(label_w), style=style)
    for index, line in enumerate(lines):
        out.append(" " if index == 0 else pad)
        out.append(line, style="bold" if bold else "")
        out.append("\n")


def _stacked(doc: dict[str, Any], width: int) -> Any:
    """One block per model (below ``STACKED_BELOW`` columns): verdict and id, licence,
    developer, and its findings (or why it could not be audited)."""
    from rich.text import Text

    out = Text()
    value_w = max(width - 12, 10)
    for m in doc["models"]:
        out.append("\n")
        ident = wrap_id(one_line(m["id"]), value_w)
        _row(out, m["verdict"], ident, 11, _VERDICT_STYLE[m["verdict"]], bold=True)
        _row(out, "  licence", wrap_text(_licence(m), value_w), 11)
        _row(out, "  developer", wrap_text(_developer(m), value_w), 11)
        if m["error"]:
            _row(out, "  reason", wrap_text(reason(m), value_w), 11)
        _findings(out, m["findings"], width, label_w=11)
    return out


def _findings(out: Any, findings: list[dict[str, Any]], width: int, label_w: int = 9) -> None:
    """Append one line per finding: severity, then rule and message wrapped beside it."""
    for f in findings:
        line = f"{one_line(f['rule'])}: {one_line(f['message'])}"
        if f.get("new"):  # against a baseline (--baseline, --baseline-ref)
            line = "new " + line
        if f["waived_by"] is not None:
            line += f" (waived by {one_line(f['waived_by'])})"
        lines = wrap_text(line, max(width - label_w - 1, 10))
        _row(out, f"  {f['severity']}", lines, label_w, _SEVERITY_STYLE[f["severity"]])


def render_terminal(result: AuditResult, color: bool = False, width: int | None = None) -> str:
    """The report as text for a terminal ``width`` columns wide (default: the terminal's, else
    ``COLUMNS``, else 120); ANSI styles only when ``color``."""
    from rich.console import Console
    from rich.text import Text

    from checker.reporters._common import use_line
    from checker.reporters.json_report import to_document

    doc = to_document(result)
    columns = max(width or shutil.get_terminal_size((120, 24)).columns, 40)
    buffer = io.StringIO()
    console = Console(
        file=buffer,
        force_terminal=color,
        no_color=not color,
        width=columns,
        highlight=False,
        emoji=False,
        markup=False,
    )
    console.print(Text(decision(doc), style="bold"))
    out = Text()
    if columns < STACKED_BELOW:
        out = _stacked(doc, columns)
    else:
        console.print()
        console.print(_table(doc, columns))
        for m in doc["models"]:
            if not m["findings"]:
                continue
            out.append("\n")
            out.append(_ident(m["id"], columns - 8), style="bold")
            out.append(" ")
            out.append(m["verdict"], style=_VERDICT_STYLE[m["verdict"]])
            out.append("\n")
            facts = f"{_licence(m)} · {_developer(m)}"
            jurisdictions = ", ".join(one_line(j) for j in m["provenance"]["jurisdictions"])
            facts += f" · jurisdictions {jurisdictions}" if jurisdictions else ""
            _row(out, " ", wrap_text(facts, columns - 2), 1)
            _findings(out, m["findings"], columns)
    if doc["findings"]:
        out.append("\npolicy\n", style="bold")
        _findings(out, doc["findings"], columns)
    console.print(out, end="", soft_wrap=True)
    s = doc["summary"]
    console.print()
    use = f"intended use: {one_line(use_line(doc['use']))}"
    console.print(Text(_wrapped(use, columns)))
    console.print(
        Text(
            _wrapped(
                f"{s['models']} model(s): {s['pass']} pass, {s['warn']} warn, {s['fail']} fail, "
                f"{s['error']} error · policy {one_line(doc['policy']['name'])} · knowledge "
                f"{one_line(doc['knowledge']['version'])}",
                columns,
            )
        )
    )
    known = doc.get("baseline")
    if known:
        console.print(
            Text(
                _wrapped(
                    f"{known['new']} new finding(s); {known['known']} known findings carried "
                    f"over from {one_line(known['source'])}",
                    columns,
                )
            )
        )
    return "".join(line.rstrip() + "\n" for line in buffer.getvalue().splitlines())
