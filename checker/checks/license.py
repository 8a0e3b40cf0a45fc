"""license/unknown and license/not-allowed: what the licence is, and whether the policy accepts it.

Decision order (cargo-deny style): a denied id or category rejects; an allowed id or category
accepts; anything else is rejected (default deny). Expressions keep SPDX semantics: an OR needs one
acceptable branch, an AND needs all.
"""

from __future__ import annotations

from checker import licensing
from checker.checks.base import CheckContext, finding
from checker.facts import ModelFacts
from checker.findings import Evidence, Finding, Severity


def check_license(facts: ModelFacts, ctx: CheckContext) -> list[Finding]:
    """Report an unknown licence, and a licence the policy does not accept."""
    out: list[Finding] = []
    lic = facts.license
    if not lic.known:
        out += finding(
            "license/unknown", ctx.unknown, facts, _unknown_message(facts), _unknown_evidence(facts)
        )
    if lic.expression is None:
        return out
    reasons: list[Evidence] = []

    def accept(license_id: str) -> bool:
        ok, why = _decide(license_id, ctx)
        reasons.append(why)
        return ok

    if not licensing.evaluate(lic.expression, accept):
        out += finding(
            "license/not-allowed",
            Severity.ERROR,
            facts,
            f"licence {lic.expression} is not allowed by the policy",
            [*(d.evidence for d in lic.declared), *reasons],
        )
    return out


def _names(ctx: CheckContext, names: tuple[str, ...]) -> set[str]:
    out = set()
    for name in names:
        entry = ctx.kb.license(name)
        out.add((entry.id if entry else name).lower())
    return out


def _decide(license_id: str, ctx: CheckContext) -> tuple[bool, Evidence]:
    rules = ctx.policy.licenses
    entry = ctx.kb.license(license_id)
    categories = set(entry.categories) if entry else set()
    source = entry.file if entry else "SPDX"
    if license_id.lower() in _names(ctx, rules.deny):
        return False, Evidence(ctx.policy.files[-1], "/licenses/deny", license_id)
    denied = sorted(categories & set(rules.deny_categories))
    if denied:
        return False, Evidence(source, "/categories", f"{license_id}: denied category {denied[0]}")
    if license_id.lower() in _names(ctx, rules.allow):
        return True, Evidence(ctx.policy.files[-1], "/licenses/allow", license_id)
    allowed = sorted(categories & set(rules.allow_categories))
    if allowed:
        return True, Evidence(source, "/categories", f"{license_id}: allowed category {allowed[0]}")
    return False, Evidence(
        ctx.policy.files[-1], "/licenses/allow", f"{license_id} is not on the allow list"
    )


def _unknown_message(facts: ModelFacts) -> str:
    lic = facts.license
    if not facts.card.present:
        return "no model card, so no declared licence"
    if not lic.declared:
        return "the card declares no licence"
    shown = ", ".join(repr(d.value) for d in (lic.unresolved or lic.declared))
    return f"licence {shown} is not in the knowledge base"


def _unknown_evidence(facts: ModelFacts) -> list[Evidence]:
    lic = facts.license
    if lic.declared:
        return [d.evidence for d in lic.declared]
    return [facts.card.evidence("license", None)]
