"""Facts x policy -> findings -> waivers -> verdicts. Pure: no I/O, no clock of its own.

The checks (and the waivers) are in ``checker/checks/``; this module runs them and decides each
model's verdict.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence

from checker import collector
from checker.checks import CHECKS, CheckContext
from checker.checks.card import unreadable
from checker.checks.waivers import apply_waivers, check_waivers
from checker.facts import ModelFacts
from checker.facts.binding import bind
from checker.findings import Finding, Severity, Verdict
from checker.knowledge import Knowledge
from checker.policy.model import Policy
from checker.result import ModelResult


def evaluate_model(facts: ModelFacts, ctx: CheckContext) -> list[Finding]:
    """Run every registered check over one model's facts."""
    if facts.error is not None:
        return unreadable(facts)
    out: list[Finding] = []
    for check in CHECKS.values():
        out.extend(check(facts, ctx))
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


def evaluate(
    models: Sequence[ModelFacts], policy: Policy, kb: Knowledge, today: dt.date
) -> tuple[list[ModelResult], list[Finding]]:
    """Evaluate every model, then the waivers; results sorted by model id for determinism.

    Facts that were not completed yet (built by hand, as tests do) are bound first, so every
    check reads complete facts."""
    ctx = CheckContext(policy, kb)
    used: set[str] = set()
    results = []
    with collector.bulk() as tick:
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
            tick()
    results.sort(key=lambda r: (r.facts.model.id.lower(), r.facts.target))
    return results, check_waivers(policy, used, today)
