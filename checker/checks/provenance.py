"""provenance/*: who made the model and its ancestors, and where they are established."""

from __future__ import annotations

from checker.checks.base import CheckContext, finding
from checker.facts import LineageError, ModelFacts
from checker.findings import Evidence, Finding, Severity


def check_provenance(facts: ModelFacts, ctx: CheckContext) -> list[Finding]:
    """Denied jurisdictions for the developer and (optionally) every ancestor; unknown ones."""
    out: list[Finding] = []
    rules = ctx.policy.provenance
    denied = ctx.kb.expand(rules.deny_jurisdictions)
    groups = ", ".join(rules.deny_jurisdictions)
    policy_evidence = Evidence(ctx.policy.files[-1], "/provenance/deny-jurisdictions", groups)
    developer = facts.provenance.developer
    if developer is not None:
        if developer.country is None:
            out += finding(
                "provenance/unknown-developer",
                rules.unknown_developer,
                facts,
                f"the country of developer {developer.org!r} is not known",
                developer.evidence,
            )
        elif developer.country in denied:
            out += finding(
                "provenance/denied-jurisdiction",
                Severity.ERROR,
                facts,
                f"developer {developer.name or developer.org} is in "
                f"{developer.country}, a denied jurisdiction ({groups})",
                [*developer.evidence, policy_evidence],
            )
    for ancestor in facts.lineage:
        if ancestor.error_kind is LineageError.CYCLE:
            cycle = (ancestor.error or "").removeprefix("lineage cycle: ")
            out += finding(
                "card/invalid-metadata",
                ctx.unknown,
                facts,
                f"base_model forms a cycle ({cycle})",
                ancestor.evidence,
            )
    if not rules.include_lineage:
        return out
    for ancestor in facts.lineage:
        if ancestor.error is not None and ancestor.error_kind is not LineageError.CYCLE:
            out += finding(
                "provenance/lineage-jurisdiction",
                ctx.unknown,
                facts,
                f"the lineage beyond {ancestor.id} ({ancestor.relation}, depth {ancestor.depth}) "
                f"could not be read: {ancestor.error}",
                ancestor.evidence,
            )
        if ancestor.country is None:
            out += finding(
                "provenance/unknown-developer",
                rules.unknown_developer,
                facts,
                f"the country of the developer of ancestor {ancestor.id} "
                f"({ancestor.relation}, depth {ancestor.depth}) is not known",
                ancestor.evidence,
            )
        elif ancestor.country in denied:
            out += finding(
                "provenance/lineage-jurisdiction",
                Severity.ERROR,
                facts,
                f"ancestor {ancestor.id} ({ancestor.relation}, depth "
                f"{ancestor.depth}) comes from {ancestor.developer or 'a developer'} "
                f"in {ancestor.country}, a denied jurisdiction ({groups})",
                [*ancestor.evidence, policy_evidence],
            )
    return out
