"""Terminal report: a rich table of models and verdicts, then each model's findings."""

from __future__ import annotations

import io
import os

from checker.findings import Finding, Severity, Verdict
from checker.result import AuditResult

_VERDICT_STYLE = {
    Verdict.PASS: "bold green",
    Verdict.WARN: "bold yellow",
    Verdict.FAIL: "bold red",
    Verdict.ERROR: "bold magenta",
}
_SEVERITY_STYLE = {Severity.ERROR: "red", Severity.WARNING: "yellow", Severity.NOTE: "cyan"}


def render_terminal(result: AuditResult, color: bool = False, width: int | None = None) -> str:
    """The report as text for a terminal (ANSI colours only when ``color``)."""
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    from checker.reporters._common import use_line
    from checker.reporters.json_report import use_block

    buffer = io.StringIO()
    columns = width or int(os.environ.get("COLUMNS", "0") or 0) or 120
    console = Console(
        file=buffer,
        force_terminal=color,
        no_color=not color,
        width=columns,
        highlight=False,
        emoji=False,
    )
    table = Table(title="Clearance audit", title_justify="left")
    for name in ("Model", "Verdict", "Licence", "Developer", "Jurisdictions", "Findings"):
        table.add_column(name, overflow="fold")
    for m in result.models:
        f = m.facts
        dev = f.provenance.developer
        developer = "unknown" if dev is None else (dev.name or dev.org)
        if dev is not None and dev.country:
            developer += f" ({dev.country})"
        unwaived = len(m.unwaived)
        waived_count = len(m.findings) - unwaived
        table.add_row(
            escape(f.model.id),
            f"[{_VERDICT_STYLE[m.verdict]}]{m.verdict.value}[/]",
            escape(f.license.expression or "unknown"),
            escape(developer),
            escape(", ".join(f.provenance.jurisdictions) or "-"),
            f"{unwaived}" + (f" (+{waived_count} waived)" if waived_count else ""),
        )
    console.print(table)
    for m in result.models:
        if not m.findings:
            continue
        console.print()
        console.print(
            f"[bold]{escape(m.facts.model.id)}[/] [{_VERDICT_STYLE[m.verdict]}]{m.verdict.value}[/]"
        )
        for finding in m.findings:
            style = _SEVERITY_STYLE[finding.severity]
            waived = (
                f" [dim](waived by {escape(finding.waived_by)})[/]" if finding.waived_by else ""
            )
            console.print(
                f"  [{style}]{finding.severity.value:<7}[/] {_new(finding)}{finding.rule}: "
                f"{escape(finding.message)}{waived}"
            )
    if result.findings:
        console.print()
        console.print("[bold]policy[/]")
        for finding in result.findings:
            style = _SEVERITY_STYLE[finding.severity]
            console.print(
                f"  [{style}]{finding.severity.value:<7}[/] {_new(finding)}{finding.rule}: "
                f"{escape(finding.message)}"
            )
    s = result
    console.print()
    console.print(f"intended use: {escape(use_line(use_block(s.policy)))}", soft_wrap=True)
    console.print(
        f"{len(s.models)} model(s): {s.count(Verdict.PASS)} pass, {s.count(Verdict.WARN)} warn, "
        f"{s.count(Verdict.FAIL)} fail, {s.count(Verdict.ERROR)} error · policy "
        f"{escape(s.policy.name)} · knowledge {s.knowledge_version}"
    )
    if s.baseline is not None:
        console.print(
            f"{s.baseline.new} new finding(s); {s.baseline.known} known findings carried over "
            f"from {escape(s.baseline.source)}"
        )
    return buffer.getvalue()


def _new(finding: Finding) -> str:
    """The marker of a finding the baseline does not have."""
    return "[bold]new[/] " if finding.new else ""
