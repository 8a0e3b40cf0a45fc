"""Facts x policy -> findings -> waivers -> verdicts. Pure: no I/O, no clock of its own."""

from __future__ import annotations

import datetime as dt
import fnmatch
from collections.abc import Iterable, Sequence

from checker.catalog import help_for
from checker.checks import CHECKS, CheckContext
from checker.facts import ModelFacts
from checker.facts.binding import bind
from checker.findings import Evidence, Finding, Severity, Verdict
from checker.knowledge import Knowledge
from checker.policy.model import Policy, Waiver
from checker.result import ModelResult


def evaluate_model(facts: ModelFacts, ctx: CheckContext) -> list[Finding]:
    """Run every registered check over one model's facts."""
    if facts.error is not None:
        return [
            Finding(
                "input/unreadable",
                Severity.ERROR,
                facts.model.id,
                facts.error,
                help_for("input/unreadable"),
                (Evidence(facts.target, "/", None),),
            )
        ]
    out: list[Finding] = []
    for check in CHECKS.values():
        out.extend(check(facts, ctx))
    return out


def _matches(waiver: Waiver, finding: Finding) -> bool:
    return waiver.rule == finding.rule and fnmatch.fnmatchcase(
        finding.model.lower(), waiver.model.lower()
    )


def apply_waivers(
    findings: Iterable[Finding], waivers: Sequence[Waiver], today: dt.date, used: set[str]
) -> list[Finding]:
    """Mark findings covered by a live waiver; never drop one. Records the waivers used."""
    live = [w for w in waivers if w.expires is None or w.expires >= today]
    out = []
    for f in findings:
        waiver = next((w for w in live if _matches(w, f)), None)
        if waiver is None:
            out.append(f)
        else:
            used.add(waiver.id)
            out.append(f.waive(waiver.id))
    return out


def verdict(findings: Iterable[Finding], policy: Policy, error: bool) -> Verdict:
    """error if unreadable; fail at/above fail-on; warn on any other warning; else pass."""
    if error:
        return Verdict.ERROR
    worst = max((f.severity.rank for f in findings if f.waived_by is None), default=0)
    if worst >= policy.settings.fail_on.rank:
        return Verdict.FAIL
    if worst >= Severity.WARNING.rank:
        return Verdict.WARN
    return Verdict.PASS


def waiver_findings(policy: Policy, used: set[str], today: dt.date) -> list[Finding]:
    """Expired waivers and waivers that matched nothing."""
    out: list[Finding] = []
    settings = policy.settings
    for w in policy.waivers:
        where = (Evidence(w.file, f"/waivers/{w.id}", w.model, w.line),)
        model = f"policy:{w.file}"
        if w.expires is not None and w.expires < today:
            if settings.expired_waiver is not None:
                out.append(
                    Finding(
                        "waiver/expired",
                        settings.expired_waiver,
                        model,
                        f"waiver {w.id} for {w.rule} on {w.model} expired on {w.expires}",
                        help_for("waiver/expired"),
                        where,
                    )
                )
        elif w.id not in used and settings.unused_waiver is not None:
            out.append(
                Finding(
                    "waiver/unused",
                    settings.unused_waiver,
                    model,
                    f"waiver {w.id} ({w.rule} on {w.model}) matched no finding",
                    help_for("waiver/unused"),
                    where,
                )
            )
    return sorted(out, key=Finding.sort_key)


def evaluate(
    models: Sequence[ModelFacts], policy: Policy, kb: Knowledge, today: dt.date
) -> tuple[list[ModelResult], list[Finding]]:
    """Evaluate every model, then the waivers; results sorted by model id for determinism.

    Facts that were not completed yet (built by hand, as tests do) are bound first, so every
    check reads complete facts."""
    ctx = CheckContext(policy, kb)
    used: set[str] = set()
    results = []
    for facts in (bind(m, kb) for m in models):
        findings = apply_waivers(evaluate_model(facts, ctx), policy.waivers, today, used)
        findings.sort(key=Finding.sort_key)
        results.append(
            ModelResult(
                facts=facts,
                verdict=verdict(findings, policy, facts.error is not None),
                findings=tuple(findings),
            )
        )
    results.sort(key=lambda r: (r.facts.model.id.lower(), r.facts.target))
    return results, waiver_findings(policy, used, today)
