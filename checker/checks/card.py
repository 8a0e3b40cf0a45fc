"""card/* and input/unreadable: problems reading the inputs, and required card fields."""

from __future__ import annotations

from checker.checks.base import CheckContext, finding
from checker.facts import ModelFacts, ProblemKind
from checker.findings import Evidence, Finding

PROBLEM_RULES = {
    ProblemKind.INVALID_METADATA: "card/invalid-metadata",
    ProblemKind.UNREADABLE: "input/unreadable",
}


def check_card(facts: ModelFacts, ctx: CheckContext) -> list[Finding]:
    """Turn reading problems into findings and report required fields that are missing."""
    out: list[Finding] = []
    for problem in facts.problems:
        rule = PROBLEM_RULES[problem.kind]
        out += finding(rule, ctx.unknown, facts, problem.message, problem.evidence)
    for key in ctx.policy.card.require:
        value = facts.card.metadata.get(key)
        if value not in (None, "", [], {}):
            continue
        if not facts.card.present:
            message = f"there is no model card, so no {key!r} field"
            evidence = [Evidence(facts.model.id, "README.md", None)]
        else:
            message = f"the card has no {key!r} field"
            evidence = [facts.card.evidence(key, None)]
        out += finding("card/missing-field", ctx.policy.settings.fail_on, facts, message, evidence)
    return out
