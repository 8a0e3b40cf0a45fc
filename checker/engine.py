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


class Prechecked:
    """Checks run on facts while the audit's other models are still being read (the process
    pool's caller between its own reads, the Hub reader while requests are out), so that one
    process does not check every model after all are read. A model's facts are complete only
    once the run's lineage is linked, which may replace them; the findings are therefore kept
    for the very facts object they were computed from, and ``evaluate`` uses them only for that
    object: facts that linking (or a lock) replaced are checked again there. The checks are
    pure functions of the facts, the policy and the knowledge base, so the findings are the
    ones ``evaluate`` would compute."""

    def __init__(self, policy: Policy, kb: Knowledge) -> None:
        self.policy, self.kb = policy, kb
        self._ctx = CheckContext(policy, kb)
        self._found: dict[int, tuple[ModelFacts, list[Finding]]] = {}

    def add(self, models: Iterable[ModelFacts]) -> None:
        """Check these facts now (those not yet bound are left to ``evaluate``)."""
        for facts in models:
            if facts.binding is not None:
                self._found[id(facts)] = (facts, evaluate_model(facts, self._ctx))

    def take(self, facts: ModelFacts) -> list[Finding] | None:
        """The findings of exactly this facts object, once; None when it was not checked."""
        found = self._found.pop(id(facts), None)
        return found[1] if found is not None and found[0] is facts else None

    def clear(self) -> None:
        self._found.clear()

    def __len__(self) -> int:
        return len(self._found)


def evaluate(
    models: Sequence[ModelFacts],
    policy: Policy,
    kb: Knowledge,
    today: dt.date,
    prechecked: Prechecked | None = None,
) -> tuple[list[ModelResult], list[Finding]]:
    """Evaluate every model, then the waivers; results sorted by model id for determinism.

    Facts that were not completed yet (built by hand, as tests do) are bound first, so every
    check reads complete facts. ``prechecked`` holds findings already computed for some of
    these very facts objects against this policy and knowledge base (else it is ignored)."""
    ctx = CheckContext(policy, kb)
    early = prechecked
    if early is not None and (early.policy is not policy or early.kb is not kb):
        early = None  # computed against another policy or knowledge base
    used: set[str] = set()
    results = []
    with collector.bulk() as tick:
        for facts in (bind(m, kb) for m in models):
            raw = early.take(facts) if early is not None else None
            if raw is None:
                raw = evaluate_model(facts, ctx)
            findings = apply_waivers(raw, policy.waivers, today, used)
            findings.sort(key=Finding.sort_key)
            results.append(
                ModelResult(
                    facts=facts,
                    verdict=verdict(findings, policy, facts.error is not None),
                    findings=tuple(findings),
                )
            )
            tick()
    if prechecked is not None:
        prechecked.clear()  # facts that linking replaced: their old findings are never used
    results.sort(key=lambda r: (r.facts.model.id.lower(), r.facts.target))
    return results, check_waivers(policy, used, today)
